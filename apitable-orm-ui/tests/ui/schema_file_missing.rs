use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstMenu0000000001", schema = "schemas/nowhere.json")]
struct Dish {
    name: String,
}

fn main() {}
