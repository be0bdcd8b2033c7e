//! [`Query`]: typed reads of a table, built unbound (`T::query()`) and run through a
//! [`Sheet`].

use std::borrow::Cow;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Method;

use crate::api::records::{PageTracker, page_record_ids};
use crate::api::{FieldInfo, FieldKey, FieldType, Fields, ListRecords, Order};
use crate::client::Client;
use crate::column::{Column, LinksTo, Sort};
use crate::error::{DecodeError, Error, Result};
use crate::filter::Filter;
use crate::ids::{DatasheetId, RecordId, ViewId};
use crate::page::Page;
use crate::related::Related;
use crate::sheet::Sheet;
use crate::table::{Table, decode_page};
use crate::value::Link;

/// The page size `stream`, `pages` and `all` use unless told otherwise (the server's maximum).
pub const DEFAULT_PAGE_SIZE: u64 = 1000;

/// Record ids per `get_many` (and `load`) request: about 6 KB of `recordIds` parameters, so
/// that the request line stays under the 8 KB that common proxies in front of APITable
/// accept.
pub const IDS_PER_REQUEST: usize = 200;

/// Longest `filterByFormula` a resolved `links_to` filter may make, in characters before
/// percent-encoding: with the ids at about 15 characters each, some 400 linked records.
const LINKS_FORMULA_BUDGET: usize = 6000;

/// A typed read of table `T`: view, filter, sort and limits, then a terminal method (`all`,
/// `first`, `get`, `get_many`, `count`, `stream`, `pages`).
///
/// A query is built unbound, as a description (`T::query()`, which can be stored, cloned and
/// inspected with [`to_params`](Self::to_params)), or bound to a datasheet and a client
/// (`sheet.query()`, `sheet.select(query)`); only a bound query, `Query<T, Sheet<T>>`, has the
/// terminal methods. Only the struct's own fields are requested.
///
/// ```no_run
/// # use apitable_orm::prelude::*;
/// # #[derive(Table)]
/// # #[apitable(datasheet = "dstMenu0000000001", rename_all = "PascalCase")]
/// # struct Dish { #[apitable(record_id)] id: Option<RecordId>, name: String, price: f64 }
/// # async fn run(client: Client) -> apitable_orm::Result<()> {
/// let dishes = client.table::<Dish>();
/// let cheap = dishes.query().filter(Dish::PRICE.lt(10)).sort(Dish::NAME.asc()).all().await?;
///
/// // The same query, built once and run against two datasheets:
/// let q = Dish::query().filter(Dish::PRICE.lt(10));
/// let here = dishes.select(q.clone()).count().await?;
/// let there = client.table_in::<Dish>("dstStaging0000001".parse()?).select(q).count().await?;
/// # Ok(()) }
/// ```
pub struct Query<T, S = ()> {
    view: Option<ViewId>,
    filter: Option<Filter<T>>,
    sort: Vec<Sort<T>>,
    max_records: Option<u64>,
    page_size: Option<u64>,
    /// `tolerate_missing_fields`: `None` when off, else the mapped fields found missing
    /// (filled in before the first page).
    tolerate: Option<Vec<&'static str>>,
    /// How long answers may come from the read cache.
    cache_ttl: Option<std::time::Duration>,
    /// Where the query runs: `()` for a description, a [`Sheet`] once bound.
    sheet: S,
}

impl<T, S: Clone> Clone for Query<T, S> {
    fn clone(&self) -> Self {
        Query {
            view: self.view.clone(),
            filter: self.filter.clone(),
            sort: self.sort.clone(),
            max_records: self.max_records,
            page_size: self.page_size,
            tolerate: self.tolerate.clone(),
            cache_ttl: self.cache_ttl,
            sheet: self.sheet.clone(),
        }
    }
}

impl<T, S> std::fmt::Debug for Query<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("view", &self.view)
            .field("filter", &self.filter)
            .field("sort", &self.sort)
            .field("max_records", &self.max_records)
            .field("page_size", &self.page_size)
            .field("cache_ttl", &self.cache_ttl)
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
            tolerate: None,
            cache_ttl: None,
            sheet: (),
        }
    }

    /// This query, run on `sheet`'s datasheet through its client.
    pub(crate) fn bind(self, sheet: Sheet<T>) -> Query<T, Sheet<T>> {
        Query {
            view: self.view,
            filter: self.filter,
            sort: self.sort,
            max_records: self.max_records,
            page_size: self.page_size,
            tolerate: self.tolerate,
            cache_ttl: self.cache_ttl.or(sheet.cache_ttl()),
            sheet,
        }
    }
}

