//! Date and time functions. Dates are epoch milliseconds; the server time zone is the fixed
//! offset of [`crate::EvalContext::utc_offset_minutes`].

use super::{Arg, Cx, RtResult, arg, argv, base_error, min_count};
use crate::FormulaError;
use crate::date::{self, At, Unit};
use crate::date_value::DateVal;
use crate::locale;
use crate::parser::Node;
use crate::value::Value;

const DAY: f64 = 86_400_000.0;

fn unit_error(u: &str) -> String {
    format!("Wrong unit parameter value: {u}")
}

/// A literal unit argument is checked at parse time.
fn check_literal_unit(params: &[Node], i: usize) -> Result<(), FormulaError> {
    if let Some(p) = params.get(i)
        && p.is_string_token
    {
        let u = p.literal_str().unwrap_or("");
        if !(i == 2 && u.is_empty()) && date::unit(u).is_none() {
            return Err(FormulaError {
                message: unit_error(u),
            });
        }
    }
    Ok(())
}

pub(super) fn validate_dateadd(
    spec: &super::FuncSpec,
    params: &[Node],
) -> Result<(), FormulaError> {
    min_count(spec, params)?;
    if let Some(p) = params.get(2)
        && p.is_string_token
        && date::unit(p.literal_str().unwrap_or("")).is_none()
    {
        return Err(FormulaError {
            message: unit_error(p.literal_str().unwrap_or("")),
        });
    }
    Ok(())
}

pub(super) fn validate_diff(spec: &super::FuncSpec, params: &[Node]) -> Result<(), FormulaError> {
    min_count(spec, params)?;
    check_literal_unit(params, 2)
}

/// `getDayjs(v)`: throws on null and on invalid dates; a dayjs object stays as it is.
pub(crate) fn get_dayjs(v: &Value, off: i32) -> Result<DateVal, String> {
    let ms = match v {
        Value::Null => return Err(base_error()),
        Value::Date(d) => return Ok(*d),
        Value::String(s) => return get_dayjs_str(s, off),
        v => v.to_number(),
    };
    Ok(DateVal::plain(checked_ms(ms)?, off))
}

/// [`get_dayjs`] of a string (Chinese date words replaced, numeric strings as ms).
fn get_dayjs_str(s: &str, off: i32) -> Result<DateVal, String> {
    let n = crate::value::string_to_number(s);
    let ms = if n.is_nan() {
        date::parse_dayjs_string(&date::replace_cn(s), off)
    } else {
        n
    };
    Ok(DateVal::plain(checked_ms(ms)?, off))
}

fn checked_ms(ms: f64) -> Result<f64, String> {
    if date::valid(ms) {
        Ok(ms.trunc() + 0.0)
    } else {
        Err(base_error())
    }
}

/// `dayjs(v).valueOf()` (NaN when invalid).
pub(crate) fn dayjs_value_of(v: &Value, off: i32) -> f64 {
    let ms = match v {
        Value::Null => f64::NAN,
        Value::Date(d) => d.ms,
        Value::String(s) => date::parse_dayjs_string(s, off),
        Value::Number(n) => *n,
        _ => f64::NAN,
    };
    if date::valid(ms) {
        ms.trunc()
    } else {
        f64::NAN
    }
}

fn off(cx: &Cx<'_>) -> i32 {
    cx.ctx.utc_offset_minutes
}

/// A date's instant on its own wall clock.
fn at(d: &DateVal) -> At {
    At {
        ms: d.ms,
        off: d.shift,
    }
}

fn unit_arg(v: &Value, cx: &Cx<'_>) -> Result<Unit, String> {
    let s = v.js_str(cx.budget)?;
    match date::unit(&s) {
        Some(u) => Ok(u),
        None => {
            cx.budget.bytes(32 + s.len() as u64)?;
            Err(unit_error(&s))
        }
    }
}

/// A number result that is NaN when the date left the valid range.
fn ms_value(ms: f64) -> Value {
    Value::Number(if date::valid(ms) { ms } else { f64::NAN })
}

pub(super) fn today(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let o = off(cx);
    Ok(Value::Number(date::start_of(
        cx.ctx.now_ms as f64,
        Unit::Day,
        o,
        0,
    )))
}

