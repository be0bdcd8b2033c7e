//! Cells between the API's JSON, CSV text and what a write sends.
//!
//! CSV: a cell whose JSON value is a string is written as that string; any other value
//! (numbers, checkboxes, dates as epoch milliseconds, lists, objects) as compact JSON text;
//! an empty cell as an empty CSV field. Reading CSV back, the target field's type decides:
//! text-like fields take the text as it is, every other field parses it as JSON.

use apitable_schema::{FieldSchema, FieldType};
use serde_json::{Map, Value, json};

/// Whether a field's cells are plain strings in JSON (so CSV text is taken as it is).
pub(crate) fn is_text_like(field: &FieldSchema) -> bool {
    matches!(
        field.field_type,
        FieldType::Text
            | FieldType::SingleText
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Cascader
            | FieldType::SingleSelect
    )
}

/// A cell as CSV text (see the module docs).
pub(crate) fn to_csv(cell: Option<&Value>) -> String {
    match cell {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A CSV field read back as a JSON cell for `field`; `None` when empty.
pub(crate) fn from_csv(field: &FieldSchema, text: &str) -> Result<Option<Value>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if is_text_like(field) {
        return Ok(Some(Value::String(text.to_owned())));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(Some(v)),
        // A URL or a date may be written as plain text; the server accepts both.
        Err(_) if matches!(field.field_type, FieldType::Url | FieldType::DateTime) => {
            Ok(Some(Value::String(text.to_owned())))
        }
        Err(_) => Err(format!(
            "{text:?} is not JSON, which a {} cell is written as in CSV",
            field.field_type
        )),
    }
}

/// Whether a cell would leave the record without a value: the server stores `null`, `""`,
/// `false` and `[]` as an empty cell.
fn is_empty(cell: &Value) -> bool {
    match cell {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A cell as a write sends it, from what a read (or a file) holds; `None` when empty.
///
/// Reads return fuller objects than writes take: attachments are written as
/// `{token, name}`, members by their unit `id`, URLs as `{text, title}`.
pub(crate) fn to_write(field: &FieldSchema, cell: &Value) -> Result<Option<Value>, String> {
    if is_empty(cell) {
        return Ok(None);
    }
    let t = &field.field_type;
    let wrong = |what: &str| Err(format!("a {t} cell must be {what}, found {cell}"));
    Ok(Some(match t {
        FieldType::Text
        | FieldType::SingleText
        | FieldType::Email
        | FieldType::Phone
        | FieldType::Cascader
        | FieldType::SingleSelect => match cell {
            Value::String(_) => cell.clone(),
            _ => return wrong("a string"),
        },
        FieldType::Number | FieldType::Currency | FieldType::Percent | FieldType::Rating => {
            match cell {
                Value::Number(_) => cell.clone(),
                Value::String(s) => match s.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() => json!(n),
                    _ => return wrong("a number"),
                },
                _ => return wrong("a number"),
            }
        }
        FieldType::Checkbox => match cell {
            Value::Bool(true) => Value::Bool(true),
            Value::Number(n) if n.as_f64() == Some(1.0) => Value::Bool(true),
            Value::Number(n) if n.as_f64() == Some(0.0) => return Ok(None),
            Value::String(s) if s == "1" || s == "true" => Value::Bool(true),
            Value::String(s) if s == "0" || s == "false" => return Ok(None),
            _ => return wrong("true or false"),
        },
        FieldType::DateTime => match cell {
            Value::Number(_) | Value::String(_) => cell.clone(),
            _ => return wrong("epoch milliseconds"),
        },
        FieldType::MultiSelect | FieldType::OneWayLink | FieldType::TwoWayLink => match cell {
            Value::Array(items) if items.iter().all(Value::is_string) => cell.clone(),
            Value::String(s) => json!([s]),
            _ => return wrong("a list of strings"),
        },
        FieldType::Url => match cell {
            Value::String(s) => json!({ "text": s }),
            Value::Object(o) => match o.get("text") {
                Some(Value::String(text)) => {
                    let mut out = Map::new();
                    out.insert("text".into(), json!(text));
                    if let Some(Value::String(title)) = o.get("title")
                        && !title.is_empty()
                    {
                        out.insert("title".into(), json!(title));
                    }
                    Value::Object(out)
                }
                _ => return wrong("an object with a \"text\""),
            },
            _ => return wrong("a URL"),
        },
        FieldType::Attachment => match cell {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match (item.get("token"), item.get("name")) {
                        (Some(Value::String(token)), Some(Value::String(name))) => {
                            out.push(json!({ "token": token, "name": name }));
                        }
                        _ => return wrong("a list of {token, name} objects"),
                    }
                }
                Value::Array(out)
            }
            _ => return wrong("a list of attachments"),
        },
        FieldType::Member => match cell {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(match item.get("id") {
                        Some(Value::String(id)) => json!({ "id": id }),
                        _ if item.is_object() => item.clone(),
                        _ => return wrong("a list of member objects"),
                    });
                }
                Value::Array(out)
            }
            _ => return wrong("a list of members"),
        },
        _ => cell.clone(),
    }))
}

