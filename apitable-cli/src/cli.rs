//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::codegen::By;

/// Work with APITable datasheets from the command line: generate typed Rust structs, keep
/// schema snapshots and check them for drift, export and import records, and run a local
/// emulator of the API.
///
/// Connection: --host and --token, or the APITABLE_HOST and APITABLE_TOKEN environment
/// variables (prefer the variable for the token: command lines are visible to other users of
/// the machine). Plain http is accepted for loopback hosts only, unless --insecure.
///
/// Exit status: 0 on success, 1 when `schema check` finds drift, 2 on any error.
#[derive(Debug, Parser)]
#[command(name = "apitable", version, about, long_about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct Global {
    /// Server base URL, e.g. https://apitable.example.com (https:// is assumed without a
    /// scheme) [default: $APITABLE_HOST, else the APITable cloud].
    #[arg(long, global = true, value_name = "URL")]
    pub host: Option<String>,
    /// API token [default: $APITABLE_TOKEN]. For `serve`: the token the emulator accepts.
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Allow plain http to a host that is not loopback (the token then crosses the network
    /// unencrypted).
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Requests per second per datasheet; 0 sends without pacing. The real server allows 5.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 5.0,
        allow_negative_numbers = true
    )]
    pub rate: f64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print a Rust module with a `#[derive(Table)]` struct for each datasheet.
    ///
    /// Each struct is named after its datasheet (in UpperCamelCase) and has an `id` field for
    /// the record id, then one field per datasheet field, typed after the field type (an
    /// Option where a cell may be empty; lists and checkboxes have their own empty value).
    /// Computed fields are marked read_only; the primary field is the upsert key when its
    /// type can be one. Single and multi select fields with options get an enum with one
    /// variant per option. Field descriptions become doc comments.
    ///
    /// The module uses `apitable_orm` (and `serde_json` for fields whose cells have no
    /// fixed type).
    Codegen(CodegenArgs),
    /// Save datasheet schemas as snapshot files, or compare snapshots with the live
    /// datasheets.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Write every record of a datasheet as JSON or CSV, fetched page by page.
    ///
    /// JSON: an array of {"recordId": "rec…", "fields": {…}} objects, cells as the API
    /// returns them, empty cells left out.
    ///
    /// CSV: a header row of field names (every field but buttons, in the order of the first
    /// view), then one row per record. A cell whose value is text is written as that text;
    /// any other value as compact JSON: numbers, checkboxes as true, dates as epoch
    /// milliseconds, select lists as ["a","b"], URLs, attachments and members as JSON
    /// objects. An empty cell is an empty CSV field. `apitable import` reads both forms back.
    Export(ExportArgs),
    /// Upsert records from a JSON or CSV file into a datasheet, matched by a key field.
    ///
    /// The file is the form `apitable export` writes: a JSON array of {"fields": {…}}
    /// objects (or of plain objects of cells), or CSV with a header of field names. Cells
    /// are keyed by field name (or id). Computed fields in the file are ignored; a column
    /// that is not a field of the datasheet is an error.
    ///
    /// Every row is checked first (each needs a key, keys are unique). Then the existing
    /// records are looked up by key, as many keys per request as fit in a URL; rows whose key is new
    /// are created, 10 per request; rows whose cells differ from the record are updated
    /// (only the differing cells); identical rows are skipped. Empty cells in the file never
    /// clear a cell.
    ///
    /// Safe to rerun: when a run stops part-way (a network failure, a server error), run it
    /// again. The records it created are found by their key and not created twice.
    Import(ImportArgs),
    /// Run the local emulator of the APITable API until Ctrl-C.
    ///
    /// Prints the base URL and the token to use (the --token given, or a random one), a
    /// token of a user outside the space (for permission tests), the admin token, the space
    /// and each datasheet, one `key: value` per line; the line `database: …` (or `database:
    /// memory`) comes last.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CodegenArgs {
    /// A datasheet to generate a struct for (dst…); repeat for several.
    #[arg(
        long = "datasheet",
        value_name = "DST",
        required_unless_present = "snapshot"
    )]
    pub datasheets: Vec<String>,
    /// Read a snapshot file (from `apitable schema pull`) instead of asking the server;
    /// repeat for several.
    #[arg(long = "snapshot", value_name = "FILE", conflicts_with = "datasheets")]
    pub snapshot: Vec<PathBuf>,
    /// With --snapshot: give each struct `#[apitable(schema = "FILE")]`, FILE as given here
    /// (so give it relative to the crate's Cargo.toml), and the derive checks the struct
    /// against the snapshot at compile time.
    #[arg(long, requires = "snapshot")]
    pub schema_attr: bool,
    /// Map columns by name (readable) or by field id (survives column renames).
    #[arg(long, value_enum, default_value_t = By::Name)]
    pub by: By,
    /// Write the module to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SchemaCommand {
    /// Write DIR/<datasheet id>.json: the datasheet's fields and views, as a snapshot file to
    /// commit next to the code that depends on them. Each file is replaced atomically.
    Pull {
        /// A datasheet to snapshot (dst…); repeat for several.
        #[arg(long = "datasheet", value_name = "DST", required = true)]
        datasheets: Vec<String>,
        /// The directory to write to (created if missing).
        #[arg(
            short = 'o',
            long = "output",
            value_name = "DIR",
            default_value = "schema"
        )]
        dir: PathBuf,
    },
    /// Compare every snapshot (*.json) in DIR with its live datasheet and print each
    /// difference: fields added, removed, renamed or retyped, select options changed, other
    /// settings changed. Exits 0 when everything matches, 1 on any difference, 2 on errors.
    Check {
        /// The directory of snapshot files.
        #[arg(value_name = "DIR", default_value = "schema")]
        dir: PathBuf,
    },
}

/// A file format for records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A JSON array of records.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The datasheet to export (dst…).
    #[arg(long, value_name = "DST")]
    pub datasheet: String,
    /// The output format [default: from the output file's extension, else json].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file (replaced only once the export is complete) instead of standard
    /// output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The datasheet to import into (dst…).
    #[arg(long, value_name = "DST")]
    pub datasheet: String,
    /// The file to import.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The field (name or id) that identifies a record: a writable text, number, single
    /// select, date or URL field whose values are unique.
    #[arg(long, value_name = "FIELD")]
    pub key: String,
    /// The file's format [default: from its extension, else json].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// SQLite database file, created if missing; data survives restarts [default: in memory].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Seed JSON file (spaces, members, datasheets, records), applied to a new database.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Requests per second per datasheet or space and token, as the real server limits
    /// them; 0 turns the limit off.
    #[arg(long, default_value_t = 5)]
    pub rate_limit: u32,
    /// Token of the /_emulator/… admin endpoints (request statistics, fault injection)
    /// [default: random].
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Answer malformed list parameters as the real server does (HTTP 500 with an array
    /// message) instead of a clean code-400 answer.
    #[arg(long)]
    pub strict_dto: bool,
    /// Milliseconds a client may take to send a request's headers (also the idle keep-alive
    /// limit).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub header_read_timeout_ms: u64,
    /// Milliseconds a client may take to send a request's body.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub body_read_timeout_ms: u64,
}
