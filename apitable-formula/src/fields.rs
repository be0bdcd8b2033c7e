//! Field types as the formula engine sees them: their static value type, how a cell is read
//! into a [`Value`], and their display strings.

use serde_json::Value as Json;

use crate::FieldDef;
use crate::budget::Budget;
use crate::value::{Value, number_to_string};

/// The static ("basic") value type of a node or field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VType {
    /// Number
    Number,
    /// String
    String,
    /// Boolean
    Boolean,
    /// DateTime (epoch ms)
    DateTime,
    /// Array
    Array,
}

impl VType {
    pub(crate) fn bit(self) -> u8 {
        match self {
            VType::Number => 1,
            VType::String => 2,
            VType::Boolean => 4,
            VType::DateTime => 8,
            VType::Array => 16,
        }
    }
}

/// How a cell of this field is read and displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Url,
    NamedObject,
    Number,
    Currency,
    Percent,
    Checkbox,
    DateTime,
    ArrayOf,
    Attachment,
    Lookup,
    Formula,
}

/// A field referenced by a formula, resolved at parse time.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedField {
    pub id: String,
    pub kind: Kind,
    pub vtype: VType,
    pub inner: VType,
    pub precision: Option<i32>,
    pub symbol: Option<String>,
    pub date_format: String,
}

fn type_of_api_name(t: &str) -> (Kind, VType) {
    match t {
        "Text" | "SingleText" | "Email" | "Phone" | "Cascader" | "SingleSelect" => {
            (Kind::Text, VType::String)
        }
        "URL" => (Kind::Url, VType::String),
        "CreatedBy" | "LastModifiedBy" => (Kind::NamedObject, VType::String),
        "Number" | "Rating" | "AutoNumber" => (Kind::Number, VType::Number),
        "Currency" => (Kind::Currency, VType::Number),
        "Percent" => (Kind::Percent, VType::Number),
        "Checkbox" => (Kind::Checkbox, VType::Boolean),
        "DateTime" | "CreatedTime" | "LastModifiedTime" => (Kind::DateTime, VType::DateTime),
        "MultiSelect" | "Member" | "TwoWayLink" | "OneWayLink" | "Link" | "MagicLink"
        | "WorkDoc" | "Button" => (Kind::ArrayOf, VType::Array),
        "Attachment" => (Kind::Attachment, VType::Array),
        "MagicLookUp" | "LookUp" => (Kind::Lookup, VType::Array),
        "Formula" => (Kind::Formula, VType::String),
        _ => (Kind::Text, VType::String),
    }
}

fn vtype_of_name(s: &str) -> Option<VType> {
    Some(match s {
        "Number" => VType::Number,
        "String" => VType::String,
        "Boolean" => VType::Boolean,
        "DateTime" => VType::DateTime,
        "Array" => VType::Array,
        _ => return None,
    })
}

impl ResolvedField {
    pub(crate) fn new(def: &FieldDef) -> ResolvedField {
        let (kind, mut vtype) = type_of_api_name(&def.field_type);
        let p = &def.property;
        let mut inner = VType::String;
        let mut format_src = p;
        match kind {
            Kind::Formula => {
                vtype = p
                    .get("valueType")
                    .and_then(Json::as_str)
                    .and_then(vtype_of_name)
                    .unwrap_or(VType::String);
                if let Some(f) = p.get("format").and_then(|f| f.get("format")) {
                    format_src = f;
                }
            }
            Kind::Lookup => {
                let target = p
                    .get("entityField")
                    .and_then(|e| e.get("field"))
                    .and_then(|f| f.get("type"))
                    .and_then(Json::as_str)
                    .map(|t| type_of_api_name(t).1);
                inner = match target {
                    Some(VType::Number) => VType::Number,
                    Some(VType::DateTime) => VType::DateTime,
                    Some(VType::Boolean) => VType::Boolean,
                    _ => VType::String,
                };
                vtype = p
                    .get("valueType")
                    .and_then(Json::as_str)
                    .and_then(vtype_of_name)
                    .unwrap_or(VType::Array);
                if let Some(f) = p.get("format").and_then(|f| f.get("format")) {
                    format_src = f;
                }
            }
            _ => {}
        }
        let precision = format_src
            .get("precision")
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .map(|v| v as i32);
        let symbol = format_src
            .get("symbol")
            .and_then(Json::as_str)
            .map(str::to_string);
        let date_format = date_format_of(format_src);
        ResolvedField {
            id: def.id.clone(),
            kind,
            vtype,
            inner,
            precision,
            symbol,
            date_format,
        }
    }

    /// Reads a cell the way the server's resolver does (`""`, `[]`, `false` are blank).
    pub(crate) fn read(&self, cell: Option<&Json>) -> Value {
        let cell = match cell {
            None | Some(Json::Null) | Some(Json::Bool(false)) => None,
            Some(Json::String(s)) if s.is_empty() => None,
            Some(Json::Array(a)) if a.is_empty() => None,
            Some(c) => Some(c),
        };
        match self.vtype {
            VType::Boolean => Value::Bool(cell.is_some_and(json_truthy)),
            VType::String => match cell {
                None => Value::Null,
                Some(c) => match self.kind {
                    Kind::Url => Value::String(
                        c.get("text")
                            .and_then(Json::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| json_text(c)),
                    ),
                    _ => Value::String(json_text(c)),
                },
            },
            VType::Number | VType::DateTime => match cell {
                None => Value::Null,
                Some(Json::Number(n)) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
                Some(c) => json_scalar(c),
            },
            VType::Array => match cell {
                None => Value::Null,
                Some(Json::Array(items)) => {
                    let mut out = Vec::with_capacity(items.len());
                    for it in items {
                        self.push_element(it, &mut out);
                    }
                    Value::Array(out)
                }
                Some(c) => {
                    let mut out = Vec::new();
                    self.push_element(c, &mut out);
                    Value::Array(out)
                }
            },
        }
    }

