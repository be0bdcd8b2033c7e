//! Fault injection: answer some requests with 429, 500 or a gateway page, delay them, drop the
//! connection, or let the request take effect and then lose, hold back or damage its answer.

use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Faults to inject, drawn per request from a seeded generator.
///
/// JSON form (for `PUT /_emulator/faults`), every key optional:
///
/// ```json
/// {"rateLimit": 0.1, "retryAfterSecs": 2, "serverError": 0.05, "gateway": 0.02,
///  "drop": 0.01, "latency": 0.2, "latencyMs": 300, "latencyJitterMs": 100,
///  "appliedDrop": 0.01, "appliedStall": 0.01, "stallMs": 5000, "truncated": 0.01,
///  "appliedGateway": 0.01, "partialBatch": 0.05, "seed": 42,
///  "method": "POST", "route": "/fusion/v1/datasheets/{dstId}/records",
///  "datasheet": "dst…", "token": "usk…"}
/// ```
///
/// # Kinds
///
/// Faults that fire **before** the request is handled (nothing takes effect):
///
/// * `rateLimit`: HTTP 429 / code 429, with a `Retry-After: N` header when `retryAfterSecs` is
///   set (the real server never sends one; the header is there to test clients that read it).
/// * `serverError`: HTTP 500 / code 500 `SERVER_ERROR (injected fault)`.
/// * `gateway`: HTTP 502, 503 or 504 (drawn from the generator) with an HTML page, as a reverse
///   proxy answers when the server behind it is down or slow.
/// * `drop`: the connection is closed without an answer.
///
/// Faults that fire **after** the request was handled and its effect committed:
///
/// * `appliedDrop`: the connection is closed without an answer.
/// * `appliedStall`: the answer is held back for `stallMs` milliseconds, then sent (set the
///   client's timeout below `stallMs` to make it give up first).
/// * `truncated`: the answer's headers are sent with a `Content-Length` for the whole body, but
///   only the first half of the body follows before the connection is closed: the client sees
///   its status (e.g. 201) and an unreadable body.
/// * `appliedGateway`: the answer is replaced by a 502/503/504 gateway page.
/// * `partialBatch`: only for `POST /fusion/v1/datasheets/{dstId}/records` with n > 1 records
///   (and no more than the per-request limit): only the first k records are created,
///   1 ≤ k < n drawn from the generator, and the answer is a success listing those k.
///   Other requests are unaffected.
///
/// `latency` is independent of the others: with that probability the request first waits
/// `latencyMs` milliseconds, ± a uniform random `latencyJitterMs`.
///
/// For each request, one draw picks at most one of the kinds above: their probabilities are
/// stacked in the order listed in the JSON example (`drop`, `rateLimit`, `serverError`,
/// `gateway`, `appliedDrop`, `appliedStall`, `truncated`, `appliedGateway`, `partialBatch`), so
/// they should add up to at most 1.
///
/// # Aiming
///
/// When set, only matching requests are affected (all filters must match): `method` (e.g.
/// `"POST"`), `route` (a route template such as `"/fusion/v1/datasheets/{dstId}/records"` or
/// `"/assets/{token}"`), `datasheet` (a `dst…` id named in the path) and `token` (the bearer
/// token of the request). Asset downloads and presigned uploads (`GET`/`PUT /assets/{token}`)
/// are covered like API routes; the `/_emulator/…` admin endpoints never are.
///
/// Setting faults re-seeds the generator (`seed`; `None` = from entropy), so the same faults and
/// the same sequence of requests give the same outcomes. Injected faults are counted by kind in
/// [`Stats::faults`](crate::Stats::faults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Probability of an injected HTTP 429 / code 429.
    pub rate_limit: f64,
    /// `Retry-After` seconds sent with injected 429s (`None` = no header, like the real server).
    pub retry_after_secs: Option<u64>,
    /// Probability of an injected HTTP 500 / code 500.
    pub server_error: f64,
    /// Probability of a 502/503/504 HTML gateway page instead of handling the request.
    pub gateway: f64,
    /// Probability of an added delay of `latency_ms` (± `latency_jitter_ms`) before the request
    /// is handled.
    pub latency: f64,
    /// The delay, milliseconds.
    pub latency_ms: u64,
    /// A uniform random ± jitter added to `latency_ms`, milliseconds (the delay never goes
    /// below zero).
    pub latency_jitter_ms: u64,
    /// Probability of closing the connection without an answer, before handling the request.
    pub drop: f64,
    /// Probability of handling the request, then closing the connection without an answer.
    pub applied_drop: f64,
    /// Probability of handling the request, then holding the answer back for `stall_ms`.
    pub applied_stall: f64,
    /// How long `applied_stall` holds the answer back, milliseconds.
    pub stall_ms: u64,
    /// Probability of handling the request, then sending only part of the answer's body.
    pub truncated: f64,
    /// Probability of handling the request, then answering with a gateway page instead.
    pub applied_gateway: f64,
    /// Probability that a create of n > 1 records creates only the first k (1 ≤ k < n).
    pub partial_batch: f64,
    /// Seed of the generator (`None` = from entropy). Setting faults re-seeds.
    pub seed: Option<u64>,
    /// Only requests with this method (e.g. `"POST"`).
    pub method: Option<String>,
    /// Only requests to this route template (e.g. `"/fusion/v1/datasheets/{dstId}/records"`).
    pub route: Option<String>,
    /// Only requests whose path names this datasheet id.
    pub datasheet: Option<String>,
    /// Only requests with this bearer token.
    pub token: Option<String>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }

    fn active(&self) -> bool {
        self.latency > 0.0 || self.stacked().iter().any(|(p, _)| *p > 0.0)
    }

    /// The mutually exclusive kinds, in draw order.
    fn stacked(&self) -> [(f64, Kind); 9] {
        [
            (self.drop, Kind::Drop),
            (self.rate_limit, Kind::RateLimit),
            (self.server_error, Kind::ServerError),
            (self.gateway, Kind::Gateway),
            (self.applied_drop, Kind::AppliedDrop),
            (self.applied_stall, Kind::AppliedStall),
            (self.truncated, Kind::Truncated),
            (self.applied_gateway, Kind::AppliedGateway),
            (self.partial_batch, Kind::PartialBatch),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Drop,
    RateLimit,
    ServerError,
    Gateway,
    AppliedDrop,
    AppliedStall,
    Truncated,
    AppliedGateway,
    PartialBatch,
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Close the connection before handling.
    Drop,
    /// Answer 429 (with `Retry-After` seconds when set) before handling.
    RateLimit(Option<u64>),
    /// Answer 500 before handling.
    ServerError,
    /// Answer a gateway page with this status before handling.
    Gateway(u16),
    /// Handle, then close the connection.
    AppliedDrop,
    /// Handle, then wait this long before answering.
    AppliedStall(Duration),
    /// Handle, then send half of the body.
    Truncated,
    /// Handle, then answer a gateway page with this status.
    AppliedGateway(u16),
    /// Create only a prefix of the records; the number is a random draw that picks k.
    PartialBatch(u64),
}

impl Fault {
    /// The name of this kind in [`Faults`]' JSON form and in the stats.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Drop => "drop",
            Fault::RateLimit(_) => "rateLimit",
            Fault::ServerError => "serverError",
            Fault::Gateway(_) => "gateway",
            Fault::AppliedDrop => "appliedDrop",
            Fault::AppliedStall(_) => "appliedStall",
            Fault::Truncated => "truncated",
            Fault::AppliedGateway(_) => "appliedGateway",
            Fault::PartialBatch(_) => "partialBatch",
        }
    }
}

