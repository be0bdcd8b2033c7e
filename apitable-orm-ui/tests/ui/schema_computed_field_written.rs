use apitable_orm::{Table, Timestamp};

#[derive(Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json",
    rename_all = "PascalCase"
)]
struct Dish {
    name: String,
    created: Option<Timestamp>,
}

fn main() {}
