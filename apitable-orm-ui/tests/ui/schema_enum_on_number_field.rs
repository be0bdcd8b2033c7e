use apitable_orm::{FieldValue, Table};

#[derive(FieldValue)]
enum Band {
    Cheap,
    Dear,
}

#[derive(Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json",
    rename_all = "PascalCase"
)]
struct Dish {
    name: String,
    price: Band,
}

fn main() {}