/// The request a decision is made for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub method: &'a str,
    /// The route template, e.g. `/fusion/v1/datasheets/{dstId}/records`.
    pub template: &'a str,
    pub path: &'a str,
    pub token: Option<&'a str>,
}

/// The template partial batches apply to (with `POST`).
pub(crate) const RECORDS_TEMPLATE: &str = "/fusion/v1/datasheets/{dstId}/records";

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

const GATEWAY_STATUSES: [u16; 3] = [502, 503, 504];

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

    /// Draws the fate of a request.
    pub fn decide(&self, t: Target<'_>) -> Decision {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (f, rng) = &mut *g;
        if !f.active() || !aimed_at(f, t) {
            return Decision::default();
        }
        let mut d = Decision::default();
        if f.latency > 0.0 && rng.random::<f64>() < f.latency {
            let base = f.latency_ms as i128;
            let jitter = f.latency_jitter_ms as i128;
            let ms = if jitter > 0 {
                base + rng.random_range(-jitter..=jitter)
            } else {
                base
            };
            d.delay = Some(Duration::from_millis(ms.clamp(0, u64::MAX as i128) as u64));
        }
        let partial_ok = t.method.eq_ignore_ascii_case("POST") && t.template == RECORDS_TEMPLATE;
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let mut picked = None;
        for (p, kind) in f.stacked() {
            if kind == Kind::PartialBatch && !partial_ok {
                continue;
            }
            acc += p.max(0.0);
            if u < acc {
                picked = Some(kind);
                break;
            }
        }
        d.fault = picked.map(|kind| match kind {
            Kind::Drop => Fault::Drop,
            Kind::RateLimit => Fault::RateLimit(f.retry_after_secs),
            Kind::ServerError => Fault::ServerError,
            Kind::Gateway => Fault::Gateway(GATEWAY_STATUSES[rng.random_range(0..3)]),
            Kind::AppliedDrop => Fault::AppliedDrop,
            Kind::AppliedStall => Fault::AppliedStall(Duration::from_millis(f.stall_ms)),
            Kind::Truncated => Fault::Truncated,
            Kind::AppliedGateway => Fault::AppliedGateway(GATEWAY_STATUSES[rng.random_range(0..3)]),
            Kind::PartialBatch => Fault::PartialBatch(rng.random()),
        });
        d
    }
}

