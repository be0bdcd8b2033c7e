//! The notes app: the `Note` table, the command line, the commands and their output.
//!
//! Shared by `examples/notes/main.rs` (the program) and `tests/example_notes.rs` (its tests).

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use apitable_emulator::Emulator;
use apitable_orm::api::Upload;
use apitable_orm::prelude::*;
use apitable_orm::value::Attachment;
use apitable_orm::{DatasheetId, Pacing, Sheet};
use clap::{Parser, Subcommand};

/// One note. The datasheet needs the fields Title (SingleText, primary), Body (Text), Tags
/// (MultiSelect), Attachments (Attachment), Created (CreatedTime) and Updated
/// (LastModifiedTime).
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstNotesDemo00001", rename_all = "PascalCase")]
pub struct Note {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    pub title: String,
    pub body: Option<String>,
    pub tags: Vec<String>,
    pub attachments: Vec<Attachment>,
    #[apitable(read_only)]
    pub created: Option<Timestamp>,
    #[apitable(read_only)]
    pub updated: Option<Timestamp>,
}

/// The emulator's seed: the Notes datasheet with its fields, at the id `Note` is mapped to.
pub fn emulator_seed() -> String {
    serde_json::json!({
        "datasheets": [{
            "type": "Datasheet", "name": "Notes", "id": <Note as Table>::DATASHEET,
            "fields": [
                {"name": "Title", "type": "SingleText", "property": {}},
                {"name": "Body", "type": "Text"},
                {"name": "Tags", "type": "MultiSelect", "property": {"options": []}},
                {"name": "Attachments", "type": "Attachment"},
                {"name": "Created", "type": "CreatedTime",
                 "property": {"dateFormat": "YYYY-MM-DD", "includeTime": true}},
                {"name": "Updated", "type": "LastModifiedTime",
                 "property": {"dateFormat": "YYYY-MM-DD", "includeTime": true}}
            ]
        }]
    })
    .to_string()
}

/// Starts an in-process emulator whose data lives in the file `db` (created, with the Notes
/// datasheet, on first use), and a client for it.
pub async fn open_emulator(db: &Path) -> Result<(Emulator, Client), String> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let emu = Emulator::builder()
        .database(db)
        .seed_json(&emulator_seed())
        .start()
        .await
        .map_err(|e| format!("cannot open the notes database {}: {e}", db.display()))?;
    if emu.datasheet(<Note as Table>::DATASHEET).is_none() {
        return Err(format!(
            "{} holds no Notes datasheet (another program made it): choose another --db",
            db.display()
        ));
    }
    let client = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .pacing(Pacing::off())
        .build()
        .map_err(|e| e.to_string())?;
    Ok((emu, client))
}

