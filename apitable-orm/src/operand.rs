//! What a filter may compare a column with.
//!
//! Every comparable column type belongs to a family ([`Scalar::Family`](crate::Scalar)): its
//! filter methods take any value of that family and nothing else, so a wrong value is a
//! compile error that names the column's family.
//!
//! | family | columns | values |
//! | --- | --- | --- |
//! | [`NumberColumn`] | number types, `Computed<f64>` … | any Rust number: `10`, `2.5`, `n as u64` |
//! | [`TextColumn`] | `String`, `Url`, `User`, member names, `Computed<String>` | `&str`, `String`, `&String`, `Cow<str>`, `char` |
//! | [`DateColumn`] | `Timestamp`, `Computed<Timestamp>` | a [`Timestamp`] (or a `chrono`, `time` or `jiff` time with those features) |
//! | [`CheckboxColumn`] | `bool` | `bool` |
//! | a select enum `E` | `E`, `Vec<E>` | an `E` |
//!
//! ```
//! use apitable_orm::prelude::*;
//! #[derive(Table)]
//! #[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
//! struct Item { name: String, quantity: u32, purchased: Option<Timestamp> }
//!
//! let _ = Item::QUANTITY.gt(3);                    // any number
//! let _ = Item::NAME.eq("Lens");                   // any text
//! let _ = Item::PURCHASED.lt(Timestamp::from_millis(1_704_067_200_000));
//! ```
//!
//! ```compile_fail
//! # use apitable_orm::prelude::*;
//! # #[derive(Table)]
//! # #[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
//! # struct Item { name: String, quantity: u32, purchased: Option<Timestamp> }
//! let _ = Item::QUANTITY.eq("three"); // a `&str` cannot be compared with a `NumberColumn`
//! ```

use std::borrow::Cow;

use crate::filter::Lit;
use crate::value::Timestamp;

/// A value a filter can compare with columns of family `F`.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be compared with a `{F}`",
    label = "not a value for a `{F}`",
    note = "number columns take any Rust number (`10`, `2.5`); text columns take `&str` or `String`; date columns take a `Timestamp` (`Timestamp::from_millis(ms)`); checkbox columns take `bool`; a select column of enum `E` takes an `E` variant"
)]
pub trait Operand<F> {
    /// This value as a formula literal.
    fn into_lit(self) -> Lit;
}

/// Number columns: Number, Currency, Percent (as a fraction), Rating, AutoNumber, and formulas
/// computing a number.
#[derive(Debug, Clone, Copy)]
pub enum NumberColumn {}

/// Text columns: text, single-line text, email, phone, URL, CreatedBy and LastModifiedBy
/// (the user's name), member names, and formulas computing text.
#[derive(Debug, Clone, Copy)]
pub enum TextColumn {}

/// Date columns: DateTime, CreatedTime, LastModifiedTime, and formulas computing a date.
#[derive(Debug, Clone, Copy)]
pub enum DateColumn {}

/// Checkbox columns.
#[derive(Debug, Clone, Copy)]
pub enum CheckboxColumn {}

macro_rules! numbers {
    ($($ty:ty),*) => {$(
        impl Operand<NumberColumn> for $ty {
            fn into_lit(self) -> Lit {
                Lit::Number(self as f64)
            }
        }
    )*};
}
numbers!(f64, f32, i64, i32, i16, i8, isize, u64, u32, u16, u8, usize);

impl Operand<TextColumn> for String {
    fn into_lit(self) -> Lit {
        Lit::Text(self)
    }
}

impl Operand<TextColumn> for &str {
    fn into_lit(self) -> Lit {
        Lit::Text(self.to_owned())
    }
}

impl Operand<TextColumn> for &String {
    fn into_lit(self) -> Lit {
        Lit::Text(self.clone())
    }
}

impl Operand<TextColumn> for Cow<'_, str> {
    fn into_lit(self) -> Lit {
        Lit::Text(self.into_owned())
    }
}

impl Operand<TextColumn> for char {
    fn into_lit(self) -> Lit {
        Lit::Text(self.to_string())
    }
}

impl Operand<CheckboxColumn> for bool {
    fn into_lit(self) -> Lit {
        Lit::Bool(self)
    }
}

impl Operand<DateColumn> for Timestamp {
    fn into_lit(self) -> Lit {
        Lit::Number(self.as_millis() as f64)
    }
}

#[cfg(feature = "chrono")]
impl Operand<DateColumn> for chrono::DateTime<chrono::Utc> {
    fn into_lit(self) -> Lit {
        Timestamp::from(self).into_lit()
    }
}

#[cfg(feature = "time")]
impl Operand<DateColumn> for time::OffsetDateTime {
    fn into_lit(self) -> Lit {
        Timestamp::from(self).into_lit()
    }
}

#[cfg(feature = "jiff")]
impl Operand<DateColumn> for jiff::Timestamp {
    fn into_lit(self) -> Lit {
        Timestamp::from(self).into_lit()
    }
}
