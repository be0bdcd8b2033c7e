//! The `apitable` command: typed Rust structs from datasheets, schema snapshots checked for
//! drift, export and import of records, and a local emulator of the APITable API.
//!
//! ```text
//! apitable codegen --datasheet dst… [--datasheet …] [--by name|id] [-o FILE]
//! apitable codegen --snapshot FILE [--snapshot …] [--schema-attr] [--by name|id] [-o FILE]
//! apitable schema pull --datasheet dst… [--datasheet …] [-o DIR]
//! apitable schema check [DIR]
//! apitable export --datasheet dst… [--format json|csv] [-o FILE]
//! apitable import --datasheet dst… FILE --key FIELD [--format json|csv]
//! apitable serve [--port N] [--db FILE] [--seed FILE] [--token T] [--rate-limit N] …
//! ```
//!
//! # Connecting
//!
//! Every command but `serve` talks to a server: `--host URL` (or `APITABLE_HOST`; `https://`
//! is assumed without a scheme; default the APITable cloud) with `--token` (or, better, since
//! command lines are visible to other users, `APITABLE_TOKEN`). Plain `http` is accepted only
//! for loopback hosts, unless `--insecure`. Requests to one datasheet are paced at
//! `--rate` per second (default 5, the real server's limit; 0 turns pacing off), and retried
//! the way the `apitable-orm` client retries them.
//!
//! # Commands
//!
//! * **`codegen`** prints a Rust module: per datasheet, a `#[derive(Table)]` struct named
//!   after the datasheet (UpperCamelCase) with an `id: Option<RecordId>` record-id field and
//!   one field per datasheet field (snake_case, keywords as raw identifiers), typed after the
//!   field type as [`apitable_schema::rust_type_for`] says, in an `Option` unless the type
//!   has its own empty value (`Vec`, `bool`, `serde_json::Value`). Columns are mapped by name
//!   or, with `--by id`, by field id. Computed fields are `read_only`; the primary field is
//!   the upsert `key` when its type can be one. Single and multi selects with options get a
//!   `#[derive(FieldValue)]` enum `<Struct><Field>` with one variant per option (renamed
//!   where the option is not a Rust name; colliding names get numeric suffixes). Field
//!   descriptions become doc comments. Buttons hold no cells and are left out. From snapshot
//!   files (`--snapshot`, instead of asking the server), `--schema-attr` also gives each
//!   struct `#[apitable(schema = "FILE")]`, so that the derive checks it against the file at
//!   compile time. See [`codegen::generate`].
//! * **`schema pull`** writes `DIR/<dst id>.json` snapshots ([`apitable_schema::Snapshot`])
//!   of each datasheet's fields and views, each file replaced atomically (written under a
//!   temporary name in the same directory, then renamed). **`schema check`** compares every
//!   snapshot in `DIR` with its live datasheet and prints each
//!   [`Change`](apitable_schema::Change); exit status 1 when anything changed.
//! * **`export`** writes every record, fetched 1,000 per page, as JSON (an array of
//!   `{"recordId", "fields"}` objects, cells as the API returns them) or CSV (a header of
//!   field names, then one row per record: text cells as their text, every other cell as
//!   compact JSON — numbers, `true` for a ticked checkbox, dates in epoch milliseconds, lists
//!   and objects — and empty cells empty).
//! * **`import`** upserts a file of that form by a key field: every row is checked first,
//!   existing keys are looked up with `OR(…)` formulas (values embedded with
//!   [`formula::string_literal`]), new rows are created 10 per request, changed rows get
//!   their differing cells updated, identical rows are skipped. Empty cells never clear
//!   anything; computed columns are ignored. A run that stops part-way can simply be run
//!   again: the rows it created are found by their key, so nothing is created twice.
//!   Attachments are written back by token, members by unit id and links by record id, so
//!   they carry over within one server and space (links to the same linked datasheet).
//! * **`serve`** runs the `apitable-emulator` server with the options of its own binary
//!   (`--db` optional: in memory by default) and prints `base_url:`, `token:` and other
//!   `key: value` lines, the last one `database: …`.
//!
//! Progress (rows done of the total) is a bar when standard error is a terminal, a few plain
//! lines otherwise. Errors are one line on standard error.
//!
//! # Exit status
//!
//! 0 on success; 1 when `schema check` found a difference; 2 on any error (bad arguments,
//! unreadable files, network failures, refusals by the server).
//!
//! # As a library
//!
//! [`run`] and [`run_async`] take the arguments and two writers (standard output and error)
//! and return the exit status, for tests and for embedding.
#![deny(missing_docs)]

mod cells;
mod cli;
pub mod codegen;
mod export;
mod files;
pub mod formula;
mod import;
mod naming;
mod progress;
mod remote;
mod schema_cmd;
mod serve;

use std::ffi::OsString;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::Path;

