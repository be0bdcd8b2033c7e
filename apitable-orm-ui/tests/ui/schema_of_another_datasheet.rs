use apitable_orm::Table;

#[derive(Table)]
#[apitable(
    datasheet = "dstOther000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json",
    rename_all = "PascalCase"
)]
struct Dish {
    name: String,
}

fn main() {}
