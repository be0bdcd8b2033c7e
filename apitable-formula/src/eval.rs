//! The interpreter: visits the AST with JavaScript value semantics, as the server's engine does.

use crate::budget::Budget;
use crate::fields::{ResolvedField, VType};
use crate::functions::{Arg, Cx, FuncSpec, base_error};
use crate::parser::{BinOp, Node, NodeKind, UnOp};
use crate::value::{
    VALUE_SLOT, Value, divide, join_items, joined_len, js_add, js_ge, js_gt, js_le, js_lt,
    loose_eq, minus, plus, times,
};
use crate::{EvalContext, RecordAccess};

/// One evaluation: a record, the settings, the formula's field table and the budget.
pub(crate) struct Evaluator<'a> {
    pub fields: &'a [ResolvedField],
    pub record: &'a dyn RecordAccess,
    pub ctx: &'a EvalContext,
    pub budget: &'a Budget,
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
        self.budget.step()?;
        match self.visit_inner(node, error_scope) {
            // An exhausted budget is not an error the formula may catch.
            Err(m) if error_scope && !self.budget.is_exhausted() => Ok(Value::Error(m)),
            r => r,
        }
    }

    /// A cell as a value. The cell is already in memory, so its copy is charged as it is
    /// made: it is at most the cell's size.
    fn read_field(&self, i: usize) -> Result<Value, String> {
        let f = &self.fields[i];
        let cell = self.record.cell(&f.id);
        let v = f.read(cell.as_deref());
        if let Value::Array(items) = &v {
            self.budget.steps(items.len() as u64)?;
        }
        self.budget.bytes(v.heap_size())?;
        Ok(v)
    }

    /// `ToPrimitive` of an array or error (their text, within the budget); other values as
    /// they are. The value operators then see only values whose text is cheap.
    fn primitive(&self, v: Value) -> Result<Value, String> {
        if v.is_composite() {
            Ok(Value::String(v.js_string(self.budget)?))
        } else {
            Ok(v)
        }
    }

    fn visit_inner(&self, node: &Node, error_scope: bool) -> Result<Value, String> {
        match &node.kind {
            NodeKind::Number(n) => Ok(Value::Number(*n)),
            NodeKind::Str(s) => {
                self.budget.bytes(s.len() as u64)?;
                Ok(Value::String(s.clone()))
            }
            NodeKind::Field(i) => self.read_field(*i),
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
                f.display(
                    &Value::Array(items),
                    self.ctx.utc_offset_minutes,
                    self.budget,
                )
            }
            VType::DateTime => f.display(&v, self.ctx.utc_offset_minutes, self.budget),
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
        self.apply(op, left, right)
    }

    /// Applies a binary operator to its operand values. Kept out of [`Evaluator::binary`],
    /// which recurses, so that the recursion's stack frames stay small.
    #[inline(never)]
    fn apply(&self, op: BinOp, left: Value, right: Value) -> Result<Value, String> {
        let arith = |v: Value| self.primitive(or_zero(v));
        Ok(match op {
            BinOp::And => Value::Bool(left.truthy() && right.truthy()),
            BinOp::Or => Value::Bool(left.truthy() || right.truthy()),
            BinOp::Add => {
                let (a, b) = (or_zero(left), or_zero(right));
                match (&a, &b) {
                    (Value::Number(x), Value::Number(y)) => Value::Number(plus(*x, *y)),
                    _ => js_add(&a, &b, self.budget)?,
                }
            }
            BinOp::Sub => Value::Number(minus(&arith(left)?, &arith(right)?)),
            BinOp::Mul => Value::Number(times(&arith(left)?, &arith(right)?)),
            BinOp::Div => Value::Number(divide(&arith(left)?, &arith(right)?)),
            BinOp::Mod => Value::Number(or_zero(left).to_number() % or_zero(right).to_number()),
            BinOp::Eq | BinOp::Ne => {
                // Two objects are never equal; otherwise an object compares as its primitive.
                let (a, b) = if left.is_object() && right.is_object() {
                    (left, right)
                } else {
                    (self.primitive(left)?, self.primitive(right)?)
                };
                Value::Bool(loose_eq(&a, &b) == (op == BinOp::Eq))
            }
            BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le => {
                let (a, b) = (self.primitive(left)?, self.primitive(right)?);
                Value::Bool(match op {
                    BinOp::Gt => js_gt(&a, &b),
                    BinOp::Ge => js_ge(&a, &b),
                    BinOp::Lt => js_lt(&a, &b),
                    _ => js_le(&a, &b),
                })
            }
            BinOp::Concat => {
                let text = |v: Value| match v {
                    Value::Null => Ok(String::new()),
                    Value::String(s) => Ok(s),
                    v => v.js_string(self.budget),
                };
                let (mut a, b) = (text(left)?, text(right)?);
                self.budget.bytes(a.len() as u64 + b.len() as u64)?;
                a.reserve_exact(b.len());
                a.push_str(&b);
                Value::String(a)
            }
        })
    }

    fn call(&self, spec: &FuncSpec, params: &[Node], error_scope: bool) -> Result<Value, String> {
        let scope = error_scope || matches!(spec.name, "ISERROR" | "IS_ERROR" | "IF" | "SWITCH");
        let mut args = Vec::with_capacity(params.len());
        for p in params {
            let v = self.visit(p, scope)?;
            args.push(Arg {
                value: self.convert_arg(spec, p, v)?,
                node: p,
            });
        }
        self.finish_call(spec, &args)
    }

    /// The interpreter's conversion of one evaluated argument for `spec`. Kept out of
    /// [`Evaluator::call`], which recurses, so that the recursion's stack frames stay small.
    #[inline(never)]
    fn convert_arg(&self, spec: &FuncSpec, p: &Node, mut v: Value) -> Result<Value, String> {
        let off = self.ctx.utc_offset_minutes;
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
                        let kept: Vec<&Value> = items.iter().filter(|x| !x.is_null()).collect();
                        self.budget.steps(items.len() as u64)?;
                        self.budget.bytes(joined_len(&kept, 2))?;
                        Value::String(join_items(&kept, ", "))
                    };
                }
                vt = p.inner.unwrap_or(VType::String);
            }
            if !spec.accepts(vt) {
                if let Value::String(s) = &v {
                    let n = s.matches(", ").count() as u64 + 1;
                    self.budget.steps(n)?;
                    self.budget.bytes(s.len() as u64 + n * VALUE_SLOT)?;
                    v = Value::Array(s.split(", ").map(Value::str).collect());
                }
                v = f.display(&v, off, self.budget)?;
            }
        } else {
            if !spec.accepts(vt) && vt == VType::Array {
                v = Value::String(v.js_string(self.budget)?);
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
        Ok(v)
    }

    /// Calls `spec` on its converted arguments.
    #[inline(never)]
    fn finish_call(&self, spec: &FuncSpec, args: &[Arg<'_>]) -> Result<Value, String> {
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
            budget: self.budget,
        };
        (spec.imp)(args, &cx)
    }
}
