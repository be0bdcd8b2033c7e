//! Logical functions: IF, AND, OR, NOT, XOR, TRUE, FALSE, BLANK, ERROR, IS_ERROR, SWITCH.

use std::borrow::Cow;

use super::{Arg, Cx, RtResult, argv, copy_value, is_array_param};
use crate::fields::VType;
use crate::parser::Node;
use crate::value::{Value, strict_eq};

pub(super) fn ret_if(params: &[Node]) -> VType {
    let (a, b) = (&params[1], &params[2]);
    if a.vtype == VType::Array || b.vtype == VType::Array {
        return VType::String;
    }
    if a.blank {
        return b.vtype;
    }
    if b.blank {
        return a.vtype;
    }
    if a.vtype == b.vtype {
        a.vtype
    } else {
        VType::String
    }
}

pub(super) fn if_(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let pick = if argv(args, 0).truthy() {
        argv(args, 1)
    } else {
        argv(args, 2)
    };
    copy_value(pick, cx.budget)
}

fn truthy_elements(args: &[Arg<'_>], cx: &Cx<'_>) -> Result<Option<Vec<bool>>, String> {
    Ok(if is_array_param(args) {
        match &args[0].value {
            Value::Array(items) => {
                cx.budget.steps(items.len() as u64)?;
                Some(items.iter().map(Value::truthy).collect())
            }
            Value::Null => None,
            other => Some(vec![other.truthy()]),
        }
    } else {
        Some(args.iter().map(|a| a.value.truthy()).collect())
    })
}

pub(super) fn and(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(
        truthy_elements(args, cx)?.is_some_and(|v| v.iter().all(|b| *b)),
    ))
}

pub(super) fn or(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(
        truthy_elements(args, cx)?.is_some_and(|v| v.iter().any(|b| *b)),
    ))
}

pub(super) fn xor(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(truthy_elements(args, cx)?.is_some_and(|v| {
        v.iter().filter(|b| **b).count() % 2 == 1
    })))
}

pub(super) fn not(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(!argv(args, 0).truthy()))
}

pub(super) fn true_(_: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(true))
}

pub(super) fn false_(_: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(false))
}

pub(super) fn blank(_: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Null)
}

pub(super) fn error(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let msg = argv(args, 0);
    if msg.truthy() {
        let text = msg.js_str(cx.budget)?;
        cx.budget.bytes(8 + text.len() as u64)?;
        Err(format!("#Error: {text}"))
    } else {
        Err("#Error!".into())
    }
}

pub(super) fn is_error(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let v = args.first().map(|a| &a.value);
    Ok(Value::Bool(match v {
        None => true, // isNaN(undefined)
        Some(Value::Error(_)) => true,
        Some(v) => v.to_number().is_nan() || v.to_number().is_infinite(),
    }))
}

pub(super) fn ret_switch(params: &[Node]) -> VType {
    let args_len = params.len() - 1;
    let mut result: Option<VType> = if args_len % 2 == 1 {
        Some(params[args_len].vtype)
    } else {
        None
    };
    let mut i = 2;
    while i <= args_len {
        let p = &params[i];
        i += 2;
        if p.blank {
            continue;
        }
        if let Some(r) = result
            && r != p.vtype
        {
            return VType::String;
        }
        result = Some(p.vtype);
    }
    match result.unwrap_or(VType::String) {
        VType::Array => VType::String,
        t => t,
    }
}

pub(super) fn switch(args: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    let args_len = args.len() - 1;
    let count = args_len / 2;
    let is_date = args[0].node.inner == Some(VType::DateTime);
    let off = cx.ctx.utc_offset_minutes;
    fn norm<'v>(a: &'v Arg<'_>, is_date: bool, off: i32) -> Cow<'v, Value> {
        if a.node.vtype == VType::Array
            && matches!(&a.value, Value::Null | Value::Array(_))
            && a.value_is_empty_array()
        {
            return Cow::Owned(Value::Null);
        }
        if is_date {
            return Cow::Owned(Value::Number(crate::functions::datetime::dayjs_value_of(
                &a.value, off,
            )));
        }
        Cow::Borrowed(&a.value)
    }
    let target = norm(&args[0], is_date, off);
    for i in 0..count {
        let cur = norm(&args[i * 2 + 1], is_date, off);
        if strict_eq(&target, &cur) {
            return copy_value(&args[i * 2 + 2].value, cx.budget);
        }
    }
    if args_len % 2 == 1 {
        copy_value(&args[args_len].value, cx.budget)
    } else {
        Ok(Value::Null)
    }
}

impl Arg<'_> {
    fn value_is_empty_array(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            _ => false,
        }
    }
}
