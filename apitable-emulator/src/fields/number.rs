//! Number, Currency, Percent, Rating and Checkbox.

use serde_json::{Map, Value as Json, json};

use super::FieldType;
use crate::envelope::{ApiError, tips};
use crate::store::model::Field;

/// Number kinds: JSON numbers only.
pub(super) fn write_number(
    field: &Field,
    value: &Json,
    label: &str,
) -> Result<Option<Json>, ApiError> {
    match value {
        Json::Null => Ok(None),
        Json::Number(_) => Ok(Some(value.clone())),
        _ => {
            let kind = match field.ftype {
                FieldType::Currency => "Currency",
                FieldType::Percent => "Percent",
                _ => "Number",
            };
            Err(ApiError::bad(format!(
                "field:{label} {kind} field value must be a number"
            )))
        }
    }
}

/// Rating: 0 ≤ v ≤ max.
pub(super) fn write_rating(
    field: &Field,
    value: &Json,
    label: &str,
) -> Result<Option<Json>, ApiError> {
    let n = match value {
        Json::Null => return Ok(None),
        Json::Number(n) => n.as_f64().unwrap_or(0.0),
        _ => {
            return Err(ApiError::bad(format!(
                "field:{label} Rating field value must be a number"
            )));
        }
    };
    let max = field
        .property
        .get("max")
        .and_then(Json::as_f64)
        .unwrap_or(5.0);
    if n > max {
        return Err(ApiError::bad(
            "Rating field value can't be greater than 5 (only supports 0, 1, 2, 3, 4, or 5)",
        ));
    }
    if n < 0.0 {
        return Err(ApiError::bad(
            "Rating field value can't be smaller than 0 (only supports 0, 1, 2, 3, 4, or 5)",
        ));
    }
    Ok(Some(value.clone()))
}

/// Checkbox: booleans only; `false` clears.
pub(super) fn write_checkbox(value: &Json, label: &str) -> Result<Option<Json>, ApiError> {
    match value {
        Json::Null | Json::Bool(false) => Ok(None),
        Json::Bool(true) => Ok(Some(Json::Bool(true))),
        _ => Err(ApiError::bad(format!(
            "field:{label} Checkbox field value must be boolean"
        ))),
    }
}

/// `value` with `precision` decimals, as JavaScript's `toFixed`.
pub(crate) fn to_fixed(value: f64, precision: usize) -> String {
    let s = format!("{value:.precision$}");
    if s == "-0" || s.starts_with("-0.") && s[3..].bytes().all(|b| b == b'0') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Inserts `,` thousands separators into a plain decimal string.
pub(crate) fn thousands(s: &str, sep: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    format!("{sign}{out}{frac}")
}

fn precision_of(property: &Json, default: usize) -> usize {
    property
        .get("precision")
        .and_then(|p| {
            p.as_u64()
                .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
        })
        .map(|p| p.min(20) as usize)
        .unwrap_or(default)
}

/// The `cellFormat=string` rendering.
pub(super) fn to_string(t: FieldType, property: &Json, v: f64) -> String {
    match t {
        FieldType::Rating | FieldType::AutoNumber => format!("{v}"),
        FieldType::Percent => format!("{}%", to_fixed(v * 100.0, precision_of(property, 0))),
        FieldType::Currency => {
            let symbol = property.get("symbol").and_then(Json::as_str).unwrap_or("$");
            let num = thousands(&to_fixed(v, precision_of(property, 2)), ",");
            match property.get("symbolAlign").and_then(Json::as_str) {
                Some("Right") => format!("{num}{symbol}"),
                _ => format!("{symbol}{num}"),
            }
        }
        _ => {
            let num = to_fixed(v, precision_of(property, 0));
            let symbol = property.get("symbol").and_then(Json::as_str).unwrap_or("");
            match property.get("commaStyle").and_then(Json::as_str) {
                Some(c) if !c.is_empty() => {
                    let sep = if c == "thousand" { "," } else { c };
                    let num = thousands(&num, sep);
                    match property.get("symbolAlign").and_then(Json::as_str) {
                        Some("Left") => format!("{symbol}{num}"),
                        _ => format!("{num}{symbol}"),
                    }
                }
                _ => format!("{num}{symbol}"),
            }
        }
    }
}

fn precision_arg(o: &Map<String, Json>, required: bool, max: u64) -> Result<Option<u64>, ApiError> {
    match o.get("precision") {
        None | Some(Json::Null) if required => Err(tips::validate("\"precision\" is required")),
        None | Some(Json::Null) => Ok(None),
        Some(p) => {
            let n = p
                .as_f64()
                .or_else(|| p.as_str().and_then(|s| s.trim().parse::<f64>().ok()));
            match n {
                Some(n) if n >= 0.0 && n <= max as f64 && n.fract() == 0.0 => Ok(Some(n as u64)),
                Some(n) if n > max as f64 => Err(tips::validate(format!(
                    "\"precision\" must be less than or equal to {max}"
                ))),
                _ => Err(tips::validate("\"precision\" must be a number")),
            }
        }
    }
}

fn opt_string(o: &Map<String, Json>, key: &str) -> Result<Option<String>, ApiError> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(tips::validate(format!("\"{key}\" must be a string"))),
    }
}

