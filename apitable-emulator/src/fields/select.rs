//! SingleSelect and MultiSelect: cells hold option names; unknown names create options.

use std::cmp::Ordering;

use serde_json::{Map, Value as Json, json};

use super::FieldType;
use crate::envelope::{ApiError, tips};
use crate::ids;
use crate::store::model::Field;

const HUES: [(&str, (u8, u8, u8)); 10] = [
    ("deepPurple", (0x7B, 0x67, 0xEE)),
    ("indigo", (0x55, 0x86, 0xFF)),
    ("blue", (0x55, 0xCD, 0xFF)),
    ("teal", (0x30, 0xC2, 0x8B)),
    ("green", (0x52, 0xC4, 0x1B)),
    ("yellow", (0xFF, 0xD4, 0x3A)),
    ("orange", (0xFF, 0xAB, 0x00)),
    ("tangerine", (0xFF, 0x7A, 0x00)),
    ("pink", (0xFF, 0x70, 0x8B)),
    ("red", (0xE3, 0x3E, 0x38)),
];
const ALPHAS: [f64; 8] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0];

/// The `{name, value}` object of colour number `n`.
pub(crate) fn color(n: u64) -> Json {
    let (hue, (r, g, b)) = HUES[(n % 10) as usize];
    let level = ((n / 10) as usize).min(7);
    let a = ALPHAS[level];
    let blend = |c: u8| ((c as f64) * a + 255.0 * (1.0 - a)).round() as u8;
    json!({
        "name": format!("{hue}_{level}"),
        "value": format!("#{:02X}{:02X}{:02X}", blend(r), blend(g), blend(b)),
    })
}

fn color_number(c: &Json) -> Option<u64> {
    let name = c.get("name")?.as_str()?;
    let (hue, level) = name.split_once('_')?;
    let h = HUES.iter().position(|(n, _)| *n == hue)? as u64;
    Some(h + level.parse::<u64>().ok()? * 10)
}

fn options(field: &Field) -> Vec<Json> {
    field
        .property
        .get("options")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The option named `name`, created with the next free colour if it does not exist.
fn get_or_create(field: &mut Field, name: &str) -> String {
    let mut opts = options(field);
    if opts
        .iter()
        .any(|o| o.get("name").and_then(Json::as_str) == Some(name))
    {
        return name.to_string();
    }
    let used: Vec<u64> = opts
        .iter()
        .filter_map(|o| o.get("color").and_then(color_number))
        .collect();
    let n = (0..80u64)
        .find(|c| !used.contains(c))
        .unwrap_or(opts.len() as u64 % 80);
    opts.push(json!({"id": ids::option(), "name": name, "color": color(n)}));
    if !field.property.is_object() {
        field.property = json!({});
    }
    field.property["options"] = Json::Array(opts);
    name.to_string()
}

/// Select writes.
pub(super) fn write(
    field: &mut Field,
    value: &Json,
    label: &str,
) -> Result<Option<Json>, ApiError> {
    let single = field.ftype == FieldType::SingleSelect;
    if single {
        match value {
            Json::Null => return Ok(None),
            Json::String(s) if s.is_empty() => return Ok(None),
            Json::String(s) => return Ok(Some(Json::String(get_or_create(field, s)))),
            _ => {
                return Err(ApiError::bad(format!(
                    "field:{label} Single Select field value must be string"
                )));
            }
        }
    }
    let Some(arr) = super::array_cell(value, label, "Multiple Select")? else {
        return Ok(None);
    };
    if arr.iter().any(|v| !v.is_string()) {
        return Err(ApiError::bad(format!(
            "field:{label} Multiple Select field value must be string"
        )));
    }
    let mut names: Vec<Json> = Vec::new();
    for v in arr {
        let s = v.as_str().unwrap_or_default();
        if s.is_empty() {
            continue;
        }
        let n = Json::String(get_or_create(field, s));
        if !names.contains(&n) {
            names.push(n);
        }
    }
    if names.is_empty() {
        Ok(None)
    } else {
        Ok(Some(Json::Array(names)))
    }
}

/// The index of option `name` in `property.options` (for sorting by option order).
fn option_rank(property: &Json, name: &str) -> usize {
    property
        .get("options")
        .and_then(Json::as_array)
        .and_then(|o| {
            o.iter()
                .position(|x| x.get("name").and_then(Json::as_str) == Some(name))
        })
        .unwrap_or(usize::MAX)
}

/// Sort order: by option position, element by element.
pub(super) fn compare(property: &Json, x: &Json, y: &Json) -> Ordering {
    let ranks = |v: &Json| -> Vec<usize> {
        match v {
            Json::String(s) => vec![option_rank(property, s)],
            Json::Array(a) => a
                .iter()
                .filter_map(Json::as_str)
                .map(|s| option_rank(property, s))
                .collect(),
            _ => vec![],
        }
    };
    ranks(x).cmp(&ranks(y))
}

/// Create-shape → GET shape.
pub(super) fn create_property(t: FieldType, o: &Map<String, Json>) -> Result<Json, ApiError> {
    let given = match o.get("options") {
        Some(Json::Array(a)) => a.clone(),
        None => Vec::new(),
        Some(_) => return Err(tips::validate("\"options\" must be an array")),
    };
    let mut out: Vec<Json> = Vec::new();
    for (i, opt) in given.iter().enumerate() {
        let Some(obj) = opt.as_object() else {
            return Err(tips::validate(format!(
                "\"options[{i}]\" must be of type object"
            )));
        };
        let name = match obj.get("name") {
            Some(Json::String(s)) => s.clone(),
            None => return Err(tips::validate(format!("\"options[{i}].name\" is required"))),
            Some(_) => {
                return Err(tips::validate(format!(
                    "\"options[{i}].name\" must be a string"
                )));
            }
        };
        let color_n = match obj.get("color") {
            None | Some(Json::Null) => None,
            Some(c) => match c.as_u64() {
                Some(n) => Some(n),
                None => {
                    return Err(tips::validate(format!(
                        "\"options[{i}].color\" must be a number"
                    )));
                }
            },
        };
        let id = match obj.get("id") {
            None | Some(Json::Null) => ids::option(),
            Some(Json::String(s)) => {
                if color_n.is_none() {
                    return Err(tips::validate(format!(
                        "\"options[{i}].color\" is required"
                    )));
                }
                s.clone()
            }
            Some(_) => {
                return Err(tips::validate(format!(
                    "\"options[{i}].id\" must be a string"
                )));
            }
        };
        let n = color_n.unwrap_or(i as u64);
        out.push(json!({"id": id, "name": name, "color": color(n)}));
    }
    let mut prop = json!({"options": out});
    if let Some(d) = o.get("defaultValue") {
        let ok = match t {
            FieldType::SingleSelect => d.is_string(),
            _ => d.as_array().is_some_and(|a| a.iter().all(Json::is_string)),
        };
        if !ok {
            return Err(tips::validate("\"defaultValue\" is invalid"));
        }
        prop["defaultValue"] = d.clone();
    }
    Ok(prop)
}
