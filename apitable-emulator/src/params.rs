//! Query-string parsing the way the real server's `querystring` + `qs` + `stringToArray` pipeline
//! reads it.

use serde_json::Value as Json;

use crate::envelope::{ApiError, tips};

/// Percent-decodes a query component (`+` is a space).
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parsed query string: decoded `(key, value)` pairs in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

fn absent(v: &str) -> bool {
    matches!(v, "" | "null" | "undefined" | "{}")
}

impl Query {
    /// Parses the raw query string (without `?`).
    pub fn parse(raw: Option<&str>) -> Query {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(p), String::new()),
            })
            .collect();
        Query { pairs }
    }

    /// The first value of a scalar parameter (`None` when absent or a "null-ish" literal).
    pub fn scalar(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !absent(v))
    }

    /// An array parameter in any of the accepted forms: `k=a,b`, `k=a&k=b`, `k[]=a`, `k[0]=a`.
    /// A single plain value is split on commas; repeated or bracketed values are not.
    pub fn array(&self, key: &str) -> Option<Vec<String>> {
        let bracket = format!("{key}[");
        let mut plain: Vec<&str> = Vec::new();
        let mut indexed: Vec<(usize, usize, &str)> = Vec::new();
        for (pos, (k, v)) in self.pairs.iter().enumerate() {
            if k == key {
                plain.push(v);
            } else if let Some(rest) = k.strip_prefix(&bracket)
                && let Some(inner) = rest.strip_suffix(']')
            {
                if inner.is_empty() {
                    indexed.push((usize::MAX, pos, v));
                } else if let Ok(i) = inner.parse::<usize>() {
                    indexed.push((i, pos, v));
                }
            }
        }
        if plain.is_empty() && indexed.is_empty() {
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        if plain.len() == 1 && indexed.is_empty() {
            if absent(plain[0]) {
                return None;
            }
            out.extend(plain[0].split(',').map(str::to_string));
        } else {
            out.extend(plain.iter().filter(|v| !absent(v)).map(|v| v.to_string()));
            indexed.sort_by_key(|(i, pos, _)| (if *i == usize::MAX { *pos } else { *i }, *pos));
            out.extend(indexed.iter().map(|(_, _, v)| v.to_string()));
        }
        if out.is_empty() { None } else { Some(out) }
    }

    /// Sort rules (field, descending) in any of the accepted forms.
    pub fn sort(&self) -> Result<Vec<(String, bool)>, ApiError> {
        let mut rules: Vec<(String, bool)> = Vec::new();
        // JSON-object forms: repeated, or `},`-separated in one value.
        for (k, v) in self.pairs.iter().filter(|(k, _)| k == "sort") {
            let _ = k;
            if absent(v) {
                continue;
            }
            let t = v.trim();
            if t.starts_with('[') {
                return Err(tips::instance_sort());
            }
            let pieces: Vec<String> = {
                let parts: Vec<&str> = t.split("},").collect();
                let n = parts.len();
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        if i + 1 < n {
                            format!("{p}}}")
                        } else {
                            p.to_string()
                        }
                    })
                    .collect()
            };
            for p in pieces {
                let obj: Json =
                    serde_json::from_str(p.trim()).map_err(|_| tips::instance_sort())?;
                let Some(o) = obj.as_object() else {
                    return Err(tips::instance_sort());
                };
                let field = match o.get("field") {
                    Some(Json::String(s)) if !s.is_empty() => s.clone(),
                    _ => return Err(tips::sort_missing_field()),
                };
                let desc = match o.get("order") {
                    None => false,
                    Some(Json::String(s)) if s == "asc" => false,
                    Some(Json::String(s)) if s == "desc" => true,
                    Some(_) => return Err(tips::invalid_order_sort()),
                };
                rules.push((field, desc));
            }
        }
        // Bracket forms: sort[0][field]=A&sort[0][order]=asc, sort[][field]=A.
        let mut indexed: Vec<(usize, Option<String>, Option<String>)> = Vec::new();
        let mut empties_field: Vec<String> = Vec::new();
        let mut empties_order: Vec<String> = Vec::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix("sort[") else {
                continue;
            };
            let Some((idx, tail)) = rest.split_once(']') else {
                continue;
            };
            let prop = tail.trim_start_matches('[').trim_end_matches(']');
            if idx.is_empty() {
                match prop {
                    "field" => empties_field.push(v.clone()),
                    "order" => empties_order.push(v.clone()),
                    _ => {}
                }
                continue;
            }
            let Ok(i) = idx.parse::<usize>() else {
                continue;
            };
            let slot = match indexed.iter_mut().find(|(j, _, _)| *j == i) {
                Some(s) => s,
                None => {
                    indexed.push((i, None, None));
                    indexed.last_mut().expect("just pushed")
                }
            };
            match prop {
                "field" => slot.1 = Some(v.clone()),
                "order" => slot.2 = Some(v.clone()),
                _ => {}
            }
        }
        indexed.sort_by_key(|(i, _, _)| *i);
        let order = |o: Option<&str>| -> Result<bool, ApiError> {
            match o.map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => Ok(false),
                Some("desc") => Ok(true),
                Some(_) => Err(tips::invalid_order_sort()),
            }
        };
        for (_, f, o) in indexed {
            let Some(f) = f.filter(|f| !f.is_empty()) else {
                return Err(tips::sort_missing_field());
            };
            rules.push((f, order(o.as_deref())?));
        }
        if !empties_field.is_empty() || !empties_order.is_empty() {
            if empties_field.len() > 1 || empties_order.len() > 1 {
                // qs merges them into arrays; the server then finds no such field.
                return Err(tips::sort_field_not_exists(&empties_field.join(",")));
            }
            let Some(f) = empties_field.first().filter(|f| !f.is_empty()) else {
                return Err(tips::sort_missing_field());
            };
            rules.push((f.clone(), order(empties_order.first().map(String::as_str))?));
        }
        Ok(rules)
    }
}

