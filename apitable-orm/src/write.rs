//! Typed writes: insert, update (all cells or only the changed ones), delete, save, upsert.
//! Many rows go out in batches of the write limit (10), back to back at the pacing rate. A
//! write that stops part-way reports every row: written, unchanged, failed, unknown or not sent.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use serde_json::Value;

use crate::api::{Fields, RecordUpdate, WriteOptions};
use crate::client::Client;
use crate::column::Column;
use crate::error::{BatchError, DecodeError, Error, Result};
use crate::filter::{Filter, Lit};
use crate::ids::{DatasheetId, RecordId};
use crate::query::DEFAULT_PAGE_SIZE;
use crate::table::{FieldMeta, Table};
use crate::value::stores_as_empty;

/// What an upsert did, row by row. Every input row lands in exactly one of `created`,
/// `updated` and `unchanged`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpsertReport {
    /// Rows that were new: (input index, new record id).
    pub created: Vec<(usize, RecordId)>,
    /// Rows whose record differed and was updated (only the changed cells were sent).
    pub updated: Vec<(usize, RecordId)>,
    /// Rows whose record already held the same values: nothing was sent.
    pub unchanged: Vec<(usize, RecordId)>,
    /// Cells that were cleared because the input row left them empty while the record held a
    /// value: (input index, field key). Only with [`UpsertOptions::clear_empty`]; by default
    /// an empty input cell leaves the stored value alone.
    pub cleared: Vec<(usize, &'static str)>,
}

impl UpsertReport {
    /// The record id of input row `index`.
    pub fn record_id(&self, index: usize) -> Option<&RecordId> {
        [&self.created, &self.updated, &self.unchanged]
            .into_iter()
            .flatten()
            .find(|(i, _)| *i == index)
            .map(|(_, id)| id)
    }
}

/// How an upsert treats the cells of existing records.
///
/// By default an empty cell in an input row (`None`, an empty list, `""`) leaves the stored
/// value alone, so that rows read from a file with missing columns never wipe data. Ask for
/// clearing explicitly:
///
/// ```
/// use apitable_orm::UpsertOptions;
/// let opts = UpsertOptions::new().clear_empty(true);
/// assert!(opts.clears_empty());
/// assert!(!UpsertOptions::default().clears_empty());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpsertOptions {
    clear_empty: bool,
}

impl UpsertOptions {
    /// The defaults: empty input cells keep what is stored.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether an empty input cell clears a stored value. The report lists every cell cleared
    /// in [`UpsertReport::cleared`].
    pub fn clear_empty(mut self, clear: bool) -> Self {
        self.clear_empty = clear;
        self
    }

    /// Whether empty input cells clear stored values.
    pub fn clears_empty(&self) -> bool {
        self.clear_empty
    }
}

/// Longest `filterByFormula` one upsert lookup sends, in characters before percent-encoding.
const LOOKUP_FORMULA_BUDGET: usize = 2000;

fn options<T: Table>() -> WriteOptions {
    WriteOptions {
        field_key: T::FIELD_KEY,
        view_id: None,
    }
}

/// The writable cells of a row; `keep_nulls` keeps cleared cells (for updates).
fn cells<T: Table>(row: &T, keep_nulls: bool) -> Fields {
    let mut cells = Fields::new();
    row.__encode(&mut cells);
    if !keep_nulls {
        cells.retain(|_, v| !v.is_null());
    }
    cells
}

/// Rows settled so far by a multi-request write (indices into the caller's slice).
#[derive(Default)]
struct Progress {
    written: Vec<(usize, RecordId)>,
    unchanged: Vec<(usize, RecordId)>,
}

/// Where a multi-request write stopped: the rows of its failed requests, those it never sent,
/// and the first error (in request order).
struct Stopped {
    failed: Vec<usize>,
    unknown: Vec<usize>,
    rest: Vec<usize>,
    unattributed: Vec<RecordId>,
    source: Error,
}

impl Stopped {
    /// The whole report: `later` are the rows of stages that were never started.
    fn into_error(
        self,
        total: usize,
        progress: Progress,
        later: impl IntoIterator<Item = usize>,
    ) -> Error {
        let mut not_sent = self.rest;
        not_sent.extend(later);
        not_sent.sort_unstable();
        Error::Batch(Box::new(BatchError {
            total,
            written: progress.written,
            unchanged: progress.unchanged,
            failed: self.failed,
            unknown: self.unknown,
            not_sent,
            unattributed: self.unattributed,
            source: Box::new(self.source),
        }))
    }
}

