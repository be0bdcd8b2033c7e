//! Which Rust value types fit which field types: the one table the derive (at compile time,
//! against a snapshot), the runtime schema check and the code generator all use.
//!
//! | Rust value | field types it fits |
//! | --- | --- |
//! | `String` | Text, SingleText, Email, Phone, Cascader, SingleSelect; read-only: Formula, MagicLookUp |
//! | `f64`, `f32` | Number, Currency, Percent, Rating; read-only: AutoNumber, Formula, MagicLookUp |
//! | integers (`i64`, `u8`, …) | Number, Currency, Percent, Rating; read-only: AutoNumber, Formula, MagicLookUp |
//! | `bool` | Checkbox; read-only: Formula |
//! | `Timestamp` | DateTime; read-only: CreatedTime, LastModifiedTime, Formula, MagicLookUp |
//! | `Url` | URL |
//! | a `#[derive(FieldValue)]` enum | SingleSelect (each variant must be an option) |
//! | `Vec<String>` | MultiSelect; read-only: MagicLookUp, Formula |
//! | `Vec<`enum`>` | MultiSelect (each variant must be an option) |
//! | `Vec<Attachment>` | Attachment |
//! | `Vec<Member>` | Member |
//! | `Vec<RecordId>` | OneWayLink, TwoWayLink; read-only: MagicLookUp |
//! | `User` | read-only: CreatedBy, LastModifiedBy |
//! | `Computed<T>` | read-only: Formula, MagicLookUp, and whatever `T` fits |
//! | `serde_json::Value` | anything |
//!
//! `Option<T>` fits what `T` fits. A type with a custom codec (`with = …`) is not checked.

use crate::{FieldSchema, FieldType};

/// What a Rust value type holds, for matching against field types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[repr(u8)]
pub enum Kind {
    /// `String`.
    Text,
    /// `f64`, `f32`.
    Float,
    /// `i64`, `u32`, … .
    Integer,
    /// `bool`.
    Bool,
    /// `Timestamp`.
    Timestamp,
    /// `Url`.
    Url,
    /// An enum of select options (`#[derive(FieldValue)]`).
    Choice,
    /// `Attachment`.
    Attachment,
    /// `Member`.
    Member,
    /// `RecordId`.
    RecordId,
    /// `User` (CreatedBy, LastModifiedBy).
    User,
    /// `serde_json::Value`: any cell.
    Json,
    /// Not known (a custom codec or a type this table does not describe): never checked.
    Unknown,
}

/// The shape of a Rust field's type: its kind, and whether it is a list or a computed value.
/// `Option` does not matter: every cell may be empty.
///
/// ```
/// use apitable_schema::{FieldSchema, FieldType, Kind, Shape};
/// let number = FieldSchema::new("fldA", "Qty", FieldType::Number);
/// assert!(Shape::of(Kind::Float).check(&number).is_ok());
/// let err = Shape::of(Kind::Text).list().check(&number).unwrap_err();
/// assert_eq!(err.to_string(), "a list of text cannot hold cells of type Number (use f64)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Shape {
    /// What one value is.
    pub kind: Kind,
    /// `Vec<…>`.
    pub list: bool,
    /// `Computed<…>`: read-only, may hold an error value.
    pub computed: bool,
}

/// Why a Rust type does not fit a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rust} cannot hold cells of type {field_type}{}", .hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
#[non_exhaustive]
pub struct Mismatch {
    /// The Rust side, described ("a list of text").
    pub rust: String,
    /// The field's type.
    pub field_type: FieldType,
    /// What would fit instead, when there is an obvious answer.
    pub hint: Option<String>,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Float => "a number",
            Kind::Integer => "a whole number",
            Kind::Bool => "a checkbox",
            Kind::Timestamp => "a timestamp",
            Kind::Url => "a URL",
            Kind::Choice => "a select option",
            Kind::Attachment => "an attachment",
            Kind::Member => "a member",
            Kind::RecordId => "a record id",
            Kind::User => "a user",
            Kind::Json => "any JSON value",
            Kind::Unknown => "a value of unknown type",
        }
    }

    /// The kind of value a computed field's `valueType` produces, and whether it is a list.
    pub fn of_value_type(value_type: &str) -> Option<(Kind, bool)> {
        Some(match value_type {
            "String" => (Kind::Text, false),
            "Number" => (Kind::Float, false),
            "DateTime" => (Kind::Timestamp, false),
            "Boolean" => (Kind::Bool, false),
            "Array" => (Kind::Json, true),
            _ => return None,
        })
    }
}

impl Shape {
    /// A single value of `kind`.
    pub const fn of(kind: Kind) -> Shape {
        Shape {
            kind,
            list: false,
            computed: false,
        }
    }

    /// A shape that is never checked.
    pub const UNKNOWN: Shape = Shape::of(Kind::Unknown);

    /// The same shape as a list.
    pub const fn list(self) -> Shape {
        Shape { list: true, ..self }
    }

