//! Fields: list, create, delete.

use serde_json::{Value as Json, json};

use crate::app::{App, datasheet_in_space, visible_datasheet};
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::fields::{self, CreateEnv, FieldType, ReadEnv};
use crate::ids;
use crate::params::Query;
use crate::store::model::{Datasheet, Field};
use crate::store::{Batch, State};

/// The GET `/fields` object of one field.
pub(crate) fn field_json(env: &ReadEnv<'_>, ds: &Datasheet, f: &Field) -> Json {
    let mut o = json!({
        "id": f.id,
        "name": f.name,
        "type": f.ftype.api_name(),
        "editable": fields::editable(f),
    });
    if let Some(mut p) = fields::api_property(env, ds, f) {
        if matches!(f.ftype, FieldType::SingleSelect | FieldType::MultiSelect)
            && let Some(m) = p.as_object_mut()
        {
            m.remove("defaultValue");
        }
        o["property"] = p;
    }
    if ds.primary().is_some_and(|p| p.id == f.id) {
        o["isPrimary"] = json!(true);
    }
    if let Some(d) = &f.desc {
        o["desc"] = json!(d);
    }
    o
}

/// GET /fusion/v1/datasheets/{dstId}/fields
pub(crate) fn list(app: &App, user: &str, dst: &str, q: &Query) -> ApiResult {
    let state = app.store.read();
    let ds = visible_datasheet(&state, user, dst)?;
    let env = app.read_env(&state);
    let cols = match q.scalar("viewId") {
        Some(v) => {
            let view = ds.view(v).ok_or_else(|| tips::view_id_not_exists(v))?;
            ds.view_fields(view, false)
        }
        None => match ds.views.first() {
            Some(v) => ds.view_fields(v, true),
            None => ds.fields.iter().collect(),
        },
    };
    let out: Vec<Json> = cols.iter().map(|f| field_json(&env, ds, f)).collect();
    Ok(Success::ok(json!({ "fields": out })))
}

/// A field built from a create body, plus the sibling to add to a foreign datasheet.
pub(crate) struct NewField {
    pub field: Field,
    pub brother: Option<(String, Field)>,
}

