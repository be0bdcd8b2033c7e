//! `/fusion/v1/datasheets/{dstId}/records`: list, create, update, delete.

use std::borrow::Cow;

use apitable_formula::{Budget, BudgetExceeded, EvalLimits, Formula};
use serde_json::{Map, Value as Json, json};

use crate::app::{App, datasheet, now_ms, visible_datasheet};
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::fields::{
    Access, FieldType, LinkChange, ReadEnv, compare_cells, eval_ctx, field_defs, link_cells_sync,
    link_ids, linked_display, read_json, read_string, write_cell,
};
use crate::params::{Query, int};
use crate::store::model::{Datasheet, Field, Record, View};
use crate::store::{Batch, State};
use crate::views::{conditions_match, prefill, view_order};

/// Parsed list parameters.
#[derive(Debug)]
struct ListParams {
    page_size: i64,
    page_num: i64,
    max_records: Option<i64>,
    view_id: Option<String>,
    sort: Vec<(String, bool)>,
    record_ids: Option<Vec<String>>,
    fields: Option<Vec<String>>,
    formula: Option<String>,
    string_format: bool,
    by_id: bool,
}

fn parse_list(app: &App, q: &Query) -> Result<ListParams, ApiError> {
    let limits = &app.settings.limits;
    let page_size = match q.scalar("pageSize") {
        None => limits.default_page_size,
        Some(v) => match int(v) {
            Some(-1) => -1,
            Some(n) if n < 1 => return Err(tips::pagesize_min()),
            Some(n) if n > limits.max_page_size => {
                return Err(tips::pagesize_max(limits.max_page_size));
            }
            Some(n) => n,
            None => return Err(tips::pagesize_min()),
        },
    };
    let page_num = match q.scalar("pageNum") {
        None => 1,
        Some(v) => match int(v) {
            Some(n) if n >= 1 => n,
            _ => return Err(tips::pagenum_min()),
        },
    };
    let max_records = match q.scalar("maxRecords") {
        None => None,
        Some(v) => match int(v) {
            Some(n) if n >= 1 => Some(n),
            _ => return Err(tips::maxrecords_min()),
        },
    };
    let string_format = match q.scalar("cellFormat") {
        None | Some("json") => false,
        Some("string") => true,
        Some(_) => return Err(tips::cellformat()),
    };
    let by_id = field_key(q.scalar("fieldKey"))?;
    let sort = q.sort()?;
    Ok(ListParams {
        page_size,
        page_num,
        max_records,
        view_id: q.scalar("viewId").map(str::to_string),
        sort,
        record_ids: q.array("recordIds"),
        fields: q.array("fields"),
        formula: q.scalar("filterByFormula").map(str::to_string),
        string_format,
        by_id,
    })
}

fn field_key(v: Option<&str>) -> Result<bool, ApiError> {
    match v {
        None | Some("name") => Ok(false),
        Some("id") => Ok(true),
        Some(_) => Err(tips::invalid_field_key()),
    }
}

/// Renders one record.
pub(crate) fn render_record(
    env: &ReadEnv<'_>,
    ds: &Datasheet,
    rec: &Record,
    cols: &[&Field],
    by_id: bool,
    string_format: bool,
    with_times: bool,
) -> Json {
    let mut cells = Map::new();
    for f in cols {
        let key = if by_id { f.id.clone() } else { f.name.clone() };
        if string_format {
            if let Some(s) = read_string(env, ds, f, rec) {
                cells.insert(key, Json::String(s));
            }
        } else if let Some(v) = read_json(env, ds, f, rec) {
            cells.insert(key, v.into_owned());
        }
    }
    let mut out = json!({"recordId": rec.id, "fields": cells});
    if with_times {
        out["createdAt"] = json!(rec.created_at);
        out["updatedAt"] = json!(rec.updated_at);
    }
    out
}

