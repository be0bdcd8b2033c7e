//! Typed writes: insert, update (all cells or only the changed ones), delete, save, upsert.
//! Many rows go out in batches of the write limit (10), back to back at the pacing rate.

use std::collections::HashMap;

use serde_json::Value;

use crate::api::{Fields, RecordUpdate, WriteOptions};
use crate::client::Client;
use crate::column::Column;
use crate::error::{BatchError, Error, Result};
use crate::filter::{Filter, Lit};
use crate::ids::{DatasheetId, RecordId};
use crate::table::Table;

/// What an upsert did, row by row. Every input row lands in exactly one of the three lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpsertReport {
    /// Rows that were new: (input index, new record id).
    pub created: Vec<(usize, RecordId)>,
    /// Rows whose record differed and was updated (only the changed cells were sent).
    pub updated: Vec<(usize, RecordId)>,
    /// Rows whose record already held the same values: nothing was sent.
    pub unchanged: Vec<(usize, RecordId)>,
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

fn batch_error(
    total: usize,
    written: Vec<(usize, RecordId)>,
    failed: Vec<usize>,
    source: Error,
) -> Error {
    let next = failed.last().map_or(0, |i| i + 1);
    Error::Batch(BatchError {
        total,
        written,
        not_sent: (next..total).collect(),
        failed,
        source: Box::new(source),
    })
}

/// Creates one record per cell map, in batches; returns the new ids in input order.
async fn create_cells(
    client: &Client,
    dst: &DatasheetId,
    rows: &[(usize, Fields)],
    opts: &WriteOptions,
) -> Result<Vec<(usize, RecordId)>> {
    let sheet = client.datasheet(dst);
    let total = rows.len();
    let mut written = Vec::with_capacity(total);
    for chunk in rows.chunks(client.max_records_per_write()) {
        let bodies: Vec<&Fields> = chunk.iter().map(|(_, cells)| cells).collect();
        match sheet
            .create_records::<_, IgnoredFields>(&bodies, opts)
            .await
        {
            Ok(created) if created.len() == chunk.len() => {
                written.extend(
                    chunk
                        .iter()
                        .map(|(i, _)| *i)
                        .zip(created.into_iter().map(|r| r.id)),
                );
            }
            Ok(created) => {
                let err = Error::Decode(crate::DecodeError::new(format!(
                    "the server created {} records for a request of {}",
                    created.len(),
                    chunk.len()
                )));
                return Err(batch_error(
                    total,
                    written,
                    chunk.iter().map(|(i, _)| *i).collect(),
                    err,
                ));
            }
            Err(e) => {
                return Err(batch_error(
                    total,
                    written,
                    chunk.iter().map(|(i, _)| *i).collect(),
                    e,
                ));
            }
        }
    }
    Ok(written)
}

/// Updates records, in batches.
async fn update_cells(
    client: &Client,
    dst: &DatasheetId,
    rows: &[(usize, RecordUpdate<Fields>)],
    opts: &WriteOptions,
) -> Result<()> {
    let sheet = client.datasheet(dst);
    let total = rows.len();
    let mut written = Vec::with_capacity(total);
    for chunk in rows.chunks(client.max_records_per_write()) {
        let bodies: Vec<RecordUpdate<&Fields>> = chunk
            .iter()
            .map(|(_, u)| RecordUpdate {
                record_id: u.record_id.clone(),
                fields: &u.fields,
            })
            .collect();
        if let Err(e) = sheet
            .update_records::<_, IgnoredFields>(&bodies, opts)
            .await
        {
            return Err(batch_error(
                total,
                written,
                chunk.iter().map(|(i, _)| *i).collect(),
                e,
            ));
        }
        written.extend(chunk.iter().map(|(i, u)| (*i, u.record_id.clone())));
    }
    Ok(())
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
    Ok(create_cells(client, dst, &bodies, &options::<T>())
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect())
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
    update_cells(client, dst, &updates, &options::<T>()).await
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
    for (i, (old, new)) in pairs.iter().enumerate() {
        let record_id = new
            .record_id()
            .or(old.record_id())
            .cloned()
            .ok_or_else(|| Error::InvalidRequest(format!("pair #{i} has no record id")))?;
        let fields = changed_cells(old, new);
        if !fields.is_empty() {
            updates.push((i, RecordUpdate { record_id, fields }));
        }
    }
    update_cells(client, dst, &updates, &options::<T>()).await?;
    Ok(updates.len())
}

