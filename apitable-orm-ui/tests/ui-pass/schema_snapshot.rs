//! A struct that matches its committed snapshot compiles.
use apitable_orm::value::{Attachment, Computed, Url};
use apitable_orm::{FieldValue, RecordId, Table, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Course {
    Starter,
    Main,
    #[apitable(rename = "Dessert & sweets")]
    Dessert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
#[apitable(rename_all = "lowercase")]
enum Tag {
    Hot,
    Vegan,
}

#[derive(Debug, Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json",
    rename_all = "PascalCase"
)]
struct Dish {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    name: String,
    price: f64,
    tags: Vec<Tag>,
    course: Option<Course>,
    photo: Vec<Attachment>,
    site: Option<Url>,
    #[apitable(read_only)]
    created: Option<Timestamp>,
    total: Option<Computed<f64>>,
}

#[derive(Debug, Table)]
#[apitable(
    datasheet = "dstMenu0000000001",
    schema = "../../../../apitable-orm/tests/schemas/menu.json"
)]
struct ById {
    #[apitable(id = "fldName00001")]
    name: String,
    #[apitable(id = "fldTags00001")]
    tags: Vec<String>,
    #[apitable(id = "fldCourse001")]
    course: String,
    #[apitable(id = "fldTotal0001", read_only)]
    total: serde_json::Value,
}

fn main() {
    let _ = (Dish::NAME, ById::TAGS);
}
