//! Errors: one enum for everything a call can run into, with predicates for the usual
//! questions (is it worth retrying, was it the rate limit, may a write have been applied).

use std::fmt;
use std::time::Duration;

use crate::ids::{IdError, RecordId};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to APITable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error envelope (`success: false`). The request reached the
    /// server; for business errors (HTTP 200 with a code) nothing was applied.
    #[error("{0}")]
    Api(ApiError),
    /// The request could not be sent or its response could not be read. When
    /// [`TransportError::reached_server`] is false, the server never saw the request.
    #[error("request to APITable failed: {0}")]
    Transport(TransportError),
    /// An attempt, or the whole operation, ran out of time. The request may have been applied.
    #[error("{0}")]
    Timeout(TimeoutError),
    /// A non-JSON answer such as a proxy's 502/503/504 page. The request may have been applied.
    #[error("APITable answered HTTP {status} without a JSON body (a gateway or proxy error page)")]
    Gateway {
        /// The HTTP status.
        status: u16,
    },
    /// A response, record or cell could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// An id did not have the expected prefix or shape. Nothing was sent.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A parameter the server would mishandle was caught before sending. Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client was configured wrongly.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A create failed in a way that leaves its outcome unknown: the request may or may not have
    /// been applied. It was not retried, to avoid duplicate rows. Check the listed records
    /// before writing them again.
    #[error("the outcome of the request is unknown (it may have been applied): {}", .0.source)]
    UnknownOutcome(UnknownOutcome),
    /// A write of many records, sent in several requests, stopped part-way. Says which
    /// records were written, which were in the failed request and which were never sent.
    #[error("{}", .0)]
    Batch(Box<BatchError>),
    /// The server answered with a redirect (HTTP 3xx), which the client does not follow: the
    /// base URL is probably wrong (an `http` URL redirected to `https`, a moved server). The
    /// request may have been applied.
    #[error("{0}")]
    Redirect(RedirectError),
    /// The response was longer than the client's limit
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)); it was
    /// not read further. The request may have been applied.
    #[error("{0}")]
    ResponseTooLarge(ResponseTooLarge),
    /// The pages of a listing contradicted each other (a page repeated records of an earlier
    /// one); the listing stopped rather than yield a record twice. Paging is by offset, so a
    /// datasheet that changes during the listing can cause this; list again.
    #[error("{0}")]
    Paging(PagingError),
}

impl Error {
    /// The envelope `code` of an API error (e.g. 400, 429, 301), if the server sent one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api(e) => Some(e.code),
            Error::UnknownOutcome(u) => u.source.code(),
            Error::Batch(b) => b.source.code(),
            _ => None,
        }
    }

    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Gateway { status } => Some(*status),
            Error::Redirect(r) => Some(r.status),
            Error::ResponseTooLarge(t) => Some(t.status),
            Error::UnknownOutcome(u) => u.source.status(),
            Error::Batch(b) => b.source.status(),
            _ => None,
        }
    }

    /// Whether the server rejected the request for exceeding its rate limit.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.code == 429 || e.status == 429,
            _ => false,
        }
    }

    /// Whether the same request could succeed if sent again later: rate limits, server errors,
    /// gateway pages, timeouts and connection failures. The record-limit error (code 304, HTTP
    /// 500) is final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_transient(),
            Error::Transport(_) | Error::Timeout(_) | Error::Gateway { .. } => true,
            _ => false,
        }
    }

    /// Whether a write that failed with this error may nonetheless have been applied by the
    /// server. `false` means it certainly was not: the request never left the client or never
    /// reached the server, or the server refused it with a definite error (a 4xx status, or a
    /// business error code such as 400, 404 or 429). Everything else counts as possibly
    /// applied: timeouts, lost connections, gateway pages, server errors (an HTTP 5xx status or
    /// a 5xx code in the body), and answers that could not be read.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Api(e) => e.may_have_been_applied(),
            Error::Transport(t) => t.reached_server,
            Error::Timeout(_)
            | Error::Gateway { .. }
            | Error::Decode(_)
            | Error::Redirect(_)
            | Error::ResponseTooLarge(_)
            | Error::UnknownOutcome(_) => true,
            // The written rows are known; the question is about the rest.
            Error::Batch(b) => !b.unknown.is_empty(),
            _ => false,
        }
    }
}

