//! Runtime values and the JavaScript value semantics the evaluator follows.

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;

use crate::budget::Budget;
use crate::lexer::is_js_space;

/// Bytes an array element takes besides its own heap data.
pub(crate) const VALUE_SLOT: u64 = std::mem::size_of::<Value>() as u64;

/// Length in bytes of the JS `items.join(sep)` (null elements are empty), without building it.
pub(crate) fn joined_len<V: Borrow<Value>>(items: &[V], sep_len: u64) -> u64 {
    let body: u64 = items
        .iter()
        .map(|v| match v.borrow() {
            Value::Null => 0,
            v => v.js_string_len(),
        })
        .sum();
    body + sep_len * (items.len() as u64).saturating_sub(1)
}

/// JS `items.join(sep)` (null elements are empty), built at its exact size.
pub(crate) fn join_items<V: Borrow<Value>>(items: &[V], sep: &str) -> String {
    let mut out = String::with_capacity(joined_len(items, sep.len() as u64) as usize);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match v.borrow() {
            Value::Null => {}
            Value::String(s) => out.push_str(s),
            Value::Array(inner) => out.push_str(&join_items(inner, ",")),
            v => out.push_str(&v.to_js_string()),
        }
    }
    out
}

/// JS `Number(array)`: the array's `join(",")` read as a number, without building the string.
/// Two or more elements always give a comma, hence NaN.
fn array_to_number(items: &[Value]) -> f64 {
    match items {
        [] => 0.0,
        [one] => match one {
            Value::Null => 0.0,
            Value::String(s) => string_to_number(s),
            // The shortest round-trip form reads back as the same number (and -0 as 0).
            Value::Number(n) => *n + 0.0,
            Value::Array(inner) => array_to_number(inner),
            Value::Bool(_) | Value::Date(_) | Value::Error(_) => f64::NAN,
        },
        _ => f64::NAN,
    }
}

/// A JavaScript value of the real engine, with its dayjs dates as `D`: [`crate::Value`], what
/// callers see, holds a date as its instant; inside the evaluator a date keeps its zone and
/// locale.
#[derive(Debug, Clone, PartialEq)]
pub enum JsValue<D> {
    /// `null` (a blank cell, `BLANK()`).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (IEEE double). Dates are epoch-millisecond numbers.
    Number(f64),
    /// A string.
    String(String),
    /// An array (multi-value cells, array functions).
    Array(Vec<JsValue<D>>),
    /// A dayjs object (from `SET_LOCALE`/`SET_TIMEZONE`).
    Date(D),
    /// An error captured as a value (inside `IF`, `SWITCH`, `IS_ERROR`); holds the message.
    Error(String),
}

impl<D> JsValue<D> {
    /// Builds a string value.
    pub fn str(s: impl Into<String>) -> JsValue<D> {
        JsValue::String(s.into())
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, JsValue::Null)
    }

    /// The same value with each date, in arrays too, turned into an `E`.
    pub(crate) fn map_date<E>(self, f: &impl Fn(D) -> E) -> JsValue<E> {
        match self {
            JsValue::Null => JsValue::Null,
            JsValue::Bool(b) => JsValue::Bool(b),
            JsValue::Number(n) => JsValue::Number(n),
            JsValue::String(s) => JsValue::String(s),
            JsValue::Array(items) => {
                JsValue::Array(items.into_iter().map(|v| v.map_date(f)).collect())
            }
            JsValue::Date(d) => JsValue::Date(f(d)),
            JsValue::Error(m) => JsValue::Error(m),
        }
    }
}

/// A value inside the evaluator: what a JavaScript value would be in the real server, a date
/// an instant with its zone and locale.
pub type Value = JsValue<crate::date_value::DateVal>;

