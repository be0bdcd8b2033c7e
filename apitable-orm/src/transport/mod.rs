//! Sending requests: URL building, the auth header, pacing, timeouts, retries, envelope checks,
//! and one tracing span per attempt.

pub(crate) mod cache;
mod connector;
pub(crate) mod envelope;
pub(crate) mod pacer;
#[cfg(test)]
mod pacing_tests;
#[cfg(feature = "redis")]
pub(crate) mod shared;
#[cfg(test)]
mod tests;

pub(crate) use connector::Connector;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::{Instant, sleep, timeout};
use tracing::Instrument;

use secrecy::{ExposeSecret, SecretString};

use crate::config::{RetryPolicy, parse_retry_after};
use crate::error::{Error, RedirectError, Result, TimeoutError, UnknownOutcome};

/// Everything that sends requests to one server with one token: the HTTP client, the base URL,
/// the token, pacing, retries, timeouts and the response size limit. A [`Client`] holds one;
/// its clones share it, and with it the pacing state.
///
/// [`Client`]: crate::Client
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) connector: Connector,
    pub(crate) token: SecretString,
    pub(crate) base_url: Url,
    pub(crate) retry: RetryPolicy,
    pub(crate) pacer: pacer::Pacer,
    pub(crate) attempt_timeout: Duration,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) max_response_size: u64,
    pub(crate) cache: cache::ReadCache,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url.as_str())
            .field("token", &"[redacted]")
            .field("retry", &self.retry)
            .field("pacing", &self.pacer.pacing())
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_response_size", &self.max_response_size)
            .finish()
    }
}

/// Whether a call may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// Reads, updates, deletes, uploads: sending twice has the effect of sending once.
    Retryable,
    /// Record creation: retried only when the request certainly was not applied.
    Create,
}

/// A file to send as `multipart/form-data`, rebuilt for every attempt.
#[derive(Debug, Clone)]
pub(crate) struct FilePart {
    pub(crate) file_name: String,
    pub(crate) mime: Option<String>,
    pub(crate) bytes: Bytes,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    None,
    Json(Bytes),
    File(FilePart),
}

/// One API call, described completely before it is sent.
#[derive(Debug)]
pub(crate) struct Call {
    method: Method,
    url: Url,
    /// The route template, for spans (e.g. `/fusion/v1/datasheets/{dstId}/records`).
    route: &'static str,
    pacing_key: String,
    body: Body,
    safety: Safety,
    /// For creates: the JSON text of each record, to report when the outcome is unknown.
    records: Vec<String>,
    /// For reads: how long an answer may be served from the read cache.
    cache_ttl: Option<Duration>,
}

