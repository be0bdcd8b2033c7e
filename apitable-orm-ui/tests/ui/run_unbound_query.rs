// A query built with `T::query()` is a description: it runs through a sheet.
use apitable_orm::prelude::*;

#[derive(Table)]
#[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
struct Item {
    name: String,
}

async fn run() {
    let _ = Item::query().all().await;
}

fn main() {
    let _ = run;
}
