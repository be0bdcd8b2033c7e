//! [`Query`]: typed reads of a table.

use std::marker::PhantomData;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Method;

use crate::api::records::{PageTracker, page_record_ids};
use crate::api::{FieldKey, ListRecords, Order};
use crate::client::Client;
use crate::column::Sort;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::ids::{DatasheetId, RecordId, ViewId};
use crate::table::{Page, Table, decode_page};

/// The page size `stream`, `pages` and `all` use unless told otherwise (the server's maximum).
pub const DEFAULT_PAGE_SIZE: u64 = 1000;

/// Record ids per `get_many` request, so the URL stays well under server limits.
const IDS_PER_REQUEST: usize = 200;

/// A typed read of table `T`: view, filter, sort, limits, then a terminal method
/// (`all`, `first`, `get`, `get_many`, `count`, `stream`, `pages`).
///
/// Only the struct's own fields are requested.
pub struct Query<T> {
    view: Option<ViewId>,
    filter: Option<Filter<T>>,
    sort: Vec<Sort<T>>,
    max_records: Option<u64>,
    page_size: Option<u64>,
    datasheet: Option<DatasheetId>,
    /// `tolerate_missing_fields`: `None` when off, else the mapped fields found missing
    /// (filled in before the first page).
    tolerate: Option<Vec<&'static str>>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Query<T> {
    fn clone(&self) -> Self {
        Query {
            view: self.view.clone(),
            filter: self.filter.clone(),
            sort: self.sort.clone(),
            max_records: self.max_records,
            page_size: self.page_size,
            datasheet: self.datasheet.clone(),
            tolerate: self.tolerate.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Query<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("view", &self.view)
            .field("filter", &self.filter)
            .field("sort", &self.sort)
            .field("max_records", &self.max_records)
            .field("page_size", &self.page_size)
            .finish()
    }
}

impl<T: Table> Default for Query<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Table> Query<T> {
    /// A query over the table's default view (if it has one), with no filter.
    pub fn new() -> Self {
        Query {
            view: T::VIEW.and_then(|v| v.parse().ok()),
            filter: None,
            sort: Vec::new(),
            max_records: None,
            page_size: None,
            datasheet: None,
            tolerate: None,
            _t: PhantomData,
        }
    }

    /// Reads through this view: its filter and order apply.
    pub fn view(mut self, view: ViewId) -> Self {
        self.view = Some(view);
        self
    }

    /// Reads without any view (the datasheet's first view's order, no view filter).
    pub fn without_view(mut self) -> Self {
        self.view = None;
        self
    }

