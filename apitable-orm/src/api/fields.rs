//! Fields and views of a datasheet (reference §5.1–§5.3, §5.5, §6).

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::api::{Datasheet, Space};
use crate::error::{Error, Result};
use crate::ids::{DatasheetId, FieldId, ViewId};
use crate::transport::{Call, Seg};

/// A field type as the API names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// Multi-line text.
    Text,
    /// Single-line text.
    SingleText,
    /// Number.
    Number,
    /// Currency.
    Currency,
    /// Percent (cells are fractions).
    Percent,
    /// Rating.
    Rating,
    /// Checkbox.
    Checkbox,
    /// Single select.
    SingleSelect,
    /// Multi select.
    MultiSelect,
    /// Date and time (epoch ms).
    DateTime,
    /// Attachments.
    Attachment,
    /// Members.
    Member,
    /// URL.
    Url,
    /// Email.
    Email,
    /// Phone.
    Phone,
    /// Two-way link (created as `TwoWayLink`; `MagicLink` is an alias).
    TwoWayLink,
    /// One-way link.
    OneWayLink,
    /// Lookup / rollup (read-only).
    MagicLookUp,
    /// Formula (read-only).
    Formula,
    /// Auto number (read-only).
    AutoNumber,
    /// Created time (read-only).
    CreatedTime,
    /// Last modified time (read-only).
    LastModifiedTime,
    /// Created by (read-only).
    CreatedBy,
    /// Last modified by (read-only).
    LastModifiedBy,
    /// Cascader.
    Cascader,
    /// Work document (read-only).
    WorkDoc,
    /// Button (never returned in records).
    Button,
    /// A type this version does not know.
    Other(String),
}

const NAMES: &[(&str, FieldType)] = &[
    ("Text", FieldType::Text),
    ("SingleText", FieldType::SingleText),
    ("Number", FieldType::Number),
    ("Currency", FieldType::Currency),
    ("Percent", FieldType::Percent),
    ("Rating", FieldType::Rating),
    ("Checkbox", FieldType::Checkbox),
    ("SingleSelect", FieldType::SingleSelect),
    ("MultiSelect", FieldType::MultiSelect),
    ("DateTime", FieldType::DateTime),
    ("Attachment", FieldType::Attachment),
    ("Member", FieldType::Member),
    ("URL", FieldType::Url),
    ("Email", FieldType::Email),
    ("Phone", FieldType::Phone),
    ("TwoWayLink", FieldType::TwoWayLink),
    ("OneWayLink", FieldType::OneWayLink),
    ("MagicLookUp", FieldType::MagicLookUp),
    ("Formula", FieldType::Formula),
    ("AutoNumber", FieldType::AutoNumber),
    ("CreatedTime", FieldType::CreatedTime),
    ("LastModifiedTime", FieldType::LastModifiedTime),
    ("CreatedBy", FieldType::CreatedBy),
    ("LastModifiedBy", FieldType::LastModifiedBy),
    ("Cascader", FieldType::Cascader),
    ("WorkDoc", FieldType::WorkDoc),
    ("Button", FieldType::Button),
];

impl FieldType {
    /// Parses an API type name (`MagicLink` is read as [`FieldType::TwoWayLink`]).
    ///
    /// ```
    /// use apitable_orm::api::FieldType;
    /// assert_eq!(FieldType::parse("URL"), FieldType::Url);
    /// assert_eq!(FieldType::parse("MagicLink"), FieldType::TwoWayLink);
    /// assert_eq!(FieldType::parse("Hologram").as_str(), "Hologram");
    /// ```
    pub fn parse(name: &str) -> FieldType {
        if name == "MagicLink" {
            return FieldType::TwoWayLink;
        }
        NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| FieldType::Other(name.to_owned()))
    }

    /// The API name.
    pub fn as_str(&self) -> &str {
        match self {
            FieldType::Other(name) => name,
            known => NAMES
                .iter()
                .find(|(_, t)| t == known)
                .map(|(n, _)| *n)
                .unwrap_or("NotSupport"),
        }
    }

    /// Whether the server computes this field's cells (writes are rejected).
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            FieldType::MagicLookUp
                | FieldType::Formula
                | FieldType::AutoNumber
                | FieldType::CreatedTime
                | FieldType::LastModifiedTime
                | FieldType::CreatedBy
                | FieldType::LastModifiedBy
                | FieldType::WorkDoc
                | FieldType::Button
        )
    }

    /// Whether creating a field of this type takes a `property` object (`Some(true)`), must
    /// not have one (`Some(false)`), or is unknown (`None`).
    pub fn takes_property(&self) -> Option<bool> {
        match self {
            FieldType::Text
            | FieldType::Url
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Attachment
            | FieldType::AutoNumber
            | FieldType::CreatedBy
            | FieldType::WorkDoc => Some(false),
            FieldType::Other(_) | FieldType::Cascader | FieldType::Button => None,
            _ => Some(true),
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(FieldType::parse(&String::deserialize(d)?))
    }
}

/// A field as `GET …/fields` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldInfo {
    /// The field id.
    pub id: FieldId,
    /// The field name.
    pub name: String,
    /// The field type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Type-specific settings (absent for types without any).
    #[serde(default)]
    pub property: Option<serde_json::Value>,
    /// Whether the token's user may edit this field's cells (false for computed fields).
    #[serde(default)]
    pub editable: bool,
    /// Whether this is the primary (first) field.
    #[serde(default)]
    pub is_primary: bool,
    /// The field's description.
    #[serde(default)]
    pub desc: Option<String>,
}

