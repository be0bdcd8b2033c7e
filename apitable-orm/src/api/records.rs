//! Records: list (one page, pages or a lazy stream), create, update and delete
//!.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::hash::BuildHasher;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::api::Datasheet;
use crate::client::Client;
use crate::error::{Error, PagingError, Result};
use crate::ids::{DatasheetId, RecordId, ViewId};
use crate::page::Page;
use crate::transport::{Call, Seg};

/// The page size the server uses when a listing names none.
const DEFAULT_LIST_PAGE_SIZE: u64 = 100;

/// An untyped record's cells: field name (or id) to JSON value. Empty cells are absent.
pub type Fields = serde_json::Map<String, serde_json::Value>;

/// One record. `F` is what its `fields` decode into: [`Fields`] for untyped use, or any
/// `Deserialize` type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Record<F = Fields> {
    /// The record id.
    #[serde(rename = "recordId")]
    pub id: RecordId,
    /// Creation time, epoch milliseconds (absent in create responses).
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Last update time, epoch milliseconds (absent in create responses).
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// The cells.
    pub fields: F,
}

/// A page of a record listing as the server sends it; its `pageSize` is the number of records
/// in the page, not the size asked for.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawRecordPage<F> {
    pub(crate) total: u64,
    pub(crate) page_num: u64,
    pub(crate) records: Vec<Record<F>>,
}

/// Whether cells and field references use field names or field ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKey {
    /// Field names (the server's default). Renaming a column breaks name-keyed code.
    #[default]
    Name,
    /// Field ids (`fld…`): survives renames.
    Id,
}

impl FieldKey {
    /// The wire value, `"name"` or `"id"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKey::Name => "name",
            FieldKey::Id => "id",
        }
    }
}

/// How cell values are rendered in a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellFormat {
    /// Typed JSON values (the default).
    #[default]
    Json,
    /// Every cell as display text.
    String,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// One sort rule: a field (name or id, per the field key) and a direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortRule {
    /// Field name or id.
    pub field: String,
    /// Direction.
    pub order: Order,
}

/// Parameters of a record listing (`GET …/records`). Checked before sending: page size
/// 1..=1000, page number and `maxRecords` at least 1.
///
/// ```
/// use apitable_orm::api::{ListRecords, Order};
/// let params = ListRecords::new()
///     .filter_by_formula("{Price} > 10")
///     .sort("Price", Order::Desc)
///     .sort("Name", Order::Asc)
///     .page_size(50);
/// let query = params.to_query().unwrap();
/// assert!(query.contains(&("pageSize".into(), "50".into())));
/// assert!(query.contains(&("sort[1][field]".into(), "Name".into())));
/// assert!(ListRecords::new().page_size(1001).to_query().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListRecords {
    view_id: Option<ViewId>,
    page_num: Option<u64>,
    page_size: Option<u64>,
    max_records: Option<u64>,
    sort: Vec<SortRule>,
    record_ids: Vec<RecordId>,
    fields: Vec<String>,
    filter_by_formula: Option<String>,
    cell_format: CellFormat,
    field_key: FieldKey,
    cache_ttl: Option<std::time::Duration>,
}

impl ListRecords {
    /// Lets the answer come from the client's read cache for up to `ttl`: the same listing
    /// asked again within `ttl` is not sent, unless this client wrote to the datasheet since.
    /// Concurrent identical listings share one request. Not sent to the server.
    pub fn cached(mut self, ttl: std::time::Duration) -> Self {
        self.cache_ttl = Some(ttl);
        self
    }

    /// How long the answer may come from the read cache, if at all.
    pub fn cache_ttl(&self) -> Option<std::time::Duration> {
        self.cache_ttl
    }

    /// No parameters: the first page of 100 records in the first view's order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lists through this view: its filter, order and hidden fields apply.
    pub fn view(mut self, view: ViewId) -> Self {
        self.view_id = Some(view);
        self
    }

    /// The page to fetch, from 1.
    pub fn page_num(mut self, n: u64) -> Self {
        self.page_num = Some(n);
        self
    }

    /// Records per page, 1..=1000 (server default 100).
    pub fn page_size(mut self, n: u64) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Keeps only the first `n` matching records.
    pub fn max_records(mut self, n: u64) -> Self {
        self.max_records = Some(n);
        self
    }

    /// Adds a sort rule (earlier rules take priority).
    pub fn sort(mut self, field: impl Into<String>, order: Order) -> Self {
        self.sort.push(SortRule {
            field: field.into(),
            order,
        });
        self
    }

    /// Restricts the listing to these records, in this order (still paginated; unknown ids are
    /// skipped by the server).
    pub fn record_ids(mut self, ids: impl IntoIterator<Item = RecordId>) -> Self {
        self.record_ids.extend(ids);
        self
    }

