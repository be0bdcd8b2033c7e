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
    order: &'c mut FieldOrder,
    _t: PhantomData<fn() -> T>,
}

/// The order in which the records of a page list their cells, learned as they are read: for
/// the start of a record and after each field, the field whose key came next last time.
///
/// Records of one page almost always list their cells in the same order, so the guess is
/// nearly always right and finding a cell's field costs one key comparison; when the guess is
/// wrong (another order, a missing cell, an unknown key) the key is looked up in all of
/// `T::FIELDS` as before, and the guess is corrected. A guess is only ever taken after its key
/// compared equal, so it can change the cost of a lookup but never its result.
struct FieldOrder {
    /// `next[0]`: the first field of a record; `next[i + 1]`: the field after field `i`.
    /// An index past the end of `T::FIELDS` is a guess that never matches.
    next: Vec<usize>,
}

impl FieldOrder {
    /// Guesses declaration order until records show otherwise.
    fn new(fields: usize) -> Self {
        Self {
            next: (0..=fields).collect(),
        }
    }

    /// The index of the field with this key, if there is one; `prev` is 0 at the start of a
    /// record and `i + 1` after field `i`.
    // Inlined so that the fallback search runs over the constant `T::FIELDS`.
    #[inline(always)]
    fn find(&mut self, fields: &[FieldMeta], prev: usize, key: &str) -> Option<usize> {
        let guess = self.next[prev];
        if fields.get(guess).is_some_and(|f| same_key(f.key, key)) {
            return Some(guess);
        }
        let found = fields.iter().position(|f| f.key == key)?;
        self.next[prev] = found;
        Some(found)
    }
}

/// `a == b`, without a call to `memcmp` for keys of up to 16 bytes (most field names).
#[inline(always)]
fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two overlapping words cover every byte.
    let word8 = |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().unwrap());
    let word4 = |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().unwrap());
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
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
                        order: &mut *self.order,
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
                order: &mut *self.order,
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
    order: &'c mut FieldOrder,
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
        // 0 at the start, `i + 1` after field `i`: where `self.order` keeps its next guess.
        // An unknown key leaves it as it is.
        let mut prev = 0;
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            match self.order.find(T::FIELDS, prev, key.as_str()) {
                Some(index) => {
                    prev = index + 1;
                    T::__decode_cell(&mut slots, index, &mut map, self.ctx)?;
                }
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
        let mut order = FieldOrder::new(T::FIELDS.len());
        while let Some(item) = seq.next_element_seed(RecordSeed::<T> {
            ctx: self.ctx,
            order: &mut order,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Four text fields with keys of one length, so a guess of the wrong field would be
    /// caught only by comparing the whole key.
    #[derive(Debug, PartialEq, crate::Table)]
    #[apitable(crate = "crate", datasheet = "dstOrder0000001")]
    struct Row {
        #[apitable(record_id)]
        id: Option<RecordId>,
        #[apitable(name = "Ka")]
        a: String,
        #[apitable(name = "Kb")]
        b: String,
        #[apitable(name = "Kc")]
        c: String,
        #[apitable(name = "Kd")]
        d: String,
    }

    fn row(id: &str, a: &str, b: &str, c: &str, d: &str) -> Row {
        Row {
            id: Some(RecordId::new(id.to_owned()).unwrap()),
            a: a.into(),
            b: b.into(),
            c: c.into(),
            d: d.into(),
        }
    }

    #[test]
    fn the_order_hint_never_picks_the_wrong_field() {
        let body = r#"{"success":true,"data":{"total":7,"pageNum":1,"records":[
            {"recordId":"rec1","fields":{"Kd":"d1","Kc":"c1","Kb":"b1","Ka":"a1"}},
            {"recordId":"rec2","fields":{"Kd":"d2","Kc":"c2","Kb":"b2","Ka":"a2"}},
            {"recordId":"rec3","fields":{"Ka":"a3","Kx":"?","Kb":"b3","Kd":"d3","Kc":"c3"}},
            {"fields":{"Kb":"b4","Kd":"d4","Ky":1,"Ka":"a4","Kc":"c4"},"recordId":"rec4"},
            {"recordId":"rec5","fields":{"Kd":"d5","Kb":"b5","Ka":"a5"}},
            {"recordId":"rec6","fields":{"Kc":"c6","Ka":"a6","Kc":"c6bis","Kb":"b6"}},
            {"recordId":"rec7","fields":{"Kd":"d7","Kc":"c7","Kb":"b7","Ka":"a7"}}
        ]}}"#;
        let page = Page::<Row>::from_response(body.as_bytes(), 100).unwrap();
        assert_eq!(
            page.items,
            [
                row("rec1", "a1", "b1", "c1", "d1"),
                row("rec2", "a2", "b2", "c2", "d2"),
                // Another order, with an unknown key.
                row("rec3", "a3", "b3", "c3", "d3"),
                // Cells before the record id, another order again.
                row("rec4", "a4", "b4", "c4", "d4"),
                // A missing cell.
                row("rec5", "a5", "b5", "", "d5"),
                // A duplicate key: the last one wins, as without the hint.
                row("rec6", "a6", "b6", "c6bis", ""),
                row("rec7", "a7", "b7", "c7", "d7"),
            ]
        );
    }

    #[test]
    fn field_order_finds_what_a_search_finds_in_any_order() {
        let keys = ["Ka", "Kb", "Kc", "Kd", "Kx"];
        let fields = <Row as Table>::FIELDS;
        let search = |key: &str| fields.iter().position(|f| f.key == key);
        let mut order = FieldOrder::new(fields.len());
        // Records of every sequence of three keys (repeats and unknown keys included),
        // one after another, so that each learned order is then contradicted.
        for x in 0..keys.len().pow(3) {
            let record = [x % 5, x / 5 % 5, x / 25].map(|i| keys[i]);
            let mut prev = 0;
            for key in record {
                let found = order.find(fields, prev, key);
                assert_eq!(found, search(key), "{key} in {record:?}");
                if let Some(i) = found {
                    prev = i + 1;
                }
            }
        }
    }

    #[test]
    fn same_key_is_string_equality() {
        let words = "|a|b|ab|ba|abc|abd|xbc|Done|Dona|Title|Titla|Estimate (h)|Estimate (m)|\
            estimate (h)|Blocked by|Blocked bz|sixteen chars ok|sixteen chars ko|\
            seventeen chars!!|seventeen chars!?|é|éa|ñandú"
            .split('|');
        for a in words.clone() {
            for b in words.clone() {
                assert_eq!(same_key(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }
}
