//! Field types: write validation and transformation, the two read shapes, and `property`.
//!
//! One module per family of types; this module dispatches on [`FieldType`].

mod attachment;
mod computed;
mod datetime;
mod formula;
mod link;
mod member;
mod number;
mod select;
mod text;

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::envelope::{ApiError, tips};
use crate::store::State;
use crate::store::model::{Datasheet, Field, Record};

pub(crate) use attachment::asset_url as attachment_url;
pub(crate) use datetime::civil_from_days as civil;
pub(crate) use formula::{Access, eval_ctx, field_defs};
pub(crate) use link::{LinkChange, ids_of as link_ids, link_cells_sync, linked_display};

/// The API field types, serialised with their GET names.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldType {
    Text,
    SingleText,
    Number,
    Currency,
    Percent,
    Rating,
    Checkbox,
    SingleSelect,
    MultiSelect,
    DateTime,
    Attachment,
    Member,
    #[serde(rename = "URL")]
    Url,
    Email,
    Phone,
    TwoWayLink,
    OneWayLink,
    MagicLookUp,
    Formula,
    AutoNumber,
    CreatedTime,
    LastModifiedTime,
    CreatedBy,
    LastModifiedBy,
    Cascader,
    WorkDoc,
    Button,
}

impl FieldType {
    /// The name GET `/fields` reports.
    pub fn api_name(self) -> &'static str {
        use FieldType::*;
        match self {
            Text => "Text",
            SingleText => "SingleText",
            Number => "Number",
            Currency => "Currency",
            Percent => "Percent",
            Rating => "Rating",
            Checkbox => "Checkbox",
            SingleSelect => "SingleSelect",
            MultiSelect => "MultiSelect",
            DateTime => "DateTime",
            Attachment => "Attachment",
            Member => "Member",
            Url => "URL",
            Email => "Email",
            Phone => "Phone",
            TwoWayLink => "TwoWayLink",
            OneWayLink => "OneWayLink",
            MagicLookUp => "MagicLookUp",
            Formula => "Formula",
            AutoNumber => "AutoNumber",
            CreatedTime => "CreatedTime",
            LastModifiedTime => "LastModifiedTime",
            CreatedBy => "CreatedBy",
            LastModifiedBy => "LastModifiedBy",
            Cascader => "Cascader",
            WorkDoc => "WorkDoc",
            Button => "Button",
        }
    }

    /// The type for a name accepted when creating a field (`MagicLink` is an alias).
    pub fn from_create_name(s: &str) -> Option<FieldType> {
        use FieldType::*;
        Some(match s {
            "Text" => Text,
            "SingleText" => SingleText,
            "Number" => Number,
            "Currency" => Currency,
            "Percent" => Percent,
            "Rating" => Rating,
            "Checkbox" => Checkbox,
            "SingleSelect" => SingleSelect,
            "MultiSelect" => MultiSelect,
            "DateTime" => DateTime,
            "Attachment" => Attachment,
            "Member" => Member,
            "URL" => Url,
            "Email" => Email,
            "Phone" => Phone,
            "TwoWayLink" | "MagicLink" => TwoWayLink,
            "OneWayLink" => OneWayLink,
            "MagicLookUp" => MagicLookUp,
            "Formula" => Formula,
            "AutoNumber" => AutoNumber,
            "CreatedTime" => CreatedTime,
            "LastModifiedTime" => LastModifiedTime,
            "CreatedBy" => CreatedBy,
            "LastModifiedBy" => LastModifiedBy,
            "Cascader" => Cascader,
            "WorkDoc" => WorkDoc,
            "Button" => Button,
            _ => return None,
        })
    }

    /// Whether the type may be the primary field.
    pub fn can_be_primary(self) -> bool {
        use FieldType::*;
        matches!(
            self,
            Text | SingleText
                | Number
                | Currency
                | Percent
                | DateTime
                | Url
                | Email
                | Phone
                | Formula
                | AutoNumber
        )
    }

    /// Whether cells are computed (never editable).
    pub fn is_computed(self) -> bool {
        use FieldType::*;
        matches!(
            self,
            MagicLookUp
                | Formula
                | AutoNumber
                | CreatedTime
                | LastModifiedTime
                | CreatedBy
                | LastModifiedBy
        )
    }

    /// Whether the type links records.
    pub fn is_link(self) -> bool {
        matches!(self, FieldType::TwoWayLink | FieldType::OneWayLink)
    }
}