impl Value {
    /// JavaScript truthiness (`Boolean(x)`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => !(n.is_nan() || *n == 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Date(_) | Value::Error(_) => true,
        }
    }

    /// JavaScript `Number(x)`.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => string_to_number(s),
            Value::Array(items) => array_to_number(items),
            Value::Date(d) => d.ms,
            Value::Error(_) => f64::NAN,
        }
    }

    /// JavaScript `String(x)`.
    pub fn to_js_string(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => if *b { "true" } else { "false" }.into(),
            Value::Number(n) => number_to_string(*n),
            Value::String(s) => s.clone(),
            Value::Array(items) => join_items(items, ","),
            Value::Date(d) => crate::date::to_utc_string(d.ms),
            Value::Error(m) => format!("Error: {m}"),
        }
    }

    /// `String(x)` borrowed when `x` is a string. Anything else is built, so callers use it
    /// only on values that are not arrays or errors (those are built within the budget by
    /// [`Value::js_str`]); the others make at most a few dozen bytes.
    pub(crate) fn js_cow(&self) -> Cow<'_, str> {
        match self {
            Value::String(s) => Cow::Borrowed(s),
            v => Cow::Owned(v.to_js_string()),
        }
    }

    /// `String(x)` within `budget`: borrowed when `x` is a string, otherwise built after the
    /// budget granted its length.
    pub(crate) fn js_str(&self, budget: &Budget) -> Result<Cow<'_, str>, String> {
        match self {
            Value::String(s) => Ok(Cow::Borrowed(s)),
            v => v.js_string(budget).map(Cow::Owned),
        }
    }

    /// `String(x)` as a new string, within `budget`.
    pub(crate) fn js_string(&self, budget: &Budget) -> Result<String, String> {
        budget.bytes(self.js_string_len())?;
        Ok(self.to_js_string())
    }

    /// The length in bytes of `String(x)`, computed without building it.
    pub(crate) fn js_string_len(&self) -> u64 {
        match self {
            Value::Null | Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => number_to_string(*n).len() as u64,
            Value::String(s) => s.len() as u64,
            Value::Array(items) => joined_len(items, 1),
            Value::Date(d) => crate::date::to_utc_string(d.ms).len() as u64,
            Value::Error(m) => 7 + m.len() as u64,
        }
    }

    /// Heap bytes the value holds: string bytes and array slots, recursively.
    pub(crate) fn heap_size(&self) -> u64 {
        match self {
            Value::String(s) | Value::Error(s) => s.len() as u64,
            Value::Array(items) => {
                items.len() as u64 * VALUE_SLOT + items.iter().map(Value::heap_size).sum::<u64>()
            }
            _ => 0,
        }
    }

    /// JS `ToPrimitive` with the default/number hint: arrays and errors become strings, dayjs
    /// objects their millisecond value, primitives stay as they are (borrowed).
    fn to_primitive(&self) -> Cow<'_, Value> {
        match self {
            Value::Array(_) | Value::Error(_) => Cow::Owned(Value::String(self.to_js_string())),
            Value::Date(d) => Cow::Owned(Value::Number(d.ms)),
            v => Cow::Borrowed(v),
        }
    }

    /// Whether `String(x)` would build a string that may be large (arrays and errors).
    pub(crate) fn is_composite(&self) -> bool {
        matches!(self, Value::Array(_) | Value::Error(_))
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Value::Array(_) | Value::Error(_) | Value::Date(_))
    }
}

