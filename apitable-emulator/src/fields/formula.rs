//! Formula fields, computed on read with `apitable-formula`, and the record view the formula
//! engine reads (also used by `filterByFormula`).

use std::borrow::Cow;
use std::rc::Rc;

use apitable_formula::{EvalContext, FieldDef, Formula, RecordAccess, Value};
use serde_json::{Value as Json, json};

use super::{ReadEnv, linked_display, read_json};
use crate::store::model::{Datasheet, Field, Record};

/// Nesting limit for formulas reading formulas (a cycle yields an empty cell).
const MAX_DEPTH: u8 = 8;

/// The formula engine's view of the datasheet's fields.
pub(crate) fn field_defs(env: &ReadEnv<'_>, ds: &Datasheet) -> Vec<FieldDef> {
    ds.fields
        .iter()
        .map(|f| FieldDef {
            id: f.id.clone(),
            name: f.name.clone(),
            field_type: f.ftype.api_name().to_string(),
            // Formula properties are taken as stored: describing them parses formulas again.
            property: if f.ftype == super::FieldType::Formula {
                f.property.clone()
            } else {
                super::api_property(env, ds, f).unwrap_or(Json::Null)
            },
        })
        .collect()
}

/// A record as the formula engine reads it: json cells, link cells as display strings.
pub(crate) struct Access<'a> {
    pub env: &'a ReadEnv<'a>,
    pub ds: &'a Datasheet,
    pub rec: &'a Record,
}

impl RecordAccess for Access<'_> {
    fn record_id(&self) -> &str {
        &self.rec.id
    }
    fn cell(&self, field_id: &str) -> Option<Cow<'_, Json>> {
        let f = self.ds.field(field_id)?;
        if f.ftype.is_link() {
            let ids = self.rec.cells.get(field_id)?;
            let names = linked_display(self.env, f, ids);
            return Some(Cow::Owned(Json::Array(
                names.into_iter().map(Json::String).collect(),
            )));
        }
        read_json(self.env, self.ds, f, self.rec)
    }
    fn created_at(&self) -> i64 {
        self.rec.created_at
    }
    fn updated_at(&self) -> i64 {
        self.rec.updated_at
    }
}

/// The evaluation context of a read.
pub(crate) fn eval_ctx(env: &ReadEnv<'_>) -> EvalContext {
    EvalContext {
        now_ms: env.now_ms,
        utc_offset_minutes: env.utc_offset_minutes,
    }
}

fn parsed(env: &ReadEnv<'_>, ds: &Datasheet, field: &Field) -> Option<Rc<Formula>> {
    let key = format!("{}/{}", ds.id, field.id);
    if let Some(hit) = env.formulas.borrow().get(&key) {
        return hit.clone();
    }
    let expr = field
        .property
        .get("expression")
        .and_then(Json::as_str)
        .unwrap_or("");
    let defs: Vec<FieldDef> = field_defs(env, ds)
        .into_iter()
        .filter(|d| d.id != field.id)
        .collect();
    let f = Formula::parse(expr, &defs).ok().map(Rc::new);
    env.formulas.borrow_mut().insert(key, f.clone());
    f
}

/// Converts a formula result to the json read shape (`None` = empty).
pub(crate) fn value_to_json(v: Value) -> Option<Json> {
    Some(match v {
        Value::Null | Value::Error(_) => return None,
        Value::Bool(b) => json!(b),
        Value::Number(n) | Value::Date(n) => {
            if !n.is_finite() {
                return None;
            }
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                json!(n as i64)
            } else {
                json!(n)
            }
        }
        Value::String(s) => json!(s),
        Value::Array(a) => Json::Array(a.into_iter().filter_map(value_to_json).collect()),
    })
}

/// The computed cell of the Formula field `field` of the record `acc` reads (`None` = empty).
pub(crate) fn formula_json(acc: &Access<'_>, field: &Field) -> Option<Json> {
    let env = acc.env;
    if env.depth.get() >= MAX_DEPTH {
        return None;
    }
    let formula = parsed(env, acc.ds, field)?;
    env.depth.set(env.depth.get() + 1);
    let out = formula.evaluate(acc, &eval_ctx(env));
    env.depth.set(env.depth.get() - 1);
    value_to_json(out.ok()?)
}

/// `valueType` / `hasError` of a Formula property, from parsing and a trial evaluation.
pub(crate) fn describe(env: &ReadEnv<'_>, ds: &Datasheet, field: &Field) -> (String, bool) {
    let Some(f) = parsed(env, ds, field) else {
        return ("String".into(), true);
    };
    let blank = Record {
        id: "rec0000000000".into(),
        seq: 0,
        cells: Default::default(),
        created_at: env.now_ms,
        updated_at: env.now_ms,
        created_by: String::new(),
        updated_by: String::new(),
        auto_number: 0,
    };
    let acc = Access {
        env,
        ds,
        rec: &blank,
    };
    let t = match f.evaluate(&acc, &eval_ctx(env)) {
        Ok(Value::Number(_)) => "Number",
        Ok(Value::Bool(_)) => "Boolean",
        Ok(Value::Array(_)) => "Array",
        Ok(Value::Date(_)) => "DateTime",
        _ => "String",
    };
    (t.into(), false)
}