/// GET records.
pub(crate) fn list(app: &App, user: &str, dst: &str, q: &Query) -> ApiResult {
    let p = parse_list(app, q)?;
    let state = app.store.read();
    let ds = visible_datasheet(&state, user, dst)?;
    let env = app.read_env(&state);
    let mut sort_fields: Vec<(&Field, bool)> = Vec::new();
    for (key, desc) in &p.sort {
        let f = ds
            .field_by_key(key, p.by_id)
            .ok_or_else(|| tips::sort_field_not_exists(key))?;
        sort_fields.push((f, *desc));
    }
    let first = ds.views.first().ok_or_else(tips::view_not_exists)?;
    let view = match &p.view_id {
        Some(v) => ds.view(v).ok_or_else(|| tips::view_id_not_exists(v))?,
        None => first,
    };
    let explicit_view = p.view_id.is_some();
    let mut cols: Vec<&Field> = ds.view_fields(view, !explicit_view);
    if let Some(want) = &p.fields {
        // Unknown keys are an error; known but hidden columns are silently left out.
        let mut chosen: Vec<&Field> = Vec::new();
        for key in want {
            let f = ds
                .field_by_key(key, p.by_id)
                .ok_or_else(tips::invalid_fields)?;
            if !chosen.iter().any(|c| c.id == f.id) {
                chosen.push(f);
            }
        }
        cols.retain(|c| chosen.iter().any(|f| f.id == c.id));
    }
    if explicit_view {
        for s in &view.sort {
            if let Some(f) = ds.field(&s.field_id) {
                sort_fields.push((f, s.desc));
            }
        }
    }
    let defs = if p.formula.is_some() || (explicit_view && view.filter.is_some()) {
        field_defs(&env, ds)
    } else {
        Vec::new()
    };
    let user_formula = match &p.formula {
        Some(src) => Some(Formula::parse(src, &defs).map_err(|_| tips::formula_error())?),
        None => None,
    };
    let view_formula = match (&view.filter, explicit_view) {
        (Some(src), true) => Formula::parse(src, &defs).ok(),
        _ => None,
    };
    let ctx = eval_ctx(&env);

    let mut rows: Vec<usize> = match &p.record_ids {
        Some(ids) => ids
            .iter()
            .filter_map(|id| ds.index.get(id).copied())
            .collect(),
        None => view_order(ds, view),
    };
    // One evaluation budget for the whole listing: every record's evaluation spends from it,
    // and running out fails the request as a formula that does not parse would.
    let budget = Budget::new(EvalLimits::default());
    let keep = |i: usize| -> Result<bool, BudgetExceeded> {
        let acc = Access {
            env: &env,
            ds,
            rec: &ds.records[i],
        };
        for f in [&view_formula, &user_formula].into_iter().flatten() {
            if !f.matches_within(&acc, &ctx, &budget)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let conditions = view.conditions.as_ref().filter(|_| explicit_view);
    if let Some(c) = conditions {
        rows.retain(|&i| conditions_match(&env, ds, c, &ds.records[i]));
    }
    if view_formula.is_some() || user_formula.is_some() {
        let mut kept = Vec::with_capacity(rows.len());
        for &i in &rows {
            if keep(i).map_err(|_| tips::formula_error())? {
                kept.push(i);
            }
        }
        rows = kept;
    }
    if !sort_fields.is_empty() {
        let keys: Vec<Vec<Option<Json>>> = rows
            .iter()
            .map(|&i| {
                sort_fields
                    .iter()
                    .map(|(f, _)| sort_key(&env, ds, f, &ds.records[i]))
                    .collect()
            })
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            for (k, (f, desc)) in sort_fields.iter().enumerate() {
                let o = compare_cells(f, keys[a][k].as_ref(), keys[b][k].as_ref());
                let o = if *desc { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        rows = order.into_iter().map(|k| rows[k]).collect();
    }
    if let Some(m) = p.max_records {
        rows.truncate(m as usize);
    }
    let total = rows.len();
    let page: &[usize] = if p.page_size == -1 {
        &rows
    } else {
        let start = ((p.page_num - 1) as u128 * p.page_size as u128).min(total as u128) as usize;
        let end = (start + p.page_size as usize).min(total);
        &rows[start..end]
    };
    let records: Vec<Json> = page
        .iter()
        .map(|&i| {
            render_record(
                &env,
                ds,
                &ds.records[i],
                &cols,
                p.by_id,
                p.string_format,
                true,
            )
        })
        .collect();
    Ok(Success::ok(json!({
        "total": total,
        "pageNum": p.page_num,
        "pageSize": records.len(),
        "records": records,
    })))
}

fn sort_key(env: &ReadEnv<'_>, ds: &Datasheet, f: &Field, rec: &Record) -> Option<Json> {
    if f.ftype.is_link() {
        let ids = rec.cells.get(&f.id)?;
        return Some(Json::String(linked_display(env, f, ids).join(", ")));
    }
    read_json(env, ds, f, rec).map(Cow::into_owned)
}

/// One record of a write body, validated and transformed.
struct PreparedRecord {
    record_id: Option<String>,
    cells: Vec<(String, Option<Json>)>,
}

fn body_records(body: &Json) -> Result<&Vec<Json>, ApiError> {
    match body.get("records") {
        Some(Json::Array(a)) if !a.is_empty() => Ok(a),
        _ => Err(tips::records_empty()),
    }
}

/// Validates every cell of every record (the field pipe), collecting new select options into
/// `fields`.
fn prepare(
    app: &App,
    state: &State,
    ds: &Datasheet,
    fields: &mut [Field],
    items: &[Json],
    by_id: bool,
) -> Result<Vec<PreparedRecord>, ApiError> {
    let env = app.write_env(state, &ds.space_id);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let obj = item.get("fields").and_then(Json::as_object);
        let Some(obj) = obj else {
            return Err(tips::instance_fields());
        };
        let mut cells = Vec::new();
        for (key, value) in obj {
            let idx = if by_id {
                fields.iter().position(|f| &f.id == key)
            } else {
                fields.iter().position(|f| &f.name == key)
            };
            let Some(idx) = idx else { continue };
            let label = if by_id {
                fields[idx].id.clone()
            } else {
                fields[idx].name.clone()
            };
            let stored = write_cell(&mut fields[idx], value, &label, &env)?;
            cells.push((fields[idx].id.clone(), stored));
        }
        if cells.is_empty() {
            return Err(tips::invalid_fields_value());
        }
        out.push(PreparedRecord {
            record_id: item
                .get("recordId")
                .and_then(Json::as_str)
                .map(str::to_string),
            cells,
        });
    }
    if out.len() > app.settings.limits.max_records_per_write {
        return Err(tips::records_max_count(
            app.settings.limits.max_records_per_write,
        ));
    }
    Ok(out)
}

/// Default cells of a new record (field defaults, `autoFill` dates).
fn default_cells(ds: &Datasheet, now: i64) -> Map<String, Json> {
    let mut m = Map::new();
    for f in &ds.fields {
        let dv = f.property.get("defaultValue");
        let v = match (f.ftype, dv) {
            (FieldType::SingleText, Some(Json::String(s))) if !s.is_empty() => Some(json!(s)),
            (
                FieldType::Number | FieldType::Currency | FieldType::Percent,
                Some(Json::String(s)),
            ) => s.trim().parse::<f64>().ok().map(|n| json!(n)),
            (FieldType::SingleSelect, Some(Json::String(s))) if !s.is_empty() => Some(json!(s)),
            (FieldType::MultiSelect, Some(Json::Array(a))) if !a.is_empty() => {
                Some(Json::Array(a.clone()))
            }
            (FieldType::DateTime, _)
                if f.property.get("autoFill").and_then(Json::as_bool) == Some(true) =>
            {
                Some(json!(now))
            }
            _ => None,
        };
        if let Some(v) = v {
            m.insert(f.id.clone(), v);
        }
    }
    m
}

/// Options for inserting records outside the HTTP path (seeding, bulk helpers).
#[derive(Debug, Clone, Copy)]
pub(crate) struct InsertOptions<'a> {
    pub enforce_write_limit: bool,
    /// The view the records are inserted through (`None` = the first view).
    pub view_id: Option<&'a str>,
}

/// The records one write sends to one datasheet, and who sends them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordsWrite<'a> {
    pub user: &'a str,
    pub dst: &'a str,
    pub items: &'a [Json],
    /// Whether the items' cells are keyed by field id (else by field name).
    pub by_id: bool,
}

/// The shared create path: validates, inserts, persists. Returns the new records' indices.
pub(crate) fn insert(
    app: &App,
    state: &mut State,
    batch: &mut Batch,
    write: RecordsWrite<'_>,
    opts: InsertOptions<'_>,
    ids: Option<&[Option<String>]>,
) -> Result<Vec<String>, ApiError> {
    let ds = datasheet(state, write.dst)?;
    let mut fields = ds.fields.clone();
    let prepared = if opts.enforce_write_limit {
        prepare(app, state, ds, &mut fields, write.items, write.by_id)?
    } else {
        let mut out = Vec::new();
        for chunk in write
            .items
            .chunks(app.settings.limits.max_records_per_write.max(1))
        {
            out.extend(prepare(app, state, ds, &mut fields, chunk, write.by_id)?);
        }
        out
    };
    let limit = app.settings.limits.max_records_per_datasheet;
    if ds.records.len() + prepared.len() > limit {
        return Err(ApiError::record_limit(limit));
    }
    let now = now_ms();
    let mut defaults = default_cells(ds, now);
    // Values that make the new rows match the insert view's filter.
    let view = match opts.view_id {
        Some(v) => ds.view(v),
        None => ds.views.first(),
    };
    if let Some(c) = view.and_then(|v| v.conditions.as_ref()) {
        let env = app.write_env(state, &ds.space_id);
        prefill(&mut fields, c, &env, &mut defaults);
    }
    let ds = state.datasheets.get_mut(write.dst).expect("checked above");
    ds.fields = fields;
    let mut new_ids = Vec::with_capacity(prepared.len());
    let mut changes = Vec::new();
    for (k, p) in prepared.into_iter().enumerate() {
        let mut cells = defaults.clone();
        for (fid, v) in p.cells {
            match v {
                Some(v) => {
                    cells.insert(fid, v);
                }
                None => {
                    cells.remove(&fid);
                }
            }
        }
        let id = ids
            .and_then(|ids| ids.get(k).cloned().flatten())
            .filter(|i| !ds.index.contains_key(i))
            .unwrap_or_else(crate::ids::record);
        for f in ds
            .fields
            .iter()
            .filter(|f| f.ftype == FieldType::TwoWayLink)
        {
            let new = link_ids(cells.get(&f.id));
            if !new.is_empty() {
                changes.push(LinkChange {
                    record_id: id.clone(),
                    field_id: f.id.clone(),
                    old: Vec::new(),
                    new,
                });
            }
        }
        let rec = Record {
            id: id.clone(),
            seq: ds.next_seq,
            cells,
            created_at: now,
            updated_at: now,
            created_by: write.user.to_string(),
            updated_by: write.user.to_string(),
            auto_number: ds.next_auto,
        };
        ds.next_seq += 1;
        ds.next_auto += 1;
        batch.record(write.dst, &rec);
        ds.index.insert(id.clone(), ds.records.len());
        ds.records.push(rec);
        new_ids.push(id);
    }
    batch.datasheet(ds);
    link_cells_sync(state, batch, write.dst, &changes, now, write.user);
    Ok(new_ids)
}

fn write_view<'a>(ds: &'a Datasheet, q: &Query) -> Result<&'a View, ApiError> {
    match q.scalar("viewId") {
        Some(v) => ds.view(v).ok_or_else(|| tips::view_id_not_exists(v)),
        None => ds.views.first().ok_or_else(tips::view_not_exists),
    }
}

