//! Retry, pacing and timeout settings.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How failed requests are retried.
///
/// Reads, updates and deletes are retried on rate limits (429), server errors (5xx), gateway
/// pages, timeouts and connection failures. Creates are retried only when the request provably
/// never reached the server (a connection failure, or the rate limiter's 429, which answers
/// before anything is written).
///
/// When a retryable answer carries a `Retry-After` header (a number of seconds or an HTTP
/// date), the next attempt waits at least that long. A server asking for more than
/// [`max_retry_after`](Self::max_retry_after) (default 60 s) gets no retry: the call fails
/// at once with the server's error, whose [`ApiError::retry_after`](crate::ApiError::retry_after)
/// says how long it asked for, rather than holding the caller for an hour.
///
/// ```
/// use std::time::Duration;
/// use apitable_orm::RetryPolicy;
/// let policy = RetryPolicy::standard()
///     .with_max_attempts(5)
///     .with_max_backoff(Duration::from_secs(10))
///     .with_max_retry_after(Duration::from_secs(30));
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(policy.max_retry_after(), Duration::from_secs(30));
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    rate_limit_backoff: Duration,
    max_retry_after: Duration,
}

impl RetryPolicy {
    /// Up to 4 attempts; backoff starting at 500 ms, doubling, capped at 8 s, with full jitter;
    /// at least 1 s after a 429 (the server's window is one second); `Retry-After` honoured up
    /// to 60 s.
    pub fn standard() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            rate_limit_backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// One attempt, no retries.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::standard()
        }
    }

    /// Sets the number of attempts in all (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff delay.
    pub fn with_initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Sets the longest backoff delay.
    pub fn with_max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Sets the least delay after a rate-limit answer.
    pub fn with_rate_limit_backoff(mut self, delay: Duration) -> Self {
        self.rate_limit_backoff = delay;
        self
    }

    /// Sets the longest `Retry-After` wait the client accepts before a retry. A server asking
    /// for more ends the call with its error instead.
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The number of attempts in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest `Retry-After` wait the client accepts before a retry (default 60 s).
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The delay before retry number `retry` (1 for the first retry), with full jitter: a
    /// uniformly random share `jitter` (a number in `[0, 1)`) of the exponential bound
    /// (`initial_backoff × 2^(retry-1)`, capped at `max_backoff`). After a rate-limit answer
    /// (`throttled`) the rate-limit backoff comes first, so that the retry lands in a later
    /// one-second window, and the jittered share on top spreads clients apart.
    pub(crate) fn delay(&self, retry: u32, throttled: bool, jitter: f64) -> Duration {
        let bound = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        let jittered = bound.mul_f64(jitter.clamp(0.0, 1.0));
        if throttled {
            self.rate_limit_backoff + jittered
        } else {
            jittered
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

/// How long a `Retry-After` header value asks to wait, seen at `now`: a number of seconds, or
/// an HTTP date in any of the three forms HTTP allows (`Sun, 06 Nov 1994 08:49:37 GMT`,
/// `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`). A date in the past means no
/// wait; anything else is not understood.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds is still "very long".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP date (always GMT). The weekday is not checked against the date.
fn parse_http_date(s: &str) -> Option<SystemTime> {
    let words: Vec<&str> = s.split_ascii_whitespace().collect();
    let (day, month, year, time) = match words.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [wd, day, month, year, time, "GMT"] if wd.ends_with(',') => {
            (*day, *month, parse_number(year, 4)?, *time)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [wd, date, time, "GMT"] if wd.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let yy = parse_number(yy, 2)?;
            // Two-digit years: 70..=99 are the 1900s, the rest the 2000s.
            (
                day,
                month,
                if yy >= 70 { 1900 + yy } else { 2000 + yy },
                *time,
            )
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_, month, day, time, year] => (*day, *month, parse_number(year, 4)?, *time),
        _ => return None,
    };
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)? as u64
        + 1;
    if !(1..=2).contains(&day.len()) {
        return None;
    }
    let day = parse_number(day, day.len())?;
    let mut hms = time.split(':');
    let (h, m, sec) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() {
        return None;
    }
    let (h, m, sec) = (
        parse_number(h, 2)?,
        parse_number(m, 2)?,
        parse_number(sec, 2)?,
    );
    if year < 1970 || day < 1 || day > days_in_month(year, month) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let secs = days * 86_400 + h * 3600 + m * 60 + sec;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// A number of exactly `digits` ASCII digits.
fn parse_number(s: &str, digits: usize) -> Option<u64> {
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (year at least 1970).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let whole_years: u64 = (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum();
    let whole_months: u64 = (1..month).map(|m| days_in_month(year, m)).sum();
    whole_years + whole_months + day - 1
}

/// Client-side pacing, so that a correct program never meets the server's rate limit.
///
/// Per (token, datasheet-or-space), at most `n` requests are in the air or less than one second
/// past the moment the server counted them: a burst of up to `n` goes out at once, and the next
/// request waits for the earliest permit to come back. Clones of a [`Client`](crate::Client)
/// share their pacing state.
///
/// The server counts a request when it arrives, somewhere between its sending and its answer
/// (the moment the answer's headers arrive). Knowing no more, a permit comes back one second
/// after the answer, and no second at the server ever sees more than `n` arrivals, whatever
/// the latency. That costs one round trip per permit and per second: at 300 ms from the
/// server, 5 permits carry about 3.8 requests a second. With the *latency credit* (on by
/// default) a permit comes back earlier by the shortest round trip to expect on that
/// datasheet, judged from the last 64 answers of the same method (a bound below their
/// shortest that fails once in a hundred for evenly spread round trips: the shortest of a few
/// is seldom the shortest there is, so the fewer answers, the lower the bound; nothing from a
/// single answer; answers within 2 ms of each other count as one, as a server that stalls
/// answers together what it counted together; nothing until the requests answered were sent
/// over at least a second), less 5 ms and twice the longest delay with which the client's
/// timers fired lately (a busy machine notices answers late). The
/// time a request needs to reach the server plus the time an answer needs to come back is at
/// least that, as long as the way to the server does not suddenly get shorter. Then close to
/// 5 requests a second go out at any steady latency. A 429 answer turns the credit off
/// for that datasheet for 30 seconds and halves it for good (the 429 is retried like any
/// other); [`Pacing::without_latency_credit`] turns it off altogether.
///
/// *Following the server's windows* (on by default) goes further. The server's window opens
/// at the first request it counts after the last window closed, so once `n` requests that
/// were sent after such a moment have all been answered within one second of the first
/// sending, they all fell in one window, and the next `n` may all go when the earliest of
/// their permits comes back, not each at its own. The client then loses only the shortest
/// way out of `n` per window instead of the mean one (at 300 ± 50 ms, about 1% of the rate
/// instead of 4%). The client knows such a moment when the key has been idle for its
/// permits, and after each such group; any other traffic (a request sent later than a
/// second after the group's first, an answer that came late, a failed request, a second
/// method) ends it and the permits go back each on its own until the key is idle again.
/// It counts on how the server opens its windows: against a limiter that counts every
/// sliding second, turn it off with [`Pacing::without_window_following`]. After a 429 it
/// is off for 30 seconds, like the credit.
///
/// ```
/// use apitable_orm::Pacing;
/// assert_eq!(Pacing::default().requests_per_second(), Some(5.0));
/// assert!(Pacing::default().latency_credit());
/// assert!(!Pacing::default().without_latency_credit().latency_credit());
/// assert!(Pacing::default().follows_windows());
/// assert!(!Pacing::default().without_window_following().follows_windows());
/// assert_eq!(Pacing::off().requests_per_second(), None);
/// assert_eq!(Pacing::per_second(20.0).requests_per_second(), Some(20.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    per_second: Option<f64>,
    latency_credit: bool,
    follow_windows: bool,
}

impl Pacing {
    /// `n` requests per second per datasheet or space (the real server allows 5).
    pub fn per_second(n: f64) -> Self {
        let per_second = (n.is_finite() && n > 0.0).then_some(n);
        Self {
            per_second,
            latency_credit: per_second.is_some(),
            follow_windows: per_second.is_some(),
        }
    }

    /// No pacing (for servers without a limit, or when pacing is done elsewhere).
    pub fn off() -> Self {
        Self {
            per_second: None,
            latency_credit: false,
            follow_windows: false,
        }
    }

    /// Permits come back a full second after each answer: safe whatever the latency does, at
    /// the cost of one round trip per permit and per second.
    pub fn without_latency_credit(mut self) -> Self {
        self.latency_credit = false;
        self
    }

    /// Permits always come back each on its own (a second after its answer, less the credit),
    /// never as a group: for a server that counts every sliding second, not fixed windows
    /// opened by the first request (see the type's docs).
    pub fn without_window_following(mut self) -> Self {
        self.follow_windows = false;
        self
    }

    /// Whether a group of requests that surely fell in one of the server's windows gives its
    /// permits back together (see the type's docs).
    pub fn follows_windows(&self) -> bool {
        self.follow_windows && self.per_second.is_some()
    }

    /// The configured rate, if pacing is on.
    pub fn requests_per_second(&self) -> Option<f64> {
        self.per_second
    }

    /// Whether permits come back earlier by the measured round trip (see the type's docs).
    pub fn latency_credit(&self) -> bool {
        self.latency_credit && self.per_second.is_some()
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Self::per_second(5.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::standard();
        // The bound doubles from 500 ms and stops at 8 s.
        assert_eq!(p.delay(1, false, 1.0), Duration::from_millis(500));
        assert_eq!(p.delay(2, false, 1.0), Duration::from_secs(1));
        assert_eq!(p.delay(10, false, 1.0), Duration::from_secs(8));
        assert_eq!(p.delay(u32::MAX, false, 1.0), Duration::from_secs(8));
        // Full jitter: anywhere from zero to the bound, in proportion.
        assert_eq!(p.delay(1, false, 0.0), Duration::ZERO);
        assert_eq!(p.delay(2, false, 0.25), Duration::from_millis(250));
        assert_eq!(p.delay(4, false, 0.5), Duration::from_secs(2));
        // After a 429: the one-second backoff, then the jittered share.
        assert_eq!(p.delay(1, true, 0.0), Duration::from_secs(1));
        assert_eq!(p.delay(2, true, 0.5), Duration::from_millis(1500));
    }

    #[test]
    fn retry_after_reads_seconds_and_all_three_date_forms() {
        // 1994-11-06 08:49:37 UTC.
        let date = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let before = date - Duration::from_secs(90);
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                parse_retry_after(value, before),
                Some(Duration::from_secs(90)),
                "{value}"
            );
            // A date in the past asks for no wait.
            assert_eq!(
                parse_retry_after(value, date + Duration::from_secs(5)),
                Some(Duration::ZERO)
            );
        }
        assert_eq!(
            parse_retry_after("Thu, 29 Feb 2024 23:59:60 GMT", UNIX_EPOCH),
            Some(Duration::from_secs(1_709_251_200))
        );
        assert_eq!(
            parse_retry_after(" 3600 ", before),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", before),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 29 Feb 2023 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, before), None, "{bad:?}");
        }
    }

    #[test]
    fn pacing_rejects_nonsense_rates() {
        assert_eq!(Pacing::per_second(0.0), Pacing::off());
        assert_eq!(Pacing::per_second(f64::NAN), Pacing::off());
        assert_eq!(Pacing::per_second(f64::INFINITY), Pacing::off());
        assert_eq!(Pacing::per_second(-1.0), Pacing::off());
        assert_eq!(Pacing::per_second(5.0).requests_per_second(), Some(5.0));
    }
}
