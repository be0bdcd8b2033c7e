//! dayjs `format(pattern)` with the plugins the real engine loads (localized shortcuts, UTC
//! offsets) and the date's own locale.
//!
//! Tokens: `YY YYYY M MM MMM MMMM D DD d dd ddd dddd H HH h hh m mm s ss SSS A a Z ZZ`, text in
//! `[brackets]`, and the shortcuts `LT LTS L LL LLL LLLL l ll lll llll`. `Y`, `YYY` print the
//! offset as `ZZ` does (dayjs matches them but has no value for them); every other letter,
//! `Q`, `X`, `x`, `Do`, `W` among them, stays as it is.

use std::sync::OnceLock;

use regex::Regex;

use crate::date::parts;
use crate::date_value::DateVal;
use crate::locale::{ENGLISH_FORMATS, Locale};

/// The most output bytes [`format`] prints per byte of its pattern. The largest ratios come
/// from shortcuts (`LLLL` in Hindi prints about 80 bytes) and meridiem words (`A` in Russian
/// prints 12); the `format_output_is_bounded` test checks every token in every locale.
const FORMAT_OUT_PER_PATTERN_BYTE: u64 = 32;

/// Upper bound of the memory [`format`] takes per byte of its pattern: the expanded pattern
/// and the output.
pub const FORMAT_BYTES_PER_PATTERN_BYTE: u64 = 2 * FORMAT_OUT_PER_PATTERN_BYTE;

fn shortcut_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(\[[^\]]+\])|(LTS?|l{1,4}|L{1,4})").expect("valid regex"))
}

fn lower_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(\[[^\]]+\])|(MMMM|MM|DD|dddd)").expect("valid regex"))
}

fn token_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"\[([^\]]+)\]|Y{1,4}|M{1,4}|D{1,2}|d{1,4}|H{1,2}|h{1,2}|a|A|m{1,2}|s{1,2}|Z{1,2}|SSS",
        )
        .expect("valid regex")
    })
}

fn months_in_format_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"D[oD]?(\[[^\[\]]*\]|\s)+MMMM?").expect("valid regex"))
}

/// A shortcut's lower-case form derived from the upper-case one: `MMMM`→`MMM`, `MM`→`M`,
/// `DD`→`D`, `dddd`→`ddd`.
fn shorten(pattern: &str) -> String {
    lower_regex()
        .replace_all(pattern, |c: &regex::Captures<'_>| match c.get(1) {
            Some(text) => text.as_str().to_string(),
            None => c[2][1..].to_string(),
        })
        .into_owned()
}

/// Replaces the localized shortcuts of `pattern` (`localizedFormat`).
pub fn expand_shortcuts(pattern: &str, locale: &Locale) -> String {
    let formats = if locale.name == "en" {
        &ENGLISH_FORMATS
    } else {
        &locale.formats
    };
    shortcut_regex()
        .replace_all(pattern, |c: &regex::Captures<'_>| {
            if let Some(text) = c.get(1) {
                return text.as_str().to_string();
            }
            let tok = &c[2];
            if let Some(p) = formats.get(tok).or_else(|| ENGLISH_FORMATS.get(tok)) {
                return p.to_string();
            }
            let upper = tok.to_uppercase();
            formats.get(&upper).map(shorten).unwrap_or_default()
        })
        .into_owned()
}

/// JavaScript `String(n).padStart(width, "0")`.
fn pad(n: i64, width: usize) -> String {
    let s = n.to_string();
    if s.len() >= width {
        s
    } else {
        format!("{}{s}", "0".repeat(width - s.len()))
    }
}

/// dayjs `padZoneStr`: `+08:00`.
fn zone(offset_min: i32) -> String {
    let sign = if offset_min >= 0 { '+' } else { '-' };
    let a = offset_min.unsigned_abs();
    format!(
        "{sign}{}:{}",
        pad(i64::from(a / 60), 2),
        pad(i64::from(a % 60), 2)
    )
}

