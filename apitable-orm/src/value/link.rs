//! Typed links between tables: [`Link<T>`] and the read-only [`Lookup<T>`].

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::Value;

use super::FieldValue;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::table::Table;
use apitable_schema::{Kind, Shape};

/// One linked record of table `T`: a record id that names the table it belongs to.
///
/// A link cell is `Vec<Link<T>>` (any number of linked records), or `Option<Link<T>>` for a
/// field that allows one record ("limit to a single record"); `Link<T>` alone for one that must
/// never be empty. The target type makes the relation typed: filters such as
/// [`Column::links_to`](crate::Column::links_to) only take links to `T`, and
/// [`Sheet::load`](crate::Sheet::load) of `T` only follows columns that link to `T`.
///
/// Write a link by record id or from a row read earlier:
///
/// ```
/// use apitable_orm::prelude::*;
/// use apitable_orm::value::Link;
///
/// #[derive(Table)]
/// #[apitable(datasheet = "dstTopics00000001")]
/// struct Topic { #[apitable(record_id)] id: Option<RecordId>, title: String }
///
/// let id: RecordId = "recTopic01".parse().unwrap();
/// let by_id: Link<Topic> = Link::new(id.clone());
/// let row = Topic { id: Some(id.clone()), title: "Welcome".into() };
/// assert_eq!(Link::to(&row).unwrap(), by_id);
/// assert_eq!(by_id.id(), &id);
///
/// // A row that was never saved has no id to link to.
/// let unsaved = Topic { id: None, title: "Draft".into() };
/// assert!(Link::to(&unsaved).is_err());
/// ```
#[repr(transparent)]
pub struct Link<T> {
    id: RecordId,
    _t: PhantomData<fn() -> T>,
}

impl<T> Link<T> {
    /// A link to the record with this id.
    pub fn new(id: RecordId) -> Self {
        Link {
            id,
            _t: PhantomData,
        }
    }

    /// The linked record's id.
    pub fn id(&self) -> &RecordId {
        &self.id
    }

    /// The linked record's id, owned.
    pub fn into_id(self) -> RecordId {
        self.id
    }
}

impl<T: Table> Link<T> {
    /// A link to `row`, a row read from (or saved to) the server. Fails for a row without a
    /// record id: one that was never saved, or a struct without a `#[apitable(record_id)]`
    /// field.
    pub fn to(row: &T) -> Result<Self> {
        row.record_id().cloned().map(Link::new).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "cannot link to a `{}` row that has no record id (save it first, or read it back)",
                std::any::type_name::<T>()
                    .rsplit("::")
                    .next()
                    .unwrap_or_default()
            ))
        })
    }
}

impl<T> Clone for Link<T> {
    fn clone(&self) -> Self {
        Link::new(self.id.clone())
    }
}

impl<T> PartialEq for Link<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T> Eq for Link<T> {}

impl<T> std::hash::Hash for Link<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<T> fmt::Debug for Link<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Link({})", self.id)
    }
}

impl<T> fmt::Display for Link<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.id, f)
    }
}

impl<T> From<RecordId> for Link<T> {
    fn from(id: RecordId) -> Self {
        Link::new(id)
    }
}

impl<T> From<&RecordId> for Link<T> {
    fn from(id: &RecordId) -> Self {
        Link::new(id.clone())
    }
}

impl<T> From<Link<T>> for RecordId {
    fn from(link: Link<T>) -> Self {
        link.id
    }
}

impl<T> serde::Serialize for Link<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.id.serialize(s)
    }
}

/// A link cell holds an array of record ids. As an element of `Vec<Link<T>>` each link is one
/// id; as a whole cell (`Link<T>`, `Option<Link<T>>`) it is an array of at most one id.
impl<T> FieldValue for Link<T> {
    const EXPECTED: &'static str = "a linked record";
    const SHAPE: Shape = Shape::of(Kind::RecordId).list();

