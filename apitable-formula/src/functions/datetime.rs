//! Date and time functions. Dates are epoch milliseconds; the server time zone is the fixed
//! offset of [`crate::EvalContext::utc_offset_minutes`].

use super::{Arg, Cx, RtResult, arg, argv, base_error, min_count};
use crate::FormulaError;
use crate::date::{self, Unit};
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

/// `getDayjs(v).valueOf()`: throws on null and on invalid dates.
pub(crate) fn get_dayjs(v: &Value, off: i32) -> Result<f64, String> {
    let ms = match v {
        Value::Null => return Err(base_error()),
        Value::Date(ms) => *ms,
        Value::String(s) => return get_dayjs_str(s, off),
        v => v.to_number(),
    };
    checked_ms(ms)
}

/// [`get_dayjs`] of a string.
fn get_dayjs_str(s: &str, off: i32) -> Result<f64, String> {
    let n = crate::value::string_to_number(s);
    checked_ms(if n.is_nan() {
        date::parse_dayjs_string(s, off)
    } else {
        n
    })
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
        Value::Date(ms) => *ms,
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

pub(super) fn today(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(date::start_of(
        cx.ctx.now_ms as f64,
        Unit::Day,
        off(cx),
    )))
}

pub(super) fn now(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(cx.ctx.now_ms as f64))
}

pub(super) fn dateadd(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let u = unit_arg(argv(args, 2), cx)?;
    let d = get_dayjs(argv(args, 0), off(cx))?;
    let n = argv(args, 1).to_number();
    let r = date::add(d, n, u, off(cx));
    Ok(Value::Number(if date::valid(r) { r } else { f64::NAN }))
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
    Ok(Value::Number(date::diff(a, b, u, float, off(cx))))
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
    let a = get_dayjs(argv(args, 0), off(cx))?;
    let b = get_dayjs(argv(args, 1), off(cx))?;
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
    Ok(Value::Bool(date::is_same(a, b, u, off(cx))))
}