/// What became of one request of a multi-request write.
enum Outcome<T> {
    Done(T),
    Failed(Error),
    Skipped,
}

/// Each request's rows and what became of the request, in request order.
type Outcomes<'r, X, T> = Vec<(&'r [(usize, X)], Outcome<T>)>;

/// Why a successful answer still leaves its rows unsettled: the error, and ids it named that
/// cannot be given to rows.
type Unsettled = (Error, Vec<RecordId>);

/// Sends one request per chunk of the client's `max_records_per_write` rows, up to its
/// `writes_in_flight` at once (pacing decides when each goes out): the next chunk goes as soon
/// as any request in flight has its answer, not only the oldest, so one slow answer holds up
/// nothing. After the first failure no further request is sent; those already in flight are
/// awaited, so that every row's fate is known. The outcomes come back in chunk order.
async fn pipelined<'r, X, T, F, Fut>(
    client: &Client,
    rows: &'r [(usize, X)],
    send: F,
) -> Outcomes<'r, X, T>
where
    F: Fn(&'r [(usize, X)]) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let stop = AtomicBool::new(false);
    // Built up front (an async block does nothing until polled); in a lazily mapped stream
    // the borrow of `send` would not be provably `Send` to callers such as axum handlers.
    let requests: Vec<_> = rows
        .chunks(client.max_records_per_write())
        .enumerate()
        .map(|(i, chunk)| {
            let request = one_request(chunk, &stop, &send);
            async move { (i, request.await) }
        })
        .collect();
    let mut outcomes: Vec<_> = futures_util::stream::iter(requests)
        .buffer_unordered(client.writes_in_flight())
        .collect()
        .await;
    outcomes.sort_unstable_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Sends one request of a multi-request write, unless an earlier one failed.
async fn one_request<'r, X, T, F, Fut>(
    chunk: &'r [(usize, X)],
    stop: &AtomicBool,
    send: &F,
) -> (&'r [(usize, X)], Outcome<T>)
where
    F: Fn(&'r [(usize, X)]) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    if stop.load(Ordering::Acquire) {
        return (chunk, Outcome::Skipped);
    }
    match send(chunk).await {
        Ok(done) => (chunk, Outcome::Done(done)),
        Err(e) => {
            stop.store(true, Ordering::Release);
            (chunk, Outcome::Failed(e))
        }
    }
}