/// A view as `GET …/views` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ViewInfo {
    /// The view id.
    pub id: ViewId,
    /// The view name.
    pub name: String,
    /// `Grid`, `Gallery`, `Kanban`, `Gantt`, `Calendar` or `Architecture`.
    #[serde(rename = "type")]
    pub view_type: String,
}

/// A field to create.
///
/// ```
/// use apitable_orm::api::{FieldType, NewField};
/// use serde_json::json;
/// let price = NewField::new("Price", FieldType::Currency).property(json!({"symbol": "€", "precision": 2}));
/// assert_eq!(serde_json::to_value(&price).unwrap(),
///            json!({"name": "Price", "type": "Currency", "property": {"symbol": "€", "precision": 2}}));
/// // Types that need a property object get `{}` when none is given.
/// assert_eq!(serde_json::to_value(NewField::new("Tags", FieldType::MultiSelect)).unwrap()["property"],
///            json!({}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewField {
    /// The name, unique in the datasheet, at most 100 characters.
    pub name: String,
    /// The type.
    pub field_type: FieldType,
    /// Type-specific settings.
    pub property: Option<serde_json::Value>,
}

impl NewField {
    /// A field with no property.
    pub fn new(name: impl Into<String>, field_type: FieldType) -> Self {
        Self {
            name: name.into(),
            field_type,
            property: None,
        }
    }

    /// Sets the property object.
    pub fn property(mut self, property: serde_json::Value) -> Self {
        self.property = Some(property);
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        let chars = self.name.chars().count();
        if self.name.trim().is_empty() || chars > 100 {
            return Err(Error::InvalidRequest(format!(
                "field name {:?} must be 1 to 100 characters",
                self.name
            )));
        }
        match (self.field_type.takes_property(), &self.property) {
            (Some(false), Some(p)) if !p.is_null() => Err(Error::InvalidRequest(format!(
                "field {:?}: type {} takes no property",
                self.name, self.field_type
            ))),
            (Some(true), Some(p)) if !p.is_object() => Err(Error::InvalidRequest(format!(
                "field {:?}: the property of a {} field must be a JSON object",
                self.name, self.field_type
            ))),
            _ => Ok(()),
        }
    }
}

impl Serialize for NewField {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("type", &self.field_type)?;
        match (&self.property, self.field_type.takes_property()) {
            (Some(p), _) if !p.is_null() => map.serialize_entry("property", p)?,
            (_, Some(true)) => map.serialize_entry("property", &serde_json::json!({}))?,
            _ => {}
        }
        map.end()
    }
}

/// The id and name of a created field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CreatedField {
    /// The new field's id.
    pub id: FieldId,
    /// Its name.
    pub name: String,
}

/// What happens to the other side of a two-way link when the link field is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Conversion {
    /// Delete the sibling field too.
    Delete,
    /// Turn the sibling field into text.
    KeepText,
}

#[derive(Deserialize)]
struct FieldList {
    fields: Vec<FieldInfo>,
}

#[derive(Deserialize)]
struct ViewList {
    views: Vec<ViewInfo>,
}

impl Datasheet<'_> {
    /// The datasheet's fields: all of them in the first view's order, or those visible in
    /// `view` in its order.
    pub async fn fields(&self, view: Option<&ViewId>) -> Result<Vec<FieldInfo>> {
        let query: Vec<(String, String)> = view
            .iter()
            .map(|v| ("viewId".to_owned(), v.to_string()))
            .collect();
        let call = Call::v1(
            self.client,
            Method::GET,
            "/fusion/v1/datasheets/{dstId}/fields",
            &[
                Seg::Lit("datasheets"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("fields"),
            ],
        )
        .query(&query);
        Ok(self.client.call::<FieldList>(call).await?.fields)
    }

    /// The datasheet's views.
    pub async fn views(&self) -> Result<Vec<ViewInfo>> {
        let call = Call::v1(
            self.client,
            Method::GET,
            "/fusion/v1/datasheets/{dstId}/views",
            &[
                Seg::Lit("datasheets"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("views"),
            ],
        );
        Ok(self.client.call::<ViewList>(call).await?.views)
    }
}

impl Space<'_> {
    /// Adds a field to a datasheet of this space.
    pub async fn create_field(
        &self,
        datasheet: &DatasheetId,
        field: &NewField,
    ) -> Result<CreatedField> {
        field.check()?;
        let call = Call::v1(
            self.client,
            Method::POST,
            "/fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields",
            &[
                Seg::Lit("spaces"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("datasheets"),
                Seg::Id(datasheet.as_str()),
                Seg::Lit("fields"),
            ],
        )
        .json(field)?
        .create(vec![]);
        self.client.call(call).await
    }

    /// Deletes a field (not the primary one). `conversion` matters only for two-way links.
    pub async fn delete_field(
        &self,
        datasheet: &DatasheetId,
        field: &FieldId,
        conversion: Option<Conversion>,
    ) -> Result<()> {
        let mut call = Call::v1(
            self.client,
            Method::DELETE,
            "/fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields/{fieldId}",
            &[
                Seg::Lit("spaces"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("datasheets"),
                Seg::Id(datasheet.as_str()),
                Seg::Lit("fields"),
                Seg::Id(field.as_str()),
            ],
        );
        if let Some(conversion) = conversion {
            call = call.json(&serde_json::json!({ "conversion": conversion }))?;
        }
        self.client.send(call).await.map(drop)
    }
}
