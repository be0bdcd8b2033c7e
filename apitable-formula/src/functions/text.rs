//! Text functions. Positions and lengths count UTF-16 code units, as in JavaScript.

use std::borrow::Cow;

use super::{Arg, Cx, RtResult, arg, argv, copy_value, flatten_refs};
use crate::value::{Value, join_items, joined_len, js_ge, js_gt, js_trim};

/// Longest string a text function may build (V8 allows about 2^29 code units; this engine stops
/// much earlier so that one request cannot exhaust memory).
const MAX_STRING_UNITS: f64 = 16_777_216.0;

/// Length in UTF-16 code units.
fn units(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
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

/// Byte offset of the first character of `s` that starts at UTF-16 unit `u` or later.
fn byte_from_unit(s: &str, u: usize) -> usize {
    let mut pos = 0;
    for (i, c) in s.char_indices() {
        if pos >= u {
            return i;
        }
        pos += c.len_utf16();
    }
    s.len()
}

/// Byte offset of the character of `s` that holds UTF-16 unit `u` (`s.len()` past the end).
fn byte_holding_unit(s: &str, u: usize) -> usize {
    let mut pos = 0;
    for (i, c) in s.char_indices() {
        pos += c.len_utf16();
        if pos > u {
            return i;
        }
    }
    s.len()
}

/// JS `hay.indexOf(needle, from)` with `from` already clamped, in UTF-16 units. A non-empty
/// needle cannot start inside a surrogate pair, so searching the UTF-8 text from the next
/// character boundary finds the same match, in linear time.
fn index_of(hay: &str, needle: &str, from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from);
    }
    let b = byte_from_unit(hay, from);
    hay[b..].find(needle).map(|i| units(&hay[..b + i]))
}

/// JS `hay.lastIndexOf(needle, from)` with `from` already clamped, in UTF-16 units.
fn last_index_of(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let (hl, nl) = (units(hay), units(needle));
    if nl > hl {
        return None;
    }
    let start = from.min(hl - nl);
    if needle.is_empty() {
        return Some(start);
    }
    // A match may start at the character holding unit `start` or before it.
    let mut end = (byte_holding_unit(hay, start) + needle.len()).min(hay.len());
    while !hay.is_char_boundary(end) {
        end -= 1;
    }
    hay[..end].rfind(needle).map(|i| units(&hay[..i]))
}

/// Upper bound of the bytes of [`push_units`] for `n` units of `s`: a unit takes at most three
/// bytes, and no piece is longer than `s`.
fn units_bound(s: &str, n: usize) -> u64 {
    (s.len() as u64).min(3 * n as u64)
}

/// Appends the UTF-16 units `a..b` of `s`; half a surrogate pair becomes U+FFFD, as decoding
/// the cut units would make of it.
fn push_units(out: &mut String, s: &str, a: usize, b: usize) {
    if a >= b {
        return;
    }
    let mut pos = 0;
    for c in s.chars() {
        let w = c.len_utf16();
        let (lo, hi) = (pos.max(a), (pos + w).min(b));
        if lo < hi {
            out.push(if hi - lo == w { c } else { '\u{FFFD}' });
        }
        pos += w;
        if pos >= b {
            break;
        }
    }
}

/// The UTF-16 units `a..b` of `s` as a new string, within the budget.
fn unit_slice(s: &str, a: usize, b: usize, cx: &Cx<'_>) -> Result<String, String> {
    let bound = units_bound(s, b.saturating_sub(a));
    cx.budget.bytes(bound)?;
    let mut out = String::with_capacity(bound as usize);
    push_units(&mut out, s, a, b);
    Ok(out)
}

/// The `String.prototype.indexOf` receiver check: only strings have it here.
fn hay_string(v: &Value) -> Result<&str, String> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err("whereToSearch.indexOf is not a function".into()),
    }
}

pub(super) fn find(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let needle = argv(args, 0);
    let hay = argv(args, 1);
    if needle.is_null() || hay.is_null() {
        return Ok(Value::Number(0.0));
    }
    let hay = hay_string(hay)?;
    let nd = needle.js_str(cx.budget)?;
    let len = units(hay);
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
        let from = clamp_pos(to_integer_f(from), len);
        return Ok(Value::Number(
            index_of(hay, &nd, from).map_or(0.0, |i| i as f64 + 1.0),
        ));
    }
    let pos = len as f64 + start.map_or(f64::NAN, Value::to_number);
    let pos = if pos.is_nan() {
        f64::INFINITY
    } else {
        pos.trunc()
    };
    let from = clamp_pos(pos, len);
    Ok(Value::Number(
        last_index_of(hay, &nd, from).map_or(0.0, |i| i as f64 + 1.0),
    ))
}