    /// Returns only these fields (names or ids, per the field key).
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// A raw `filterByFormula` expression. The typed query layer builds these safely; a hand
    /// written formula must escape user input itself.
    pub fn filter_by_formula(mut self, formula: impl Into<String>) -> Self {
        self.filter_by_formula = Some(formula.into());
        self
    }

    /// JSON values or display strings.
    pub fn cell_format(mut self, format: CellFormat) -> Self {
        self.cell_format = format;
        self
    }

    /// Keys cells (and `fields`/`sort` entries) by field name or id.
    pub fn field_key(mut self, key: FieldKey) -> Self {
        self.field_key = key;
        self
    }

    /// The page number that will be requested (default 1).
    pub fn requested_page_num(&self) -> u64 {
        self.page_num.unwrap_or(1)
    }

    /// The page size that will be requested, if set.
    pub fn requested_page_size(&self) -> Option<u64> {
        self.page_size
    }

    /// The query string pairs this listing sends, in order. Fails on values the server would
    /// mishandle.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        let mut q: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| q.push((k.to_owned(), v));
        if let Some(view) = &self.view_id {
            push("viewId", view.to_string());
        }
        if let Some(n) = self.page_num {
            if n < 1 {
                return Err(Error::InvalidRequest(format!(
                    "pageNum must be at least 1, got {n}"
                )));
            }
            push("pageNum", n.to_string());
        }
        if let Some(n) = self.page_size {
            if !(1..=1000).contains(&n) {
                return Err(Error::InvalidRequest(format!(
                    "pageSize must be between 1 and 1000, got {n}"
                )));
            }
            push("pageSize", n.to_string());
        }
        if let Some(n) = self.max_records {
            if n < 1 {
                return Err(Error::InvalidRequest(format!(
                    "maxRecords must be at least 1, got {n}"
                )));
            }
            push("maxRecords", n.to_string());
        }
        for (i, rule) in self.sort.iter().enumerate() {
            if rule.field.is_empty() {
                return Err(Error::InvalidRequest(
                    "a sort rule names an empty field".into(),
                ));
            }
            // Indexed brackets: unambiguous for any number of rules and any field name.
            push(&format!("sort[{i}][field]"), rule.field.clone());
            let order = match rule.order {
                Order::Asc => "asc",
                Order::Desc => "desc",
            };
            push(&format!("sort[{i}][order]"), order.to_owned());
        }
        // Bracket form: a single value is still an array, so names with commas survive.
        for id in &self.record_ids {
            push("recordIds[]", id.to_string());
        }
        for field in &self.fields {
            if field.is_empty() {
                return Err(Error::InvalidRequest(
                    "`fields` contains an empty field name".into(),
                ));
            }
            push("fields[]", field.clone());
        }
        if let Some(formula) = self
            .filter_by_formula
            .as_ref()
            .filter(|f| !f.trim().is_empty())
        {
            push("filterByFormula", formula.clone());
        }
        if self.cell_format == CellFormat::String {
            push("cellFormat", "string".to_owned());
        }
        if self.field_key == FieldKey::Id {
            push("fieldKey", "id".to_owned());
        }
        Ok(q)
    }
}

/// Options of a create or update request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteOptions {
    /// Whether the cells are keyed by field name or id (sent in the body).
    pub field_key: FieldKey,
    /// The view whose columns the response shows (and, for creates, where rows are appended).
    pub view_id: Option<ViewId>,
}

impl WriteOptions {
    /// Cells keyed by field id.
    pub fn by_id() -> Self {
        Self {
            field_key: FieldKey::Id,
            view_id: None,
        }
    }
}

/// A record update: the record and the cells to change (`null` clears a cell).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordUpdate<F = Fields> {
    /// The record to change.
    pub record_id: RecordId,
    /// The cells to change; others stay as they are.
    pub fields: F,
}

#[derive(Serialize)]
struct NewRecord<'a, F> {
    fields: &'a F,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteBody<'a, R> {
    records: &'a [R],
    field_key: &'static str,
}

#[derive(Deserialize)]
struct RecordsData<F> {
    records: Vec<Record<F>>,
}

/// A call to `/fusion/v1/datasheets/{dstId}/records`.
pub(crate) fn records_call(client: &Client, method: Method, dst: &DatasheetId) -> Call {
    Call::v1(
        client.transport(),
        method,
        "/fusion/v1/datasheets/{dstId}/records",
        &[
            Seg::Lit("datasheets"),
            Seg::Id(dst.as_str()),
            Seg::Lit("records"),
        ],
    )
}

