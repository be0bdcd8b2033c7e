//! Read-only types: MagicLookUp, Formula, AutoNumber, created/modified time and by, WorkDoc,
//! Button.

use serde_json::{Map, Value as Json, json};

use super::{CreateEnv, FieldType, ReadEnv};
use crate::envelope::{ApiError, tips};
use crate::store::model::{Datasheet, Field, Record};

/// Writes to computed types are rejected, even `null` (WorkDoc accepts only `null`).
pub(super) fn write(field: &Field, value: &Json, label: &str) -> Result<Option<Json>, ApiError> {
    let _ = label;
    let msg = match field.ftype {
        FieldType::MagicLookUp => "Lookup field can't be edited",
        FieldType::Formula => "Formula field can't be edited",
        FieldType::AutoNumber => "Autonumber field can't be edited",
        FieldType::CreatedTime => "Created Time field can't be edited",
        FieldType::LastModifiedTime => "Last Edited Time field can't be edited",
        FieldType::CreatedBy => "Created By field can't be edited",
        FieldType::LastModifiedBy => "Last Edited By field can't be edited",
        FieldType::WorkDoc => {
            if value.is_null() {
                return Ok(None);
            }
            "WorkDoc field can't be edited"
        }
        _ => "Parameter error",
    };
    Err(ApiError::bad(msg))
}

/// `{id, name, avatar}` of a user.
pub(super) fn user_json(env: &ReadEnv<'_>, user_id: &str) -> Option<Json> {
    let u = env.state.user(user_id)?;
    Some(json!({"id": u.id, "name": u.name, "avatar": u.avatar.clone().unwrap_or_default()}))
}

/// `{options: [{id, name, avatar}]}` listing the users of the datasheet's space.
pub(super) fn users_property(env: &ReadEnv<'_>, ds: &Datasheet) -> Json {
    let opts: Vec<Json> = env
        .state
        .space(&ds.space_id)
        .map(|s| {
            s.members
                .iter()
                .filter_map(|m| m.user_id.as_deref())
                .filter_map(|u| user_json(env, u))
                .collect()
        })
        .unwrap_or_default();
    json!({"options": opts})
}

fn prop_str<'a>(field: &'a Field, key: &str) -> &'a str {
    field.property.get(key).and_then(Json::as_str).unwrap_or("")
}

const ROLLUPS: [&str; 15] = [
    "VALUES",
    "AVERAGE",
    "COUNT",
    "COUNTA",
    "COUNTALL",
    "SUM",
    "MIN",
    "MAX",
    "AND",
    "OR",
    "XOR",
    "CONCATENATE",
    "ARRAYJOIN",
    "ARRAYUNIQUE",
    "ARRAYCOMPACT",
];

fn truthy(v: &Json) -> bool {
    super::text::truthy(Some(v))
}

/// The computed json value of a lookup cell.
pub(super) fn lookup_json(
    env: &ReadEnv<'_>,
    ds: &Datasheet,
    field: &Field,
    rec: &Record,
) -> Option<Json> {
    let link = ds.field(prop_str(field, "relatedLinkFieldId"))?;
    let foreign = env
        .state
        .datasheets
        .get(link.property.get("foreignDatasheetId")?.as_str()?)?;
    let target = foreign.field(prop_str(field, "targetFieldId"))?;
    if target.ftype == FieldType::MagicLookUp && target.id == field.id {
        return None;
    }
    let ids = rec.cells.get(&link.id)?.as_array()?;
    let mut values: Vec<Json> = Vec::new();
    let mut linked = 0usize;
    for id in ids.iter().filter_map(Json::as_str) {
        let Some(r) = foreign.record(id) else {
            continue;
        };
        linked += 1;
        if let Some(v) = super::read_json(env, foreign, target, r) {
            match v.into_owned() {
                Json::Array(a) => values.extend(a),
                other => values.push(other),
            }
        }
    }
    let nums = || values.iter().filter_map(Json::as_f64);
    let func = field
        .property
        .get("rollupFunction")
        .and_then(Json::as_str)
        .unwrap_or("VALUES");
    let out = match func {
        "SUM" => num(nums().sum::<f64>()),
        "AVERAGE" => {
            let n = nums().count();
            if n == 0 {
                json!(0)
            } else {
                num(nums().sum::<f64>() / n as f64)
            }
        }
        "MIN" => num(nums().fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))?),
        "MAX" => num(nums().fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))?),
        "COUNT" => json!(nums().count()),
        "COUNTA" => json!(values.iter().filter(|v| truthy(v)).count()),
        "COUNTALL" => json!(linked),
        "AND" => json!(!values.is_empty() && values.iter().all(truthy)),
        "OR" => json!(values.iter().any(truthy)),
        "XOR" => json!(values.iter().filter(|v| truthy(v)).count() % 2 == 1),
        "CONCATENATE" => json!(values.iter().map(super::plain_string).collect::<String>()),
        "ARRAYJOIN" => json!(
            values
                .iter()
                .map(super::plain_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "ARRAYUNIQUE" => {
            let mut u: Vec<Json> = Vec::new();
            for v in values {
                if !u.contains(&v) {
                    u.push(v);
                }
            }
            Json::Array(u)
        }
        "ARRAYCOMPACT" => Json::Array(values.into_iter().filter(truthy).collect()),
        _ => Json::Array(values),
    };
    match &out {
        Json::Array(a) if a.is_empty() => None,
        _ => Some(out),
    }
}