/// The records just written, as a write response shows them: the columns of the request's
/// view (or the first view); creation and update times only for updates (`with_times`).
fn render_written(
    app: &App,
    dst: &str,
    q: &Query,
    ids: &[String],
    by_id: bool,
    with_times: bool,
) -> Result<Vec<Json>, ApiError> {
    let state = app.store.read();
    let env = app.read_env(&state);
    let ds = datasheet(&state, dst)?;
    let view = write_view(ds, q)?;
    let cols = ds.view_fields(view, q.scalar("viewId").is_none());
    Ok(ids
        .iter()
        .filter_map(|id| ds.record(id))
        .map(|r| render_record(&env, ds, r, &cols, by_id, false, with_times))
        .collect())
}

/// POST records.
pub(crate) fn create(app: &App, user: &str, dst: &str, q: &Query, body: &Json) -> ApiResult {
    let by_id = match body.get("fieldKey") {
        None | Some(Json::Null) => false,
        Some(Json::String(s)) => field_key(Some(s))?,
        Some(_) => return Err(tips::invalid_field_key()),
    };
    let items = body_records(body)?;
    for item in items {
        if !item.get("fields").is_some_and(Json::is_object) {
            return Err(tips::instance_fields());
        }
    }
    let ids = app.store.write(|state, batch| {
        let ds = visible_datasheet(state, user, dst)?;
        write_view(ds, q)?;
        insert(
            app,
            state,
            batch,
            RecordsWrite {
                user,
                dst,
                items,
                by_id,
            },
            InsertOptions {
                enforce_write_limit: true,
                view_id: q.scalar("viewId"),
            },
            None,
        )
    })?;
    let records = render_written(app, dst, q, &ids, by_id, false)?;
    Ok(Success::created(json!({ "records": records })))
}

