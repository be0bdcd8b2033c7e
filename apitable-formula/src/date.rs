//! Calendar arithmetic on epoch milliseconds in a fixed-offset time zone, and the parts of
//! dayjs the date functions rely on (parsing, formatting, adding, diffing, `startOf`).

use std::borrow::Cow;

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

/// dayjs `add(n, unit)`.
pub fn add(ms: f64, n: f64, u: Unit, off: i32) -> f64 {
    // Beyond ±1e8 days every result is outside the valid date range anyway.
    if n.is_nan() || n.abs() > 1e11 {
        return f64::NAN;
    }
    match u {
        Unit::Ms => (ms + n).trunc(),
        Unit::Second => (ms + n * 1000.0).trunc(),
        Unit::Minute => (ms + n * 60_000.0).trunc(),
        Unit::Hour => (ms + n * 3_600_000.0).trunc(),
        Unit::Day | Unit::Week => {
            let days = if u == Unit::Week { n * 7.0 } else { n };
            let p = parts(ms, off);
            from_parts(
                p.year,
                p.month,
                p.day + days.round() as i64,
                p.hour,
                p.minute,
                p.second,
                p.ms,
                off,
            )
        }
        Unit::Month | Unit::Quarter | Unit::Year => {
            let months = match u {
                Unit::Month => n.trunc() as i64,
                Unit::Quarter => (n * 3.0).trunc() as i64,
                _ => n.trunc() as i64 * 12,
            };
            add_months(ms, months, off)
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

fn month_diff(a: f64, b: f64, off: i32) -> f64 {
    // dayjs monthDiff(a, b), as `a.diff(b, "M", true)` uses it.
    let pa = parts(a, off);
    let pb = parts(b, off);
    if pa.day < pb.day {
        return -month_diff(b, a, off);
    }
    let whole = (pb.year - pa.year) * 12 + (pb.month - pa.month);
    let anchor = add_months(a, whole, off);
    let c = b - anchor < 0.0;
    let anchor2 = add_months(a, whole + if c { -1 } else { 1 }, off);
    let denom = if c {
        anchor - anchor2
    } else {
        anchor2 - anchor
    };
    let r = -(whole as f64 + (b - anchor) / denom);
    if r.is_nan() || r == 0.0 { 0.0 } else { r }
}

/// dayjs `a.diff(b, unit, float)`.
pub fn diff(a: f64, b: f64, u: Unit, float: bool, off: i32) -> f64 {
    let r = match u {
        Unit::Year => month_diff(a, b, off) / 12.0,
        Unit::Month => month_diff(a, b, off),
        Unit::Quarter => month_diff(a, b, off) / 3.0,
        Unit::Week => (a - b) / (7.0 * DAY_MS),
        Unit::Day => (a - b) / DAY_MS,
        Unit::Hour => (a - b) / 3_600_000.0,
        Unit::Minute => (a - b) / 60_000.0,
        Unit::Second => (a - b) / 1000.0,
        Unit::Ms => a - b,
    };
    if float { r } else { r.trunc() + 0.0 }
}

/// dayjs `startOf(unit)` in the local zone (weeks start on Sunday).
pub fn start_of(ms: f64, u: Unit, off: i32) -> f64 {
    let p = parts(ms, off);
    match u {
        Unit::Ms => ms.trunc(),
        Unit::Second => from_parts(p.year, p.month, p.day, p.hour, p.minute, p.second, 0, off),
        Unit::Minute => from_parts(p.year, p.month, p.day, p.hour, p.minute, 0, 0, off),
        Unit::Hour => from_parts(p.year, p.month, p.day, p.hour, 0, 0, 0, off),
        Unit::Day => from_parts(p.year, p.month, p.day, 0, 0, 0, 0, off),
        Unit::Week => from_parts(p.year, p.month, p.day - p.weekday, 0, 0, 0, 0, off),
        Unit::Month => from_parts(p.year, p.month, 1, 0, 0, 0, 0, off),
        Unit::Quarter => from_parts(p.year, (p.month - 1) / 3 * 3 + 1, 1, 0, 0, 0, 0, off),
        Unit::Year => from_parts(p.year, 1, 1, 0, 0, 0, 0, off),
    }
}

/// dayjs `isSame(other, unit)`.
pub fn is_same(a: f64, b: f64, u: Unit, off: i32) -> bool {
    let start = start_of(a, u, off);
    let end = add(start, 1.0, u, off) - 1.0;
    start <= b && b <= end
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn pad(n: i64, w: usize) -> String {
    if n < 0 {
        format!("-{:0w$}", -n)
    } else {
        format!("{n:0w$}")
    }
}

fn zone(off: i32, colon: bool) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    if colon {
        format!("{sign}{:02}:{:02}", a / 60, a % 60)
    } else {
        format!("{sign}{:02}{:02}", a / 60, a % 60)
    }
}

/// The most output bytes [`format`] prints per byte of its pattern: the one-byte token `x`
/// prints up to 17 characters (`-8640000000000000`); no token prints more per pattern byte.
const FORMAT_OUT_PER_PATTERN_BYTE: usize = 17;

/// Upper bound of the memory [`format`] takes per byte of its pattern: its characters (four
/// bytes each) and its output, allocated at its largest possible size up front.
pub const FORMAT_BYTES_PER_PATTERN_BYTE: u64 = 4 + FORMAT_OUT_PER_PATTERN_BYTE as u64;

/// dayjs `format(fmt)` in English; `None` for an invalid date.
pub fn format(ms: f64, fmt: &str, off: i32) -> Option<String> {
    if !valid(ms) {
        return None;
    }
    let p = parts(ms, off);
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(FORMAT_OUT_PER_PATTERN_BYTE * fmt.len());
    let mut i = 0;
    // Once no `]` follows some position, none follows any later one: stop looking (an
    // unclosed `[` must not make every later `[` scan to the end).
    let mut no_close = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '[' && !no_close {
            match chars[i + 1..].iter().position(|&x| x == ']') {
                Some(end) if end > 0 => {
                    out.extend(&chars[i + 1..i + 1 + end]);
                    i += end + 2;
                    continue;
                }
                Some(_) => {}
                None => no_close = true,
            }
        }
        // Runs matter up to four characters; longer ones are taken four at a time.
        let run = chars[i..].iter().take(4).take_while(|&&x| x == c).count();
        let (take, text) = match (c, run) {
            ('Y', r) if r >= 4 => (4, pad(p.year, 4)),
            ('Y', r) if r >= 2 => (2, pad(p.year.rem_euclid(100), 2)),
            ('M', r) if r >= 4 => (4, MONTHS[(p.month - 1) as usize].to_string()),
            ('M', 3) => (3, MONTHS[(p.month - 1) as usize][..3].to_string()),
            ('M', 2) => (2, pad(p.month, 2)),
            ('M', _) => (1, p.month.to_string()),
            ('D', r) if r >= 2 => (2, pad(p.day, 2)),
            ('D', _) => (1, p.day.to_string()),
            ('d', r) if r >= 4 => (4, DAYS[p.weekday as usize].to_string()),
            ('d', 3) => (3, DAYS[p.weekday as usize][..3].to_string()),
            ('d', 2) => (2, DAYS[p.weekday as usize][..2].to_string()),
            ('d', _) => (1, p.weekday.to_string()),
            ('H', r) if r >= 2 => (2, pad(p.hour, 2)),
            ('H', _) => (1, p.hour.to_string()),
            ('h', r) => {
                let h12 = if p.hour % 12 == 0 { 12 } else { p.hour % 12 };
                if r >= 2 {
                    (2, pad(h12, 2))
                } else {
                    (1, h12.to_string())
                }
            }
            ('m', r) if r >= 2 => (2, pad(p.minute, 2)),
            ('m', _) => (1, p.minute.to_string()),
            ('s', r) if r >= 2 => (2, pad(p.second, 2)),
            ('s', _) => (1, p.second.to_string()),
            ('S', r) if r >= 3 => (3, pad(p.ms, 3)),
            ('A', _) => (1, if p.hour < 12 { "AM" } else { "PM" }.to_string()),
            ('a', _) => (1, if p.hour < 12 { "am" } else { "pm" }.to_string()),
            ('Z', r) if r >= 2 => (2, zone(off, false)),
            ('Z', _) => (1, zone(off, true)),
            ('Q', _) => (1, ((p.month - 1) / 3 + 1).to_string()),
            ('X', _) => (1, ((ms / 1000.0).floor() as i64).to_string()),
            ('x', _) => (1, (ms as i64).to_string()),
            _ => (1, c.to_string()),
        };
        out.push_str(&text);
        i += take;
    }
    Some(out)
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
        &DAYS[p.weekday as usize][..3],
        p.day,
        &MONTHS[(p.month - 1) as usize][..3],
        pad(p.year, 4),
        p.hour,
        p.minute,
        p.second
    )
}

/// Replaces Chinese 年/月/日 date separators (`dateStrReplaceCN`); no copy when there are none.
fn replace_cn(s: &str) -> Cow<'_, str> {
    if !s.contains(['年', '月', '日']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '年' | '月' => out.push('-'),
            '日' => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The byte of `s` at `i`, if any. Every character the date grammars match is ASCII, and an
/// ASCII byte never occurs inside a longer UTF-8 sequence, so they work on bytes.
fn byte(s: &[u8], i: usize) -> Option<u8> {
    s.get(i).copied()
}

/// Between `min` and `max` ASCII digits at `*i`: their value, or -1 when none were wanted
/// and none are there; `None` (and `*i` unchanged) when fewer than `min`.
fn digits(s: &str, i: &mut usize, min: usize, max: usize) -> Option<i64> {
    let b = s.as_bytes();
    let start = *i;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < min {
        *i = start;
        return None;
    }
    if *i == start {
        return Some(-1);
    }
    s[start..*i].parse().ok()
}

/// dayjs's default string parse: `YYYY[-/]MM[-/]DD[T ]HH:mm:ss.SSS` in local time, or
/// `new Date(str)` for strings ending in `Z` (and ISO strings with an offset).
pub fn parse_dayjs_string(s: &str, off: i32) -> f64 {
    let s = replace_cn(s);
    let ends_z = s.ends_with(['Z', 'z']);
    if !ends_z && let Some(ms) = parse_local(&s, off) {
        return ms;
    }
    parse_js_date(&s).unwrap_or(f64::NAN)
}

/// The REGEX_PARSE of dayjs: `^(\d{4})[-/]?(\d{1,2})?[-/]?(\d{0,2})[Tt\s]*(\d{1,2})?:?(\d{1,2})?:?(\d{1,2})?[.:]?(\d+)?$`
fn parse_local(s: &str, off: i32) -> Option<f64> {
    // A greedy matcher is enough for the strings that matter.
    fn go(s: &str) -> Option<[i64; 7]> {
        let b = s.as_bytes();
        let mut i = 0;
        let y = digits(s, &mut i, 4, 4)?;
        let sep = |i: &mut usize| {
            if matches!(byte(b, *i), Some(b'-' | b'/')) {
                *i += 1;
            }
        };
        sep(&mut i);
        let mo = digits(s, &mut i, 0, 2).unwrap_or(-1);
        sep(&mut i);
        let d = digits(s, &mut i, 0, 2).unwrap_or(-1);
        while let Some(c) = s[i..].chars().next()
            && (c == 'T' || c == 't' || crate::lexer::is_js_space(c))
        {
            i += c.len_utf8();
        }
        let h = digits(s, &mut i, 0, 2).unwrap_or(-1);
        if byte(b, i) == Some(b':') {
            i += 1;
        }
        let mi = digits(s, &mut i, 0, 2).unwrap_or(-1);
        if byte(b, i) == Some(b':') {
            i += 1;
        }
        let se = digits(s, &mut i, 0, 2).unwrap_or(-1);
        if matches!(byte(b, i), Some(b'.' | b':')) {
            i += 1;
        }
        let start = i;
        while byte(b, i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        let frac = &s[start..i.min(start + 3)];
        let msv = if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>().ok()?
        };
        if i != s.len() {
            return None;
        }
        Some([y, mo, d, h, mi, se, msv])
    }
    let [y, mo, d, h, mi, se, msv] = go(s)?;
    let or = |v: i64, dflt: i64| if v < 0 { dflt } else { v };
    // dayjs: new Date(y, M - 1, d || 1, h || 0, …); month missing → (NaN - 1) → Invalid
    if mo < 0 {
        return Some(f64::NAN);
    }
    let d = if d <= 0 { 1 } else { d };
    Some(from_parts(
        y,
        mo,
        d,
        or(h, 0),
        or(mi, 0),
        or(se, 0),
        msv,
        off,
    ))
}

/// A subset of `new Date(string)`: ISO 8601 date-times with `Z` or a `±HH:mm` offset.
fn parse_js_date(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    let mut i = 0;
    let y = digits(s, &mut i, 4, 4)?;
    let mut mo = 1;
    let mut d = 1;
    if byte(b, i) == Some(b'-') {
        i += 1;
        mo = digits(s, &mut i, 2, 2)?;
        if byte(b, i) == Some(b'-') {
            i += 1;
            d = digits(s, &mut i, 2, 2)?;
        }
    }
    let (mut h, mut mi, mut se, mut msv) = (0, 0, 0, 0);
    if matches!(byte(b, i), Some(b'T' | b't' | b' ')) {
        i += 1;
        h = digits(s, &mut i, 2, 2)?;
        if byte(b, i) != Some(b':') {
            return None;
        }
        i += 1;
        mi = digits(s, &mut i, 2, 2)?;
        if byte(b, i) == Some(b':') {
            i += 1;
            se = digits(s, &mut i, 2, 2)?;
            if byte(b, i) == Some(b'.') {
                i += 1;
                let start = i;
                while byte(b, i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                let frac = &s[start..i.min(start + 3)];
                msv = format!("{frac:0<3}").parse().ok()?;
            }
        }
    }
    let mut off = 0i32;
    if let Some(c) = byte(b, i) {
        match c {
            b'Z' | b'z' => i += 1,
            b'+' | b'-' => {
                let sign = if c == b'-' { -1 } else { 1 };
                i += 1;
                let oh = digits(s, &mut i, 2, 2)?;
                if byte(b, i) == Some(b':') {
                    i += 1;
                }
                let om = digits(s, &mut i, 2, 2)?;
                off = sign * (oh * 60 + om) as i32;
            }
            _ => return None,
        }
    }
    if i != s.len()
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 24
        || mi > 59
        || se > 59
    {
        return None;
    }
    Some(from_parts(y, mo, d, h, mi, se, msv, off))
}

/// Turns a date-ish string into ms the way `getDayjs` does for strings (numeric strings are ms).
pub fn parse_date_value(s: &str, off: i32) -> Option<f64> {
    let n = crate::value::string_to_number(s);
    let ms = if n.is_nan() {
        parse_dayjs_string(s, off)
    } else {
        n
    };
    valid(ms).then_some(ms)
}
