//! Calendar arithmetic on epoch milliseconds at a fixed offset (a date's wall clock), and the
//! parts of dayjs the date functions rely on: string parsing, adding, diffing, `startOf`.
//!
//! Dates span the whole JavaScript range (±8.64e15 ms, about ±275,760 years) with the
//! proleptic Gregorian calendar, as `Date` does.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

const DAY_MS: f64 = 86_400_000.0;

/// Days since 1970-01-01 for a proleptic Gregorian date (month 1–12).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month 1–12, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Local calendar parts of an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Year
    pub year: i64,
    /// Month 1–12
    pub month: i64,
    /// Day of month
    pub day: i64,
    /// Hour 0–23
    pub hour: i64,
    /// Minute
    pub minute: i64,
    /// Second
    pub second: i64,
    /// Millisecond
    pub ms: i64,
    /// Day of week, 0 = Sunday
    pub weekday: i64,
}

/// Whether `ms` is a valid JS time value.
pub fn valid(ms: f64) -> bool {
    ms.is_finite() && ms.abs() <= 8.64e15
}

/// Local parts of `ms` at a fixed offset.
pub fn parts(ms: f64, offset_min: i32) -> Parts {
    let local = ms.trunc() as i64 + i64::from(offset_min) * 60_000;
    let days = local.div_euclid(86_400_000);
    let rem = local.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: rem / 3_600_000,
        minute: rem / 60_000 % 60,
        second: rem / 1000 % 60,
        ms: rem % 1000,
        weekday: (days + 4).rem_euclid(7),
    }
}

/// Epoch ms of local calendar parts (months and days may overflow, as with `new Date(…)`).
#[allow(clippy::too_many_arguments)]
pub fn from_parts(
    y: i64,
    mo: i64,
    d: i64,
    h: i64,
    mi: i64,
    s: i64,
    ms: i64,
    offset_min: i32,
) -> f64 {
    let m0 = mo - 1;
    let y = y + m0.div_euclid(12);
    let m = m0.rem_euclid(12) + 1;
    let days = days_from_civil(y, m, 1) + d - 1;
    let local = days as f64 * DAY_MS + (h * 3_600_000 + mi * 60_000 + s * 1000 + ms) as f64;
    local - f64::from(offset_min) * 60_000.0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    days_from_civil(y + (m / 12), m % 12 + 1, 1) - days_from_civil(y, m, 1)
}

/// A time unit of the date functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// ms
    Ms,
    /// s
    Second,
    /// m
    Minute,
    /// h
    Hour,
    /// d
    Day,
    /// w
    Week,
    /// M
    Month,
    /// Q
    Quarter,
    /// y
    Year,
}

/// Parses a unit name (case-sensitive, plural or short).
pub fn unit(s: &str) -> Option<Unit> {
    Some(match s {
        "milliseconds" | "ms" => Unit::Ms,
        "seconds" | "s" => Unit::Second,
        "minutes" | "m" => Unit::Minute,
        "hours" | "h" => Unit::Hour,
        "days" | "d" => Unit::Day,
        "weeks" | "w" => Unit::Week,
        "months" | "M" => Unit::Month,
        "quarters" | "Q" => Unit::Quarter,
        "years" | "y" => Unit::Year,
        _ => return None,
    })
}

/// JavaScript `Math.round`: halves round towards +∞.
pub fn js_round(x: f64) -> f64 {
    let f = x.floor();
    if x - f >= 0.5 { f + 1.0 } else { f }
}

/// dayjs `add(n, unit)` on the wall clock `off` minutes east of UTC.
pub fn add(ms: f64, n: f64, u: Unit, off: i32) -> f64 {
    // Beyond ±1e11 every result is outside the valid date range anyway.
    if n.is_nan() || n.abs() > 1e11 {
        return f64::NAN;
    }
    match u {
        Unit::Ms => (ms + n).trunc(),
        Unit::Second => (ms + n * 1000.0).trunc(),
        Unit::Minute => (ms + n * 60_000.0).trunc(),
        Unit::Hour => (ms + n * 3_600_000.0).trunc(),
        Unit::Day | Unit::Week => {
            let step = if u == Unit::Week { 7.0 } else { 1.0 };
            let p = parts(ms, off);
            from_parts(
                p.year,
                p.month,
                p.day + js_round(step * n) as i64,
                p.hour,
                p.minute,
                p.second,
                p.ms,
                off,
            )
        }
        Unit::Month | Unit::Quarter => {
            // `setMonth(month + n)`: the sum is truncated, not `n`.
            let n = if u == Unit::Quarter { n * 3.0 } else { n };
            let m0 = (parts(ms, off).month - 1) as f64;
            add_months(ms, ((m0 + n).trunc() - m0) as i64, off)
        }
        Unit::Year => {
            let y = parts(ms, off).year as f64;
            add_months(ms, ((y + n).trunc() - y) as i64 * 12, off)
        }
    }
}