/// PATCH / PUT records.
pub(crate) fn update(app: &App, user: &str, dst: &str, q: &Query, body: &Json) -> ApiResult {
    let by_id = match body.get("fieldKey") {
        None | Some(Json::Null) => false,
        Some(Json::String(s)) if s == "name" => false,
        Some(Json::String(s)) if s == "id" => true,
        Some(_) => return Err(tips::invalid_value("fieldKey").dto()),
    };
    let items = match body.get("records") {
        Some(Json::Array(a)) if !a.is_empty() => a,
        _ => return Err(tips::empty("records").dto()),
    };
    for item in items {
        if !item.get("recordId").is_some_and(Json::is_string) {
            return Err(tips::instance_record_id());
        }
        if !item.get("fields").is_some_and(Json::is_object) {
            return Err(tips::instance_fields());
        }
    }
    let ids = app.store.write(|state, batch| {
        let ds = visible_datasheet(state, user, dst)?;
        write_view(ds, q)?;
        let write = RecordsWrite {
            user,
            dst,
            items,
            by_id,
        };
        modify(app, state, batch, write)
    })?;
    let records = render_written(app, dst, q, &ids, by_id, true)?;
    Ok(Success::ok(json!({ "records": records })))
}

/// The shared update path: validates every record, then applies and persists the changes.
pub(crate) fn modify(
    app: &App,
    state: &mut State,
    batch: &mut Batch,
    write: RecordsWrite<'_>,
) -> Result<Vec<String>, ApiError> {
    let ds = datasheet(state, write.dst)?;
    let mut fields = ds.fields.clone();
    let prepared = prepare(app, state, ds, &mut fields, write.items, write.by_id)?;
    for p in &prepared {
        let id = p.record_id.as_deref().unwrap_or_default();
        if ds.record(id).is_none() {
            return Err(tips::record_not_exists());
        }
    }
    let now = now_ms();
    let ds = state.datasheets.get_mut(write.dst).expect("checked above");
    let fields_changed = ds.fields != fields;
    ds.fields = fields;
    let mut ids = Vec::new();
    let mut changes = Vec::new();
    for p in prepared {
        let id = p.record_id.unwrap_or_default();
        let i = ds.index[&id];
        let two_way: Vec<String> = ds
            .fields
            .iter()
            .filter(|f| f.ftype == FieldType::TwoWayLink)
            .map(|f| f.id.clone())
            .collect();
        let rec = &mut ds.records[i];
        for (fid, v) in p.cells {
            let old = two_way
                .contains(&fid)
                .then(|| link_ids(rec.cells.get(&fid)));
            match v {
                Some(v) => {
                    rec.cells.insert(fid.clone(), v);
                }
                None => {
                    rec.cells.remove(&fid);
                }
            }
            if let Some(old) = old {
                changes.push(LinkChange {
                    record_id: id.clone(),
                    field_id: fid.clone(),
                    old,
                    new: link_ids(rec.cells.get(&fid)),
                });
            }
        }
        rec.updated_at = now;
        rec.updated_by = write.user.to_string();
        batch.record(write.dst, rec);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if fields_changed {
        batch.datasheet(ds);
    }
    link_cells_sync(state, batch, write.dst, &changes, now, write.user);
    Ok(ids)
}

/// DELETE records.
pub(crate) fn delete(app: &App, user: &str, dst: &str, q: &Query) -> ApiResult {
    let Some(ids) = q.array("recordIds") else {
        return Err(tips::empty("recordIds").dto());
    };
    if ids.len() > app.settings.limits.max_records_per_write {
        return Err(tips::records_max_count(
            app.settings.limits.max_records_per_write,
        ));
    }
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    app.store.write(|state, batch| {
        let ds = visible_datasheet(state, user, dst)?;
        if unique.iter().any(|id| ds.record(id).is_none()) {
            return Err(tips::record_not_exists());
        }
        remove_records(state, batch, dst, &unique, user);
        Ok(())
    })?;
    Ok(Success::empty())
}

/// Removes records and every link cell that points at them.
pub(crate) fn remove_records(
    state: &mut State,
    batch: &mut Batch,
    dst: &str,
    ids: &[String],
    user: &str,
) {
    let now = now_ms();
    if let Some(ds) = state.datasheets.get_mut(dst) {
        ds.records.retain(|r| !ids.contains(&r.id));
        ds.reindex();
        for id in ids {
            batch.delete_record(dst, id);
            ds.deleted.push(id.clone());
        }
        batch.datasheet(ds);
    }
    let sheet_ids: Vec<String> = state.datasheets.keys().cloned().collect();
    for sid in sheet_ids {
        let Some(other) = state.datasheets.get_mut(&sid) else {
            continue;
        };
        let link_fields: Vec<String> = other
            .fields
            .iter()
            .filter(|f| {
                f.ftype.is_link()
                    && f.property.get("foreignDatasheetId").and_then(Json::as_str) == Some(dst)
            })
            .map(|f| f.id.clone())
            .collect();
        if link_fields.is_empty() {
            continue;
        }
        for rec in other.records.iter_mut() {
            let mut touched = false;
            for fid in &link_fields {
                let mut empty = false;
                if let Some(a) = rec.cells.get_mut(fid).and_then(Json::as_array_mut) {
                    let before = a.len();
                    a.retain(|x| !x.as_str().is_some_and(|s| ids.iter().any(|i| i == s)));
                    touched |= a.len() != before;
                    empty = a.is_empty();
                }
                if empty {
                    rec.cells.remove(fid);
                }
            }
            if touched {
                rec.updated_at = now;
                rec.updated_by = user.to_string();
                batch.record(&sid, rec);
            }
        }
    }
}

/// GET /fusion/v1/timemachine/{dstId}: ids of deleted records.
pub(crate) fn timemachine(app: &App, user: &str, dst: &str) -> ApiResult {
    let state = app.store.read();
    let ds = visible_datasheet(&state, user, dst)?;
    Ok(Success::ok(json!(ds.deleted)))
}
