//! A local APITable "Fusion" REST API server, for tests, examples and offline prototypes.
//!
//! Written from what the real server's source does (its envelopes, limits, error codes and cell
//! shapes, described in these docs), independently of `apitable-orm`: when the ORM and the
//! emulator agree, that agreement means something.
//!
//! # Start one in-process
//!
//! ```no_run
//! # async fn demo() -> Result<(), apitable_emulator::Error> {
//! use apitable_emulator::{Emulator, FieldSpec};
//! use serde_json::json;
//!
//! let emu = Emulator::builder().start().await?;
//! let menu = emu
//!     .create_datasheet(
//!         "Menu",
//!         &[
//!             FieldSpec::new("Name", "SingleText"),
//!             FieldSpec::new("Price", "Currency").property(json!({"precision": 2})),
//!         ],
//!     )
//!     .await?;
//! // Talk to it over HTTP like to the real server:
//! let url = format!("{}/fusion/v1/datasheets/{}/records", emu.base_url(), menu.id);
//! let auth = format!("Bearer {}", emu.token());
//! # let _ = (url, auth);
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The binary `apitable-emulator --db FILE --port N [--token T] [--seed FILE]` serves the same
//! API on a fixed port, with data kept in `FILE` across restarts.
//!
//! # What it implements
//!
//! * Every v1 path: records list / create / update (PATCH and PUT) / delete,
//!   fields list / create / delete, views list, datasheet create, attachment upload (the stored
//!   bytes are served at the returned `url`, `GET /assets/{token}`), spaces, nodes list and
//!   detail, `GET /fusion/v1/timemachine/{dstId}`; v2 node search; the contacts paths
//!   (members, teams, roles) over a simple in-DB model. v3 and unknown paths answer the 404
//!   envelope.
//! * Envelopes and statuses of the real server: 201 on POST success, HTTP 200 + `success:false`
//!   for business errors, 401 / 403 / 404 / 429 / 500 where the server uses them, no `data` on a
//!   successful DELETE of records.
//! * All list parameters, write validation per field type with the real server's codes and
//!   messages, select options created on write, read-only fields rejected, limits,
//!   `filterByFormula` through [`formula`], the rate limiter (off by default in the library, on
//!   in the binary).
//! * For reliability tests: [`Emulator::stats`] / `GET /_emulator/stats` (admin token) count
//!   requests per route template and status, and injected faults per kind;
//!   [`Emulator::set_faults`] / `PUT /_emulator/faults` inject faults with a seed (see
//!   [`Faults`]):
//!   * before the request is handled (nothing takes effect): 429s (optionally with
//!     `Retry-After`), 500s, 502/503/504 HTML gateway pages, dropped connections;
//!   * after it was handled and committed: the connection dropped without an answer, the answer
//!     held back past the client's timeout, the answer's body cut off after half of its
//!     promised `Content-Length`, or the answer replaced by a gateway page;
//!   * a create of several records that creates only the first k and answers success with
//!     those k;
//!   * latency with jitter.
//!
//!   Faults can be aimed at a method, a route template (`/assets/{token}` included), a
//!   datasheet id or a token.
//!
//! # Slow clients and served files
//!
//! * A client must send a request's headers within [`EmulatorBuilder::header_read_timeout`]
//!   (default 10 s; the same limit closes idle keep-alive connections) and its body within
//!   [`EmulatorBuilder::body_read_timeout`] (default 30 s, then HTTP 408 and the connection is
//!   closed). The binary takes `--header-read-timeout-ms` and `--body-read-timeout-ms`.
//! * An answer sent before the body was needed (401, 404, the rate limiter's 429) still reads
//!   and discards the body first, so the keep-alive connection stays usable.
//! * `GET /assets/{token}` serves raster images (PNG, JPEG, GIF, WebP, BMP, ICO) and common
//!   document, archive, audio and video types with their stored type; anything else (HTML, SVG,
//!   unknown types) as `application/octet-stream` with `Content-Disposition: attachment`. Every
//!   asset is sent with `X-Content-Type-Options: nosniff`. The `mimeType` reported in upload
//!   answers and attachment cells stays the type the uploader sent.
//!
//! Admin endpoints (all need `Authorization: Bearer <admin token>`): `GET /_emulator/stats`,
//! `DELETE /_emulator/stats` (reset), `GET|PUT|DELETE /_emulator/faults` (body: [`Faults`] in
//! camelCase JSON).
//!
//! # Seed format
//!
//! [`EmulatorBuilder::seed_file`] / [`EmulatorBuilder::seed_json`] take:
//!
//! ```json
//! {
//!   "spaces": [{
//!     "name": "Acme",                       // the first space is the default space
//!     "members": [{"name": "Alice", "email": "alice@example.com", "type": "Member"}],
//!     "teams": [{"name": "Engineering"}],
//!     "roles": [{"name": "Reviewer"}],
//!     "nodes": [
//!       {"type": "Folder", "name": "Projects", "children": [ …nodes… ]},
//!       {"type": "Datasheet", "name": "Menu", "id": "dst…(optional)",
//!        "fields": [{"name": "Name", "type": "SingleText", "property": {}},
//!                   {"name": "Price", "type": "Currency", "property": {"precision": 2}},
//!                   {"name": "Tags", "type": "TwoWayLink", "property": {"foreignDatasheetId": "Tags"}}],
//!        "views": [{"name": "All"},
//!                  {"name": "Cheap", "filter": "{Price} < 5", "hidden": ["Tags"],
//!                   "sort": [{"field": "Price", "desc": true}], "rowOrder": ["r2", "r1"]}],
//!        "records": [{"id": "r1", "fields": {"Name": "Tea", "Price": 3, "Tags": ["t1"]}}]}
//!     ]
//!   }],
//!   "datasheets": [ …datasheet nodes placed at the root of the default space… ]
//! }
//! ```
//!
//! A view `filter` is a formula string or structured conditions (see "Deviations" below).
//! Link properties may name the foreign datasheet by id or by name; lookup properties may name
//! fields by id or name. Record ids given in the seed are kept when they look like `rec…` ids and
//! are otherwise mapped to fresh ids (links and `rowOrder` may use either). Declare a two-way link
//! on one side only: the sibling field is created in the other datasheet. Formula cells may be
//! pinned to fixed values (otherwise they are computed from their expression).
//!
//! Every database starts with two users: the owner of the default space ([`Emulator::token`])
//! and an outsider with a space of its own ([`Emulator::outsider_token`]).
//!
//! # Deviations from the real server
//!
//! * **DTO-level parameter errors** (`pageSize` out of range, bad `pageNum` / `maxRecords` /
//!   `cellFormat` / `fieldKey`, an empty `records` array, a missing `recordId` or datasheet
//!   `name`, malformed JSON `sort`): the real server hangs (one error) or answers HTTP 500 with
//!   `message` as an array (several errors). The emulator answers a clean HTTP 200
//!   `{"success":false,"code":400,"message":"<tip text>"}` for the first failing check.
//!   [`EmulatorBuilder::strict_dto`] switches to the real multi-error form instead: HTTP 500
//!   with `message` as a one-element array (a hang is never reproduced).
//! * A request body that is not JSON answers HTTP 200 code 400 `Parameter error`.
//! * Keys of `fields` objects come back sorted by name (serde_json's map), not in column order;
//!   when one record has several bad cells, the first one in that order is reported.
//! * Formula fields are computed on read with [`formula`] (a seed may pin fixed values instead);
//!   an evaluation error reads as an empty cell. Their `valueType` comes from a trial
//!   evaluation. Lookups are computed for the common rollup functions.
//! * Views are modelled as: an optional explicit row order, an optional filter (a formula
//!   string, or structured conditions `{"conjunction": "and"|"or", "conditions": [{"field",
//!   "operator", "value"}]}` with the operators `is`, `isNot`, `contains`, `doesNotContain`,
//!   `isEmpty`, `isNotEmpty`, `isGreater`, `isGreaterEqual`, `isLess`, `isLessEqual`), sort rules,
//!   hidden fields and a column order (set by seeding or [`Emulator::add_view`]); no groups.
//!   Records created through a view are pre-filled only from `is` conditions of a structured
//!   filter (AND-combined, or a single condition), never from a formula filter.
//! * `presignedUrl` upload URLs point at the emulator (`PUT /assets/{token}`), not at object
//!   storage.
//! * Two-way link fields whose foreign datasheet is the same datasheet have no sibling field.
//! * Exceeding the field limit answers code 400 `fields must contain no more than 200 elements`
//!   (the real code is not known).
//! * Members, teams and roles are a simple model: every member of a space has permission 0
//!   (admins) or 1 (others) on every node.
//! * Time zone: the "server time zone" is a fixed UTC offset ([`EmulatorBuilder::utc_offset_minutes`],
//!   default 0) instead of `America/Toronto` / `Asia/Singapore`.
#![deny(missing_docs)]

