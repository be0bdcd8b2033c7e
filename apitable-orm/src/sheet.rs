//! [`Sheet`]: a table bound to a client and a datasheet id.

use std::marker::PhantomData;

use futures_core::Stream;

use crate::api::{FieldInfo, FieldKey};
use crate::client::Client;
use crate::column::{Column, LinksTo};
use crate::error::{DecodeError, Error, Result};
use crate::ids::{DatasheetId, IdError, RecordId};
use crate::query::Query;
use crate::related::Related;
use crate::table::{Keyed, Table};
use crate::value::Link;
use crate::write::{self, UpsertOptions, UpsertReport};
use apitable_schema::{FieldSchema, Mismatch, can_be_key};

/// Table `T` in one datasheet, through one client: every read and write of the typed layer.
///
/// `client.table::<T>()` uses the datasheet named in `#[apitable(datasheet = …)]`;
/// `client.table_in::<T>(id)` another one with the same fields (staging and production
/// copies, a datasheet created at run time, …). A sheet holds a clone of the client (a
/// reference-counted handle), so it is cheap to make, to clone and to keep in an app's state.
///
/// ```no_run
/// # use apitable_orm::{Table, Client, RecordId};
/// # #[derive(Table, Clone)]
/// # #[apitable(datasheet = "dstMenu0000000001")]
/// # struct Dish { #[apitable(record_id)] id: Option<RecordId>, #[apitable(key)] name: String, price: f64 }
/// # async fn run(client: Client) -> apitable_orm::Result<()> {
/// let staging = "dstStaging0000001".parse()?;
/// let dishes = client.table_in::<Dish>(staging);
/// let id = dishes.insert(&Dish { id: None, name: "Soup".into(), price: 4.5 }).await?;
/// let soup = dishes.get(&id).await?;
/// let n = dishes.count().await?;
/// let cheap = dishes.query().filter(Dish::PRICE.lt(5)).all().await?;
/// # Ok(()) }
/// ```
pub struct Sheet<T> {
    client: Client,
    id: std::result::Result<DatasheetId, IdError>,
    cache_ttl: Option<std::time::Duration>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Sheet<T> {
    fn clone(&self) -> Self {
        Sheet {
            client: self.client.clone(),
            id: self.id.clone(),
            cache_ttl: self.cache_ttl,
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Sheet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sheet")
            .field("datasheet", &self.id)
            .field("cache_ttl", &self.cache_ttl)
            .finish()
    }
}

impl Client {
    /// Table `T` in its own datasheet (`#[apitable(datasheet = …)]`).
    pub fn table<T: Table>(&self) -> Sheet<T> {
        Sheet {
            client: self.clone(),
            id: T::DATASHEET.parse(),
            cache_ttl: None,
            _t: PhantomData,
        }
    }

    /// Table `T` in datasheet `id` (same fields, another datasheet).
    pub fn table_in<T: Table>(&self, id: DatasheetId) -> Sheet<T> {
        Sheet {
            client: self.clone(),
            id: Ok(id),
            cache_ttl: None,
            _t: PhantomData,
        }
    }
}

impl<T> Sheet<T> {
    /// The datasheet id.
    pub fn id(&self) -> Result<&DatasheetId> {
        self.id.as_ref().map_err(|e| Error::Id(e.clone()))
    }

    /// The client this sheet reads and writes through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// This sheet with every read answered from the client's read cache for up to `ttl`
    /// (see [`Query::cached`]; a query's own setting wins). Writes through any sheet of the
    /// client invalidate what was cached for the datasheet.
    ///
    /// ```no_run
    /// # use apitable_orm::prelude::*;
    /// # #[derive(Table)]
    /// # #[apitable(datasheet = "dstMenu0000000001")]
    /// # struct Dish { #[apitable(name = "Name")] name: String }
    /// # async fn run(client: Client) -> apitable_orm::Result<()> {
    /// let menu = client.table::<Dish>().cached(std::time::Duration::from_secs(2));
    /// let dishes = menu.all().await?; // sent
    /// let again = menu.all().await?; // from the cache
    /// # Ok(()) }
    /// ```
    pub fn cached(mut self, ttl: std::time::Duration) -> Self {
        self.cache_ttl = Some(ttl);
        self
    }

    /// How long this sheet's reads may come from the read cache, if at all.
    pub fn cache_ttl(&self) -> Option<std::time::Duration> {
        self.cache_ttl
    }
}

impl<T: Table> Sheet<T> {
    /// A query over this datasheet, through the table's default view (if it has one); add a
    /// filter, a sort and limits, then run it (`all`, `first`, `count`, `stream`, …).
    pub fn query(&self) -> Query<T, Sheet<T>> {
        self.select(Query::new())
    }

    /// Runs `query`, a query built without a datasheet (`T::query()…`), on this one.
    pub fn select(&self, query: Query<T>) -> Query<T, Sheet<T>> {
        query.bind(self.clone())
    }

    /// The record with this id, if it exists (and is in the table's default view, if it has
    /// one). One request.
    pub async fn get(&self, id: &RecordId) -> Result<Option<T>> {
        self.query().get(id).await
    }

    /// The records with these ids, in the given order; unknown ids are skipped. One request per
    /// [`IDS_PER_REQUEST`](crate::IDS_PER_REQUEST) ids.
    pub async fn get_many(&self, ids: &[RecordId]) -> Result<Vec<T>> {
        self.query().get_many(ids).await
    }

    /// How many records the datasheet has (in the table's default view, if it has one). One
    /// request.
    pub async fn count(&self) -> Result<u64> {
        self.query().count().await
    }

    /// Every record (in the table's default view, if it has one), a page of 1000 a request.
    pub async fn all(&self) -> Result<Vec<T>> {
        self.query().all().await
    }

    /// Every record, one at a time, a page in memory at a time.
    pub fn stream(&self) -> impl Stream<Item = Result<T>> + Send + use<T> {
        self.query().stream()
    }

    /// Loads the rows of this table that the link column `via` of `rows` points to: one
    /// `get_many` of the distinct linked ids, so a page of rows costs one request per
    /// [`IDS_PER_REQUEST`](crate::IDS_PER_REQUEST) linked records, never one per row.
    /// Look the rows up with the same cells: [`Related::one`], [`Related::many`].
    ///
    /// Links are followed by id, through no view (a view's filter would hide linked records);
    /// to load through a view or a filter, use `sheet.query().view(…).load(via, rows)`. Linked
    /// ids that were not found are in [`Related::missing`].
    ///
    /// Two levels are two loads: the second follows the rows the first loaded.
    ///
    /// ```no_run
    /// # use apitable_orm::prelude::*;
    /// # use apitable_orm::value::Link;
    /// # #[derive(Table)] #[apitable(datasheet = "dstPeople00000001")]
    /// # struct Person { #[apitable(record_id)] id: Option<RecordId>, name: String }
    /// # #[derive(Table)] #[apitable(datasheet = "dstTopics00000001")]
    /// # struct Topic { #[apitable(record_id)] id: Option<RecordId>, title: String, author: Option<Link<Person>> }
    /// # #[derive(Table)] #[apitable(datasheet = "dstReplies0000001")]
    /// # struct Reply { #[apitable(record_id)] id: Option<RecordId>, body: String, topic: Option<Link<Topic>> }
    /// # async fn run(client: Client) -> apitable_orm::Result<()> {
    /// let replies = client.table::<Reply>().query().max_records(100).all().await?; // request 1
    /// let topics = client.table::<Topic>().load(Reply::TOPIC, &replies).await?;    // request 2
    /// let people = client.table::<Person>().load(Topic::AUTHOR, &topics).await?;   // request 3
    /// for reply in &replies {
    ///     let topic = topics.one(&reply.topic);
    ///     let author = topic.and_then(|t| people.one(&t.author));
    ///     println!("{} in {:?} by {:?}", reply.body, topic.map(|t| &t.title), author.map(|p| &p.name));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn load<'r, R: Table, V: LinksTo<T>>(
        &self,
        via: Column<R, V>,
        rows: impl IntoIterator<Item = &'r R>,
    ) -> Result<Related<T>> {
        self.query().without_view().load(via, rows).await
    }

    /// Loads the rows `links` point to (each distinct id once, [`IDS_PER_REQUEST`] a request),
    /// through no view: [`load`](Self::load) for links gathered by hand, such as the newest
    /// entry of each of many link cells.
    ///
    /// [`IDS_PER_REQUEST`]: crate::IDS_PER_REQUEST
    pub async fn load_links<'l>(
        &self,
        links: impl IntoIterator<Item = &'l Link<T>>,
    ) -> Result<Related<T>> {
        self.query().without_view().load_links(links).await
    }