/// A JSON number, integral values without a fraction (as JavaScript prints them).
fn num(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

/// The string form of a lookup value.
pub(super) fn lookup_string(_env: &ReadEnv<'_>, _property: &Json, v: &Json) -> String {
    super::plain_string(v)
}

fn value_type(func: &str) -> &'static str {
    match func {
        "VALUES" | "ARRAYUNIQUE" | "ARRAYCOMPACT" => "Array",
        "AND" | "OR" | "XOR" => "Boolean",
        "CONCATENATE" | "ARRAYJOIN" => "String",
        _ => "Number",
    }
}

/// GET shape of a lookup property.
pub(super) fn lookup_property(env: &ReadEnv<'_>, ds: &Datasheet, field: &Field) -> Json {
    let mut out = field.property.clone();
    let func = prop_str(field, "rollupFunction").to_string();
    let func = if func.is_empty() {
        "VALUES".to_string()
    } else {
        func
    };
    out["rollupFunction"] = json!(func);
    let entity = ds
        .field(prop_str(field, "relatedLinkFieldId"))
        .and_then(|l| l.property.get("foreignDatasheetId")?.as_str())
        .and_then(|f| env.state.datasheets.get(f))
        .and_then(|f| f.field(prop_str(field, "targetFieldId")).map(|t| (f, t)));
    match entity {
        Some((fds, target)) => {
            out["valueType"] = json!(value_type(&func));
            let mut tf = json!({
                "id": target.id,
                "name": target.name,
                "type": target.ftype.api_name(),
                "editable": super::editable(target),
            });
            if let Some(p) = super::api_property(env, fds, target) {
                tf["property"] = p;
            }
            out["entityField"] = json!({"datasheetId": fds.id, "field": tf});
        }
        None => out["hasError"] = json!(true),
    }
    out
}

/// Validates a lookup's create property against the link and target fields.
pub(super) fn create_lookup_property(
    o: &Map<String, Json>,
    env: &CreateEnv<'_>,
) -> Result<Json, ApiError> {
    let link_id = match o.get("relatedLinkFieldId") {
        Some(Json::String(s)) => s.clone(),
        None => return Err(tips::validate("\"relatedLinkFieldId\" is required")),
        Some(_) => return Err(tips::validate("\"relatedLinkFieldId\" must be a string")),
    };
    let target_id = match o.get("targetFieldId") {
        Some(Json::String(s)) => s.clone(),
        None => return Err(tips::validate("\"targetFieldId\" is required")),
        Some(_) => return Err(tips::validate("\"targetFieldId\" must be a string")),
    };
    let Some(link) = env.ds.field(&link_id) else {
        return Err(ApiError::bad(format!(
            "The link field ID \"{link_id}\" associated with the lookup field does not exist."
        )));
    };
    if !link.ftype.is_link() {
        return Err(ApiError::bad(format!(
            "The field ID \"{link_id}\" associated with the lookup field is not a link field."
        )));
    }
    let foreign_id = link
        .property
        .get("foreignDatasheetId")
        .and_then(Json::as_str)
        .unwrap_or("");
    let foreign = if foreign_id == env.ds.id {
        Some(env.ds)
    } else {
        env.state.datasheets.get(foreign_id)
    };
    if foreign.and_then(|f| f.field(&target_id)).is_none() {
        return Err(ApiError::bad(format!(
            "The field ID \"{target_id}\" referenced by the lookup field does not exist."
        )));
    }
    let func = match o.get("rollupFunction") {
        None | Some(Json::Null) => "VALUES".to_string(),
        Some(Json::String(s)) if ROLLUPS.contains(&s.as_str()) => s.clone(),
        Some(_) => return Err(tips::invalid_value("rollupFunction")),
    };
    let mut out = json!({
        "relatedLinkFieldId": link_id,
        "targetFieldId": target_id,
        "rollupFunction": func,
    });
    for k in [
        "enableFilterSort",
        "filterInfo",
        "sortInfo",
        "lookUpLimit",
        "format",
    ] {
        if let Some(v) = o.get(k) {
            out[k] = v.clone();
        }
    }
    Ok(out)
}
