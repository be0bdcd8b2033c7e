//! `filterByFormula`: lexer, parser and evaluator following the real server's quirks.
//!
//! Used by `apitable-emulator`, which re-exports it as `apitable_emulator::formula`. It is a
//! crate of its own so that it builds, tests and fuzzes alone. The items below fix the interface
//! the HTTP server uses; everything behind them belongs to this crate.
//!
//! The engine follows the real server's formula engine: its two-pass lexer, its
//! one-token-lookahead parser (with its `&&`/`||` regrouping), JavaScript value semantics,
//! the `BLANK()` rewrite, decimal-corrected arithmetic and the 82 functions. A formula is parsed
//! once ([`Formula::parse`], which resolves field names and ids) and then evaluated per record.
//!
//! ```
//! use std::borrow::Cow;
//! use apitable_formula::{EvalContext, FieldDef, Formula, RecordAccess};
//! use serde_json::{Value as Json, json};
//!
//! struct Row(Json);
//! impl RecordAccess for Row {
//!     fn record_id(&self) -> &str { "rec1" }
//!     fn cell(&self, field_id: &str) -> Option<Cow<'_, Json>> {
//!         self.0.get(field_id).map(Cow::Borrowed)
//!     }
//!     fn created_at(&self) -> i64 { 0 }
//!     fn updated_at(&self) -> i64 { 0 }
//! }
//!
//! let fields = [FieldDef {
//!     id: "fldN".into(),
//!     name: "Count".into(),
//!     field_type: "Number".into(),
//!     property: Json::Null,
//! }];
//! let ctx = EvalContext { now_ms: 0, utc_offset_minutes: 0 };
//! let f = Formula::parse("{Count} < 10", &fields).unwrap();
//! assert!(f.matches(&Row(json!({"fldN": 3})), &ctx));
//! assert!(f.matches(&Row(json!({})), &ctx)); // a blank number is < 10, as on the server
//! assert!(!f.matches(&Row(json!({"fldN": 30})), &ctx));
//! assert!(Formula::parse("ISBLANK({Count})", &fields).is_err());
//! ```
//!
//! # Dates
//!
//! Date functions take numbers (epoch milliseconds), strings and the dates that
//! `SET_TIMEZONE`/`SET_LOCALE` return. Strings are read as the real engine reads them
//! (`getDayjs`, then dayjs, then JavaScript's `Date` as Node.js implements it):
//!
//! | form | example | read as |
//! | --- | --- | --- |
//! | a number in a string | `"1609459200000"` | epoch milliseconds |
//! | `YYYY[-/]M[-/]D[T ]H:m:s.SSS`, any part after the year left out | `"2021-1-5 8:30"`, `"2021"`, `"20210105"` | local time; a missing month or day is 1; years 0–99 are 1900–1999 |
//! | Chinese date words (not for `DATETIME_PARSE`) | `"2021年1月5日 10时20分"` | `年`/`月` → `/`, `时`/`分` → `:`, `日`/`秒` dropped, then as above |
//! | ISO 8601 with `Z` or an offset | `"2021-01-05T10:20:30.5+08:00"`, `"+002021-01-05"` | that instant |
//! | month names (any case, three letters or more), RFC 2822, `Date.toString()` | `"Jan 5, 2021"`, `"5 January 2021"`, `"Tue, 05 Jan 2021 10:20:30 GMT+0800"`, `"Tue Jan 05 2021 10:20:30 GMT+0800 (China Standard Time)"` | the date; a missing year is 2001 |
//! | numbers with `/`, `-`, `.` | `"12/25/2020"`, `"1.2.2021"`, `"2021/12/25 10:20 pm"` | month-day-year unless the first number cannot be a day (then year-month-day) |
//! | two-digit years | `"Dec 25 99"`, `"1/5/49"` | 0–49 → 20xx, 50–99 → 19xx |
//! | zone words after a date | `GMT`, `UTC`, `UT`, `Z`, `EST EDT CST CDT MST MDT PST PDT`, `+8`, `+0800`, `+08:00` | that offset; none is local time |
//! | one number | `"123"` | year 123, January 1 |
//!
//! Anything else (`"Jan"`, `"2021/13/1"`, `"12:30"`, words after the first number) is not a
//! date: the function fails with `#Error!`, and `DATETIME_PARSE` gives NaN (an error too).
//! `DATETIME_PARSE(text, format)` follows dayjs's `customParseFormat`, quirks and all: parts the
//! text lacks come from [`EvalContext::now_ms`], and a lower-case day or month abbreviation
//! other than `mon` in the text is a runtime error, as in the real engine.
//!
//! `SET_TIMEZONE(date, n)` reads `n` as hours when |n| ≤ 16 and as minutes otherwise; a value
//! that is not a number (a zone name such as `"Asia/Shanghai"`, or nothing) means +8, and 0
//! means UTC. The real engine has no time-zone database: it never reads zone names, so
//! neither does this one. `SET_LOCALE(date, name)` (default `zh-cn`) knows the locales the
//! real engine loads: `en`, `zh`, `zh-cn`, `zh-hk`, `zh-tw`, `fr`, `es`, `pt`, `ru`, `ar`,
//! `de`, `ja`, `ko`, `hi`. Both travel with the date through every date function: the
//! calendar parts, `DATETIME_FORMAT` (names, `A`, `L`/`LL`/`LT`… shortcuts, `Z`), weeks
//! (`WEEKNUM`, `WORKDAY`, `IS_SAME(…, "w")` start on the locale's first weekday) and
//! `DATETIME_DIFF` (which, like dayjs, compares a zoned date with a plain one as two plain
//! dates).
//!
//! Where the engine still differs from the real one, deliberately:
//!
//! * Strings are Rust strings, so they cannot hold half of a UTF-16 surrogate pair: where
//!   JavaScript would keep a lone surrogate (`MID("😀abc", 2, 2)`), the result holds U+FFFD
//!   instead (one UTF-16 unit as well, so `LEN` agrees).
//! * `SET_TIMEZONE` offsets are rounded to whole minutes, and offsets beyond 10⁸ minutes are a
//!   runtime error (dayjs would produce dates outside the valid range).
//! * dayjs keeps a global locale that `SET_LOCALE(date, "fr-CA")` (a region it does not
//!   know) switches as a side effect, changing how later `DATETIME_PARSE` calls read month
//!   names; here every evaluation parses in English.
//! * dayjs's `startOf` maps years 0–99 to 1900–1999 (a `Date` constructor quirk); calendar
//!   arithmetic here keeps those years as they are.
//! * "Now" is [`EvalContext::now_ms`], never the machine's clock.
//!
//! Limits that the server does not have: factors may nest at most 256 deep while parsing
//! (parentheses, unary operators and call arguments each count) and the finished tree may be
//! at most 512 deep; deeper formulas are a [`FormulaError`]. `REPT` refuses to build strings
//! longer than 16 Mi UTF-16 units (a runtime error, so the record is kept).
//!
//! Evaluation runs within a [`Budget`]: a number of steps and of string bytes it may spend
//! (see [`EvalLimits`] for the limits and their defaults). Every string the engine builds is
//! granted by the budget before it is allocated, so a formula such as
//! `LEN(SUBSTITUTE(REPT("x", 4096), "x", REPT("y", 16000000)))` stops with
//! [`EvalError::Budget`] instead of exhausting memory. Share one budget across all the records
//! of a request ([`Formula::matches_within`]) so that the request as a whole is bounded; the
//! real server has no such limit, so a caller should answer an exhausted budget as it answers
//! a formula that does not parse.
//!
//! ```
//! use std::borrow::Cow;
//! use apitable_formula::{Budget, EvalError, EvalContext, EvalLimits, Formula, RecordAccess};
//! use serde_json::Value as Json;
//!
//! struct Empty;
//! impl RecordAccess for Empty {
//!     fn record_id(&self) -> &str { "rec1" }
//!     fn cell(&self, _: &str) -> Option<Cow<'_, Json>> { None }
//!     fn created_at(&self) -> i64 { 0 }
//!     fn updated_at(&self) -> i64 { 0 }
//! }
//!
//! let ctx = EvalContext { now_ms: 0, utc_offset_minutes: 0 };
//! let f = Formula::parse(r#"LEN(REPT("ab", 1000)) > 0"#, &[]).unwrap();
//! let small = Budget::new(EvalLimits { max_record_bytes: 1_000, ..EvalLimits::default() });
//! assert!(matches!(f.evaluate_within(&Empty, &ctx, &small), Err(EvalError::Budget(_))));
//! assert!(small.exceeded().is_some());
//! let roomy = Budget::new(EvalLimits::default());
//! assert_eq!(f.matches_within(&Empty, &ctx, &roomy), Ok(true));
//! ```
#![deny(missing_docs)]

