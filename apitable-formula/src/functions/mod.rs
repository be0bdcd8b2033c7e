//! The function table: names, minimum argument counts, accepted value types,
//! static return types and implementations.

mod array;
mod datetime;
mod logical;
mod numeric;
mod record;
mod text;

use crate::budget::Budget;
use crate::fields::VType;
use crate::parser::Node;
use crate::value::{VALUE_SLOT, Value};
use crate::{EvalContext, FormulaError, RecordAccess};

/// One evaluated argument: its value after the interpreter's conversions, and its node.
pub struct Arg<'n> {
    /// The value.
    pub value: Value,
    /// The argument's AST node (for its static type).
    pub node: &'n Node,
}

/// What a function implementation can see besides its arguments.
pub struct Cx<'a> {
    /// The record being evaluated.
    pub record: &'a dyn RecordAccess,
    /// Evaluation settings.
    pub ctx: &'a EvalContext,
    /// What the evaluation may still spend: every string a function builds is asked for here
    /// first.
    pub budget: &'a Budget,
}

/// A runtime error (its message).
pub type RtResult = Result<Value, String>;

type Imp = fn(&[Arg<'_>], &Cx<'_>) -> RtResult;

/// A function of the formula language.
pub struct FuncSpec {
    /// Upper-case name.
    pub name: &'static str,
    /// Minimum argument count, checked at parse time.
    pub min: usize,
    /// Accepted value types (bit set of [`VType::bit`]).
    pub accept: u8,
    /// Whether it is a date function (a null first argument gives null).
    pub date_func: bool,
    /// Parse-time validation.
    pub validate: fn(&FuncSpec, &[Node]) -> Result<(), FormulaError>,
    /// Static return type.
    pub ret: fn(&[Node]) -> VType,
    /// The implementation.
    pub imp: Imp,
}

impl std::fmt::Debug for FuncSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl FuncSpec {
    /// Whether the function accepts values of type `t` raw.
    pub fn accepts(&self, t: VType) -> bool {
        self.accept & t.bit() != 0
    }
}

/// Boolean, Number, String.
pub(crate) const D: u8 = 1 | 2 | 4;
/// D + Array.
pub(crate) const DA: u8 = D | 16;
/// D + DateTime.
pub(crate) const DT: u8 = D | 8;
/// D + Array + DateTime.
pub(crate) const DAT: u8 = D | 8 | 16;
/// Boolean and String only.
pub(crate) const BS: u8 = 2 | 4;

pub(crate) fn min_count(spec: &FuncSpec, params: &[Node]) -> Result<(), FormulaError> {
    if params.len() < spec.min {
        return Err(FormulaError {
            message: format!(
                "{} function requires {} parameters at least",
                spec.name, spec.min
            ),
        });
    }
    Ok(())
}

pub(crate) fn r_number(_: &[Node]) -> VType {
    VType::Number
}
pub(crate) fn r_string(_: &[Node]) -> VType {
    VType::String
}
pub(crate) fn r_bool(_: &[Node]) -> VType {
    VType::Boolean
}
pub(crate) fn r_date(_: &[Node]) -> VType {
    VType::DateTime
}
pub(crate) fn r_array(_: &[Node]) -> VType {
    VType::Array
}

const fn f(
    name: &'static str,
    min: usize,
    accept: u8,
    ret: fn(&[Node]) -> VType,
    imp: Imp,
) -> FuncSpec {
    FuncSpec {
        name,
        min,
        accept,
        date_func: false,
        validate: min_count,
        ret,
        imp,
    }
}

const fn dt(name: &'static str, min: usize, ret: fn(&[Node]) -> VType, imp: Imp) -> FuncSpec {
    FuncSpec {
        name,
        min,
        accept: DT,
        date_func: true,
        validate: min_count,
        ret,
        imp,
    }
}

static FUNCTIONS: &[FuncSpec] = &[
    // logical
    f("IF", 3, DAT, logical::ret_if, logical::if_),
    f("AND", 1, DA, r_bool, logical::and),
    f("OR", 1, DA, r_bool, logical::or),
    f("NOT", 1, D, r_bool, logical::not),
    f("XOR", 1, DA, r_bool, logical::xor),
    f("TRUE", 0, D, r_bool, logical::true_),
    f("FALSE", 0, D, r_bool, logical::false_),
    f("BLANK", 0, D, r_string, logical::blank),
    f("ERROR", 0, D, r_string, logical::error),
    f("IS_ERROR", 1, D, r_bool, logical::is_error),
    f("ISERROR", 1, D, r_bool, logical::is_error),
    f("SWITCH", 2, DT, logical::ret_switch, logical::switch),
    // numeric
    f("SUM", 0, DA, r_number, numeric::sum),
    f("AVERAGE", 0, DA, r_number, numeric::average),
    f("MAX", 0, DAT, numeric::ret_max, numeric::max),
    f("MIN", 0, DAT, numeric::ret_max, numeric::min),
    f("ROUND", 1, D, r_number, numeric::round),
    f("ROUNDUP", 1, D, r_number, numeric::roundup),
    f("ROUNDDOWN", 1, D, r_number, numeric::rounddown),
    f("CEILING", 1, D, r_number, numeric::ceiling),
    f("FLOOR", 1, D, r_number, numeric::floor),
    f("EVEN", 1, D, r_number, numeric::even),
    f("ODD", 1, D, r_number, numeric::odd),
    f("INT", 1, D, r_number, numeric::int),
    f("ABS", 0, D, r_number, numeric::abs),
    f("SQRT", 1, D, r_number, numeric::sqrt),
    f("EXP", 1, D, r_number, numeric::exp),
    f("POWER", 2, D, r_number, numeric::power),
    f("LOG", 1, D, r_number, numeric::log),
    f("MOD", 2, D, r_number, numeric::mod_),
    f("VALUE", 1, D, r_number, numeric::value),
    // text
    f("FIND", 2, D, r_number, text::find),
    f("SEARCH", 2, D, r_number, text::search),
    f("LEN", 1, D, r_number, text::len),
    f("LOWER", 1, D, r_string, text::lower),
    f("UPPER", 1, D, r_string, text::upper),
    f("CONCATENATE", 1, DA, r_string, text::concatenate),
    f("LEFT", 1, D, r_string, text::left),
    f("RIGHT", 1, D, r_string, text::right),
    f("MID", 3, D, r_string, text::mid),
    f("REPLACE", 4, D, r_string, text::replace),
    f("SUBSTITUTE", 3, BS, r_string, text::substitute),
    f("TRIM", 1, BS, r_string, text::trim),
    f("T", 1, DT, r_string, text::t),
    f("REPT", 2, BS, r_string, text::rept),
    f(
        "ENCODE_URL_COMPONENT",
        1,
        D,
        r_string,
        text::encode_url_component,
    ),
    // date and time
    dt("TODAY", 0, r_date, datetime::today),
    dt("NOW", 0, r_date, datetime::now),
    FuncSpec {
        validate: datetime::validate_dateadd,
        ..dt("DATEADD", 3, r_date, datetime::dateadd)
    },
    FuncSpec {
        validate: datetime::validate_diff,
        ..dt("DATETIME_DIFF", 2, r_number, datetime::datetime_diff)
    },
    dt("IS_BEFORE", 2, r_bool, datetime::is_before),
    dt("IS_AFTER", 2, r_bool, datetime::is_after),
    dt("IS_SAME", 2, r_bool, datetime::is_same),
    dt("DATETIME_PARSE", 1, r_date, datetime::datetime_parse),
    dt("DATETIME_FORMAT", 1, r_string, datetime::datetime_format),
    dt("DATESTR", 1, r_string, datetime::datestr),
    dt("TIMESTR", 1, r_string, datetime::timestr),
    dt("YEAR", 1, r_number, datetime::year),
    dt("MONTH", 1, r_number, datetime::month),
    dt("DAY", 1, r_number, datetime::day),
    dt("HOUR", 1, r_number, datetime::hour),
    dt("MINUTE", 1, r_number, datetime::minute),
    dt("SECOND", 1, r_number, datetime::second),
    dt("WEEKDAY", 1, r_number, datetime::weekday),
    dt("WEEKNUM", 1, r_number, datetime::weeknum),
    dt("TONOW", 2, r_number, datetime::tonow),
    dt("FROMNOW", 2, r_number, datetime::tonow),
    dt("WORKDAY", 2, r_date, datetime::workday),
    dt("WORKDAY_DIFF", 2, r_number, datetime::workday_diff),
    dt("SET_LOCALE", 1, r_date, datetime::set_locale),
    dt("SET_TIMEZONE", 1, r_date, datetime::set_timezone),
    dt("CREATED_TIME", 0, r_date, datetime::created_time),
    dt(
        "LAST_MODIFIED_TIME",
        0,
        r_date,
        datetime::last_modified_time,
    ),
    // array
    f("ARRAYJOIN", 0, DA, r_string, array::arrayjoin),
    f("ARRAYUNIQUE", 0, DA, r_array, array::arrayunique),
    f("ARRAYFLATTEN", 0, DA, r_array, array::arrayflatten),
    f("ARRAYCOMPACT", 0, DA, r_array, array::arraycompact),
    f("COUNTALL", 0, DA, r_number, array::countall),
    f("COUNTA", 0, DA, r_number, array::counta),
    f("COUNT", 0, DA, r_number, array::count),
    f("COUNTIF", 2, DA, r_number, array::countif),
    // record
    f("RECORD_ID", 0, D, r_string, record::record_id),
];

/// Looks a function up by its upper-cased name.
pub fn lookup(upper: &str) -> Option<&'static FuncSpec> {
    FUNCTIONS.iter().find(|s| s.name == upper)
}

