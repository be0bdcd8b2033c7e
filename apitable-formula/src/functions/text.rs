//! Text functions. Positions and lengths count UTF-16 code units, as in JavaScript.

use super::{Arg, Cx, RtResult, arg, argv};
use crate::value::{Value, js_ge, js_gt, js_trim};

/// Longest string a text function may build (V8 allows about 2^29 code units; this engine stops
/// much earlier so that one request cannot exhaust memory).
const MAX_STRING_UNITS: f64 = 16_777_216.0;

fn u16s(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn from_u16(u: &[u16]) -> String {
    String::from_utf16_lossy(u)
}

/// JS `ToIntegerOrInfinity(Number(v))`.
fn to_integer(v: &Value) -> f64 {
    to_integer_f(v.to_number())
}

fn to_integer_f(n: f64) -> f64 {
    if n.is_nan() { 0.0 } else { n.trunc() }
}

fn clamp_pos(p: f64, len: usize) -> usize {
    p.max(0.0).min(len as f64) as usize
}

fn index_of(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from.min(hay.len()));
    }
    if needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

fn last_index_of(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    let start = from.min(hay.len() - needle.len());
    (0..=start)
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The `String.prototype.indexOf` receiver check: only strings have it here.
fn hay_string(v: &Value) -> Result<&str, String> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err("whereToSearch.indexOf is not a function".into()),
    }
}

pub(super) fn find(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let needle = argv(args, 0);
    let hay = argv(args, 1);
    if needle.is_null() || hay.is_null() {
        return Ok(Value::Number(0.0));
    }
    let hay = u16s(hay_string(hay)?);
    let nd = u16s(&needle.to_js_string());
    let start = arg(args, 2);
    let forward = match start {
        None => true,
        Some(s) => js_ge(s, &Value::Number(0.0)),
    };
    if forward {
        let from = match start {
            Some(s) if js_gt(s, &Value::Number(0.0)) => s.to_number() - 1.0,
            _ => 0.0,
        };
        let from = clamp_pos(to_integer_f(from), hay.len());
        return Ok(Value::Number(
            index_of(&hay, &nd, from).map_or(0.0, |i| i as f64 + 1.0),
        ));
    }
    let pos = hay.len() as f64 + start.map_or(f64::NAN, Value::to_number);
    let pos = if pos.is_nan() {
        f64::INFINITY
    } else {
        pos.trunc()
    };
    let from = clamp_pos(pos, hay.len());
    Ok(Value::Number(
        last_index_of(&hay, &nd, from).map_or(0.0, |i| i as f64 + 1.0),
    ))
}

pub(super) fn search(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let needle = argv(args, 0);
    let hay = argv(args, 1);
    if needle.is_null() || hay.is_null() {
        return Ok(Value::Null);
    }
    let hay = u16s(hay_string(hay)?);
    let nd = u16s(&needle.to_js_string());
    let from = match arg(args, 2) {
        Some(s) if js_gt(s, &Value::Number(0.0)) => s.to_number() - 1.0,
        _ => 0.0,
    };
    let from = clamp_pos(to_integer_f(from), hay.len());
    Ok(match index_of(&hay, &nd, from) {
        Some(i) => Value::Number(i as f64 + 1.0),
        None => Value::Null,
    })
}

pub(super) fn len(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::Number(v.to_js_string().encode_utf16().count() as f64))
}

pub(super) fn lower(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::String(v.to_js_string().to_lowercase()))
}

pub(super) fn upper(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::String(v.to_js_string().to_uppercase()))
}

/// `flattenParams`: drops null arguments, flattens arrays (nested ones too).
pub(crate) fn flatten(args: &[Arg<'_>]) -> Vec<Value> {
    fn push(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| push(i, out)),
            v => out.push(v.clone()),
        }
    }
    let mut out = Vec::new();
    for a in args {
        if !a.value.is_null() {
            push(&a.value, &mut out);
        }
    }
    out
}

pub(super) fn concatenate(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let s = Value::Array(flatten(args)).to_js_string_joined("");
    Ok(Value::String(s))
}

impl Value {
    /// JS `array.join(sep)` on an array value (null elements become "").
    pub(crate) fn to_js_string_joined(&self, sep: &str) -> String {
        match self {
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::Null => String::new(),
                    v => v.to_js_string(),
                })
                .collect::<Vec<_>>()
                .join(sep),
            v => v.to_js_string(),
        }
    }
}

pub(super) fn left(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = u16s(&v.to_js_string());
    let count = arg(args, 1).map_or(1.0, to_integer);
    let end = clamp_pos(count, s.len());
    Ok(Value::String(from_u16(&s[..end])))
}

