//! Text, SingleText, Email, Phone, Cascader and URL.

use serde_json::{Map, Value as Json, json};

use super::FieldType;
use crate::envelope::ApiError;
use crate::store::model::Field;

fn type_error(t: FieldType, label: &str) -> ApiError {
    let kind = match t {
        FieldType::Text => "Text field value must be string",
        FieldType::Email => "Email field value must be string",
        FieldType::Phone => "Phone field value must be string",
        // SingleText and Cascader share the base text message (sic: "Single Select").
        _ => "Single Select field value must be string",
    };
    ApiError::bad(format!("field:{label} {kind}"))
}

/// Text kinds: strings only; `""` clears.
pub(super) fn write(field: &Field, value: &Json, label: &str) -> Result<Option<Json>, ApiError> {
    match value {
        Json::Null => Ok(None),
        Json::String(s) if s.is_empty() => Ok(None),
        Json::String(s) => Ok(Some(Json::String(s.clone()))),
        _ => Err(type_error(field.ftype, label)),
    }
}

/// URL: a string, or an object with a non-empty `text`.
pub(super) fn write_url(field: &Field, value: &Json) -> Result<Option<Json>, ApiError> {
    match value {
        Json::Null => Ok(None),
        Json::Object(o) => {
            let text = o.get("text");
            if !truthy(text) {
                return Err(ApiError::bad(format!(
                    "{} must contain text keys",
                    field.name
                )));
            }
            let mut out = Map::new();
            out.insert(
                "text".into(),
                Json::String(super::plain_string(text.unwrap_or(&Json::Null))),
            );
            for k in ["title", "favicon"] {
                if let Some(Json::String(s)) = o.get(k) {
                    out.insert(k.into(), Json::String(s.clone()));
                }
            }
            Ok(Some(Json::Object(out)))
        }
        Json::String(s) if s.is_empty() => Ok(None),
        Json::String(s) => Ok(Some(json!({"text": s}))),
        _ => Err(ApiError::bad(format!(
            "field:{} URL field value must be string",
            field.name
        ))),
    }
}

/// JavaScript truthiness of an optional value.
pub(super) fn truthy(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(Json::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Json::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// The json read shape of a stored URL cell.
pub(super) fn url_json(stored: &Json) -> Json {
    let text = stored.get("text").and_then(Json::as_str).unwrap_or("");
    let title = stored
        .get("title")
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(text);
    let favicon = stored.get("favicon").and_then(Json::as_str).unwrap_or("");
    json!({"title": title, "text": text, "favicon": favicon})
}