use apitable_orm::{Client, DatasheetId, Pacing};
use clap::Parser;

use crate::cli::{Cli, CodegenArgs, Command, Format, Global, SchemaCommand};

/// Runs the command line `args` (the first item is the program name), writing results to
/// `out` and messages to `err`, and returns the exit status. Builds its own async runtime:
/// call it outside of one (inside, use [`run_async`]).
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_with(args, out, err, false)
}

/// [`run`] for callers already inside a Tokio runtime.
pub async fn run_async<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut io = Console {
        out,
        err,
        bars: false,
    };
    run_parsed(parse(args, &mut io), &mut io).await
}

/// The `apitable` binary: the process's arguments, standard output and error, progress bars
/// when standard error is a terminal.
pub fn main_with_process_io() -> i32 {
    let bars = std::io::stderr().is_terminal();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    run_with(std::env::args_os(), &mut out, &mut err, bars)
}

fn run_with<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write, bars: bool) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut io = Console { out, err, bars };
    let parsed = parse(args, &mut io);
    if let Err(code) = parsed {
        return code;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            io.error(&Failure::new(format!("could not start the runtime: {e}")));
            return 2;
        }
    };
    runtime.block_on(run_parsed(parsed, &mut io))
}

/// Parses the arguments; help and version are printed here (status 0), errors too (2).
fn parse<I, T>(args: I, io: &mut Console<'_>) -> Result<Cli, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => Ok(cli),
        Err(e) if !e.use_stderr() => {
            let _ = write!(io.out, "{}", e.render());
            Err(0)
        }
        Err(e) => {
            let rendered = e.render().to_string();
            if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = write!(io.err, "{rendered}");
            } else {
                // The first paragraph ("error: …" and any indented lines under it).
                let paragraph: Vec<&str> = rendered
                    .lines()
                    .skip_while(|l| l.trim().is_empty())
                    .take_while(|l| !l.trim().is_empty())
                    .map(str::trim)
                    .collect();
                let text = paragraph.join(" ");
                let text = text.strip_prefix("error: ").unwrap_or(&text);
                let text = if text.is_empty() {
                    "invalid arguments"
                } else {
                    text
                };
                let _ = writeln!(io.err, "apitable: {text} (see `apitable --help`)");
            }
            Err(2)
        }
    }
}

