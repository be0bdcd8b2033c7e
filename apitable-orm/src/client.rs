//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

use crate::config::{Pacing, RetryPolicy};
use crate::error::{Error, Result};
use crate::transport::pacer::Pacer;
use crate::transport::{Call, Checked, Connector, Transport};

/// The APITable cloud.
pub const DEFAULT_BASE_URL: &str = "https://api.apitable.com";

/// The server's default limit of records per create, update or delete request.
pub const DEFAULT_MAX_RECORDS_PER_WRITE: usize = 10;

/// How many requests of one multi-request write are in flight at once by default: the
/// server's limit per second, so that latency overlaps instead of adding up.
const DEFAULT_WRITES_IN_FLIGHT: usize = 5;

/// The default limit on the length of one response body, 128 MiB.
///
/// The largest answer a client asks for is a page of 1,000 records. With long texts, many
/// fields (a datasheet may have 200), lookups and attachment lists, such a page can reach tens
/// of MiB; 128 MiB leaves room for that while a broken or hostile server cannot make the
/// client hold gigabytes. See [`ClientBuilder::max_response_size`].
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 128 * 1024 * 1024;

/// A handle to one APITable server with one API token. Cheap to clone; clones share the
/// connection pool and the pacing state.
///
/// ```no_run
/// # async fn run() -> apitable_orm::Result<()> {
/// use apitable_orm::Client;
/// let client = Client::builder()
///     .token("uskYourApiToken0000000")
///     .base_url("https://api.apitable.com")
///     .build()?;
/// for space in client.spaces().await? {
///     println!("{} {}", space.id, space.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
    max_records_per_write: usize,
    writes_in_flight: usize,
}

impl Client {
    /// A client for an in-process emulator, paced as the emulator limits:
    /// `Client::builder().emulator(emulator).build()`; see [`ClientBuilder::emulator`].
    #[cfg(feature = "emulator")]
    pub fn for_emulator(emulator: &apitable_emulator::Emulator) -> Result<Client> {
        Client::builder().emulator(emulator).build()
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the server named by `APITABLE_HOST` (default: the APITable cloud), with the
    /// token in `APITABLE_TOKEN`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        self.transport.base_url()
    }

    /// The most records one create, update or delete request may carry.
    pub fn max_records_per_write(&self) -> usize {
        self.max_records_per_write
    }

    /// How many write requests of one multi-request write may be in flight at once.
    pub fn writes_in_flight(&self) -> usize {
        self.writes_in_flight
    }

    /// The longest response body the client reads, in bytes.
    pub fn max_response_size(&self) -> u64 {
        self.transport.max_response_size()
    }

    /// What sends this client's requests.
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Sends `call` and decodes the envelope's `data`; see [`Transport::call`].
    pub(crate) async fn call<T: serde::de::DeserializeOwned>(&self, call: Call) -> Result<T> {
        self.transport.call(call).await
    }

    /// Sends `call` and checks the envelope; see [`Transport::send`].
    pub(crate) async fn send(&self, call: Call) -> Result<Checked> {
        self.transport.send(call).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .field("max_records_per_write", &self.max_records_per_write)
            .field("writes_in_flight", &self.writes_in_flight)
            .finish()
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use apitable_orm::{Client, Pacing, RetryPolicy};
/// let client = Client::builder()
///     .token("uskExample")
///     .base_url("http://127.0.0.1:8080")
///     .pacing(Pacing::per_second(5.0))
///     .retry(RetryPolicy::standard().with_max_attempts(3))
///     .attempt_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
/// assert!(!format!("{client:?}").contains("uskExample"));
///
/// // Plain http is refused for hosts other than loopback, unless explicitly allowed.
/// let err = Client::builder().token("t").base_url("http://example.com").build().unwrap_err();
/// assert!(err.to_string().contains("https"));
///
/// // Credentials belong in the token, never in the URL; the error does not repeat them.
/// let err = Client::builder()
///     .token("t")
///     .base_url("https://admin:hunter2@apitable.example")
///     .build()
///     .unwrap_err();
/// assert!(!err.to_string().contains("hunter2"));
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    token: Option<SecretString>,
    base_url: Option<String>,
    allow_insecure_http: bool,
    retry: Option<RetryPolicy>,
    pacing: Option<Pacing>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Option<Duration>>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    max_records_per_write: Option<usize>,
    writes_in_flight: Option<usize>,
    #[cfg(feature = "redis")]
    redis_budget: Option<String>,
    #[cfg(feature = "redis")]
    redis_cache: Option<String>,
    max_response_size: Option<u64>,
    follow_same_origin_redirects: bool,
    /// What exchanges requests instead of the HTTP client, in the transport's tests.
    #[cfg(test)]
    connector: Option<Connector>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url.as_deref().map(redacted_url_text))
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the token from `APITABLE_TOKEN` and the server from `APITABLE_HOST`
    /// (a URL; `https://` is assumed when it has no scheme).
    pub fn from_env() -> Result<ClientBuilder> {
        let token = std::env::var("APITABLE_TOKEN")
            .map_err(|_| Error::Config("APITABLE_TOKEN is not set".into()))?;
        let mut builder = ClientBuilder::default().token(token);
        if let Ok(host) = std::env::var("APITABLE_HOST") {
            let host = host.trim();
            if !host.is_empty() {
                builder = if host.contains("://") {
                    builder.base_url(host)
                } else {
                    builder.base_url(format!("https://{host}"))
                };
            }
        }
        Ok(builder)
    }

