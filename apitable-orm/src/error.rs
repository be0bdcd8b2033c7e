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
    #[error("APITable error {}: {}", .0.code(), .0.message())]
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
    Batch(BatchError),
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
    /// server. `false` means it certainly was not.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Api(e) => e.status >= 500 && e.code != 304,
            Error::Transport(t) => t.reached_server,
            Error::Timeout(_) | Error::Gateway { .. } | Error::UnknownOutcome(_) => true,
            Error::Batch(b) => b.source.may_have_been_applied(),
            _ => false,
        }
    }
}

/// An error envelope from the server: `{"success": false, "code": …, "message": …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl ApiError {
    /// Builds an error value; useful in tests of code that handles errors.
    pub fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The HTTP status (most business errors come with HTTP 200).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The envelope code: branch on this, never on the message.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// The server's message (localised; a JSON array of messages is joined with `"; "`).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn is_transient(&self) -> bool {
        self.code == 429 || self.status == 429 || (self.status >= 500 && self.code != 304)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "code {} (HTTP {}): {}",
            self.code, self.status, self.message
        )
    }
}

/// A failure to send a request or read its response.
#[derive(Debug)]
pub struct TransportError {
    pub(crate) message: String,
    pub(crate) reached_server: bool,
}

impl TransportError {
    pub(crate) fn from_reqwest(err: &reqwest::Error) -> Self {
        // `reqwest::Error`'s display includes the URL, which never carries the token.
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Self {
            message,
            reached_server: !(err.is_connect() || err.is_builder()),
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

/// A multi-request write that stopped part-way. Indices refer to the slice the caller passed.
#[derive(Debug)]
pub struct BatchError {
    pub(crate) total: usize,
    pub(crate) written: Vec<(usize, RecordId)>,
    pub(crate) failed: Vec<usize>,
    pub(crate) not_sent: Vec<usize>,
    pub(crate) source: Box<Error>,
}

impl BatchError {
    /// Rows that were written, with their record ids.
    pub fn written(&self) -> &[(usize, RecordId)] {
        &self.written
    }

    /// Rows of the request that failed. They were not written, unless
    /// [`Error::may_have_been_applied`] holds for [`cause`](Self::cause).
    pub fn failed(&self) -> &[usize] {
        &self.failed
    }

    /// Rows that were never sent.
    pub fn not_sent(&self) -> &[usize] {
        &self.not_sent
    }

    /// What made the failed request fail.
    pub fn cause(&self) -> &Error {
        &self.source
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} records written; the request for rows {:?} failed ({}); {} rows not sent",
            self.written.len(),
            self.total,
            self.failed,
            self.source,
            self.not_sent.len()
        )
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