mod app;
pub mod config;
pub mod envelope;
mod faults;
mod fields;
mod handlers;
mod ids;
mod params;
mod ratelimit;
mod seed;
mod server;
mod stats;
mod store;
mod views;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value as Json, json};
use tokio::sync::oneshot;

pub use apitable_formula as formula;
pub use config::Limits;
pub use envelope::ApiError;
pub use faults::Faults;
pub use ratelimit::ManualClock;
pub use stats::{RouteStats, Stats};

use app::App;
use config::Settings;
use faults::FaultInjector;
use ratelimit::RateLimiter;
use stats::StatsCollector;
use store::Store;
use store::model::{MemberUnit, Space, User};

/// Errors of starting or driving an emulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding the socket or another I/O failure.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Opening, loading or writing the SQLite database.
    #[error("database error: {0}")]
    Database(String),
    /// The seed could not be read or applied.
    #[error("seed error: {0}")]
    Seed(String),
    /// A programmatic call was refused (same code and message as over HTTP).
    #[error("{0}")]
    Api(ApiError),
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

/// A field to create: name, API type and optional create-shape `property`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// Field name.
    pub name: String,
    /// API type name as accepted when creating (`"SingleText"`, `"Currency"`, …).
    pub field_type: String,
    /// The create-shape property.
    pub property: Option<Json>,
}

