//! Array functions: ARRAYJOIN, ARRAYUNIQUE, ARRAYFLATTEN, ARRAYCOMPACT, COUNT*, COUNTIF.

use std::borrow::Cow;

use super::{Arg, Cx, RtResult, arg, copy_value, flatten, is_array_param};
use crate::fields::VType;
use crate::value::{Value, join_items, joined_len, js_gt, js_lt, loose_eq, strict_eq};

pub(super) fn arrayjoin(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    // The real function destructures its first argument, which is not there.
    let Some(first) = args.first() else {
        return Err(
            "Cannot destructure property 'value' of 'undefined' as it is undefined.".into(),
        );
    };
    let sep = match arg(args, 1) {
        Some(v) if v.truthy() => v.js_str(cx.budget)?,
        _ => Cow::Borrowed(", "),
    };
    if first.value.truthy()
        && first.node.vtype == VType::Array
        && let Value::Array(items) = &first.value
    {
        cx.budget.steps(items.len() as u64)?;
        cx.budget.bytes(joined_len(items, sep.len() as u64))?;
        return Ok(Value::String(join_items(items, &sep)));
    }
    copy_value(&first.value, cx.budget)
}

/// SameValueZero.
fn same_value_zero(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => strict_eq(a, b),
    }
}

pub(super) fn arrayunique(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let mut out: Vec<Value> = Vec::new();
    for v in flatten(args, cx.budget)? {
        // Each comparison with a kept element is a step: the loop is quadratic.
        cx.budget.steps(out.len() as u64)?;
        if !out.iter().any(|o| same_value_zero(o, &v)) {
            out.push(v);
        }
    }
    Ok(Value::Array(out))
}

pub(super) fn arrayflatten(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Array(flatten(args, cx.budget)?))
}

pub(super) fn arraycompact(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Array(
        flatten(args, cx.budget)?
            .into_iter()
            .filter(|v| !v.is_null() && !matches!(v, Value::String(s) if s.is_empty()))
            .collect(),
    ))
}

pub(super) fn countall(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    if is_array_param(args) {
        return Ok(Value::Number(match &args[0].value {
            Value::Null => 0.0,
            Value::Array(a) => a.len() as f64,
            Value::String(s) => s.encode_utf16().count() as f64,
            _ => return Ok(Value::Null),
        }));
    }
    Ok(Value::Number(args.len() as f64))
}

fn counta_ok(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false)) && !matches!(v, Value::String(s) if s.is_empty())
}

pub(super) fn counta(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    if is_array_param(args) {
        return Ok(Value::Number(match &args[0].value {
            Value::Array(a) => a.iter().filter(|v| counta_ok(v)).count() as f64,
            v if !v.truthy() => 0.0,
            _ => 0.0,
        }));
    }
    Ok(Value::Number(
        args.iter().filter(|a| counta_ok(&a.value)).count() as f64,
    ))
}

fn is_js_number(v: &Value) -> bool {
    matches!(v, Value::Number(n) if !n.is_nan())
}

pub(super) fn count(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    if is_array_param(args) {
        if args[0].node.inner == Some(VType::DateTime) {
            return Ok(Value::Number(0.0));
        }
        return Ok(Value::Number(match &args[0].value {
            Value::Array(a) => a.iter().filter(|v| is_js_number(v)).count() as f64,
            _ => 0.0,
        }));
    }
    Ok(Value::Number(
        args.iter().filter(|a| is_js_number(&a.value)).count() as f64,
    ))
}

#[derive(PartialEq, Eq)]
enum Sym {
    Eq,
    Ne,
    Gt,
    Lt,
}