    fn decode<'de, D: Deserializer<'de>>(cell: D) -> std::result::Result<Self, D::Error> {
        struct LinkVisitor<T>(PhantomData<fn() -> T>);
        impl<'de, T> Visitor<'de> for LinkVisitor<T> {
            type Value = Link<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record id, or a list of one record id")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Link<T>, E> {
                v.parse::<RecordId>().map(Link::new).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Link<T>, A::Error> {
                let Some(id) = seq.next_element::<RecordId>()? else {
                    return Err(serde::de::Error::custom("the cell links no record"));
                };
                let mut extra = 0usize;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    extra += 1;
                }
                if extra > 0 {
                    return Err(serde::de::Error::custom(format!(
                        "the cell links {} records, but the Rust type holds one \
                         (use Vec<Link<_>> for a field that allows several)",
                        extra + 1
                    )));
                }
                Ok(Link::new(id))
            }
        }
        cell.deserialize_any(LinkVisitor(PhantomData))
    }

    /// A whole cell: `["rec…"]`.
    fn encode(&self) -> Value {
        Value::Array(vec![self.encode_element()])
    }

    /// One element of a list cell: `"rec…"`.
    fn encode_element(&self) -> Value {
        Value::String(self.id.to_string())
    }

    /// A cell linking no record (`[]`) is an empty cell.
    fn decode_present<'de, D: Deserializer<'de>>(
        cell: D,
    ) -> std::result::Result<Option<Self>, D::Error> {
        let ids = Vec::<RecordId>::deserialize(cell)?;
        match ids.len() {
            0 => Ok(None),
            1 => Ok(ids.into_iter().next().map(Link::new)),
            n => Err(serde::de::Error::custom(format!(
                "the cell links {n} records, but the Rust type holds one \
                 (use Vec<Link<_>> for a field that allows several)"
            ))),
        }
    }
}

/// The cells of a Lookup (MagicLookUp) field: the values of a field of the linked records, in
/// link order (read-only). A lookup of a list field (a multi-select, say) is flattened.
///
/// Use `Lookup<T>` for a lookup that lists values (rollup `VALUES`, the default), and
/// [`Computed<T>`](super::Computed) for a rollup that computes one value (`SUM`, `COUNTA`,
/// `MAX`, …).
///
/// ```
/// use apitable_orm::FieldValue;
/// use apitable_orm::value::Lookup;
/// let cell: Lookup<String> = serde_json::from_str::<serde_json::Value>(r#"["Ada", "Grace"]"#)
///     .map(|v| Lookup::<String>::decode(&v).unwrap())
///     .unwrap();
/// assert_eq!(cell.as_slice(), ["Ada", "Grace"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup<T>(Vec<T>);

impl<T> Lookup<T> {
    /// The looked-up values.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The looked-up values, owned.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> Default for Lookup<T> {
    fn default() -> Self {
        Lookup(Vec::new())
    }
}

impl<T> std::ops::Deref for Lookup<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: FieldValue> FieldValue for Lookup<T> {
    const EXPECTED: &'static str = "looked-up values";
    const READ_ONLY: bool = true;
    const SHAPE: Shape = T::SHAPE.list().computed();

    fn empty() -> Option<Self> {
        Some(Lookup(Vec::new()))
    }

    /// A list of values; a lone value (a lookup the server reduced to one) is a list of one.
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> std::result::Result<Self, D::Error> {
        let raw = Value::deserialize(cell)?;
        match raw {
            Value::Array(items) => items
                .iter()
                .map(T::decode)
                .collect::<std::result::Result<Vec<T>, _>>()
                .map(Lookup)
                .map_err(serde::de::Error::custom),
            Value::Null => Ok(Lookup(Vec::new())),
            single => T::decode(&single)
                .map(|v| Lookup(vec![v]))
                .map_err(serde::de::Error::custom),
        }
    }

    fn encode(&self) -> Value {
        Value::Null
    }
}
