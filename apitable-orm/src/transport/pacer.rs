//! Pacing per key (datasheet or space), on tokio's clock so tests can pause time.
//!
//! The server counts requests on arrival in fixed one-second windows that start with the
//! first request it sees. Two rules keep a client under that limit whatever the latency:
//!
//! 1. requests are spaced evenly (at 5 per second, one every 200 ms), and
//! 2. with a limit of N per second, each request holds one of N permits from the moment it is
//!    sent until one second after its response arrived. A request reaches the server between
//!    those two moments, so at the arrival of any request every request that arrived less
//!    than a second earlier still holds its permit: no second ever sees N + 1 arrivals.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, sleep, sleep_until};

use crate::config::Pacing;

/// The server's counting window.
const WINDOW: Duration = Duration::from_secs(1);

struct KeyState {
    permits: Arc<Semaphore>,
    next_free: Mutex<Instant>,
}

/// Hands out send slots per key.
pub(crate) struct Pacer {
    pacing: Pacing,
    keys: Mutex<HashMap<String, Arc<KeyState>>>,
}

/// Held while a request is in flight; dropping it gives the permit back one window later.
pub(crate) struct PaceGuard {
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for PaceGuard {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    sleep(WINDOW).await;
                    drop(permit);
                });
            }
            // No runtime (the program is shutting down): nothing will be sent anyway.
            Err(_) => drop(permit),
        }
    }
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Self {
        Self {
            pacing,
            keys: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn pacing(&self) -> Pacing {
        self.pacing
    }

    fn state(&self, key: &str, per_window: usize) -> Arc<KeyState> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() > 1024 {
            // Forget idle keys so the map stays small.
            let now = Instant::now();
            keys.retain(|_, s| {
                Arc::strong_count(s) > 1
                    || s.permits.available_permits() < per_window
                    || *s.next_free.lock().unwrap_or_else(|p| p.into_inner()) > now
            });
        }
        keys.entry(key.to_owned())
            .or_insert_with(|| {
                Arc::new(KeyState {
                    permits: Arc::new(Semaphore::new(per_window)),
                    next_free: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits until a request for `key` may be sent. Callers are served in call order. Keep the
    /// guard until the response has arrived.
    pub(crate) async fn acquire(&self, key: &str) -> PaceGuard {
        let (Some(interval), Some(rate)) =
            (self.pacing.interval(), self.pacing.requests_per_second())
        else {
            return PaceGuard { permit: None };
        };
        let per_window = (rate.floor() as usize).max(1);
        let state = self.state(key, per_window);
        let permit = state
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let slot = {
            let mut next = state.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        sleep_until(slot).await;
        PaceGuard {
            permit: Some(permit),
        }
    }
}
