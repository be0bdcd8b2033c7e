//! [`FieldCodec`]: a way to store a type in a cell other than its own [`FieldValue`] impl,
//! chosen per field with `#[apitable(with = "Type")]`.

use std::marker::PhantomData;

use serde::de::Deserializer;
use serde_json::Value;

use crate::value::FieldValue;
use apitable_schema::Shape;

/// Decodes and encodes cells of type `V` for one field.
///
/// ```
/// use apitable_orm::FieldCodec;
/// use serde::{Deserialize, Deserializer};
/// use serde_json::Value;
///
/// /// Stores a list of words as one space-separated text cell.
/// struct Words;
/// impl FieldCodec<Vec<String>> for Words {
///     const EXPECTED: &'static str = "space-separated words";
///     fn empty() -> Option<Vec<String>> { Some(Vec::new()) }
///     fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Vec<String>, D::Error> {
///         Ok(String::deserialize(cell)?.split_whitespace().map(str::to_owned).collect())
///     }
///     fn encode(words: &Vec<String>) -> Value {
///         Value::String(words.join(" "))
///     }
/// }
/// assert_eq!(Words::encode(&vec!["a".into(), "b".into()]), Value::from("a b"));
/// ```
pub trait FieldCodec<V> {
    /// What a cell holds, for error messages.
    const EXPECTED: &'static str;
    /// Whether the server computes these cells.
    const READ_ONLY: bool = false;
    /// What the values hold, for schema checks ([`FieldValue::SHAPE`]); a custom codec is not
    /// checked unless it says.
    const SHAPE: Shape = Shape::UNKNOWN;
    /// The option names of an enum of select options ([`FieldValue::OPTIONS`]).
    const OPTIONS: Option<&'static [&'static str]> = None;
    /// The value of an empty cell, or `None` when an empty cell is an error.
    fn empty() -> Option<V> {
        None
    }
    /// Decodes a present cell.
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<V, D::Error>;
    /// Encodes a value for a write.
    fn encode(value: &V) -> Value;
    /// Whether `stored`, as read back from the server, already holds what writing `value`
    /// would store (see [`FieldValue::matches_stored`]). The default compares encodings.
    fn matches_stored(value: &V, stored: &V) -> bool {
        Self::encode(value) == Self::encode(stored)
    }
}

/// The codec of a type's own [`FieldValue`] impl.
pub struct Native<V>(PhantomData<fn() -> V>);

impl<V: FieldValue> FieldCodec<V> for Native<V> {
    const EXPECTED: &'static str = V::EXPECTED;
    const READ_ONLY: bool = V::READ_ONLY;
    const SHAPE: Shape = V::SHAPE;
    const OPTIONS: Option<&'static [&'static str]> = V::OPTIONS;
    fn empty() -> Option<V> {
        V::empty()
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<V, D::Error> {
        V::decode(cell)
    }
    fn encode(value: &V) -> Value {
        value.encode()
    }
    fn matches_stored(value: &V, stored: &V) -> bool {
        value.matches_stored(stored)
    }
}