mod budget;
mod date;
mod date_value;
mod format;
mod jsdate;
mod locale;
mod output;
mod parse_format;

/// Day numbers and civil dates (proleptic Gregorian), for the emulator's date fields.
pub mod calendar {
    pub use crate::date::{civil_from_days, days_from_civil};
}
mod eval;
mod fields;
mod functions;
pub mod lexer;
mod parser;
mod value;

use std::borrow::Cow;

use serde_json::Value as Json;

pub use budget::{Budget, BudgetExceeded, EvalLimits};
pub use output::Value;
pub use value::JsValue;

/// A field of the datasheet, as the formula engine needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// Field id, `fld…`.
    pub id: String,
    /// Field name (case-sensitive).
    pub name: String,
    /// API type string as GET /fields reports it: `"Text"`, `"Number"`, `"TwoWayLink"`, …
    pub field_type: String,
    /// The field's GET-shape `property` object (`Json::Null` when it has none).
    pub property: Json,
}

/// What a formula can read of one record.
pub trait RecordAccess {
    /// The record id, `rec…`.
    fn record_id(&self) -> &str;
    /// The cell of `field_id` in the `cellFormat=json` read shape, `None` when the cell is empty.
    /// For link fields (`TwoWayLink`, `OneWayLink`) this is an array of the linked records'
    /// primary-field display strings instead of record ids.
    fn cell(&self, field_id: &str) -> Option<Cow<'_, Json>>;
    /// Creation time, epoch milliseconds.
    fn created_at(&self) -> i64;
    /// Last modification time, epoch milliseconds.
    fn updated_at(&self) -> i64;
}