impl Datasheet<'_> {
    fn records_call(&self, method: Method) -> Call {
        records_call(self.client, method, &self.id)
    }

    /// Fetches one page of records.
    ///
    /// ```no_run
    /// # async fn run(client: apitable_orm::Client) -> apitable_orm::Result<()> {
    /// use apitable_orm::api::{ListRecords, Order};
    /// let dst = "dst0123456789abcde".parse()?;
    /// let page = client
    ///     .datasheet(&dst)
    ///     .list_records::<apitable_orm::api::Fields>(&ListRecords::new().sort("Name", Order::Asc))
    ///     .await?;
    /// println!("{} of {}", page.items.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn list_records<F: DeserializeOwned>(
        &self,
        params: &ListRecords,
    ) -> Result<Page<Record<F>>> {
        let call = self
            .records_call(Method::GET)
            .query(&params.to_query()?)
            .cached(params.cache_ttl());
        let raw: RawRecordPage<F> = self.client.call(call).await?;
        Ok(Page {
            total: raw.total,
            number: raw.page_num,
            requested_size: params
                .requested_page_size()
                .unwrap_or(DEFAULT_LIST_PAGE_SIZE),
            items: raw.records,
        })
    }

    /// Pages of records, fetched lazily from `params`' page number on (page size 1000 unless
    /// set), until `total` is reached. Memory holds one page at a time, plus some 20 to 40
    /// bytes per record seen, to notice a server that repeats itself.
    ///
    /// No more pages are requested than the first answer's `total` implies. A page that
    /// repeats a record of an earlier page (or lists one twice) ends the stream with
    /// [`Error::Paging`] instead of yielding a duplicate.
    pub fn record_pages<F: DeserializeOwned + Send + 'static>(
        &self,
        params: ListRecords,
    ) -> impl Stream<Item = Result<Page<Record<F>>>> + Send + 'static {
        let client = self.client.clone();
        let dst = self.id.clone();
        let size = params.page_size.unwrap_or(1000);
        let first = params.requested_page_num();
        let params = params.page_size(size);
        let state = (Some(first), PageTracker::new(size));
        stream::try_unfold(state, move |(next, mut tracker)| {
            let client = client.clone();
            let dst = dst.clone();
            let params = params.clone();
            async move {
                let Some(num) = next else {
                    return Ok(None);
                };
                let page: Page<Record<F>> = client
                    .datasheet(&dst)
                    .list_records(&params.page_num(num))
                    .await?;
                let next =
                    tracker.check(num, page.total, page.items.iter().map(|r| r.id.as_str()))?;
                Ok(Some((page, (next, tracker))))
            }
        })
    }

    /// Every matching record, one at a time, fetching pages lazily (see
    /// [`record_pages`](Self::record_pages) for the checks on the server's pages).
    pub fn record_stream<F: DeserializeOwned + Send + 'static>(
        &self,
        params: ListRecords,
    ) -> impl Stream<Item = Result<Record<F>>> + Send + 'static {
        self.record_pages::<F>(params)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    fn check_batch(&self, n: usize, what: &str) -> Result<()> {
        let max = self.client.max_records_per_write();
        if n == 0 {
            return Err(Error::InvalidRequest(format!("{what}: no records given")));
        }
        if n > max {
            return Err(Error::InvalidRequest(format!(
                "{what}: {n} records in one request; the limit is {max} (split the batch)"
            )));
        }
        Ok(())
    }

    /// Creates up to the write limit (10) of records in one request. Each record's cells must
    /// hold at least one field. A failure whose outcome is unknown (a timeout after sending,
    /// a server error) is not retried and comes back as [`Error::UnknownOutcome`].
    pub async fn create_records<F: Serialize, R: DeserializeOwned>(
        &self,
        records: &[F],
        options: &WriteOptions,
    ) -> Result<Vec<Record<R>>> {
        self.check_batch(records.len(), "create records")?;
        let mut texts = Vec::with_capacity(records.len());
        for (i, fields) in records.iter().enumerate() {
            texts.push(non_empty_cells(fields, i)?);
        }
        let body_records: Vec<NewRecord<'_, F>> =
            records.iter().map(|fields| NewRecord { fields }).collect();
        let body = WriteBody {
            records: &body_records,
            field_key: options.field_key.as_str(),
        };
        let call = self
            .records_call(Method::POST)
            .query(&view_query(options))
            .json(&body)?
            .create(texts);
        Ok(self.client.call::<RecordsData<R>>(call).await?.records)
    }

    /// Updates up to the write limit (10) of records in one request (`PATCH`: only the given
    /// cells change).
    pub async fn update_records<F: Serialize, R: DeserializeOwned>(
        &self,
        updates: &[RecordUpdate<F>],
        options: &WriteOptions,
    ) -> Result<Vec<Record<R>>> {
        self.check_batch(updates.len(), "update records")?;
        for (i, u) in updates.iter().enumerate() {
            non_empty_cells(&u.fields, i)?;
        }
        let body = WriteBody {
            records: updates,
            field_key: options.field_key.as_str(),
        };
        let call = self
            .records_call(Method::PATCH)
            .query(&view_query(options))
            .json(&body)?;
        Ok(self.client.call::<RecordsData<R>>(call).await?.records)
    }

    /// Deletes up to the write limit (10) of records in one request.
    pub async fn delete_records(&self, ids: &[RecordId]) -> Result<()> {
        self.check_batch(ids.len(), "delete records")?;
        let query: Vec<(String, String)> = ids
            .iter()
            .map(|id| ("recordIds[]".to_owned(), id.to_string()))
            .collect();
        let call = self.records_call(Method::DELETE).query(&query);
        self.client.send(call).await.map(drop)
    }
}