/// An error envelope from the server: `{"success": false, "code": …, "message": …}`.
///
/// The server's code is kept as it was sent: [`code`](Self::code) is the number to branch on
/// (the HTTP status when the server sent no number), [`code_text`](Self::code_text) the code
/// of a server that sends names such as `"E_WEIRD"`.
///
/// ```
/// use apitable_orm::ApiError;
/// let e = ApiError::new(200, 301, "Can't find the specified datasheet");
/// assert_eq!(e.code(), 301);
/// assert_eq!(e.numeric_code(), Some(301));
/// assert_eq!(e.code_text(), None);
/// assert_eq!(
///     e.to_string(),
///     "APITable error 301 (HTTP 200): Can't find the specified datasheet"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub(crate) status: u16,
    /// The numeric code, or the HTTP status when the server sent none.
    pub(crate) code: i64,
    pub(crate) sent: SentCode,
    pub(crate) message: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// The datasheet the request named, for errors about it (code 301).
    pub(crate) datasheet: Option<String>,
}

/// What the envelope's `code` held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SentCode {
    /// A number, or a string holding one (`"429"`).
    Number,
    /// Anything else, as text: a name such as `"E_WEIRD"`, or the JSON of another value.
    Text(String),
    /// No code: the key was absent, `null` or an empty string.
    Absent,
}

