//! [`Table`]: a Rust struct mapped to a datasheet, usually by `#[derive(Table)]`.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::api::{FieldKey, Fields};
use crate::column::Column;
use crate::error::DecodeError;
use crate::error::Result;
use crate::ids::RecordId;
use crate::page::Page;
use crate::query::Query;
use apitable_schema::Shape;

/// What the runtime knows about one mapped field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMeta {
    /// The Rust field.
    pub rust_name: &'static str,
    /// The key used in requests and formulas: the field name, or the `fld…` id when the table
    /// maps by id.
    pub key: &'static str,
    /// Whether the field is never written (`read_only`, or a computed type).
    pub read_only: bool,
    /// What its cells hold, for error messages.
    pub expected: &'static str,
    /// What its Rust type holds, for schema checks.
    pub shape: Shape,
    /// For an enum of select options, the option names.
    pub options: Option<&'static [&'static str]>,
}

impl FieldMeta {
    /// Describes a field (used by generated code).
    pub const fn new(
        rust_name: &'static str,
        key: &'static str,
        read_only: bool,
        expected: &'static str,
    ) -> Self {
        Self {
            rust_name,
            key,
            read_only,
            expected,
            shape: Shape::UNKNOWN,
            options: None,
        }
    }

    /// The same field with what its Rust type holds (used by generated code).
    pub const fn with_shape(
        mut self,
        shape: Shape,
        options: Option<&'static [&'static str]>,
    ) -> Self {
        self.shape = shape;
        self.options = options;
        self
    }
}

/// A struct mapped to a datasheet: its schema, and nothing that does I/O (reads and writes go
/// through a [`Sheet`](crate::Sheet): `client.table::<T>()`). Implement it with
/// `#[derive(Table)]`; the methods whose names start with `__` are generated and not meant to
/// be called directly.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not mapped to a datasheet",
    note = "add `#[derive(apitable_orm::Table)]` and `#[apitable(datasheet = \"dst…\")]` to the struct"
)]
pub trait Table: Sized + Send + Sync + 'static {
    /// The datasheet id, `dst…`.
    const DATASHEET: &'static str;
    /// The default view, if any.
    const VIEW: Option<&'static str>;
    /// Whether cells are keyed by field name or id.
    const FIELD_KEY: FieldKey;
    /// The mapped fields, in declaration order.
    const FIELDS: &'static [FieldMeta];
    /// The key of the `#[apitable(key)]` field, if there is one.
    const KEY_FIELD: Option<&'static str> = None;

    /// Cells decoded so far while reading one record.
    #[doc(hidden)]
    type __Slots: Default;

    /// Decodes the cell of field `index` into its slot.
    #[doc(hidden)]
    fn __decode_cell<'de, A: MapAccess<'de>>(
        slots: &mut Self::__Slots,
        index: usize,
        map: &mut A,
        ctx: &DecodeCtx,
    ) -> Result<(), A::Error>;

    /// Builds the struct from its slots; empty cells take their type's empty value or fail.
    #[doc(hidden)]
    fn __finish(slots: Self::__Slots, id: &RecordId) -> Result<Self, DecodeError>;

    /// Writes every writable cell into `cells`, keyed by [`FieldMeta::key`].
    #[doc(hidden)]
    fn __encode(&self, cells: &mut Fields);

    /// Whether the cell of field `index` in `stored` (a record as read back) already holds
    /// what writing this row's cell would store; see [`FieldValue::matches_stored`](crate::FieldValue::matches_stored).
    #[doc(hidden)]
    fn __matches_stored(&self, stored: &Self, index: usize) -> bool;

    /// The record id, for structs with a `#[apitable(record_id)]` field that holds one.
    fn record_id(&self) -> Option<&RecordId>;

    /// Sets the record id (a no-op for structs without a `#[apitable(record_id)]` field).
    fn set_record_id(&mut self, id: RecordId);

    /// A query over this table, unbound: run it with [`Sheet::select`](crate::Sheet::select),
    /// or start from [`Sheet::query`](crate::Sheet::query) instead.
    fn query() -> Query<Self> {
        Query::new()
    }
}