impl FieldSpec {
    /// A field with no property.
    pub fn new(name: impl Into<String>, field_type: impl Into<String>) -> Self {
        FieldSpec {
            name: name.into(),
            field_type: field_type.into(),
            property: None,
        }
    }

    /// Sets the create-shape property.
    pub fn property(mut self, property: Json) -> Self {
        self.property = Some(property);
        self
    }

    fn to_json(&self) -> Json {
        let mut o = json!({"name": self.name, "type": self.field_type});
        if let Some(p) = &self.property {
            o["property"] = p.clone();
        }
        o
    }
}

/// Something the emulator stores under an id and a name: a datasheet, a field or a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its id (`dst…`, `fld…`, `viw…`).
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A datasheet's fields and views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasheetInfo {
    /// `dst…`.
    pub id: String,
    /// Its fields, primary first.
    pub fields: Vec<Entry>,
    /// Its views, in order.
    pub views: Vec<Entry>,
}

impl DatasheetInfo {
    /// The id of the field named `name`.
    pub fn field_id(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.id.as_str())
    }

    /// The id of the view named `name`.
    pub fn view_id(&self, name: &str) -> Option<&str> {
        self.views
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.id.as_str())
    }
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    rate_limit: Option<u32>,
    rate_limit_clock: Option<ManualClock>,
    database: Option<PathBuf>,
    seed: Option<SeedSource>,
    limits: Limits,
    port: u16,
    token: Option<String>,
    admin_token: Option<String>,
    faults: Faults,
    utc_offset_minutes: i32,
    strict_dto: bool,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
}

/// Default of [`EmulatorBuilder::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`EmulatorBuilder::body_read_timeout`].
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
enum SeedSource {
    File(PathBuf),
    Json(String),
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            rate_limit: None,
            rate_limit_clock: None,
            database: None,
            seed: None,
            limits: Limits::default(),
            port: 0,
            token: None,
            admin_token: None,
            faults: Faults::none(),
            utc_offset_minutes: 0,
            strict_dto: false,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
        }
    }
}