/// Settles the outcomes in request order: rows of successful requests go to `progress`
/// (through `done`, which may turn a success into a failure), the rest into a [`Stopped`].
fn settle<X, T>(
    outcomes: Outcomes<'_, X, T>,
    progress: &mut Progress,
    mut done: impl FnMut(&[(usize, X)], T, &mut Progress) -> Option<Unsettled>,
) -> Result<(), Box<Stopped>> {
    let (mut failed, mut unknown, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    let mut unattributed = Vec::new();
    let mut first_error: Option<Error> = None;
    for (chunk, outcome) in outcomes {
        let indices = chunk.iter().map(|(i, _)| *i);
        let (error, ids) = match outcome {
            Outcome::Done(value) => match done(chunk, value, progress) {
                None => continue,
                Some(unsettled) => unsettled,
            },
            Outcome::Failed(e) => (e, Vec::new()),
            Outcome::Skipped => {
                rest.extend(indices);
                continue;
            }
        };
        if error.may_have_been_applied() {
            unknown.extend(indices);
        } else {
            failed.extend(indices);
        }
        unattributed.extend(ids);
        first_error.get_or_insert(error);
    }
    match first_error {
        Some(source) => Err(Box::new(Stopped {
            failed,
            unknown,
            rest,
            unattributed,
            source,
        })),
        None => Ok(()),
    }
}

/// Creates one record per cell map, in batches; appends the new ids, in input order, to
/// `progress`.
async fn create_cells(
    client: &Client,
    dst: &DatasheetId,
    rows: &[(usize, Fields)],
    opts: &WriteOptions,
    progress: &mut Progress,
) -> Result<(), Box<Stopped>> {
    let sheet = client.datasheet(dst);
    let outcomes = pipelined(client, rows, |chunk| {
        let bodies: Vec<&Fields> = chunk.iter().map(|(_, cells)| cells).collect();
        let sheet = &sheet;
        async move {
            sheet
                .create_records::<_, IgnoredFields>(&bodies, opts)
                .await
        }
    })
    .await;
    settle(outcomes, progress, |chunk, created, progress| {
        if created.len() != chunk.len() {
            // Which rows the returned records belong to cannot be told: all of the request's
            // rows are unknown, and the ids are reported as they came.
            let err = Error::Decode(DecodeError::new(format!(
                "the server answered a create of {} records with {} records",
                chunk.len(),
                created.len()
            )));
            return Some((err, created.into_iter().map(|r| r.id).collect()));
        }
        progress.written.extend(
            chunk
                .iter()
                .map(|(i, _)| *i)
                .zip(created.into_iter().map(|r| r.id)),
        );
        None
    })
}

/// Updates records, in batches; appends the rows written to `progress`.
async fn update_cells(
    client: &Client,
    dst: &DatasheetId,
    rows: &[(usize, RecordUpdate<Fields>)],
    opts: &WriteOptions,
    progress: &mut Progress,
) -> Result<(), Box<Stopped>> {
    let sheet = client.datasheet(dst);
    let outcomes = pipelined(client, rows, |chunk| {
        let bodies: Vec<RecordUpdate<&Fields>> = chunk
            .iter()
            .map(|(_, u)| RecordUpdate {
                record_id: u.record_id.clone(),
                fields: &u.fields,
            })
            .collect();
        let sheet = &sheet;
        async move {
            sheet
                .update_records::<_, IgnoredFields>(&bodies, opts)
                .await
        }
    })
    .await;
    settle(outcomes, progress, |chunk, _, progress| {
        progress
            .written
            .extend(chunk.iter().map(|(i, u)| (*i, u.record_id.clone())));
        None
    })
}

/// Response cells are not needed after a write; skip them without building values.
#[derive(serde::Deserialize)]
struct IgnoredFields(#[allow(dead_code)] serde::de::IgnoredAny);

pub(crate) async fn insert_many<T: Table>(
    client: &Client,
    dst: &DatasheetId,
    rows: &[T],
) -> Result<Vec<RecordId>> {
    let mut bodies = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let c = cells(row, false);
        if c.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "row #{i} has no non-empty writable cells; the server cannot create an empty record"
            )));
        }
        bodies.push((i, c));
    }
    let mut progress = Progress::default();
    match create_cells(client, dst, &bodies, &options::<T>(), &mut progress).await {
        Ok(()) => Ok(progress.written.into_iter().map(|(_, id)| id).collect()),
        Err(stopped) => Err((*stopped).into_error(rows.len(), progress, [])),
    }
}

fn require_id<T: Table>(row: &T, index: usize) -> Result<RecordId> {
    row.record_id().cloned().ok_or_else(|| {
        Error::InvalidRequest(format!(
            "row #{index} has no record id; updates need a `#[apitable(record_id)]` field holding one"
        ))
    })
}

pub(crate) async fn update_many<T: Table>(
    client: &Client,
    dst: &DatasheetId,
    rows: &[T],
) -> Result<()> {
    let mut updates = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let record_id = require_id(row, i)?;
        let fields = cells(row, true);
        if fields.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "row #{i} has no writable cells"
            )));
        }
        updates.push((i, RecordUpdate { record_id, fields }));
    }
    let mut progress = Progress::default();
    match update_cells(client, dst, &updates, &options::<T>(), &mut progress).await {
        Ok(()) => Ok(()),
        Err(stopped) => Err((*stopped).into_error(rows.len(), progress, [])),
    }
}

/// The cells of `new` that differ from `old`.
fn changed_cells<T: Table>(old: &T, new: &T) -> Fields {
    let before = cells(old, true);
    cells(new, true)
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .collect()
}

pub(crate) async fn update_changed_many<T: Table>(
    client: &Client,
    dst: &DatasheetId,
    pairs: &[(T, T)],
) -> Result<usize> {
    let mut updates = Vec::new();
    let mut progress = Progress::default();
    for (i, (old, new)) in pairs.iter().enumerate() {
        let record_id = new
            .record_id()
            .or(old.record_id())
            .cloned()
            .ok_or_else(|| Error::InvalidRequest(format!("pair #{i} has no record id")))?;
        let fields = changed_cells(old, new);
        if fields.is_empty() {
            progress.unchanged.push((i, record_id));
        } else {
            updates.push((i, RecordUpdate { record_id, fields }));
        }
    }
    match update_cells(client, dst, &updates, &options::<T>(), &mut progress).await {
        Ok(()) => Ok(updates.len()),
        Err(stopped) => Err((*stopped).into_error(pairs.len(), progress, [])),
    }
}