/// A path segment in a call's URL.
pub(crate) enum Seg<'a> {
    /// A fixed segment.
    Lit(&'static str),
    /// An id; a datasheet id becomes the pacing key, as does a space id when the path names
    /// no datasheet (the server's rate-limit key).
    Id(&'a str),
}

impl Call {
    /// A call under `/fusion/v1/`.
    pub(crate) fn v1(
        transport: &Transport,
        method: Method,
        route: &'static str,
        segments: &[Seg<'_>],
    ) -> Self {
        Self::new(transport, method, route, "v1", segments)
    }

    /// A call under `/fusion/v2/`.
    pub(crate) fn v2(
        transport: &Transport,
        method: Method,
        route: &'static str,
        segments: &[Seg<'_>],
    ) -> Self {
        Self::new(transport, method, route, "v2", segments)
    }

    fn new(
        transport: &Transport,
        method: Method,
        route: &'static str,
        version: &str,
        segments: &[Seg<'_>],
    ) -> Self {
        let mut url = transport.base_url.clone();
        let mut pacing_key = None;
        {
            let mut path = url
                .path_segments_mut()
                .expect("checked when the client was built");
            path.pop_if_empty().push("fusion").push(version);
            for seg in segments {
                match seg {
                    Seg::Lit(s) => {
                        path.push(s);
                    }
                    Seg::Id(id) => {
                        path.push(id);
                        // The server's key: the datasheet in the path, else the space.
                        if id.starts_with("dst") || (id.starts_with("spc") && pacing_key.is_none())
                        {
                            pacing_key = Some((*id).to_owned());
                        }
                    }
                }
            }
        }
        Call {
            method,
            url,
            route,
            pacing_key: pacing_key.unwrap_or_else(|| "user".to_owned()),
            body: Body::None,
            safety: Safety::Retryable,
            records: Vec::new(),
            cache_ttl: None,
        }
    }

    /// Lets a GET be answered from the read cache for `ttl` (`None`: always sent).
    pub(crate) fn cached(mut self, ttl: Option<Duration>) -> Self {
        self.cache_ttl = ttl.filter(|_| self.method == Method::GET);
        self
    }

    /// Appends query parameters (percent-encoded; `+` becomes `%2B`, space becomes `+`).
    pub(crate) fn query(mut self, pairs: &[(String, String)]) -> Self {
        if !pairs.is_empty() {
            let mut q = self.url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
        }
        self
    }

    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::InvalidRequest(format!("the request body could not be serialised: {e}"))
        })?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    pub(crate) fn file(mut self, part: FilePart) -> Self {
        self.body = Body::File(part);
        self
    }

    pub(crate) fn create(mut self, records: Vec<String>) -> Self {
        self.safety = Safety::Create;
        self.records = records;
        self
    }

    /// The error a caller sees: for a create that may have been applied, an
    /// [`Error::UnknownOutcome`] carrying the records that were sent.
    fn classify(self, mut e: Error) -> Error {
        if let Error::Api(api) = &mut e
            && api.numeric_code() == Some(301)
            && self.pacing_key.starts_with("dst")
        {
            api.datasheet = Some(self.pacing_key.clone());
        }
        if self.safety == Safety::Create
            && e.may_have_been_applied()
            && !matches!(e, Error::UnknownOutcome(_))
        {
            Error::UnknownOutcome(UnknownOutcome {
                records: self.records,
                source: Box::new(e),
            })
        } else {
            e
        }
    }
}

/// A response whose envelope said `success: true`.
pub(crate) struct Checked {
    pub(crate) body: Bytes,
}

impl Checked {
    pub(crate) fn data<T: DeserializeOwned>(&self) -> Result<T> {
        envelope::data(&self.body)
    }
}

impl Transport {
    /// The base URL requests go to.
    pub(crate) fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The longest response body read, in bytes.
    pub(crate) fn max_response_size(&self) -> u64 {
        self.max_response_size
    }

    /// Sends `call` and decodes the envelope's `data` into `T`. For a create, a `data` that
    /// cannot be decoded leaves the outcome unknown: the server said it succeeded.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let result = self.send_checked(&call).await.and_then(|c| c.data());
        result.map_err(|e| call.classify(e))
    }

    /// Sends `call`, retrying as its safety allows, and checks the envelope.
    pub(crate) async fn send(&self, call: Call) -> Result<Checked> {
        let result = self.send_checked(&call).await;
        result.map_err(|e| call.classify(e))
    }

    async fn send_checked(&self, call: &Call) -> Result<Checked> {
        if let Some(ttl) = call.cache_ttl {
            let fetch = || async { self.send_timed(call).await.map(|c| c.body) };
            let body = self
                .cache
                .get_or_fetch(call.url.as_str(), &call.pacing_key, ttl, fetch)
                .await?;
            return Ok(Checked { body });
        }
        let result = self.send_timed(call).await;
        if call.method != Method::GET {
            // Whatever the outcome, the datasheet may have changed.
            self.cache.invalidate(&call.pacing_key).await;
        }
        result
    }

    async fn send_timed(&self, call: &Call) -> Result<Checked> {
        let attempts = self.send_with_retries(call);
        match self.operation_timeout {
            Some(limit) => match timeout(limit, attempts).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout(TimeoutError {
                    after: limit,
                    whole_operation: true,
                })),
            },
            None => attempts.await,
        }
    }

    async fn send_with_retries(&self, call: &Call) -> Result<Checked> {
        let policy = &self.retry;
        let mut attempt = 1u32;
        loop {
            let mut pace = self.pacer.acquire(&call.pacing_key, &call.method).await;
            let span = tracing::debug_span!(
                "apitable.request",
                method = %call.method,
                route = call.route,
                path = call.url.path(),
                attempt,
            );
            let started = Instant::now();
            let result = self.attempt(call, &mut pace).instrument(span.clone()).await;
            match &result {
                Ok(_) => pace.answered(false),
                Err(Failure {
                    error: error @ (Error::Api(_) | Error::Gateway { .. } | Error::Redirect(_)),
                    ..
                }) => pace.answered(error.is_rate_limited()),
                Err(_) => {}
            }
            pace.release().await;
            let Failure {
                error: err,
                retry_after,
            } = match result {
                Ok(checked) => {
                    span.in_scope(|| tracing::debug!(elapsed = ?started.elapsed(), "ok"));
                    return Ok(checked);
                }
                Err(failure) => failure,
            };
            let retry_allowed = match call.safety {
                Safety::Retryable => err.is_retryable(),
                Safety::Create => err.is_retryable() && !err.may_have_been_applied(),
            };
            if !retry_allowed || attempt >= policy.max_attempts() {
                span.in_scope(|| tracing::debug!(error = %err, "failed"));
                return Err(err);
            }
            if let Some(wait) = retry_after.filter(|w| *w > policy.max_retry_after()) {
                // Sleeping that long would hold the caller far past what it configured; the
                // error carries the wait the server asked for.
                span.in_scope(|| {
                    tracing::debug!(error = %err, ?wait, "failed: the server asks for a longer wait than the Retry-After cap")
                });
                return Err(err);
            }
            let delay: Duration = policy
                .delay(attempt, err.is_rate_limited(), rand::random::<f64>())
                .max(retry_after.unwrap_or_default());
            span.in_scope(|| tracing::warn!(error = %err, ?delay, "retrying"));
            sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt: build, send, read the whole body (up to the size limit), refuse
    /// redirects, check the envelope.
    async fn attempt(&self, call: &Call, pace: &mut pacer::PaceGuard) -> Result<Checked, Failure> {
        let inner = self;
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.token.expose_secret()))
            .map_err(|_| Error::Config("the API token is not a valid header value".into()))?;
        auth.set_sensitive(true);
        let mut req = inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, auth);
        req = match &call.body {
            Body::None => req,
            Body::Json(bytes) => req
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes.clone()),
            Body::File(part) => {
                let mut file = reqwest::multipart::Part::stream_with_length(
                    part.bytes.clone(),
                    part.bytes.len() as u64,
                )
                .file_name(part.file_name.clone());
                if let Some(mime) = &part.mime {
                    file = file.mime_str(mime).map_err(|_| {
                        Error::InvalidRequest(format!("invalid MIME type {mime:?}"))
                    })?;
                }
                req.multipart(reqwest::multipart::Form::new().part("file", file))
            }
        };
        let request = req.build().map_err(|e| {
            Error::InvalidRequest(format!(
                "the request could not be built: {}",
                crate::error::TransportError::from_reqwest(e)
            ))
        })?;
        let limit = inner.attempt_timeout;
        let exchange = inner.connector.exchange(request, inner.max_response_size);
        let response = match timeout(limit, exchange).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(Error::Timeout(TimeoutError {
                    after: limit,
                    whole_operation: false,
                })
                .into());
            }
        };
        pace.heard(response.heard);
        let status = response.status;
        if (300..400).contains(&status) {
            let location = response.headers.get(LOCATION).map(HeaderValue::as_bytes);
            return Err(Error::Redirect(RedirectError::new(status, &call.url, location)).into());
        }
        let retry_after = response
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        match envelope::check(status, &response.body) {
            Ok(()) => Ok(Checked {
                body: response.body,
            }),
            Err(mut error) => {
                if let Error::Api(api) = &mut error {
                    api.retry_after = retry_after;
                }
                Err(Failure { error, retry_after })
            }
        }
    }
}

/// A failed attempt, with the wait the server asked for (its `Retry-After` header).
struct Failure {
    error: Error,
    retry_after: Option<Duration>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}