/// What a cell write may consult.
pub(crate) struct WriteEnv<'a> {
    pub state: &'a State,
    pub space_id: &'a str,
    pub utc_offset_minutes: i32,
}

/// Validates `value` for `field` and turns it into the stored form (`None` = empty cell).
///
/// `label` is the key the client used (name or id), for `{field}` in messages. Select writes
/// may add options to `field`.
pub(crate) fn write_cell(
    field: &mut Field,
    value: &Json,
    label: &str,
    env: &WriteEnv<'_>,
) -> Result<Option<Json>, ApiError> {
    use FieldType::*;
    match field.ftype {
        Text | SingleText | Email | Phone | Cascader => text::write(field, value, label),
        Url => text::write_url(field, value),
        Number | Currency | Percent => number::write_number(field, value, label),
        Rating => number::write_rating(field, value, label),
        Checkbox => number::write_checkbox(value, label),
        SingleSelect | MultiSelect => select::write(field, value, label),
        DateTime => datetime::write(value, label, env),
        Attachment => attachment::write(value, env),
        Member => member::write(field, value, label, env),
        TwoWayLink | OneWayLink => link::write(field, value, label, env),
        MagicLookUp | Formula | AutoNumber | CreatedTime | LastModifiedTime | CreatedBy
        | LastModifiedBy | WorkDoc | Button => computed::write(field, value, label),
    }
}

/// What reads may consult, plus a per-request cache of parsed formulas.
pub(crate) struct ReadEnv<'a> {
    pub state: &'a State,
    pub base_url: &'a str,
    pub utc_offset_minutes: i32,
    /// "Now" for formulas, epoch ms.
    pub now_ms: i64,
    /// Parsed Formula-field expressions by `dst/fld`.
    pub formulas: RefCell<HashMap<String, Option<Rc<apitable_formula::Formula>>>>,
    /// Nesting depth of formula evaluation.
    pub depth: Cell<u8>,
}

/// The `cellFormat=json` value of a cell, `None` when empty.
pub(crate) fn read_json<'r>(
    env: &ReadEnv<'_>,
    ds: &Datasheet,
    field: &Field,
    rec: &'r Record,
) -> Option<Cow<'r, Json>> {
    use FieldType::*;
    match field.ftype {
        Url => rec
            .cells
            .get(&field.id)
            .map(|v| Cow::Owned(text::url_json(v))),
        Attachment => rec
            .cells
            .get(&field.id)
            .map(|v| Cow::Owned(attachment::read_json(v, env))),
        MagicLookUp => computed::lookup_json(env, ds, field, rec).map(Cow::Owned),
        // Seeded fixed values win over the computed one.
        Formula => match rec.cells.get(&field.id) {
            Some(v) => Some(Cow::Borrowed(v)),
            None => formula::formula_json(&formula::Access { env, ds, rec }, field).map(Cow::Owned),
        },
        AutoNumber => Some(Cow::Owned(json!(rec.auto_number))),
        CreatedTime => Some(Cow::Owned(json!(rec.created_at))),
        LastModifiedTime => Some(Cow::Owned(json!(rec.updated_at))),
        CreatedBy => computed::user_json(env, &rec.created_by).map(Cow::Owned),
        LastModifiedBy => computed::user_json(env, &rec.updated_by).map(Cow::Owned),
        Button => None,
        _ => rec.cells.get(&field.id).map(Cow::Borrowed),
    }
}

/// The `cellFormat=string` value of a cell, `None` when omitted.
pub(crate) fn read_string(
    env: &ReadEnv<'_>,
    ds: &Datasheet,
    field: &Field,
    rec: &Record,
) -> Option<String> {
    use FieldType::*;
    match field.ftype {
        Checkbox => Some(
            if rec.cells.contains_key(&field.id) {
                "1"
            } else {
                "0"
            }
            .to_string(),
        ),
        Url => Some(
            rec.cells
                .get(&field.id)
                .and_then(|v| v.get("text"))
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
        ),
        Button => None,
        TwoWayLink | OneWayLink => {
            let ids = rec.cells.get(&field.id)?;
            let names = linked_display(env, field, ids);
            Some(names.join(", "))
        }
        _ => {
            let v = read_json(env, ds, field, rec)?;
            value_to_string(env, field.ftype, &field.property, &v)
        }
    }
}