    /// The API token (`usk…`). Kept as a secret: it never appears in `Debug` output, logs or
    /// errors.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// The server's base URL (default [`DEFAULT_BASE_URL`]). A path prefix is kept. It may not
    /// carry a query or credentials (`https://user:password@…`): the token authenticates.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Connects to an in-process emulator (the `apitable-emulator` crate; needs this crate's
    /// `emulator` feature): its base URL and token, and pacing that matches its rate limit —
    /// none when it has none (its default), so a test suite runs as fast as the emulator
    /// answers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use apitable_emulator::Emulator;
    /// use apitable_orm::Client;
    /// let emu = Emulator::builder().start().await?;
    /// let client = Client::builder().emulator(&emu).build()?;
    /// assert_eq!(client.base_url().as_str().trim_end_matches('/'), emu.base_url());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "emulator")]
    pub fn emulator(self, emulator: &apitable_emulator::Emulator) -> Self {
        let pacing = match emulator.rate_limit() {
            Some(n) => Pacing::per_second(f64::from(n)),
            None => Pacing::off(),
        };
        self.base_url(emulator.base_url())
            .token(emulator.token())
            .pacing(pacing)
    }

    /// Allows plain `http` to hosts other than loopback. The token then crosses the network
    /// unencrypted; only for trusted networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::standard`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Client-side pacing (default 5 requests per second per datasheet or space).
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// The time limit of one attempt, from sending to the last byte (default 60 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The time limit of an operation, all attempts and waits included (default 5 minutes;
    /// `None` for no limit).
    pub fn operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `apitable-orm/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Uses this `reqwest::Client` (for proxies, custom TLS roots, …). The user agent set here
    /// is then ignored in favour of the given client's, and so is the redirect setting: build
    /// it with `reqwest::redirect::Policy::none()` so that redirects stay errors (reqwest
    /// follows up to 10 by default).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The most records per create, update or delete request (default 10, the server's
    /// limit; self-hosted servers can raise it).
    pub fn max_records_per_write(mut self, n: usize) -> Self {
        self.max_records_per_write = Some(n);
        self
    }

    /// Shares the pacing budget with every other client (in this process or another) that
    /// uses the same Redis and the same token: no second at the server then sees more than the
    /// pacing rate from all of them together. `url` is a Redis URL such as
    /// `redis://127.0.0.1:6379/0`. While Redis cannot be reached, each client paces on its own
    /// and logs a warning; it never sends unpaced. The round trips behind the latency credit
    /// (see [`Pacing`]) are shared too, so a process that has just started gets the credit
    /// the others measured, and a 429 met by one turns it off for all. Needs the `redis`
    /// feature.
    ///
    /// ```
    /// let client = apitable_orm::Client::builder()
    ///     .token("uskExample")
    ///     .redis_budget("redis://127.0.0.1:6379/0")
    ///     .build()?; // connects on the first request
    /// # Ok::<(), apitable_orm::Error>(())
    /// ```
    #[cfg(feature = "redis")]
    pub fn redis_budget(mut self, url: impl Into<String>) -> Self {
        self.redis_budget = Some(url.into());
        self
    }

    /// Shares the read cache ([`Query::cached`](crate::Query::cached),
    /// [`Sheet::cached`](crate::Sheet::cached)) through Redis with every client using the same
    /// Redis and token: an answer one of them fetched is served to all until its time-to-live
    /// ends, and a write by any of them invalidates the datasheet's answers for all (each
    /// cached read then asks Redis, not the server). While Redis is unreachable the cache
    /// works within the process and a warning is logged. Needs the `redis` feature.
    #[cfg(feature = "redis")]
    pub fn redis_cache(mut self, url: impl Into<String>) -> Self {
        self.redis_cache = Some(url.into());
        self
    }