/// Every function name the engine knows.
pub fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|s| s.name)
}

/// The argument at `i`, if given.
pub(crate) fn arg<'a>(args: &'a [Arg<'_>], i: usize) -> Option<&'a Value> {
    args.get(i).map(|a| &a.value)
}

/// The argument at `i`, or `Null` when missing (JS `undefined` behaves like `null` mostly).
pub(crate) fn argv<'a>(args: &'a [Arg<'_>], i: usize) -> &'a Value {
    static NULL: Value = Value::Null;
    args.get(i).map_or(&NULL, |a| &a.value)
}

/// One array argument whose node is statically an Array (`isArrayParam`).
pub(crate) fn is_array_param(args: &[Arg<'_>]) -> bool {
    args.len() == 1 && args[0].node.vtype == VType::Array
}

/// `flattenParams` without copying: drops null arguments, flattens arrays (nested ones too).
/// Each element costs a step and a pointer's worth of bytes.
pub(crate) fn flatten_refs<'v>(
    args: &'v [Arg<'_>],
    budget: &Budget,
) -> Result<Vec<&'v Value>, String> {
    fn push<'v>(v: &'v Value, out: &mut Vec<&'v Value>, budget: &Budget) -> Result<(), String> {
        match v {
            Value::Array(items) => {
                budget.steps(items.len() as u64)?;
                budget.bytes(items.len() as u64 * std::mem::size_of::<&Value>() as u64)?;
                items.iter().try_for_each(|i| push(i, out, budget))
            }
            v => {
                out.push(v);
                Ok(())
            }
        }
    }
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        if !a.value.is_null() {
            push(&a.value, &mut out, budget)?;
        }
    }
    Ok(out)
}

/// `flattenParams` as new values: [`flatten_refs`] plus copies granted by the budget.
pub(crate) fn flatten(args: &[Arg<'_>], budget: &Budget) -> Result<Vec<Value>, String> {
    let refs = flatten_refs(args, budget)?;
    budget
        .bytes(refs.len() as u64 * VALUE_SLOT + refs.iter().map(|v| v.heap_size()).sum::<u64>())?;
    Ok(refs.into_iter().cloned().collect())
}

/// A copy of `v`, granted by the budget.
pub(crate) fn copy_value(v: &Value, budget: &Budget) -> RtResult {
    budget.bytes(v.heap_size())?;
    Ok(v.clone())
}

/// `FormulaBaseError('')`.
pub(crate) fn base_error() -> String {
    "#Error!".into()
}
