//! DateTime (and the formatting shared with CreatedTime / LastModifiedTime).

use serde_json::{Map, Value as Json, json};

use super::WriteEnv;
use crate::envelope::{ApiError, tips};

const DATE_FORMATS: [&str; 8] = [
    "YYYY/MM/DD",
    "YYYY-MM-DD",
    "DD/MM/YYYY",
    "YYYY-MM",
    "MM-DD",
    "YYYY",
    "MM",
    "DD",
];

pub(crate) use apitable_formula::calendar::{civil_from_days, days_from_civil};

/// Parses the date strings moment accepts most often. Any zone suffix is ignored: the wall time
/// is read in the server's zone.
pub(crate) fn parse_date_string(s: &str, utc_offset_minutes: i32) -> Option<i64> {
    let s = s.trim();
    let bytes = s.as_bytes();
    let num = |a: usize, b: usize| -> Option<i64> {
        let part = s.get(a..b)?;
        if part.bytes().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            part.parse().ok()
        } else {
            None
        }
    };
    if bytes.len() < 4 {
        return None;
    }
    let year = num(0, 4)?;
    let (mut month, mut day, mut pos) = (1, 1, 4);
    if bytes.len() > 4 {
        let sep = bytes[4];
        if sep != b'-' && sep != b'/' {
            return None;
        }
        month = num(5, 7)?;
        pos = 7;
        if bytes.len() > 7 {
            if bytes[7] != sep {
                return None;
            }
            day = num(8, 10)?;
            pos = 10;
        }
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (mut h, mut mi, mut sec, mut ms) = (0, 0, 0, 0);
    if bytes.len() > pos {
        if bytes[pos] != b'T' && bytes[pos] != b' ' {
            return None;
        }
        h = num(pos + 1, pos + 3)?;
        if bytes.get(pos + 3) != Some(&b':') {
            return None;
        }
        mi = num(pos + 4, pos + 6)?;
        let mut p = pos + 6;
        if bytes.get(p) == Some(&b':') {
            sec = num(p + 1, p + 3)?;
            p += 3;
            if bytes.get(p) == Some(&b'.') {
                let start = p + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                let frac = s.get(start..end)?;
                if frac.is_empty() {
                    return None;
                }
                let f3: String = frac.chars().chain("000".chars()).take(3).collect();
                ms = f3.parse().ok()?;
                p = end;
            }
        }
        let rest = &s[p..];
        let zone_ok = rest.is_empty()
            || rest == "Z"
            || ((rest.starts_with('+') || rest.starts_with('-'))
                && rest[1..].bytes().all(|c| c.is_ascii_digit() || c == b':')
                && rest.len() >= 3);
        if !zone_ok || h > 23 || mi > 59 || sec > 59 {
            return None;
        }
    }
    let days = days_from_civil(year, month, day);
    let local = ((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms;
    Some(local - utc_offset_minutes as i64 * 60_000)
}

/// DateTime writes: epoch ms numbers (small integers are years) or date strings.
pub(super) fn write(
    value: &Json,
    label: &str,
    env: &WriteEnv<'_>,
) -> Result<Option<Json>, ApiError> {
    let offset = env.utc_offset_minutes;
    let err = || {
        ApiError::bad(format!(
            "field:{label} Date field value must be a UTC or timestamp"
        ))
    };
    match value {
        Json::Null => Ok(None),
        Json::Number(n) => {
            let f = n.as_f64().ok_or_else(err)?;
            if f.fract() == 0.0 && (0.0..10000.0).contains(&f) {
                let days = days_from_civil(f as i64, 1, 1);
                return Ok(Some(json!(days * 86_400_000 - offset as i64 * 60_000)));
            }
            Ok(Some(json!(f.trunc() as i64)))
        }
        Json::String(s) => parse_date_string(s, offset)
            .map(|ms| Some(json!(ms)))
            .ok_or_else(err),
        _ => Err(err()),
    }
}

/// Formats epoch ms per a date property (`format`, `includeTime`).
pub(crate) fn format_ms(ms: i64, property: &Json, utc_offset_minutes: i32) -> String {
    let format = property
        .get("format")
        .and_then(Json::as_str)
        .unwrap_or("YYYY/MM/DD");
    let local = ms + utc_offset_minutes as i64 * 60_000;
    let days = local.div_euclid(86_400_000);
    let in_day = local.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let hh = in_day / 3_600_000;
    let mm = (in_day / 60_000) % 60;
    let (date_fmt, time_fmt) = match format.split_once(' ') {
        Some((a, b)) => (a, Some(b)),
        None => (format, None),
    };
    let mut out = date_fmt
        .replace("YYYY", &format!("{y:04}"))
        .replace("MM", &format!("{m:02}"))
        .replace("DD", &format!("{d:02}"));
    match time_fmt {
        Some("HH:mm") => out.push_str(&format!(" {hh:02}:{mm:02}")),
        Some(_) => {
            let h12 = if hh % 12 == 0 { 12 } else { hh % 12 };
            let ampm = if hh < 12 { "am" } else { "pm" };
            out.push_str(&format!(" {h12:02}:{mm:02} {ampm}"));
        }
        None => {}
    }
    out
}

/// Create-shape → GET shape for DateTime, CreatedTime and LastModifiedTime.
pub(super) fn create_property(o: &Map<String, Json>) -> Result<Json, ApiError> {
    let date = match o.get("dateFormat") {
        Some(Json::String(s)) if DATE_FORMATS.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            return Err(tips::validate(format!(
                "\"dateFormat\" must be one of [{}]",
                DATE_FORMATS.join(", ")
            )));
        }
        None => return Err(tips::validate("\"dateFormat\" is required")),
    };
    let time = match o.get("timeFormat") {
        None | Some(Json::Null) => "hh:mm".to_string(),
        Some(Json::String(s)) if s == "HH:mm" || s == "hh:mm" => s.clone(),
        Some(_) => {
            return Err(tips::validate(
                "\"timeFormat\" must be one of [HH:mm, hh:mm]",
            ));
        }
    };
    let flag = |k: &str| -> Result<bool, ApiError> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(_) => Err(tips::validate(format!("\"{k}\" must be a boolean"))),
        }
    };
    let include_time = flag("includeTime")?;
    let auto_fill = flag("autoFill")?;
    let format = if include_time {
        format!("{date} {time}")
    } else {
        date
    };
    let mut out = json!({"format": format, "includeTime": include_time});
    if auto_fill {
        out["autoFill"] = json!(true);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_roundtrip() {
        for d in [-1000, 0, 1, 18_000, 19_723, 40_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(days_from_civil(2021, 1, 1), 18_628);
    }

    #[test]
    fn parse_strings() {
        assert_eq!(parse_date_string("2021-01-01", 0), Some(1_609_459_200_000));
        assert_eq!(
            parse_date_string("2021-01-01T00:00:00Z", 0),
            Some(1_609_459_200_000)
        );
        assert_eq!(
            parse_date_string("2021/01/01 08:00", 480),
            Some(1_609_459_200_000)
        );
        assert_eq!(parse_date_string("not a date", 0), None);
        assert_eq!(parse_date_string("2021-13-01", 0), None);
    }

    #[test]
    fn formats() {
        let p = json!({"format": "YYYY/MM/DD HH:mm", "includeTime": true});
        assert_eq!(format_ms(1_609_459_200_000, &p, 0), "2021/01/01 00:00");
        let p = json!({"format": "YYYY-MM-DD hh:mm"});
        assert_eq!(
            format_ms(1_609_459_200_000 + 13 * 3_600_000, &p, 0),
            "2021-01-01 01:00 pm"
        );
    }
}