impl EmulatorBuilder {
    /// Requests per second per (datasheet-or-space, token); `None` (the default) = no limit.
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = per_second;
        self
    }

    /// Measures the rate limiter's one-second windows with `clock` instead of the system's
    /// clock: requests share a window until the clock is advanced by a second.
    pub fn rate_limit_clock(mut self, clock: ManualClock) -> Self {
        self.rate_limit_clock = Some(clock);
        self
    }

    /// Persist to this SQLite file (default: in memory). Existing data is loaded.
    pub fn database(mut self, path: impl AsRef<Path>) -> Self {
        self.database = Some(path.as_ref().to_path_buf());
        self
    }

    /// Seed from a JSON file (see the `seed` format in the crate docs). A seed is applied only
    /// to a fresh database.
    pub fn seed_file(mut self, path: impl AsRef<Path>) -> Self {
        self.seed = Some(SeedSource::File(path.as_ref().to_path_buf()));
        self
    }

    /// Seed from a JSON string.
    pub fn seed_json(mut self, json: &str) -> Self {
        self.seed = Some(SeedSource::Json(json.to_string()));
        self
    }

    /// All limits at once.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Records per write request (default 10).
    pub fn max_records_per_write(mut self, n: usize) -> Self {
        self.limits.max_records_per_write = n;
        self
    }

    /// Largest page size (default 1000).
    pub fn max_page_size(mut self, n: i64) -> Self {
        self.limits.max_page_size = n;
        self
    }

    /// Records per datasheet (default 50,000).
    pub fn max_records_per_datasheet(mut self, n: usize) -> Self {
        self.limits.max_records_per_datasheet = n;
        self
    }

    /// Fields per datasheet (default 200).
    pub fn max_fields_per_datasheet(mut self, n: usize) -> Self {
        self.limits.max_fields_per_datasheet = n;
        self
    }

    /// Views per datasheet (default 30).
    pub fn max_views_per_datasheet(mut self, n: usize) -> Self {
        self.limits.max_views_per_datasheet = n;
        self
    }

    /// Port on 127.0.0.1 (default 0 = any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The default user's API token (default: kept from the database, or random).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The admin token for `/_emulator/…` (default: random).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Faults active from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The server's time zone as a fixed UTC offset (date strings, `cellFormat=string`).
    pub fn utc_offset_minutes(mut self, minutes: i32) -> Self {
        self.utc_offset_minutes = minutes;
        self
    }

    /// Answer DTO-level parameter errors the way the real server does
    /// when two checks fail at once: HTTP 500 `{"success":false,"code":500,"message":["…"]}`.
    /// Default `false`: a clean HTTP 200 code-400 envelope.
    pub fn strict_dto(mut self, strict: bool) -> Self {
        self.strict_dto = strict;
        self
    }

    /// How long a client may take to send a request's headers (default 10 s, at least 1 ms).
    /// The clock starts when the server waits for a request, so it also bounds how long an idle
    /// keep-alive connection stays open. When it runs out, the connection is closed.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long a client may take to send a request's whole body once its headers have arrived
    /// (default 30 s). When it runs out, the server answers HTTP 408 with `Connection: close`
    /// and closes the connection.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Opens the database, seeds it, binds 127.0.0.1 and serves on a background thread.
    pub async fn start(self) -> Result<Emulator, Error> {
        let seed_text = match &self.seed {
            None => None,
            Some(SeedSource::Json(s)) => Some(s.clone()),
            Some(SeedSource::File(p)) => Some(
                std::fs::read_to_string(p)
                    .map_err(|e| Error::Seed(format!("{}: {e}", p.display())))?,
            ),
        };
        let seed: Option<Json> = match seed_text {
            Some(t) => Some(serde_json::from_str(&t).map_err(|e| Error::Seed(e.to_string()))?),
            None => None,
        };
        let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], self.port)))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let store = Store::open(self.database.as_deref()).map_err(Error::Database)?;
        let app = Arc::new(App {
            store,
            settings: Settings {
                limits: self.limits.clone(),
                rate_limit: self.rate_limit,
                utc_offset_minutes: self.utc_offset_minutes,
                strict_dto: self.strict_dto,
                body_read_timeout: self.body_read_timeout,
            },
            base_url: base_url.clone(),
            admin_token: self
                .admin_token
                .clone()
                .unwrap_or_else(|| format!("adm{}", ids::alnum(20))),
            rate: RateLimiter::with_clock(self.rate_limit_clock.clone()),
            stats: StatsCollector::default(),
            faults: FaultInjector::new(self.faults.clone()),
            pending_uploads: Default::default(),
        });
        let (token, outsider, space_id) = bootstrap(&app, self.token.as_deref(), seed.as_ref())?;

        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let router = axum::Router::new()
            .fallback(server::handle)
            .with_state(app.clone());
        let header_timeout = self.header_read_timeout;
        let thread = std::thread::Builder::new()
            .name("apitable-emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(_) => return,
                };
                rt.block_on(async move {
                    if let Ok(l) = tokio::net::TcpListener::from_std(listener) {
                        serve(l, router, header_timeout, stop_rx).await;
                    }
                });
                rt.shutdown_timeout(Duration::from_millis(200));
                let _ = done_tx.send(());
            })?;
        Ok(Emulator {
            app,
            token,
            outsider_token: outsider,
            space_id,
            stop: Some(stop_tx),
            done: Some(done_rx),
            _thread: Some(thread),
        })
    }
}

