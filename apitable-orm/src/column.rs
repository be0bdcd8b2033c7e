//! Typed column handles, and the marker traits that decide which filter operators a column
//! offers.

use std::fmt;
use std::marker::PhantomData;

use crate::filter::{DateRange, Filter, TextOp};
use crate::ids::RecordId;
use crate::operand::{self, Operand};
use crate::table::{FieldMeta, Table};
use crate::value::{Computed, Link, Lookup, Member, Timestamp, Url, User};

/// A typed handle to one field of table `T` whose Rust type is `V`. The derive makes one
/// associated constant per field (`Menu::PRICE`).
pub struct Column<T, V> {
    index: usize,
    get: fn(&T) -> &V,
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
    pub const fn __new(index: usize, get: fn(&T) -> &V) -> Self {
        Column { index, get }
    }

    /// The field's metadata.
    pub fn meta(&self) -> &'static FieldMeta {
        &T::FIELDS[self.index]
    }

    /// The field's value in `row`.
    pub fn get<'r>(&self, row: &'r T) -> &'r V {
        (self.get)(row)
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
    pub fn eq(self, value: impl Operand<V::Family>) -> Filter<T>
    where
        V: Scalar,
    {
        Filter::compare(self.meta(), "=", value.into_lit())
    }

    /// Cells not equal to `value` (empty cells included).
    pub fn ne(self, value: impl Operand<V::Family>) -> Filter<T>
    where
        V: Scalar,
    {
        Filter::compare(self.meta(), "!=", value.into_lit())
    }

    /// Cells equal to any of `values`.
    pub fn is_in<I: IntoIterator<Item = U>, U: Operand<V::Family>>(self, values: I) -> Filter<T>
    where
        V: Scalar,
    {
        Filter::any(values.into_iter().map(|v| self.eq(v)).collect())
    }
}

impl<T: Table, V> Column<T, V> {
    /// Cells greater than `value` (empty cells never match).
    pub fn gt(self, value: impl Operand<V::Family>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), ">", value.into_lit())
    }

    /// Cells greater than or equal to `value` (empty cells never match).
    pub fn ge(self, value: impl Operand<V::Family>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), ">=", value.into_lit())
    }

    /// Cells less than `value` (empty cells never match).
    pub fn lt(self, value: impl Operand<V::Family>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), "<", value.into_lit())
    }

    /// Cells less than or equal to `value` (empty cells never match).
    pub fn le(self, value: impl Operand<V::Family>) -> Filter<T>
    where
        V: Comparable,
    {
        Filter::order(self.meta(), "<=", value.into_lit())
    }

    /// Cells in `low..=high`.
    pub fn between(self, low: impl Operand<V::Family>, high: impl Operand<V::Family>) -> Filter<T>
    where
        V: Comparable,
    {
        self.ge(low).and(self.le(high))
    }
}

impl<T: Table, V> Column<T, V> {
    /// Dates on the server's current day (in the server's time zone).
    pub fn is_today(self) -> Filter<T>
    where
        V: Dated,
    {
        Filter::dated(self.meta(), DateRange::Today)
    }

    /// Dates from the start of the day `days - 1` days ago up to now, in the server's time
    /// zone: `within_last_days(1)` is earlier today, `within_last_days(7)` today and the six
    /// days before. Future dates never match.
    pub fn within_last_days(self, days: u32) -> Filter<T>
    where
        V: Dated,
    {
        Filter::dated(self.meta(), DateRange::LastDays(days))
    }