impl ApiError {
    /// Builds an error value; useful in tests of code that handles errors.
    pub fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            code,
            sent: SentCode::Number,
            message: (!message.is_empty()).then_some(message),
            retry_after: None,
            datasheet: None,
        }
    }

    /// An error from an envelope whose code was not a number (`sent` says what it was).
    pub(crate) fn from_envelope(
        status: u16,
        code: Option<i64>,
        sent: SentCode,
        message: Option<String>,
    ) -> Self {
        Self {
            status,
            code: code.unwrap_or(i64::from(status)),
            sent: if code.is_some() {
                SentCode::Number
            } else {
                sent
            },
            message: message.filter(|m| !m.is_empty()),
            retry_after: None,
            datasheet: None,
        }
    }

    /// The HTTP status (most business errors come with HTTP 200).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The envelope code: branch on this, never on the message. A numeric string such as
    /// `"429"` counts as the number. When the server sent no code, or one that is not a number
    /// (see [`code_text`](Self::code_text)), this is the HTTP status.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// The code the server sent, if it was a number (or a string holding one).
    pub fn numeric_code(&self) -> Option<i64> {
        matches!(self.sent, SentCode::Number).then_some(self.code)
    }

    /// The code as the server sent it, when it was not a number: a name such as `"E_WEIRD"`,
    /// or the JSON text of another value (cut to 200 characters). `None` for numeric codes and
    /// when there was no code.
    pub fn code_text(&self) -> Option<&str> {
        match &self.sent {
            SentCode::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The server's message (localised; a JSON array of messages is joined with `"; "`).
    /// Empty when the server sent none.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    /// How long the server asked the client to wait before trying again (its `Retry-After`
    /// header), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    pub(crate) fn is_transient(&self) -> bool {
        self.code == 429 || self.status == 429 || self.is_server_error()
    }

    /// An HTTP 5xx, or a 5xx code in the body of an HTTP 200; the record-limit error (code 304,
    /// HTTP 500) is final and not counted.
    fn is_server_error(&self) -> bool {
        self.code != 304 && (self.status >= 500 || (500..600).contains(&self.code))
    }

    /// Whether the request may have been applied although the server answered with this error:
    /// a server error, or a refusal that says neither by its HTTP status nor by a numeric code
    /// what it is (`"code": "E_WEIRD"` or no code with HTTP 200).
    pub(crate) fn may_have_been_applied(&self) -> bool {
        let understood = self.status >= 400 || matches!(self.sent, SentCode::Number);
        self.is_server_error() || !understood
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("APITable error ")?;
        match &self.sent {
            SentCode::Number => write!(f, "{} (HTTP {})", self.code, self.status)?,
            SentCode::Text(text) if is_plain_code(text) => {
                write!(f, "{text} (HTTP {})", self.status)?
            }
            SentCode::Text(text) => write!(f, "{text:?} (HTTP {})", self.status)?,
            SentCode::Absent => write!(f, "(HTTP {}, no code)", self.status)?,
        }
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None => f.write_str(", without a message")?,
        }
        if let Some(wait) = self.retry_after {
            write!(
                f,
                " (the server asked to wait {} s before retrying)",
                wait.as_secs()
            )?;
        }
        if let Some(dst) = &self.datasheet {
            write!(
                f,
                " (datasheet {dst}: check the id, and that the token's user can see it; for a \
                 datasheet chosen at run time, use `client.table_in::<T>(id)` instead of the \
                 struct's own id)"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Whether a code reads well unquoted (`E_WEIRD`, `auth.denied`), rather than needing quotes.
fn is_plain_code(text: &str) -> bool {
    text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.' | ':' | '/'))
}

/// A failure to send a request or read its response.
#[derive(Debug)]
pub struct TransportError {
    pub(crate) message: String,
    pub(crate) reached_server: bool,
}

impl TransportError {
    /// Describes a reqwest error. Its URL is printed as [`redacted_url`] prints it: the query
    /// values (filters, record ids) stay out of messages and logs.
    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        let reached_server = !(err.is_connect() || err.is_builder());
        let url = err.url().cloned();
        let err = err.without_url();
        let mut message = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        if let Some(url) = url {
            // In case a lower layer named the URL itself.
            if let Some(query) = url.query().filter(|q| !q.is_empty()) {
                message = message.replace(query, "…");
            }
            message.push_str(" (");
            message.push_str(&redacted_url(&url));
            message.push(')');
        }
        Self {
            message,
            reached_server,
        }
    }

    /// Whether the request may have reached the server (false for connection failures).
    pub fn reached_server(&self) -> bool {
        self.reached_server
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A URL as error messages show it: scheme, host, port and path, then the query's keys with
/// their values replaced by `…`. Never any user info or fragment.
pub(crate) fn redacted_url(url: &url::Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    if let Some(query) = url.query() {
        let keys: Vec<String> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| format!("{}=…", pair.split('=').next().unwrap_or("")))
            .collect();
        if !keys.is_empty() {
            out.push('?');
            out.push_str(&keys.join("&"));
        }
    }
    out
}

/// A redirect (HTTP 3xx) the client did not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub(crate) status: u16,
    /// Where it pointed, as [`redacted_url`] prints it.
    pub(crate) location: Option<String>,
    pub(crate) host: Option<String>,
}

impl RedirectError {
    /// Builds the error for an answer with `status` and a `Location` header read relative to
    /// `request`.
    pub(crate) fn new(status: u16, request: &url::Url, location: Option<&[u8]>) -> Self {
        let target = location
            .and_then(|l| std::str::from_utf8(l).ok())
            .and_then(|l| request.join(l.trim()).ok());
        Self {
            status,
            location: target.as_ref().map(redacted_url),
            host: target.and_then(|t| t.host_str().map(str::to_owned)),
        }
    }

    /// The HTTP status (301, 302, 303, 307, 308…).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The host the redirect pointed to, if it named a valid target.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The target: scheme, host, port and path, with query values replaced by `…`.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "APITable answered HTTP {} (a redirect", self.status)?;
        match (&self.host, &self.location) {
            (Some(host), Some(location)) => write!(f, " to host {host}: {location}")?,
            _ => f.write_str(" without a valid Location")?,
        }
        f.write_str("); redirects are not followed: check the base URL")
    }
}

/// A response longer than the client's size limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTooLarge {
    pub(crate) status: u16,
    pub(crate) limit: u64,
    pub(crate) declared: Option<u64>,
}