/// Settings that change evaluation results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalContext {
    /// "Now", epoch milliseconds (for `NOW()`, `TODAY()` and friends).
    pub now_ms: i64,
    /// The server's time zone as a fixed offset from UTC in minutes (default 0).
    pub utc_offset_minutes: i32,
}

/// A formula that failed to parse. The server answers HTTP 200 with code 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FormulaError {
    /// The inner English error text (e.g. "Undefined function: FOO").
    pub message: String,
}

/// Why an evaluation produced no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// A runtime error, as the server's evaluator throws it (its message). `filterByFormula`
    /// keeps the record.
    #[error("{0}")]
    Runtime(String),
    /// The [`Budget`] is exhausted. Nothing of the evaluation is usable, and every later
    /// evaluation with the same budget fails the same way.
    #[error(transparent)]
    Budget(BudgetExceeded),
}

/// A parsed formula, ready to be evaluated against many records.
///
/// Parsing resolves every field reference once; evaluation then reads only the cells the
/// formula refers to.
#[derive(Debug, Clone)]
pub struct Formula {
    root: parser::Node,
    fields: Vec<fields::ResolvedField>,
    parse_steps: u64,
}

impl Formula {
    /// Parses `src`, resolving field references by name first, then by id, against `fields`.
    pub fn parse(src: &str, fields: &[FieldDef]) -> Result<Formula, FormulaError> {
        if value::js_trim(src).is_empty() {
            return Err(FormulaError {
                message: "The formula can't be empty".into(),
            });
        }
        let lexed = lexer::lex(src);
        if let Some(unknown) = lexed.unknown.first() {
            return Err(FormulaError {
                message: format!("Unrecognized operational character: {unknown}"),
            });
        }
        let mut table = parser::FieldTable::new(fields);
        let mut parser = parser::Parser::new(&lexed.tokens, &mut table);
        let root = parser.parse()?;
        let parse_steps = parser.steps();
        Ok(Formula {
            root,
            fields: table.used,
            parse_steps,
        })
    }