impl<T: Table, S> Query<T, S> {
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

    /// Lets its reads be answered from the client's read cache for up to `ttl`: the same
    /// request within `ttl` is not sent again, unless this client (or, with
    /// [`ClientBuilder::redis_cache`](crate::ClientBuilder), another sharing its Redis)
    /// wrote to the datasheet since. Concurrent identical reads share one request, so a page
    /// served 100 times a second costs one request per `ttl`.
    ///
    /// ```
    /// # use apitable_orm::Table;
    /// # #[derive(Table)]
    /// # #[apitable(datasheet = "dstMenu0000000001")]
    /// # struct Dish { #[apitable(name = "Name")] name: String }
    /// use std::time::Duration;
    /// let q = Dish::query().cached(Duration::from_secs(5));
    /// assert_eq!(q.to_params().unwrap().cache_ttl(), Some(Duration::from_secs(5)));
    /// ```
    pub fn cached(mut self, ttl: std::time::Duration) -> Self {
        self.cache_ttl = Some(ttl);
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

    /// The request parameters this query sends (for its first page).
    ///
    /// A [`links_to`](crate::Column::links_to) filter has no formula until a bound query
    /// resolves it, so this fails for one.
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
        if let Some(ttl) = self.cache_ttl {
            params = params.cached(ttl);
        }
        params.to_query()?;
        Ok(params)
    }
}

impl<T: Table> Query<T, Sheet<T>> {
    fn client(&self) -> &Client {
        self.sheet.client()
    }

    /// The datasheet this query reads.
    pub fn datasheet_id(&self) -> Result<DatasheetId> {
        self.sheet.id().cloned()
    }

    /// Looks up which mapped fields the datasheet lacks, once, for `tolerate_missing_fields`.
    async fn resolve_missing(&mut self, fields: &Lazy<'_>) -> Result<()> {
        if !self.tolerate.as_ref().is_some_and(Vec::is_empty) {
            return Ok(());
        }
        let fields = fields.get().await?;
        let missing: Vec<&'static str> = T::FIELDS
            .iter()
            .map(|m| m.key)
            .filter(|key| !fields.iter().any(|f| field_has_key::<T>(f, key)))
            .collect();
        if !missing.is_empty() {
            tracing::warn!(
                datasheet = %self.datasheet_id()?,
                missing = ?missing,
                "the datasheet lacks fields the struct maps; reading without them"
            );
        }
        self.tolerate = Some(missing);
        Ok(())
    }

    /// Replaces each `links_to` part of the filter by the records the other side of the link
    /// lists.
    async fn resolve_links(&mut self, fields: &Lazy<'_>) -> Result<()> {
        let Some(filter) = &self.filter else {
            return Ok(());
        };
        let targets = filter.link_targets();
        if targets.is_empty() {
            return Ok(());
        }
        let fields = fields.get().await?;
        let mut resolved = Vec::with_capacity(targets.len());
        for (key, ids) in targets {
            let field = fields
                .iter()
                .find(|f| field_has_key::<T>(f, key))
                .ok_or_else(|| {
                    Error::InvalidRequest(format!(
                        "links_to: datasheet {} has no field {key:?}",
                        self.datasheet_id()
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ))
                })?;
            let (foreign, sibling) = link_sides(field, key)?;
            let mut linking = Vec::new();
            for chunk in ids.chunks(IDS_PER_REQUEST) {
                let params = ListRecords::new()
                    .record_ids(chunk.iter().cloned())
                    .fields([sibling.clone()])
                    .field_key(FieldKey::Id)
                    .page_size(IDS_PER_REQUEST as u64)
                    .page_num(1);
                let page = self
                    .client()
                    .datasheet(&foreign)
                    .list_records::<Fields>(&params)
                    .await?;
                for record in page.items {
                    if let Some(cell) = record.fields.get(&sibling) {
                        let ids: Vec<RecordId> =
                            serde_json::from_value(cell.clone()).map_err(|e| {
                                Error::Decode(
                                    DecodeError::new(format!("not a link cell: {e}"))
                                        .with_record(record.id.clone())
                                        .with_field(sibling.clone()),
                                )
                            })?;
                        linking.extend(ids);
                    }
                }
            }
            let mut seen = std::collections::HashSet::new();
            linking.retain(|id| seen.insert(id.clone()));
            resolved.push(linking);
        }
        let filter = filter.with_links_resolved(resolved);
        let length = filter.render()?.len();
        if length > LINKS_FORMULA_BUDGET {
            return Err(Error::InvalidRequest(format!(
                "the links_to filter matches so many records that its formula would be {length} \
                 characters, more than the {LINKS_FORMULA_BUDGET} a request line can safely \
                 carry; read the linked records from the other side with Sheet::load instead"
            )));
        }
        self.filter = Some(filter);
        Ok(())
    }

