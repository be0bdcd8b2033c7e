//! [`FieldType`]: the type of a datasheet field, as the API names it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    /// use apitable_schema::FieldType;
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

impl FieldType {
    /// Every type this version knows, in the order the API documents them.
    pub fn all() -> impl Iterator<Item = FieldType> {
        NAMES.iter().map(|(_, t)| t.clone())
    }

    /// Whether a cell of this type holds a list (an array in JSON).
    pub fn holds_list(&self) -> bool {
        matches!(
            self,
            FieldType::MultiSelect
                | FieldType::Attachment
                | FieldType::Member
                | FieldType::TwoWayLink
                | FieldType::OneWayLink
                | FieldType::MagicLookUp
                | FieldType::WorkDoc
        )
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(FieldType::parse(&String::deserialize(d)?))
    }
}