pub(crate) async fn delete_many(
    client: &Client,
    dst: &DatasheetId,
    ids: &[RecordId],
) -> Result<()> {
    let sheet = client.datasheet(dst);
    let rows: Vec<(usize, &RecordId)> = ids.iter().enumerate().collect();
    let outcomes = pipelined(client, &rows, |chunk| {
        let chunk_ids: Vec<RecordId> = chunk.iter().map(|(_, id)| (*id).clone()).collect();
        let sheet = &sheet;
        async move { sheet.delete_records(&chunk_ids).await }
    })
    .await;
    let mut progress = Progress::default();
    let settled = settle(outcomes, &mut progress, |chunk, _, progress| {
        progress
            .written
            .extend(chunk.iter().map(|(i, id)| (*i, (*id).clone())));
        None
    });
    settled.map_err(|stopped| (*stopped).into_error(ids.len(), progress, []))
}

/// The rows' keys cut into lookups: `(start, end)` ranges of `keys` whose `OR()` formula stays
/// within the lookup budget.
fn lookup_chunks<T: Table>(
    meta: &'static FieldMeta,
    keys: &[Value],
) -> Result<Vec<(usize, usize)>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let mut length = 0;
        let mut end = start;
        while end < keys.len() {
            let lit = key_literal(&keys[end]).expect("validated above");
            let len = Filter::<T>::compare(meta, "=", lit).render()?.len() + 1;
            if end > start && length + len > LOOKUP_FORMULA_BUDGET {
                break;
            }
            length += len;
            end += 1;
        }
        chunks.push((start, end));
        start = end;
    }
    Ok(chunks)
}

fn key_literal(value: &Value) -> Option<Lit> {
    match value {
        Value::String(s) if !s.is_empty() => Some(Lit::Text(s.clone())),
        Value::Number(n) => n.as_f64().map(Lit::Number),
        Value::Bool(b) => Some(Lit::Bool(*b)),
        _ => None,
    }
}

/// Whether an input cell counts as empty: it would not give the record a value.
fn is_empty_input(cell: &Value) -> bool {
    matches!(cell, Value::Null) || matches!(cell, Value::String(s) if s.is_empty())
}

