// Each filter value must fit the column's family: a number for a number, an enum variant for a
// select, a `Timestamp` for a date.
use apitable_orm::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Category {
    Camera,
    Lens,
}

#[derive(Table)]
#[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
struct Item {
    quantity: u32,
    category: Option<Category>,
    purchased: Option<Timestamp>,
}

fn main() {
    let _ = Item::QUANTITY.eq("three");
    let _ = Item::CATEGORY.eq("Camera");
    let _ = Item::PURCHASED.lt(1_704_067_200_000_i64);
}