    /// Dates from now up to the end of the day `days - 1` days ahead, in the server's time
    /// zone: `within_next_days(1)` is later today. Past dates never match.
    pub fn within_next_days(self, days: u32) -> Filter<T>
    where
        V: Dated,
    {
        Filter::dated(self.meta(), DateRange::NextDays(days))
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
    /// Multi-value cells holding `item` (an exact element match; a member cell by the
    /// member's name).
    pub fn has(self, item: impl Operand<V::Item>) -> Filter<T>
    where
        V: MultiValued,
    {
        Filter::has(self.meta(), item.into_lit())
    }

    /// Multi-value cells holding at least one of `items`.
    pub fn has_any<I: IntoIterator<Item = U>, U: Operand<V::Item>>(self, items: I) -> Filter<T>
    where
        V: MultiValued,
    {
        Filter::any(items.into_iter().map(|i| self.has(i)).collect())
    }

    /// Multi-value cells holding every one of `items`.
    pub fn has_all<I: IntoIterator<Item = U>, U: Operand<V::Item>>(self, items: I) -> Filter<T>
    where
        V: MultiValued,
    {
        Filter::all(items.into_iter().map(|i| self.has(i)).collect())
    }

    /// Cells holding none of `items` (empty cells included).
    pub fn has_none<I: IntoIterator<Item = U>, U: Operand<V::Item>>(self, items: I) -> Filter<T>
    where
        V: MultiValued,
    {
        self.has_any(items).not()
    }
}

impl<T: Table, V> Column<T, V> {
    /// Records whose link cell links to `target`, exactly by record id.
    ///
    /// The server's formulas see a link cell only as the linked records' primary-field text,
    /// so this filter is resolved by the query that runs it: it reads the other side of the
    /// two-way link (the target records' sibling field, one request), and narrows the query
    /// to the record ids listed there. It fails with [`Error::InvalidRequest`] on a one-way
    /// link, which has no other side, and when rendered without a query
    /// ([`Filter::render`]).
    ///
    /// [`Error::InvalidRequest`]: crate::Error::InvalidRequest
    pub fn links_to<U>(self, target: impl ToLink<U>) -> Filter<T>
    where
        V: LinksTo<U>,
    {
        Filter::links_to(self.meta(), vec![target.to_link().into_id()])
    }

    /// Records whose link cell links to at least one of `targets`; see
    /// [`links_to`](Self::links_to).
    pub fn links_to_any<U, L: Into<Link<U>>>(
        self,
        targets: impl IntoIterator<Item = L>,
    ) -> Filter<T>
    where
        V: LinksTo<U>,
    {
        Filter::links_to(
            self.meta(),
            targets.into_iter().map(|l| l.into().into_id()).collect(),
        )
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
    message = "`{Self}` columns cannot be compared with `eq`/`ne`/`is_in`",
    label = "not a single-value field type",
    note = "use `has`/`has_any`/`has_all` for multi-select, member and lookup fields, `links_to` for link fields, and `is_empty`/`is_not_empty` for any field"
)]
pub trait Scalar {
    /// Which values a filter compares these cells with ([`operand::NumberColumn`],
    /// [`operand::TextColumn`], [`operand::DateColumn`], [`operand::CheckboxColumn`], or a
    /// select enum).
    type Family;
}

/// Column types with an order (`gt`, `ge`, `lt`, `le`, `between`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns cannot be compared with `gt`/`ge`/`lt`/`le`",
    label = "not an ordered field type",
    note = "ordering needs a Number, Currency, Percent, Rating, AutoNumber or date field, or a formula computing one (a number type, `Timestamp`, or `Computed<…>` of either)"
)]
pub trait Comparable: Scalar {}

/// Text column types (`contains`, `starts_with`, `ends_with`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns do not hold text",
    label = "not a text field type",
    note = "`contains`/`starts_with`/`ends_with` work on text, URL, CreatedBy/LastModifiedBy and text formula fields (`String`, `Url`, `User`, `Computed<String>`)"
)]
pub trait Textual: Scalar {}

/// Date column types (`is_today`, `within_last_days`, `within_next_days`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns do not hold dates",
    label = "not a date field type",
    note = "relative date filters work on DateTime, CreatedTime and LastModifiedTime fields and date formulas (`Timestamp`, `Computed<Timestamp>`)"
)]
pub trait Dated: Comparable {}

/// Multi-value column types (`has`, `has_any`, `has_all`, `has_none`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns are not multi-value",
    label = "not a multi-value field type",
    note = "`has`/`has_any`/`has_all`/`has_none` work on multi-select, member and lookup fields (`Vec<String>`, `Vec<YourEnum>`, `Vec<Member>`, `Lookup<…>`); use `eq` for single values and `links_to` for links"
)]
pub trait MultiValued {
    /// Which values a filter looks for among the elements.
    type Item;
}

