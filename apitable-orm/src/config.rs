//! Retry, pacing and timeout settings.

use std::time::Duration;

/// How failed requests are retried.
///
/// Reads, updates and deletes are retried on rate limits (429), server errors (5xx), gateway
/// pages, timeouts and connection failures. Creates are retried only when the request provably
/// never reached the server (a connection failure, or the rate limiter's 429, which answers
/// before anything is written).
///
/// ```
/// use std::time::Duration;
/// use apitable_orm::RetryPolicy;
/// let policy = RetryPolicy::standard()
///     .with_max_attempts(5)
///     .with_max_backoff(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    rate_limit_backoff: Duration,
}

impl RetryPolicy {
    /// Up to 4 attempts; backoff starting at 500 ms, doubling, capped at 8 s, with full jitter;
    /// at least 1 s after a 429 (the server's window is one second).
    pub fn standard() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            rate_limit_backoff: Duration::from_secs(1),
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

    /// The number of attempts in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before retry number `retry` (1 for the first retry): exponential, capped,
    /// with full jitter from `jitter` (a number in `[0, 1)`), and never below the rate-limit
    /// backoff when `throttled`.
    pub(crate) fn delay(&self, retry: u32, throttled: bool, jitter: f64) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        let jittered = exp.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0);
        if throttled {
            jittered.max(self.rate_limit_backoff + exp.mul_f64(jitter.clamp(0.0, 1.0) / 4.0))
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

/// Client-side pacing, so that a correct program never meets the server's rate limit.
///
/// Requests are spaced evenly per (token, datasheet-or-space): at 5 requests per second, one
/// every 200 ms. Clones of a [`Client`](crate::Client) share their pacing state.
///
/// ```
/// use apitable_orm::Pacing;
/// assert_eq!(Pacing::default().requests_per_second(), Some(5.0));
/// assert_eq!(Pacing::off().requests_per_second(), None);
/// assert_eq!(Pacing::per_second(20.0).requests_per_second(), Some(20.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    per_second: Option<f64>,
}

impl Pacing {
    /// `n` requests per second per datasheet or space (the real server allows 5).
    pub fn per_second(n: f64) -> Self {
        Self {
            per_second: (n.is_finite() && n > 0.0).then_some(n),
        }
    }

    /// No pacing (for servers without a limit, or when pacing is done elsewhere).
    pub fn off() -> Self {
        Self { per_second: None }
    }

    /// The configured rate, if pacing is on.
    pub fn requests_per_second(&self) -> Option<f64> {
        self.per_second
    }

    pub(crate) fn interval(&self) -> Option<Duration> {
        self.per_second.map(|n| Duration::from_secs_f64(1.0 / n))
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
        assert_eq!(p.delay(1, false, 1.0), Duration::from_millis(500));
        assert_eq!(p.delay(2, false, 1.0), Duration::from_secs(1));
        assert_eq!(p.delay(1, false, 0.0), Duration::from_millis(250));
        assert_eq!(p.delay(10, false, 1.0), Duration::from_secs(8));
        assert_eq!(p.delay(u32::MAX, false, 1.0), Duration::from_secs(8));
        assert!(p.delay(1, true, 0.0) >= Duration::from_secs(1));
    }

    #[test]
    fn pacing_rejects_nonsense_rates() {
        assert_eq!(Pacing::per_second(0.0), Pacing::off());
        assert_eq!(Pacing::per_second(f64::NAN), Pacing::off());
        assert_eq!(
            Pacing::per_second(5.0).interval(),
            Some(Duration::from_millis(200))
        );
    }
}