/// Whether two cells in write form hold the same value: numbers compare numerically, a URL
/// without a title equals one whose title is its text (the server fills it in that way).
pub(crate) fn same(field: &FieldSchema, a: &Value, b: &Value) -> bool {
    if field.field_type == FieldType::Url {
        return url_parts(a) == url_parts(b);
    }
    same_json(a, b)
}

fn url_parts(v: &Value) -> Option<(&str, &str)> {
    let text = v.get("text")?.as_str()?;
    let title = v
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or(text);
    Some((text, title))
}

fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// The text that identifies a key cell (in write form), for matching input rows to records:
/// numbers in one canonical spelling, URLs by their text.
pub(crate) fn key_text(field: &FieldSchema, cell: &Value) -> Option<String> {
    match cell {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()).map(|f| {
            if f == 0.0 {
                "0".to_owned()
            } else {
                f.to_string()
            }
        }),
        Value::Object(_) if field.field_type == FieldType::Url => {
            url_parts(cell).map(|(text, _)| text.to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(t: FieldType) -> FieldSchema {
        FieldSchema::new("fldA", "A", t)
    }

    #[test]
    fn csv_cells_round_trip_by_field_type() {
        let cases = [
            (FieldType::SingleText, json!("[1, 2] looks like JSON")),
            (FieldType::Number, json!(6.5)),
            (FieldType::Checkbox, json!(true)),
            (FieldType::DateTime, json!(1_704_067_200_000_i64)),
            (FieldType::MultiSelect, json!(["a", "b, c"])),
            (
                FieldType::Url,
                json!({"text": "https://e.com", "title": "E", "favicon": ""}),
            ),
        ];
        for (t, cell) in cases {
            let f = field(t.clone());
            let text = to_csv(Some(&cell));
            assert_eq!(from_csv(&f, &text).unwrap(), Some(cell), "{t}");
        }
        assert_eq!(from_csv(&field(FieldType::Number), "").unwrap(), None);
        assert!(from_csv(&field(FieldType::Number), "six").is_err());
        assert_eq!(
            from_csv(&field(FieldType::Url), "https://e.com").unwrap(),
            Some(json!("https://e.com"))
        );
    }

    #[test]
    fn read_cells_become_write_cells() {
        let att = json!([{"id": "atc1", "name": "a.txt", "token": "t/1", "size": 3, "url": "u"}]);
        assert_eq!(
            to_write(&field(FieldType::Attachment), &att).unwrap(),
            Some(json!([{"token": "t/1", "name": "a.txt"}]))
        );
        let member = json!([{"id": "123", "unitId": "u1", "type": "Member", "name": "Ana"}]);
        assert_eq!(
            to_write(&field(FieldType::Member), &member).unwrap(),
            Some(json!([{"id": "123"}]))
        );
        assert_eq!(
            to_write(&field(FieldType::Checkbox), &json!(false)).unwrap(),
            None
        );
        assert_eq!(to_write(&field(FieldType::Text), &json!("")).unwrap(), None);
        assert!(to_write(&field(FieldType::Text), &json!(3)).is_err());
        assert!(to_write(&field(FieldType::Number), &json!("x")).is_err());
    }

    #[test]
    fn comparisons_follow_the_stored_form() {
        let url = field(FieldType::Url);
        assert!(same(
            &url,
            &json!({"text": "https://e.com"}),
            &json!({"text": "https://e.com", "title": "https://e.com"})
        ));
        assert!(!same(
            &url,
            &json!({"text": "https://e.com", "title": "Other"}),
            &json!({"text": "https://e.com"})
        ));
        let n = field(FieldType::Number);
        assert!(same(&n, &json!(6), &json!(6.0)));
        assert!(!same(&n, &json!(6), &json!(6.5)));
        assert_eq!(key_text(&n, &json!(6.0)), key_text(&n, &json!(6)));
        assert_eq!(key_text(&n, &json!(-0.0)).as_deref(), Some("0"));
        assert_eq!(key_text(&field(FieldType::Text), &json!("")), None);
    }
}
