//! `apitable import`: a rerunnable upsert of a JSON or CSV file, matched by a key field.

use std::collections::{HashMap, HashSet, VecDeque};
use std::pin::pin;

use apitable_orm::api::{Fields, ListRecords, RecordUpdate, WriteOptions};
use apitable_orm::{Client, DatasheetId, RecordId};
use apitable_schema::{FieldSchema, FieldType, can_be_key};
use futures_util::TryStreamExt;
use serde_json::{Map, Value};

use crate::cli::{Format, ImportArgs};
use crate::progress::Progress;
use crate::{Console, Failure, cells, files, format_for, formula, remote};

/// The longest key lookup formula, counted as it travels in the URL (percent-encoded): well
/// under the 8 KiB request lines that proxies commonly accept.
const LOOKUP_BUDGET: usize = 6000;

/// One input row, checked: its writable cells by field name, in write form, and its key.
struct Row {
    label: String,
    cells: Map<String, Value>,
    key: String,
    key_cell: Value,
}

/// What a run did.
#[derive(Default)]
struct Counts {
    created: usize,
    updated: usize,
    unchanged: usize,
}

pub(crate) async fn import(
    client: &Client,
    args: &ImportArgs,
    io: &mut Console<'_>,
) -> Result<(), Failure> {
    let dst = remote::datasheet_id(&args.datasheet)?;
    let format = format_for(args.format, Some(&args.file));
    let fields = remote::fields(client, &dst).await?;
    let key = key_field(&fields, &args.key, &dst)?;
    let text = files::read_text(&args.file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let file = args.file.display().to_string();
    let raw = match format {
        Format::Json => json_rows(text, &file)?,
        Format::Csv => csv_rows(text, &file, &fields)?,
    };
    let (rows, ignored) = check_rows(raw, &fields, key, &file)?;
    if !ignored.is_empty() {
        io.note(format_args!(
            "{file}: computed or read-only columns are not written: {}",
            ignored.join(", ")
        ));
    }

    let total = rows.len();
    let mut progress = Progress::new(io.bars, &format!("import {dst}"), total as u64);
    let mut counts = Counts::default();
    let result = upsert(
        client,
        &dst,
        &fields,
        key,
        &rows,
        &mut counts,
        &mut progress,
        io,
    )
    .await;
    match result {
        Ok(()) => {
            progress.finish(io.err);
            io.say(format_args!(
                "{dst}: {total} rows: {} created, {} updated, {} unchanged",
                counts.created, counts.updated, counts.unchanged
            ));
            Ok(())
        }
        Err(cause) => {
            progress.abandon(io.err);
            Err(Failure::new(format!(
                "{}; the import stopped with {} created, {} updated and {} unchanged of {total} rows: run the same command again to finish (records already created are found by their key, never created twice)",
                cause.message(),
                counts.created,
                counts.updated,
                counts.unchanged,
            )))
        }
    }
}

/// The key field: by name, else by id; writable, and of a type a formula can match.
fn key_field<'f>(
    fields: &'f [FieldSchema],
    key: &str,
    dst: &DatasheetId,
) -> Result<&'f FieldSchema, Failure> {
    let field = fields
        .iter()
        .find(|f| f.name == key)
        .or_else(|| fields.iter().find(|f| f.id == key))
        .ok_or_else(|| Failure::new(format!("--key {key:?}: {dst} has no such field")))?;
    if !field.is_writable() {
        return Err(Failure::new(format!(
            "--key {key:?}: the field is computed or read-only, so new records could not get a key"
        )));
    }
    if !can_be_key(field) {
        return Err(Failure::new(format!(
            "--key {key:?}: a {} field cannot be a key (use a text, number, single select, date or URL field)",
            field.field_type
        )));
    }
    Ok(field)
}

/// Rows as read: a label and the cells by column.
type RawRow = (String, Vec<(String, Value)>);

