// An enum is checked against the snapshot when the program's constants are evaluated: it
// cannot stand for a number field, and its variants must be the options of its select field.
use apitable_orm::{FieldValue, Table};

#[derive(FieldValue)]
enum Band {
    Cheap,
    Dear,
}

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
    price: Band,
    course: Option<Course>,
}

fn main() {}