impl ResponseTooLarge {
    /// The limit, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The length the response declared in its `Content-Length` header, when that alone
    /// exceeded the limit (nothing of the body was read then).
    pub fn declared(&self) -> Option<u64> {
        self.declared
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response (HTTP {}) ", self.status)?;
        match self.declared {
            Some(n) => write!(f, "declares {n} bytes, more than")?,
            None => f.write_str("is longer than")?,
        }
        write!(
            f,
            " the response size limit of {} bytes; it was not read (raise the limit with \
             ClientBuilder::max_response_size, or request smaller pages)",
            self.limit
        )
    }
}

/// Pages of a listing that contradicted each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagingError {
    pub(crate) page: u64,
    pub(crate) earlier_page: u64,
    pub(crate) record_id: String,
    pub(crate) whole_page: bool,
}

impl PagingError {
    /// The page number whose answer repeated records.
    pub fn page(&self) -> u64 {
        self.page
    }

    /// The page where the (first) repeated record had been seen. Equal to
    /// [`page`](Self::page) when a page listed one record twice.
    pub fn earlier_page(&self) -> u64 {
        self.earlier_page
    }

    /// The (first) repeated record id.
    pub fn record_id(&self) -> &str {
        &self.record_id
    }

    /// Whether the page held exactly the records of the earlier page: the server answered
    /// the same page again.
    pub fn whole_page_repeated(&self) -> bool {
        self.whole_page
    }
}

impl fmt::Display for PagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.whole_page {
            write!(
                f,
                "page {} of the listing repeats page {}",
                self.page, self.earlier_page
            )?;
        } else if self.page == self.earlier_page {
            write!(
                f,
                "page {} of the listing holds record {} twice",
                self.page, self.record_id
            )?;
        } else {
            write!(
                f,
                "page {} of the listing repeats record {} of page {}",
                self.page, self.record_id, self.earlier_page
            )?;
        }
        f.write_str(
            "; the listing stopped (paging is by offset: the datasheet may have changed during \
             the listing, or the server pages wrongly)",
        )
    }
}

/// An attempt or an operation that ran out of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    pub(crate) after: Duration,
    pub(crate) whole_operation: bool,
}

impl TimeoutError {
    /// The limit that was reached.
    pub fn after(&self) -> Duration {
        self.after
    }

    /// Whether the operation timeout (all attempts) was reached, rather than one attempt's.
    pub fn whole_operation(&self) -> bool {
        self.whole_operation
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.whole_operation {
            "operation"
        } else {
            "request attempt"
        };
        write!(f, "{what} timed out after {:?}", self.after)
    }
}

/// A create request whose outcome is unknown.
#[derive(Debug)]
pub struct UnknownOutcome {
    pub(crate) records: Vec<String>,
    pub(crate) source: Box<Error>,
}

impl UnknownOutcome {
    /// The records of the request, each as the JSON text that was sent.
    pub fn records(&self) -> &[String] {
        &self.records
    }

    /// What went wrong.
    pub fn cause(&self) -> &Error {
        &self.source
    }
}

/// A multi-request write that stopped part-way. Indices refer to the slice the caller passed,
/// and every row is in exactly one of [`written`](Self::written),
/// [`unchanged`](Self::unchanged), [`failed`](Self::failed), [`unknown`](Self::unknown) and
/// [`not_sent`](Self::not_sent).
///
/// Rerunning an upsert with the same rows is the way to finish the job: rows whose outcome was
/// unknown are found by their key and not created twice.
#[derive(Debug)]
pub struct BatchError {
    pub(crate) total: usize,
    pub(crate) written: Vec<(usize, RecordId)>,
    pub(crate) unchanged: Vec<(usize, RecordId)>,
    pub(crate) failed: Vec<usize>,
    pub(crate) unknown: Vec<usize>,
    pub(crate) not_sent: Vec<usize>,
    pub(crate) unattributed: Vec<RecordId>,
    pub(crate) source: Box<Error>,
}

