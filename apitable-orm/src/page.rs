//! [`Page`]: one page of any listing, typed records, raw records or units alike.

/// One page of a listing: typed rows (`Query::pages`), raw records
/// ([`Datasheet::list_records`](crate::api::Datasheet::list_records)) or the members, teams
/// and roles of a space.
///
/// ```
/// use apitable_orm::Page;
/// let page = Page { total: 2_500, number: 1, requested_size: 1_000, items: vec!["a"; 1_000] };
/// assert_eq!(page.total_pages(), 3);
/// assert!(page.has_more());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// Matching entries across all pages.
    pub total: u64,
    /// This page's number, from 1.
    pub number: u64,
    /// The page size that was asked for (the server's default when none was).
    pub requested_size: u64,
    /// The entries of this page (up to `requested_size` of them).
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// How many pages the listing has at this page size.
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(self.requested_size.max(1))
    }

    /// Whether pages follow this one.
    pub fn has_more(&self) -> bool {
        self.number < self.total_pages()
    }
}