    /// Adds a filter (several calls are combined with AND).
    pub fn filter(mut self, filter: Filter<T>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(filter),
            None => filter,
        });
        self
    }

    /// Adds a sort key; earlier keys take priority.
    pub fn sort(mut self, sort: Sort<T>) -> Self {
        self.sort.push(sort);
        self
    }

    /// Reads at most `n` records.
    pub fn max_records(mut self, n: u64) -> Self {
        self.max_records = Some(n);
        self
    }

    /// Records per request (1..=1000; default 1000).
    pub fn page_size(mut self, n: u64) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Reads another datasheet with the same fields (e.g. a copy used in tests).
    pub fn datasheet(mut self, id: DatasheetId) -> Self {
        self.datasheet = Some(id);
        self
    }

    /// Keeps reading when the datasheet has lost a mapped field (a column renamed or deleted
    /// since the struct was written): the query first looks at the datasheet's fields (one
    /// more request), leaves the missing ones out, and logs a warning naming them; their cells
    /// read as empty (`None`, `[]`, …). Without it such a read fails, because the server
    /// refuses to list fields it does not have. Fields the datasheet has but the struct does
    /// not map are never a problem: they are not requested.
    ///
    /// A filter or sort on a missing field still fails. [`Sheet::check_schema`] reports every
    /// mismatch at once.
    ///
    /// [`Sheet::check_schema`]: crate::Sheet::check_schema
    pub fn tolerate_missing_fields(mut self) -> Self {
        self.tolerate = Some(Vec::new());
        self
    }

    /// Looks up which mapped fields the datasheet lacks, once, for `tolerate_missing_fields`.
    async fn resolve_missing(&mut self, client: &Client) -> Result<()> {
        if self.tolerate.is_none() {
            return Ok(());
        }
        let dst = self.datasheet_id()?;
        let fields = client.datasheet(&dst).fields(None).await?;
        let missing: Vec<&'static str> = T::FIELDS
            .iter()
            .map(|m| m.key)
            .filter(|key| {
                !fields.iter().any(|f| match T::FIELD_KEY {
                    FieldKey::Id => f.id.as_str() == *key,
                    FieldKey::Name => f.name == *key,
                })
            })
            .collect();
        if !missing.is_empty() {
            tracing::warn!(
                datasheet = %dst,
                missing = ?missing,
                "the datasheet lacks fields the struct maps; reading without them"
            );
        }
        self.tolerate = Some(missing);
        Ok(())
    }

    /// This query, with the missing fields looked up if `tolerate_missing_fields` asks.
    async fn resolved(&self, client: &Client) -> Result<Query<T>> {
        let mut query = self.clone();
        query.resolve_missing(client).await?;
        Ok(query)
    }

    /// The datasheet this query reads.
    pub fn datasheet_id(&self) -> Result<DatasheetId> {
        match &self.datasheet {
            Some(id) => Ok(id.clone()),
            None => T::DATASHEET.parse().map_err(Error::from),
        }
    }

    /// The request parameters this query sends (for its first page).
    ///
    /// ```
    /// # use apitable_orm::{Table, FieldValue};
    /// # #[derive(Table)]
    /// # #[apitable(datasheet = "dstMenu0000000001")]
    /// # struct Dish { #[apitable(name = "Name")] name: String, #[apitable(name = "Price")] price: f64 }
    /// let q = Dish::query().filter(Dish::PRICE.lt(10)).sort(Dish::NAME.asc());
    /// let params = q.to_params().unwrap();
    /// let query = params.to_query().unwrap();
    /// assert!(query.contains(&("filterByFormula".into(), "AND({Price}!=BLANK(),({Price}<10))".into())));
    /// ```
    pub fn to_params(&self) -> Result<ListRecords> {
        let missing: &[&str] = self.tolerate.as_deref().unwrap_or(&[]);
        let mut params = ListRecords::new()
            .fields(
                T::FIELDS
                    .iter()
                    .map(|f| f.key)
                    .filter(|k| !missing.contains(k)),
            )
            .page_size(self.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
        if T::FIELD_KEY == FieldKey::Id {
            params = params.field_key(FieldKey::Id);
        }
        if let Some(view) = &self.view {
            params = params.view(view.clone());
        }
        if let Some(filter) = &self.filter {
            params = params.filter_by_formula(filter.render()?);
        }
        for s in &self.sort {
            params = params.sort(
                s.key,
                if s.descending {
                    Order::Desc
                } else {
                    Order::Asc
                },
            );
        }
        if let Some(n) = self.max_records {
            params = params.max_records(n);
        }
        params.to_query()?;
        Ok(params)
    }

    async fn fetch_page(&self, client: &Client, params: &ListRecords) -> Result<Page<T>> {
        Ok(self.fetch_page_and_body(client, params).await?.0)
    }

    /// One page, and the response body it was decoded from.
    async fn fetch_page_and_body(
        &self,
        client: &Client,
        params: &ListRecords,
    ) -> Result<(Page<T>, bytes::Bytes)> {
        let dst = self.datasheet_id()?;
        let call =
            crate::api::records::records_call(client, Method::GET, &dst).query(&params.to_query()?);
        let checked = client.send(call).await?;
        let page = decode_page::<T>(&checked.body, params.requested_page_size().unwrap_or(100))?;
        Ok((page, checked.body))
    }

    /// Pages of records, fetched lazily one request at a time; memory holds one page, plus
    /// some 20 to 40 bytes per record seen.
    ///
    /// No more pages are requested than the first answer's `total` implies, and a page that
    /// repeats a record of an earlier page ends the stream with [`Error::Paging`] instead of
    /// yielding the record twice.
    pub fn pages(&self, client: &Client) -> impl Stream<Item = Result<Page<T>>> + Send + 'static {
        let query = self.clone();
        let client = client.clone();
        let size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let state = (Some(1u64), PageTracker::new(size), query);
        stream::try_unfold(state, move |(next, mut tracker, mut query)| {
            let client = client.clone();
            async move {
                let Some(num) = next else {
                    return Ok(None);
                };
                if num == 1 {
                    query.resolve_missing(&client).await?;
                }
                let params = query.to_params()?.page_num(num);
                let (page, body) = query.fetch_page_and_body(&client, &params).await?;
                // Structs that hold their record id say it; for the others, read the ids from
                // the body again, skipping the cells.
                let held: Option<Vec<&RecordId>> =
                    page.items.iter().map(Table::record_id).collect();
                let next = match held {
                    Some(ids) => tracker.check(num, page.total, ids.iter().map(|id| id.as_str())),
                    None => {
                        let ids = page_record_ids(&body)?;
                        tracker.check(num, page.total, ids.iter().map(|id| id.as_ref()))
                    }
                }?;
                Ok(Some((page, (next, tracker, query))))
            }
        })
    }

    /// Every matching record, one at a time, fetching pages lazily.
    pub fn stream(&self, client: &Client) -> impl Stream<Item = Result<T>> + Send + 'static {
        self.pages(client)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every matching record.
    pub async fn all(&self, client: &Client) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut pages = std::pin::pin!(self.pages(client));
        while let Some(page) = pages.next().await {
            out.extend(page?.items);
        }
        Ok(out)
    }

    /// The first matching record, if any (one request for one record).
    pub async fn first(&self, client: &Client) -> Result<Option<T>> {
        let query = self.resolved(client).await?;
        let params = query.to_params()?.page_size(1).page_num(1);
        Ok(query
            .fetch_page(client, &params)
            .await?
            .items
            .into_iter()
            .next())
    }

    /// The number of matching records (one request).
    pub async fn count(&self, client: &Client) -> Result<u64> {
        let query = self.resolved(client).await?;
        let params = query.to_params()?.page_size(1).page_num(1);
        Ok(query.fetch_page(client, &params).await?.total)
    }

    /// The record with this id, if it exists and matches the query's view and filter.
    pub async fn get(&self, client: &Client, id: &RecordId) -> Result<Option<T>> {
        Ok(self
            .get_many(client, std::slice::from_ref(id))
            .await?
            .into_iter()
            .next())
    }

    /// The records with these ids, in the given order; unknown ids are skipped.
    pub async fn get_many(&self, client: &Client, ids: &[RecordId]) -> Result<Vec<T>> {
        let query = self.resolved(client).await?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            let params = query
                .to_params()?
                .record_ids(chunk.iter().cloned())
                .page_size(IDS_PER_REQUEST as u64)
                .page_num(1);
            out.extend(query.fetch_page(client, &params).await?.items);
        }
        Ok(out)
    }
}
