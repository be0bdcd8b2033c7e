//! Derive macros for `apitable-orm`. Depend on `apitable-orm`, which re-exports them; the
//! generated code calls `apitable_orm::__private` and nothing else.
//!
//! - [`Table`](macro@Table) maps a struct to a datasheet.
//! - [`FieldValue`](macro@FieldValue) maps a fieldless enum to the options of a single-select
//!   field.
//!
//! The derives work in three stages: `attr` reads the `#[apitable(...)]` syntax, `model` and
//! `check` decide what it means (collecting every error, each pointing at the offending token
//! with a `help:` line), and `expand` writes the code with `quote!`.
#![deny(missing_docs)]

mod attr;
mod check;
mod errors;
mod expand;
mod model;
mod naming;
mod snapshot;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Maps a struct with named fields to an APITable datasheet.
///
/// ```
/// use apitable_orm::{FieldValue, RecordId, Table, Timestamp};
///
/// /// A task in the team's "Tasks" datasheet.
/// #[derive(Debug, Clone, PartialEq, Table)]
/// #[apitable(datasheet = "dstAbC123xyz", rename_all = "Title Case")]
/// pub struct Task {
///     /// Set by the server; `None` for records not created yet.
///     #[apitable(record_id)]
///     pub id: Option<RecordId>,
///     /// The column "Title" (from `rename_all`), and the upsert key.
///     #[apitable(key)]
///     pub title: String,
///     /// The column "Status", a single select.
///     pub status: Status,
///     /// The column "Estimate (h)"; an empty cell is `None`.
///     #[apitable(name = "Estimate (h)")]
///     pub estimate: Option<f64>,
///     /// The column "Created", computed by the server and never written.
///     #[apitable(name = "Created", read_only)]
///     pub created: Option<Timestamp>,
///     /// Not a column.
///     #[apitable(skip)]
///     pub selected: bool,
/// }
///
/// /// The options of the "Status" single select.
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
/// pub enum Status {
///     #[apitable(rename = "To do")]
///     Todo,
///     Doing,
///     Done,
/// }
///
/// // Typed filters over the generated column constants.
/// let open = Task::query().filter(Task::STATUS.ne(Status::Done).and(Task::ESTIMATE.gt(2)));
/// let params = open.to_params().unwrap().to_query().unwrap();
/// let fields: Vec<_> = params.iter().filter(|(k, _)| k == "fields[]").map(|(_, v)| v).collect();
/// assert_eq!(fields, ["Title", "Status", "Estimate (h)", "Created"]);
/// ```
///
/// # What it generates
///
/// - `impl Table for Task`: the datasheet and view ids, whether cells are keyed by name or
///   id, a `FIELDS` table of metadata (Rust name, key, read-only, expected cell type) and one
///   line per field for decoding, finishing and encoding a record. Queries, paging, writes
///   and upserts are generic runtime code driven by `FIELDS`.
/// - One typed column constant per mapped field, named after the Rust field in
///   `SCREAMING_SNAKE_CASE`, with the field's visibility: `Task::TITLE: Column<Task, String>`.
///   Filters (`Task::TITLE.eq("x")`), sorts (`Task::CREATED.desc()`) and `upsert_by` take
///   them.
/// - `impl Keyed for Task` when a field is marked `key`, which enables `sheet.upsert(&rows)`.
/// - A check, at each field's type, that the type implements `FieldValue` (unless the field
///   has `with`), so an unsupported type is reported under the type.
///
/// A column constant is an inherent associated constant, so a field named `fields` or `view`
/// makes `Task::FIELDS` / `Task::VIEW` name the column; the table's metadata stays reachable
/// as `<Task as Table>::FIELDS` (which generic code and the generated code use).
///
/// Everything else goes into one anonymous `const _: () = { … };` and names the runtime only
/// through `apitable_orm::__private`, so user items named `Result`, `Option`, `String`…
/// cannot change its meaning.
///
/// # Struct attributes
///
/// | attribute | meaning |
/// | --- | --- |
/// | `datasheet = "dst…"` | **Required.** The datasheet id (from its URL). |
/// | `view = "viw…"` | The default view of queries (its filter and order apply). |
/// | `rename_all = "…"` | How Rust field names become column names: `"lowercase"`, `"UPPERCASE"`, `"PascalCase"`, `"camelCase"`, `"snake_case"`, `"SCREAMING_SNAKE_CASE"`, `"kebab-case"`, `"Title Case"`. Without it, a field's name is its column's name. |
/// | `crate = "path"` | Where to find `apitable_orm`, for crates that re-export it (default `::apitable_orm`). |
/// | `schema = "schemas/menu.json"` | Check the struct at compile time against a committed snapshot of the datasheet (see below). The path is relative to the crate's `Cargo.toml`. |
///
/// # Checking against a snapshot
///
/// A snapshot is a JSON file holding the datasheet's fields as the API describes them
/// (`apitable schema pull --datasheet dst… -o schemas` writes one; `apitable schema check
/// schemas` tells in CI when the live datasheet has drifted from it). With
/// `schema = "…"`, the derive reads the file (never the network) and rejects, at the
/// offending field:
///
/// - a field name or id the datasheet does not have (with the closest name as a hint);
/// - a Rust type that cannot hold the field's cells (`Vec<String>` on a Number field, text on
///   a URL field, …), with the type that would fit;
/// - a field the server computes (formula, lookup, created time, …) that the struct would
///   write, unless it is `read_only`;
/// - a `key` on a field an upsert cannot look up by value (lists, attachments, members);
/// - a select enum whose variants are not exactly the field's options;
/// - a snapshot of another datasheet, a missing file, or a file that is not a snapshot.
///
/// Types the derive cannot judge from their name (your own enums, types behind `with`) are
/// checked by constant assertions in the generated code, with the same rules. Cargo rebuilds
/// the struct when the snapshot changes.
///
/// # Field attributes
///
/// | attribute | meaning |
/// | --- | --- |
/// | `name = "…"` | The column's name (instead of the Rust name through `rename_all`). |
/// | `id = "fld…"` | The column's field id. When **every** mapped field has an id, requests use `fieldKey=id` and formulas reference `{fld…}`, so renaming a column cannot break the program. Mixing ids and names in one struct is an error. |
/// | `record_id` | The field holds the record's id (`RecordId` or `Option<RecordId>`), not a cell. At most one. |
/// | `key` | The upsert key: `client.table::<Task>().upsert(&rows)` matches existing records on this column. At most one; not on `read_only`, `skip` or `record_id` fields. |
/// | `read_only` | Never written (computed columns). Types such as `Computed<T>` and `User` are read-only on their own. |
/// | `default` | An empty cell decodes to `Default::default()` instead of an error. |
/// | `skip` | Not a column: filled with `Default::default()` when decoding, never written. Takes no other attribute. |
/// | `with = "Type"` | Decode and encode the cell with `Type: FieldCodec<FieldType>` instead of the field type's own `FieldValue` impl. |
///
/// Empty cells: `Option<T>` reads one as `None`; `String`, `bool`, `Vec<T>` and
/// `serde_json::Value` have an obvious empty value; any other type reports a decode error
/// naming the record, the field and the expected type (unless the field has `default`).
///
/// # Errors at compile time
///
/// Every mistake in a struct is reported at once, at the offending token, with a line saying
/// how to fix it: unknown attributes (with a suggestion), `id` together with `name`, ids mixed
/// with names, ids without their `dst`/`viw`/`fld` prefix, two fields on one column, two
/// `key` or `record_id` fields, `key` on a field that is never written, `skip` with other
/// attributes, names ending in a backslash (a formula cannot reference them), and structs
/// that are not plain structs with named fields (tuple, unit, generic structs, enums).
#[proc_macro_derive(Table, attributes(apitable))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    model::Table::from_input(&input)
        .map(|model| expand::table(&model))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Maps a fieldless enum to the options of a single-select field.
