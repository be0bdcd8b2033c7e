use apitable_orm::{FieldValue, Table};

#[derive(FieldValue)]
enum Course {
    Starter,
    Main,
    Dessert,
}

#[derive(Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json",
    rename_all = "PascalCase"
)]
struct Dish {
    name: String,
    course: Option<Course>,
}

fn main() {}