/// Validates a `{name, type, property, desc?}` object against `ds` and builds the field.
pub(crate) fn build_field(
    app: &App,
    state: &State,
    ds: &Datasheet,
    spec: &Json,
) -> Result<NewField, ApiError> {
    let name = match spec.get("name") {
        Some(Json::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(tips::empty("name")),
    };
    if name.chars().count() > 100 {
        return Err(tips::max_length("name", 100));
    }
    if ds.fields.iter().any(|f| f.name == name) {
        return Err(tips::must_unique("name"));
    }
    let ftype = match spec.get("type") {
        Some(Json::String(t)) => {
            FieldType::from_create_name(t).ok_or_else(|| tips::invalid_value("type"))?
        }
        None | Some(Json::Null) => return Err(tips::empty("type")),
        Some(_) => return Err(tips::invalid_value("type")),
    };
    if ds.fields.len() >= app.settings.limits.max_fields_per_datasheet {
        return Err(tips::max_count(
            "fields",
            app.settings.limits.max_fields_per_datasheet,
        ));
    }
    let env = CreateEnv { state, ds };
    let property = fields::create_property(ftype, spec.get("property"), &env)?;
    let desc = spec
        .get("desc")
        .or_else(|| spec.get("description"))
        .and_then(Json::as_str)
        .map(str::to_string);
    let mut field = Field {
        id: spec
            .get("id")
            .and_then(Json::as_str)
            .filter(|s| s.starts_with("fld") && ds.field(s).is_none())
            .map(str::to_string)
            .unwrap_or_else(ids::field),
        name,
        ftype,
        property,
        desc,
    };
    let mut brother = None;
    if ftype == FieldType::TwoWayLink {
        let foreign_id = field.property["foreignDatasheetId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(foreign) = state.datasheets.get(&foreign_id)
            && foreign.id != ds.id
            && let Some(b) = fields::brother_for(ds, &mut field, foreign)
        {
            brother = Some((foreign_id, b));
        }
    }
    Ok(NewField { field, brother })
}

/// Adds a built field to `dst` (and its sibling to the foreign datasheet), persisting both.
pub(crate) fn apply_field(state: &mut State, batch: &mut Batch, dst: &str, nf: NewField) {
    if let Some(ds) = state.datasheets.get_mut(dst) {
        ds.fields.push(nf.field);
        batch.datasheet(ds);
    }
    if let Some((fid, b)) = nf.brother
        && let Some(f) = state.datasheets.get_mut(&fid)
    {
        f.fields.push(b);
        batch.datasheet(f);
    }
}

/// POST /fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields
pub(crate) fn create(app: &App, user: &str, spc: &str, dst: &str, body: &Json) -> ApiResult {
    if !body.is_object() {
        return Err(tips::empty("name").dto());
    }
    let (id, name) = app.store.write(|state, batch| {
        let ds = datasheet_in_space(state, user, spc, dst)?;
        let nf = build_field(app, state, ds, body)?;
        let out = (nf.field.id.clone(), nf.field.name.clone());
        apply_field(state, batch, dst, nf);
        Ok(out)
    })?;
    Ok(Success::created(json!({"id": id, "name": name})))
}

/// DELETE /fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields/{fieldId}
pub(crate) fn delete(
    app: &App,
    user: &str,
    spc: &str,
    dst: &str,
    fld: &str,
    body: &Json,
) -> ApiResult {
    let keep_text = match body.get("conversion") {
        None | Some(Json::Null) => false,
        Some(Json::String(s)) if s == "delete" => false,
        Some(Json::String(s)) if s == "keepText" => true,
        Some(_) => return Err(tips::invalid_value("conversion").dto()),
    };
    app.store.write(|state, batch| {
        let ds = datasheet_in_space(state, user, spc, dst)?;
        let Some(field) = ds.field(fld) else {
            return Err(tips::not_exists("fieldId", fld));
        };
        if ds.primary().is_some_and(|p| p.id == fld) {
            return Err(tips::primary_not_deletable());
        }
        let brother = if field.ftype == FieldType::TwoWayLink {
            let foreign = field.property["foreignDatasheetId"].as_str().unwrap_or("");
            let bid = field.property["brotherFieldId"].as_str().unwrap_or("");
            (foreign != dst && !bid.is_empty()).then(|| (foreign.to_string(), bid.to_string()))
        } else {
            None
        };
        // keepText: the sibling becomes a text field holding the linked records' names.
        let mut text_cells: Vec<(String, String)> = Vec::new();
        if keep_text && let Some((fid, bid)) = &brother {
            let env = app.read_env(state);
            if let (Some(fds), Some(bf)) = (
                state.datasheets.get(fid),
                state.datasheets.get(fid).and_then(|d| d.field(bid)),
            ) {
                for r in &fds.records {
                    if let Some(ids) = r.cells.get(bid) {
                        let s = fields::linked_display(&env, bf, ids).join(", ");
                        text_cells.push((r.id.clone(), s));
                    }
                }
            }
        }
        remove_field(state, batch, dst, fld);
        if let Some((fid, bid)) = brother {
            if keep_text {
                if let Some(fds) = state.datasheets.get_mut(&fid) {
                    if let Some(bf) = fds.fields.iter_mut().find(|f| f.id == bid) {
                        bf.ftype = FieldType::Text;
                        bf.property = Json::Null;
                    }
                    for (rid, s) in text_cells {
                        if let Some(&i) = fds.index.get(&rid) {
                            let rec = &mut fds.records[i];
                            if s.is_empty() {
                                rec.cells.remove(&bid);
                            } else {
                                rec.cells.insert(bid.clone(), json!(s));
                            }
                            batch.record(&fid, rec);
                        }
                    }
                    batch.datasheet(fds);
                }
            } else {
                remove_field(state, batch, &fid, &bid);
            }
        }
        Ok(())
    })?;
    Ok(Success::ok(json!({})))
}

/// Drops a field, its cells (in memory; stale cells in SQLite are ignored on load) and every
/// view reference to it.
fn remove_field(state: &mut State, batch: &mut Batch, dst: &str, fld: &str) {
    if let Some(ds) = state.datasheets.get_mut(dst) {
        ds.fields.retain(|f| f.id != fld);
        for v in ds.views.iter_mut() {
            v.hidden.retain(|h| h != fld);
            v.columns.retain(|h| h != fld);
            v.sort.retain(|s| s.field_id != fld);
        }
        for r in ds.records.iter_mut() {
            r.cells.remove(fld);
        }
        batch.datasheet(ds);
    }
}