/// Upper-cases the first letter of English day and month abbreviations (`formatDateTimeStr`).
fn capitalize_names(s: &str) -> String {
    const NAMES: [&str; 19] = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may ", "jun",
        "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if let Some(n) = NAMES.iter().find(|n| rest.starts_with(**n)) {
            out.push_str(&n[..1].to_uppercase());
            out.push_str(&n[1..]);
            i += n.len();
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// A small `customParseFormat`: numeric tokens, `MMM`/`MMMM` month names, `A`/`a`, and
/// literal characters. Returns NaN when the input does not fit.
fn parse_with_format(s: &str, fmt: &str, off: i32) -> f64 {
    let months = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let f: Vec<char> = fmt.chars().collect();
    let inp: Vec<char> = s.chars().collect();
    let (mut y, mut mo, mut d, mut h, mut mi, mut se, mut ms) =
        (None, None, None, 0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let (mut i, mut j) = (0usize, 0usize);
    let read_num = |j: &mut usize, max: usize| -> Option<i64> {
        let start = *j;
        while *j < inp.len() && *j - start < max && inp[*j].is_ascii_digit() {
            *j += 1;
        }
        if *j == start {
            return None;
        }
        inp[start..*j].iter().collect::<String>().parse().ok()
    };
    while i < f.len() {
        let c = f[i];
        let run = f[i..].iter().take_while(|&&x| x == c).count();
        let tok: String = f[i..i + run].iter().collect();
        let handled = match tok.as_str() {
            "YYYY" => {
                y = read_num(&mut j, 4);
                y.is_some()
            }
            "YY" => {
                y = read_num(&mut j, 2).map(|v| v + if v > 68 { 1900 } else { 2000 });
                y.is_some()
            }
            "MMMM" | "MMM" => {
                // The longest month name has nine letters.
                let rest: String = inp[j..].iter().take(9).collect::<String>().to_lowercase();
                let found = months.iter().enumerate().find_map(|(k, m)| {
                    if tok.len() == 4 && rest.starts_with(m) {
                        Some((k, m.len()))
                    } else if tok.len() == 3 && rest.starts_with(&m[..3]) {
                        Some((k, 3))
                    } else {
                        None
                    }
                });
                match found {
                    Some((k, l)) => {
                        mo = Some(k as i64 + 1);
                        j += l;
                        true
                    }
                    None => false,
                }
            }
            "MM" | "M" => {
                mo = read_num(&mut j, 2);
                mo.is_some()
            }
            "DD" | "D" => {
                d = read_num(&mut j, 2);
                d.is_some()
            }
            "HH" | "H" | "hh" | "h" => read_num(&mut j, 2).map(|v| h = v).is_some(),
            "mm" | "m" => read_num(&mut j, 2).map(|v| mi = v).is_some(),
            "ss" | "s" => read_num(&mut j, 2).map(|v| se = v).is_some(),
            "SSS" => read_num(&mut j, 3).map(|v| ms = v).is_some(),
            "A" | "a" => {
                let rest: String = inp[j..].iter().take(2).collect::<String>().to_lowercase();
                match rest.as_str() {
                    "am" => {
                        pm = Some(false);
                        j += 2;
                        true
                    }
                    "pm" => {
                        pm = Some(true);
                        j += 2;
                        true
                    }
                    _ => false,
                }
            }
            _ => {
                // Literal characters must match one by one.
                let mut ok = true;
                for k in 0..run {
                    if j < inp.len() && inp[j] == f[i + k] {
                        j += 1;
                    } else {
                        ok = false;
                        break;
                    }
                }
                ok
            }
        };
        if !handled {
            return f64::NAN;
        }
        i += run;
    }
    if let Some(p) = pm {
        if p && h < 12 {
            h += 12;
        } else if !p && h == 12 {
            h = 0;
        }
    }
    let now_year = 1970;
    let y = y.unwrap_or(now_year);
    let mo = mo.unwrap_or(1);
    let d = d.unwrap_or(1);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return f64::NAN;
    }
    date::from_parts(y, mo, d, h, mi, se, ms, off)
}

pub(super) fn datetime_parse(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    let ms = match v {
        Value::Number(n) => *n,
        Value::String(s) => {
            cx.budget.bytes(s.len() as u64)?;
            let s = capitalize_names(s);
            if args.len() >= 2 {
                let fmt = match arg(args, 1) {
                    Some(f) => f.js_str(cx.budget)?,
                    None => "undefined".into(),
                };
                // Both are read as characters (four bytes each).
                cx.budget.bytes(4 * (s.len() as u64 + fmt.len() as u64))?;
                parse_with_format(&s, &fmt, off(cx))
            } else {
                date::parse_dayjs_string(&s, off(cx))
            }
        }
        other => dayjs_value_of(other, off(cx)),
    };
    Ok(Value::Number(if date::valid(ms) {
        ms.trunc()
    } else {
        f64::NAN
    }))
}

fn fmt(args: &[Arg<'_>], cx: &Cx<'_>, pattern: &str) -> RtResult {
    let d = get_dayjs(argv(args, 0), off(cx))?;
    cx.budget
        .bytes(date::FORMAT_BYTES_PER_PATTERN_BYTE * pattern.len() as u64)?;
    Ok(Value::String(
        date::format(d, pattern, off(cx)).unwrap_or_else(|| "Invalid Date".into()),
    ))
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
    Ok(Value::Number(f(&date::parts(d, off(cx))) as f64))
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
    let day = date::parts(d, off(cx)).weekday;
    let start = match arg(args, 1) {
        Some(v) => v.js_str(cx.budget)?,
        None => "undefined".into(),
    };
    if lower_is(&start, "monday") {
        return Ok(Value::Number(if day == 0 { 6.0 } else { (day - 1) as f64 }));
    }
    Ok(Value::Number(day as f64))
}

/// dayjs `week()` for the English locale (weeks start on Sunday, week 1 holds January 1).
fn week(ms: f64, off: i32) -> i64 {
    let p = date::parts(ms, off);
    if p.month == 12 && p.day > 25 {
        let next_year_start = date::from_parts(p.year + 1, 1, 1, 0, 0, 0, 0, off);
        let end_of_week = date::start_of(ms, Unit::Week, off) + 7.0 * DAY - 1.0;
        if next_year_start < end_of_week {
            return 1;
        }
    }
    let year_start = date::from_parts(p.year, 1, 1, 0, 0, 0, 0, off);
    let year_start_week = date::start_of(year_start, Unit::Week, off) - 1.0;
    let diff = (ms - year_start_week) / (7.0 * DAY);
    if diff < 0.0 {
        return week(date::start_of(ms, Unit::Week, off), off);
    }
    diff.ceil() as i64
}

fn week_year(ms: f64, off: i32) -> i64 {
    let p = date::parts(ms, off);
    let w = week(ms, off);
    if w == 1 && p.month == 12 {
        return p.year + 1;
    }
    if p.month == 1 && w >= 52 {
        return p.year - 1;
    }
    p.year
}

pub(super) fn weeknum(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let o = off(cx);
    let d = get_dayjs(argv(args, 0), o)?;
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
    let p = date::parts(d, o);
    if week_year(d, o) != p.year && week(d, o) == 1 {
        let offset = if sow == 0 || p.weekday != 0 { 1 } else { 0 };
        return Ok(Value::Number(
            (week(date::add(d, -1.0, Unit::Week, o), o) + offset) as f64,
        ));
    }
    let shifted = date::add(d, -(sow as f64), Unit::Day, o);
    if date::parts(date::start_of(shifted, Unit::Week, o), o).year != p.year {
        return Ok(Value::Number(1.0));
    }
    if sow == 1 && p.weekday == 0 {
        return Ok(Value::Number((week(d, o) - 1) as f64));
    }
    Ok(Value::Number(week(d, o) as f64))
}

fn is_weekend(ms: f64, off: i32) -> bool {
    matches!(date::parts(ms, off).weekday, 0 | 6)
}

/// Whether `s.toLowerCase() === word` for a short lower-case ASCII `word` (a character lowers
/// to at least one byte from at most four, so longer strings cannot match).
fn lower_is(s: &str, word: &str) -> bool {
    s.len() <= 4 * word.len() && s.to_lowercase() == word
}

fn holidays(args: &[Arg<'_>], cx: &Cx<'_>) -> Result<Vec<f64>, String> {
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

pub(super) fn workday(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let o = off(cx);
    let origin = get_dayjs(argv(args, 0), o)?;
    let mut start = origin;
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
        if week(e, o) == week(s, o) {
            0.0
        } else {
            date::diff(
                date::start_of(e, Unit::Week, o),
                date::start_of(s, Unit::Week, o),
                Unit::Week,
                false,
                o,
            )
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
        let (s, e) = if fwd { (origin, fin) } else { (fin, origin) };
        let before = date::start_of(h, Unit::Day, o) + DAY - 1.0 < s;
        let same = date::is_same(h, if fwd { s } else { e }, Unit::Day, o);
        let after = e < date::start_of(h, Unit::Day, o);
        if before || same || after {
            continue;
        }
        fin = date::add(fin, if fwd { 1.0 } else { -1.0 }, Unit::Day, o);
        fin = skip(fin);
    }
    Ok(Value::Number(fin))
}

pub(super) fn workday_diff(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let o = off(cx);
    let mut s = date::start_of(get_dayjs(argv(args, 0), o)?, Unit::Day, o);
    let mut e = date::start_of(get_dayjs(argv(args, 1), o)?, Unit::Day, o);
    let hols = holidays(args, cx)?;
    let minus = s > e;
    if minus {
        std::mem::swap(&mut s, &mut e);
    }
    let wk = |d: i64| d == 0 || d == 6;
    let sd = date::parts(s, o).weekday;
    let ed = date::parts(e, o).weekday;
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
    let weeks = date::diff(e, s, Unit::Week, false, o);
    let mut count = weeks * 5.0 + diff_day as f64;
    for h in hols {
        let hd = date::parts(h, o).weekday;
        let e_after = h < date::start_of(e, Unit::Day, o);
        let s_before = date::start_of(s, Unit::Day, o) + DAY - 1.0 < h;
        let s_same = date::is_same(s, h, Unit::Day, o);
        if e_after && (s_before || s_same) && !wk(hd) {
            count -= 1.0;
        }
    }
    Ok(Value::Number(if minus { -count } else { count }))
}

pub(super) fn set_locale(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Date(get_dayjs(argv(args, 0), off(cx))?))
}

pub(super) fn set_timezone(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Date(get_dayjs(argv(args, 0), off(cx))?))
}

pub(super) fn created_time(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(cx.record.created_at() as f64))
}

pub(super) fn last_modified_time(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Number(cx.record.updated_at() as f64))
}