/// Accepts HTTP/1.1 connections until `stop` fires, then lets open connections finish their
/// current request (up to [`SHUTDOWN_GRACE`]).
async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    header_timeout: Duration,
    mut stop: oneshot::Receiver<()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// How long a stopping server waits for open connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Creates (or finds) the default user, the outsider and their spaces; applies the seed to a
/// fresh database.
fn bootstrap(
    app: &App,
    token: Option<&str>,
    seed: Option<&Json>,
) -> Result<(String, String, String), Error> {
    app.store
        .write(|state, batch| {
            let fresh = state.users.is_empty();
            if fresh {
                let owner = User {
                    id: ids::user(),
                    name: "Emulator Owner".into(),
                    avatar: None,
                    email: Some("owner@emulator.local".into()),
                    token: token.map(str::to_string).unwrap_or_else(ids::token),
                };
                let outsider = User {
                    id: ids::user(),
                    name: "Outsider".into(),
                    avatar: None,
                    email: Some("outsider@emulator.local".into()),
                    token: ids::token(),
                };
                let space_for = |u: &User, name: &str| Space {
                    id: ids::space(),
                    name: name.into(),
                    members: vec![MemberUnit {
                        id: ids::unit_numeric(),
                        unit_id: ids::alnum(32).to_lowercase(),
                        user_id: Some(u.id.clone()),
                        name: u.name.clone(),
                        email: u.email.clone(),
                        mobile: None,
                        avatar: None,
                        status: 1,
                        member_type: "PrimaryAdmin".into(),
                        teams: Vec::new(),
                        roles: Vec::new(),
                    }],
                    teams: Vec::new(),
                    roles: Vec::new(),
                };
                state.spaces.push(space_for(&owner, "Emulator Space"));
                state.spaces.push(space_for(&outsider, "Outsider Space"));
                state.users.push(owner);
                state.users.push(outsider);
                if let Some(seed) = seed {
                    let uid = state.users[0].id.clone();
                    let sid = state.spaces[0].id.clone();
                    seed::apply(app, state, batch, seed, &uid, &sid).map_err(ApiError::bad)?;
                }
            } else if let Some(t) = token
                && state.users[0].token != t
            {
                state.users[0].token = t.to_string();
            }
            batch.users(state);
            batch.spaces(state);
            batch.nodes(state);
            let outsider = state
                .users
                .get(1)
                .map(|u| u.token.clone())
                .unwrap_or_default();
            Ok((
                state.users[0].token.clone(),
                outsider,
                state.spaces[0].id.clone(),
            ))
        })
        .map_err(|e| {
            if e.code == 400 {
                Error::Seed(e.message)
            } else {
                Error::Database(e.message)
            }
        })
}

/// A running emulator. Dropping it stops the server; [`Emulator::shutdown`] also waits for it.
#[derive(Debug)]
pub struct Emulator {
    app: Arc<App>,
    token: String,
    outsider_token: String,
    space_id: String,
    stop: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<()>>,
    _thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// A builder with the library defaults (in memory, no rate limit, real limits).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }

    /// An API token (`usk…`) of the owner of the default space.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A valid token of a user who is **not** a member of the default space (for 403 tests).
    pub fn outsider_token(&self) -> &str {
        &self.outsider_token
    }

    /// The token of the `/_emulator/…` admin endpoints.
    pub fn admin_token(&self) -> &str {
        &self.app.admin_token
    }

    /// The default space id (`spc…`).
    pub fn space_id(&self) -> &str {
        &self.space_id
    }

    /// The rate limit in requests per second per datasheet (or space) and token; `None` when
    /// requests are not limited (the default).
    pub fn rate_limit(&self) -> Option<u32> {
        self.app.settings.rate_limit
    }

    /// The configured limits.
    pub fn limits(&self) -> &Limits {
        &self.app.settings.limits
    }

    /// Creates a datasheet in the default space (empty `fields` = the default fields).
    pub async fn create_datasheet(
        &self,
        name: &str,
        fields: &[FieldSpec],
    ) -> Result<DatasheetInfo, Error> {
        let specs: Vec<Json> = fields.iter().map(FieldSpec::to_json).collect();
        let app = self.app.clone();
        let space = self.space_id.clone();
        let name = name.to_string();
        let id = app.store.write(|state, batch| {
            handlers::datasheets::create_in(
                &app,
                state,
                batch,
                handlers::datasheets::NewDatasheet {
                    space_id: &space,
                    name: &name,
                    folder_id: None,
                    pre_node_id: None,
                    fields: if specs.is_empty() { None } else { Some(&specs) },
                    id: None,
                },
            )
        })?;
        self.datasheet(&id)
            .ok_or(Error::Api(envelope::tips::datasheet_not_exist()))
    }

