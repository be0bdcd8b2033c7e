//! `DATETIME_PARSE(text, format)`: dayjs's `customParseFormat` with its quirks.
//!
//! The format is split into tokens (`YYYY YY Y MMMM MMM MM M DD D Do HH H hh h mm m ss s SSS
//! SS S A a Z ZZ`), runs of separators (`-_:/.,()` and white space) and `[text]`; any other
//! character of the format is dropped. Separators and text only move the reading position
//! by their length, without being compared with the input. Each token takes the first match
//! of its pattern anywhere in the rest of the input, and that text is then removed from the
//! input where it first occurs. A part the input does not give comes from "now": no year,
//! month or day is today; a month or day alone is of this year. English month names and
//! `AM`/`PM` are matched case-sensitively.

use std::sync::OnceLock;

use regex::Regex;

use crate::budget::Budget;
use crate::date::{from_parts, parts};
use crate::format::expand_shortcuts;
use crate::locale;

/// JavaScript's `\s` inside a regex class.
const SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

fn token_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(&format!(
            r"(\[[^\[]*\])|([-_:/.,(){SPACE}]+)|(A|a|YYYY|YY?|MM?M?M?|Do|DD?|hh?|HH?|mm?|ss?|S{{1,3}}|z|ZZ?)"
        ))
        .expect("valid regex")
    })
}

/// The pattern of each kind of token.
fn pattern(kind: Pat) -> &'static Regex {
    static R: OnceLock<[Regex; 8]> = OnceLock::new();
    let all = R.get_or_init(|| {
        [
            r"[0-9]".to_string(),
            r"[0-9][0-9]".to_string(),
            r"[0-9]{3}".to_string(),
            r"[0-9]{4}".to_string(),
            r"[0-9][0-9]?".to_string(),
            r"[+-]?[0-9]+".to_string(),
            r"[+-][0-9][0-9]:?([0-9][0-9])?|Z".to_string(),
            format!(r"[0-9]*[^-_:/,(){SPACE}0-9]+"),
        ]
        .map(|p| Regex::new(&p).expect("valid regex"))
    });
    &all[kind as usize]
}

#[derive(Clone, Copy)]
enum Pat {
    One,
    Two,
    Three,
    Four,
    OneOrTwo,
    Signed,
    Offset,
    Word,
}

/// What the tokens read.
#[derive(Default)]
struct Read {
    year: Option<f64>,
    month: Option<f64>,
    day: Option<f64>,
    hours: Option<f64>,
    minutes: Option<f64>,
    seconds: Option<f64>,
    ms: Option<f64>,
    afternoon: Option<bool>,
    zone: Option<i64>,
}

fn num(s: &str) -> f64 {
    crate::value::string_to_number(s)
}

/// `offsetFromString`: minutes to add to the parts to reach UTC.
fn offset_from(s: &str) -> i64 {
    if s == "Z" {
        return 0;
    }
    let sign = &s[..1];
    let digits = &s[1..].replace(':', "");
    let h: i64 = digits.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    let m: i64 = digits.get(2..4).and_then(|d| d.parse().ok()).unwrap_or(0);
    let minutes = h * 60 + m;
    if minutes == 0 {
        0
    } else if sign == "+" {
        -minutes
    } else {
        minutes
    }
}

/// The byte index of the UTF-16 position `units` in `s` (its end when past it).
fn byte_at_utf16(s: &str, units: usize) -> usize {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        if n >= units {
            return i;
        }
        n += c.len_utf16();
    }
    s.len()
}

