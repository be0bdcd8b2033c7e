// Every field that does not fit the snapshot is reported at once, each at its own field: a
// name the datasheet does not have, a type that cannot hold the field's cells, a computed
// field that would be written, and a key an upsert cannot look up. (The enum checks of
// `schema_enum_mismatches.rs` run later, when constants are evaluated, which these errors
// stop: that is why they have a file of their own.)
use apitable_orm::{Table, Timestamp};

#[derive(Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json",
    rename_all = "PascalCase"
)]
struct Dish {
    nmae: String,
    price: Vec<String>,
    created: Option<Timestamp>,
    #[apitable(key)]
    tags: Vec<String>,
}

fn main() {}
