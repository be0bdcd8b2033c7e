//! The library's central promise under a misbehaving server: an upsert of 2,000 rows by key,
//! run against an emulator that loses answers of writes it did apply, cuts answers off, answers
//! with gateway pages, rate limits, fails and drops connections, is rerun until it succeeds and
//! leaves exactly the input behind: every row once, nothing duplicated, nothing lost.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use apitable_emulator::{Emulator, Faults};
use apitable_orm::Error;
use apitable_orm::RetryPolicy;
use apitable_orm::prelude::*;
use common::NotedItem as Item;

/// Row `i` with this quantity and a note of its own.
fn item(i: usize, qty: f64) -> Item {
    Item {
        name: format!("item {i:04}"),
        note: Some(format!("row {i}")),
        ..common::noted_item(i, qty)
    }
}

const ROWS: usize = 2000;
const PRESENT: usize = 500;
const MAX_RUNS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upsert_under_faults_ends_with_exactly_the_input() {
    let emu = Emulator::builder().start().await.unwrap();
    let dst = common::noted_items_datasheet(&emu).await;
    let client = Client::builder()
        .emulator(&emu)
        .attempt_timeout(Duration::from_millis(400))
        .retry(
            RetryPolicy::standard()
                .with_max_attempts(12)
                .with_initial_backoff(Duration::from_millis(2))
                .with_max_backoff(Duration::from_millis(20))
                .with_rate_limit_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let items = client.table_in::<Item>(dst);

    // A quarter of the rows exist already, with other quantities: the upsert updates them.
    let old: Vec<Item> = (0..PRESENT).map(|i| item(i, -1.0)).collect();
    items.insert_many(&old).await.unwrap();
    let input: Vec<Item> = (0..ROWS).map(|i| item(i, i as f64)).collect();

    emu.set_faults(Faults {
        drop: 0.01,
        rate_limit: 0.05,
        server_error: 0.02,
        gateway: 0.01,
        applied_drop: 0.03,
        applied_stall: 0.01,
        stall_ms: 1500,
        truncated: 0.02,
        applied_gateway: 0.01,
        partial_batch: 0.02,
        latency: 0.1,
        latency_ms: 3,
        latency_jitter_ms: 3,
        seed: Some(20261201),
        ..Faults::none()
    })
    .await;

    let mut runs = 0;
    let mut unknown_rows = 0;
    let mut unattributed = 0;
    let mut other_failures = 0;
    let report = loop {
        runs += 1;
        assert!(runs <= MAX_RUNS, "no success after {MAX_RUNS} runs");
        match items.upsert(&input).await {
            Ok(report) => break report,
            Err(Error::Batch(b)) => {
                unknown_rows += b.unknown().len();
                unattributed += b.unattributed().len();
            }
            // A lookup that ran out of retries: nothing was written by it.
            Err(e) if e.is_retryable() => other_failures += 1,
            Err(e) => panic!("run {runs}: unexpected error: {e}"),
        }
    };
    let stats = emu.stats().await;
    emu.set_faults(Faults::none()).await;

    // The last run found everything the earlier runs had written.
    assert_eq!(
        report.created.len() + report.updated.len() + report.unchanged.len(),
        ROWS
    );
    let stored = items.query().all().await.unwrap();
    assert_eq!(stored.len(), ROWS, "exactly the input, no duplicates");
    let by_name: BTreeMap<&str, &Item> = stored.iter().map(|i| (i.name.as_str(), i)).collect();
    assert_eq!(by_name.len(), ROWS, "every name once");
    for want in &input {
        let got = by_name[want.name.as_str()];
        assert_eq!(
            (got.qty, &got.note),
            (want.qty, &want.note),
            "{}",
            want.name
        );
    }

    let faults: u64 = stats.faults.values().sum();
    eprintln!(
        "fault run: {faults} faults injected {:?}; {runs} runs ({} failed on a lookup); \
         {unknown_rows} rows reported unknown, {unattributed} unattributed ids; \
         final count {}",
        stats.faults,
        other_failures,
        stored.len()
    );
    assert!(runs > 1, "the faults made at least one run fail");
    assert!(
        unknown_rows > 0,
        "unknown outcomes were reported and resolved"
    );
    for kind in [
        "appliedDrop",
        "truncated",
        "partialBatch",
        "rateLimit",
        "serverError",
    ] {
        assert!(
            stats.faults.get(kind).copied().unwrap_or(0) > 0,
            "{kind} was injected: {:?}",
            stats.faults
        );
    }
    emu.shutdown().await;
}