pub(crate) async fn delete_many(
    client: &Client,
    dst: &DatasheetId,
    ids: &[RecordId],
) -> Result<()> {
    let sheet = client.datasheet(dst);
    let mut done = Vec::new();
    let mut offset = 0;
    for chunk in ids.chunks(client.max_records_per_write()) {
        if let Err(e) = sheet.delete_records(chunk).await {
            return Err(batch_error(
                ids.len(),
                done,
                (offset..offset + chunk.len()).collect(),
                e,
            ));
        }
        done.extend(
            chunk
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, id)| (offset + i, id)),
        );
        offset += chunk.len();
    }
    Ok(())
}

fn key_literal(value: &Value) -> Option<Lit> {
    match value {
        Value::String(s) if !s.is_empty() => Some(Lit::Text(s.clone())),
        Value::Number(n) => n.as_f64().map(Lit::Number),
        Value::Bool(b) => Some(Lit::Bool(*b)),
        _ => None,
    }
}

pub(crate) async fn upsert_by<T: Table, V>(
    client: &Client,
    dst: &DatasheetId,
    column: Column<T, V>,
    rows: &[T],
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

    // 2. Look the keys up, a URL-sized chunk of OR() terms at a time, ignoring any view.
    let mut existing: HashMap<String, (RecordId, Fields)> = HashMap::new();
    let mut start = 0;
    while start < keyed.len() {
        let mut terms: Vec<Filter<T>> = Vec::new();
        let mut length = 0;
        let mut end = start;
        while end < keyed.len() {
            let lit = key_literal(&keyed[end].0).expect("validated above");
            let term = Filter::<T>::compare(meta, "=", lit);
            let len = term.render()?.len() + 1;
            if !terms.is_empty() && length + len > LOOKUP_FORMULA_BUDGET {
                break;
            }
            length += len;
            terms.push(term);
            end += 1;
        }
        let found = T::query()
            .datasheet(dst.clone())
            .without_view()
            .filter(Filter::any(terms))
            .all(client)
            .await?;
        for record in found {
            let id = record.record_id().cloned().ok_or_else(|| {
                Error::InvalidRequest(
                    "upsert needs a `#[apitable(record_id)]` field on the struct".into(),
                )
            })?;
            let c = cells(&record, true);
            let key = c.get(meta.key).cloned().unwrap_or(Value::Null).to_string();
            if let Some((other, _)) = existing.get(&key) {
                return Err(Error::InvalidRequest(format!(
                    "records {other} and {id} on the server share the upsert key {key}; make the key unique first"
                )));
            }
            existing.insert(key, (id, c));
        }
        start = end;
    }

    // 3. Sort the rows into new, changed and unchanged.
    let mut report = UpsertReport::default();
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for (i, (key, new_cells)) in keyed.into_iter().enumerate() {
        match existing.get(&key.to_string()) {
            None => {
                let mut c = new_cells;
                c.retain(|_, v| !v.is_null());
                creates.push((i, c));
            }
            Some((id, old_cells)) => {
                let changed: Fields = new_cells
                    .into_iter()
                    .filter(|(k, v)| old_cells.get(k).unwrap_or(&Value::Null) != v)
                    .collect();
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
        }
    }

    // 4. Write.
    let opts = options::<T>();
    report.created = create_cells(client, dst, &creates, &opts).await?;
    update_cells(client, dst, &updates, &opts).await?;
    Ok(report)
}