pub(super) fn search(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let needle = argv(args, 0);
    let hay = argv(args, 1);
    if needle.is_null() || hay.is_null() {
        return Ok(Value::Null);
    }
    let hay = hay_string(hay)?;
    let nd = needle.js_str(cx.budget)?;
    let from = match arg(args, 2) {
        Some(s) if js_gt(s, &Value::Number(0.0)) => s.to_number() - 1.0,
        _ => 0.0,
    };
    let from = clamp_pos(to_integer_f(from), units(hay));
    Ok(match index_of(hay, &nd, from) {
        Some(i) => Value::Number(i as f64 + 1.0),
        None => Value::Null,
    })
}

/// The first argument as a string, `None` when it is null (the function's result then).
fn first_text<'a>(args: &'a [Arg<'_>], cx: &Cx<'_>) -> Result<Option<Cow<'a, str>>, String> {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(None);
    }
    v.js_str(cx.budget).map(Some)
}

pub(super) fn len(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    Ok(Value::Number(units(&s) as f64))
}

pub(super) fn lower(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    recase(
        args,
        cx,
        |c| c.to_lowercase().map(char::len_utf8).sum(),
        str::to_lowercase,
    )
}

pub(super) fn upper(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    recase(
        args,
        cx,
        |c| c.to_uppercase().map(char::len_utf8).sum(),
        str::to_uppercase,
    )
}

/// `LOWER`/`UPPER`: the budget is charged the length of the result, added up character by
/// character (`case_len`), before `recase` builds it.
fn recase(
    args: &[Arg<'_>],
    cx: &Cx<'_>,
    case_len: fn(char) -> usize,
    recase: fn(&str) -> String,
) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    // Final sigma, the one contextual rule, has the same length either way.
    let n: usize = s.chars().map(case_len).sum();
    cx.budget.bytes(n as u64)?;
    Ok(Value::String(recase(&s)))
}

pub(super) fn concatenate(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let items = flatten_refs(args, cx.budget)?;
    cx.budget.bytes(joined_len(&items, 0))?;
    Ok(Value::String(join_items(&items, "")))
}

pub(super) fn left(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let count = arg(args, 1).map_or(1.0, to_integer);
    let end = clamp_pos(count, units(&s));
    Ok(Value::String(unit_slice(&s, 0, end, cx)?))
}

pub(super) fn right(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let len = units(&s);
    let count = arg(args, 1).map_or(1.0, Value::to_number);
    let start = to_integer_f(len as f64 - count);
    let start = clamp_pos(start, len);
    Ok(Value::String(unit_slice(&s, start, len, cx)?))
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

pub(super) fn mid(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let len = units(&s);
    let start = argv(args, 1).to_number() - 1.0;
    let count = argv(args, 2).to_number();
    let a = slice_index(start, len);
    let end = start + count;
    let b = if end.is_nan() {
        0
    } else {
        slice_index(end, len)
    };
    Ok(Value::String(unit_slice(&s, a, b, cx)?))
}

/// JS `substring(a, b)` bounds (b optional): clamped and ordered.
fn substring_range(len: usize, a: f64, b: Option<f64>) -> (usize, usize) {
    let a = clamp_pos(to_integer_f(a), len);
    let b = b.map_or(len, |b| clamp_pos(to_integer_f(b), len));
    if a <= b { (a, b) } else { (b, a) }
}

pub(super) fn replace(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let len = units(&s);
    let start = argv(args, 1).to_number() - 1.0;
    let start = if start.is_nan() { 0.0 } else { start };
    let count = argv(args, 2).to_number();
    let count = if count.is_nan() { 0.0 } else { count };
    let new = match argv(args, 3) {
        Value::Null => "".into(),
        v => v.js_str(cx.budget)?,
    };
    let (head, tail) = if len as f64 <= start {
        ((0, len), (len, len))
    } else {
        (
            substring_range(len, 0.0, Some(start)),
            substring_range(len, start + count, None),
        )
    };
    let bound =
        units_bound(&s, head.1 - head.0) + new.len() as u64 + units_bound(&s, tail.1 - tail.0);
    cx.budget.bytes(bound)?;
    let mut out = String::with_capacity(bound as usize);
    push_units(&mut out, &s, head.0, head.1);
    out.push_str(&new);
    push_units(&mut out, &s, tail.0, tail.1);
    Ok(Value::String(out))
}

/// The pieces of JS `s.split(sep)` for a string separator, without copying: the text between
/// separators, or for an empty separator one piece per UTF-16 unit (each half of a surrogate
/// pair reads as U+FFFD).
#[derive(Clone)]
enum Pieces<'a> {
    Between(std::str::Split<'a, &'a str>),
    Units {
        chars: std::str::Chars<'a>,
        low_half: bool,
    },
}

