//! `apitable export`: every record of a datasheet, page by page, as JSON or CSV.

use std::io::Write;
use std::pin::pin;

use apitable_orm::api::{Fields, ListRecords};
use apitable_orm::{Client, DatasheetId};
use apitable_schema::{FieldSchema, FieldType};
use futures_util::TryStreamExt;

use crate::cli::{ExportArgs, Format};
use crate::files::AtomicFile;
use crate::progress::Progress;
use crate::{Console, Failure, cells, format_for, remote};

/// Records per page requested: the server's maximum.
const PAGE_SIZE: u64 = 1000;

pub(crate) async fn export(
    client: &Client,
    args: &ExportArgs,
    io: &mut Console<'_>,
) -> Result<(), Failure> {
    let dst = remote::datasheet_id(&args.datasheet)?;
    let format = format_for(args.format, args.output.as_deref());
    let fields: Vec<_> = remote::fields(client, &dst)
        .await?
        .into_iter()
        .filter(|f| f.field_type != FieldType::Button)
        .collect();
    let out_name = args
        .output
        .as_ref()
        .map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    let mut file = match &args.output {
        Some(path) => Some(AtomicFile::create(path)?),
        None => None,
    };
    let bars = io.bars;
    let count = {
        let sink: &mut dyn Write = match file.as_mut() {
            Some(f) => f.writer(),
            None => &mut *io.out,
        };
        let job = Job {
            client,
            dst: &dst,
            fields: &fields,
            out_name: &out_name,
        };
        job.run(format, sink, &mut *io.err, bars).await?
    };
    if let Some(f) = file {
        f.commit()?;
        io.note(format_args!(
            "{dst}: exported {count} records to {out_name}"
        ));
    }
    Ok(())
}

struct Job<'a> {
    client: &'a Client,
    dst: &'a DatasheetId,
    fields: &'a [FieldSchema],
    out_name: &'a str,
}

enum Sink<'w> {
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Json(&'w mut dyn Write),
}

impl Job<'_> {
    fn write_failed(&self, e: impl std::fmt::Display) -> Failure {
        Failure::new(format!("writing {}: {e}", self.out_name))
    }

    /// Writes every record; returns how many.
    async fn run(
        &self,
        format: Format,
        sink: &mut dyn Write,
        err: &mut dyn Write,
        bars: bool,
    ) -> Result<u64, Failure> {
        let mut sink = match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(sink);
                w.write_record(self.fields.iter().map(|f| f.name.as_str()))
                    .map_err(|e| self.write_failed(e))?;
                Sink::Csv(Box::new(w))
            }
            Format::Json => {
                sink.write_all(b"[").map_err(|e| self.write_failed(e))?;
                Sink::Json(sink)
            }
        };
        let mut progress = Progress::new(bars, &format!("export {}", self.dst), 0);
        let mut pages = pin!(
            self.client
                .datasheet(self.dst)
                .record_pages::<Fields>(ListRecords::new().page_size(PAGE_SIZE))
        );
        let mut count = 0u64;
        loop {
            let page = match pages.try_next().await {
                Ok(Some(page)) => page,
                Ok(None) => break,
                Err(e) => {
                    progress.abandon(err);
                    return Err(Failure::api(self.dst, "listing the records", &e));
                }
            };
            progress.set_total(page.total);
            let n = page.items.len() as u64;
            for record in &page.items {
                match &mut sink {
                    Sink::Csv(w) => {
                        let row = self
                            .fields
                            .iter()
                            .map(|f| cells::to_csv(record.fields.get(&f.name)));
                        w.write_record(row).map_err(|e| self.write_failed(e))?;
                    }
                    Sink::Json(w) => {
                        let sep = if count == 0 { "\n" } else { ",\n" };
                        let id = serde_json::Value::from(record.id.as_str());
                        let cells = serde_json::Value::Object(record.fields.clone());
                        write!(w, "{sep}{{\"recordId\":{id},\"fields\":{cells}}}")
                            .map_err(|e| self.write_failed(e))?;
                    }
                }
                count += 1;
            }
            progress.inc(n, err);
        }
        match sink {
            Sink::Csv(mut w) => w.flush().map_err(|e| self.write_failed(e))?,
            Sink::Json(w) => {
                let end = if count == 0 { "]\n" } else { "\n]\n" };
                w.write_all(end.as_bytes())
                    .and_then(|()| w.flush())
                    .map_err(|e| self.write_failed(e))?;
            }
        }
        progress.finish(err);
        Ok(count)
    }
}
