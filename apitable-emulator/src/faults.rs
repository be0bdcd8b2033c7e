//! Fault injection: answer some requests with 429 or 500, delay them, or drop the connection.

use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Probabilities (0.0–1.0) of each fault, drawn per request from a seeded generator.
///
/// JSON form (for `PUT /_emulator/faults`), every key optional:
/// `{"rateLimit":0.1,"serverError":0.05,"latency":0.2,"latencyMs":300,"drop":0.01,"seed":42,
///   "method":"POST","route":"/fusion/v1/datasheets/{dstId}/records"}`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Probability of an injected HTTP 429 / code 429.
    pub rate_limit: f64,
    /// Probability of an injected HTTP 500 / code 500.
    pub server_error: f64,
    /// Probability of an added delay of `latency_ms` before the request is handled.
    pub latency: f64,
    /// The delay, milliseconds.
    pub latency_ms: u64,
    /// Probability of closing the connection without an answer.
    pub drop: f64,
    /// Seed of the generator (`None` = from entropy). Setting faults re-seeds.
    pub seed: Option<u64>,
    /// Only requests with this method (e.g. `"POST"`).
    pub method: Option<String>,
    /// Only requests to this route template (e.g. `"/fusion/v1/datasheets/{dstId}/records"`).
    pub route: Option<String>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }

    fn active(&self) -> bool {
        self.rate_limit > 0.0 || self.server_error > 0.0 || self.latency > 0.0 || self.drop > 0.0
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Drop,
    RateLimit,
    ServerError,
}

/// The decision for one request: an optional delay, then an optional fault.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Decision {
    pub delay: Option<Duration>,
    pub fault: Option<Fault>,
}

/// The configured faults and their generator.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    inner: Mutex<(Faults, StdRng)>,
}

fn rng_for(f: &Faults) -> StdRng {
    match f.seed {
        Some(s) => StdRng::seed_from_u64(s),
        None => StdRng::from_os_rng(),
    }
}

impl FaultInjector {
    pub fn new(f: Faults) -> Self {
        let rng = rng_for(&f);
        FaultInjector {
            inner: Mutex::new((f, rng)),
        }
    }

    pub fn set(&self, f: Faults) {
        let rng = rng_for(&f);
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = (f, rng);
    }

    pub fn get(&self) -> Faults {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone()
    }

    /// Draws the fate of a request to `method` + `template`.
    pub fn decide(&self, method: &str, template: &str) -> Decision {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (f, rng) = &mut *g;
        if !f.active()
            || f.method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
            || f.route.as_deref().is_some_and(|r| r != template)
        {
            return Decision::default();
        }
        let mut d = Decision::default();
        if f.latency > 0.0 && rng.random::<f64>() < f.latency {
            d.delay = Some(Duration::from_millis(f.latency_ms));
        }
        let u: f64 = rng.random();
        let mut acc = f.drop;
        if u < acc {
            d.fault = Some(Fault::Drop);
            return d;
        }
        acc += f.rate_limit;
        if u < acc {
            d.fault = Some(Fault::RateLimit);
            return d;
        }
        acc += f.server_error;
        if u < acc {
            d.fault = Some(Fault::ServerError);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_is_deterministic() {
        let f = Faults {
            rate_limit: 0.3,
            server_error: 0.3,
            seed: Some(7),
            ..Faults::default()
        };
        let a = FaultInjector::new(f.clone());
        let b = FaultInjector::new(f);
        for _ in 0..50 {
            assert_eq!(a.decide("GET", "/x").fault, b.decide("GET", "/x").fault);
        }
    }

    #[test]
    fn filters() {
        let f = Faults {
            server_error: 1.0,
            method: Some("POST".into()),
            ..Faults::default()
        };
        let i = FaultInjector::new(f);
        assert_eq!(i.decide("GET", "/x").fault, None);
        assert_eq!(i.decide("POST", "/x").fault, Some(Fault::ServerError));
    }
}