fn aimed_at(f: &Faults, t: Target<'_>) -> bool {
    f.method
        .as_deref()
        .is_none_or(|m| m.eq_ignore_ascii_case(t.method))
        && f.route.as_deref().is_none_or(|r| r == t.template)
        && f.datasheet
            .as_deref()
            .is_none_or(|d| t.path.split('/').any(|s| s == d))
        && f.token.as_deref().is_none_or(|k| t.token == Some(k))
}

/// How many of `n` records a partial batch keeps, from the draw `r`: 1 ≤ k < n (`None` when
/// `n < 2`, where nothing can be left out).
pub(crate) fn partial_count(n: usize, r: u64) -> Option<usize> {
    if n < 2 {
        return None;
    }
    Some(1 + (r % (n as u64 - 1)) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Target<'_> {
        Target {
            method: "GET",
            template: "/x",
            path,
            token: None,
        }
    }

    #[test]
    fn seeded_is_deterministic() {
        let f = Faults {
            rate_limit: 0.2,
            server_error: 0.2,
            gateway: 0.2,
            applied_gateway: 0.2,
            latency: 0.5,
            latency_ms: 100,
            latency_jitter_ms: 50,
            seed: Some(7),
            ..Faults::default()
        };
        let a = FaultInjector::new(f.clone());
        let b = FaultInjector::new(f);
        let mut delays = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let (x, y) = (a.decide(get("/x")), b.decide(get("/x")));
            assert_eq!(x.fault, y.fault);
            assert_eq!(x.delay, y.delay);
            if let Some(d) = x.delay {
                assert!((50..=150).contains(&d.as_millis()), "{d:?}");
                delays.insert(d);
            }
        }
        assert!(delays.len() > 10, "jitter varies the delay: {delays:?}");
    }

    #[test]
    fn filters() {
        let f = Faults {
            server_error: 1.0,
            method: Some("POST".into()),
            ..Faults::default()
        };
        let i = FaultInjector::new(f);
        assert_eq!(i.decide(get("/x")).fault, None);
        let post = Target {
            method: "POST",
            ..get("/x")
        };
        assert_eq!(i.decide(post).fault, Some(Fault::ServerError));
    }

    #[test]
    fn aimed_at_datasheet_and_token() {
        let i = FaultInjector::new(Faults {
            server_error: 1.0,
            datasheet: Some("dstA".into()),
            token: Some("t1".into()),
            ..Faults::default()
        });
        let t = |path, token| Target { token, ..get(path) };
        let hit = Some(Fault::ServerError);
        assert_eq!(
            i.decide(t("/v1/datasheets/dstA/records", Some("t1"))).fault,
            hit
        );
        assert_eq!(
            i.decide(t("/v1/datasheets/dstB/records", Some("t1"))).fault,
            None
        );
        assert_eq!(
            i.decide(t("/v1/datasheets/dstA/records", Some("t2"))).fault,
            None
        );
        assert_eq!(
            i.decide(t("/v1/datasheets/dstAB/records", Some("t1")))
                .fault,
            None
        );
        assert_eq!(i.decide(t("/v1/datasheets/dstA/records", None)).fault, None);
    }

    #[test]
    fn partial_batch_only_for_record_creates() {
        let i = FaultInjector::new(Faults {
            partial_batch: 1.0,
            ..Faults::default()
        });
        assert_eq!(i.decide(get("/x")).fault, None);
        let create = Target {
            method: "POST",
            template: RECORDS_TEMPLATE,
            path: "/fusion/v1/datasheets/dst1/records",
            token: None,
        };
        assert!(matches!(
            i.decide(create).fault,
            Some(Fault::PartialBatch(_))
        ));
        assert_eq!(partial_count(1, 5), None);
        for r in 0..50 {
            let k = partial_count(5, r).unwrap();
            assert!((1..5).contains(&k));
        }
    }

    #[test]
    fn gateway_statuses_are_5xx_pages() {
        let i = FaultInjector::new(Faults {
            gateway: 1.0,
            seed: Some(3),
            ..Faults::default()
        });
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..60 {
            match i.decide(get("/x")).fault {
                Some(Fault::Gateway(s)) => {
                    seen.insert(s);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![502, 503, 504]);
    }
}
