//! [`Snapshot`]: a datasheet's fields and views, as a versioned JSON file to commit next to
//! the code that depends on them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{FieldType, ViewType};

/// The snapshot file format this version writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// A datasheet's schema at one moment: what `GET …/fields` and `GET …/views` answered.
///
/// The file is pretty-printed JSON with a `version` number; the `fields` entries are the
/// field objects exactly as the API describes them, so a snapshot can also be written by hand.
///
/// ```
/// use apitable_schema::{FieldType, Snapshot};
/// let snap = Snapshot::from_json(r##"{
///   "version": 1,
///   "datasheet": {"id": "dstMenu0000000001", "name": "Menu"},
///   "fields": [
///     {"id": "fldName0001", "name": "Name", "type": "SingleText", "editable": true, "isPrimary": true},
///     {"id": "fldSize0001", "name": "Size", "type": "SingleSelect", "editable": true,
///      "property": {"options": [{"id": "optA", "name": "Small", "color": {"name": "red_0", "value": "#f00"}}]}}
///   ]
/// }"##).unwrap();
/// let size = snap.field("Size").unwrap();
/// assert_eq!(size.field_type, FieldType::SingleSelect);
/// assert_eq!(size.select_options(), Some(vec!["Small"]));
/// assert_eq!(Snapshot::from_json(&snap.to_json()).unwrap(), snap);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Snapshot {
    /// The file format version ([`SNAPSHOT_VERSION`]).
    pub version: u32,
    /// Which datasheet this is.
    pub datasheet: DatasheetRef,
    /// Its fields, in the order of its first view.
    pub fields: Vec<FieldSchema>,
    /// Its views.
    #[serde(default)]
    pub views: Vec<ViewSchema>,
}

/// The datasheet a snapshot describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatasheetRef {
    /// Its id, `dst…`.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// One field, as `GET …/fields` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldSchema {
    /// The field id, `fld…`.
    pub id: String,
    /// The field name.
    pub name: String,
    /// The field type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Whether the token's user may edit its cells (false for computed fields).
    #[serde(default)]
    pub editable: bool,
    /// Whether it is the primary (first) field.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_primary: bool,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// Type-specific settings, as the API reports them (absent for types without any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<Value>,
}

/// One view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ViewSchema {
    /// The view id, `viw…`.
    pub id: String,
    /// The view name.
    pub name: String,
    /// Its kind.
    #[serde(rename = "type")]
    pub view_type: ViewType,
}

/// A snapshot file that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Not valid JSON, or not the shape of a snapshot.
    #[error("not a datasheet snapshot: {0}")]
    Format(#[from] serde_json::Error),
    /// Written by a newer version of the format.
    #[error(
        "snapshot format version {found} is not supported (this version reads {SNAPSHOT_VERSION})"
    )]
    Version {
        /// The version in the file.
        found: u32,
    },
}

impl Snapshot {
    /// A snapshot of a datasheet's fields and views.
    pub fn new(datasheet: DatasheetRef, fields: Vec<FieldSchema>, views: Vec<ViewSchema>) -> Self {
        Snapshot {
            version: SNAPSHOT_VERSION,
            datasheet,
            fields,
            views,
        }
    }

    /// Reads a snapshot file's text.
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        let snap: Snapshot = serde_json::from_str(text)?;
        if snap.version > SNAPSHOT_VERSION || snap.version == 0 {
            return Err(SnapshotError::Version {
                found: snap.version,
            });
        }
        Ok(snap)
    }

    /// The file's text: pretty-printed JSON ending in a newline, stable for diffs.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a snapshot always serialises");
        text.push('\n');
        text
    }

    /// The field with this name or id.
    pub fn field(&self, name_or_id: &str) -> Option<&FieldSchema> {
        self.fields
            .iter()
            .find(|f| f.id == name_or_id)
            .or_else(|| self.fields.iter().find(|f| f.name == name_or_id))
    }

    /// The field whose name (or, with `by_id`, whose id) is `key`.
    pub fn field_by_key(&self, key: &str, by_id: bool) -> Option<&FieldSchema> {
        self.fields
            .iter()
            .find(|f| if by_id { f.id == key } else { f.name == key })
    }
}

impl DatasheetRef {
    /// A datasheet by id and name.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        DatasheetRef {
            id: id.into(),
            name: name.into(),
        }
    }
}

impl ViewSchema {
    /// A view by id, name and kind.
    pub fn new(id: impl Into<String>, name: impl Into<String>, view_type: ViewType) -> Self {
        ViewSchema {
            id: id.into(),
            name: name.into(),
            view_type,
        }
    }
}

impl FieldSchema {
    /// A field with no property.
    pub fn new(id: impl Into<String>, name: impl Into<String>, field_type: FieldType) -> Self {
        let editable = !field_type.is_read_only();
        FieldSchema {
            id: id.into(),
            name: name.into(),
            field_type,
            editable,
            is_primary: false,
            desc: None,
            property: None,
        }
    }

    /// Sets the property object.
    pub fn with_property(mut self, property: Value) -> Self {
        self.property = Some(property);
        self
    }

    fn prop(&self, key: &str) -> Option<&Value> {
        self.property.as_ref()?.get(key)
    }

    /// Whether the token may write its cells: an editable field of a type the server does not
    /// compute.
    pub fn is_writable(&self) -> bool {
        self.editable && !self.field_type.is_read_only()
    }

    /// The option names of a single- or multi-select field, in order.
    pub fn select_options(&self) -> Option<Vec<&str>> {
        if !matches!(
            self.field_type,
            FieldType::SingleSelect | FieldType::MultiSelect
        ) {
            return None;
        }
        Some(
            self.prop("options")
                .and_then(Value::as_array)
                .map(|opts| {
                    opts.iter()
                        .filter_map(|o| o.get("name").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// The datasheet a link field points to.
    pub fn link_target(&self) -> Option<&str> {
        self.prop("foreignDatasheetId").and_then(Value::as_str)
    }

    /// Whether a link field holds at most one record.
    pub fn is_single_link(&self) -> bool {
        self.prop("limitSingleRecord").and_then(Value::as_bool) == Some(true)
    }

    /// Whether a member field takes several members.
    pub fn is_multi_member(&self) -> bool {
        self.prop("isMulti").and_then(Value::as_bool) == Some(true)
    }

    /// What a formula or lookup field computes: `"String"`, `"Number"`, `"DateTime"`,
    /// `"Array"` or `"Boolean"`, when the server says.
    pub fn value_type(&self) -> Option<&str> {
        self.prop("valueType").and_then(Value::as_str)
    }

    /// The number of decimal places of a number, currency or percent field.
    pub fn precision(&self) -> Option<u64> {
        self.prop("precision").and_then(Value::as_u64)
    }
}
