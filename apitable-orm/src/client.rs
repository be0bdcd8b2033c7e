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

/// The APITable cloud.
pub const DEFAULT_BASE_URL: &str = "https://api.apitable.com";

/// The server's default limit of records per create, update or delete request.
pub const DEFAULT_MAX_RECORDS_PER_WRITE: usize = 10;

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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) connector: crate::transport::Connector,
    pub(crate) token: SecretString,
    pub(crate) base_url: Url,
    pub(crate) retry: RetryPolicy,
    pub(crate) pacer: Pacer,
    pub(crate) attempt_timeout: Duration,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) max_records_per_write: usize,
}

impl Client {
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
        &self.inner.base_url
    }

    /// The most records one create, update or delete request may carry.
    pub fn max_records_per_write(&self) -> usize {
        self.inner.max_records_per_write
    }

    pub(crate) fn token(&self) -> &str {
        self.inner.token.expose_secret()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("token", &"[redacted]")
            .field("retry", &self.inner.retry)
            .field("pacing", &self.inner.pacer.pacing())
            .field("attempt_timeout", &self.inner.attempt_timeout)
            .field("operation_timeout", &self.inner.operation_timeout)
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
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
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

    /// The server's base URL (default [`DEFAULT_BASE_URL`]). A path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
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
    /// is then ignored in favour of the given client's.
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
        let base_url = Url::parse(raw_url)
            .map_err(|e| Error::Config(format!("base URL {raw_url:?} is not a valid URL: {e}")))?;
        match base_url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&base_url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "base URL {raw_url:?} uses plain http to a non-loopback host; use https, \
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
                "base URL {raw_url:?} must be a plain http(s) URL without a query"
            )));
        }
        let max_records_per_write = self
            .max_records_per_write
            .unwrap_or(DEFAULT_MAX_RECORDS_PER_WRITE);
        if max_records_per_write == 0 {
            return Err(Error::Config(
                "max_records_per_write must be at least 1".into(),
            ));
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
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                connector: crate::transport::Connector::Http(http.clone()),
                http,
                token,
                base_url,
                retry: self.retry.unwrap_or_default(),
                pacer: Pacer::new(self.pacing.unwrap_or_default()),
                attempt_timeout,
                operation_timeout: self
                    .operation_timeout
                    .unwrap_or(Some(Duration::from_secs(300))),
                max_records_per_write,
            }),
        })
    }
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
