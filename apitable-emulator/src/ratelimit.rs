//! The real server's rate limiter: N requests per fixed 1 s window per
//! (datasheet id in the URL, else space id, else `"user"`) and token. Every request counts.

use std::collections::{HashMap, VecDeque};
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

/// What the limiter made of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Within the fixed window's allowance: the request is served.
    pub admitted: bool,
    /// Less than a second after the request `points` places before it on the same key: a
    /// sliding-window limiter would refuse it (the fixed windows refuse only some of these).
    pub sliding_over: bool,
}

/// One key's fixed window and its latest arrivals.
#[derive(Debug)]
struct Window {
    start: Instant,
    count: u32,
    /// The last `points` arrivals, oldest first.
    recent: VecDeque<Instant>,
}

/// Fixed-window counters.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: Mutex<HashMap<(String, String), Window>>,
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

    /// Counts a request: not admitted when it exceeds `points` in the current window.
    pub fn hit(&self, scope: &str, token: &str, points: u32) -> Verdict {
        let now = self
            .clock
            .as_ref()
            .map_or_else(Instant::now, ManualClock::now);
        let second = Duration::from_secs(1);
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > 10_000 {
            w.retain(|_, win| now.duration_since(win.start) < second);
        }
        let win = w
            .entry((scope.to_string(), token.to_string()))
            .or_insert_with(|| Window {
                start: now,
                count: 0,
                recent: VecDeque::new(),
            });
        if now.duration_since(win.start) >= second {
            win.start = now;
            win.count = 0;
        }
        win.count += 1;
        // The last `points` arrivals (at least one, so that a limit of 0 keeps one).
        let kept = points.max(1) as usize;
        let sliding_over = win.recent.len() == kept
            && win
                .recent
                .front()
                .is_some_and(|first| now.duration_since(*first) < second);
        if win.recent.len() == kept {
            win.recent.pop_front();
        }
        win.recent.push_back(now);
        Verdict {
            admitted: win.count <= points,
            sliding_over,
        }
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
        let hit = |scope, token| r.hit(scope, token, 5).admitted;
        for _ in 0..5 {
            assert!(hit("a", "t"));
        }
        assert!(!hit("a", "t"));
        // A limit of 0 refuses everything.
        assert!(!r.hit("zero", "t", 0).admitted);
        assert!(hit("b", "t"));
        assert!(hit("a", "other token"));
        // The window is fixed: it opened with the first request and lasts one second.
        clock.advance(Duration::from_millis(999));
        assert!(!hit("a", "t"));
        clock.advance(Duration::from_millis(1));
        for _ in 0..5 {
            assert!(hit("a", "t"));
        }
        assert!(!hit("a", "t"));
    }

    #[test]
    fn sliding_overflows_are_counted_even_when_the_fixed_window_admits_them() {
        let clock = ManualClock::new();
        let r = RateLimiter::with_clock(Some(clock.clone()));
        let ms = Duration::from_millis;
        // Five at 0.9 s into a window, then five right after it: every fixed window admits
        // them, but the five late ones each come less than a second after one of the first.
        assert!(!r.hit("a", "t", 5).sliding_over);
        clock.advance(ms(900));
        for _ in 0..4 {
            assert!(!r.hit("a", "t", 5).sliding_over);
        }
        clock.advance(ms(100));
        let late: Vec<Verdict> = (0..5).map(|_| r.hit("a", "t", 5)).collect();
        assert!(late.iter().all(|v| v.admitted));
        // The first of them is a second after the very first arrival: not over; the other
        // four are 100 ms after the ones at 0.9 s.
        assert_eq!(
            late.iter().map(|v| v.sliding_over).collect::<Vec<_>>(),
            [false, true, true, true, true]
        );
        // 999 ms after the arrival five places before: over; exactly a second: not.
        clock.advance(ms(999));
        assert!(r.hit("a", "t", 5).sliding_over);
        clock.advance(ms(1));
        assert!(!r.hit("a", "t", 5).sliding_over);
    }
}