/// The first `n` characters of `s`.
fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `date.format(pattern)` in the date's locale, zone and wall clock. The caller has checked
/// that the date is valid.
pub fn format(d: &DateVal, pattern: &str) -> String {
    let loc = d.locale;
    let pattern = expand_shortcuts(pattern, loc);
    let p = parts(d.ms, d.shift);
    let zone_str = zone(d.utc_offset());
    let in_format = months_in_format_regex().is_match(&pattern);
    let month = (p.month - 1) as usize;
    let wd = p.weekday as usize;
    let h12 = if p.hour % 12 == 0 { 12 } else { p.hour % 12 };
    token_regex()
        .replace_all(&pattern, |c: &regex::Captures<'_>| -> String {
            if let Some(text) = c.get(1) {
                return text.as_str().to_string();
            }
            match &c[0] {
                "YY" => {
                    let y = p.year.to_string();
                    let skip = y.len().saturating_sub(2);
                    y[skip..].to_string()
                }
                "YYYY" => pad(p.year, 4),
                "M" => p.month.to_string(),
                "MM" => pad(p.month, 2),
                "MMM" => match (loc.months_short_in_format, loc.months_short) {
                    (Some(f), _) if in_format => f[month].to_string(),
                    (_, Some(s)) => s[month].to_string(),
                    _ => prefix(loc.months[month], 3),
                },
                "MMMM" => match loc.months_in_format {
                    Some(f) if in_format => f[month].to_string(),
                    _ => loc.months[month].to_string(),
                },
                "D" => p.day.to_string(),
                "DD" => pad(p.day, 2),
                "d" => p.weekday.to_string(),
                "dd" => loc
                    .weekdays_min
                    .map_or_else(|| prefix(loc.weekdays[wd], 2), |m| m[wd].to_string()),
                "ddd" => loc
                    .weekdays_short
                    .map_or_else(|| prefix(loc.weekdays[wd], 3), |m| m[wd].to_string()),
                "dddd" => loc.weekdays[wd].to_string(),
                "H" => p.hour.to_string(),
                "HH" => pad(p.hour, 2),
                "h" => h12.to_string(),
                "hh" => pad(h12, 2),
                "a" => loc.meridiem.word(p.hour, p.minute, true).to_string(),
                "A" => loc.meridiem.word(p.hour, p.minute, false).to_string(),
                "m" => p.minute.to_string(),
                "mm" => pad(p.minute, 2),
                "s" => p.second.to_string(),
                "ss" => pad(p.second, 2),
                "SSS" => pad(p.ms, 3),
                "Z" => zone_str.clone(),
                _ => zone_str.replacen(':', "", 1),
            }
        })
        .into_owned()
}

/// [`format`] of a plain English date at `ms` on the wall clock `off`; `None` when invalid.
pub fn format_ms(ms: f64, pattern: &str, off: i32) -> Option<String> {
    crate::date::valid(ms).then(|| format(&DateVal::plain(ms, off), pattern))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date_value::{DateVal, Zone};
    use crate::locale;

    #[test]
    fn format_output_is_bounded() {
        let tokens = [
            "Y", "YY", "YYY", "YYYY", "M", "MM", "MMM", "MMMM", "D", "DD", "d", "dd", "ddd",
            "dddd", "H", "HH", "h", "hh", "a", "A", "m", "mm", "s", "ss", "SSS", "Z", "ZZ", "LT",
            "LTS", "L", "LL", "LLL", "LLLL", "l", "ll", "lll", "llll", "D MMMM", "D MMM",
        ];
        for name in [
            "en", "zh", "zh-cn", "zh-hk", "zh-tw", "fr", "es", "pt", "ru", "ar", "de", "ja", "ko",
            "hi",
        ] {
            let loc = locale::resolve(name, locale::english());
            assert_eq!(loc.name, name);
            // Every month, weekday and hour, at the widest year and offset.
            for day in (0..400).step_by(3) {
                for hour in [0, 5, 8, 10, 12, 15, 20, 23] {
                    let ms = -8.64e15 + (day as f64) * 86_400_000.0 + hour as f64 * 3.6e6;
                    let d = DateVal {
                        ms,
                        shift: -(99 * 60 + 59),
                        zone: Zone::Fixed(-(99 * 60 + 59)),
                        locale: loc,
                    };
                    for t in tokens {
                        let out = format(&d, t);
                        let bound = FORMAT_OUT_PER_PATTERN_BYTE * t.len() as u64;
                        assert!(out.len() as u64 <= bound, "{name} {t}: {out}");
                        let expanded = expand_shortcuts(t, loc);
                        assert!(expanded.len() as u64 <= bound, "{name} {t}: {expanded}");
                    }
                }
            }
        }
    }
}
