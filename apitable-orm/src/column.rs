//! Typed column handles, and the marker traits that decide which filter operators a column
//! offers.

use std::fmt;
use std::marker::PhantomData;

use crate::filter::{Filter, Literal, TextOp};
use crate::table::{FieldMeta, Table};
use crate::value::Timestamp;

/// A typed handle to one field of table `T` whose Rust type is `V`. The derive makes one
/// associated constant per field (`Menu::PRICE`).
pub struct Column<T, V> {
    index: usize,
    _t: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Column<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V> Copy for Column<T, V> {}

impl<T: Table, V> fmt::Debug for Column<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Column({:?})", self.meta().key)
    }
}

impl<T: Table, V> Column<T, V> {
    /// The column of `T::FIELDS[index]` (used by generated code).
    #[doc(hidden)]
    pub const fn __new(index: usize) -> Self {
        Column {
            index,
            _t: PhantomData,
        }
    }

    /// The field's metadata.
    pub fn meta(&self) -> &'static FieldMeta {
        &T::FIELDS[self.index]
    }

    /// The position of the field in `T::FIELDS`.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The key used in requests: the field name, or its id.
    pub fn key(&self) -> &'static str {
        self.meta().key
    }

    /// Sort ascending by this column.
    pub fn asc(self) -> Sort<T> {
        Sort {
            key: self.key(),
            descending: false,
            _t: PhantomData,
        }
    }

    /// Sort descending by this column.
    pub fn desc(self) -> Sort<T> {
        Sort {
            key: self.key(),
            descending: true,
            _t: PhantomData,
        }
    }

    /// Cells that are empty.
    pub fn is_empty(self) -> Filter<T> {
        Filter::is_empty(self.meta(), true)
    }

    /// Cells that are not empty.
    pub fn is_not_empty(self) -> Filter<T> {
        Filter::is_empty(self.meta(), false)
    }
}

impl<T: Table, V> Column<T, V> {
    /// Cells equal to `value`. Comparing text with `""` finds empty cells.
    pub fn eq(self, value: impl Into<V::Value>) -> Filter<T>
    where
        V: Scalar,
    {
        Filter::compare(self.meta(), "=", value.into().literal())
    }

    /// Cells not equal to `value` (empty cells included).
    pub fn ne(self, value: impl Into<V::Value>) -> Filter<T>
    where
        V: Scalar,
    {
        Filter::compare(self.meta(), "!=", value.into().literal())
    }

    /// Cells equal to any of `values`.
    pub fn is_in<I: IntoIterator<Item = U>, U: Into<V::Value>>(self, values: I) -> Filter<T>
    where
        V: Scalar,
    {
        Filter::any(values.into_iter().map(|v| self.eq(v)).collect())
    }
}

impl<T: Table, V> Column<T, V> {
    /// Cells greater than `value` (empty cells never match).
    pub fn gt(self, value: impl Into<V::Value>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), ">", value.into().literal())
    }

    /// Cells greater than or equal to `value` (empty cells never match).
    pub fn ge(self, value: impl Into<V::Value>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), ">=", value.into().literal())
    }

    /// Cells less than `value` (empty cells never match).
    pub fn lt(self, value: impl Into<V::Value>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), "<", value.into().literal())
    }

    /// Cells less than or equal to `value` (empty cells never match).
    pub fn le(self, value: impl Into<V::Value>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), "<=", value.into().literal())
    }

    /// Cells in `low..=high`.
    pub fn between(self, low: impl Into<V::Value>, high: impl Into<V::Value>) -> Filter<T>
    where
        V: Comparable,
    {
        self.ge(low).and(self.le(high))
    }
}

impl<T: Table, V> Column<T, V> {
    /// Text containing `needle` (case-sensitive).
    pub fn contains(self, needle: impl Into<String>) -> Filter<T>
    where
        V: Textual,
    {
        Filter::text(self.meta(), TextOp::Contains, needle.into(), false)
    }

    /// Text containing `needle`, ignoring case.
    pub fn contains_ignore_case(self, needle: impl Into<String>) -> Filter<T>
    where
        V: Textual,
    {
        Filter::text(self.meta(), TextOp::Contains, needle.into(), true)
    }

