//! Fields and views of a datasheet.

use reqwest::Method;
use serde::{Deserialize, Serialize, Serializer};

pub use apitable_schema::{
    DateFormat, FieldType, LinkProperty, NewProperty, SelectOption, SymbolAlign, ViewType,
};

use crate::api::{Datasheet, Space};
use crate::error::{Error, Result};
use crate::ids::{DatasheetId, FieldId, ViewId};
use crate::transport::{Call, Seg};

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

impl FieldInfo {
    /// The field as schema data, for comparisons and snapshots.
    pub fn into_schema(self) -> apitable_schema::FieldSchema {
        let mut field =
            apitable_schema::FieldSchema::new(self.id.to_string(), self.name, self.field_type);
        field.editable = self.editable;
        field.is_primary = self.is_primary;
        field.desc = self.desc;
        field.property = self.property;
        field
    }
}

/// A view as `GET …/views` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ViewInfo {
    /// The view id.
    pub id: ViewId,
    /// The view name.
    pub name: String,
    /// Its kind: grid, gallery, kanban, …
    #[serde(rename = "type")]
    pub view_type: ViewType,
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

    /// A field of the type and settings that `property` gives, checked by the compiler
    /// instead of by the server.
    ///
    /// ```
    /// use apitable_orm::api::{FieldType, NewField, NewProperty, SelectOption};
    /// let size = NewField::typed("Size", NewProperty::SingleSelect {
    ///     options: vec![SelectOption::new("Small"), SelectOption::new("Large")],
    /// });
    /// assert_eq!(size.field_type, FieldType::SingleSelect);
    /// assert_eq!(
    ///     serde_json::to_value(&size).unwrap()["property"]["options"][1]["name"],
    ///     "Large"
    /// );
    /// ```
    pub fn typed(name: impl Into<String>, property: NewProperty) -> Self {
        Self {
            name: name.into(),
            field_type: property.field_type(),
            property: property.to_json(),
        }
    }

    /// Sets the property object as raw JSON (see [`NewField::typed`] for typed settings).
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
            self.client.transport(),
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
            self.client.transport(),
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
            self.client.transport(),
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
            self.client.transport(),
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
