//! Logical functions: IF, AND, OR, NOT, XOR, TRUE, FALSE, BLANK, ERROR, IS_ERROR, SWITCH.

use super::{Arg, Cx, RtResult, argv, is_array_param};
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

pub(super) fn if_(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(if argv(args, 0).truthy() {
        argv(args, 1).clone()
    } else {
        argv(args, 2).clone()
    })
}

fn truthy_elements(args: &[Arg<'_>]) -> Option<Vec<bool>> {
    if is_array_param(args) {
        match &args[0].value {
            Value::Array(items) => Some(items.iter().map(Value::truthy).collect()),
            Value::Null => None,
            other => Some(vec![other.truthy()]),
        }
    } else {
        Some(args.iter().map(|a| a.value.truthy()).collect())
    }
}

pub(super) fn and(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(
        truthy_elements(args).is_some_and(|v| v.iter().all(|b| *b)),
    ))
}

pub(super) fn or(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(
        truthy_elements(args).is_some_and(|v| v.iter().any(|b| *b)),
    ))
}

pub(super) fn xor(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    Ok(Value::Bool(truthy_elements(args).is_some_and(|v| {
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

pub(super) fn error(args: &[Arg<'_>], _: &Cx<'_>) -> RtResult {
    let msg = argv(args, 0);
    if msg.truthy() {
        Err(format!("#Error: {}", msg.to_js_string()))
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
    let default = if args_len % 2 == 1 {
        args[args_len].value.clone()
    } else {
        Value::Null
    };
    let is_date = args[0].node.inner == Some(VType::DateTime);
    let off = cx.ctx.utc_offset_minutes;
    let norm = |a: &Arg<'_>| -> Value {
        if a.node.vtype == VType::Array
            && matches!(&a.value, Value::Null | Value::Array(_))
            && a.value_is_empty_array()
        {
            return Value::Null;
        }
        if is_date {
            return Value::Number(crate::functions::datetime::dayjs_value_of(&a.value, off));
        }
        a.value.clone()
    };
    let target = norm(&args[0]);
    for i in 0..count {
        let cur = norm(&args[i * 2 + 1]);
        if strict_eq(&target, &cur) {
            return Ok(args[i * 2 + 2].value.clone());
        }
    }
    Ok(default)
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