pub(super) fn now(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(cx.ctx.now_ms as f64))
}

pub(super) fn dateadd(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let u = unit_arg(argv(args, 2), cx)?;
    let d = get_dayjs(argv(args, 0), off(cx))?;
    let n = argv(args, 1).to_number();
    Ok(ms_value(date::add(d.ms, n, u, d.shift)))
}

fn diff_calc(from: &Value, to: &Value, unit: Option<&Value>, float: bool, cx: &Cx<'_>) -> RtResult {
    if from.is_null() || to.is_null() {
        return Ok(Value::Null);
    }
    let u = match unit {
        Some(v) if v.truthy() => unit_arg(v, cx)?,
        _ => Unit::Day,
    };
    let a = get_dayjs(from, off(cx))?;
    let b = get_dayjs(to, off(cx))?;
    // dayjs compares dates of different UTC modes as plain local dates.
    let (a, b) = if a.same_mode(&b) {
        (a, b)
    } else {
        (a.local(off(cx)), b.local(off(cx)))
    };
    let delta = b.utc_offset() - a.utc_offset();
    Ok(Value::Number(date::diff(at(&a), at(&b), u, float, delta)))
}

pub(super) fn datetime_diff(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    diff_calc(argv(args, 0), argv(args, 1), arg(args, 2), true, cx)
}

pub(super) fn tonow(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let now = Value::Number(cx.ctx.now_ms as f64);
    let d = diff_calc(&now, argv(args, 0), arg(args, 1), false, cx)?;
    Ok(Value::Number(d.to_number().abs()))
}