///
/// ```
/// use apitable_orm::FieldValue;
///
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
/// #[apitable(rename_all = "Title Case")]
/// pub enum Status {
///     ToDo,       // "To Do"
///     InProgress, // "In Progress"
///     #[apitable(rename = "Done ✓")]
///     Done,
/// }
///
/// assert_eq!(Status::OPTIONS, ["To Do", "In Progress", "Done ✓"]);
/// assert_eq!(Status::InProgress.encode().as_str(), Some("In Progress"));
/// ```
///
/// A variant's option name is its name, through the enum's `rename_all` (same rules as on
/// tables), or `#[apitable(rename = "…")]`. `crate = "path"` works as on tables.
///
/// It generates `impl FieldValue` (a cell holding an option name that no variant has is a
/// decode error listing the known options), the traits that let filters compare a column of
/// the enum (`Task::STATUS.eq(Status::Done)`) and look for it in a multi-select column
/// (`Vec<Status>`: `Task::TAGS.has(Tag::Urgent)`), and `Status::OPTIONS`, the option names in
/// declaration order.
///
/// Variants with fields, two variants with one option name, generic enums and empty enums
/// are compile errors.
#[proc_macro_derive(FieldValue, attributes(apitable))]
pub fn derive_field_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    model::SelectEnum::from_input(&input)
        .map(|model| expand::field_value(&model))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