/// Reads `input` by `fmt`; `None` when dayjs gives an invalid date.
fn read(input: &str, fmt: &str, budget: &Budget) -> Result<Option<Read>, String> {
    let en = locale::english();
    budget.bytes(crate::format::FORMAT_BYTES_PER_PATTERN_BYTE * fmt.len() as u64)?;
    let fmt = expand_shortcuts(fmt, en);
    let mut input = input.to_string();
    let mut r = Read::default();
    let mut start = 0usize; // UTF-16 units
    let mut any = false;
    for m in token_regex().find_iter(&fmt) {
        any = true;
        let tok = m.as_str();
        let kind = match tok {
            "S" => Pat::One,
            "SS" | "DD" | "MM" | "YY" => Pat::Two,
            "SSS" => Pat::Three,
            "YYYY" => Pat::Four,
            "s" | "ss" | "m" | "mm" | "H" | "h" | "HH" | "hh" | "D" | "M" => Pat::OneOrTwo,
            "Y" => Pat::Signed,
            "Z" | "ZZ" => Pat::Offset,
            "A" | "a" | "Do" | "MMM" | "MMMM" => Pat::Word,
            text => {
                let text = text.strip_prefix('[').unwrap_or(text);
                let text = text.strip_suffix(']').unwrap_or(text);
                start += text.encode_utf16().count();
                continue;
            }
        };
        budget.step()?;
        budget.bytes(input.len() as u64)?;
        let from = byte_at_utf16(&input, start);
        let Some(found) = pattern(kind).find(&input[from..]) else {
            return Ok(None);
        };
        let value = found.as_str().to_string();
        match tok {
            "A" | "a" => r.afternoon = Some(value == if tok == "a" { "pm" } else { "PM" }),
            "S" => r.ms = Some(num(&value) * 100.0),
            "SS" => r.ms = Some(num(&value) * 10.0),
            "SSS" => r.ms = Some(num(&value)),
            "s" | "ss" => r.seconds = Some(num(&value)),
            "m" | "mm" => r.minutes = Some(num(&value)),
            "H" | "h" | "HH" | "hh" => r.hours = Some(num(&value)),
            "D" | "DD" => r.day = Some(num(&value)),
            "Do" => {
                let Some(d) = value.find(|c: char| c.is_ascii_digit()) else {
                    return Ok(None);
                };
                let digits: String = value[d..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let mut day = num(&digits);
                if let Some(i) = (1..=31).find(|&i| ordinal(i) == value) {
                    day = f64::from(i);
                }
                r.day = Some(day);
            }
            "M" | "MM" => r.month = Some(num(&value)),
            "MMM" | "MMMM" => {
                let i = en.months.iter().position(|m| {
                    if tok == "MMM" {
                        m.get(..3) == Some(value.as_str())
                    } else {
                        *m == value
                    }
                });
                match i {
                    Some(i) => r.month = Some(i as f64 + 1.0),
                    None => return Ok(None),
                }
            }
            "Y" | "YYYY" => r.year = Some(num(&value)),
            "YY" => {
                let v = num(&value);
                r.year = Some(v + if v > 68.0 { 1900.0 } else { 2000.0 });
            }
            _ => r.zone = Some(offset_from(&value)),
        }
        input = input.replacen(&value, "", 1);
    }
    if !any {
        return Ok(None);
    }
    if let Some(pm) = r.afternoon
        && let Some(h) = r.hours
    {
        if pm && h < 12.0 {
            r.hours = Some(h + 12.0);
        } else if !pm && h == 12.0 {
            r.hours = Some(0.0);
        }
    }
    Ok(Some(r))
}

/// The English ordinal of `n` (`1st`, `2nd`, `11th`, …).
fn ordinal(n: u32) -> String {
    let suffix = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// JavaScript `new Date(y, …)` / `Date.UTC(y, …)`: years 0–99 mean 1900–1999.
pub fn full_year(y: f64) -> f64 {
    if (0.0..100.0).contains(&y.trunc()) {
        1900.0 + y.trunc()
    } else {
        y
    }
}

/// `dayjs(input, fmt).valueOf()` with "now" at `now_ms` and the server zone at `off`.
pub fn parse(
    input: &str,
    fmt: &str,
    now_ms: i64,
    off: i32,
    budget: &Budget,
) -> Result<f64, String> {
    if fmt == "x" || fmt == "X" {
        let scale = if fmt == "X" { 1000.0 } else { 1.0 };
        return Ok(scale * num(input));
    }
    let Some(r) = read(input, fmt, budget)? else {
        return Ok(f64::NAN);
    };
    let now = parts(now_ms as f64, off);
    // `x || fallback`: zero and missing alike take the fallback.
    let given = |v: Option<f64>| v.filter(|&x| x != 0.0 && !x.is_nan());
    let (year, month, day) = (given(r.year), given(r.month), given(r.day));
    let d = day.unwrap_or(if year.is_none() && month.is_none() {
        now.day as f64
    } else {
        1.0
    });
    let y = year.unwrap_or(now.year as f64);
    let m0 = if year.is_some() && month.is_none() {
        0.0
    } else {
        match month {
            Some(m) if m > 0.0 => m - 1.0,
            _ => (now.month - 1) as f64,
        }
    };
    let or0 = |v: Option<f64>| given(v).unwrap_or(0.0);
    let (h, mi, s, ms) = (or0(r.hours), or0(r.minutes), or0(r.seconds), or0(r.ms));
    let all = [y, m0, d, h, mi, s, ms];
    if all.iter().any(|v| !v.is_finite() || v.abs() > 1e12) {
        return Ok(f64::NAN);
    }
    let [y, m0, d, h, mi, s, ms] = all.map(|v| v.trunc() as i64);
    let y = full_year(y as f64) as i64;
    Ok(match r.zone {
        Some(z) => from_parts(y, m0 + 1, d, h, mi, s, ms + z * 60_000, 0),
        None => from_parts(y, m0 + 1, d, h, mi, s, ms, off),
    })
}
