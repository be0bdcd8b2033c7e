//! Even spacing of requests per key, on tokio's clock (so tests can pause time).

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::time::{Instant, sleep_until};

use crate::config::Pacing;

/// Hands out send slots: per key, one slot every `1 / rate` seconds.
pub(crate) struct Pacer {
    pacing: Pacing,
    next_free: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Self {
        Self {
            pacing,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn pacing(&self) -> Pacing {
        self.pacing
    }

    /// Waits for the next free slot of `key`. Slots are taken in call order, so concurrent
    /// callers queue up fairly.
    pub(crate) async fn acquire(&self, key: &str) {
        let Some(interval) = self.pacing.interval() else {
            return;
        };
        let slot = {
            let mut map = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            // Forget keys that have been idle, so the map stays small.
            if map.len() > 1024 {
                map.retain(|_, next| *next > now);
            }
            let next = map.entry(key.to_owned()).or_insert(now);
            let slot = (*next).max(now);
            *next = slot + interval;
            slot
        };
        sleep_until(slot).await;
    }
}