/// Link column types whose records belong to table `U` (`Link<U>`, `Option<Link<U>>`,
/// `Vec<Link<U>>`): what [`Column::links_to`] and [`Sheet::load`](crate::Sheet::load) follow.
#[diagnostic::on_unimplemented(
    message = "`{Self}` columns do not link to `{U}`",
    label = "not a link to `{U}`",
    note = "a link field to table `U` is declared as `Vec<Link<U>>`, `Option<Link<U>>` or `Link<U>`; `Vec<RecordId>` links are untyped"
)]
pub trait LinksTo<U> {
    /// The linked records, in cell order.
    fn links(&self) -> &[Link<U>];
}

/// A record of table `U` to filter links by: a [`Link<U>`] or a [`RecordId`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not name a record of `{U}`",
    label = "expected a `Link<{U}>` or a `RecordId`",
    note = "`links_to` takes a link to the table the column links to (`Link::to(&row)?` makes one from a row read earlier)"
)]
pub trait ToLink<U> {
    /// The link.
    fn to_link(self) -> Link<U>;
}

impl<U> ToLink<U> for Link<U> {
    fn to_link(self) -> Link<U> {
        self
    }
}

impl<U> ToLink<U> for &Link<U> {
    fn to_link(self) -> Link<U> {
        self.clone()
    }
}

impl<U> ToLink<U> for RecordId {
    fn to_link(self) -> Link<U> {
        Link::new(self)
    }
}

impl<U> ToLink<U> for &RecordId {
    fn to_link(self) -> Link<U> {
        Link::new(self.clone())
    }
}

impl<U> LinksTo<U> for Vec<Link<U>> {
    fn links(&self) -> &[Link<U>] {
        self
    }
}

impl<U> LinksTo<U> for Option<Link<U>> {
    fn links(&self) -> &[Link<U>] {
        self.as_slice()
    }
}

impl<U> LinksTo<U> for Link<U> {
    fn links(&self) -> &[Link<U>] {
        std::slice::from_ref(self)
    }
}

macro_rules! family {
    ($family:ty => $($ty:ty),*) => {$(
        impl Scalar for $ty { type Family = $family; }
    )*};
}

family!(operand::NumberColumn => f64, f32, i64, i32, i16, u64, u32, u16, u8);
family!(operand::DateColumn => Timestamp);
family!(operand::CheckboxColumn => bool);
family!(operand::TextColumn => String, Url, User);

macro_rules! ordered {
    ($($ty:ty),*) => {$( impl Comparable for $ty {} )*};
}
ordered!(f64, f32, i64, i32, i16, u64, u32, u16, u8, Timestamp);

impl Textual for String {}
impl Textual for Url {}
impl Textual for User {}
impl Dated for Timestamp {}

impl<S: Scalar> Scalar for Option<S> {
    type Family = S::Family;
}
impl<S: Comparable> Comparable for Option<S> {}
impl<S: Textual> Textual for Option<S> {}
impl<S: Dated> Dated for Option<S> {}
impl<M: MultiValued> MultiValued for Option<M> {
    type Item = M::Item;
}

impl<S: Scalar> Scalar for Computed<S> {
    type Family = S::Family;
}
impl<S: Comparable> Comparable for Computed<S> {}
impl<S: Textual> Textual for Computed<S> {}
impl<S: Dated> Dated for Computed<S> {}
impl<M: MultiValued> MultiValued for Computed<M> {
    type Item = M::Item;
}

/// Element types of multi-value fields that filters can look for: `String` and single-select
/// enums (derived `FieldValue`).
#[diagnostic::on_unimplemented(
    message = "lists of `{Self}` cannot be searched with `has`/`has_any`/`has_all`/`has_none`",
    label = "not a multi-select, member or lookup field",
    note = "`has` looks for an option of a multi-select (`Vec<String>`, `Vec<YourEnum>`), a member's name (`Vec<Member>`) or a looked-up value (`Lookup<…>`); attachment cells can only be tested with `is_empty`/`is_not_empty`, and link cells with `links_to` and `is_empty`"
)]
pub trait ListElement: Scalar {}

impl ListElement for String {}

impl<E: ListElement> MultiValued for Vec<E> {
    type Item = E::Family;
}

/// Member cells are matched by the member's (or team's) name.
impl MultiValued for Vec<Member> {
    type Item = operand::TextColumn;
}

impl<S: Scalar> MultiValued for Lookup<S> {
    type Item = S::Family;
}
