//! Request counters per route template, per status and per injected fault, for reliability
//! tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Counts of one route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteStats {
    /// Requests.
    pub count: u64,
    /// Requests by HTTP status (`0` = connection dropped by fault injection).
    pub statuses: BTreeMap<u16, u64>,
}

/// A snapshot of the request counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// All counted requests.
    pub total: u64,
    /// By `"METHOD /route/{template}"`, e.g. `"GET /fusion/v1/datasheets/{dstId}/records"`.
    /// Unknown routes count under `"METHOD (unmatched)"`, asset downloads and presigned uploads
    /// under `"GET /assets/{token}"` and `"PUT /assets/{token}"`.
    pub routes: BTreeMap<String, RouteStats>,
    /// By HTTP status (`0` = dropped connection).
    pub statuses: BTreeMap<u16, u64>,
    /// Injected faults by kind, named as the keys of [`Faults`](crate::Faults)' JSON form:
    /// `"drop"`, `"rateLimit"`, `"serverError"`, `"gateway"`, `"latency"`, `"appliedDrop"`,
    /// `"appliedStall"`, `"truncated"`, `"appliedGateway"`, `"partialBatch"`. Kinds never
    /// injected are absent.
    #[serde(default)]
    pub faults: BTreeMap<String, u64>,
    /// The most API requests that were being handled at once (from arrival, through any
    /// injected latency, to the answer): shows whether a client overlaps its requests.
    #[serde(default)]
    pub max_in_flight: u64,
    /// Requests that arrived less than a second after the request `limit` places before them
    /// on the same datasheet (or space) and token: what a sliding-window limiter would refuse.
    /// The server's fixed windows refuse only those that share a window, so this shows how
    /// close a client cuts it even when no 429 happened. Counted only with the limiter on.
    #[serde(default)]
    pub sliding_over: u64,
}

impl Stats {
    /// Requests to `method` + route `template`.
    pub fn count(&self, method: &str, template: &str) -> u64 {
        self.routes
            .get(&format!("{method} {template}"))
            .map_or(0, |r| r.count)
    }

    /// Requests to `method` + `template` answered with `status`.
    pub fn count_status(&self, method: &str, template: &str, status: u16) -> u64 {
        self.routes
            .get(&format!("{method} {template}"))
            .and_then(|r| r.statuses.get(&status).copied())
            .unwrap_or(0)
    }

    /// Requests answered with `status` on any route.
    pub fn status(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// Faults of `kind` injected (e.g. `"appliedDrop"`; see [`Stats::faults`]).
    pub fn fault(&self, kind: &str) -> u64 {
        self.faults.get(kind).copied().unwrap_or(0)
    }

    /// All injected faults.
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }
}

/// The live counters.
#[derive(Debug, Default)]
pub(crate) struct StatsCollector {
    inner: Mutex<Stats>,
    in_flight: Mutex<u64>,
}

/// Held while one request is handled.
pub(crate) struct InFlight<'a>(&'a StatsCollector);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        *self.0.in_flight.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
    }
}

impl StatsCollector {
    /// Counts a request as being handled until the guard is dropped.
    pub fn enter(&self) -> InFlight<'_> {
        let mut n = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        s.max_in_flight = s.max_in_flight.max(*n);
        InFlight(self)
    }

    /// Counts one request.
    pub fn record(&self, method: &str, template: &str, status: u16) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        s.total += 1;
        *s.statuses.entry(status).or_default() += 1;
        let r = s.routes.entry(format!("{method} {template}")).or_default();
        r.count += 1;
        *r.statuses.entry(status).or_default() += 1;
    }

    /// Counts one request that a sliding-window limiter would refuse.
    pub fn sliding_over(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .sliding_over += 1;
    }

    /// Counts one injected fault of `kind`.
    pub fn fault(&self, kind: &str) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *s.faults.entry(kind.to_string()).or_default() += 1;
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> Stats {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Zeroes the counters.
    pub fn reset(&self) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = Stats::default();
    }
}
