//! Views: their own row order, structured filter conditions, and the values a record inserted
//! through a view is pre-filled with so that it matches the view's filter.

use serde_json::{Map, Value as Json};

use crate::fields::{self, FieldType, ReadEnv, WriteEnv, linked_display, read_json, write_cell};
use crate::store::model::{Datasheet, Field, Record, View, ViewCondition, ViewFilter};

/// Record indices of `view` in its own order (explicit row order, then creation order).
pub(crate) fn view_order(ds: &Datasheet, view: &View) -> Vec<usize> {
    if view.row_order.is_empty() {
        return (0..ds.records.len()).collect();
    }
    let mut out = Vec::with_capacity(ds.records.len());
    let mut seen = vec![false; ds.records.len()];
    for id in &view.row_order {
        if let Some(&i) = ds.index.get(id)
            && !seen[i]
        {
            seen[i] = true;
            out.push(i);
        }
    }
    out.extend((0..ds.records.len()).filter(|&i| !seen[i]));
    out
}

fn as_number(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        Json::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn text_of(v: &Json) -> String {
    fields::plain_string(v)
}

fn is_empty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => true,
        Some(Json::String(s)) => s.is_empty(),
        Some(Json::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn equals(cell: &Json, value: &Json) -> bool {
    match (cell, value) {
        (Json::Array(a), Json::Array(b)) => a == b,
        (Json::Array(a), v) => a.iter().any(|x| equals(x, v)),
        (Json::Number(_), v) => as_number(cell) == as_number(v),
        (Json::Bool(b), v) => Some(*b) == v.as_bool(),
        (c, v) => text_of(c) == text_of(v),
    }
}

fn contains(cell: &Json, value: &Json) -> bool {
    let needle = text_of(value).to_lowercase();
    match cell {
        Json::Array(a) => a.iter().any(|x| contains(x, value)),
        c => text_of(c).to_lowercase().contains(&needle),
    }
}

fn condition_matches(
    env: &ReadEnv<'_>,
    ds: &Datasheet,
    f: &Field,
    c: &ViewCondition,
    rec: &Record,
) -> bool {
    let cell: Option<Json> = if f.ftype.is_link() {
        rec.cells.get(&f.id).map(|ids| {
            Json::Array(
                linked_display(env, f, ids)
                    .into_iter()
                    .map(Json::String)
                    .collect(),
            )
        })
    } else {
        read_json(env, ds, f, rec).map(|c| c.into_owned())
    };
    let num = |op: fn(f64, f64) -> bool| -> bool {
        match (cell.as_ref().and_then(as_number), as_number(&c.value)) {
            (Some(a), Some(b)) => op(a, b),
            _ => false,
        }
    };
    match c.operator.as_str() {
        "isEmpty" => is_empty(cell.as_ref()),
        "isNotEmpty" => !is_empty(cell.as_ref()),
        "is" => cell.as_ref().is_some_and(|x| equals(x, &c.value)),
        "isNot" => !cell.as_ref().is_some_and(|x| equals(x, &c.value)),
        "contains" => cell.as_ref().is_some_and(|x| contains(x, &c.value)),
        "doesNotContain" => !cell.as_ref().is_some_and(|x| contains(x, &c.value)),
        "isGreater" => num(|a, b| a > b),
        "isGreaterEqual" => num(|a, b| a >= b),
        "isLess" => num(|a, b| a < b),
        "isLessEqual" => num(|a, b| a <= b),
        _ => true,
    }
}

/// Whether `rec` passes a structured view filter.
pub(crate) fn conditions_match(
    env: &ReadEnv<'_>,
    ds: &Datasheet,
    filter: &ViewFilter,
    rec: &Record,
) -> bool {
    let mut results = filter.conditions.iter().filter_map(|c| {
        let f = ds.field(&c.field_id)?;
        Some(condition_matches(env, ds, f, c, rec))
    });
    if filter.conjunction == "or" {
        filter.conditions.is_empty() || results.any(|b| b)
    } else {
        results.all(|b| b)
    }
}

/// Pre-fills `cells` so that a new record matches the view filter: `is` conditions on editable
/// fields, when the filter is AND-combined or has exactly one condition.
pub(crate) fn prefill(
    fields: &mut [Field],
    filter: &ViewFilter,
    env: &WriteEnv<'_>,
    cells: &mut Map<String, Json>,
) {
    if filter.conjunction != "and" && filter.conditions.len() != 1 {
        return;
    }
    for c in &filter.conditions {
        if c.operator != "is" || c.value.is_null() {
            continue;
        }
        let Some(f) = fields.iter_mut().find(|f| f.id == c.field_id) else {
            continue;
        };
        if !fields::editable(f) || f.ftype.is_link() || f.ftype == FieldType::Attachment {
            continue;
        }
        let label = f.name.clone();
        if let Ok(Some(v)) = write_cell(f, &c.value, &label, env) {
            cells.insert(f.id.clone(), v);
        }
    }
}
