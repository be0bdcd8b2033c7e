//! Numeric functions.

use super::{Arg, Cx, RtResult, arg, argv, is_array_param};
use crate::fields::VType;
use crate::parser::Node;
use crate::value::{Value, divide, js_gt, plus, times};

fn num(v: &Value) -> f64 {
    v.to_number()
}

fn no_nan(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x }
}

/// JS `Math.round`.
pub(crate) fn js_round(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let r = x.floor();
    let res = if x - r >= 0.5 { r + 1.0 } else { r };
    if res == 0.0 && (x < 0.0 || (x == 0.0 && x.is_sign_negative())) {
        -0.0
    } else {
        res
    }
}

/// JS `Math.pow`.
pub(crate) fn js_pow(b: f64, e: f64) -> f64 {
    if e.is_nan() {
        return f64::NAN;
    }
    if e.is_infinite() && b.abs() == 1.0 {
        return f64::NAN;
    }
    b.powf(e)
}

fn inner_is_date(args: &[Arg<'_>]) -> bool {
    args[0].node.inner == Some(VType::DateTime)
}

/// One step per element of a one-array argument.
fn array_steps(args: &[Arg<'_>], cx: &Cx<'_>) -> Result<(), String> {
    if let Some(Value::Array(items)) = args.first().map(|a| &a.value) {
        cx.budget.steps(items.len() as u64)?;
    }
    Ok(())
}

pub(super) fn sum(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    array_steps(args, cx)?;
    if is_array_param(args) {
        if inner_is_date(args) {
            return Ok(Value::Number(0.0));
        }
        return Ok(Value::Number(match &args[0].value {
            Value::Array(items) => items.iter().fold(0.0, |acc, v| plus(acc, no_nan(num(v)))),
            v if !v.truthy() => 0.0,
            v => plus(0.0, no_nan(num(v))),
        }));
    }
    Ok(Value::Number(
        args.iter()
            .fold(0.0, |acc, a| plus(acc, no_nan(num(&a.value)))),
    ))
}

pub(super) fn average(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    array_steps(args, cx)?;
    if is_array_param(args) {
        if inner_is_date(args) {
            return Ok(Value::Number(0.0));
        }
        return Ok(Value::Number(match &args[0].value {
            Value::Array(items) => {
                let s = items.iter().fold(0.0, |acc, v| plus(acc, no_nan(num(v))));
                s / (items.len().max(1) as f64)
            }
            v if !v.truthy() => 0.0,
            v => no_nan(num(v)),
        }));
    }
    let total = args
        .iter()
        .filter(|a| !a.value.is_null() && !num(&a.value).is_nan())
        .count()
        .max(1);
    let s = args
        .iter()
        .fold(0.0, |acc, a| plus(acc, no_nan(num(&a.value))));
    Ok(Value::Number(s / total as f64))
}

pub(super) fn ret_max(params: &[Node]) -> VType {
    if params.len() == 1 && params[0].vtype == VType::Array {
        return if params[0].inner == Some(VType::DateTime) {
            VType::DateTime
        } else {
            VType::Number
        };
    }
    if params.iter().all(|p| p.vtype == VType::DateTime) {
        VType::DateTime
    } else {
        VType::Number
    }
}

fn extreme(args: &[Arg<'_>], want_max: bool) -> RtResult {
    let pick = |nums: Vec<f64>| -> Option<f64> {
        nums.into_iter().reduce(|a, b| {
            if (want_max && b > a) || (!want_max && b < a) {
                b
            } else {
                a
            }
        })
    };
    if is_array_param(args) {
        return Ok(match &args[0].value {
            Value::Array(items) => {
                let nums: Vec<f64> = items.iter().map(num).filter(|d| !d.is_nan()).collect();
                pick(nums).map_or(Value::Null, Value::Number)
            }
            v if !v.truthy() => Value::Null,
            v => {
                let n = num(v);
                if n.is_nan() {
                    Value::Null
                } else {
                    Value::Number(n)
                }
            }
        });
    }
    // `getReturnType` of the argument nodes (the one-array case returned above).
    let all_dates = args.iter().all(|a| a.node.vtype == VType::DateTime);
    let nums: Vec<f64> = args
        .iter()
        .filter(|a| all_dates || a.node.vtype != VType::DateTime)
        .map(|a| num(&a.value))
        .filter(|d| !d.is_nan())
        .collect();
    Ok(Value::Number(pick(nums).unwrap_or(0.0)))
}

pub(super) fn max(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    array_steps(args, cx)?;
    extreme(args, true)
}

pub(super) fn min(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    array_steps(args, cx)?;
    extreme(args, false)
}

fn precision_of(v: Option<&Value>) -> f64 {
    // `params[1] && Math.floor(params[1].value) || 0`
    match v {
        None => 0.0,
        Some(v) => {
            let p = num(v).floor();
            if p.is_nan() || p == 0.0 { 0.0 } else { p }
        }
    }
}

pub(super) fn round(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let n = num(v);
    let offset = js_pow(10.0, precision_of(arg(args, 1)));
    let scaled = times(&Value::Number(n), &Value::Number(offset));
    Ok(Value::Number(divide(
        &Value::Number(js_round(scaled)),
        &Value::Number(offset),
    )))
}

fn round_du(args: &[Arg<'_>], up: bool) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let n = num(v);
    let offset = js_pow(10.0, precision_of(arg(args, 1)));
    let x = n * offset;
    let r = if (n > 0.0) == up { x.ceil() } else { x.floor() };
    Ok(Value::Number(r / offset))
}

pub(super) fn roundup(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    round_du(args, true)
}

pub(super) fn rounddown(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    round_du(args, false)
}

fn round_fc(args: &[Arg<'_>], f: fn(f64) -> f64) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let n = num(v);
    match arg(args, 1) {
        Some(s) if !s.is_null() => {
            let s = num(s);
            let q = divide(&Value::Number(n), &Value::Number(s));
            Ok(Value::Number(times(
                &Value::Number(f(q)),
                &Value::Number(s),
            )))
        }
        _ => Ok(Value::Number(f(n))),
    }
}

pub(super) fn ceiling(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    round_fc(args, f64::ceil)
}

pub(super) fn floor(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    round_fc(args, f64::floor)
}

fn away_from_zero(v: &Value) -> f64 {
    let n = num(v);
    if js_gt(v, &Value::Number(0.0)) {
        n.ceil()
    } else {
        n.floor()
    }
}

pub(super) fn even(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let r = away_from_zero(v);
    if r % 2.0 == 0.0 {
        return Ok(Value::Number(r));
    }
    Ok(Value::Number(if r > 0.0 { r + 1.0 } else { r - 1.0 }))
}

pub(super) fn odd(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let r = away_from_zero(v);
    if r % 2.0 != 0.0 {
        return Ok(Value::Number(r));
    }
    Ok(Value::Number(if r >= 0.0 { r + 1.0 } else { r - 1.0 }))
}

fn unary_math(args: &[Arg<'_>], f: fn(f64) -> f64) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::Number(f(num(v))))
}

pub(super) fn int(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    unary_math(args, f64::floor)
}

pub(super) fn sqrt(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    unary_math(args, f64::sqrt)
}

pub(super) fn exp(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    unary_math(args, f64::exp)
}

pub(super) fn abs(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Number(match arg(args, 0) {
        None => f64::NAN,
        Some(v) => num(v).abs(),
    }))
}

pub(super) fn power(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::Number(js_pow(num(v), num(argv(args, 1)))))
}

pub(super) fn log(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let base = arg(args, 1).map_or(10.0, num);
    Ok(Value::Number(num(v).ln() / base.ln()))
}

/// JS `ToInt32`.
pub(crate) fn to_int32(x: f64) -> i32 {
    if !x.is_finite() {
        return 0;
    }
    let m = x.trunc().rem_euclid(4_294_967_296.0);
    (m as u32) as i32
}

pub(super) fn mod_(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = argv(args, 0);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let n = num(v);
    let d = num(argv(args, 1));
    let m = n % d;
    if (to_int32(n) ^ to_int32(d)) < 0 {
        return Ok(Value::Number(-m));
    }
    Ok(Value::Number(m))
}

pub(super) fn value(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let text = match arg(args, 0) {
        None => "undefined".into(),
        Some(v) => v.js_str(cx.budget)?,
    };
    // Keep digits, dots and signs, collapsing each run of sign/dot characters (among the
    // kept ones) to its last character.
    let kept = text
        .bytes()
        .filter(|c| c.is_ascii_digit() || matches!(c, b'.' | b'+' | b'-'));
    cx.budget.bytes(text.len() as u64)?;
    let mut collapsed = String::with_capacity(text.len());
    let mut pending = None;
    for c in kept {
        if c.is_ascii_digit() {
            if let Some(p) = pending.take() {
                collapsed.push(char::from(p));
            }
            collapsed.push(char::from(c));
        } else {
            pending = Some(c);
        }
    }
    if let Some(p) = pending {
        collapsed.push(char::from(p));
    }
    Ok(Value::Number(crate::value::parse_float(&collapsed)))
}