    /// The same shape as a computed value.
    pub const fn computed(self) -> Shape {
        Shape {
            computed: true,
            ..self
        }
    }

    /// The Rust side in words: "a list of text".
    pub fn describe(&self) -> String {
        let base = if self.list {
            format!(
                "a list of {}",
                self.kind.describe().trim_start_matches("a ")
            )
        } else {
            self.kind.describe().to_owned()
        };
        if self.computed {
            format!("a computed {}", base.trim_start_matches("a "))
        } else {
            base
        }
    }

    /// Whether values of this shape can hold the cells of `field`.
    pub fn check(&self, field: &FieldSchema) -> Result<(), Mismatch> {
        let computed = field.value_type().and_then(Kind::of_value_type);
        if fits(*self, &field.field_type, computed) {
            return Ok(());
        }
        Err(Mismatch {
            rust: self.describe(),
            field_type: field.field_type.clone(),
            hint: suggestion(field),
        })
    }
}

/// Whether values of `shape` can hold the cells of a field of type `field_type`; `computed`
/// is what a Formula or MagicLookUp field produces, when known (a kind, and whether it is a
/// list). A `const fn`, so that generated code can check a struct against a snapshot at
/// compile time with the same table.
///
/// ```
/// use apitable_schema::{fits, FieldType, Kind, Shape};
/// const OK: bool = fits(Shape::of(Kind::Float), &FieldType::Currency, None);
/// assert!(OK);
/// assert!(!fits(Shape::of(Kind::Text).list(), &FieldType::Number, None));
/// ```
pub const fn fits(shape: Shape, field_type: &FieldType, computed: Option<(Kind, bool)>) -> bool {
    use FieldType as F;
    if matches!(shape.kind, Kind::Unknown | Kind::Json) || matches!(field_type, F::Other(_)) {
        return true;
    }
    if matches!(field_type, F::Formula | F::MagicLookUp) {
        return match computed {
            // A lookup of an array, or a formula making one.
            Some((_, true)) => shape.list,
            Some((kind, false)) => {
                !shape.list
                    && (same_kind(kind, shape.kind)
                        || (matches!(kind, Kind::Float) && matches!(shape.kind, Kind::Integer))
                        || (matches!(kind, Kind::Text) && matches!(shape.kind, Kind::Choice)))
            }
            // The server did not say.
            None => true,
        };
    }
    let k = shape.kind;
    if shape.list {
        match field_type {
            F::MultiSelect => matches!(k, Kind::Text | Kind::Choice),
            F::Attachment => matches!(k, Kind::Attachment),
            F::Member => matches!(k, Kind::Member),
            F::OneWayLink | F::TwoWayLink => matches!(k, Kind::RecordId),
            _ => false,
        }
    } else {
        match field_type {
            F::Text | F::SingleText | F::Email | F::Phone | F::Cascader => matches!(k, Kind::Text),
            F::SingleSelect => matches!(k, Kind::Text | Kind::Choice),
            F::Number | F::Currency | F::Percent | F::Rating | F::AutoNumber => {
                matches!(k, Kind::Float | Kind::Integer)
            }
            F::Checkbox => matches!(k, Kind::Bool),
            F::DateTime | F::CreatedTime | F::LastModifiedTime => matches!(k, Kind::Timestamp),
            F::Url => matches!(k, Kind::Url),
            F::CreatedBy | F::LastModifiedBy => matches!(k, Kind::User),
            _ => false,
        }
    }
}

const fn same_kind(a: Kind, b: Kind) -> bool {
    a as u8 == b as u8
}

/// Whether an enum of select options (`variants`, `None` for a plain string) and a select
/// field's `options` name the same options, in any order. A `const fn` for compile-time
/// checks against a snapshot.
///
/// ```
/// use apitable_schema::same_options;
/// assert!(same_options(Some(&["Small", "Large"]), &["Large", "Small"]));
/// assert!(!same_options(Some(&["Small"]), &["Small", "Large"]));
/// assert!(same_options(None, &["anything"]));
/// ```
pub const fn same_options(variants: Option<&[&str]>, options: &[&str]) -> bool {
    let Some(variants) = variants else {
        return true;
    };
    all_in(variants, options) && all_in(options, variants)
}