/// JavaScript loose equality `a == b`.
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    use JsValue::*;
    match (a, b) {
        (Null, Null) => true,
        (Null, _) | (_, Null) => false,
        (Number(x), Number(y)) => x == y,
        (String(x), String(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        (Number(x), String(s)) | (String(s), Number(x)) => *x == string_to_number(s),
        (Bool(x), other) | (other, Bool(x)) => loose_eq(&Number(f64::from(u8::from(*x))), other),
        // Two objects: equal only when they are the same object, which never happens here.
        (x, y) if x.is_object() && y.is_object() => false,
        (x, y) if x.is_object() => loose_eq(&x.to_primitive(), y),
        (x, y) => loose_eq(x, &y.to_primitive()),
    }
}

/// JavaScript strict equality `a === b` (objects are never equal).
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    use JsValue::*;
    match (a, b) {
        (Null, Null) => true,
        (Number(x), Number(y)) => x == y,
        (String(x), String(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        _ => false,
    }
}

/// JavaScript abstract relational comparison: `Some(Less)` when `a < b`, `None` when undefined
/// (a NaN operand).
fn js_compare(a: &Value, b: &Value) -> Option<Ordering> {
    let pa = a.to_primitive();
    let pb = b.to_primitive();
    if let (Value::String(x), Value::String(y)) = (&*pa, &*pb) {
        return Some(x.encode_utf16().cmp(y.encode_utf16()));
    }
    let x = pa.to_number();
    let y = pb.to_number();
    x.partial_cmp(&y)
}

/// `a < b`
pub fn js_lt(a: &Value, b: &Value) -> bool {
    js_compare(a, b) == Some(Ordering::Less)
}

/// `a <= b`
pub fn js_le(a: &Value, b: &Value) -> bool {
    matches!(js_compare(a, b), Some(Ordering::Less | Ordering::Equal))
}

/// `a > b`
pub fn js_gt(a: &Value, b: &Value) -> bool {
    js_compare(a, b) == Some(Ordering::Greater)
}

/// `a >= b`
pub fn js_ge(a: &Value, b: &Value) -> bool {
    matches!(js_compare(a, b), Some(Ordering::Greater | Ordering::Equal))
}

/// Trims JavaScript whitespace from both ends.
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// Length of the longest prefix of `s` that is a JS StrUnsignedDecimalLiteral without the
/// `Infinity` case: digits, optional fraction, optional exponent. Returns 0 when none.
fn decimal_prefix_len(s: &[u8]) -> usize {
    let mut i = 0;
    let int_start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < s.len() && s[i] == b'.' {
        let mut j = i + 1;
        let frac_start = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        let frac = j - frac_start;
        if digits > 0 || frac > 0 {
            digits += frac;
            i = j;
        }
    }
    if digits == 0 {
        return 0;
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        let mut j = i + 1;
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            i = j;
        }
    }
    i
}

fn parse_radix(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() {
        return f64::NAN;
    }
    let mut acc = 0.0f64;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => acc = acc * f64::from(radix) + f64::from(d),
            None => return f64::NAN,
        }
    }
    acc
}

/// JavaScript `Number(string)`.
pub fn string_to_number(s: &str) -> f64 {
    let t = js_trim(s);
    if t.is_empty() {
        return 0.0;
    }
    let lower2 = t.get(..2).map(str::to_ascii_lowercase);
    match lower2.as_deref() {
        Some("0x") => return parse_radix(&t[2..], 16),
        Some("0o") => return parse_radix(&t[2..], 8),
        Some("0b") => return parse_radix(&t[2..], 2),
        _ => {}
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'+' => (1.0, &t[1..]),
        b'-' => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    let n = decimal_prefix_len(body.as_bytes());
    if n == 0 || n != body.len() {
        return f64::NAN;
    }
    sign * body.parse::<f64>().unwrap_or(f64::NAN)
}

/// JavaScript `parseFloat(string)`.
pub fn parse_float(s: &str) -> f64 {
    let t = s.trim_start_matches(is_js_space);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'+') => (1.0, &t[1..]),
        Some(b'-') => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body.starts_with("Infinity") {
        return sign * f64::INFINITY;
    }
    let n = decimal_prefix_len(body.as_bytes());
    if n == 0 {
        return f64::NAN;
    }
    sign * body[..n].parse::<f64>().unwrap_or(f64::NAN)
}

/// Shortest round-trip decimal digits of a finite positive `x`, and the JS exponent `n`
/// (the value is `0.d1d2… × 10^n`).
fn shortest_digits(x: f64) -> (String, i32) {
    let e = format!("{x:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (digits.to_string(), exp + 1)
}

/// JavaScript `Number.prototype.toString()` (radix 10).
pub fn number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x < 0.0 {
        return format!("-{}", number_to_string(-x));
    }
    let (digits, n) = shortest_digits(x);
    let k = digits.len() as i32;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e >= 0 { '+' } else { '-' };
        if k == 1 {
            format!("{digits}e{sign}{}", e.abs())
        } else {
            format!("{}.{}e{sign}{}", &digits[..1], &digits[1..], e.abs())
        }
    }
}

