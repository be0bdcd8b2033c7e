//! [`FieldValue`]: how one cell decodes into a Rust value and encodes back.
//!
//! | APITable field type | Rust type |
//! | --- | --- |
//! | Text, SingleText, Email, Phone, Cascader | `String` |
//! | Number, Currency, Percent (a fraction) | `f64` (or any integer type) |
//! | Rating, AutoNumber | `u8`…`u64`, `i32`, `i64` |
//! | Checkbox | `bool` (an empty cell is `false`) |
//! | SingleSelect | `String`, or an enum with `#[derive(FieldValue)]` |
//! | MultiSelect | `Vec<String>` or `Vec<YourEnum>` (an empty cell is `[]`) |
//! | DateTime, CreatedTime, LastModifiedTime | [`Timestamp`] (epoch ms; converts to and from `chrono`, `time` and `jiff` types with the features of those names) |
//! | URL | [`Url`] (link text and title) |
//! | Attachment | `Vec<`[`Attachment`]`>` |
//! | Member | `Vec<`[`Member`]`>` |
//! | TwoWayLink, OneWayLink | `Vec<`[`Link<T>`]`>`, or `Option<Link<T>>` when limited to one record (`T` the linked table); `Vec<`[`RecordId`]`>` untyped |
//! | CreatedBy, LastModifiedBy | [`User`] (read-only) |
//! | MagicLookUp | [`Lookup<T>`] (read-only; the looked-up values), or `Computed<T>` for a rollup to one value |
//! | Formula | [`Computed<T>`] (read-only), or `serde_json::Value` |
//! | anything | `serde_json::Value` (the raw cell) |
//!
//! Empty cells are absent from responses. `Option<T>` reads an empty cell as `None`;
//! `Vec<T>` as `[]`; `bool` as `false`; `String` as `""` (the server does not keep `""` apart
//! from an empty cell). Any other type reports an empty cell as a
//! [`DecodeError`](crate::DecodeError) naming the record, the field and the expected type, unless
//! the field is marked `#[apitable(default)]`.

mod link;
mod types;

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value;

use crate::ids::RecordId;
use apitable_schema::{Kind, Shape};

pub use link::{Link, Lookup};
pub use types::{Attachment, Computed, Member, MemberType, Timestamp, Url, User};

/// A Rust type that can hold one APITable cell.
///
/// Implemented for the types in the [module docs](self); derive it for single-select enums
/// with `#[derive(FieldValue)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in an APITable field",
    label = "unsupported field type",
    note = "use a type from `apitable_orm::value`, derive `FieldValue` for a single-select enum, or use `#[apitable(with = \"path::to::Codec\")]` with a `FieldCodec`"
)]
pub trait FieldValue: Sized {
    /// What a cell of this type holds, for error messages ("a number").
    const EXPECTED: &'static str;

    /// Whether the server computes these cells, so that they are never written.
    const READ_ONLY: bool = false;

    /// What the type holds, for checking it against a datasheet's field types
    /// ([`Sheet::check_schema`](crate::Sheet::check_schema)). Types that leave it
    /// [`Shape::UNKNOWN`] are not checked.
    const SHAPE: Shape = Shape::UNKNOWN;

