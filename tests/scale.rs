//! Writes at the rate limit: several requests of one write in flight at once, ids in input
//! order, and the real limiter never met, with 300 ms ± 50 ms between client and server.

use std::collections::HashMap;

mod common;

use apitable_emulator::{Emulator, Faults};
use apitable_orm::prelude::*;
use apitable_orm::{DatasheetId, RetryPolicy};
use common::{Item, item};

fn items(n: usize) -> Vec<Item> {
    (0..n).map(|i| item(i, i as f64)).collect()
}

/// An emulator with the real limiter (5 a second) and 300 ms ± 50 ms before every POST is
/// handled, and a fresh datasheet.
async fn slow_server() -> (Emulator, DatasheetId) {
    let emu = common::rate_limited(5).await;
    let dst = common::items_datasheet(&emu).await;
    emu.set_faults(Faults {
        latency: 1.0,
        latency_ms: 300,
        latency_jitter_ms: 50,
        method: Some("POST".into()),
        seed: Some(7),
        ..Faults::none()
    })
    .await;
    (emu, dst)
}

fn client(emu: &Emulator, writes_in_flight: usize) -> Client {
    Client::builder()
        .emulator(emu)
        .retry(RetryPolicy::disabled())
        .writes_in_flight(writes_in_flight)
        .build()
        .unwrap()
}

#[tokio::test]
async fn pipelined_inserts_overlap_their_latency_keep_input_order_and_never_meet_the_limiter() {
    let (emu, dst) = slow_server().await;
    let sheet = client(&emu, 5).table_in::<Item>(dst);
    let rows = items(100);
    emu.reset_stats().await;
    let ids = sheet.insert_many(&rows).await.unwrap();
    let stats = emu.stats().await;
    assert_eq!(stats.status(429), 0, "{stats:?}");
    assert_eq!(
        stats.count("POST", "/fusion/v1/datasheets/{dstId}/records"),
        10
    );
    // Requests overlapped (sent one by one, at most one would ever be in flight), and pacing
    // kept them to the five permits.
    assert!(
        (2..=5).contains(&stats.max_in_flight),
        "{}",
        stats.max_in_flight
    );
    // The ids are in input order: id i holds row i.
    let stored: HashMap<RecordId, Item> = sheet
        .get_many(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.id.clone().unwrap(), row))
        .collect();
    assert_eq!(stored.len(), 100);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(stored[id].name, rows[i].name, "id #{i}");
    }
}

#[tokio::test]
async fn one_write_in_flight_sends_the_batches_one_after_another() {
    let (emu, dst) = slow_server().await;
    let sheet = client(&emu, 1).table_in::<Item>(dst);
    emu.reset_stats().await;
    let ids = sheet.insert_many(&items(30)).await.unwrap();
    assert_eq!(ids.len(), 30);
    let stats = emu.stats().await;
    assert_eq!(stats.max_in_flight, 1);
    assert_eq!(stats.status(429), 0);
    // One after another, the rows land in the view in input order.
    let names: Vec<String> = sheet
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.name)
        .collect();
    let expected: Vec<String> = items(30).into_iter().map(|row| row.name).collect();
    assert_eq!(names, expected);
}