/// JavaScript `x.toPrecision(p)` parsed back with `parseFloat` (the `strip` helper).
fn strip(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// `digitLength`: decimals of the JS string form of `v`, adjusted by its exponent.
fn digit_length(s: &str) -> i32 {
    let mut parts = s.split(['e', 'E']);
    let head = parts.next().unwrap_or("");
    let d_len = head
        .split('.')
        .nth(1)
        .map_or(0, |f| f.encode_utf16().count()) as f64;
    let power = parts.next().map_or(0.0, string_to_number);
    let power = if power.is_nan() { 0.0 } else { power };
    // Clamped: 10^1000 is already Infinity, as in JS.
    (d_len - power).clamp(0.0, 1000.0) as i32
}

/// `float2Fixed`: scale to an integer by dropping the decimal point.
fn float2fixed(s: &str, num: f64) -> f64 {
    if !s.contains('e') {
        // Copied only when there is a point to drop.
        return match s.split_once('.') {
            Some((head, tail)) => string_to_number(&[head, tail].concat()),
            None => string_to_number(s),
        };
    }
    let d = digit_length(s);
    if d > 0 {
        strip(num * 10f64.powi(d))
    } else {
        num
    }
}

fn times_str(s1: &str, n1: f64, s2: &str, n2: f64) -> f64 {
    let i1 = float2fixed(s1, n1);
    let i2 = float2fixed(s2, n2);
    let base = digit_length(s1) + digit_length(s2);
    (i1 * i2) / 10f64.powf(f64::from(base))
}

fn times_num(a: f64, b: f64) -> f64 {
    times_str(&number_to_string(a), a, &number_to_string(b), b)
}

/// Decimal-corrected multiplication (`times`), on arbitrary JS values.
pub fn times(a: &Value, b: &Value) -> f64 {
    times_str(&a.js_cow(), a.to_number(), &b.js_cow(), b.to_number())
}

/// Decimal-corrected division (`divide`), on arbitrary JS values.
pub fn divide(a: &Value, b: &Value) -> f64 {
    let (s1, s2) = (a.js_cow(), b.js_cow());
    let i1 = float2fixed(&s1, a.to_number());
    let i2 = float2fixed(&s2, b.to_number());
    let base = digit_length(&s2) - digit_length(&s1);
    times_num(i1 / i2, strip(10f64.powf(f64::from(base))))
}

/// Decimal-corrected addition (`plus`) of two numbers.
pub fn plus(a: f64, b: f64) -> f64 {
    let (s1, s2) = (number_to_string(a), number_to_string(b));
    let base = 10f64.powf(f64::from(digit_length(&s1).max(digit_length(&s2))));
    (times_num(a, base) + times_num(b, base)) / base
}

/// Decimal-corrected subtraction (`minus`), on arbitrary JS values.
pub fn minus(a: &Value, b: &Value) -> f64 {
    let (s1, s2) = (a.js_cow(), b.js_cow());
    let base = 10f64.powf(f64::from(digit_length(&s1).max(digit_length(&s2))));
    let bv = Value::Number(base);
    (times(a, &bv) - times(b, &bv)) / base
}

/// JavaScript `+` on two values that are not both numbers: string concatenation after
/// `ToPrimitive` (numbers and booleans add when neither side is a string). The concatenation
/// is built within `budget`.
pub fn js_add(a: &Value, b: &Value, budget: &Budget) -> Result<Value, String> {
    let pa = if a.is_composite() {
        Cow::Owned(Value::String(a.js_string(budget)?))
    } else {
        a.to_primitive()
    };
    let pb = if b.is_composite() {
        Cow::Owned(Value::String(b.js_string(budget)?))
    } else {
        b.to_primitive()
    };
    if matches!(*pa, Value::String(_)) || matches!(*pb, Value::String(_)) {
        let (x, y) = (pa.js_cow(), pb.js_cow());
        budget.bytes(x.len() as u64 + y.len() as u64)?;
        let mut out = String::with_capacity(x.len() + y.len());
        out.push_str(&x);
        out.push_str(&y);
        Ok(Value::String(out))
    } else {
        Ok(Value::Number(pa.to_number() + pb.to_number()))
    }
}

/// JavaScript `parseInt(string, 10)` of a number's string form (leading integer digits).
pub(crate) fn parse_int_of(s: &str) -> f64 {
    let t = js_trim(s);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    sign * digits.parse::<f64>().unwrap_or(f64::NAN)
}

/// Decimal-corrected multiplication of two numbers.
pub(crate) fn times_f(a: f64, b: f64) -> f64 {
    times_num(a, b)
}