/// The server's `symbol.replace(/^(=)|(!=|！=)|(>)|(<)$/g, …)` followed by an exact match.
fn countif_symbol(s: &str) -> Option<Sym> {
    // No replacement shortens the text and the longest result has 8 characters.
    if s.chars().nth(8).is_some() {
        return None;
    }
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if i == 0 && c[i] == '=' {
            out.push_str("Equal");
            i += 1;
        } else if (c[i] == '!' || c[i] == '！') && c.get(i + 1) == Some(&'=') {
            out.push_str("NotEqual");
            i += 2;
        } else if c[i] == '>' {
            out.push_str("Greater");
            i += 1;
        } else if c[i] == '<' && i + 1 == c.len() {
            out.push_str("Less");
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    match out.as_str() {
        "Equal" => Some(Sym::Eq),
        "NotEqual" => Some(Sym::Ne),
        "Greater" => Some(Sym::Gt),
        "Less" => Some(Sym::Lt),
        _ => None,
    }
}

pub(super) fn countif(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let range = &args[0];
    let cond = &args[1];
    let symbol = match arg(args, 2) {
        Some(v) if v.truthy() => match v {
            Value::String(s) => s.as_str(),
            _ => return Err("symbol.replace is not a function".into()),
        },
        _ => "=",
    };
    let sym = countif_symbol(symbol);
    if range.value.is_null() {
        return Ok(Value::Number(0.0));
    }
    let Some(sym) = sym else {
        return Ok(Value::Number(0.0));
    };
    let n = |k: usize| Ok(Value::Number(k as f64));
    if range.node.vtype == VType::Array {
        let single;
        let items: &[Value] = match &range.value {
            Value::Array(a) => a,
            v => {
                single = [copy_value(v, cx.budget)?];
                &single
            }
        };
        cx.budget.steps(items.len() as u64)?;
        // Loose comparisons turn an array or error condition into its text for every item:
        // do it once, within the budget (strict and date comparisons need the value itself).
        let c_text;
        let c_loose = if cond.value.is_composite() {
            c_text = Value::String(cond.value.js_string(cx.budget)?);
            &c_text
        } else {
            &cond.value
        };
        let c = &cond.value;
        let loose_eq_c = |v: &Value| loose_eq(v, if v.is_object() { c } else { c_loose });
        let inner = range.node.inner.unwrap_or(VType::String);
        let simple = |t: VType| matches!(t, VType::String | VType::Number);
        let off = cx.ctx.utc_offset_minutes;
        let dv = |v: &Value| super::datetime::dayjs_value_of(v, off);
        let loose = simple(inner) && simple(cond.node.vtype);
        let same_type = inner == cond.node.vtype;
        let dates = inner == VType::DateTime && cond.node.vtype == VType::DateTime;
        return match sym {
            Sym::Eq => {
                if loose {
                    n(items.iter().filter(|v| loose_eq_c(v)).count())
                } else if !same_type {
                    n(0)
                } else if dates {
                    n(items.iter().filter(|v| dv(v) == dv(c)).count())
                } else {
                    n(items.iter().filter(|v| strict_eq(v, c)).count())
                }
            }
            Sym::Ne => {
                if loose {
                    n(items.iter().filter(|v| !loose_eq_c(v)).count())
                } else if !same_type {
                    n(items.len())
                } else if dates {
                    n(items.iter().filter(|v| dv(v) != dv(c)).count())
                } else {
                    n(items.iter().filter(|v| !strict_eq(v, c)).count())
                }
            }
            Sym::Gt | Sym::Lt => {
                let cmp = |a: &Value, b: &Value| {
                    if sym == Sym::Gt {
                        js_gt(a, b)
                    } else {
                        js_lt(a, b)
                    }
                };
                if loose {
                    n(items.iter().filter(|v| cmp(v, c_loose)).count())
                } else if !same_type {
                    n(0)
                } else if dates {
                    let cd = Value::Number(dv(c));
                    n(items
                        .iter()
                        .filter(|v| cmp(&Value::Number(dv(v)), &cd))
                        .count())
                } else {
                    n(items.iter().filter(|v| cmp(v, c_loose)).count())
                }
            }
        };
    }
    if range.node.vtype == VType::String {
        return match sym {
            Sym::Eq => {
                if matches!(cond.node.vtype, VType::String | VType::Number) {
                    let hay = range.value.js_str(cx.budget)?;
                    let needle = cond.value.js_str(cx.budget)?;
                    if needle.is_empty() {
                        n(hay.encode_utf16().count().saturating_sub(1))
                    } else {
                        n(hay.matches(&*needle).count())
                    }
                } else {
                    n(0)
                }
            }
            Sym::Ne => n(1),
            _ => n(0),
        };
    }
    n(0)
}