    /// For an enum of select options: the option names it reads and writes.
    const OPTIONS: Option<&'static [&'static str]> = None;

    /// The value of an empty (absent) cell, or `None` when an empty cell is an error.
    fn empty() -> Option<Self> {
        None
    }

    /// Decodes a present cell.
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error>;

    /// Encodes the value for a write. `Value::Null` clears the cell.
    fn encode(&self) -> Value;

    /// Encodes the value as one element of a list cell (`Vec<Self>`). The same as
    /// [`encode`](Self::encode) except for types whose whole cell is itself a list, such as a
    /// single [`Link`]: alone it is `["rec…"]`, in a `Vec` each one is `"rec…"`.
    fn encode_element(&self) -> Value {
        self.encode()
    }

    /// Decodes a present cell for an `Option<Self>` field: `None` for a cell that holds an
    /// empty value (a link cell listing no record). The default decodes a `Self`.
    fn decode_present<'de, D: Deserializer<'de>>(cell: D) -> Result<Option<Self>, D::Error> {
        Self::decode(cell).map(Some)
    }

    /// Whether `stored`, a cell as the server reads it back, already holds what writing `self`
    /// would store. Upserts skip such cells, so that an identical rerun writes nothing.
    ///
    /// The default compares the two encodings. Types whose cells the server fills in or
    /// normalises override it: a [`Url`] without a title reads back titled with its text, an
    /// [`Attachment`] gains its size and URLs, a [`Member`] written by unit id reads back with
    /// every id and its name.
    ///
    /// ```
    /// use apitable_orm::FieldValue;
    /// use apitable_orm::value::Url;
    /// let written = Url::new("https://example.com");
    /// let read_back = Url::new("https://example.com").with_title("https://example.com");
    /// assert!(written.matches_stored(&read_back));
    /// assert!(!Url::new("https://example.org").matches_stored(&read_back));
    /// ```
    fn matches_stored(&self, stored: &Self) -> bool {
        self.encode() == stored.encode()
    }
}

/// Whether an encoded cell is one the server keeps as an empty cell: `null`, `""`, `false`,
/// `[]`.
pub(crate) fn stores_as_empty(cell: &Value) -> bool {
    match cell {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Decodes one `T` through [`FieldValue::decode`], as a serde seed.
pub(crate) struct DecodeSeed<T>(PhantomData<fn() -> T>);

impl<T> DecodeSeed<T> {
    pub(crate) fn new() -> Self {
        DecodeSeed(PhantomData)
    }
}

impl<'de, T: FieldValue> DeserializeSeed<'de> for DecodeSeed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::decode(d)
    }
}