const fn all_in(items: &[&str], set: &[&str]) -> bool {
    let mut i = 0;
    while i < items.len() {
        let mut found = false;
        let mut j = 0;
        while j < set.len() {
            if str_eq(items[i], set[j]) {
                found = true;
            }
            j += 1;
        }
        if !found {
            return false;
        }
        i += 1;
    }
    true
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The Rust type that would fit `field`, for hints and for code generation.
pub fn rust_type_for(field: &FieldSchema) -> Option<&'static str> {
    use FieldType as F;
    Some(match &field.field_type {
        F::Text | F::SingleText | F::Email | F::Phone | F::Cascader => "String",
        F::SingleSelect => "String (or a #[derive(FieldValue)] enum of its options)",
        F::MultiSelect => "Vec<String> (or Vec of a #[derive(FieldValue)] enum)",
        F::Number | F::Currency | F::Percent => "f64",
        F::Rating | F::AutoNumber => "u32",
        F::Checkbox => "bool",
        F::DateTime | F::CreatedTime | F::LastModifiedTime => "Timestamp",
        F::Url => "Url",
        F::Attachment => "Vec<Attachment>",
        F::Member => "Vec<Member>",
        F::OneWayLink | F::TwoWayLink => "Vec<RecordId>",
        F::CreatedBy | F::LastModifiedBy => "User",
        F::Formula | F::MagicLookUp => match field.value_type() {
            Some("String") => "Computed<String>",
            Some("Number") => "Computed<f64>",
            Some("DateTime") => "Computed<Timestamp>",
            Some("Boolean") => "Computed<bool>",
            _ => "serde_json::Value",
        },
        _ => return None,
    })
}

fn suggestion(field: &FieldSchema) -> Option<String> {
    rust_type_for(field).map(|t| format!("use {t}"))
}

/// Whether a field can serve as an upsert key: its cells must be single values that a
/// formula can compare with `=` (text, numbers, a select option, a date).
pub fn can_be_key(field: &FieldSchema) -> bool {
    use FieldType as F;
    matches!(
        field.field_type,
        F::Text
            | F::SingleText
            | F::Email
            | F::Phone
            | F::Number
            | F::Currency
            | F::Percent
            | F::Rating
            | F::SingleSelect
            | F::DateTime
            | F::Cascader
            | F::Url
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(t: FieldType) -> FieldSchema {
        FieldSchema::new("fldX", "X", t)
    }

    #[test]
    fn a_list_never_fits_a_single_value_field() {
        for t in FieldType::all() {
            if t.holds_list() || matches!(t, FieldType::Formula | FieldType::Button) {
                continue;
            }
            for kind in [Kind::Text, Kind::Float, Kind::Bool, Kind::Timestamp] {
                assert!(
                    Shape::of(kind).list().check(&field(t.clone())).is_err(),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn the_documented_table() {
        let yes = [
            (Shape::of(Kind::Text), FieldType::SingleText),
            (Shape::of(Kind::Text), FieldType::SingleSelect),
            (Shape::of(Kind::Choice), FieldType::SingleSelect),
            (Shape::of(Kind::Choice).list(), FieldType::MultiSelect),
            (Shape::of(Kind::Integer), FieldType::Rating),
            (Shape::of(Kind::Float), FieldType::Percent),
            (Shape::of(Kind::Bool), FieldType::Checkbox),
            (Shape::of(Kind::Timestamp), FieldType::CreatedTime),
            (Shape::of(Kind::Url), FieldType::Url),
            (Shape::of(Kind::Attachment).list(), FieldType::Attachment),
            (Shape::of(Kind::Member).list(), FieldType::Member),
            (Shape::of(Kind::RecordId).list(), FieldType::TwoWayLink),
            (Shape::of(Kind::User), FieldType::LastModifiedBy),
            (Shape::of(Kind::Json), FieldType::Button),
        ];
        for (shape, t) in yes {
            assert!(shape.check(&field(t.clone())).is_ok(), "{shape:?} {t}");
        }
        let no = [
            (Shape::of(Kind::Text).list(), FieldType::Number),
            (Shape::of(Kind::Text), FieldType::Url),
            (Shape::of(Kind::Choice), FieldType::MultiSelect),
            (Shape::of(Kind::Float), FieldType::Text),
            (Shape::of(Kind::Bool), FieldType::Number),
            (Shape::of(Kind::RecordId), FieldType::OneWayLink),
            (Shape::of(Kind::Member), FieldType::Member),
            (Shape::of(Kind::Timestamp), FieldType::Number),
        ];
        for (shape, t) in no {
            assert!(shape.check(&field(t.clone())).is_err(), "{shape:?} {t}");
        }
    }

    #[test]
    fn computed_fields_follow_their_value_type() {
        let formula = |vt: &str| {
            field(FieldType::Formula).with_property(json!({"expression": "1", "valueType": vt}))
        };
        assert!(
            Shape::of(Kind::Float)
                .computed()
                .check(&formula("Number"))
                .is_ok()
        );
        assert!(Shape::of(Kind::Integer).check(&formula("Number")).is_ok());
        assert!(
            Shape::of(Kind::Text)
                .computed()
                .check(&formula("Number"))
                .is_err()
        );
        assert!(
            Shape::of(Kind::Text)
                .list()
                .check(&formula("Array"))
                .is_ok()
        );
        assert!(Shape::of(Kind::Bool).check(&formula("Boolean")).is_ok());
    }

    #[test]
    fn mismatches_say_what_would_fit() {
        let err = Shape::of(Kind::Float)
            .check(&field(FieldType::Attachment))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a number cannot hold cells of type Attachment (use Vec<Attachment>)"
        );
    }
}