/// Parses an integer parameter the way class-transformer's `Number(...)` would.
pub(crate) fn int(v: &str) -> Option<i64> {
    let t = v.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i);
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.fract() == 0.0 && f.is_finite())
        .map(|f| f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays() {
        let q = Query::parse(Some("recordIds=a,b&x=1"));
        assert_eq!(q.array("recordIds").unwrap(), vec!["a", "b"]);
        let q = Query::parse(Some("fields=a&fields=b%2Cc"));
        assert_eq!(q.array("fields").unwrap(), vec!["a", "b,c"]);
        let q = Query::parse(Some("fields%5B%5D=a&fields[]=b"));
        assert_eq!(q.array("fields").unwrap(), vec!["a", "b"]);
        let q = Query::parse(Some("fields=null"));
        assert!(q.array("fields").is_none());
    }

    #[test]
    fn sorts() {
        let q = Query::parse(Some(
            "sort=%7B%22field%22%3A%22A%22%2C%22order%22%3A%22desc%22%7D&sort={\"field\":\"B\"}",
        ));
        assert_eq!(
            q.sort().unwrap(),
            vec![("A".to_string(), true), ("B".to_string(), false)]
        );
        let q = Query::parse(Some(
            "sort={\"field\":\"A\",\"order\":\"asc\"},{\"field\":\"B\",\"order\":\"desc\"}",
        ));
        assert_eq!(q.sort().unwrap().len(), 2);
        let q = Query::parse(Some(
            "sort[1][field]=B&sort[0][field]=A&sort[0][order]=DESC",
        ));
        assert_eq!(
            q.sort().unwrap(),
            vec![("A".to_string(), true), ("B".to_string(), false)]
        );
        let q = Query::parse(Some("sort[][field]=A&sort[][order]=desc"));
        assert_eq!(q.sort().unwrap(), vec![("A".to_string(), true)]);
        let q = Query::parse(Some("sort[][field]=A&sort[][field]=B"));
        assert!(q.sort().is_err());
        let q = Query::parse(Some("sort=[{\"field\":\"A\"}]"));
        assert!(q.sort().is_err());
        let q = Query::parse(Some("sort={\"field\":\"A\",\"order\":\"DESC\"}"));
        assert!(q.sort().is_err());
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%20b+c%zz%"), "a b c%zz%");
        assert_eq!(decode("%E2%9C%85"), "✅");
    }
}
