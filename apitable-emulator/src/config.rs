//! Limits and settings of a running emulator.

/// The server limitsall configurable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Records per create/update/delete request (real: 10, env `API_MAX_MODIFY_RECORD_COUNTS`).
    pub max_records_per_write: usize,
    /// Largest accepted `pageSize` (real: 1000).
    pub max_page_size: i64,
    /// `pageSize` when none is given (real: 100).
    pub default_page_size: i64,
    /// Records per datasheet (real: 50,000, env `SERVER_MAX_RECORD_COUNT`).
    pub max_records_per_datasheet: usize,
    /// Fields per datasheet (real: 200).
    pub max_fields_per_datasheet: usize,
    /// Views per datasheet (real: 30).
    pub max_views_per_datasheet: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_records_per_write: 10,
            max_page_size: 1000,
            default_page_size: 100,
            max_records_per_datasheet: 50_000,
            max_fields_per_datasheet: 200,
            max_views_per_datasheet: 30,
        }
    }
}

/// Everything that changes how requests are answered.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub limits: Limits,
    /// Requests per second per key; `None` = no rate limiting.
    pub rate_limit: Option<u32>,
    /// The "server time zone" as a fixed UTC offset in minutes (date strings, string cell format).
    pub utc_offset_minutes: i32,
    /// Answer DTO-level errors as the real server's HTTP 500 with an array message.
    pub strict_dto: bool,
    /// How long a request body may take to arrive in full.
    pub body_read_timeout: std::time::Duration,
}
