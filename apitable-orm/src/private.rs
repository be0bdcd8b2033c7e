//! What generated code calls. Not part of the public API; may change in any release.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, Visitor};

pub use apitable_schema::{FieldType, Kind, Shape, fits, same_options};
pub use core::default::Default;
pub use core::option::Option::{self, None, Some};
pub use core::primitive::{bool, str, usize};
pub use core::result::Result::{self, Err, Ok};
pub use serde::de::{Deserializer as De, Error as DeError, MapAccess};
pub use serde_json::Value;

pub use crate::api::{FieldKey, Fields};
pub use crate::codec::{FieldCodec, Native};
pub use crate::column::{Column, ListElement, Scalar};
pub use crate::error::DecodeError;
pub use crate::filter::Lit;
pub use crate::ids::RecordId;
pub use crate::operand::Operand;
pub use crate::table::{DecodeCtx, FieldMeta, Keyed, Table};
pub use crate::value::{FieldValue, Timestamp};

struct CellSeed<'a, C, V> {
    meta: &'static FieldMeta,
    ctx: &'a DecodeCtx,
    _c: PhantomData<fn() -> (C, V)>,
}

impl<'de, C: FieldCodec<V>, V> DeserializeSeed<'de> for CellSeed<'_, C, V> {
    type Value = Option<V>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<V>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, C: FieldCodec<V>, V> Visitor<'de> for CellSeed<'_, C, V> {
    type Value = Option<V>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.meta.expected)
    }
    fn visit_none<E: DeError>(self) -> Result<Option<V>, E> {
        Ok(None)
    }
    fn visit_unit<E: DeError>(self) -> Result<Option<V>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<V>, D::Error> {
        C::decode(d)
            .map(Some)
            .map_err(|e| self.ctx.fail(self.meta, e.to_string()))
    }
}

/// Decodes the next map value as a cell of field `meta` (`None` for `null`).
pub fn decode_cell<'de, C: FieldCodec<V>, V, A: MapAccess<'de>>(
    map: &mut A,
    meta: &'static FieldMeta,
    ctx: &DecodeCtx,
) -> Result<Option<V>, A::Error> {
    map.next_value_seed(CellSeed::<C, V> {
        meta,
        ctx,
        _c: PhantomData,
    })
}

/// The decoded value, or the codec's empty value, or an error naming the field.
pub fn finish<C: FieldCodec<V>, V>(slot: Option<V>, meta: &FieldMeta) -> Result<V, DecodeError> {
    match slot {
        Some(v) => Ok(v),
        None => C::empty().ok_or_else(|| {
            DecodeError::new("the cell is empty")
                .with_field(meta.key)
                .with_expected(meta.expected)
        }),
    }
}

/// The decoded value, or `Default::default()` (`#[apitable(default)]`).
pub fn finish_default<V: Default>(slot: Option<V>) -> Result<V, DecodeError> {
    Ok(slot.unwrap_or_default())
}

/// Writes a cell unless the field is read-only.
pub fn encode<C: FieldCodec<V>, V>(cells: &mut Fields, meta: &FieldMeta, value: &V) {
    if !meta.read_only {
        cells.insert(meta.key.to_owned(), C::encode(value));
    }
}

/// A field's metadata, completed from its codec: read-only when the attribute says so or the
/// type is computed.
pub const fn field_meta<C: FieldCodec<V>, V>(
    rust_name: &'static str,
    key: &'static str,
    read_only: bool,
) -> FieldMeta {
    FieldMeta::new(rust_name, key, read_only || C::READ_ONLY, C::EXPECTED)
        .with_shape(C::SHAPE, C::OPTIONS)
}

/// Whether `stored` already holds what writing `value` would store.
pub fn matches_stored<C: FieldCodec<V>, V>(value: &V, stored: &V) -> bool {
    C::matches_stored(value, stored)
}

/// Types a `#[apitable(record_id)]` field may have.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a record id",
    label = "not a record id type",
    note = "a `#[apitable(record_id)]` field has type `RecordId` or `Option<RecordId>`"
)]
pub trait RecordIdField {
    /// From the id of a decoded record.
    fn from_id(id: &RecordId) -> Self;
    /// The id, if any.
    fn get(&self) -> Option<&RecordId>;
    /// Stores an id.
    fn set(&mut self, id: RecordId);
}

impl RecordIdField for RecordId {
    fn from_id(id: &RecordId) -> Self {
        id.clone()
    }
    fn get(&self) -> Option<&RecordId> {
        Some(self)
    }
    fn set(&mut self, id: RecordId) {
        *self = id;
    }
}

impl RecordIdField for Option<RecordId> {
    fn from_id(id: &RecordId) -> Self {
        Some(id.clone())
    }
    fn get(&self) -> Option<&RecordId> {
        self.as_ref()
    }
    fn set(&mut self, id: RecordId) {
        *self = Some(id);
    }
}

/// Reads a select option's name (borrowed when possible).
pub fn option_name<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a select option name")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }
    d.deserialize_str(V)
}

/// The error for an option name no variant maps to.
pub fn unknown_option<E: DeError>(name: &str, known: &'static [&'static str]) -> E {
    E::unknown_variant(name, known)
}

/// The codec of a field without `with`: its type's own [`FieldValue`] impl.
///
/// Generated code names it `<Ty as NativeCodec>::Codec` rather than `Native<Ty>`: for a type
/// without a `FieldValue` impl every use then fails in the same way, at the field's type, and
/// the compiler reports one error instead of one per generated function.
pub trait NativeCodec: Sized {
    /// `Native<Self>`.
    type Codec: FieldCodec<Self>;
}

impl<V: FieldValue> NativeCodec for V {
    type Codec = Native<V>;
}

/// A select option's name as a formula literal (for derived single-select enums).
pub fn option_literal(name: &str) -> Lit {
    Lit::Text(name.to_owned())
}
