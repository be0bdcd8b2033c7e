//! The interpreter (formula.md §2): visits the AST with JavaScript value semantics.

use crate::fields::{ResolvedField, VType};
use crate::functions::{Arg, Cx, FuncSpec, base_error};
use crate::parser::{BinOp, Node, NodeKind, UnOp};
use crate::value::{
    Value, divide, js_add, js_ge, js_gt, js_le, js_lt, loose_eq, minus, plus, times,
};
use crate::{EvalContext, RecordAccess};

/// One evaluation: a record, the settings, and the formula's field table.
pub(crate) struct Evaluator<'a> {
    pub fields: &'a [ResolvedField],
    pub record: &'a dyn RecordAccess,
    pub ctx: &'a EvalContext,
}

/// `getBlankValueByType`: what `BLANK()` becomes next to a value of static type `t`.
fn blank_value(t: VType, other: &Value) -> Value {
    if other.is_null() {
        return Value::Null;
    }
    match t {
        VType::String => Value::String(String::new()),
        VType::Boolean => Value::Bool(false),
        _ => Value::Null,
    }
}

fn or_zero(v: Value) -> Value {
    if v.is_null() { Value::Number(0.0) } else { v }
}

impl Evaluator<'_> {
    /// Evaluates the whole formula: NaN and ±Infinity results become errors.
    pub(crate) fn run(&self, root: &Node) -> Result<Value, String> {
        let v = self.visit(root, false)?;
        if let Value::Number(n) = v
            && !n.is_finite()
        {
            return Err("#Error: NaN".into());
        }
        Ok(v)
    }

    fn visit(&self, node: &Node, error_scope: bool) -> Result<Value, String> {
        match self.visit_inner(node, error_scope) {
            Err(m) if error_scope => Ok(Value::Error(m)),
            r => r,
        }
    }

    fn read_field(&self, i: usize) -> Value {
        let f = &self.fields[i];
        let cell = self.record.cell(&f.id);
        f.read(cell.as_deref())
    }

    fn visit_inner(&self, node: &Node, error_scope: bool) -> Result<Value, String> {
        match &node.kind {
            NodeKind::Number(n) => Ok(Value::Number(*n)),
            NodeKind::Str(s) => Ok(Value::String(s.clone())),
            NodeKind::Field(i) => Ok(self.read_field(*i)),
            NodeKind::Unary(op, child) => {
                let v = self.visit(child, false)?;
                Ok(match op {
                    UnOp::Not => Value::Bool(!v.truthy()),
                    UnOp::Plus => Value::Number(v.to_number()),
                    UnOp::Neg => Value::Number(-v.to_number()),
                })
            }
            NodeKind::Binary(op, l, r) => self.binary(*op, l, r),
            NodeKind::Call(spec, params) => self.call(spec, params, error_scope),
        }
    }

    /// `transformNodeValue`: how a field operand of a binary operator is converted.
    fn transform(&self, node: &Node, v: Value, op: BinOp) -> Result<Value, String> {
        let NodeKind::Field(i) = node.kind else {
            return Ok(v);
        };
        let f = &self.fields[i];
        match f.vtype {
            VType::Number | VType::Boolean | VType::String => Ok(v),
            VType::DateTime if op.is_comparison() => Ok(v),
            VType::Array => {
                let items = match v {
                    Value::Array(items) if !items.is_empty() => items,
                    _ => return Ok(Value::Null),
                };
                if node.inner == Some(VType::Number) {
                    if items.len() > 1 {
                        return Err(base_error());
                    }
                    return Ok(Value::Number(items[0].to_number()));
                }
                Ok(f.display(&Value::Array(items), self.ctx.utc_offset_minutes))
            }
            VType::DateTime => Ok(f.display(&v, self.ctx.utc_offset_minutes)),
        }
    }

    fn binary(&self, op: BinOp, l: &Node, r: &Node) -> Result<Value, String> {
        let lv = self.visit(l, false)?;
        let mut left = self.transform(l, lv, op)?;
        let rv = self.visit(r, false)?;
        let mut right = self.transform(r, rv, op)?;
        if l.blank {
            left = blank_value(r.vtype, &right);
        }
        if r.blank {
            right = blank_value(l.vtype, &left);
        }
        Ok(match op {
            BinOp::And => Value::Bool(left.truthy() && right.truthy()),
            BinOp::Or => Value::Bool(left.truthy() || right.truthy()),
            BinOp::Add => {
                let (a, b) = (or_zero(left), or_zero(right));
                match (&a, &b) {
                    (Value::Number(x), Value::Number(y)) => Value::Number(plus(*x, *y)),
                    _ => js_add(&a, &b),
                }
            }
            BinOp::Sub => Value::Number(minus(&or_zero(left), &or_zero(right))),
            BinOp::Mul => Value::Number(times(&or_zero(left), &or_zero(right))),
            BinOp::Div => Value::Number(divide(&or_zero(left), &or_zero(right))),
            BinOp::Mod => Value::Number(or_zero(left).to_number() % or_zero(right).to_number()),
            BinOp::Eq => Value::Bool(loose_eq(&left, &right)),
            BinOp::Ne => Value::Bool(!loose_eq(&left, &right)),
            BinOp::Gt => Value::Bool(js_gt(&left, &right)),
            BinOp::Ge => Value::Bool(js_ge(&left, &right)),
            BinOp::Lt => Value::Bool(js_lt(&left, &right)),
            BinOp::Le => Value::Bool(js_le(&left, &right)),
            BinOp::Concat => {
                let s = |v: Value| match v {
                    Value::Null => String::new(),
                    v => v.to_js_string(),
                };
                Value::String(s(left) + &s(right))
            }
        })
    }

    fn call(&self, spec: &FuncSpec, params: &[Node], error_scope: bool) -> Result<Value, String> {
        let scope = error_scope || matches!(spec.name, "ISERROR" | "IS_ERROR" | "IF" | "SWITCH");
        let off = self.ctx.utc_offset_minutes;
        let mut args = Vec::with_capacity(params.len());
        for p in params {
            let mut v = self.visit(p, scope)?;
            let mut vt = p.vtype;
            if let NodeKind::Field(i) = p.kind {
                let f = &self.fields[i];
                if !spec.accepts(vt) && vt == VType::Array {
                    if p.inner == Some(VType::Number) {
                        if let Value::Array(items) = &v {
                            if items.len() > 1 {
                                return Err(base_error());
                            }
                            v = items.first().cloned().unwrap_or(Value::Null);
                        }
                    } else if let Value::Array(items) = &v {
                        v = if items.is_empty() {
                            Value::Number(0.0)
                        } else {
                            Value::String(
                                items
                                    .iter()
                                    .filter(|x| !x.is_null())
                                    .map(Value::to_js_string)
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            )
                        };
                    }
                    vt = p.inner.unwrap_or(VType::String);
                }
                if !spec.accepts(vt) {
                    if let Value::String(s) = &v {
                        v = Value::Array(s.split(", ").map(Value::str).collect());
                    }
                    v = f.display(&v, off);
                }
            } else {
                if !spec.accepts(vt) && vt == VType::Array {
                    v = Value::String(v.to_js_string());
                }
                if !spec.accepts(vt) && vt == VType::DateTime && !v.is_null() {
                    let ms = match &v {
                        Value::String(s) => crate::date::parse_date_value(s, 0).unwrap_or(f64::NAN),
                        other => other.to_number(),
                    };
                    v = Value::String(
                        crate::date::to_iso(ms).ok_or_else(|| "Invalid time value".to_string())?,
                    );
                }
            }
            args.push(Arg { value: v, node: p });
        }
        if spec.date_func
            && !args.is_empty()
            && args[0].value.is_null()
            && spec.name != "LAST_MODIFIED_TIME"
        {
            return Ok(Value::Null);
        }
        let cx = Cx {
            record: self.record,
            ctx: self.ctx,
        };
        (spec.imp)(&args, &cx)
    }
}