/// Formats a json-shape value of a field of type `t` as its display string.
pub(crate) fn value_to_string(
    env: &ReadEnv<'_>,
    t: FieldType,
    property: &Json,
    v: &Json,
) -> Option<String> {
    use FieldType::*;
    let s = match t {
        Number | Currency | Percent | Rating | AutoNumber => {
            number::to_string(t, property, v.as_f64()?)
        }
        DateTime | CreatedTime | LastModifiedTime => {
            datetime::format_ms(v.as_i64()?, property, env.utc_offset_minutes)
        }
        Attachment => v
            .as_array()?
            .iter()
            .map(|a| {
                format!(
                    "{} ({})",
                    a.get("name").and_then(Json::as_str).unwrap_or(""),
                    a.get("url").and_then(Json::as_str).unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        Member | CreatedBy | LastModifiedBy => match v {
            Json::Array(a) => a
                .iter()
                .filter_map(|m| m.get("name").and_then(Json::as_str))
                .collect::<Vec<_>>()
                .join(", "),
            Json::Object(o) => o
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
            _ => return None,
        },
        Url => v
            .get("text")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string(),
        WorkDoc => v
            .as_array()?
            .iter()
            .filter_map(|d| d.get("title").and_then(Json::as_str))
            .collect::<Vec<_>>()
            .join(", "),
        MagicLookUp => computed::lookup_string(env, property, v),
        _ => plain_string(v),
    };
    Some(s)
}

/// A generic display string of a JSON value.
/// A list cell to write: `None` for null, else the items of the array; anything else is the
/// error "field:{label} {kind} field value must be array".
pub(crate) fn array_cell<'v>(
    value: &'v Json,
    label: &str,
    kind: &str,
) -> Result<Option<&'v Vec<Json>>, ApiError> {
    match value {
        Json::Null => Ok(None),
        Json::Array(a) => Ok(Some(a)),
        _ => Err(ApiError::bad(format!(
            "field:{label} {kind} field value must be array"
        ))),
    }
}

/// A boolean setting of the field's property (`false` when unset).
pub(crate) fn flag(field: &Field, name: &str) -> bool {
    field
        .property
        .get(name)
        .and_then(Json::as_bool)
        .unwrap_or(false)
}

pub(crate) fn plain_string(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Json::Number(n) => n.to_string(),
        Json::Array(a) => a.iter().map(plain_string).collect::<Vec<_>>().join(", "),
        Json::Object(o) => o
            .get("name")
            .or_else(|| o.get("text"))
            .or_else(|| o.get("title"))
            .map(plain_string)
            .unwrap_or_default(),
    }
}

/// The display string of a record's primary field.
pub(crate) fn primary_string(env: &ReadEnv<'_>, ds: &Datasheet, rec: &Record) -> String {
    ds.primary()
        .and_then(|p| read_string(env, ds, p, rec))
        .unwrap_or_default()
}

/// The `property` of GET `/fields` (`None` = omitted).
pub(crate) fn api_property(env: &ReadEnv<'_>, ds: &Datasheet, field: &Field) -> Option<Json> {
    if env.depth.get() >= 8 {
        // Lookups of lookups of … across datasheets: stop describing.
        return (!field.property.is_null()).then(|| field.property.clone());
    }
    env.depth.set(env.depth.get() + 1);
    let out = api_property_inner(env, ds, field);
    env.depth.set(env.depth.get() - 1);
    out
}

fn api_property_inner(env: &ReadEnv<'_>, ds: &Datasheet, field: &Field) -> Option<Json> {
    use FieldType::*;
    match field.ftype {
        Text | Url | Email | Phone | Attachment | AutoNumber | WorkDoc => None,
        MagicLookUp => Some(computed::lookup_property(env, ds, field)),
        Formula => {
            let mut p = field.property.clone();
            if !p.is_object() {
                p = json!({"expression": ""});
            }
            let (value_type, has_error) = formula::describe(env, ds, field);
            p["valueType"] = json!(value_type);
            p["hasError"] = json!(has_error);
            Some(p)
        }
        CreatedBy | LastModifiedBy => Some(computed::users_property(env, ds)),
        _ => match &field.property {
            Json::Null => None,
            p => Some(p.clone()),
        },
    }
}

/// Whether cells of `field` are editable through the API.
pub(crate) fn editable(field: &Field) -> bool {
    !field.ftype.is_computed() && !matches!(field.ftype, FieldType::WorkDoc | FieldType::Button)
}

/// Context for creating a field's property.
pub(crate) struct CreateEnv<'a> {
    pub state: &'a State,
    /// The datasheet the field is added to (its current fields).
    pub ds: &'a Datasheet,
}