    /// How many requests of one multi-request write (an insert, update, delete or upsert of
    /// more rows than one request carries) may be in flight at once (default 5, the server's
    /// limit per second). Pacing still decides when each goes out; several in flight let
    /// latency overlap instead of adding up. Ids come back in input order and a failure still
    /// reports every row, but batches may land in the datasheet out of order: set 1 to keep
    /// the rows of one call in input order in the view.
    pub fn writes_in_flight(mut self, n: usize) -> Self {
        self.writes_in_flight = Some(n);
        self
    }

    /// The longest response body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`], 128 MiB). A response that declares a longer
    /// `Content-Length` is refused before its body is read; one that turns out longer stops
    /// being read at the limit. Either fails with [`Error::ResponseTooLarge`]. Raise it for
    /// datasheets whose 1,000-record pages are larger, or ask for smaller pages.
    ///
    /// ```
    /// let client = apitable_orm::Client::builder()
    ///     .token("uskExample")
    ///     .max_response_size(16 << 20)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.max_response_size(), 16 << 20);
    /// ```
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// Follows redirects (HTTP 307 and 308 only, which keep the method and body) that stay on
    /// the base URL's scheme, host and port, up to 5 in a row. Off by default: a redirect is
    /// then an [`Error::Redirect`]. A redirect to another host is never followed. Has no
    /// effect with [`http_client`](Self::http_client), whose own redirect policy applies.
    pub fn follow_same_origin_redirects(mut self, follow: bool) -> Self {
        self.follow_same_origin_redirects = follow;
        self
    }

