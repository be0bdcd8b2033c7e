//! Decoding a 1,000-record page of 10 mixed-type fields: `Page::<T>::from_response` (the
//! derived table, straight from the response bytes) against serde_json decoding the same bytes
//! into an equivalent hand-written `#[derive(serde::Deserialize)]` envelope.
//!
//! Run with `cargo bench -p apitable-orm --bench decode`; the last lines print the ratio
//! (ours / serde), measured on interleaved runs after criterion's report.

use std::hint::black_box;
use std::time::{Duration, Instant};

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

/// The median of some timings.
fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let bytes = page_bytes();
    assert_eq!(ours(&bytes), RECORDS);
    assert_eq!(serde(&bytes), RECORDS);
    let sample = Page::<Task>::from_response(&bytes, 1000).unwrap();
    assert_eq!(sample.items[1].status, Status::Doing);
    assert!(sample.items[0].id.is_some() && !sample.items[0].files.is_empty());

    let mut c = Criterion::default().configure_from_args();
    {
        let mut group = c.benchmark_group("decode_1000_records");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("apitable_orm_page", |b| b.iter(|| ours(black_box(&bytes))));
        group.bench_function("serde_derive", |b| b.iter(|| serde(black_box(&bytes))));
        group.finish();
    }
    c.final_summary();

    // The ratio, from interleaved runs so both see the same machine load.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..60 {
        let t = Instant::now();
        black_box(ours(black_box(&bytes)));
        a.push(t.elapsed());
        let t = Instant::now();
        black_box(serde(black_box(&bytes)));
        b.push(t.elapsed());
    }
    let (a, b) = (median(a), median(b));
    println!(
        "decode {RECORDS} records ({} KiB): apitable_orm {:?}, serde {:?}, ratio ours/serde = {:.2}",
        bytes.len() / 1024,
        a,
        b,
        a.as_secs_f64() / b.as_secs_f64()
    );
}