fn json_rows(text: &str, file: &str) -> Result<Vec<RawRow>, Failure> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Failure::new(format!("{file}: not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(Failure::new(format!(
            "{file}: expected a JSON array of records"
        )));
    };
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let label = format!("record #{}", i + 1);
        let Value::Object(mut obj) = item else {
            return Err(Failure::new(format!("{file}: {label} is not an object")));
        };
        let record_shape = matches!(obj.get("fields"), Some(Value::Object(_)))
            && obj.keys().all(|k| {
                matches!(
                    k.as_str(),
                    "fields" | "recordId" | "createdAt" | "updatedAt"
                )
            });
        let cells = if record_shape {
            match obj.remove("fields") {
                Some(Value::Object(cells)) => cells,
                _ => unreachable!("checked above"),
            }
        } else {
            obj
        };
        rows.push((label, cells.into_iter().collect()));
    }
    Ok(rows)
}

fn csv_rows(text: &str, file: &str, fields: &[FieldSchema]) -> Result<Vec<RawRow>, Failure> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Failure::new(format!("{file}: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut seen = HashSet::new();
    for h in &headers {
        if !seen.insert(h.as_str()) {
            return Err(Failure::new(format!(
                "{file}: the column {h:?} appears twice in the header"
            )));
        }
    }
    let columns: Vec<Option<&FieldSchema>> = headers.iter().map(|h| lookup(fields, h)).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Failure::new(format!("{file}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let label = format!("line {line}");
        let mut cells = Vec::new();
        for ((header, column), text) in headers.iter().zip(&columns).zip(record.iter()) {
            let value = match column {
                Some(field) => cells::from_csv(field, text)
                    .map_err(|e| Failure::new(format!("{file}: {label}, field {header:?}: {e}")))?,
                // Unknown columns are reported by `check_rows`; keep them as text.
                None => (!text.is_empty()).then(|| Value::String(text.to_owned())),
            };
            if let Some(value) = value {
                cells.push((header.clone(), value));
            }
        }
        rows.push((label, cells));
    }
    Ok(rows)
}

/// The field a column names: by name, else by id.
fn lookup<'f>(fields: &'f [FieldSchema], column: &str) -> Option<&'f FieldSchema> {
    fields
        .iter()
        .find(|f| f.name == column)
        .or_else(|| fields.iter().find(|f| f.id == column))
}

/// Checks every row before the first write: known columns, cells that fit their fields, a
/// key in every row, no key twice. Returns the rows and the read-only columns left out.
fn check_rows(
    raw: Vec<RawRow>,
    fields: &[FieldSchema],
    key: &FieldSchema,
    file: &str,
) -> Result<(Vec<Row>, Vec<String>), Failure> {
    let mut unknown: Vec<String> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(raw.len());
    let mut first_of: HashMap<String, String> = HashMap::new();
    for (label, raw_cells) in raw {
        let mut cells = Map::new();
        for (column, value) in raw_cells {
            let Some(field) = lookup(fields, &column) else {
                if !unknown.contains(&column) {
                    unknown.push(column);
                }
                continue;
            };
            if !field.is_writable() {
                if !ignored.contains(&field.name) {
                    ignored.push(field.name.clone());
                }
                continue;
            }
            let cell = cells::to_write(field, &value).map_err(|e| {
                Failure::new(format!("{file}: {label}, field {:?}: {e}", field.name))
            })?;
            if let Some(cell) = cell {
                cells.insert(field.name.clone(), cell);
            }
        }
        let key_cell = cells.get(&key.name).cloned();
        let key_text = key_cell.as_ref().and_then(|c| cells::key_text(key, c));
        let (Some(key_cell), Some(key_text)) = (key_cell, key_text) else {
            return Err(Failure::new(format!(
                "{file}: {label} has no value for the key field {:?}",
                key.name
            )));
        };
        if key.field_type == FieldType::DateTime && !key_cell.is_number() {
            return Err(Failure::new(format!(
                "{file}: {label}: a date key must be given in epoch milliseconds, found {key_cell}"
            )));
        }
        if let Some(first) = first_of.insert(key_text.clone(), label.clone()) {
            return Err(Failure::new(format!(
                "{file}: {first} and {label} have the same key {key_text:?}"
            )));
        }
        rows.push(Row {
            label,
            cells,
            key: key_text,
            key_cell,
        });
    }
    // In the datasheet's order, as an export writes them.
    ignored.sort_by_key(|name| fields.iter().position(|f| &f.name == name));
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|c| format!("{c:?}")).collect();
        return Err(Failure::new(format!(
            "{file}: not fields of the datasheet: {}",
            list.join(", ")
        )));
    }
    Ok((rows, ignored))
}