/// Validates the create-shape `property` and returns the GET shape.
pub(crate) fn create_property(
    ftype: FieldType,
    property: Option<&Json>,
    env: &CreateEnv<'_>,
) -> Result<Json, ApiError> {
    use FieldType::*;
    let prop = match property {
        None | Some(Json::Null) => None,
        Some(p) => Some(p),
    };
    let no_property = |p: Option<&Json>| -> Result<Json, ApiError> {
        match p {
            None => Ok(Json::Null),
            Some(_) => Err(tips::validate(format!(
                "{} not support set property",
                ftype.api_name()
            ))),
        }
    };
    let need_object = |p: Option<&Json>| -> Result<serde_json::Map<String, Json>, ApiError> {
        match p {
            Some(Json::Object(o)) => Ok(o.clone()),
            _ => Err(tips::validate("\"property\" must be of type object")),
        }
    };
    match ftype {
        Text | Url | Email | Phone | Attachment | AutoNumber | CreatedBy | WorkDoc => {
            no_property(prop)
        }
        SingleText => {
            let o = need_object(prop)?;
            let mut out = serde_json::Map::new();
            if let Some(d) = o.get("defaultValue") {
                if !d.is_string() {
                    return Err(tips::validate("\"defaultValue\" must be a string"));
                }
                out.insert("defaultValue".into(), d.clone());
            }
            Ok(Json::Object(out))
        }
        Number | Currency | Percent | Rating | Checkbox => {
            number::create_property(ftype, &need_object(prop)?)
        }
        SingleSelect | MultiSelect => select::create_property(ftype, &need_object(prop)?),
        DateTime | CreatedTime | LastModifiedTime => datetime::create_property(&need_object(prop)?),
        Member => {
            let o = need_object(prop)?;
            let b = |k: &str| -> Result<bool, ApiError> {
                match o.get(k) {
                    None => Ok(false),
                    Some(Json::Bool(b)) => Ok(*b),
                    Some(_) => Err(tips::validate(format!("\"{k}\" must be a boolean"))),
                }
            };
            Ok(json!({
                "options": [],
                "isMulti": b("isMulti")?,
                "shouldSendMsg": b("shouldSendMsg")?,
                "subscription": b("subscription")?,
            }))
        }
        LastModifiedBy => {
            need_object(prop)?;
            Ok(json!({"options": []}))
        }
        TwoWayLink | OneWayLink => link::create_property(&need_object(prop)?, env),
        MagicLookUp => computed::create_lookup_property(&need_object(prop)?, env),
        Formula => {
            let o = need_object(prop)?;
            let expr = match o.get("expression") {
                None | Some(Json::Null) => String::new(),
                Some(Json::String(s)) => s.clone(),
                Some(_) => return Err(tips::validate("\"expression\" must be a string")),
            };
            let mut out = json!({"expression": expr, "valueType": "String", "hasError": false});
            if let Some(f) = o.get("format") {
                out["format"] = f.clone();
            }
            Ok(out)
        }
        Button => match prop {
            None => {
                Ok(json!({"text": "Click to start", "style": {"type": "Background"}, "action": {}}))
            }
            Some(Json::Object(o)) => Ok(Json::Object(o.clone())),
            Some(_) => Err(tips::validate("\"property\" must be of type object")),
        },
        Cascader => Err(tips::invalid_value("type")),
    }
}

/// The sibling field to add to a link's foreign datasheet, if any.
pub(crate) fn brother_for(ds: &Datasheet, field: &mut Field, foreign: &Datasheet) -> Option<Field> {
    link::brother_for(ds, field, foreign)
}

/// Compares two json-shape cells of `field` for sorting (empty first).
pub(crate) fn compare_cells(
    field: &Field,
    a: Option<&Json>,
    b: Option<&Json>,
) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (None, None) => Equal,
        (None, Some(_)) => Less,
        (Some(_), None) => Greater,
        (Some(x), Some(y)) => match field.ftype {
            FieldType::SingleSelect | FieldType::MultiSelect => {
                select::compare(&field.property, x, y)
            }
            _ => compare_json(x, y),
        },
    }
}

/// A total order on JSON values: numbers numerically, strings lexically, arrays by display.
pub(crate) fn compare_json(x: &Json, y: &Json) -> std::cmp::Ordering {
    match (x, y) {
        (Json::Number(a), Json::Number(b)) => a
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&b.as_f64().unwrap_or(0.0)),
        (Json::Bool(a), Json::Bool(b)) => a.cmp(b),
        (Json::String(a), Json::String(b)) => a.cmp(b),
        _ => plain_string(x).cmp(&plain_string(y)),
    }
}