impl<'a> Pieces<'a> {
    fn new(s: &'a str, sep: &'a str) -> Pieces<'a> {
        if sep.is_empty() {
            Pieces::Units {
                chars: s.chars(),
                low_half: false,
            }
        } else {
            Pieces::Between(s.split(sep))
        }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Pieces::Between(it) => it.next(),
            Pieces::Units { chars, low_half } => {
                if *low_half {
                    *low_half = false;
                    return Some("\u{FFFD}");
                }
                let rest = chars.as_str();
                let c = chars.next()?;
                if c.len_utf16() == 2 {
                    *low_half = true;
                    Some("\u{FFFD}")
                } else {
                    Some(&rest[..c.len_utf8()])
                }
            }
        }
    }
}

/// Joins `items`, with `sep(i)` between item `i` and item `i + 1`, after the budget granted
/// the exact length (computed in a first pass).
fn join_pieces<'a, I, F>(items: I, sep: F, cx: &Cx<'_>) -> Result<String, String>
where
    I: Iterator<Item = &'a str> + Clone,
    F: Fn(usize) -> &'a str,
{
    let mut n = 0u64;
    for (i, p) in items.clone().enumerate() {
        if i > 0 {
            n += sep(i - 1).len() as u64;
        }
        n += p.len() as u64;
    }
    cx.budget.bytes(n)?;
    let mut out = String::with_capacity(n as usize);
    for (i, p) in items.enumerate() {
        if i > 0 {
            out.push_str(sep(i - 1));
        }
        out.push_str(p);
    }
    Ok(out)
}

pub(super) fn substitute(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let sv = argv(args, 0);
    if sv.is_null() {
        return Ok(Value::Null);
    }
    let old = argv(args, 1).js_str(cx.budget)?;
    let new = argv(args, 2).js_str(cx.budget)?;
    let s = sv.js_str(cx.budget)?;
    let (old, new): (&str, &str) = (&old, &new);
    let pieces = Pieces::new(&s, old);
    let index = args.get(3).map(|a| {
        let n = a.value.to_number() - 1.0;
        if n.is_nan() { 0.0 } else { n }
    });
    let Some(index) = index else {
        return Ok(Value::String(join_pieces(pieces, |_| new, cx)?));
    };
    let count = pieces.clone().count();
    if index < 1.0 || index > count as f64 - 2.0 {
        cx.budget.bytes(s.len() as u64)?;
        return Ok(Value::String(s.into_owned()));
    }
    // `if (index)` is true here (index >= 1).
    let k = index.trunc() as usize;
    if index.fract() != 0.0 {
        // splitArr[1.5] is undefined; splice(1.5, 2, x) truncates the start: pieces k and
        // k + 1 give way to `new`.
        let items = pieces
            .enumerate()
            .filter(move |(i, _)| *i != k + 1)
            .map(move |(i, p)| if i == k { new } else { p });
        return Ok(Value::String(join_pieces(items, |_| old, cx)?));
    }
    // Pieces k and k + 1 are joined by `new`, the rest by `old`.
    Ok(Value::String(join_pieces(
        pieces,
        |i| if i == k { new } else { old },
        cx,
    )?))
}

pub(super) fn trim(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let t = js_trim(&s);
    cx.budget.bytes(t.len() as u64)?;
    Ok(Value::String(t.to_string()))
}

pub(super) fn t(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(match argv(args, 0) {
        v @ Value::String(_) => copy_value(v, cx.budget)?,
        _ => Value::Null,
    })
}

pub(super) fn rept(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let count = argv(args, 1).to_number();
    let count = if count.is_nan() { 0.0 } else { count };
    let n = to_integer_f(count);
    if n < 0.0 || n.is_infinite() {
        return Err(format!(
            "Invalid count value: {}",
            crate::value::number_to_string(count)
        ));
    }
    if units(&s) as f64 * n > MAX_STRING_UNITS {
        return Err("Invalid string length".into());
    }
    cx.budget.bytes_f(s.len() as f64 * n)?;
    Ok(Value::String(s.repeat(n as usize)))
}

fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        )
}

pub(super) fn encode_url_component(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let Some(s) = first_text(args, cx)? else {
        return Ok(Value::Null);
    };
    let n: u64 = s.bytes().map(|b| if url_safe(b) { 1 } else { 3 }).sum();
    cx.budget.bytes(n)?;
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(n as usize);
    for b in s.bytes() {
        if url_safe(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    Ok(Value::String(out))
}