async fn run_parsed(parsed: Result<Cli, i32>, io: &mut Console<'_>) -> i32 {
    let cli = match parsed {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let status = match dispatch(&cli, io).await {
        Ok(status) => status,
        Err(failure) => {
            io.error(&failure);
            2
        }
    };
    io.flush();
    status
}

async fn dispatch(cli: &Cli, io: &mut Console<'_>) -> Result<i32, Failure> {
    let g = &cli.global;
    match &cli.command {
        Command::Codegen(args) => codegen(args, g, io).await.map(|()| 0),
        Command::Schema(SchemaCommand::Pull { datasheets, dir }) => {
            schema_cmd::pull(&client(g)?, datasheets, dir, io)
                .await
                .map(|()| 0)
        }
        Command::Schema(SchemaCommand::Check { dir }) => {
            let clean = schema_cmd::check(&client(g)?, dir, io).await?;
            Ok(if clean { 0 } else { 1 })
        }
        Command::Export(args) => export::export(&client(g)?, args, io).await.map(|()| 0),
        Command::Import(args) => import::import(&client(g)?, args, io).await.map(|()| 0),
        Command::Serve(args) => {
            if g.host.is_some() {
                return Err(Failure::new(
                    "serve listens on 127.0.0.1: choose the port with --port, not --host",
                ));
            }
            serve::serve(args, g.token.as_deref(), io).await.map(|()| 0)
        }
    }
}

async fn codegen(args: &CodegenArgs, g: &Global, io: &mut Console<'_>) -> Result<(), Failure> {
    let by = match args.by {
        codegen::By::Name => "name",
        codegen::By::Id => "id",
    };
    let (snapshots, command) = if args.snapshot.is_empty() {
        let ids = args
            .datasheets
            .iter()
            .map(|d| remote::datasheet_id(d))
            .collect::<Result<Vec<DatasheetId>, _>>()?;
        let client = client(g)?;
        let mut snapshots = Vec::with_capacity(ids.len());
        for dst in &ids {
            snapshots.push(remote::snapshot(&client, dst, io.err).await?);
        }
        let list: Vec<String> = ids.iter().map(|d| format!("--datasheet {d}")).collect();
        (snapshots, list.join(" "))
    } else {
        let mut snapshots = Vec::with_capacity(args.snapshot.len());
        let mut list = Vec::new();
        for path in &args.snapshot {
            let text = files::read_text(path)?;
            snapshots.push(
                apitable_schema::Snapshot::from_json(&text)
                    .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?,
            );
            list.push(format!("--snapshot {}", path.display()));
        }
        (snapshots, list.join(" "))
    };
    let paths: Vec<Option<String>> = args
        .snapshot
        .iter()
        .map(|p| args.schema_attr.then(|| p.to_string_lossy().into_owned()))
        .collect();
    let schemas: Vec<Option<&str>> = paths.iter().map(Option::as_deref).collect();
    let attr = if args.schema_attr {
        " --schema-attr"
    } else {
        ""
    };
    let generated = codegen::generate(
        &snapshots,
        &schemas,
        args.by,
        &format!("apitable codegen {command}{attr} --by {by}"),
    );
    for warning in &generated.warnings {
        io.note(format_args!("apitable: warning: {warning}"));
    }
    match &args.output {
        Some(path) => {
            files::write_atomic(path, &generated.code)?;
            io.note(format_args!(
                "wrote {} ({} datasheets)",
                path.display(),
                snapshots.len()
            ));
        }
        None => {
            io.out
                .write_all(generated.code.as_bytes())
                .map_err(|e| Failure::new(format!("writing standard output: {e}")))?;
        }
    }
    Ok(())
}

/// A client from the global options, falling back to the environment.
fn client(g: &Global) -> Result<Client, Failure> {
    if !(g.rate.is_finite() && g.rate >= 0.0) {
        return Err(Failure::new(format!(
            "--rate {} must be a number of requests per second, 0 or more",
            g.rate
        )));
    }
    let (mut builder, host) = match &g.token {
        Some(token) => (
            Client::builder().token(token.clone()),
            g.host
                .clone()
                .or_else(|| std::env::var("APITABLE_HOST").ok()),
        ),
        None => (
            apitable_orm::ClientBuilder::from_env()
                .map_err(|_| Failure::new("no API token: pass --token or set APITABLE_TOKEN"))?,
            g.host.clone(),
        ),
    };
    if let Some(host) = host.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        builder = builder.base_url(if host.contains("://") {
            host.to_owned()
        } else {
            format!("https://{host}")
        });
    }
    builder
        .allow_insecure_http(g.insecure)
        .pacing(if g.rate > 0.0 {
            Pacing::per_second(g.rate)
        } else {
            Pacing::off()
        })
        .user_agent(concat!("apitable-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::new(one_line(&e.to_string())))
}

/// The format of a records file: as given, else from the file's extension, else JSON.
fn format_for(given: Option<Format>, path: Option<&Path>) -> Format {
    given.unwrap_or_else(|| {
        match path
            .and_then(Path::extension)
            .map(|x| x.to_string_lossy().to_ascii_lowercase())
        {
            Some(x) if x == "csv" => Format::Csv,
            _ => Format::Json,
        }
    })
}

/// Standard output and error of one run.
pub(crate) struct Console<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Progress bars instead of plain lines.
    pub bars: bool,
}

impl Console<'_> {
    /// A result line on standard output.
    pub(crate) fn say(&mut self, line: fmt::Arguments<'_>) {
        let _ = writeln!(self.out, "{line}");
    }

    /// A message on standard error.
    pub(crate) fn note(&mut self, line: fmt::Arguments<'_>) {
        let _ = writeln!(self.err, "{line}");
    }

    fn error(&mut self, failure: &Failure) {
        let _ = writeln!(self.err, "apitable: error: {}", failure.message());
    }

    pub(crate) fn flush(&mut self) {
        let _ = self.out.flush();
        let _ = self.err.flush();
    }
}

/// Why a command failed, as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(String);

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Failure {
        Failure(one_line(&message.into()))
    }

    /// A failed request about `dst` while doing `what`.
    pub(crate) fn api(dst: &DatasheetId, what: &str, e: &apitable_orm::Error) -> Failure {
        let hint = match (e.status(), e.code()) {
            (Some(401), _) | (_, Some(401)) => " (check the token: --token or APITABLE_TOKEN)",
            (_, Some(301)) | (_, Some(404)) => " (check the datasheet id and the token's access)",
            _ => "",
        };
        Failure::new(format!("{dst}: {what}: {e}{hint}"))
    }

    pub(crate) fn message(&self) -> &str {
        &self.0
    }
}

/// `text` on one line: line breaks and runs of whitespace become single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn formats_come_from_the_flag_then_the_extension() {
        assert_eq!(format_for(None, Some(Path::new("a/b.CSV"))), Format::Csv);
        assert_eq!(format_for(None, Some(Path::new("a/b.txt"))), Format::Json);
        assert_eq!(format_for(None, None), Format::Json);
        assert_eq!(
            format_for(Some(Format::Json), Some(Path::new("b.csv"))),
            Format::Json
        );
    }

    #[test]
    fn failures_are_one_line() {
        assert_eq!(
            Failure::new("a\nb  c\r\n").message(),
            "a b c",
            "line breaks become spaces"
        );
    }
}
