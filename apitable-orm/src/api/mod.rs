//! The raw Fusion API, family by family: records, fields, views, datasheets, attachments,
//! spaces and nodes, and contacts (members, teams, roles).
//!
//! Datasheet-scoped calls hang off [`Client::datasheet`], space-scoped ones off
//! [`Client::space`]:
//!
//! ```no_run
//! # async fn run(client: apitable_orm::Client) -> apitable_orm::Result<()> {
//! use apitable_orm::api::{Fields, ListRecords};
//! let dst = "dst0123456789abcde".parse()?;
//! let sheet = client.datasheet(&dst);
//! let fields = sheet.fields(None).await?;
//! let page = sheet.list_records::<Fields>(&ListRecords::new().page_size(10)).await?;
//! println!("{} fields, {} records", fields.len(), page.total);
//! # Ok(()) }
//! ```

mod attachments;
mod contacts;
mod datasheets;
mod fields;
pub(crate) mod records;
mod spaces;

pub use attachments::Upload;
pub use contacts::{
    MemberUpdate, Mobile, NewRole, NewTeam, Role, RoleUnits, RoleUpdate, SpaceMember, Team,
    TeamUpdate,
};
pub use datasheets::{CreatedDatasheet, NewDatasheet};
pub use fields::{
    Conversion, CreatedField, DateFormat, FieldInfo, FieldType, LinkProperty, NewField,
    NewProperty, SelectOption, SymbolAlign, ViewInfo, ViewType,
};
pub use records::{
    CellFormat, FieldKey, Fields, ListRecords, Order, Record, RecordUpdate, SortRule, WriteOptions,
};
pub use spaces::{NodeDetail, NodeSearch, NodeSummary, NodeType, SpaceInfo};

use crate::client::Client;
use crate::ids::{DatasheetId, SpaceId};

/// Calls scoped to one datasheet. Made by [`Client::datasheet`].
#[derive(Debug, Clone)]
pub struct Datasheet<'a> {
    client: &'a Client,
    id: DatasheetId,
}

/// Calls scoped to one space. Made by [`Client::space`].
#[derive(Debug, Clone)]
pub struct Space<'a> {
    client: &'a Client,
    id: SpaceId,
}

impl Client {
    /// Calls scoped to the datasheet `id`.
    pub fn datasheet(&self, id: &DatasheetId) -> Datasheet<'_> {
        Datasheet {
            client: self,
            id: id.clone(),
        }
    }

    /// Calls scoped to the space `id`.
    pub fn space(&self, id: &SpaceId) -> Space<'_> {
        Space {
            client: self,
            id: id.clone(),
        }
    }
}

impl Datasheet<'_> {
    /// The datasheet id.
    pub fn id(&self) -> &DatasheetId {
        &self.id
    }
}

impl Space<'_> {
    /// The space id.
    pub fn id(&self) -> &SpaceId {
        &self.id
    }
}
