//! Setup shared by the end-to-end tests: emulators started from a seed, a client for them, and
//! new datasheets by their field specs. Each test binary uses a part of it.
#![allow(dead_code)]

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::prelude::*;
use apitable_orm::{DatasheetId, RetryPolicy};

/// An in-process emulator seeded from this JSON text.
pub async fn seeded(seed: &str) -> Emulator {
    Emulator::builder().seed_json(seed).start().await.unwrap()
}

/// An emulator seeded from this JSON text, with a client for it.
pub async fn seeded_with_client(seed: &str) -> (Emulator, Client) {
    let emu = seeded(seed).await;
    let client = Client::for_emulator(&emu).unwrap();
    (emu, client)
}

/// A client of the emulator with this token that makes each request once.
pub fn unretried_client(emu: &Emulator, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(emu.base_url())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// An emulator that limits every token to `per_second` requests a second.
pub async fn rate_limited(per_second: u32) -> Emulator {
    Emulator::builder()
        .rate_limit(Some(per_second))
        .start()
        .await
        .unwrap()
}

/// A new datasheet named `name` with these fields, in the emulator's space.
pub async fn new_datasheet(emu: &Emulator, name: &str, fields: &[FieldSpec]) -> DatasheetId {
    emu.create_datasheet(name, fields)
        .await
        .unwrap()
        .id
        .parse()
        .unwrap()
}

/// A row of the plain items datasheet: a key and a quantity.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstItems000000001", rename_all = "PascalCase")]
pub struct Item {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    #[apitable(key)]
    pub name: String,
    pub qty: f64,
}

/// Item `i` ("item 007") with this quantity, not yet written.
pub fn item(i: usize, qty: f64) -> Item {
    Item {
        id: None,
        name: format!("item {i:03}"),
        qty,
    }
}

/// The fields of an items datasheet: `Name` (text, the key), `Qty` (a whole number) and
/// then `more`.
pub fn item_fields(more: impl IntoIterator<Item = FieldSpec>) -> Vec<FieldSpec> {
    [
        FieldSpec::new("Name", "SingleText").property(serde_json::json!({})),
        FieldSpec::new("Qty", "Number").property(serde_json::json!({"precision": 0})),
    ]
    .into_iter()
    .chain(more)
    .collect()
}

/// A new datasheet for [`Item`]s: `Name` (text) and `Qty` (a whole number).
pub async fn items_datasheet(emu: &Emulator) -> DatasheetId {
    new_datasheet(emu, "Items", &item_fields([])).await
}

/// A row of an items datasheet with a note and tags besides the key and the quantity.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstNotedItems0001", rename_all = "PascalCase")]
pub struct NotedItem {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    #[apitable(key)]
    pub name: String,
    pub qty: f64,
    pub note: Option<String>,
    pub tags: Vec<String>,
}

/// Noted item `i` ("item 007") with this quantity, no note and no tags, not yet written.
pub fn noted_item(i: usize, qty: f64) -> NotedItem {
    NotedItem {
        id: None,
        name: format!("item {i:03}"),
        qty,
        note: None,
        tags: vec![],
    }
}

/// A new datasheet for [`NotedItem`]s: [`item_fields`], then `Note` (text) and `Tags` (a
/// multi-select with no options yet).
pub async fn noted_items_datasheet(emu: &Emulator) -> DatasheetId {
    let more = [
        FieldSpec::new("Note", "Text"),
        FieldSpec::new("Tags", "MultiSelect").property(serde_json::json!({"options": []})),
    ];
    new_datasheet(emu, "Items", &item_fields(more)).await
}