/// The formula term that matches one key.
fn key_term(key: &FieldSchema, cell: &Value) -> String {
    let literal = match cell {
        Value::Number(n) => n
            .as_f64()
            .and_then(formula::number_literal)
            .unwrap_or_else(|| "0".to_owned()),
        Value::String(s) => formula::string_literal(s),
        other => formula::string_literal(&cells::key_text(key, other).unwrap_or_default()),
    };
    format!("({}={literal})", formula::field_ref(&key.id))
}

/// How long `text` is once percent-encoded in a URL (at most).
fn encoded_len(text: &str) -> usize {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// The lookup formulas: `OR(…)` of as many key terms as fit the budget.
fn lookup_formulas(key: &FieldSchema, rows: &[Row]) -> Vec<String> {
    let mut formulas = Vec::new();
    let mut terms: Vec<String> = Vec::new();
    let mut length = 0;
    for row in rows {
        let term = key_term(key, &row.key_cell);
        let len = encoded_len(&term) + 3;
        if !terms.is_empty() && length + len > LOOKUP_BUDGET {
            formulas.push(or_of(std::mem::take(&mut terms)));
            length = 0;
        }
        length += len;
        terms.push(term);
    }
    if !terms.is_empty() {
        formulas.push(or_of(terms));
    }
    formulas
}

fn or_of(mut terms: Vec<String>) -> String {
    if terms.len() == 1 {
        terms.pop().expect("one term")
    } else {
        format!("OR({})", terms.join(","))
    }
}

/// The key of a record as the server returned it.
fn stored_key(key: &FieldSchema, cells: &Fields) -> Option<String> {
    let cell = cells.get(&key.name)?;
    let cell = cells::to_write(key, cell).ok()??;
    cells::key_text(key, &cell)
}

#[allow(clippy::too_many_arguments)]
async fn upsert(
    client: &Client,
    dst: &DatasheetId,
    fields: &[FieldSchema],
    key: &FieldSchema,
    rows: &[Row],
    counts: &mut Counts,
    progress: &mut Progress,
    io: &mut Console<'_>,
) -> Result<(), Failure> {
    let sheet = client.datasheet(dst);

    // 1. Which keys exist already.
    let wanted: HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let mut existing: HashMap<String, (RecordId, Fields)> = HashMap::new();
    for f in lookup_formulas(key, rows) {
        let mut records = pin!(
            sheet.record_stream::<Fields>(ListRecords::new().filter_by_formula(f).page_size(1000))
        );
        while let Some(record) = records
            .try_next()
            .await
            .map_err(|e| Failure::api(dst, "looking up existing keys", &e))?
        {
            // The server compares loosely; keep exact matches only.
            let Some(k) = stored_key(key, &record.fields).filter(|k| wanted.contains(k.as_str()))
            else {
                continue;
            };
            if let Some((other, _)) = existing.get(&k) {
                return Err(Failure::new(format!(
                    "records {other} and {} share the key {k:?}; make the key unique first",
                    record.id
                )));
            }
            existing.insert(k, (record.id, record.fields));
        }
    }

    // 2. New, changed and unchanged rows.
    let by_name: HashMap<&str, &FieldSchema> =
        fields.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut creates: VecDeque<&Row> = VecDeque::new();
    let mut updates: Vec<RecordUpdate> = Vec::new();
    for row in rows {
        let Some((id, stored)) = existing.get(&row.key) else {
            creates.push_back(row);
            continue;
        };
        let mut changed = Map::new();
        for (name, cell) in &row.cells {
            let field = by_name[name.as_str()];
            let now = stored
                .get(name)
                .and_then(|s| cells::to_write(field, s).ok().flatten());
            if !now.is_some_and(|now| cells::same(field, cell, &now)) {
                changed.insert(name.clone(), cell.clone());
            }
        }
        if changed.is_empty() {
            counts.unchanged += 1;
        } else {
            updates.push(RecordUpdate {
                record_id: id.clone(),
                fields: changed,
            });
        }
    }
    progress.inc(counts.unchanged as u64, io.err);

    // 3. Creates, a request's worth at a time. A server that creates only part of a batch
    // says which: the rest go back in the queue.
    let size = client.max_records_per_write().max(1);
    let options = WriteOptions::default();
    while !creates.is_empty() {
        let batch: Vec<&Row> = creates.drain(..size.min(creates.len())).collect();
        let payload: Vec<&Map<String, Value>> = batch.iter().map(|r| &r.cells).collect();
        let created = sheet
            .create_records::<_, Fields>(&payload, &options)
            .await
            .map_err(|e| {
                Failure::api(
                    dst,
                    &format!("creating the records of {}", batch_labels(&batch)),
                    &e,
                )
            })?;
        if created.is_empty() {
            return Err(Failure::new(format!(
                "the server created none of the records of {}",
                batch_labels(&batch)
            )));
        }
        counts.created += created.len();
        progress.inc(created.len() as u64, io.err);
        if created.len() < batch.len() {
            let made: HashSet<String> = created
                .iter()
                .filter_map(|r| stored_key(key, &r.fields))
                .collect();
            for row in batch.into_iter().rev() {
                if !made.contains(&row.key) {
                    creates.push_front(row);
                }
            }
        }
    }

    // 4. Updates of the changed cells.
    for batch in updates.chunks(size) {
        sheet
            .update_records::<_, Fields>(batch, &options)
            .await
            .map_err(|e| Failure::api(dst, "updating records", &e))?;
        counts.updated += batch.len();
        progress.inc(batch.len() as u64, io.err);
    }
    Ok(())
}

fn batch_labels(batch: &[&Row]) -> String {
    match batch {
        [] => "no rows".to_owned(),
        [one] => one.label.clone(),
        [first, .., last] => format!("{} to {}", first.label, last.label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(key: Value) -> Row {
        Row {
            label: "x".into(),
            cells: Map::new(),
            key: String::new(),
            key_cell: key,
        }
    }

    #[test]
    fn lookups_fit_the_budget_and_cover_every_key() {
        let key = FieldSchema::new("fldKey0001", "Name", FieldType::SingleText);
        let rows: Vec<Row> = (0..2000)
            .map(|i| row(json!(format!("key {i} “quoted” {{x}}"))))
            .collect();
        let formulas = lookup_formulas(&key, &rows);
        assert!(formulas.len() > 1);
        for f in &formulas {
            assert!(f.starts_with("OR(({fldKey0001}="), "{f}");
            assert!(encoded_len(f) <= LOOKUP_BUDGET + 10, "{}", encoded_len(f));
        }
        let terms: usize = formulas
            .iter()
            .map(|f| f.matches("({fldKey0001}=").count())
            .sum();
        assert_eq!(terms, rows.len());
    }

    #[test]
    fn number_keys_are_number_literals() {
        let key = FieldSchema::new("fldKey0001", "Code", FieldType::Number);
        assert_eq!(key_term(&key, &json!(-3.5)), "({fldKey0001}=(-3.5))");
        assert_eq!(
            lookup_formulas(&key, &[row(json!(7))]),
            ["({fldKey0001}=7)"]
        );
    }
}