/// A table with an upsert key, from `#[apitable(key)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no upsert key",
    note = "mark one field `#[apitable(key)]`, or call `sheet.upsert_by(column, …)`"
)]
pub trait Keyed: Table {
    /// The key field's Rust type.
    type Key;
    /// The key column.
    const KEY: Column<Self, Self::Key>;
}

/// Carries a structured cell error out of serde, which only knows message strings.
#[doc(hidden)]
#[derive(Default)]
pub struct DecodeCtx {
    failure: RefCell<Option<DecodeError>>,
}

impl DecodeCtx {
    pub(crate) fn take(&self) -> Option<DecodeError> {
        self.failure.borrow_mut().take()
    }

    pub(crate) fn fail<E: serde::de::Error>(&self, meta: &FieldMeta, message: String) -> E {
        let err = DecodeError::new(message)
            .with_field(meta.key)
            .with_expected(meta.expected);
        let text = err.to_string();
        *self.failure.borrow_mut() = Some(err);
        E::custom(text)
    }
}

/// One record of `T`: its id, times and decoded struct.
struct RecordSeed<'c, T> {
    ctx: &'c DecodeCtx,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Table> DeserializeSeed<'de> for RecordSeed<'_, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Table> Visitor<'de> for RecordSeed<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut id: Option<RecordId> = None;
        let mut slots: Option<T::__Slots> = None;
        // Cells that came before the record id: kept as raw JSON and decoded once the id is
        // known, so that a cell error can name its record whatever the key order.
        let mut early: Option<Box<serde_json::value::RawValue>> = None;
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            match key.as_str() {
                "recordId" => {
                    let raw: std::borrow::Cow<'de, str> = map.next_value::<CowStr<'de>>()?.0;
                    let parsed =
                        RecordId::new(raw.into_owned()).map_err(serde::de::Error::custom)?;
                    id = Some(parsed);
                }
                "fields" if id.is_none() => early = Some(map.next_value()?),
                "fields" => {
                    let seed = FieldsSeed::<T> {
                        ctx: self.ctx,
                        _t: PhantomData,
                    };
                    match map.next_value_seed(seed) {
                        Ok(s) => slots = Some(s),
                        Err(e) => return Err(self.name_record(id.as_ref(), e)),
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| serde::de::Error::missing_field("recordId"))?;
        if let Some(raw) = early {
            let mut de = serde_json::Deserializer::from_str(raw.get());
            let seed = FieldsSeed::<T> {
                ctx: self.ctx,
                _t: PhantomData,
            };
            match seed.deserialize(&mut de) {
                Ok(s) => slots = Some(s),
                Err(e) => {
                    return Err(self.name_record(Some(&id), serde::de::Error::custom(e)));
                }
            }
        }
        let slots = slots.unwrap_or_default();
        T::__finish(slots, &id).map_err(|e| {
            let e = e.with_record(id.clone());
            let text = e.to_string();
            *self.ctx.failure.borrow_mut() = Some(e);
            serde::de::Error::custom(text)
        })
    }
}

impl<T> RecordSeed<'_, T> {
    /// Adds the record id to the cell error being reported, if there is one.
    fn name_record<E: serde::de::Error>(&self, id: Option<&RecordId>, e: E) -> E {
        match (id, self.ctx.take()) {
            (Some(rid), Some(err)) => {
                let err = err.with_record(rid.clone());
                let text = err.to_string();
                *self.ctx.failure.borrow_mut() = Some(err);
                E::custom(text)
            }
            (None, Some(err)) => {
                *self.ctx.failure.borrow_mut() = Some(err);
                e
            }
            (_, None) => e,
        }
    }
}