/// Emoji slugs accepted for Rating and Checkbox icons, with their native characters.
const EMOJI: &[(&str, &str)] = &[
    ("white_check_mark", "✅"),
    ("star", "⭐"),
    ("heart", "❤️"),
    ("+1", "👍"),
    ("thumbsup", "👍"),
    ("fire", "🔥"),
    ("smile", "😄"),
    ("heavy_check_mark", "✔️"),
    ("ballot_box_with_check", "☑️"),
    ("moneybag", "💰"),
    ("rocket", "🚀"),
    ("tada", "🎉"),
    ("100", "💯"),
    ("trophy", "🏆"),
    ("bulb", "💡"),
];

fn icon_arg(o: &Map<String, Json>, default: Option<&str>) -> Result<String, ApiError> {
    let slug = match o.get("icon") {
        Some(Json::String(s)) => s.clone(),
        None | Some(Json::Null) => match default {
            Some(d) => d.to_string(),
            None => return Err(tips::validate("\"icon\" is required")),
        },
        Some(_) => return Err(tips::validate("\"icon\" must be a string")),
    };
    EMOJI
        .iter()
        .find(|(s, n)| *s == slug || *n == slug)
        .map(|(_, n)| n.to_string())
        .ok_or_else(|| tips::validate(format!("\"icon\" {slug} is not a valid emoji")))
}

/// Create-shape → GET shape for the number kinds and Checkbox.
pub(super) fn create_property(t: FieldType, o: &Map<String, Json>) -> Result<Json, ApiError> {
    match t {
        FieldType::Number => {
            let precision = precision_arg(o, true, 1000)?.unwrap_or(0);
            let mut out = json!({"precision": precision});
            if let Some(d) = opt_string(o, "defaultValue")? {
                out["defaultValue"] = json!(d);
            }
            if let Some(s) = opt_string(o, "symbol")? {
                out["symbol"] = json!(s);
            }
            if let Some(s) = opt_string(o, "commaStyle")? {
                out["commaStyle"] = json!(s);
            }
            Ok(out)
        }
        FieldType::Currency => {
            let precision = match precision_arg(o, false, 10)? {
                Some(0) | None => 2,
                Some(p) => p,
            };
            let symbol = opt_string(o, "symbol")?
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "$".into());
            let align = match opt_string(o, "symbolAlign")?.as_deref() {
                None | Some("Default") => "Default",
                Some("Left") => "Left",
                Some("Right") => "Right",
                Some(_) => {
                    return Err(tips::validate(
                        "\"symbolAlign\" must be one of [Default, Left, Right]",
                    ));
                }
            };
            let mut out = json!({"precision": precision, "symbol": symbol, "symbolAlign": align});
            if let Some(d) = opt_string(o, "defaultValue")? {
                out["defaultValue"] = json!(d);
            }
            Ok(out)
        }
        FieldType::Percent => {
            let precision = precision_arg(o, true, 10)?.unwrap_or(0);
            let mut out = json!({"precision": precision});
            if let Some(d) = opt_string(o, "defaultValue")? {
                out["defaultValue"] = json!(d);
            }
            Ok(out)
        }
        FieldType::Rating => {
            let icon = icon_arg(o, None)?;
            let max = match o.get("max") {
                Some(m) => match m.as_f64() {
                    Some(n) if (1.0..=10.0).contains(&n) && n.fract() == 0.0 => n as u64,
                    _ => {
                        return Err(tips::validate(
                            "\"max\" must be an integer between 1 and 10",
                        ));
                    }
                },
                None => return Err(tips::validate("\"max\" is required")),
            };
            Ok(json!({"icon": icon, "max": max}))
        }
        _ => Ok(json!({"icon": icon_arg(o, Some("white_check_mark"))?})),
    }
}