fn add_months(ms: f64, months: i64, off: i32) -> f64 {
    let p = parts(ms, off);
    let total = p.year * 12 + (p.month - 1) + months;
    let y = total.div_euclid(12);
    let m = total.rem_euclid(12) + 1;
    let d = p.day.min(days_in_month(y, m));
    from_parts(y, m, d, p.hour, p.minute, p.second, p.ms, off)
}

/// A date's instant and wall-clock offset, for the functions that compare two dates.
#[derive(Debug, Clone, Copy)]
pub struct At {
    /// Epoch milliseconds.
    pub ms: f64,
    /// Minutes east of UTC of its wall clock.
    pub off: i32,
}

/// dayjs `monthDiff(a, b)`, each date on its own wall clock.
fn month_diff(a: At, b: At) -> f64 {
    let pa = parts(a.ms, a.off);
    let pb = parts(b.ms, b.off);
    if pa.day < pb.day {
        return -month_diff(b, a);
    }
    let whole = (pb.year - pa.year) * 12 + (pb.month - pa.month);
    let anchor = add_months(a.ms, whole, a.off);
    let c = b.ms - anchor < 0.0;
    let anchor2 = add_months(a.ms, whole + if c { -1 } else { 1 }, a.off);
    let denom = if c {
        anchor - anchor2
    } else {
        anchor2 - anchor
    };
    let r = -(whole as f64 + (b.ms - anchor) / denom);
    if r.is_nan() || r == 0.0 { 0.0 } else { r }
}

/// dayjs `a.diff(b, unit, float)`; `zone_delta_min` is `b.utcOffset() - a.utcOffset()`.
pub fn diff(a: At, b: At, u: Unit, float: bool, zone_delta_min: i32) -> f64 {
    let d = a.ms - b.ms;
    let zd = f64::from(zone_delta_min) * 60_000.0;
    let r = match u {
        Unit::Year => month_diff(a, b) / 12.0,
        Unit::Month => month_diff(a, b),
        Unit::Quarter => month_diff(a, b) / 3.0,
        Unit::Week => (d - zd) / (7.0 * DAY_MS),
        Unit::Day => (d - zd) / DAY_MS,
        Unit::Hour => d / 3_600_000.0,
        Unit::Minute => d / 60_000.0,
        Unit::Second => d / 1000.0,
        Unit::Ms => d,
    };
    if float { r } else { r.trunc() + 0.0 }
}

/// dayjs `startOf(unit)` on the wall clock `off`, weeks starting on `week_start` (0 = Sunday).
pub fn start_of(ms: f64, u: Unit, off: i32, week_start: i64) -> f64 {
    let p = parts(ms, off);
    match u {
        Unit::Ms => ms.trunc(),
        Unit::Second => from_parts(p.year, p.month, p.day, p.hour, p.minute, p.second, 0, off),
        Unit::Minute => from_parts(p.year, p.month, p.day, p.hour, p.minute, 0, 0, off),
        Unit::Hour => from_parts(p.year, p.month, p.day, p.hour, 0, 0, 0, off),
        Unit::Day => from_parts(p.year, p.month, p.day, 0, 0, 0, 0, off),
        Unit::Week => {
            let gap = if p.weekday < week_start {
                p.weekday + 7
            } else {
                p.weekday
            } - week_start;
            from_parts(p.year, p.month, p.day - gap, 0, 0, 0, 0, off)
        }
        Unit::Month => from_parts(p.year, p.month, 1, 0, 0, 0, 0, off),
        Unit::Quarter => from_parts(p.year, (p.month - 1) / 3 * 3 + 1, 1, 0, 0, 0, 0, off),
        Unit::Year => from_parts(p.year, 1, 1, 0, 0, 0, 0, off),
    }
}

/// dayjs `a.isSame(b, unit)`: `b` within `a`'s unit on `a`'s wall clock.
pub fn is_same(a: f64, b: f64, u: Unit, off: i32, week_start: i64) -> bool {
    let start = start_of(a, u, off, week_start);
    let end = match u {
        Unit::Week => add(start, 7.0, Unit::Day, off) - 1.0,
        _ => add(start, 1.0, u, off) - 1.0,
    };
    start <= b && b <= end
}

