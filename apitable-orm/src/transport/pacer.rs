//! Pacing per key (datasheet or space), on tokio's clock so tests can pause time.
//!
//! The server counts requests on arrival in fixed one-second windows that start with the
//! first request it sees. One rule keeps a client under that limit whatever the latency: with
//! a limit of N per second, each request holds one of N permits from the moment it is sent
//! until one second after its response arrived. A request reaches the server between those
//! two moments, so at the arrival of any request every request that arrived less than a second
//! earlier still holds its permit: no second, sliding or fixed, ever sees N + 1 arrivals.
//!
//! Nothing else slows requests down: a burst of up to N goes out at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::sleep;

use crate::config::Pacing;

/// The server's counting window.
const WINDOW: Duration = Duration::from_secs(1);

struct KeyState {
    permits: Arc<Semaphore>,
}

/// Hands out send slots per key.
pub(crate) struct Pacer {
    pacing: Pacing,
    keys: Mutex<HashMap<String, Arc<KeyState>>>,
}

/// Held while a request is in flight; dropping it gives the permit back `hold` later.
pub(crate) struct PaceGuard {
    permit: Option<OwnedSemaphorePermit>,
    hold: Duration,
}

impl Drop for PaceGuard {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let hold = self.hold;
                runtime.spawn(async move {
                    sleep(hold).await;
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
            keys.retain(|_, s| {
                Arc::strong_count(s) > 1 || s.permits.available_permits() < per_window
            });
        }
        keys.entry(key.to_owned())
            .or_insert_with(|| {
                Arc::new(KeyState {
                    permits: Arc::new(Semaphore::new(per_window)),
                })
            })
            .clone()
    }

    /// Waits until a request for `key` may be sent. Callers are served in call order. Keep the
    /// guard until the response has arrived.
    pub(crate) async fn acquire(&self, key: &str) -> PaceGuard {
        let Some(rate) = self.pacing.requests_per_second() else {
            return PaceGuard {
                permit: None,
                hold: Duration::ZERO,
            };
        };
        // `floor(rate)` permits, each back one window after its answer; below one request per
        // second, one permit, back `1 / rate` seconds after its answer.
        let per_window = (rate.floor() as usize).max(1);
        let hold = if rate >= 1.0 {
            WINDOW
        } else {
            WINDOW.div_f64(rate)
        };
        let state = self.state(key, per_window);
        let permit = state
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        PaceGuard {
            permit: Some(permit),
            hold,
        }
    }
}
