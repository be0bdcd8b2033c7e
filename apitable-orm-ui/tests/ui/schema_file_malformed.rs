use apitable_orm::Table;

#[derive(Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/broken.json"
)]
struct Dish {
    name: String,
}

fn main() {}
