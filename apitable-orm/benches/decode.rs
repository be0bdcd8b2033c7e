//! Decoding a 1,000-record page of 10 mixed-type fields: `Page::<T>::from_response` (the
//! derived table, straight from the response bytes) against serde_json decoding the same bytes
//! into an equivalent hand-written `#[derive(serde::Deserialize)]` envelope, and into a
//! `serde_json::Value`.
//!
//! Run with `cargo bench -p apitable-orm --bench decode`. After criterion's report (which also
//! warms everything up) the bench measures the three decoders again in interleaved rounds, the
//! order rotating each round so that all three see the same machine load, and prints the
//! median of each and the headline ratios computed from those same medians. In a round each
//! decoder runs twice, back to back, and only the second run is timed: that is the steady state
//! of decoding page after page, and no timed run pays for what another decoder left behind
//! (freeing a `serde_json::Value` tree slows the next decode by about 40%). The per-round
//! ratios' medians are printed too: on a loaded machine they are the steadier figure.
//!
//! Environment:
//! * `DECODE_ROUNDS=N`: interleaved rounds for the headline (default 301).
//! * `DECODE_HEADLINE_ONLY=1`: skip criterion, print only the headline.
//! * `DECODE_PROFILE=ours|serde|value` (with `DECODE_PROFILE_ITERS=N`, default 50): only decode
//!   N times with that decoder and exit, for a profiler, e.g.
//!   `DECODE_PROFILE=ours valgrind --tool=callgrind target/release/deps/decode-…`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::Value;

use apitable_orm::value::{Attachment, Url};
use apitable_orm::{FieldValue, Page, RecordId, Table, Timestamp};
use criterion::{Criterion, Throughput};
use serde::Deserialize;
use serde_json::json;

const RECORDS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Status {
    #[apitable(rename = "To do")]
    Todo,
    Doing,
    Done,
}

/// The derived table: 10 mapped fields and the record id.
#[allow(dead_code)] // decoded, not read
#[derive(Debug, Table)]
#[apitable(datasheet = "dstBench0000001", rename_all = "Title Case")]
struct Task {
    #[apitable(record_id)]
    id: Option<RecordId>,
    title: String,
    #[apitable(name = "Estimate (h)")]
    estimate: f64,
    done: bool,
    status: Status,
    tags: Vec<String>,
    due: Timestamp,
    #[apitable(name = "Blocked by")]
    blocked_by: Vec<RecordId>,
    link: Url,
    files: Vec<Attachment>,
    notes: Option<String>,
}

/// The same page for plain serde.
#[allow(dead_code)] // decoded, not read
mod plain {
    use super::*;