    /// The same settings, with requests exchanged by `connector` (the transport's tests).
    #[cfg(test)]
    pub(crate) fn connector(mut self, connector: Connector) -> Self {
        self.connector = Some(connector);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let token = self.token.ok_or_else(|| {
            Error::Config("no API token: call .token(…) or set APITABLE_TOKEN".into())
        })?;
        if token.expose_secret().trim().is_empty() {
            return Err(Error::Config("the API token is empty".into()));
        }
        if reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .is_err()
        {
            return Err(Error::Config(
                "the API token contains characters not allowed in an HTTP header".into(),
            ));
        }
        let raw_url = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        // Messages name the URL without any user info or query: they can hold secrets.
        let shown = redacted_url_text(raw_url);
        let base_url = Url::parse(raw_url)
            .map_err(|e| Error::Config(format!("base URL {shown:?} is not a valid URL: {e}")))?;
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(Error::Config(format!(
                "base URL {shown:?} contains a user name or password; remove them (the API \
                 token authenticates)"
            )));
        }
        match base_url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&base_url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "base URL {shown:?} uses plain http to a non-loopback host; use https, \
                     or call .allow_insecure_http(true) on a trusted network"
                )));
            }
            other => {
                return Err(Error::Config(format!(
                    "base URL scheme {other:?} is not supported; use https"
                )));
            }
        }
        if base_url.cannot_be_a_base() || base_url.query().is_some() {
            return Err(Error::Config(format!(
                "base URL {shown:?} must be a plain http(s) URL without a query"
            )));
        }
        let max_response_size = self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE);
        if max_response_size == 0 {
            return Err(Error::Config(
                "max_response_size must be at least 1 byte".into(),
            ));
        }
        let max_records_per_write = self
            .max_records_per_write
            .unwrap_or(DEFAULT_MAX_RECORDS_PER_WRITE);
        if max_records_per_write == 0 {
            return Err(Error::Config(
                "max_records_per_write must be at least 1".into(),
            ));
        }
        #[allow(unused_mut)] // without the `redis` feature
        let mut pacer = Pacer::new(self.pacing.unwrap_or_default());
        #[cfg(feature = "redis")]
        if let Some(url) = &self.redis_budget {
            let budget =
                crate::transport::shared::SharedBudget::new(url, &token_tag(token.expose_secret()))
                    .map_err(|e| {
                        Error::Config(format!("the Redis URL of the pacing budget: {e}"))
                    })?;
            pacer = pacer.shared(budget);
        }
        #[allow(unused_mut)] // without the `redis` feature
        let mut cache = crate::transport::cache::ReadCache::default();
        #[cfg(feature = "redis")]
        if let Some(url) = &self.redis_cache {
            let tier = crate::transport::cache::shared::SharedTier::new(
                url,
                &token_tag(token.expose_secret()),
            )
            .map_err(|e| Error::Config(format!("the Redis URL of the read cache: {e}")))?;
            cache = cache.with_redis(tier);
        }
        let writes_in_flight = self.writes_in_flight.unwrap_or(DEFAULT_WRITES_IN_FLIGHT);
        if writes_in_flight == 0 {
            return Err(Error::Config("writes_in_flight must be at least 1".into()));
        }
        let attempt_timeout = self.attempt_timeout.unwrap_or(Duration::from_secs(60));
        if attempt_timeout.is_zero() {
            return Err(Error::Config(
                "the attempt timeout must be longer than zero".into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .user_agent(self.user_agent.unwrap_or_else(|| {
                    concat!("apitable-orm/", env!("CARGO_PKG_VERSION")).to_owned()
                }))
                .redirect(if self.follow_same_origin_redirects {
                    same_origin_redirects()
                } else {
                    reqwest::redirect::Policy::none()
                })
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        #[cfg(test)]
        let connector = self
            .connector
            .unwrap_or_else(|| Connector::Http(http.clone()));
        #[cfg(not(test))]
        let connector = Connector::Http(http.clone());
        Ok(Client {
            transport: Arc::new(Transport {
                connector,
                http,
                token,
                base_url,
                retry: self.retry.unwrap_or_default(),
                pacer,
                attempt_timeout,
                operation_timeout: self
                    .operation_timeout
                    .unwrap_or(Some(Duration::from_secs(300))),
                max_response_size,
                cache,
            }),
            max_records_per_write,
            writes_in_flight,
        })
    }
}

/// A stable fingerprint of the token (FNV-1a, 64 bits) that names its budget in Redis without
/// revealing it.
#[cfg(feature = "redis")]
fn token_tag(token: &str) -> String {
    let hash = token.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Follows 307 and 308 (which keep method and body) within one scheme, host and port.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
        if attempt.previous().len() > 5 || !same_origin || !keeps_method {
            // The 3xx answer comes back as it is and becomes an `Error::Redirect`.
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// A base URL as text for messages, with any user info and query replaced, whether or not it
/// parses: everything before the last `@` of the part ahead of the query becomes `***`.
fn redacted_url_text(raw: &str) -> String {
    let (scheme, rest) = match raw.find("://") {
        Some(i) => raw.split_at(i + 3),
        None => ("", raw),
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (head, tail) = rest.split_at(end);
    let head = match head.rfind('@') {
        Some(at) => format!("***{}", &head[at..]),
        None => head.to_owned(),
    };
    let tail = if tail.is_empty() { "" } else { "?…" };
    format!("{scheme}{head}{tail}")
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_may_use_http() {
        for url in [
            "http://127.0.0.1:1",
            "http://localhost:8080",
            "http://[::1]:9",
            "http://127.2.3.4",
        ] {
            assert!(
                Client::builder().token("t").base_url(url).build().is_ok(),
                "{url}"
            );
        }
        for url in [
            "http://10.0.0.1",
            "http://apitable.internal",
            "ftp://127.0.0.1",
        ] {
            assert!(
                Client::builder().token("t").base_url(url).build().is_err(),
                "{url}"
            );
        }
        assert!(
            Client::builder()
                .token("t")
                .base_url("http://apitable.internal")
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn base_urls_with_credentials_are_refused_without_repeating_them() {
        for url in [
            "http://user:SECRET@127.0.0.1:8080/",
            "https://SECRET@apitable.example",
            "https://user:SECRET@apitable.example/prefix",
            // Not a valid URL (bad port), still not echoed.
            "https://user:SECRET@apitable.example:99999/",
            // A slash in the password ends the authority early.
            "https://user:SE/CRET@apitable.example/",
            "https://apitable.example/?token=SECRET",
        ] {
            let builder = Client::builder().token("t").base_url(url);
            assert!(!format!("{builder:?}").contains("SECRET"), "{builder:?}");
            let err = builder.build().unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains("SECRET"), "{url}: {text}");
                assert!(!text.contains("CRET"), "{url}: {text}");
            }
        }
    }

    #[test]
    fn missing_or_bad_token_is_a_config_error() {
        assert!(matches!(Client::builder().build(), Err(Error::Config(_))));
        assert!(matches!(
            Client::builder().token(" ").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder().token("a\nb").build(),
            Err(Error::Config(_))
        ));
    }
}
