//! Samples, medians and the Markdown table.

use std::fmt::Write;

use crate::emulator::Counts;

/// What a row's figures are.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Secs,
    Millis,
    MiB,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::Secs if v < 1.0 => format!("{v:.3} s"),
            Unit::Secs => format!("{v:.2} s"),
            Unit::Millis => format!("{v:.2} ms"),
            Unit::MiB => format!("{v:.1} MiB"),
        }
    }
}

/// One run of one side.
#[derive(Debug, Clone)]
pub struct Sample {
    pub outcome: Result<f64, String>,
    pub counts: Counts,
}

impl Sample {
    pub fn new(outcome: Result<f64, String>, counts: Counts) -> Sample {
        Sample { outcome, counts }
    }

    /// A figure measured without requests.
    pub fn value(v: f64) -> Sample {
        Sample::new(Ok(v), Counts::default())
    }
}

/// One side of a row.
#[derive(Debug, Clone)]
pub enum Side {
    Samples(Vec<Sample>),
    NotMeasured(String),
}

/// The fixed-window bound of a scenario that needs `requests` requests on one datasheet.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub requests: u64,
    /// One measured round trip at the row's latency, seconds.
    pub rtt: f64,
}

impl Bound {
    pub fn new(requests: u64, rtt: f64) -> Bound {
        Bound { requests, rtt }
    }

    /// M/5 s, and the tighter (M/5 − 1) s + one round trip.
    fn show(self) -> String {
        let windows = self.requests as f64 / 5.0;
        let tight = (windows.ceil() - 1.0).max(0.0) + self.rtt;
        format!("{} req: {windows:.1} s (tight {tight:.2} s)", self.requests)
    }
}

/// A row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub latency: u64,
    pub unit: Unit,
    pub ours: Side,
    /// The SDK with a 0.2 s sleep before each request (its own QPS = 5).
    pub paced: Side,
    /// The SDK as shipped.
    pub shipped: Side,
    pub bound: Option<Bound>,
}

pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median of the successful runs, if every run succeeded.
fn side_median(side: &Side) -> Option<f64> {
    match side {
        Side::Samples(s) if !s.is_empty() && s.iter().all(|x| x.outcome.is_ok()) => {
            let mut v: Vec<f64> = s.iter().filter_map(|x| x.outcome.clone().ok()).collect();
            Some(median(&mut v))
        }
        _ => None,
    }
}

/// What an error says, shortly.
fn kind_of(error: &str) -> String {
    if error.contains("QPS") || error.contains("429") || error.contains("frequent") {
        "raised 429".into()
    } else {
        let short: String = error.chars().take(60).collect();
        format!("failed: {short}")
    }
}

fn show_side(side: &Side, unit: Unit) -> String {
    match side {
        Side::NotMeasured(why) => why.clone(),
        Side::Samples(s) if s.is_empty() => "—".into(),
        Side::Samples(s) => {
            let failed: Vec<&String> = s.iter().filter_map(|x| x.outcome.as_ref().err()).collect();
            if failed.is_empty() {
                let m = side_median(side).unwrap_or(f64::NAN);
                let mut v: Vec<f64> = s.iter().filter_map(|x| x.outcome.clone().ok()).collect();
                v.sort_by(|a, b| a.total_cmp(b));
                if v.len() > 1 {
                    format!(
                        "{} ({}–{}, n={})",
                        unit.show(m),
                        unit.show(v[0]).trim_end_matches(unit_suffix(unit)).trim(),
                        unit.show(v[v.len() - 1]),
                        v.len()
                    )
                } else {
                    unit.show(m)
                }
            } else {
                let mut reqs: Vec<f64> = s
                    .iter()
                    .filter(|x| x.outcome.is_err())
                    .map(|x| x.counts.requests as f64)
                    .collect();
                format!(
                    "{} in {}/{} runs (after {} req)",
                    kind_of(failed[0]),
                    failed.len(),
                    s.len(),
                    median(&mut reqs)
                )
            }
        }
    }
}

fn unit_suffix(unit: Unit) -> &'static str {
    match unit {
        Unit::Secs => " s",
        Unit::Millis => " ms",
        Unit::MiB => " MiB",
    }
}

/// Requests per run (median), 429s and sliding-window overflows over all runs of a side.
fn counts(side: &Side) -> (String, String, String) {
    match side {
        Side::Samples(s) if !s.is_empty() && s.iter().any(|x| x.counts.requests > 0) => {
            let mut reqs: Vec<f64> = s.iter().map(|x| x.counts.requests as f64).collect();
            let throttled: u64 = s.iter().map(|x| x.counts.throttled).sum();
            let sliding: u64 = s.iter().map(|x| x.counts.sliding_over).sum();
            (
                format!("{}", median(&mut reqs)),
                throttled.to_string(),
                sliding.to_string(),
            )
        }
        _ => ("—".into(), "—".into(), "—".into()),
    }
}

fn ratio(ours: &Side, other: &Side) -> String {
    match (side_median(ours), side_median(other)) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".into(),
    }
}

/// The Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(
        "| scenario | latency | ours (median) | SDK, 0.2 s sleeps (median) | ours / SDK | \
         SDK as shipped | ours / shipped | requests per run (ours / SDK / shipped) | \
         429s, all runs (ours / SDK / shipped) | sliding-second overflows, all runs (ours) | \
         fixed-window bound |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let (oq, ot, oslide) = counts(&r.ours);
        let (pq, pt, _) = counts(&r.paced);
        let (sq, st, _) = counts(&r.shipped);
        let latency = if r.latency == 0 {
            "0".to_string()
        } else {
            format!("{} ± 50 ms", r.latency)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {oq} / {pq} / {sq} | {ot} / {pt} / {st} | {oslide} | {} |",
            r.scenario,
            latency,
            show_side(&r.ours, r.unit),
            show_side(&r.paced, r.unit),
            ratio(&r.ours, &r.paced),
            show_side(&r.shipped, r.unit),
            ratio(&r.ours, &r.shipped),
            r.bound.map_or_else(|| "—".to_string(), Bound::show),
        );
    }
    out
}