impl BatchError {
    /// How many rows the call was given.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Rows that were written, with their record ids.
    pub fn written(&self) -> &[(usize, RecordId)] {
        &self.written
    }

    /// Rows (of an upsert) whose record already held the values: nothing needed sending.
    pub fn unchanged(&self) -> &[(usize, RecordId)] {
        &self.unchanged
    }

    /// Rows of the failed request that were certainly not written: the request never reached
    /// the server, or the server refused it with a definite error.
    pub fn failed(&self) -> &[usize] {
        &self.failed
    }

    /// Rows of the failed request whose fate is unknown: the server may have written them
    /// (a timeout, a lost or unreadable answer, a server error). Check them, or rerun the
    /// upsert, before writing them again.
    pub fn unknown(&self) -> &[usize] {
        &self.unknown
    }

    /// Rows that were never sent.
    pub fn not_sent(&self) -> &[usize] {
        &self.not_sent
    }

    /// Records the server reported as created by the failed request that could not be tied to
    /// input rows (it answered with fewer records than were sent). They exist on the server.
    pub fn unattributed(&self) -> &[RecordId] {
        &self.unattributed
    }

    /// What made the failed request fail.
    pub fn cause(&self) -> &Error {
        &self.source
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} rows written", self.written.len(), self.total)?;
        if !self.unchanged.is_empty() {
            write!(f, ", {} unchanged", self.unchanged.len())?;
        }
        write!(f, "; a request failed ({})", self.source)?;
        if !self.failed.is_empty() {
            write!(f, "; rows {:?} were not written", self.failed)?;
        }
        if !self.unknown.is_empty() {
            write!(
                f,
                "; rows {:?} may or may not have been written",
                self.unknown
            )?;
        }
        if !self.unattributed.is_empty() {
            write!(
                f,
                "; the server also created {} records it did not match to rows",
                self.unattributed.len()
            )?;
        }
        write!(f, "; {} rows not sent", self.not_sent.len())
    }
}

/// A response that did not have the expected shape, or a cell that did not hold the expected
/// type. Names the record and field where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub(crate) record_id: Option<RecordId>,
    pub(crate) field: Option<String>,
    pub(crate) expected: Option<String>,
    pub(crate) message: String,
}

impl DecodeError {
    /// A decode error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            record_id: None,
            field: None,
            expected: None,
            message: message.into(),
        }
    }

    /// Names the record the error happened in.
    pub fn with_record(mut self, id: RecordId) -> Self {
        self.record_id = Some(id);
        self
    }

    /// Names the field the error happened in.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Names the type that was expected.
    pub fn with_expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// The record, if known.
    pub fn record_id(&self) -> Option<&RecordId> {
        self.record_id.as_ref()
    }

    /// The field, if known.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The expected type, if known.
    pub fn expected(&self) -> Option<&str> {
        self.expected.as_deref()
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not decode")?;
        if let Some(id) = &self.record_id {
            write!(f, " record {id}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field {field:?}")?;
        }
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_names_record_field_and_type() {
        let e = DecodeError::new("found a string")
            .with_record("recAbc".parse().unwrap())
            .with_field("Price")
            .with_expected("a number");
        assert_eq!(
            e.to_string(),
            r#"could not decode record recAbc field "Price" (expected a number): found a string"#
        );
    }

    #[test]
    fn record_limit_is_final() {
        let full = Error::Api(ApiError::new(500, 304, "limit"));
        assert!(!full.is_retryable());
        assert!(!full.may_have_been_applied());
        let server = Error::Api(ApiError::new(500, 500, "boom"));
        assert!(server.is_retryable());
        assert!(server.may_have_been_applied());
    }
}