    fn push_element(&self, it: &Json, out: &mut Vec<Value>) {
        match it {
            Json::Array(inner) => {
                for i in inner {
                    self.push_element(i, out);
                }
            }
            Json::Object(_) if self.kind == Kind::Attachment => {
                let name = it.get("name").and_then(Json::as_str).unwrap_or("");
                let url = it.get("url").and_then(Json::as_str).unwrap_or("");
                out.push(Value::String(format!("{name} ({url})")));
            }
            Json::Object(_) => out.push(Value::String(json_text(it))),
            other => out.push(json_scalar(other)),
        }
    }

    /// The field's display string of `v` (`cellValueToString`), used when a function does not
    /// accept the field's type.
    /// Every string it builds is granted by `budget` first.
    pub(crate) fn display(
        &self,
        v: &Value,
        ctx_offset_min: i32,
        budget: &Budget,
    ) -> Result<Value, String> {
        Ok(match v {
            Value::Null => Value::Null,
            Value::Array(items) => {
                budget.steps(items.len() as u64)?;
                let parts: Vec<String> = items
                    .iter()
                    .filter(|x| !x.is_null())
                    .map(|x| self.display_scalar(x, ctx_offset_min, budget))
                    .collect::<Result<_, _>>()?;
                if parts.is_empty() {
                    Value::Null
                } else {
                    let n: usize = parts.iter().map(String::len).sum();
                    budget.bytes((n + 2 * (parts.len() - 1)) as u64)?;
                    Value::String(parts.join(", "))
                }
            }
            v => Value::String(self.display_scalar(v, ctx_offset_min, budget)?),
        })
    }

    fn display_scalar(&self, v: &Value, off: i32, budget: &Budget) -> Result<String, String> {
        let is_date = self.vtype == VType::DateTime
            || (self.vtype == VType::Array && self.inner == VType::DateTime);
        let is_num = self.vtype == VType::Number
            || (self.vtype == VType::Array && self.inner == VType::Number);
        // Numbers print a few dozen bytes at most; dates at most what their format allows.
        if is_date && matches!(v, Value::Number(_) | Value::String(_)) {
            let pattern = self.date_format.len() as u64;
            budget.bytes(crate::format::FORMAT_BYTES_PER_PATTERN_BYTE * pattern)?;
        } else if is_num && matches!(v, Value::Number(_)) {
            budget.bytes(64)?;
        }
        Ok(match v {
            Value::Number(n) if is_date => {
                crate::format::format_ms(*n, &self.date_format, off).unwrap_or_else(|| "".into())
            }
            Value::String(s) if is_date => match crate::date::parse_date_value(s, off) {
                Some(ms) => {
                    crate::format::format_ms(ms, &self.date_format, off).unwrap_or_default()
                }
                None => {
                    budget.bytes(s.len() as u64)?;
                    s.clone()
                }
            },
            Value::Number(n) if is_num => self.format_number(*n),
            v => v.js_string(budget)?,
        })
    }

    fn format_number(&self, n: f64) -> String {
        match self.kind {
            Kind::Percent => {
                let p = self.precision.unwrap_or(0);
                format!("{}%", to_fixed(crate::value::times_f(n, 100.0), p))
            }
            Kind::Currency => {
                let p = self.precision.unwrap_or(2);
                let sym = self.symbol.clone().unwrap_or_else(|| "$".into());
                format!("{sym}{}", group_thousands(&to_fixed(n, p)))
            }
            _ => match self.precision {
                Some(p) => to_fixed(n, p),
                None => number_to_string(n),
            },
        }
    }
}

fn date_format_of(p: &Json) -> String {
    if let Some(f) = p.get("format").and_then(Json::as_str) {
        return f.to_string();
    }
    let date = p
        .get("dateFormat")
        .and_then(Json::as_str)
        .unwrap_or("YYYY/MM/DD");
    let include_time = p
        .get("includeTime")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    if include_time {
        let time = p
            .get("timeFormat")
            .and_then(Json::as_str)
            .unwrap_or("HH:mm");
        format!("{date} {time}")
    } else {
        date.to_string()
    }
}

fn json_truthy(j: &Json) -> bool {
    match j {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Json::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn json_scalar(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => Value::String(s.clone()),
        other => Value::String(json_text(other)),
    }
}

/// The text of a cell: strings as they are, text segments concatenated, named objects by name.
fn json_text(j: &Json) -> String {
    match j {
        Json::String(s) => s.clone(),
        Json::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join(""),
        Json::Object(m) => ["name", "text", "title", "value"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Json::as_str))
            .unwrap_or("")
            .to_string(),
        Json::Number(n) => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Json::Bool(b) => b.to_string(),
        Json::Null => String::new(),
    }
}

/// The server's `toFixed` (half-up on the absolute value).
pub(crate) fn to_fixed(value: f64, precision: i32) -> String {
    if value.is_nan() {
        return "0".into();
    }
    let p = precision.clamp(0, 20);
    let that = value.abs();
    let scaled = that * 10f64.powi(p) + 0.5;
    let truncated = crate::value::parse_int_of(&number_to_string(scaled));
    let mut s = number_to_string(truncated / 10f64.powi(p));
    match s.find('.') {
        None if p > 0 => {
            s.push('.');
            s.push_str(&"0".repeat(p as usize));
        }
        None => {}
        Some(idx) => {
            let missing = p as i64 - (s.len() as i64 - idx as i64 - 1);
            if missing > 0 {
                s.push_str(&"0".repeat(missing as usize));
            }
        }
    }
    if value < 0.0 { format!("-{s}") } else { s }
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}