fn pad(n: i64, w: usize) -> String {
    if n < 0 {
        format!("-{:0w$}", -n)
    } else {
        format!("{n:0w$}")
    }
}
/// `Date.prototype.toISOString()`; `None` for an invalid date.
pub fn to_iso(ms: f64) -> Option<String> {
    if !valid(ms) {
        return None;
    }
    let p = parts(ms, 0);
    let year = if (0..=9999).contains(&p.year) {
        format!("{:04}", p.year)
    } else if p.year < 0 {
        format!("-{:06}", -p.year)
    } else {
        format!("+{:06}", p.year)
    };
    Some(format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.month, p.day, p.hour, p.minute, p.second, p.ms
    ))
}

/// `Date.prototype.toUTCString()` (what a dayjs object prints as).
pub fn to_utc_string(ms: f64) -> String {
    if !valid(ms) {
        return "Invalid Date".into();
    }
    let p = parts(ms, 0);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &crate::locale::english().weekdays[p.weekday as usize][..3],
        p.day,
        &crate::locale::english().months[(p.month - 1) as usize][..3],
        pad(p.year, 4),
        p.hour,
        p.minute,
        p.second
    )
}

/// JavaScript's `\s` as a regex class.
const JS_SPACE: &str = r"[\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]";

/// `dateStrReplaceCN`: `年`/`月` (and one white-space character either side) become `/`,
/// `时`/`分` likewise `:`, and `日`/`秒` go; no copy when there are none.
pub fn replace_cn(s: &str) -> Cow<'_, str> {
    if !s.contains(['年', '月', '日', '时', '分', '秒']) {
        return Cow::Borrowed(s);
    }
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| {
        let sp = JS_SPACE;
        Regex::new(&format!("({sp}?[年月]{sp}?)|({sp}?[时分]{sp}?)|([日秒])")).expect("valid regex")
    });
    re.replace_all(s, |c: &regex::Captures<'_>| {
        if c.get(1).is_some() {
            "/"
        } else if c.get(2).is_some() {
            ":"
        } else {
            ""
        }
    })
}

/// dayjs's `REGEX_PARSE`, whose matches it reads as local time.
fn parse_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        let sp = &JS_SPACE[1..JS_SPACE.len() - 1];
        Regex::new(&format!(
            "^([0-9]{{4}})[-/]?([0-9]{{1,2}})?[-/]?([0-9]{{0,2}})[Tt{sp}]*\
             ([0-9]{{1,2}})?:?([0-9]{{1,2}})?:?([0-9]{{1,2}})?[.:]?([0-9]+)?$"
        ))
        .expect("valid regex")
    })
}

/// dayjs's default string parse on the wall clock `off`: strings that match `REGEX_PARSE`
/// (`YYYY[-/]MM[-/]DD[T ]HH:mm:ss.SSS`, every part after the year optional) are local
/// calendar parts; the rest (and every string ending in `Z`) goes to `new Date(string)`.
pub fn parse_dayjs_string(s: &str, off: i32) -> f64 {
    if !s.ends_with(['Z', 'z'])
        && let Some(c) = parse_regex().captures(s)
    {
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i64>().ok());
        // `d[2] - 1 || 0`: a missing month is January.
        let month = num(2).unwrap_or(1);
        // `d[3] || 1` on the matched text: only an empty day is 1 ("0" is a day 0).
        let day = num(3).unwrap_or(1);
        // Only the first three digits of the fraction count.
        let ms = c
            .get(7)
            .map_or(0, |m| m.as_str()[..m.len().min(3)].parse().unwrap_or(0));
        // `new Date(y, …)`: years 0–99 are 1900–1999.
        let y = crate::parse_format::full_year(num(1).unwrap_or(0) as f64) as i64;
        let t = from_parts(
            y,
            month,
            day,
            num(4).unwrap_or(0),
            num(5).unwrap_or(0),
            num(6).unwrap_or(0),
            ms,
            off,
        );
        return if valid(t) { t } else { f64::NAN };
    }
    crate::jsdate::parse(s, off)
}

/// Turns a date-ish string into ms the way `getDayjs` does for strings (numeric strings are ms).
pub fn parse_date_value(s: &str, off: i32) -> Option<f64> {
    let n = crate::value::string_to_number(s);
    let ms = if n.is_nan() {
        parse_dayjs_string(&replace_cn(s), off)
    } else {
        n
    };
    valid(ms).then_some(ms)
}