    /// This query, ready to send: missing fields and `links_to` filters looked up (with one
    /// `GET …/fields` shared by both, and only when either needs it).
    async fn resolved(&self) -> Result<Query<T, Sheet<T>>> {
        let mut query = self.clone();
        let fields = Lazy::new(self.client(), self.datasheet_id()?);
        query.resolve_missing(&fields).await?;
        query.resolve_links(&fields).await?;
        Ok(query)
    }

    async fn fetch_page(&self, params: &ListRecords) -> Result<Page<T>> {
        Ok(self.fetch_page_and_body(params).await?.0)
    }

    /// One page, and the response body it was decoded from.
    async fn fetch_page_and_body(&self, params: &ListRecords) -> Result<(Page<T>, bytes::Bytes)> {
        let dst = self.datasheet_id()?;
        let client = self.client();
        let call = crate::api::records::records_call(client, Method::GET, &dst)
            .query(&params.to_query()?)
            .cached(params.cache_ttl());
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
    pub fn pages(&self) -> impl Stream<Item = Result<Page<T>>> + Send + use<T> {
        let size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let state = (Some(1u64), PageTracker::new(size), self.clone());
        stream::try_unfold(state, move |(next, mut tracker, query)| async move {
            let Some(num) = next else {
                return Ok(None);
            };
            let query = if num == 1 {
                query.resolved().await?
            } else {
                query
            };
            let params = query.to_params()?.page_num(num);
            let (page, body) = query.fetch_page_and_body(&params).await?;
            let next = {
                let ids = page_ids(&page, &body)?;
                tracker.check(num, page.total, ids.iter().map(|id| id.as_ref()))?
            };
            Ok(Some((page, (next, tracker, query))))
        })
    }

    /// Every matching record, one at a time, fetching pages lazily.
    pub fn stream(&self) -> impl Stream<Item = Result<T>> + Send + use<T> {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every matching record.
    pub async fn all(&self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut pages = std::pin::pin!(self.pages());
        while let Some(page) = pages.next().await {
            out.extend(page?.items);
        }
        Ok(out)
    }

    /// The first matching record, if any (one request for one record).
    pub async fn first(&self) -> Result<Option<T>> {
        let query = self.resolved().await?;
        let params = query.to_params()?.page_size(1).page_num(1);
        Ok(query.fetch_page(&params).await?.items.into_iter().next())
    }

    /// The number of matching records (one request).
    pub async fn count(&self) -> Result<u64> {
        let query = self.resolved().await?;
        let params = query.to_params()?.page_size(1).page_num(1);
        Ok(query.fetch_page(&params).await?.total)
    }

    /// The record with this id, if it exists and matches the query's view and filter.
    pub async fn get(&self, id: &RecordId) -> Result<Option<T>> {
        Ok(self
            .get_many(std::slice::from_ref(id))
            .await?
            .into_iter()
            .next())
    }

    /// The records with these ids, in the given order, [`IDS_PER_REQUEST`] ids a request;
    /// unknown ids are skipped.
    pub async fn get_many(&self, ids: &[RecordId]) -> Result<Vec<T>> {
        Ok(self
            .get_many_with_ids(ids)
            .await?
            .into_iter()
            .map(|(_, row)| row)
            .collect())
    }

    /// [`get_many`](Self::get_many), each row with its record id (read from the response when
    /// the struct does not hold it).
    pub(crate) async fn get_many_with_ids(&self, ids: &[RecordId]) -> Result<Vec<(RecordId, T)>> {
        let query = self.resolved().await?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            let params = query
                .to_params()?
                .record_ids(chunk.iter().cloned())
                .page_size(IDS_PER_REQUEST as u64)
                .page_num(1);
            let (page, body) = query.fetch_page_and_body(&params).await?;
            let ids: Vec<RecordId> = page_ids(&page, &body)?
                .iter()
                .map(|id| id.parse::<RecordId>())
                .collect::<std::result::Result<_, _>>()?;
            out.extend(ids.into_iter().zip(page.items));
        }
        Ok(out)
    }

    /// The rows of `T` that the link cells `via` of `rows` point to, through this query's
    /// view and filter. See [`Sheet::load`].
    pub async fn load<'r, R: Table, V: LinksTo<T>>(
        &self,
        via: Column<R, V>,
        rows: impl IntoIterator<Item = &'r R>,
    ) -> Result<Related<T>> {
        self.load_links(rows.into_iter().flat_map(|row| via.get(row).links()))
            .await
    }

