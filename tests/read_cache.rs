//! The read cache against the emulator: a page read 100 times at once is sent once, a write of
//! this client makes the next read fresh, and another client's write shows after the TTL.

mod common;

use std::time::Duration;

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::DatasheetId;
use apitable_orm::prelude::*;
use serde_json::json;

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstCache000000001", rename_all = "PascalCase")]
struct Dish {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    name: String,
    price: f64,
}

fn dish(name: &str, price: f64) -> Dish {
    Dish {
        id: None,
        name: name.into(),
        price,
    }
}

async fn menu() -> (Emulator, DatasheetId) {
    let emu = common::rate_limited(5).await;
    let dst = common::new_datasheet(
        &emu,
        "Menu",
        &[
            FieldSpec::new("Name", "SingleText").property(json!({})),
            FieldSpec::new("Price", "Number").property(json!({"precision": 2})),
        ],
    )
    .await;
    (emu, dst)
}

fn gets(stats: &apitable_emulator::Stats) -> u64 {
    stats.count("GET", RECORDS)
}

#[tokio::test]
async fn a_hundred_reads_at_once_and_a_hundred_after_send_one_request() {
    let (emu, dst) = menu().await;
    let client = Client::for_emulator(&emu).unwrap();
    let dishes = client.table_in::<Dish>(dst);
    dishes
        .insert_many(&[dish("Soup", 4.5), dish("Stew", 9.0)])
        .await
        .unwrap();
    let menu = dishes.clone().cached(Duration::from_secs(60));
    let query = menu.query().filter(Dish::PRICE.lt(5));
    let cheap = || query.all();
    emu.reset_stats().await;
    let answers = futures_util::future::join_all((0..100).map(|_| cheap())).await;
    for a in &answers {
        assert_eq!(a.as_ref().unwrap().len(), 1);
    }
    for _ in 0..100 {
        assert_eq!(cheap().await.unwrap().len(), 1);
    }
    assert_eq!(gets(&emu.stats().await), 1);
    // Another query is another request; the uncached sheet always sends.
    assert_eq!(menu.all().await.unwrap().len(), 2);
    assert_eq!(dishes.all().await.unwrap().len(), 2);
    assert_eq!(gets(&emu.stats().await), 3);
    assert_eq!(emu.stats().await.status(429), 0);
}

#[tokio::test]
async fn this_clients_write_makes_the_next_read_fresh() {
    let (emu, dst) = menu().await;
    let client = Client::for_emulator(&emu).unwrap();
    let dishes = client.table_in::<Dish>(dst.clone());
    let menu = dishes.clone().cached(Duration::from_secs(60));
    dishes.insert_many(&[dish("Soup", 4.5)]).await.unwrap();
    assert_eq!(menu.all().await.unwrap().len(), 1);
    // Written through another sheet of the same client (a clone shares the cache).
    let other_sheet = client.clone().table_in::<Dish>(dst);
    other_sheet
        .insert_many(&[dish("Salad", 3.0)])
        .await
        .unwrap();
    let names: Vec<String> = menu
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, ["Soup", "Salad"]);
    // A failed write invalidates too: it may have been applied.
    emu.reset_stats().await;
    assert!(dishes.update_many(&[dish("No id", 1.0)]).await.is_err()); // refused before sending
    assert_eq!(menu.all().await.unwrap().len(), 2);
    assert_eq!(
        gets(&emu.stats().await),
        0,
        "nothing was sent, nothing invalidated"
    );
}

#[tokio::test]
async fn another_clients_write_shows_once_the_ttl_is_over() {
    let (emu, dst) = menu().await;
    let reader = Client::for_emulator(&emu).unwrap();
    let writer = Client::for_emulator(&emu).unwrap();
    let ttl = Duration::from_millis(300);
    let menu = reader.table_in::<Dish>(dst.clone()).cached(ttl);
    assert_eq!(menu.count().await.unwrap(), 0);
    writer
        .table_in::<Dish>(dst)
        .insert_many(&[dish("Soup", 4.5)])
        .await
        .unwrap();
    // Within the TTL the reader may still see the old answer; after it, never.
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    assert_eq!(menu.count().await.unwrap(), 1);
}