    /// Compares the struct with the datasheet's fields (one `GET …/fields`) and reports every
    /// mismatch at once: mapped fields the datasheet lacks, Rust types that cannot hold their
    /// field's cells, written fields the server computes, select enums whose variants differ
    /// from the field's options, and a key field that cannot be upserted by. The server
    /// silently drops cells whose field does not exist, so a renamed or deleted column would
    /// otherwise lose writes without an error; run this at start-up (or in CI) to find out
    /// early.
    ///
    /// ```no_run
    /// # use apitable_orm::{Table, Client, RecordId};
    /// # #[derive(Table)]
    /// # #[apitable(datasheet = "dstMenu0000000001")]
    /// # struct Dish { #[apitable(record_id)] id: Option<RecordId>, name: String }
    /// # async fn run(client: Client) -> apitable_orm::Result<()> {
    /// let report = client.table::<Dish>().check_schema().await?;
    /// if !report.is_ok() {
    ///     eprintln!("{report}"); // names the datasheet and every mismatch
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn check_schema(&self) -> Result<SchemaReport> {
        let dst = self.id()?;
        let fields: Vec<FieldSchema> = self
            .client
            .datasheet(dst)
            .fields(None)
            .await?
            .into_iter()
            .map(FieldInfo::into_schema)
            .collect();
        Ok(SchemaReport::compare::<T>(dst.as_str(), &fields))
    }

