//! TwoWayLink and OneWayLink.

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use super::{CreateEnv, FieldType, ReadEnv, WriteEnv};
use crate::envelope::{ApiError, tips};
use crate::ids;
use crate::store::Batch;
use crate::store::State;
use crate::store::model::{Datasheet, Field};

fn foreign_id(field: &Field) -> &str {
    field
        .property
        .get("foreignDatasheetId")
        .and_then(Json::as_str)
        .unwrap_or("")
}

/// Link writes: a non-empty array of existing record ids of the foreign datasheet.
pub(super) fn write(
    field: &Field,
    value: &Json,
    label: &str,
    env: &WriteEnv<'_>,
) -> Result<Option<Json>, ApiError> {
    let Some(arr) = super::array_cell(value, label, "Link")? else {
        return Ok(None);
    };
    if arr.is_empty() {
        return Err(ApiError::bad(format!(
            "field:{label} recordId value can't be empty array or null"
        )));
    }
    let single = super::flag(field, "limitSingleRecord");
    if single && arr.len() > 1 {
        return Err(ApiError::bad(format!(
            "field:{label} The Link field was set to receive one recordId only"
        )));
    }
    let foreign = env.state.datasheets.get(foreign_id(field));
    let mut out: Vec<Json> = Vec::new();
    for v in arr {
        let id = super::plain_string(v);
        let exists = v.is_string() && foreign.is_some_and(|f| f.record(&id).is_some());
        if !exists {
            return Err(ApiError::bad(format!(
                "The linked field specifies a record ({id}) that does not exist"
            )));
        }
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Some(Json::Array(out)))
}

/// The primary-field display strings of the linked records (`Unnamed record` when empty).
pub(crate) fn linked_display(env: &ReadEnv<'_>, field: &Field, ids: &Json) -> Vec<String> {
    let Some(foreign) = env.state.datasheets.get(foreign_id(field)) else {
        return Vec::new();
    };
    ids.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .filter_map(|id| foreign.record(id))
                .map(|r| {
                    let s = super::primary_string(env, foreign, r);
                    if s.is_empty() {
                        "Unnamed record".to_string()
                    } else {
                        s
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Create-shape → GET shape (the brother field id is added by [`brother_for`]).
pub(super) fn create_property(
    o: &Map<String, Json>,
    env: &CreateEnv<'_>,
) -> Result<Json, ApiError> {
    let foreign_id = match o.get("foreignDatasheetId") {
        Some(Json::String(s)) => s.clone(),
        None => return Err(tips::validate("\"foreignDatasheetId\" is required")),
        Some(_) => return Err(tips::validate("\"foreignDatasheetId\" must be a string")),
    };
    let foreign = if foreign_id == env.ds.id {
        Some(env.ds)
    } else {
        env.state.datasheets.get(&foreign_id)
    };
    let Some(foreign) = foreign.filter(|f| f.space_id == env.ds.space_id) else {
        return Err(tips::invalid_value("foreignDatasheetId"));
    };
    let mut out = json!({"foreignDatasheetId": foreign_id});
    match o.get("limitToViewId") {
        None | Some(Json::Null) => {}
        Some(Json::String(v)) if foreign.view(v).is_some() => out["limitToViewId"] = json!(v),
        Some(_) => return Err(tips::invalid_value("limitToViewId")),
    }
    match o.get("limitSingleRecord") {
        None | Some(Json::Null) => {}
        Some(Json::Bool(b)) => out["limitSingleRecord"] = json!(b),
        Some(_) => return Err(tips::validate("\"limitSingleRecord\" must be a boolean")),
    }
    Ok(out)
}

/// For a two-way link to another datasheet: the sibling field, named after `ds`.
pub(super) fn brother_for(ds: &Datasheet, field: &mut Field, foreign: &Datasheet) -> Option<Field> {
    if field.ftype != FieldType::TwoWayLink || foreign.id == ds.id {
        return None;
    }
    let mut name = ds.name.clone();
    let mut n = 1;
    while foreign.fields.iter().any(|f| f.name == name) {
        n += 1;
        name = format!("{} {n}", ds.name);
    }
    let brother = Field {
        id: ids::field(),
        name,
        ftype: FieldType::TwoWayLink,
        property: json!({"foreignDatasheetId": ds.id, "brotherFieldId": field.id}),
        desc: None,
    };
    field.property["brotherFieldId"] = json!(brother.id);
    Some(brother)
}

/// One changed link cell: record, field, ids before and after.
pub(crate) struct LinkChange {
    pub record_id: String,
    pub field_id: String,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

/// Mirrors two-way link changes of `dst_id` into the sibling fields of the foreign datasheets.
pub(crate) fn link_cells_sync(
    state: &mut State,
    batch: &mut Batch,
    dst_id: &str,
    changes: &[LinkChange],
    now: i64,
    user_id: &str,
) {
    let mut touched: HashMap<(String, String), ()> = HashMap::new();
    for ch in changes {
        let Some(ds) = state.datasheets.get(dst_id) else {
            return;
        };
        let Some(field) = ds.field(&ch.field_id) else {
            continue;
        };
        if field.ftype != FieldType::TwoWayLink {
            continue;
        }
        let foreign = foreign_id(field).to_string();
        let Some(brother) = field
            .property
            .get("brotherFieldId")
            .and_then(Json::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        if foreign == dst_id {
            continue;
        }
        let Some(fds) = state.datasheets.get_mut(&foreign) else {
            continue;
        };
        for id in ch.new.iter().filter(|i| !ch.old.contains(i)) {
            if let Some(&i) = fds.index.get(id) {
                let rec = &mut fds.records[i];
                let cell = rec
                    .cells
                    .entry(brother.clone())
                    .or_insert_with(|| json!([]));
                if let Some(a) = cell.as_array_mut()
                    && !a.iter().any(|x| x.as_str() == Some(&ch.record_id))
                {
                    a.push(json!(ch.record_id));
                }
                rec.updated_at = now;
                rec.updated_by = user_id.to_string();
                touched.insert((foreign.clone(), id.clone()), ());
            }
        }
        for id in ch.old.iter().filter(|i| !ch.new.contains(i)) {
            if let Some(&i) = fds.index.get(id) {
                let rec = &mut fds.records[i];
                let mut empty = false;
                if let Some(a) = rec.cells.get_mut(&brother).and_then(Json::as_array_mut) {
                    a.retain(|x| x.as_str() != Some(&ch.record_id));
                    empty = a.is_empty();
                }
                if empty {
                    rec.cells.remove(&brother);
                }
                rec.updated_at = now;
                rec.updated_by = user_id.to_string();
                touched.insert((foreign.clone(), id.clone()), ());
            }
        }
    }
    for (dst, rec) in touched.keys() {
        if let Some(r) = state.datasheets.get(dst).and_then(|d| d.record(rec)) {
            batch.record(dst, r);
        }
    }
}

/// The ids held by a stored link cell.
pub(crate) fn ids_of(cell: Option<&Json>) -> Vec<String> {
    cell.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
