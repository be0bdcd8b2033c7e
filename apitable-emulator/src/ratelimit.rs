//! The real server's rate limiter (reference §7): N requests per fixed 1 s window per
//! (datasheet id in the URL, else space id, else `"user"`) and token. Every request counts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Fixed-window counters.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: Mutex<HashMap<(String, String), (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts a request; `false` when it exceeds `points` in the current window.
    pub fn hit(&self, scope: &str, token: &str, points: u32) -> bool {
        let now = Instant::now();
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
        let r = RateLimiter::default();
        for _ in 0..5 {
            assert!(r.hit("a", "t", 5));
        }
        assert!(!r.hit("a", "t", 5));
        assert!(r.hit("b", "t", 5));
    }
}
