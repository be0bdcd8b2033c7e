//! The real server's rate limiter: N requests per fixed 1 s window per
//! (datasheet id in the URL, else space id, else `"user"`) and token. Every request counts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A clock for the rate limiter that moves only when told to, so that a test decides which
/// requests fall into one window instead of depending on how fast they are sent.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), apitable_emulator::Error> {
/// use std::time::Duration;
/// use apitable_emulator::{Emulator, ManualClock};
/// let clock = ManualClock::new();
/// let emu = Emulator::builder()
///     .rate_limit(Some(5))
///     .rate_limit_clock(clock.clone())
///     .start()
///     .await?;
/// // … six requests in the same window: the sixth gets a 429 …
/// clock.advance(Duration::from_secs(1)); // a new window starts
/// # emu.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    elapsed: Arc<Mutex<Duration>>,
}

impl ManualClock {
    /// A clock at its start; it stays there until [`advance`](Self::advance)d.
    pub fn new() -> ManualClock {
        ManualClock {
            start: Instant::now(),
            elapsed: Arc::default(),
        }
    }

    /// Moves the clock forward by `by`, for every copy of it.
    pub fn advance(&self, by: Duration) {
        *self.elapsed.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

/// Fixed-window counters.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: Mutex<HashMap<(String, String), (Instant, u32)>>,
    /// The time source: the system's monotonic clock when `None`.
    clock: Option<ManualClock>,
}

impl RateLimiter {
    /// A limiter whose windows are measured with `clock` (the system's clock when `None`).
    pub fn with_clock(clock: Option<ManualClock>) -> RateLimiter {
        RateLimiter {
            windows: Mutex::default(),
            clock,
        }
    }

    /// Counts a request; `false` when it exceeds `points` in the current window.
    pub fn hit(&self, scope: &str, token: &str, points: u32) -> bool {
        let now = self
            .clock
            .as_ref()
            .map_or_else(Instant::now, ManualClock::now);
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > 10_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(1));
        }
        let entry = w
            .entry((scope.to_string(), token.to_string()))
            .or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(1) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= points
    }
}

/// The limiter key of a path: the `dst…` id, else the `spc…` id, else `"user"`.
pub(crate) fn scope_of(path: &str) -> String {
    let segs: Vec<&str> = path.split('/').collect();
    for w in segs.windows(2) {
        if w[0] == "datasheets" && !w[1].is_empty() {
            return w[1].to_string();
        }
    }
    for w in segs.windows(2) {
        if w[0] == "spaces" && !w[1].is_empty() {
            return w[1].to_string();
        }
    }
    "user".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(scope_of("/fusion/v1/datasheets/dst1/records"), "dst1");
        assert_eq!(
            scope_of("/fusion/v1/spaces/spc1/datasheets/dst2/fields"),
            "dst2"
        );
        assert_eq!(scope_of("/fusion/v1/spaces/spc1/nodes"), "spc1");
        assert_eq!(scope_of("/fusion/v1/spaces"), "user");
    }

    #[test]
    fn window() {
        let clock = ManualClock::new();
        let r = RateLimiter::with_clock(Some(clock.clone()));
        for _ in 0..5 {
            assert!(r.hit("a", "t", 5));
        }
        assert!(!r.hit("a", "t", 5));
        assert!(r.hit("b", "t", 5));
        assert!(r.hit("a", "other token", 5));
        // The window is fixed: it opened with the first request and lasts one second.
        clock.advance(Duration::from_millis(999));
        assert!(!r.hit("a", "t", 5));
        clock.advance(Duration::from_millis(1));
        for _ in 0..5 {
            assert!(r.hit("a", "t", 5));
        }
        assert!(!r.hit("a", "t", 5));
    }
}