pub(crate) async fn upsert_by<T: Table, V>(
    client: &Client,
    dst: &DatasheetId,
    column: Column<T, V>,
    rows: &[T],
    upsert: UpsertOptions,
) -> Result<UpsertReport> {
    let meta = column.meta();
    if meta.read_only {
        return Err(Error::InvalidRequest(format!(
            "the upsert key {:?} is read-only; the key must be a writable field",
            meta.rust_name
        )));
    }
    // 1. Validate every row before the first request.
    let mut keyed: Vec<(Value, Fields)> = Vec::with_capacity(rows.len());
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let c = cells(row, true);
        let key = c.get(meta.key).cloned().unwrap_or(Value::Null);
        if key_literal(&key).is_none() {
            return Err(Error::InvalidRequest(format!(
                "row #{i} has no usable value for the upsert key {:?} (found {key})",
                meta.rust_name
            )));
        }
        if let Some(first) = first_row_of.insert(key.to_string(), i) {
            return Err(Error::InvalidRequest(format!(
                "rows #{first} and #{i} have the same upsert key {key}"
            )));
        }
        keyed.push((key, c));
    }

    // 2. Find the records that hold the keys, ignoring any view: by looking the keys up, a
    // URL-sized chunk of OR() terms at a time, or by reading the whole datasheet when that
    // takes fewer requests.
    let mut keys: Vec<Value> = keyed.iter().map(|(key, _)| key.clone()).collect();
    let mut chunks = lookup_chunks::<T>(meta, &keys)?;
    let wanted: HashSet<String> = keys.iter().map(Value::to_string).collect();
    let mut existing: HashMap<String, (RecordId, T)> = HashMap::new();
    let sheet = client.table_in::<T>(dst.clone());
    let add = |existing: &mut HashMap<String, (RecordId, T)>, record: T| -> Result<()> {
        let key = cells(&record, true)
            .get(meta.key)
            .cloned()
            .unwrap_or(Value::Null)
            .to_string();
        if !wanted.contains(&key) {
            return Ok(());
        }
        let id = record.record_id().cloned().ok_or_else(|| {
            Error::InvalidRequest(
                "upsert needs a `#[apitable(record_id)]` field on the struct".into(),
            )
        })?;
        match existing.get(&key) {
            Some((other, _)) if *other == id => return Ok(()), // read twice
            Some((other, _)) => {
                return Err(Error::InvalidRequest(format!(
                    "records {other} and {id} on the server share the upsert key {key}; make the key unique first"
                )));
            }
            None => {}
        }
        existing.insert(key, (id, record));
        Ok(())
    };
    let mut looked_up = false;
    if chunks.len() > 1 {
        // The first page of the whole datasheet says how many pages a full read takes, and
        // its records need no lookup.
        let everything = sheet.query().without_view().page_size(DEFAULT_PAGE_SIZE);
        let mut pages = std::pin::pin!(everything.pages());
        if let Some(first) = pages.next().await.transpose()? {
            let pages_left = (first.total.div_ceil(DEFAULT_PAGE_SIZE) as usize).saturating_sub(1);
            for record in first.items {
                add(&mut existing, record)?;
            }
            keys.retain(|key| !existing.contains_key(&key.to_string()));
            chunks = lookup_chunks::<T>(meta, &keys)?;
            if pages_left <= chunks.len() {
                while let Some(page) = pages.next().await.transpose()? {
                    for record in page.items {
                        add(&mut existing, record)?;
                    }
                }
                looked_up = true;
            }
        } else {
            looked_up = true; // an empty datasheet
        }
    }
    if !looked_up {
        for (start, end) in chunks {
            let terms = keys[start..end]
                .iter()
                .map(|key| {
                    Filter::<T>::compare(meta, "=", key_literal(key).expect("validated above"))
                })
                .collect();
            let found = sheet
                .query()
                .without_view()
                .filter(Filter::any(terms))
                .all()
                .await?;
            for record in found {
                add(&mut existing, record)?;
            }
        }
    }

    // 3. Sort the rows into new, changed and unchanged, comparing each cell with what the
    // server stores (its normalised form), so that a rerun writes nothing.
    let mut report = UpsertReport::default();
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for (i, (key, new_cells)) in keyed.into_iter().enumerate() {
        let Some((id, stored)) = existing.get(&key.to_string()) else {
            let mut c = new_cells;
            c.retain(|_, v| !v.is_null());
            creates.push((i, c));
            continue;
        };
        let row = &rows[i];
        let mut stored_cells = None;
        let mut changed = Fields::new();
        for (index, field) in T::FIELDS.iter().enumerate() {
            let Some(new_value) = new_cells.get(field.key) else {
                continue; // read-only
            };
            if row.__matches_stored(stored, index) {
                continue;
            }
            if is_empty_input(new_value) {
                if !upsert.clear_empty {
                    continue;
                }
                let stored_cells = stored_cells.get_or_insert_with(|| cells(stored, true));
                if stored_cells.get(field.key).is_none_or(stores_as_empty) {
                    continue;
                }
                report.cleared.push((i, field.key));
                changed.insert(field.key.to_owned(), Value::Null);
            } else {
                changed.insert(field.key.to_owned(), new_value.clone());
            }
        }
        if changed.is_empty() {
            report.unchanged.push((i, id.clone()));
        } else {
            report.updated.push((i, id.clone()));
            updates.push((
                i,
                RecordUpdate {
                    record_id: id.clone(),
                    fields: changed,
                },
            ));
        }
    }

    // 4. Write: creates, then updates. A failure reports every row of the upsert.
    let opts = options::<T>();
    let mut progress = Progress {
        written: Vec::new(),
        unchanged: report.unchanged.clone(),
    };
    if let Err(stopped) = create_cells(client, dst, &creates, &opts, &mut progress).await {
        let later = updates.iter().map(|(i, _)| *i);
        return Err((*stopped).into_error(rows.len(), progress, later));
    }
    report.created = progress.written.clone();
    if let Err(stopped) = update_cells(client, dst, &updates, &opts, &mut progress).await {
        return Err((*stopped).into_error(rows.len(), progress, []));
    }
    Ok(report)
}
