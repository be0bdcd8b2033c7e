//! [`Related`]: the rows that a result set's link cells point to, loaded in one go.

use std::collections::HashMap;

use crate::column::LinksTo;
use crate::ids::RecordId;
use crate::value::Link;

/// Rows of table `T` loaded for the link cells of other rows, by
/// [`Sheet::load`](crate::Sheet::load); look them up with the same cells.
///
/// ```
/// use apitable_orm::prelude::*;
/// use apitable_orm::Related;
/// use apitable_orm::value::Link;
///
/// #[derive(Debug, Table)]
/// #[apitable(datasheet = "dstTopics00000001")]
/// struct Topic { #[apitable(record_id)] id: Option<RecordId>, title: String }
///
/// let id = |s: &str| s.parse::<RecordId>().unwrap();
/// let topics = Related::from_rows(vec![
///     Topic { id: Some(id("recA")), title: "Welcome".into() },
///     Topic { id: Some(id("recB")), title: "Homework".into() },
/// ]);
/// let cell: Vec<Link<Topic>> = vec![Link::new(id("recB")), Link::new(id("recGone")), Link::new(id("recA"))];
/// let titles: Vec<&str> = topics.many(&cell).iter().map(|t| t.title.as_str()).collect();
/// assert_eq!(titles, ["Homework", "Welcome"]); // in cell order; unknown ids are skipped
/// assert_eq!(topics.one(&Some(Link::new(id("recA")))).map(|t| &*t.title), Some("Welcome"));
/// ```
#[derive(Debug, Clone)]
pub struct Related<T> {
    rows: Vec<T>,
    ids: Vec<RecordId>,
    index: HashMap<RecordId, usize>,
    missing: Vec<RecordId>,
}

impl<T> Related<T> {
    /// `found` (id and row, as read) for the `wanted` ids.
    pub(crate) fn new(found: Vec<(RecordId, T)>, wanted: Vec<RecordId>) -> Self {
        let mut rows = Vec::with_capacity(found.len());
        let mut ids = Vec::with_capacity(found.len());
        let mut index = HashMap::with_capacity(found.len());
        for (id, row) in found {
            if index.contains_key(&id) {
                continue;
            }
            index.insert(id.clone(), rows.len());
            ids.push(id);
            rows.push(row);
        }
        let missing = wanted
            .into_iter()
            .filter(|id| !index.contains_key(id))
            .collect();
        Related {
            rows,
            ids,
            index,
            missing,
        }
    }

    /// Rows already read, indexed by the record ids they hold (rows without one are left out).
    pub fn from_rows(rows: Vec<T>) -> Self
    where
        T: crate::Table,
    {
        let found = rows
            .into_iter()
            .filter_map(|row| row.record_id().cloned().map(|id| (id, row)))
            .collect();
        Related::new(found, Vec::new())
    }

    /// The row a link points to, if it was loaded.
    pub fn get(&self, link: &Link<T>) -> Option<&T> {
        self.by_id(link.id())
    }

    /// The row with this record id, if it was loaded.
    pub fn by_id(&self, id: &RecordId) -> Option<&T> {
        self.index.get(id).map(|&i| &self.rows[i])
    }

    /// The first row a link cell points to (for a single link, its row).
    pub fn one(&self, cell: &impl LinksTo<T>) -> Option<&T> {
        cell.links().iter().find_map(|link| self.get(link))
    }

    /// The rows a link cell points to, in cell order, skipping links that were not loaded.
    pub fn many(&self, cell: &impl LinksTo<T>) -> Vec<&T> {
        cell.links()
            .iter()
            .filter_map(|link| self.get(link))
            .collect()
    }

    /// Every loaded row, in the order the links first named them.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    /// Every loaded row with its record id.
    pub fn iter(&self) -> impl Iterator<Item = (&RecordId, &T)> {
        self.ids.iter().zip(&self.rows)
    }

    /// The loaded rows, owned.
    pub fn into_rows(self) -> Vec<T> {
        self.rows
    }

    /// How many rows were loaded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was loaded.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Linked ids that were not found: records deleted since they were linked, or left out by
    /// the view or filter of the query that loaded them.
    pub fn missing(&self) -> &[RecordId] {
        &self.missing
    }
}

impl<'a, T> IntoIterator for &'a Related<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}
