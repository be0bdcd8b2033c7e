//! Typed access to APITable datasheets.
//!
//! `apitable-orm` talks to the APITable "Fusion" REST API. This layer gives every endpoint a
//! typed call ([`api`]) behind a [`Client`] that paces requests under the server's rate limit,
//! retries what is safe to retry, times out instead of hanging, and keeps the API token out of
//! every log and error.
//!
//! ```no_run
//! use apitable_orm::{Client, DatasheetId};
//! use apitable_orm::api::{Fields, ListRecords, Order, WriteOptions};
//! use serde_json::json;
//!
//! # async fn run() -> apitable_orm::Result<()> {
//! // APITABLE_TOKEN and (optionally) APITABLE_HOST from the environment.
//! let client = Client::from_env()?;
//! let menu: DatasheetId = "dst0123456789abcde".parse()?;
//! let sheet = client.datasheet(&menu);
//!
//! // Write: at most 10 records per request (the server's limit).
//! let dish = json!({"Name": "Mushroom skewer", "Price": 4.5});
//! sheet.create_records::<_, Fields>(&[dish], &WriteOptions::default()).await?;
//!
//! // Read a page, or stream every match lazily.
//! let page = sheet
//!     .list_records::<Fields>(&ListRecords::new().filter_by_formula("{Price} < 10").sort("Price", Order::Asc))
//!     .await?;
//! println!("{} cheap dishes", page.total);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod api;
mod client;
mod codec;
mod column;
mod config;
mod error;
pub mod filter;
mod ids;
mod query;
mod sheet;
mod table;
mod transport;
pub mod value;
mod write;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use apitable_orm_derive::{FieldValue, Table};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RECORDS_PER_WRITE};
pub use codec::{FieldCodec, Native};
pub use column::{Column, Comparable, MultiValued, Scalar, SelectOption, Sort, Textual};
pub use config::{Pacing, RetryPolicy};
pub use error::{
    ApiError, BatchError, DecodeError, Error, Result, TimeoutError, TransportError, UnknownOutcome,
};
pub use filter::Filter;
pub use ids::{DatasheetId, FieldId, IdError, NodeId, RecordId, SpaceId, UnitId, ViewId};
pub use query::{DEFAULT_PAGE_SIZE, Query};
pub use sheet::Sheet;
pub use table::{FieldMeta, Keyed, Page, Table};
pub use value::{FieldValue, Timestamp};
pub use write::UpsertReport;

/// The names most programs need: `use apitable_orm::prelude::*;`.
pub mod prelude {
    pub use crate::{Client, Error, FieldValue, Filter, Keyed, RecordId, Result, Table, Timestamp};
}
