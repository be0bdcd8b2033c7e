//! Creating datasheets.

use std::collections::HashSet;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::api::{CreatedField, NewField, Space};
use crate::error::{Error, Result};
use crate::ids::{DatasheetId, NodeId};
use crate::transport::{Call, Seg};

/// A datasheet to create.
///
/// ```
/// use apitable_orm::api::{FieldType, NewDatasheet, NewField};
/// let sheet = NewDatasheet::new("Menu")
///     .description("Dishes and prices")
///     .field(NewField::new("Name", FieldType::SingleText))
///     .field(NewField::new("Price", FieldType::Currency));
/// assert_eq!(sheet.fields.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDatasheet {
    /// The name, 1 to 100 characters.
    pub name: String,
    /// A plain-text description, at most 500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The folder to create it in (default: the space's root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<NodeId>,
    /// The node to place it after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_node_id: Option<NodeId>,
    /// Its fields; the first becomes the primary field. Empty: the server's default fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<NewField>,
}

impl NewDatasheet {
    /// A datasheet with this name and the server's default fields.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            folder_id: None,
            pre_node_id: None,
            fields: Vec::new(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Creates it inside this folder.
    pub fn folder(mut self, folder: NodeId) -> Self {
        self.folder_id = Some(folder);
        self
    }

    /// Adds a field.
    pub fn field(mut self, field: NewField) -> Self {
        self.fields.push(field);
        self
    }

    fn check(&self) -> Result<()> {
        let len = self.name.chars().count();
        if self.name.trim().is_empty() || len > 100 {
            return Err(Error::InvalidRequest(format!(
                "datasheet name {:?} must be 1 to 100 characters",
                self.name
            )));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 500)
        {
            return Err(Error::InvalidRequest(
                "a datasheet description is at most 500 characters".into(),
            ));
        }
        if self.fields.len() > 200 {
            return Err(Error::InvalidRequest(
                "a datasheet has at most 200 fields".into(),
            ));
        }
        let mut seen = HashSet::new();
        for field in &self.fields {
            field.check()?;
            if !seen.insert(field.name.as_str()) {
                return Err(Error::InvalidRequest(format!(
                    "field name {:?} is used twice",
                    field.name
                )));
            }
        }
        if let Some(first) = self.fields.first() {
            use crate::api::FieldType::*;
            let can_be_primary = matches!(
                first.field_type,
                Text | SingleText
                    | Number
                    | Currency
                    | Percent
                    | DateTime
                    | Url
                    | Email
                    | Phone
                    | Formula
                    | AutoNumber
            );
            if !can_be_primary {
                return Err(Error::InvalidRequest(format!(
                    "the first field {:?} becomes the primary field, which cannot be of type {}",
                    first.name, first.field_type
                )));
            }
        }
        Ok(())
    }
}

/// A datasheet that was created.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedDatasheet {
    /// Its id.
    pub id: DatasheetId,
    /// Creation time, epoch ms.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Its fields.
    #[serde(default)]
    pub fields: Vec<CreatedField>,
}

impl Space<'_> {
    /// Creates a datasheet in this space.
    pub async fn create_datasheet(&self, datasheet: &NewDatasheet) -> Result<CreatedDatasheet> {
        datasheet.check()?;
        let call = Call::v1(
            self.client.transport(),
            Method::POST,
            "/fusion/v1/spaces/{spaceId}/datasheets",
            &[
                Seg::Lit("spaces"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("datasheets"),
            ],
        )
        .json(datasheet)?
        .create(vec![]);
        self.client.call(call).await
    }
}