    /// Adds a field to a datasheet; returns its id and name.
    pub async fn create_field(&self, dst: &str, field: FieldSpec) -> Result<Entry, Error> {
        let spec = field.to_json();
        let (id, name) = self.app.store.write(|state, batch| {
            handlers::datasheets::add_field(&self.app, state, batch, dst, &spec)
        })?;
        Ok(Entry { id, name })
    }

    /// Adds a view described as in the seed format (`{"name", "hidden", "columns", "filter",
    /// "sort", "rowOrder"}`); returns its id.
    pub async fn add_view(&self, dst: &str, view: Json) -> Result<String, Error> {
        Ok(self.app.store.write(|state, batch| {
            let ds = state
                .datasheets
                .get(dst)
                .ok_or_else(envelope::tips::datasheet_not_exist)?;
            if ds.views.len() >= self.app.settings.limits.max_views_per_datasheet {
                return Err(envelope::tips::max_count(
                    "views",
                    self.app.settings.limits.max_views_per_datasheet,
                ));
            }
            let v =
                seed::build_view(state, dst, &view, &Default::default()).map_err(ApiError::bad)?;
            let id = v.id.clone();
            let ds = state.datasheets.get_mut(dst).expect("checked above");
            ds.views.push(v);
            batch.datasheet(ds);
            Ok(id)
        })?)
    }

    /// Inserts many records at once (cells keyed by field name), bypassing the per-request
    /// limit and the rate limiter; validation and the per-datasheet limit still apply.
    pub async fn insert_records(
        &self,
        dst: &str,
        records: Vec<Json>,
    ) -> Result<Vec<String>, Error> {
        let items: Vec<Json> = records
            .into_iter()
            .map(|f| json!({ "fields": f }))
            .collect();
        let user = {
            let s = self.app.store.read();
            s.users[0].id.clone()
        };
        Ok(self.app.store.write(|state, batch| {
            handlers::records::insert(
                &self.app,
                state,
                batch,
                handlers::records::RecordsWrite {
                    user: &user,
                    dst,
                    items: &items,
                    by_id: false,
                },
                handlers::records::InsertOptions {
                    enforce_write_limit: false,
                    view_id: None,
                },
                None,
            )
        })?)
    }

    /// Fields and views of a datasheet.
    pub fn datasheet(&self, dst: &str) -> Option<DatasheetInfo> {
        let s = self.app.store.read();
        let ds = s.datasheets.get(dst)?;
        Some(DatasheetInfo {
            id: ds.id.clone(),
            fields: ds
                .fields
                .iter()
                .map(|f| Entry {
                    id: f.id.clone(),
                    name: f.name.clone(),
                })
                .collect(),
            views: ds
                .views
                .iter()
                .map(|v| Entry {
                    id: v.id.clone(),
                    name: v.name.clone(),
                })
                .collect(),
        })
    }

    /// Every datasheet the default user can see, in tree order.
    pub fn datasheets(&self) -> Vec<Entry> {
        let s = self.app.store.read();
        let uid = s.users.first().map(|u| u.id.clone()).unwrap_or_default();
        s.nodes
            .iter()
            .filter(|n| n.node_type == "Datasheet" && s.is_member(&n.space_id, &uid))
            .map(|n| Entry {
                id: n.id.clone(),
                name: n.name.clone(),
            })
            .collect()
    }

    /// The id of the datasheet named `name` (any space).
    pub fn datasheet_id(&self, name: &str) -> Option<String> {
        let s = self.app.store.read();
        s.nodes
            .iter()
            .find(|n| n.node_type == "Datasheet" && n.name == name)
            .map(|n| n.id.clone())
    }

    /// A snapshot of the request counters.
    pub async fn stats(&self) -> Stats {
        self.app.stats.snapshot()
    }

    /// Zeroes the request counters.
    pub async fn reset_stats(&self) {
        self.app.stats.reset();
    }

    /// Replaces the active faults (and re-seeds their generator).
    pub async fn set_faults(&self, faults: Faults) {
        self.app.faults.set(faults);
    }

    /// The active faults.
    pub fn faults(&self) -> Faults {
        self.app.faults.get()
    }

    /// Stops the server and waits (up to 5 s) until it has closed.
    pub async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(d) = self.done.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), d).await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