/// Follows the pages of one listing: says which page comes next, and notices a server that
/// contradicts itself (repeats records, or claims more records than it has).
///
/// Each record id seen is kept as a 64-bit keyed hash with its page number, so memory grows
/// by some 20 to 40 bytes per record (the table's slack included), not by the record. Two
/// different ids sharing a hash, which would stop a correct listing, has a chance of about
/// 3 in 100 million for a listing of a million records.
pub(crate) struct PageTracker {
    size: u64,
    /// The last page number `total` allows; fixed by the first answer, lowered by later ones.
    last: Option<u64>,
    seen: HashMap<u64, u64>,
    hasher: RandomState,
}

impl PageTracker {
    pub(crate) fn new(size: u64) -> Self {
        Self {
            size: size.max(1),
            last: None,
            seen: HashMap::new(),
            hasher: RandomState::new(),
        }
    }

    /// Takes page `num`, with the `total` it claimed and its record ids in order, and returns
    /// the page to fetch next (`None` at the end), or the [`Error::Paging`] that stops the
    /// listing.
    pub(crate) fn check<'a>(
        &mut self,
        num: u64,
        total: u64,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Option<u64>> {
        let claimed = total.div_ceil(self.size);
        let last = self.last.map_or(claimed, |l| l.min(claimed));
        self.last = Some(last);
        let mut count = 0u64;
        let mut repeats: Vec<(&str, u64)> = Vec::new();
        for id in ids {
            count += 1;
            match self.seen.entry(self.hasher.hash_one(id)) {
                Entry::Occupied(earlier) => repeats.push((id, *earlier.get())),
                Entry::Vacant(slot) => {
                    slot.insert(num);
                }
            }
        }
        if let Some(&(id, earlier_page)) = repeats.first() {
            let whole_page = repeats.len() as u64 == count
                && earlier_page != num
                && repeats.iter().all(|&(_, p)| p == earlier_page);
            return Err(Error::Paging(PagingError {
                page: num,
                earlier_page,
                record_id: id.to_owned(),
                whole_page,
            }));
        }
        Ok((count > 0 && num < last).then(|| num + 1))
    }
}

/// The record ids of a checked list response, in order, read without decoding any cell.
pub(crate) fn page_record_ids(body: &[u8]) -> Result<Vec<std::borrow::Cow<'_, str>>> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: PageIds<'a>,
    }
    #[derive(Deserialize)]
    struct PageIds<'a> {
        #[serde(borrow, default)]
        records: Vec<IdOnly<'a>>,
    }
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow, rename = "recordId")]
        id: std::borrow::Cow<'a, str>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(|e| {
        Error::Decode(crate::error::DecodeError::new(format!(
            "unexpected record page: {e}"
        )))
    })?;
    Ok(envelope.data.records.into_iter().map(|r| r.id).collect())
}

fn view_query(options: &WriteOptions) -> Vec<(String, String)> {
    options
        .view_id
        .iter()
        .map(|v| ("viewId".to_owned(), v.to_string()))
        .collect()
}

/// Serialises one record's cells, checking that they form a non-empty JSON object: the server
/// rejects records without a known field.
fn non_empty_cells<F: Serialize>(fields: &F, index: usize) -> Result<String> {
    let value = serde_json::to_value(fields).map_err(|e| {
        Error::InvalidRequest(format!(
            "record #{index}: its cells could not be serialised: {e}"
        ))
    })?;
    match &value {
        serde_json::Value::Object(map) if !map.is_empty() => Ok(value.to_string()),
        serde_json::Value::Object(_) => Err(Error::InvalidRequest(format!(
            "record #{index} has no cells; the server cannot write an empty record"
        ))),
        _ => Err(Error::InvalidRequest(format!(
            "record #{index}: cells must serialise to a JSON object"
        ))),
    }
}