    #[derive(Deserialize)]
    pub struct Envelope {
        pub success: bool,
        pub code: u16,
        pub message: String,
        pub data: Data,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Data {
        pub total: u64,
        pub page_num: u64,
        pub page_size: u64,
        pub records: Vec<Record>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Record {
        pub record_id: RecordId,
        pub created_at: Option<i64>,
        pub updated_at: Option<i64>,
        pub fields: Fields,
    }

    #[derive(Deserialize)]
    pub enum Status {
        #[serde(rename = "To do")]
        Todo,
        Doing,
        Done,
    }

    #[derive(Deserialize)]
    pub struct Link {
        pub text: String,
        #[serde(default)]
        pub title: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Fields {
        #[serde(rename = "Title", default)]
        pub title: String,
        #[serde(rename = "Estimate (h)")]
        pub estimate: f64,
        #[serde(rename = "Done", default)]
        pub done: bool,
        #[serde(rename = "Status")]
        pub status: Status,
        #[serde(rename = "Tags", default)]
        pub tags: Vec<String>,
        #[serde(rename = "Due")]
        pub due: Timestamp,
        #[serde(rename = "Blocked by", default)]
        pub blocked_by: Vec<RecordId>,
        #[serde(rename = "Link")]
        pub link: Link,
        #[serde(rename = "Files", default)]
        pub files: Vec<Attachment>,
        #[serde(rename = "Notes", default)]
        pub notes: Option<String>,
    }
}

/// A response body as the server sends it (`recordId` first in each record).
fn page_bytes() -> Vec<u8> {
    let statuses = ["To do", "Doing", "Done"];
    let records: Vec<String> = (0..RECORDS)
        .map(|i| {
            let fields = json!({
                "Title": format!("Task number {i} with a longer title"),
                "Estimate (h)": (i % 17) as f64 * 0.5,
                "Done": i % 3 == 0,
                "Status": statuses[i % 3],
                "Tags": ["backend", if i % 2 == 0 { "urgent" } else { "later" }],
                "Due": 1_700_000_000_000_i64 + i as i64 * 86_400_000,
                "Blocked by": [format!("recBlock{:05}", i), format!("recBlock{:05}", i + 1)],
                "Link": {"text": format!("https://example.com/tasks/{i}"), "title": "Example"},
                "Files": [{
                    "id": format!("atc{i:05}"), "token": format!("space/2024/{i}.png"),
                    "name": format!("{i}.png"), "size": 1024 + i, "mimeType": "image/png",
                    "width": 640, "height": 480,
                    "url": format!("https://s1.example.com/space/2024/{i}.png")
                }],
                "Notes": "Line one\nline two",
            });
            format!(
                r#"{{"recordId":"rec{i:09}","createdAt":1700000000000,"updatedAt":1700000100000,"fields":{fields}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"success":true,"code":200,"message":"SUCCESS","data":{{"total":{RECORDS},"pageNum":1,"pageSize":{RECORDS},"records":[{}]}}}}"#,
        records.join(",")
    )
    .into_bytes()
}

fn ours(bytes: &[u8]) -> usize {
    let page = Page::<Task>::from_response(bytes, RECORDS as u64).expect("decodes");
    page.items.len()
}

fn serde(bytes: &[u8]) -> usize {
    let env: plain::Envelope = serde_json::from_slice(bytes).expect("decodes");
    env.data.records.len()
}

fn value(bytes: &[u8]) -> usize {
    let v: Value = serde_json::from_slice(bytes).expect("decodes");
    v["data"]["records"].as_array().map_or(0, Vec::len)
}

/// A decoder under test: decodes a page, returns its record count.
type Decoder = fn(&[u8]) -> usize;

/// The decoders compared, in the order of the headline.
const DECODERS: [(&str, Decoder); 3] = [
    ("apitable_orm Page<T>", ours),
    ("serde derive", serde),
    ("serde_json::Value", value),
];

/// The median of some samples.
fn median<T: PartialOrd + Copy>(mut samples: Vec<T>) -> T {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    samples[samples.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs only one decoder, for a profiler.
fn profile(which: &str, bytes: &[u8]) {
    let f = match which {
        "ours" => ours,
        "serde" => serde,
        "value" => value,
        other => panic!("DECODE_PROFILE is ours, serde or value, not {other:?}"),
    };
    for _ in 0..env_usize("DECODE_PROFILE_ITERS", 50) {
        black_box(f(black_box(bytes)));
    }
}

/// Interleaved rounds: each round runs every decoder once, the order rotating from round to
/// round. Returns each decoder's timings and, per round, ours divided by each other decoder.
fn interleaved(bytes: &[u8], rounds: usize) -> (Vec<Vec<Duration>>, Vec<Vec<f64>>) {
    let n = DECODERS.len();
    let mut times = vec![Vec::with_capacity(rounds); n];
    let mut ratios = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        let mut this = [Duration::ZERO; 3];
        for k in 0..n {
            let i = (round + k) % n;
            // Once untimed first: timed right after another decoder, a decoder pays for the
            // state that one left (after `serde_json::Value`'s tree is freed, about 40% more),
            // and which one it follows depends on the rotation. A user decodes page after page
            // with one decoder; so does the timed call.
            black_box(DECODERS[i].1(black_box(bytes)));
            let t = Instant::now();
            black_box(DECODERS[i].1(black_box(bytes)));
            this[i] = t.elapsed();
        }
        for i in 0..n {
            times[i].push(this[i]);
            ratios[i].push(this[0].as_secs_f64() / this[i].as_secs_f64());
        }
    }
    (times, ratios)
}

fn main() {
    let bytes = page_bytes();
    for (name, f) in DECODERS {
        assert_eq!(f(&bytes), RECORDS, "{name}");
    }
    let sample = Page::<Task>::from_response(&bytes, 1000).unwrap();
    assert_eq!(sample.items[1].status, Status::Doing);
    assert!(sample.items[0].id.is_some() && !sample.items[0].files.is_empty());
    assert_eq!(sample.items[7].link.title.as_deref(), Some("Example"));

    if let Ok(which) = std::env::var("DECODE_PROFILE") {
        profile(&which, &bytes);
        return;
    }

    if std::env::var_os("DECODE_HEADLINE_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        let mut group = c.benchmark_group("decode_1000_records");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("apitable_orm_page", |b| b.iter(|| ours(black_box(&bytes))));
        group.bench_function("serde_derive", |b| b.iter(|| serde(black_box(&bytes))));
        group.bench_function("serde_json_value", |b| b.iter(|| value(black_box(&bytes))));
        group.finish();
        c.final_summary();
    }

    // Warm-up (caches, allocator, CPU frequency), then the measured rounds.
    interleaved(&bytes, 20);
    let rounds = env_usize("DECODE_ROUNDS", 301).max(1);
    let (times, ratios) = interleaved(&bytes, rounds);
    let medians: Vec<Duration> = times.into_iter().map(median).collect();
    let round_ratios: Vec<f64> = ratios.into_iter().map(median).collect();
    println!();
    println!(
        "decode {RECORDS} records ({} KiB), steady state: median of {rounds} interleaved rounds",
        bytes.len() / 1024
    );
    for ((name, _), m) in DECODERS.iter().zip(&medians) {
        println!("  {name:<22} {:>8.3} ms", m.as_secs_f64() * 1e3);
    }
    let ratio = |i: usize| medians[0].as_secs_f64() / medians[i].as_secs_f64();
    println!(
        "headline: apitable_orm / serde derive = {:.2}x, apitable_orm / serde_json::Value = {:.2}x \
         (medians above; median of per-round ratios: {:.2}x, {:.2}x)",
        ratio(1),
        ratio(2),
        round_ratios[1],
        round_ratios[2]
    );
}