pub(super) fn right(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = u16s(&v.to_js_string());
    let count = arg(args, 1).map_or(1.0, Value::to_number);
    let start = to_integer_f(s.len() as f64 - count);
    let start = clamp_pos(start, s.len());
    Ok(Value::String(from_u16(&s[start..])))
}

/// JS `slice` index resolution.
fn slice_index(p: f64, len: usize) -> usize {
    let p = to_integer_f(p);
    if p < 0.0 {
        clamp_pos(len as f64 + p, len)
    } else {
        clamp_pos(p, len)
    }
}

pub(super) fn mid(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = u16s(&v.to_js_string());
    let start = argv(args, 1).to_number() - 1.0;
    let count = argv(args, 2).to_number();
    let a = slice_index(start, s.len());
    let end = start + count;
    let b = if end.is_nan() {
        0
    } else {
        slice_index(end, s.len())
    };
    Ok(Value::String(if a < b {
        from_u16(&s[a..b])
    } else {
        String::new()
    }))
}

/// JS `substring(a, b)` with b optional.
fn substring(s: &[u16], a: f64, b: Option<f64>) -> String {
    let a = clamp_pos(to_integer_f(a), s.len());
    let b = b.map_or(s.len(), |b| clamp_pos(to_integer_f(b), s.len()));
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    from_u16(&s[x..y])
}

pub(super) fn replace(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = u16s(&v.to_js_string());
    let start = argv(args, 1).to_number() - 1.0;
    let start = if start.is_nan() { 0.0 } else { start };
    let count = argv(args, 2).to_number();
    let count = if count.is_nan() { 0.0 } else { count };
    let new = match argv(args, 3) {
        Value::Null => String::new(),
        v => v.to_js_string(),
    };
    if s.len() as f64 <= start {
        return Ok(Value::String(from_u16(&s) + &new));
    }
    let mut out = substring(&s, 0.0, Some(start));
    out.push_str(&new);
    out.push_str(&substring(&s, start + count, None));
    Ok(Value::String(out))
}

/// JS `str.split(sep)` for a string separator.
fn split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s
            .encode_utf16()
            .map(|u| String::from_utf16_lossy(&[u]))
            .collect();
    }
    s.split(sep).map(str::to_string).collect()
}

pub(super) fn substitute(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let sv = argv(args, 0);
    let old = argv(args, 1).to_js_string();
    let new = argv(args, 2).to_js_string();
    let s = sv.to_js_string();
    let mut parts = split(&s, &old);
    if sv.is_null() {
        return Ok(Value::Null);
    }
    let index = args.get(3).map(|a| {
        let n = a.value.to_number() - 1.0;
        if n.is_nan() { 0.0 } else { n }
    });
    if let Some(index) = index {
        if index < 1.0 || index > parts.len() as f64 - 2.0 {
            return Ok(Value::String(s));
        }
        // `if (index)` is true here (index >= 1). Indexing with a fractional index gives
        // `undefined` in JS; joining it yields "".
        let i = index;
        if i.fract() != 0.0 {
            // splitArr[1.5] is undefined; splice(1.5, 2, x) truncates the start to 1.
            let k = i.trunc() as usize;
            parts.splice(k..(k + 2).min(parts.len()), [new.clone()]);
            return Ok(Value::String(parts.join(&old)));
        }
        let k = i as usize;
        let joined = format!("{}{}{}", parts[k], new, parts[k + 1]);
        parts.splice(k..k + 2, [joined]);
        return Ok(Value::String(parts.join(&old)));
    }
    Ok(Value::String(parts.join(&new)))
}

pub(super) fn trim(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::String(js_trim(&v.to_js_string()).to_string()))
}

pub(super) fn t(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(match argv(args, 0) {
        Value::String(s) => Value::String(s.clone()),
        _ => Value::Null,
    })
}

pub(super) fn rept(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = v.to_js_string();
    let count = argv(args, 1).to_number();
    let count = if count.is_nan() { 0.0 } else { count };
    let n = to_integer_f(count);
    if n < 0.0 || n.is_infinite() {
        return Err(format!(
            "Invalid count value: {}",
            crate::value::number_to_string(count)
        ));
    }
    let units = s.encode_utf16().count() as f64;
    if units * n > MAX_STRING_UNITS {
        return Err("Invalid string length".into());
    }
    Ok(Value::String(s.repeat(n as usize)))
}

pub(super) fn encode_url_component(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = v.to_js_string();
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(Value::String(out))
}