    /// Creates a record from `row` (its empty cells are left out); returns the new id.
    pub async fn insert(&self, row: &T) -> Result<RecordId> {
        let mut ids =
            write::insert_many(&self.client, self.id()?, std::slice::from_ref(row)).await?;
        ids.pop()
            .ok_or_else(|| Error::Decode(DecodeError::new("the server created no record")))
    }

    /// Creates records, 10 per request; returns their ids in order. A failure part-way is an
    /// [`Error::Batch`] that says which rows were written.
    pub async fn insert_many(&self, rows: &[T]) -> Result<Vec<RecordId>> {
        write::insert_many(&self.client, self.id()?, rows).await
    }

    /// Writes every writable cell of `row` to its record (`row` must hold a record id).
    pub async fn update(&self, row: &T) -> Result<()> {
        write::update_many(&self.client, self.id()?, std::slice::from_ref(row)).await
    }

    /// Updates records, 10 per request.
    pub async fn update_many(&self, rows: &[T]) -> Result<()> {
        write::update_many(&self.client, self.id()?, rows).await
    }

    /// Sends only the cells where `new` differs from `old` (nothing when equal); returns
    /// whether a request was made.
    pub async fn update_changed(&self, old: &T, new: &T) -> Result<bool>
    where
        T: Clone,
    {
        let pair = [(old.clone(), new.clone())];
        Ok(write::update_changed_many(&self.client, self.id()?, &pair).await? > 0)
    }

    /// [`update_changed`](Self::update_changed) for many (old, new) pairs, 10 per request;
    /// returns how many records were changed.
    pub async fn update_changed_many(&self, pairs: &[(T, T)]) -> Result<usize> {
        write::update_changed_many(&self.client, self.id()?, pairs).await
    }

    /// Deletes a record.
    pub async fn delete(&self, id: &RecordId) -> Result<()> {
        write::delete_many(&self.client, self.id()?, std::slice::from_ref(id)).await
    }

    /// Deletes records, 10 per request.
    pub async fn delete_many(&self, ids: &[RecordId]) -> Result<()> {
        write::delete_many(&self.client, self.id()?, ids).await
    }

    /// Inserts `row` if it has no record id (and stores the new id in it), else updates it.
    pub async fn save(&self, row: &mut T) -> Result<()> {
        if row.record_id().is_some() {
            self.update(row).await
        } else {
            let id = self.insert(row).await?;
            row.set_record_id(id);
            Ok(())
        }
    }

    /// Creates the rows whose `column` value is new, updates the changed cells of the others
    /// and leaves identical ones alone. Every row is checked (missing or duplicate keys) before
    /// the first request. Existing records are found the cheaper way: with `OR()` formulas of
    /// keys, a URL-sized chunk at a time, or, when that would take more requests than the
    /// datasheet has pages of 1,000 (the first page tells), by reading the whole datasheet.
    /// Rows of 1,000 keys against a 500-record datasheet thus cost one read, not twelve.
    ///
    /// Cells are compared with what the server stores (a URL's default title, a member's ids,
    /// an attachment's server-filled details), so an identical rerun sends no write. An empty
    /// cell in a row (`None`, `[]`, `""`) never clears a stored value; see
    /// [`upsert_by_with`](Self::upsert_by_with) to clear.
    ///
    /// Not atomic, but safe to run again: after an [`Error::Batch`], a rerun with the same rows
    /// finds the records that were created (including those whose outcome was unknown) by their
    /// key and creates only the missing ones.
    pub async fn upsert_by<V>(&self, column: Column<T, V>, rows: &[T]) -> Result<UpsertReport> {
        self.upsert_by_with(column, rows, UpsertOptions::default())
            .await
    }

    /// [`upsert_by`](Self::upsert_by) with options, e.g. to let empty input cells clear stored
    /// values (each cleared cell is listed in [`UpsertReport::cleared`]).
    pub async fn upsert_by_with<V>(
        &self,
        column: Column<T, V>,
        rows: &[T],
        options: UpsertOptions,
    ) -> Result<UpsertReport> {
        write::upsert_by(&self.client, self.id()?, column, rows, options).await
    }

