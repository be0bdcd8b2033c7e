// `is_today` and `within_last_days` need a date column.
use apitable_orm::prelude::*;

#[derive(Table)]
#[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
struct Item {
    quantity: u32,
}

fn main() {
    let _ = Item::QUANTITY.within_last_days(7);
}
