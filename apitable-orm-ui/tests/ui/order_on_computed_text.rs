// A formula column filters by its value type: text has no order.
use apitable_orm::prelude::*;
use apitable_orm::value::Computed;

#[derive(Table)]
#[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
struct Item {
    name: String,
    label: Computed<String>,
}

fn main() {
    let _ = Item::LABEL.gt("m");
}