fn compare(args: &[Arg<'_>], cx: &Cx<'_>, before: bool) -> RtResult {
    if args.iter().any(|a| a.value.is_null()) {
        return Ok(Value::Null);
    }
    let a = get_dayjs(argv(args, 0), off(cx))?.ms;
    let b = get_dayjs(argv(args, 1), off(cx))?.ms;
    Ok(Value::Bool(if before { a < b } else { a > b }))
}

pub(super) fn is_before(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    compare(args, cx, true)
}

pub(super) fn is_after(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    compare(args, cx, false)
}

pub(super) fn is_same(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let u = match arg(args, 2) {
        Some(v) if v.truthy() => unit_arg(v, cx)?,
        _ => Unit::Ms,
    };
    let a = get_dayjs(argv(args, 0), off(cx))?;
    let b = get_dayjs(argv(args, 1), off(cx))?;
    Ok(Value::Bool(date::is_same(
        a.ms,
        b.ms,
        u,
        a.shift,
        a.locale.week_start,
    )))
}

/// `formatDateTimeStr`: `mon` becomes `Mon`. The real function's replacement reads only the
/// first alternative of its pattern, so any other lower-case day or month abbreviation
/// (`tue`…`sun`, `jan`…`dec`, `may` with a space) makes it throw.
fn capitalize_names(s: &str) -> Result<String, String> {
    const OTHERS: [&str; 18] = [
        "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may ", "jun", "jul",
        "aug", "sep", "oct", "nov", "dec",
    ];
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("mon") {
            i += 3;
            continue;
        }
        if OTHERS.iter().any(|n| rest.starts_with(n)) {
            return Err("Cannot read properties of undefined (reading 'charAt')".into());
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    Ok(s.replace("mon", "Mon"))
}

pub(super) fn datetime_parse(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let o = off(cx);
    let ms = match argv(args, 0) {
        // A number is read as it is; with a format it is invalid (dayjs gets an empty one).
        Value::Number(n) if args.len() >= 2 => {
            let _ = n;
            f64::NAN
        }
        Value::Number(n) => *n,
        Value::String(s) => {
            cx.budget.bytes(s.len() as u64)?;
            let s = capitalize_names(s)?;
            if args.len() >= 2 {
                let fmt = argv(args, 1).js_str(cx.budget)?;
                // Both are read as characters (four bytes each).
                cx.budget.bytes(4 * (s.len() as u64 + fmt.len() as u64))?;
                crate::parse_format::parse(&s, &fmt, cx.ctx.now_ms, o, cx.budget)?
            } else {
                date::parse_dayjs_string(&s, o)
            }
        }
        // `dateStr.replace` of something that is not a string.
        _ => return Err("dateStr.replace is not a function".into()),
    };
    Ok(ms_value(if date::valid(ms) {
        ms.trunc()
    } else {
        f64::NAN
    }))
}

fn fmt(args: &[Arg<'_>], cx: &Cx<'_>, pattern: &str) -> RtResult {
    let d = get_dayjs(argv(args, 0), off(cx))?;
    cx.budget
        .bytes(crate::format::FORMAT_BYTES_PER_PATTERN_BYTE * pattern.len() as u64)?;
    Ok(Value::String(crate::format::format(&d, pattern)))
}

pub(super) fn datetime_format(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let pattern = match arg(args, 1) {
        Some(v) if v.truthy() => v.js_str(cx.budget)?,
        _ => "YYYY-MM-DD HH:mm".into(),
    };
    fmt(args, cx, &pattern)
}

pub(super) fn datestr(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    fmt(args, cx, "YYYY-MM-DD")
}

pub(super) fn timestr(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    fmt(args, cx, "HH:mm:ss")
}

fn part(args: &[Arg<'_>], cx: &Cx<'_>, f: fn(&date::Parts) -> i64) -> RtResult {
    let d = get_dayjs(argv(args, 0), off(cx))?;
    Ok(Value::Number(f(&date::parts(d.ms, d.shift)) as f64))
}

pub(super) fn year(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    part(args, cx, |p| p.year)
}
pub(super) fn month(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    part(args, cx, |p| p.month)
}
pub(super) fn day(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    part(args, cx, |p| p.day)
}
pub(super) fn hour(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    part(args, cx, |p| p.hour)
}
pub(super) fn minute(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    part(args, cx, |p| p.minute)
}
pub(super) fn second(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    part(args, cx, |p| p.second)
}

pub(super) fn weekday(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let d = get_dayjs(argv(args, 0), off(cx))?;
    let day = date::parts(d.ms, d.shift).weekday;
    let start = match arg(args, 1) {
        Some(v) => v.js_str(cx.budget)?,
        None => "undefined".into(),
    };
    if lower_is(&start, "monday") {
        return Ok(Value::Number(if day == 0 { 6.0 } else { (day - 1) as f64 }));
    }
    Ok(Value::Number(day as f64))
}

fn start_of(d: &DateVal, u: Unit) -> f64 {
    date::start_of(d.ms, u, d.shift, d.locale.week_start)
}

/// dayjs `week()` in the date's locale (its first weekday, and the January day that is always
/// in week 1).
fn week(d: &DateVal) -> i64 {
    let o = d.shift;
    let p = date::parts(d.ms, o);
    let year_start = d.locale.year_start;
    if p.month == 12 && p.day > 25 {
        let next_year_start = date::from_parts(p.year + 1, 1, year_start, 0, 0, 0, 0, o);
        let end_of_week = date::add(start_of(d, Unit::Week), 7.0, Unit::Day, o) - 1.0;
        if next_year_start < end_of_week {
            return 1;
        }
    }
    let year_start_day = d.at(date::from_parts(p.year, 1, year_start, 0, 0, 0, 0, o));
    let year_start_week = start_of(&year_start_day, Unit::Week) - 1.0;
    let diff = (d.ms - year_start_week) / (7.0 * DAY);
    if diff < 0.0 {
        return week(&d.at(start_of(d, Unit::Week)));
    }
    diff.ceil() as i64
}

fn week_year(d: &DateVal) -> i64 {
    let p = date::parts(d.ms, d.shift);
    let w = week(d);
    if w == 1 && p.month == 12 {
        return p.year + 1;
    }
    if p.month == 1 && w >= 52 {
        return p.year - 1;
    }
    p.year
}

pub(super) fn weeknum(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let d = get_dayjs(argv(args, 0), off(cx))?;
    let o = d.shift;
    let start = match arg(args, 1) {
        Some(v) => v.js_str(cx.budget)?,
        None => "undefined".into(),
    };
    let sow: i64 = if lower_is(&start, "undefined") || lower_is(&start, "sunday") {
        0
    } else if lower_is(&start, "monday") {
        1
    } else {
        return Err("NaN".into());
    };
    let p = date::parts(d.ms, o);
    if week_year(&d) != p.year && week(&d) == 1 {
        let offset = if sow == 0 || p.weekday != 0 { 1 } else { 0 };
        let prev = d.at(date::add(d.ms, -1.0, Unit::Week, o));
        return Ok(Value::Number((week(&prev) + offset) as f64));
    }
    let shifted = d.at(date::add(d.ms, -(sow as f64), Unit::Day, o));
    if date::parts(start_of(&shifted, Unit::Week), o).year != p.year {
        return Ok(Value::Number(1.0));
    }
    if sow == 1 && p.weekday == 0 {
        return Ok(Value::Number((week(&d) - 1) as f64));
    }
    Ok(Value::Number(week(&d) as f64))
}

fn is_weekend(ms: f64, off: i32) -> bool {
    matches!(date::parts(ms, off).weekday, 0 | 6)
}

/// Whether `s.toLowerCase() === word` for a short lower-case ASCII `word` (a character lowers
/// to at least one byte from at most four, so longer strings cannot match).
fn lower_is(s: &str, word: &str) -> bool {
    s.len() <= 4 * word.len() && s.to_lowercase() == word
}

fn holidays(args: &[Arg<'_>], cx: &Cx<'_>) -> Result<Vec<DateVal>, String> {
    if args.len() <= 2 {
        return Ok(Vec::new());
    }
    let off = off(cx);
    let list = args[2].value.js_str(cx.budget)?;
    let pieces = list.split(',').filter(|v| *v != "null");
    let n = pieces.clone().count() as u64;
    cx.budget.steps(n)?;
    cx.budget.bytes(8 * n)?;
    pieces
        .map(|v| get_dayjs_str(crate::value::js_trim(v), off))
        .collect()
}

/// `a.isBefore(b, "date")`, `a.isSame(b, "date")`, `a.isAfter(b, "date")` on `a`'s wall clock.
fn day_cmp(a: &DateVal, b: f64) -> std::cmp::Ordering {
    let start = date::start_of(a.ms, Unit::Day, a.shift, 0);
    let end = date::add(start, 1.0, Unit::Day, a.shift) - 1.0;
    if end < b {
        std::cmp::Ordering::Less
    } else if b < start {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

pub(super) fn workday(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let origin = get_dayjs(argv(args, 0), off(cx))?;
    let o = origin.shift;
    let mut start = origin.ms;
    let start_day = date::parts(start, o).weekday;
    let total = argv(args, 1).to_number();
    if total > 10_000_000.0 || total.is_nan() {
        return Err("NaN".into());
    }
    let fwd = total >= 0.0;
    if start_day == 0 || start_day == 6 {
        let shift = if fwd {
            if start_day == 6 { -1.0 } else { -2.0 }
        } else if start_day == 6 {
            2.0
        } else {
            1.0
        };
        start = date::add(start, shift, Unit::Day, o);
    }
    let mut end = date::add(start, total, Unit::Day, o);
    let diff_week = |s: f64, e: f64| -> f64 {
        let (s, e) = (origin.at(s), origin.at(e));
        if week(&e) == week(&s) {
            0.0
        } else {
            let a = At {
                ms: start_of(&e, Unit::Week),
                off: o,
            };
            let b = At {
                ms: start_of(&s, Unit::Week),
                off: o,
            };
            date::diff(a, b, Unit::Week, false, 0)
        }
    };
    let skip = |d: f64| -> f64 {
        if is_weekend(d, o) {
            date::add(d, if fwd { 2.0 } else { -2.0 }, Unit::Day, o)
        } else {
            d
        }
    };
    let mut dw = diff_week(start, end);
    let mut guard = 0;
    while dw != 0.0 && guard < 100_000 {
        cx.budget.step()?;
        start = end;
        end = date::add(end, dw * 2.0, Unit::Day, o);
        dw = diff_week(start, end);
        guard += 1;
    }
    let mut fin = skip(end);
    for h in holidays(args, cx)? {
        let (s, e) = if fwd {
            (origin.ms, fin)
        } else {
            (fin, origin.ms)
        };
        let before = day_cmp(&h, s) == Less;
        let same = day_cmp(&h, if fwd { s } else { e }) == Equal;
        let after = day_cmp(&h, e) == Greater;
        if before || same || after {
            continue;
        }
        fin = date::add(fin, if fwd { 1.0 } else { -1.0 }, Unit::Day, o);
        fin = skip(fin);
    }
    Ok(Value::Number(fin))
}

/// `getStartOfDay`: midnight of the date's wall clock.
fn start_of_day(v: &Value, cx: &Cx<'_>) -> Result<DateVal, String> {
    let d = get_dayjs(v, off(cx))?;
    Ok(d.at(date::start_of(d.ms, Unit::Day, d.shift, 0)))
}

pub(super) fn workday_diff(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let mut s = start_of_day(argv(args, 0), cx)?;
    let mut e = start_of_day(argv(args, 1), cx)?;
    let hols = holidays(args, cx)?;
    let minus = s.ms > e.ms;
    if minus {
        std::mem::swap(&mut s, &mut e);
    }
    let wk = |d: i64| d == 0 || d == 6;
    let sd = date::parts(s.ms, s.shift).weekday;
    let ed = date::parts(e.ms, e.shift).weekday;
    let cs = if sd == 0 { 7 } else { sd };
    let ce = if ed == 0 { 7 } else { ed };
    let rs = if wk(sd) { 5 } else { sd };
    let re = if wk(ed) { 5 } else { ed };
    let mut diff_day = 0;
    if cs == ce {
        diff_day = if wk(sd) { 0 } else { 1 };
    }
    if cs < ce && cs != 6 {
        diff_day = re - rs + 1;
    }
    if cs > ce {
        diff_day = if wk(sd) { 5 + re - rs } else { 5 + re - rs + 1 };
    }
    let (a, b) = if e.same_mode(&s) {
        (e, s)
    } else {
        (e.local(off(cx)), s.local(off(cx)))
    };
    let weeks = date::diff(
        at(&a),
        at(&b),
        Unit::Week,
        false,
        b.utc_offset() - a.utc_offset(),
    );
    let mut count = weeks * 5.0 + diff_day as f64;
    for h in hols {
        let hd = date::parts(h.ms, h.shift).weekday;
        let e_after = day_cmp(&e, h.ms) == Greater;
        let s_before = day_cmp(&s, h.ms) == Less;
        let s_same = day_cmp(&s, h.ms) == Equal;
        if e_after && (s_before || s_same) && !wk(hd) {
            count -= 1.0;
        }
    }
    Ok(Value::Number(if minus { -count } else { count }))
}

pub(super) fn set_locale(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let mut d = get_dayjs(argv(args, 0), off(cx))?;
    d.locale = match arg(args, 1) {
        Some(Value::String(name)) if !name.is_empty() => locale::resolve(name, d.locale),
        Some(v) if v.truthy() => d.locale,
        _ => locale::resolve("zh-cn", d.locale),
    };
    Ok(Value::Date(d))
}

pub(super) fn set_timezone(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let d = get_dayjs(argv(args, 0), off(cx))?;
    let mut hours = arg(args, 1).map_or(f64::NAN, Value::to_number);
    // `Number(x)`; NaN (a zone name, a missing argument) means UTC+8.
    if hours.is_nan() {
        hours = 8.0;
    }
    // dayjs reads ±16 and less as hours, anything else as minutes.
    let minutes = if hours.abs() <= 16.0 {
        hours * 60.0
    } else {
        hours
    };
    if !minutes.is_finite() || minutes.abs() > MAX_OFFSET_MIN {
        return Err(base_error());
    }
    Ok(Value::Date(
        d.with_offset(date::js_round(minutes) as i32, off(cx)),
    ))
}

/// The largest `SET_TIMEZONE` offset kept, in minutes (about 190 years); dayjs would accept
/// more and give dates outside the valid range.
const MAX_OFFSET_MIN: f64 = 1e8;

pub(super) fn created_time(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(cx.record.created_at() as f64))
}

pub(super) fn last_modified_time(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(cx.record.updated_at() as f64))
}