    /// Text starting with `prefix` (case-sensitive).
    pub fn starts_with(self, prefix: impl Into<String>) -> Filter<T>
    where
        V: Textual,
    {
        Filter::text(self.meta(), TextOp::StartsWith, prefix.into(), false)
    }

    /// Text starting with `prefix`, ignoring case.
    pub fn starts_with_ignore_case(self, prefix: impl Into<String>) -> Filter<T>
    where
        V: Textual,
    {
        Filter::text(self.meta(), TextOp::StartsWith, prefix.into(), true)
    }

    /// Text ending with `suffix` (case-sensitive).
    pub fn ends_with(self, suffix: impl Into<String>) -> Filter<T>
    where
        V: Textual,
    {
        Filter::text(self.meta(), TextOp::EndsWith, suffix.into(), false)
    }

    /// Text ending with `suffix`, ignoring case.
    pub fn ends_with_ignore_case(self, suffix: impl Into<String>) -> Filter<T>
    where
        V: Textual,
    {
        Filter::text(self.meta(), TextOp::EndsWith, suffix.into(), true)
    }
}

impl<T: Table, V> Column<T, V> {
    /// Multi-value cells holding `item` (an exact element match).
    pub fn has(self, item: impl Into<V::Item>) -> Filter<T>
    where
        V: MultiValued,
    {
        Filter::has(self.meta(), item.into().literal())
    }

    /// Multi-value cells holding at least one of `items`.
    pub fn has_any<I: IntoIterator<Item = U>, U: Into<V::Item>>(self, items: I) -> Filter<T>
    where
        V: MultiValued,
    {
        Filter::any(items.into_iter().map(|i| self.has(i)).collect())
    }

    /// Multi-value cells holding every one of `items`.
    pub fn has_all<I: IntoIterator<Item = U>, U: Into<V::Item>>(self, items: I) -> Filter<T>
    where
        V: MultiValued,
    {
        Filter::all(items.into_iter().map(|i| self.has(i)).collect())
    }
}

/// A sort key of table `T`.
pub struct Sort<T> {
    pub(crate) key: &'static str,
    pub(crate) descending: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Sort<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Sort<T> {}

impl<T> fmt::Debug for Sort<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.key,
            if self.descending { "desc" } else { "asc" }
        )
    }
}

/// Column types that can be compared for equality in a filter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns cannot be compared with `eq`/`ne`",
    note = "use `has`/`has_any`/`has_all` for multi-value fields, or `is_empty`"
)]
pub trait Scalar {
    /// The type a filter compares against.
    type Value: Literal;
}

/// Column types with an order (`gt`, `ge`, `lt`, `le`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns cannot be compared with `gt`/`ge`/`lt`/`le`",
    label = "not an ordered field type",
    note = "ordering needs a Number, Currency, Percent, Rating, AutoNumber or DateTime field (a number type or `Timestamp`)"
)]
pub trait Comparable: Scalar {}

/// Text column types (`contains`, `starts_with`, `ends_with`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns do not hold text",
    note = "`contains`/`starts_with`/`ends_with` work on text fields (`String`)"
)]
pub trait Textual: Scalar {}

/// Multi-value column types (`has`, `has_any`, `has_all`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns are not multi-value",
    note = "`has`/`has_any`/`has_all` work on multi-select, member and similar list fields (`Vec<_>`)"
)]
pub trait MultiValued {
    /// The element type.
    type Item: Literal;
}

macro_rules! scalar {
    ($($ty:ty),*) => {$(
        impl Scalar for $ty { type Value = $ty; }
    )*};
}
macro_rules! comparable {
    ($($ty:ty),*) => {$(
        scalar!($ty);
        impl Comparable for $ty {}
    )*};
}

comparable!(f64, f32, i64, i32, i16, u64, u32, u16, u8, Timestamp);
scalar!(bool);

impl Scalar for String {
    type Value = String;
}
impl Textual for String {}

impl<S: Scalar> Scalar for Option<S> {
    type Value = S::Value;
}
impl<S: Comparable> Comparable for Option<S> {}
impl<S: Textual> Textual for Option<S> {}

/// Element types of multi-value fields that filters can look for: `String` and single-select
/// enums (derived `FieldValue`).
pub trait SelectOption: Literal {}

impl SelectOption for String {}

impl<E: SelectOption> MultiValued for Vec<E> {
    type Item = E;
}