/// Notes kept in an APITable datasheet.
#[derive(Debug, Parser)]
#[command(name = "notes", version, about)]
pub struct Cli {
    /// The emulator's database file (not used with a real server).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        default_value = "target/notes-demo.db"
    )]
    pub db: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum Command {
    /// Adds a note.
    Add {
        /// The note's title.
        title: String,
        /// Its text.
        #[arg(long, short)]
        body: Option<String>,
        /// A tag (repeat for several).
        #[arg(long = "tag", short = 't', value_name = "TAG")]
        tags: Vec<String>,
        /// A file to attach (repeat for several).
        #[arg(long = "attach", short = 'a', value_name = "PATH")]
        attach: Vec<PathBuf>,
    },
    /// Lists the notes, oldest first (only those with a tag with --tag).
    List {
        /// Only notes with this tag.
        #[arg(long, short = 't')]
        tag: Option<String>,
    },
    /// Finds the notes whose title or body contains every word of the query, in any case.
    Search {
        /// The words to look for.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
    /// Shows one note in full.
    Show {
        /// The note's id (`rec…`, as shown by `list`).
        id: RecordId,
    },
    /// Changes a note's title or body, or attaches more files. Only what changes is sent.
    Edit {
        /// The note's id.
        id: RecordId,
        /// A new title.
        #[arg(long)]
        title: Option<String>,
        /// A new text ("" clears it).
        #[arg(long, short)]
        body: Option<String>,
        /// A file to attach (repeat for several).
        #[arg(long = "attach", short = 'a', value_name = "PATH")]
        attach: Vec<PathBuf>,
    },
    /// Adds tags to a note, or removes them with --remove.
    Tag {
        /// The note's id.
        id: RecordId,
        /// Tags to add.
        tags: Vec<String>,
        /// A tag to remove (repeat for several).
        #[arg(long, short = 'r', value_name = "TAG")]
        remove: Vec<String>,
    },
    /// Deletes a note.
    Delete {
        /// The note's id.
        id: RecordId,
    },
}

/// Why a command failed.
#[derive(Debug)]
pub enum AppError {
    /// No note has this id.
    NotFound(RecordId),
    /// The command's input cannot be used.
    Invalid(String),
    /// The server (or the connection to it) failed.
    Api(apitable_orm::Error),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::NotFound(id) => write!(f, "there is no note with id {id}"),
            AppError::Invalid(why) => f.write_str(why),
            AppError::Api(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<apitable_orm::Error> for AppError {
    fn from(e: apitable_orm::Error) -> Self {
        AppError::Api(e)
    }
}

/// A title or body change for [`Notes::apply_edit`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    /// A new title.
    pub title: Option<String>,
    /// A new body (`""` clears it).
    pub body: Option<String>,
    /// Files to attach.
    pub attach: Vec<PathBuf>,
}

/// The notes of one datasheet.
pub struct Notes<'c> {
    client: &'c Client,
    sheet: Sheet<Note>,
}

impl<'c> Notes<'c> {
    /// The notes in datasheet `dst`.
    pub fn new(client: &'c Client, dst: DatasheetId) -> Self {
        Notes {
            client,
            sheet: client.table_in(dst),
        }
    }

    /// Runs one command; what it prints is appended to `out`.
    pub async fn run(&self, command: Command, out: &mut String) -> Result<(), AppError> {
        match command {
            Command::Add {
                title,
                body,
                tags,
                attach,
            } => {
                let title = checked_title(&title)?;
                let attachments = self.upload(&attach).await?;
                let mut note = Note {
                    id: None,
                    title,
                    body: body.filter(|b| !b.trim().is_empty()),
                    tags: merge_tags(&[], &tags, &[]),
                    attachments,
                    created: None,
                    updated: None,
                };
                self.sheet.save(&mut note).await?;
                let id = note.id.as_ref().map_or(String::new(), ToString::to_string);
                writeln!(out, "Added note {id}: {}", note.title).ok();
            }
            Command::List { tag } => {
                let mut query = self.sheet.query().sort(Note::CREATED.asc());
                if let Some(tag) = tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    query = query.filter(Note::TAGS.has(tag));
                }
                let notes = query.all().await?;
                print_list(out, &notes, "No notes yet.");
            }
            Command::Search { query } => {
                let filter = search_filter(&query)?;
                let notes = self
                    .sheet
                    .query()
                    .filter(filter)
                    .sort(Note::CREATED.asc())
                    .all()
                    .await?;
                print_list(out, &notes, "No note matches.");
            }
            Command::Show { id } => {
                let note = self.load(&id).await?;
                print_note(out, &note);
            }
            Command::Edit {
                id,
                title,
                body,
                attach,
            } => {
                let edit = Edit {
                    title,
                    body,
                    attach,
                };
                if edit == Edit::default() {
                    return Err(AppError::Invalid(
                        "nothing to edit: give --title, --body or --attach".into(),
                    ));
                }
                let note = self.load(&id).await?;
                let changed = self.apply_edit(&note, &edit).await?;
                if changed {
                    writeln!(out, "Updated note {id}.").ok();
                } else {
                    writeln!(out, "Note {id} already says that; nothing to change.").ok();
                }
            }
            Command::Tag { id, tags, remove } => {
                if tags.is_empty() && remove.is_empty() {
                    return Err(AppError::Invalid(
                        "give tags to add, or --remove TAG to remove one".into(),
                    ));
                }
                let old = self.load(&id).await?;
                let new = Note {
                    tags: merge_tags(&old.tags, &tags, &remove),
                    ..old.clone()
                };
                self.sheet.update_changed(&old, &new).await?;
                let tags = if new.tags.is_empty() {
                    "none".to_string()
                } else {
                    new.tags.join(", ")
                };
                writeln!(out, "Tags of {id}: {tags}").ok();
            }
            Command::Delete { id } => {
                let note = self.load(&id).await?;
                self.sheet.delete(&id).await?;
                writeln!(out, "Deleted note {id}: {}", note.title).ok();
            }
        }
        Ok(())
    }

    /// The note with this id, or [`AppError::NotFound`].
    pub async fn load(&self, id: &RecordId) -> Result<Note, AppError> {
        self.sheet
            .query()
            .get(id)
            .await?
            .ok_or_else(|| AppError::NotFound(id.clone()))
    }

    /// Applies `edit` to `note` (as it was read), sending only the cells that change; returns
    /// whether anything was sent. Cells that the edit does not touch are not sent, so changes
    /// made to them by someone else since `note` was read are kept.
    pub async fn apply_edit(&self, note: &Note, edit: &Edit) -> Result<bool, AppError> {
        let mut new = note.clone();
        if let Some(title) = &edit.title {
            new.title = checked_title(title)?;
        }
        if let Some(body) = &edit.body {
            new.body = Some(body.clone()).filter(|b| !b.trim().is_empty());
        }
        new.attachments.extend(self.upload(&edit.attach).await?);
        Ok(self.sheet.update_changed(note, &new).await?)
    }

    /// Reads every file first (so a bad path fails before anything is uploaded), then uploads
    /// them one by one.
    async fn upload(&self, paths: &[PathBuf]) -> Result<Vec<Attachment>, AppError> {
        let mut uploads = Vec::with_capacity(paths.len());
        for path in paths {
            if !path.is_file() {
                return Err(AppError::Invalid(format!(
                    "cannot attach {}: not a readable file",
                    path.display()
                )));
            }
            let upload = Upload::from_path(path).await.map_err(|e| match e {
                apitable_orm::Error::InvalidRequest(why) => AppError::Invalid(why),
                other => AppError::Api(other),
            })?;
            uploads.push(upload);
        }
        let dst = self.sheet.id()?.clone();
        let mut out = Vec::with_capacity(uploads.len());
        for upload in uploads {
            out.push(
                self.client
                    .datasheet(&dst)
                    .upload_attachment(upload)
                    .await?,
            );
        }
        Ok(out)
    }
}