struct FieldsSeed<'c, T> {
    ctx: &'c DecodeCtx,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Table> DeserializeSeed<'de> for FieldsSeed<'_, T> {
    type Value = T::__Slots;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::__Slots, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Table> Visitor<'de> for FieldsSeed<'_, T> {
    type Value = T::__Slots;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of cells")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T::__Slots, A::Error> {
        let mut slots = T::__Slots::default();
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            match T::FIELDS.iter().position(|f| f.key == key.as_str()) {
                Some(index) => T::__decode_cell(&mut slots, index, &mut map, self.ctx)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(slots)
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct KeyName<'de>(std::borrow::Cow<'de, str>);

impl KeyName<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for KeyName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(KeyName(CowStr::deserialize(d)?.0))
    }
}

struct CowStr<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A list of records of `T` (the `records` array of a page).
pub(crate) struct RecordsSeed<'c, T> {
    pub(crate) ctx: &'c DecodeCtx,
    pub(crate) _t: PhantomData<fn() -> T>,
}

impl<'de, T: Table> DeserializeSeed<'de> for RecordsSeed<'_, T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Table> Visitor<'de> for RecordsSeed<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1000));
        while let Some(item) = seq.next_element_seed(RecordSeed::<T> {
            ctx: self.ctx,
            _t: PhantomData,
        })? {
            out.push(item);
        }
        Ok(out)
    }
}

impl<T: Table> Page<T> {
    /// Decodes a whole `GET …/records` response body (the JSON envelope) straight into typed
    /// records, with no intermediate JSON values. `requested_size` is the page size that was
    /// asked for.
    pub fn from_response(body: &[u8], requested_size: u64) -> crate::Result<Page<T>> {
        decode_page(body, requested_size)
    }
}

/// Decodes a whole list response (`{"success":…, "data": {"total", "pageNum", "records"}}`)
/// into typed records, with no intermediate JSON values.
pub(crate) fn decode_page<T: Table>(
    body: &[u8],
    requested_size: u64,
) -> Result<Page<T>, crate::Error> {
    let ctx = DecodeCtx::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = EnvelopeSeed::<T> {
        ctx: &ctx,
        requested_size,
        _t: PhantomData,
    }
    .deserialize(&mut de)
    .and_then(|page| de.end().map(|()| page));
    result.map_err(|e| match ctx.take() {
        Some(structured) => crate::Error::Decode(structured),
        None => crate::Error::Decode(DecodeError::new(format!("unexpected record page: {e}"))),
    })
}

struct EnvelopeSeed<'c, T> {
    ctx: &'c DecodeCtx,
    requested_size: u64,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Table> DeserializeSeed<'de> for EnvelopeSeed<'_, T> {
    type Value = Page<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Page<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Table> Visitor<'de> for EnvelopeSeed<'_, T> {
    type Value = Page<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a response envelope")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let mut page = None;
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            if key.as_str() == "data" {
                page = Some(map.next_value_seed(DataSeed::<T> {
                    ctx: self.ctx,
                    requested_size: self.requested_size,
                    _t: PhantomData,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        page.ok_or_else(|| serde::de::Error::missing_field("data"))
    }
}

struct DataSeed<'c, T> {
    ctx: &'c DecodeCtx,
    requested_size: u64,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Table> DeserializeSeed<'de> for DataSeed<'_, T> {
    type Value = Page<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Page<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Table> Visitor<'de> for DataSeed<'_, T> {
    type Value = Page<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page of records")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let mut total = 0;
        let mut number = 1;
        let mut items = Vec::new();
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            match key.as_str() {
                "total" => total = map.next_value()?,
                "pageNum" => number = map.next_value()?,
                "records" => {
                    items = map.next_value_seed(RecordsSeed::<T> {
                        ctx: self.ctx,
                        _t: PhantomData,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Page {
            total,
            number,
            requested_size: self.requested_size,
            items,
        })
    }
}
