//! The typed layer under a rate-limited server and injected faults: nothing is lost, nothing
//! is written twice, and a paced client never meets the limiter.

use std::time::Duration;

mod common;

use apitable_emulator::{Emulator, Faults};
use apitable_orm::RetryPolicy;
use apitable_orm::prelude::*;
use common::{Item, item};

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";

fn quick_retries() -> RetryPolicy {
    RetryPolicy::standard()
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_rate_limit_backoff(Duration::from_millis(20))
}

/// The items datasheet `dst`, through a client that retries quickly.
fn retrying_sheet(emu: &Emulator, dst: apitable_orm::DatasheetId) -> Sheet<Item> {
    Client::builder()
        .emulator(emu)
        .retry(quick_retries())
        .build()
        .unwrap()
        .table_in::<Item>(dst)
}

#[tokio::test]
async fn a_paced_client_never_meets_the_rate_limiter() {
    let emu = Emulator::builder()
        .rate_limit(Some(5))
        .start()
        .await
        .unwrap();
    let dst = common::items_datasheet(&emu).await;
    let client = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let items = client.table_in::<Item>(dst);
    let rows: Vec<Item> = (0..40).map(|i| item(i, 1.0)).collect();
    items.insert_many(&rows).await.unwrap();
    let changed: Vec<Item> = (0..40)
        .map(|i| item(i, if i % 4 == 0 { 2.0 } else { 1.0 }))
        .collect();
    let report = items.upsert(&changed).await.unwrap();
    assert_eq!(report.updated.len(), 10);
    assert_eq!(
        items.query().filter(Item::QTY.eq(2)).count().await.unwrap(),
        10
    );
    let stats = emu.stats().await;
    assert!(stats.count("POST", RECORDS) >= 4);
    assert_eq!(stats.status(429), 0, "{stats:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn injected_rate_limits_are_retried_without_losing_or_duplicating_rows() {
    let emu = Emulator::builder().start().await.unwrap();
    let dst = common::items_datasheet(&emu).await;
    emu.set_faults(Faults {
        rate_limit: 0.4,
        seed: Some(11),
        ..Faults::none()
    })
    .await;
    let items = retrying_sheet(&emu, dst);
    let rows: Vec<Item> = (0..100).map(|i| item(i, i as f64)).collect();
    let ids = items.insert_many(&rows).await.unwrap();
    assert_eq!(ids.len(), 100);
    let report = items.upsert(&rows).await.unwrap();
    assert_eq!(report.unchanged.len(), 100, "a rerun finds every row, once");
    let stats = emu.stats().await;
    assert!(stats.status(429) > 0, "faults were injected: {stats:?}");
    emu.set_faults(Faults::none()).await;
    assert_eq!(items.query().count().await.unwrap(), 100);
    emu.shutdown().await;
}

#[tokio::test]
async fn reads_and_updates_ride_out_server_errors() {
    let emu = Emulator::builder().start().await.unwrap();
    let dst = common::items_datasheet(&emu).await;
    let items = retrying_sheet(&emu, dst);
    items
        .insert_many(&(0..30).map(|i| item(i, 1.0)).collect::<Vec<_>>())
        .await
        .unwrap();
    // Half of all reads and updates fail with a 500; creates are left alone (a 500 on a
    // create would rightly be reported as an unknown outcome).
    for method in ["GET", "PATCH"] {
        emu.set_faults(Faults {
            server_error: 0.5,
            seed: Some(3),
            method: Some(method.into()),
            ..Faults::none()
        })
        .await;
        let all = items.query().all().await.unwrap();
        assert_eq!(all.len(), 30);
        let bumped: Vec<Item> = all
            .into_iter()
            .map(|i| Item {
                qty: i.qty + 1.0,
                ..i
            })
            .collect();
        items.update_many(&bumped).await.unwrap();
    }
    emu.set_faults(Faults::none()).await;
    assert_eq!(
        items.query().filter(Item::QTY.eq(3)).count().await.unwrap(),
        30
    );
    assert!(emu.stats().await.status(500) > 0);
    emu.shutdown().await;
}