fn checked_title(title: &str) -> Result<String, AppError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::Invalid("a note needs a non-empty title".into()));
    }
    Ok(title.to_string())
}

/// `old` plus `add`, minus `remove`; trimmed, without empty or repeated tags, in first-seen
/// order.
pub fn merge_tags(old: &[String], add: &[String], remove: &[String]) -> Vec<String> {
    let remove: Vec<&str> = remove.iter().map(|t| t.trim()).collect();
    let mut out: Vec<String> = Vec::new();
    for tag in old.iter().chain(add).map(|t| t.trim()) {
        if !tag.is_empty() && !remove.contains(&tag) && !out.iter().any(|t| t == tag) {
            out.push(tag.to_string());
        }
    }
    out
}

/// Every word of the query must appear in the title or the body, ignoring case. The words go
/// into the formula as escaped literals, so quotes and braces are just characters.
pub fn search_filter(query: &[String]) -> Result<Filter<Note>, AppError> {
    let words: Vec<&str> = query.iter().flat_map(|q| q.split_whitespace()).collect();
    let mut filter: Option<Filter<Note>> = None;
    for word in words {
        let one = Note::TITLE
            .contains_ignore_case(word)
            .or(Note::BODY.contains_ignore_case(word));
        filter = Some(match filter {
            Some(f) => f.and(one),
            None => one,
        });
    }
    filter.ok_or_else(|| AppError::Invalid("the search query is empty".into()))
}

fn print_list(out: &mut String, notes: &[Note], none: &str) {
    if notes.is_empty() {
        writeln!(out, "{none}").ok();
        return;
    }
    let title_w = notes
        .iter()
        .map(|n| n.title.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(5, 40);
    let plural = if notes.len() == 1 { "" } else { "s" };
    writeln!(out, "{} note{plural}:", notes.len()).ok();
    for n in notes {
        let id = n.id.as_ref().map_or(String::new(), ToString::to_string);
        let mut line = format!("  {id}  {:<title_w$}", clip(&n.title, title_w));
        if let Some(t) = n.updated.or(n.created) {
            write!(line, "  {}", format_time(t)).ok();
        }
        if !n.tags.is_empty() {
            write!(line, "  [{}]", n.tags.join(", ")).ok();
        }
        if !n.attachments.is_empty() {
            let files = n.attachments.len();
            write!(
                line,
                "  ({files} file{})",
                if files == 1 { "" } else { "s" }
            )
            .ok();
        }
        writeln!(out, "{}", line.trim_end()).ok();
    }
}

fn print_note(out: &mut String, n: &Note) {
    let id = n.id.as_ref().map_or(String::new(), ToString::to_string);
    writeln!(out, "{}", n.title).ok();
    writeln!(out, "  id:       {id}").ok();
    if let Some(t) = n.created {
        writeln!(out, "  created:  {}", format_time(t)).ok();
    }
    if let Some(t) = n.updated {
        writeln!(out, "  updated:  {}", format_time(t)).ok();
    }
    if !n.tags.is_empty() {
        writeln!(out, "  tags:     {}", n.tags.join(", ")).ok();
    }
    for a in &n.attachments {
        let size = a.size.map_or(String::new(), |s| format!(" ({s} bytes)"));
        let url = a.url.as_deref().map_or(String::new(), |u| format!(" {u}"));
        writeln!(out, "  file:     {}{size}{url}", a.name).ok();
    }
    if let Some(body) = &n.body {
        writeln!(out).ok();
        for line in body.lines() {
            writeln!(out, "  {line}").ok();
        }
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(width.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

/// `YYYY-MM-DD HH:MM UTC` from epoch milliseconds.
pub fn format_time(t: Timestamp) -> String {
    let secs = t.as_millis().div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}
