//! Typed access to APITable datasheets: treat a datasheet as a small, typed NoSQL store.
//!
//! Declare a struct once with `#[derive(Table)]`; read it with typed queries that compile to
//! the Fusion API's `filterByFormula`, and write it in batches, with an upsert that is safe to
//! rerun. Under it, a [`Client`] paces requests under the server's rate limit, retries what is
//! safe to retry, times out instead of hanging, and keeps the API token out of every log and
//! error; [`api`] gives every endpoint a typed call for what the typed layer does not cover.
//!
//! # Define a table
//!
//! ```
//! use apitable_orm::prelude::*;
//!
//! #[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
//! enum Course { Starter, Main, Dessert }
//!
//! #[derive(Debug, Clone, PartialEq, Table)]
//! #[apitable(datasheet = "dstMenu0000000001", rename_all = "PascalCase")]
//! struct Dish {
//!     #[apitable(record_id)]
//!     id: Option<RecordId>,
//!     #[apitable(key)]
//!     name: String,              // column "Name", the upsert key
//!     course: Option<Course>,    // a single select; empty reads as None
//!     price: f64,                // a number or currency column
//!     tags: Vec<String>,         // a multi select
//!     vegan: bool,               // a checkbox
//! }
//!
//! // Each field has a typed column constant; filters render to a formula that is safe for any
//! // value (quotes, braces, backslashes, line breaks…).
//! let q = Dish::query()
//!     .filter(Dish::PRICE.lt(10).and(Dish::TAGS.has("spicy")).and(Dish::NAME.ne("a \"b\" {c}")))
//!     .sort(Dish::PRICE.asc());
//! let params = q.to_params().unwrap();
//! let formula = params.to_query().unwrap().into_iter().find(|(k, _)| k == "filterByFormula").unwrap().1;
//! assert_eq!(
//!     formula,
//!     r#"AND(AND({Price}!=BLANK(),({Price}<10)),(COUNTIF({Tags},"spicy")>0),({Name}!=CONCATENATE("a \"b\" {c","}")))"#
//! );
//! ```
//!
//! Wrong uses do not compile: `Dish::NAME.gt("m")` (text has no order), `Dish::PRICE.eq("x")`
//! (a price is a number), a filter built from another table's column, `dishes.upsert(…)` on a table
//! without a `key`. The field-type table is in [`value`]; the attribute reference in
//! [`derive@Table`].
//!
//! # Connect
//!
//! [`Client::from_env`] reads `APITABLE_TOKEN` and `APITABLE_HOST`; [`Client::builder`] sets
//! everything explicitly (base URL, [`Pacing`], [`RetryPolicy`], timeouts, the write limit, a
//! custom `reqwest::Client`). Plain `http` is accepted only for loopback hosts unless allowed.
//!
//! # Read
//!
//! ```no_run
//! # use apitable_orm::prelude::*;
//! # #[derive(Debug, Clone, PartialEq, Table)]
//! # #[apitable(datasheet = "dstMenu0000000001", rename_all = "PascalCase")]
//! # struct Dish { #[apitable(record_id)] id: Option<RecordId>, #[apitable(key)] name: String, price: f64 }
//! use futures_util::TryStreamExt;
//! # async fn run() -> apitable_orm::Result<()> {
//! let client = Client::from_env()?;
//! let cheap: Vec<Dish> = client.table::<Dish>().query().filter(Dish::PRICE.lt(10)).all().await?;
//! let first = client.table::<Dish>().query().sort(Dish::PRICE.desc()).first().await?;
//! let n = client.table::<Dish>().query().count().await?;
//!
//! // Lazily, one page (1000 records by default) in memory at a time:
//! let mut dishes = std::pin::pin!(client.table::<Dish>().query().stream());
//! while let Some(dish) = dishes.try_next().await? {
//!     println!("{} costs {}", dish.name, dish.price);
//! }
//! // Or page by page, with totals: client.table::<Dish>().query().page_size(100).pages()
//! # Ok(()) }
//! ```
//!
//! [`Query`] also has `view`, `max_records`, `get(id)` and `get_many(ids)` (in the given
//! order, in as few requests as the URL length allows). Only the struct's own fields are
//! requested.
//!
//! # Write
//!
//! ```no_run
//! # use apitable_orm::prelude::*;
//! # #[derive(Debug, Clone, PartialEq, Table)]
//! # #[apitable(datasheet = "dstMenu0000000001", rename_all = "PascalCase")]
//! # struct Dish { #[apitable(record_id)] id: Option<RecordId>, #[apitable(key)] name: String, price: f64 }
//! # async fn run(client: Client, rows: Vec<Dish>) -> apitable_orm::Result<()> {
//! let dishes = client.table::<Dish>();          // or client.table_in::<Dish>(other_id)
//! let ids = dishes.insert_many(&rows).await?;   // 10 per request, paced
//! let mut soup = Dish { id: None, name: "Soup".into(), price: 4.5 };
//! dishes.save(&mut soup).await?;                // insert, and store the new id
//! let old = soup.clone();
//! soup.price = 5.0;
//! dishes.update_changed(&old, &soup).await?;    // sends only the Price cell
//! let report = dishes.upsert(&rows).await?;     // by the `key` column
//! println!("{} new, {} changed, {} unchanged",
//!          report.created.len(), report.updated.len(), report.unchanged.len());
//! dishes.delete_many(&ids).await?;
//! # Ok(()) }
//! ```
//!
//! An upsert compares each cell with what the server stores, so an identical rerun sends no
//! write (a URL without a title, a member written by unit id, an attachment written by token
//! all read back fuller than they were written). An empty cell in an input row (`None`, `[]`,
//! `""`) never clears a stored value unless asked with
//! [`UpsertOptions::clear_empty`]; the report then lists every cell it cleared.
//!
//! A write of many rows that fails part-way is an [`Error::Batch`] that places every row:
//! written, unchanged, failed (certainly not written), unknown (the server may have written
//! it: a timeout, a lost or unreadable answer, a server error) or never sent. A create whose
//! outcome is unknown is never retried, so nothing is created twice; rerunning the upsert
//! finds the rows that did get created by their key and creates only the missing ones. A
//! single create through the raw API reports the same case as [`Error::UnknownOutcome`] with
//! the records concerned.
//!
//! # Errors
//!
//! One [`Error`] type with predicates: [`Error::code`] (the API's code; never parse
//! messages), [`Error::is_rate_limited`], [`Error::is_retryable`],
//! [`Error::may_have_been_applied`]. A cell that does not fit its field is a
//! [`DecodeError`] naming the record id, the field and the expected type.
//!
//! # The raw API
//!
//! ```no_run
//! use apitable_orm::{Client, DatasheetId};
//! use apitable_orm::api::{Fields, ListRecords, Order, WriteOptions};
//! use serde_json::json;
//!
//! # async fn run() -> apitable_orm::Result<()> {
//! let client = Client::from_env()?;
//! let menu: DatasheetId = "dst0123456789abcde".parse()?;
//! let sheet = client.datasheet(&menu);
//! sheet.create_records::<_, Fields>(&[json!({"Name": "Skewer", "Price": 4.5})], &WriteOptions::default()).await?;
//! let page = sheet
//!     .list_records::<Fields>(&ListRecords::new().filter_by_formula("{Price} < 10").sort("Price", Order::Asc))
//!     .await?;
//! println!("{} cheap dishes; fields: {:?}", page.total, sheet.fields(None).await?);
//! # Ok(()) }
//! ```
//!
//! # Testing
//!
//! The `apitable-emulator` crate is a local Fusion API server that starts in-process on a
//! free loopback port; point a [`Client`] at its base URL and token, and check what your code
//! sent in its request statistics.
#![deny(missing_docs)]