macro_rules! via_serde {
    ($($ty:ty => $expected:literal, $kind:ident),* $(,)?) => {$(
        impl FieldValue for $ty {
            const EXPECTED: &'static str = $expected;
            const SHAPE: Shape = Shape::of(Kind::$kind);
            fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
                <$ty>::deserialize(cell)
            }
            fn encode(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}

via_serde! {
    f64 => "a number", Float,
    f32 => "a number", Float,
    i64 => "a whole number", Integer,
    i32 => "a whole number", Integer,
    i16 => "a whole number", Integer,
    u64 => "a whole number", Integer,
    u32 => "a whole number", Integer,
    u16 => "a whole number", Integer,
    u8 => "a whole number", Integer,
}

/// An empty text cell reads as `""`: the server stores `""` as an empty cell, so the two
/// cannot be told apart.
impl FieldValue for String {
    const EXPECTED: &'static str = "text";
    const SHAPE: Shape = Shape::of(Kind::Text);
    fn empty() -> Option<Self> {
        Some(String::new())
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        String::deserialize(cell)
    }
    fn encode(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FieldValue for bool {
    const EXPECTED: &'static str = "a checkbox (true)";
    const SHAPE: Shape = Shape::of(Kind::Bool);
    fn empty() -> Option<Self> {
        Some(false)
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        bool::deserialize(cell)
    }
    fn encode(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FieldValue for RecordId {
    const EXPECTED: &'static str = "a record id";
    const SHAPE: Shape = Shape::of(Kind::RecordId);
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        RecordId::deserialize(cell)
    }
    fn encode(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl FieldValue for Value {
    const EXPECTED: &'static str = "any JSON value";
    const SHAPE: Shape = Shape::of(Kind::Json);
    fn empty() -> Option<Self> {
        Some(Value::Null)
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        Value::deserialize(cell)
    }
    fn encode(&self) -> Value {
        self.clone()
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    const READ_ONLY: bool = T::READ_ONLY;
    const SHAPE: Shape = T::SHAPE;
    const OPTIONS: Option<&'static [&'static str]> = T::OPTIONS;
    fn empty() -> Option<Self> {
        Some(None)
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(PhantomData<fn() -> T>);
        impl<'de, T: FieldValue> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::EXPECTED)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::decode_present(d)
            }
        }
        cell.deserialize_option(OptionVisitor(PhantomData))
    }
    fn encode(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::encode)
    }
    /// `None` and a value the server stores as an empty cell (`Some(false)`, `Some("")`) are the
    /// same cell.
    fn matches_stored(&self, stored: &Self) -> bool {
        match (self, stored) {
            (Some(a), Some(b)) => a.matches_stored(b),
            (None, None) => true,
            (Some(v), None) | (None, Some(v)) => stores_as_empty(&v.encode()),
        }
    }
}

impl<T: FieldValue> FieldValue for Vec<T> {
    const EXPECTED: &'static str = "a list";
    const READ_ONLY: bool = T::READ_ONLY;
    const SHAPE: Shape = T::SHAPE.list();
    const OPTIONS: Option<&'static [&'static str]> = T::OPTIONS;
    fn empty() -> Option<Self> {
        Some(Vec::new())
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<fn() -> T>);
        impl<'de, T: FieldValue> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of {}", T::EXPECTED)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element_seed(DecodeSeed::<T>::new())? {
                    out.push(item);
                }
                Ok(out)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
        }
        cell.deserialize_any(SeqVisitor(PhantomData))
    }
    /// An empty list clears the cell (`null`): the server rejects `[]` for links.
    fn encode(&self) -> Value {
        if self.is_empty() {
            Value::Null
        } else {
            Value::Array(self.iter().map(T::encode_element).collect())
        }
    }
    /// Element by element, in order, after dropping repeated entries on both sides (the server
    /// removes duplicate links and members).
    fn matches_stored(&self, stored: &Self) -> bool {
        fn distinct<T: FieldValue>(items: &[T]) -> Vec<&T> {
            let mut seen = Vec::with_capacity(items.len());
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let encoded = item.encode();
                if !seen.contains(&encoded) {
                    seen.push(encoded);
                    out.push(item);
                }
            }
            out
        }
        let (new, old) = (distinct(self), distinct(stored));
        new.len() == old.len() && new.iter().zip(&old).all(|(a, b)| a.matches_stored(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: FieldValue>(json: &str) -> Result<T, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        T::decode(&mut de)
    }

    #[test]
    fn scalars_round_trip() {
        assert_eq!(decode::<String>("\"a\"").unwrap(), "a");
        assert_eq!(decode::<f64>("1.5").unwrap(), 1.5);
        assert_eq!(decode::<f64>("2").unwrap(), 2.0);
        assert_eq!(decode::<u8>("4").unwrap(), 4);
        assert!(decode::<u8>("300").is_err());
        assert!(decode::<String>("5").is_err());
        assert!(decode::<bool>("true").unwrap());
        assert_eq!(bool::empty(), Some(false));
        assert_eq!(String::empty(), Some(String::new()));
        assert_eq!(f64::empty(), None);
        assert_eq!(decode::<Option<f64>>("null").unwrap(), None);
        assert_eq!(decode::<Option<f64>>("3").unwrap(), Some(3.0));
        assert_eq!(decode::<Vec<String>>("[\"a\",\"b\"]").unwrap(), ["a", "b"]);
        assert!(decode::<Vec<String>>("[1]").is_err());
        assert_eq!(
            decode::<Vec<RecordId>>("[\"recA\"]").unwrap(),
            ["recA".parse::<RecordId>().unwrap()]
        );
        assert!(decode::<Vec<RecordId>>("[\"fldA\"]").is_err());
    }

    #[test]
    fn empty_lists_encode_as_null() {
        assert_eq!(Vec::<String>::new().encode(), Value::Null);
        assert_eq!(vec!["a".to_string()].encode(), serde_json::json!(["a"]));
        assert_eq!(None::<String>.encode(), Value::Null);
    }
}