    /// [`upsert_by`](Self::upsert_by) the `#[apitable(key)]` field.
    pub async fn upsert(&self, rows: &[T]) -> Result<UpsertReport>
    where
        T: Keyed,
    {
        self.upsert_with(rows, UpsertOptions::default()).await
    }

    /// [`upsert`](Self::upsert) with options.
    pub async fn upsert_with(&self, rows: &[T], options: UpsertOptions) -> Result<UpsertReport>
    where
        T: Keyed,
    {
        write::upsert_by(&self.client, self.id()?, T::KEY, rows, options).await
    }
}

/// How a table's struct differs from its datasheet; see [`Sheet::check_schema`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaReport {
    /// The datasheet that was compared.
    pub datasheet: String,
    /// Mapped fields (by name or id) that the datasheet does not have.
    pub missing: Vec<&'static str>,
    /// Fields the struct writes that the server computes or the token may not edit: mark them
    /// `#[apitable(read_only)]`.
    pub not_writable: Vec<&'static str>,
    /// Fields whose Rust type cannot hold the field's cells: (field, why).
    pub mismatched: Vec<(&'static str, Mismatch)>,
    /// Select fields with options the Rust enum has no variant for (reading a record that
    /// holds one fails): (field, options).
    pub unreadable_options: Vec<(&'static str, Vec<String>)>,
    /// Select fields whose Rust enum has variants that are not options of the field (writing
    /// one creates a new option): (field, variants).
    pub unknown_variants: Vec<(&'static str, Vec<&'static str>)>,
    /// The upsert key, if its field type cannot be looked up by value.
    pub bad_key: Option<&'static str>,
}

impl SchemaReport {
    /// Compares table `T` with `fields`, the fields of datasheet `datasheet`.
    pub fn compare<T: Table>(datasheet: &str, fields: &[FieldSchema]) -> SchemaReport {
        let mut report = SchemaReport {
            datasheet: datasheet.to_owned(),
            ..SchemaReport::default()
        };
        for meta in T::FIELDS {
            let found = fields.iter().find(|f| match T::FIELD_KEY {
                FieldKey::Id => f.id == meta.key,
                FieldKey::Name => f.name == meta.key,
            });
            let Some(field) = found else {
                report.missing.push(meta.key);
                continue;
            };
            if !meta.read_only && !field.is_writable() {
                report.not_writable.push(meta.key);
            }
            if let Err(m) = meta.shape.check(field) {
                report.mismatched.push((meta.key, m));
            }
            if let (Some(variants), Some(options)) = (meta.options, field.select_options()) {
                let unreadable: Vec<String> = options
                    .iter()
                    .filter(|o| !variants.contains(o))
                    .map(|o| (*o).to_owned())
                    .collect();
                if !unreadable.is_empty() {
                    report.unreadable_options.push((meta.key, unreadable));
                }
                let unknown: Vec<&'static str> = variants
                    .iter()
                    .copied()
                    .filter(|v| !options.contains(v))
                    .collect();
                if !unknown.is_empty() {
                    report.unknown_variants.push((meta.key, unknown));
                }
            }
        }
        if let Some(key) = T::KEY_FIELD
            && let Some(field) = fields.iter().find(|f| match T::FIELD_KEY {
                FieldKey::Id => f.id == key,
                FieldKey::Name => f.name == key,
            })
            && !can_be_key(field)
        {
            report.bad_key = Some(key);
        }
        report
    }

    /// Whether the struct fits the datasheet.
    pub fn is_ok(&self) -> bool {
        self.missing.is_empty()
            && self.not_writable.is_empty()
            && self.mismatched.is_empty()
            && self.unreadable_options.is_empty()
            && self.unknown_variants.is_empty()
            && self.bad_key.is_none()
    }
}

impl std::fmt::Display for SchemaReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_ok() {
            return write!(f, "the struct matches datasheet {}", self.datasheet);
        }
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!("no such field: {}", self.missing.join(", ")));
        }
        if !self.not_writable.is_empty() {
            parts.push(format!(
                "written but not writable (mark them read_only): {}",
                self.not_writable.join(", ")
            ));
        }
        for (field, m) in &self.mismatched {
            parts.push(format!("field {field:?}: {m}"));
        }
        for (field, options) in &self.unreadable_options {
            parts.push(format!(
                "field {field:?} has options the enum cannot read: {}",
                options.join(", ")
            ));
        }
        for (field, variants) in &self.unknown_variants {
            parts.push(format!(
                "field {field:?} has no options for the enum variants {}",
                variants.join(", ")
            ));
        }
        if let Some(key) = self.bad_key {
            parts.push(format!(
                "the upsert key {key:?} is of a type that cannot be looked up by value"
            ));
        }
        write!(
            f,
            "the struct does not match datasheet {}: {}",
            self.datasheet,
            parts.join("; ")
        )
    }
}