pub mod api;
mod client;
mod codec;
mod column;
mod config;
mod error;
mod filter;
mod ids;
pub mod operand;
mod page;
mod query;
mod related;
mod sheet;
mod table;
mod transport;
pub mod value;
mod write;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use apitable_orm_derive::{FieldValue, Table};
/// Datasheet schemas as data: field types, snapshot files and the table of which Rust value
/// types fit which field types (the `apitable-schema` crate).
pub use apitable_schema as schema;
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RECORDS_PER_WRITE,
    DEFAULT_MAX_RESPONSE_SIZE,
};
pub use codec::{FieldCodec, Native};
pub use column::{
    Column, Comparable, Dated, LinksTo, ListElement, MultiValued, Scalar, Sort, Textual, ToLink,
};
pub use config::{Pacing, RetryPolicy};
pub use error::{
    ApiError, BatchError, DecodeError, Error, PagingError, RedirectError, ResponseTooLarge, Result,
    TimeoutError, TransportError, UnknownOutcome,
};
pub use filter::{Filter, Lit, encode_string};
pub use ids::{DatasheetId, FieldId, IdError, NodeId, RecordId, SpaceId, UnitId, ViewId};
pub use page::Page;
pub use query::{DEFAULT_PAGE_SIZE, IDS_PER_REQUEST, Query};
pub use related::Related;
pub use sheet::{SchemaReport, Sheet};
pub use table::{FieldMeta, Keyed, Table};
pub use value::{FieldValue, Timestamp};
pub use write::{UpsertOptions, UpsertReport};

/// The names most programs need: `use apitable_orm::prelude::*;`.
///
/// It leaves out the crate's `Error` and `Result`, so that the prelude goes with
/// `Box<dyn std::error::Error>`, `anyhow::Result` and friends without a clash: name them as
/// `apitable_orm::Error` and `apitable_orm::Result`.
///
/// ```
/// use apitable_orm::prelude::*;
/// use std::error::Error;
///
/// fn main() -> Result<(), Box<dyn Error>> {
///     let id: RecordId = "recA1".parse()?;
///     let _link: Link<()> = Link::new(id);
///     Ok(())
/// }
/// ```
pub mod prelude {
    pub use crate::value::Link;
    pub use crate::{Client, FieldValue, Filter, Keyed, RecordId, Sheet, Table, Timestamp};
}