    /// Evaluates the formula for one record within a fresh default [`Budget`]. `Err` holds the
    /// message of a runtime error (including a NaN or ±Infinity result, which the server turns
    /// into an error) or of the exhausted budget.
    pub fn evaluate(&self, record: &dyn RecordAccess, ctx: &EvalContext) -> Result<Value, String> {
        self.evaluate_within(record, ctx, &Budget::default())
            .map_err(|e| e.to_string())
    }

    /// Evaluates the formula for one record, spending from `budget` (share one budget across
    /// the records of a request). An exhausted budget is [`EvalError::Budget`], never a value,
    /// whatever error-catching functions the formula uses.
    pub fn evaluate_within(
        &self,
        record: &dyn RecordAccess,
        ctx: &EvalContext,
        budget: &Budget,
    ) -> Result<Value, EvalError> {
        budget.begin_record();
        let out = eval::Evaluator {
            fields: &self.fields,
            record,
            ctx,
            budget,
        }
        .run(&self.root)
        .map(Value::from);
        // Checked after the run too: a refusal deep inside may have been turned into a value.
        if let Some(e) = budget.exceeded() {
            return Err(EvalError::Budget(e));
        }
        out.map_err(EvalError::Runtime)
    }

    /// Whether `filterByFormula` keeps this record: a truthy result, or an evaluation error,
    /// or a NaN/±Infinity result, keeps it. Evaluates within a fresh default [`Budget`], whose
    /// exhaustion counts as an evaluation error here; use [`Formula::matches_within`] to share a
    /// budget and to tell the two apart.
    pub fn matches(&self, record: &dyn RecordAccess, ctx: &EvalContext) -> bool {
        match self.evaluate(record, ctx) {
            Ok(v) => v.truthy(),
            Err(_) => true,
        }
    }

    /// [`Formula::matches`] spending from `budget`: `Err` when the budget is exhausted (the
    /// request should then fail as a whole).
    pub fn matches_within(
        &self,
        record: &dyn RecordAccess,
        ctx: &EvalContext,
        budget: &Budget,
    ) -> Result<bool, BudgetExceeded> {
        match self.evaluate_within(record, ctx, budget) {
            Ok(v) => Ok(v.truthy()),
            Err(EvalError::Runtime(_)) => Ok(true),
            Err(EvalError::Budget(e)) => Err(e),
        }
    }

    /// The parse tree, fully parenthesised: binary operations as `(a op b)`, unary ones as
    /// `(op a)`, calls as `NAME(a, b)`, fields as `{fldId}`, strings JSON-quoted.
    pub fn tree(&self) -> String {
        let mut out = String::new();
        parser::render(&self.root, &self.fields, &mut out);
        out
    }

    /// How many factors (operands, calls, groups and unary operations) the parser parsed to
    /// build this formula, a factor parsed again counted again: a measure of parsing work that
    /// does not depend on the machine. The lookahead after an operator parses the call or group
    /// that follows ahead of time and remembers where it ends, so no factor is parsed ahead of
    /// time twice, and the count grows at most quadratically with the nesting; without that
    /// memory it would double with every level.
    ///
    /// ```
    /// use apitable_formula::Formula;
    /// assert_eq!(Formula::parse("1 + 2", &[]).unwrap().parse_steps(), 2);
    /// // The group is parsed once for the lookahead and once as the operand.
    /// assert_eq!(Formula::parse("1 + (2)", &[]).unwrap().parse_steps(), 5);
    /// ```
    pub fn parse_steps(&self) -> u64 {
        self.parse_steps
    }

    /// The ids of the fields the formula reads.
    pub fn field_ids(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.id.as_str())
    }
}

/// Every function name the engine knows (upper case).
pub fn function_names() -> impl Iterator<Item = &'static str> {
    functions::names()
}