    /// The rows `links` point to, each distinct id read once, in as few requests as the URL
    /// allows ([`IDS_PER_REQUEST`] ids a request), through this query's view and filter. See
    /// [`Sheet::load_links`].
    pub async fn load_links<'l>(
        &self,
        links: impl IntoIterator<Item = &'l Link<T>>,
    ) -> Result<Related<T>>
    where
        T: 'l,
    {
        let mut seen = std::collections::HashSet::new();
        let wanted: Vec<RecordId> = links
            .into_iter()
            .filter(|link| seen.insert(link.id()))
            .map(|link| link.id().clone())
            .collect();
        if wanted.is_empty() {
            return Ok(Related::new(Vec::new(), Vec::new()));
        }
        let found = self.get_many_with_ids(&wanted).await?;
        Ok(Related::new(found, wanted))
    }
}

/// The record ids of `page`, in order: from the rows when the struct holds them, else read
/// again from `body`, the response the page was decoded from, skipping the cells.
fn page_ids<'b, T: Table>(page: &'b Page<T>, body: &'b [u8]) -> Result<Vec<Cow<'b, str>>> {
    let held: Option<Vec<&RecordId>> = page.items.iter().map(Table::record_id).collect();
    match held {
        Some(ids) => Ok(ids
            .into_iter()
            .map(|id| Cow::Borrowed(id.as_str()))
            .collect()),
        None => page_record_ids(body),
    }
}

/// Whether `field` is the one a table of `T` calls `key`.
fn field_has_key<T: Table>(field: &FieldInfo, key: &str) -> bool {
    match T::FIELD_KEY {
        FieldKey::Id => field.id.as_str() == key,
        FieldKey::Name => field.name == key,
    }
}

/// A link field's target datasheet and the id of its sibling field there.
fn link_sides(field: &FieldInfo, key: &str) -> Result<(DatasheetId, String)> {
    let property = field.property.as_ref();
    let text = |name: &str| {
        property
            .and_then(|p| p.get(name))
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if !matches!(
        field.field_type,
        FieldType::TwoWayLink | FieldType::OneWayLink
    ) {
        return Err(Error::InvalidRequest(format!(
            "links_to: field {key:?} is a {} field, not a link",
            field.field_type
        )));
    }
    let foreign = text("foreignDatasheetId").ok_or_else(|| {
        Error::InvalidRequest(format!(
            "links_to: the server did not say which datasheet field {key:?} links to"
        ))
    })?;
    let sibling = text("brotherFieldId").ok_or_else(|| {
        Error::InvalidRequest(format!(
            "links_to: field {key:?} is a one-way link, and the server's filters see linked \
             records only by their primary field's text; make it a two-way link, or filter the \
             linked table instead and load from there"
        ))
    })?;
    Ok((foreign.parse()?, sibling.to_owned()))
}

/// The datasheet's fields, read at most once, when first needed.
struct Lazy<'c> {
    client: &'c Client,
    datasheet: DatasheetId,
    fields: tokio::sync::OnceCell<Vec<FieldInfo>>,
}

impl<'c> Lazy<'c> {
    fn new(client: &'c Client, datasheet: DatasheetId) -> Self {
        Lazy {
            client,
            datasheet,
            fields: tokio::sync::OnceCell::new(),
        }
    }

    async fn get(&self) -> Result<&[FieldInfo]> {
        self.fields
            .get_or_try_init(|| async { self.client.datasheet(&self.datasheet).fields(None).await })
            .await
            .map(Vec::as_slice)
    }
}
