//! Every type of the `FieldValue` table in `apitable_orm::value` works as a field.
#![deny(warnings)]

use apitable_orm::value::{Attachment, Computed, Member, Url, User};
use apitable_orm::{FieldValue, RecordId, Table, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Size {
    Small,
    Large,
}

#[derive(Debug, Table)]
#[apitable(datasheet = "dstAll00000001", rename_all = "Title Case")]
struct Everything {
    #[apitable(record_id)]
    id: RecordId,
    text: String,
    number: f64,
    float: f32,
    big: i64,
    whole: i32,
    small: i16,
    unsigned: u64,
    count: u32,
    short: u16,
    rating: u8,
    checkbox: bool,
    single_select: String,
    single_enum: Size,
    multi_select: Vec<String>,
    multi_enum: Vec<Size>,
    date: Timestamp,
    url: Url,
    attachments: Vec<Attachment>,
    members: Vec<Member>,
    links: Vec<RecordId>,
    created_by: User,
    formula: Computed<f64>,
    lookup: Computed<Vec<String>>,
    raw: serde_json::Value,
    maybe_text: Option<String>,
    maybe_date: Option<Timestamp>,
    maybe_size: Option<Size>,
    maybe_url: Option<Url>,
    maybe_user: Option<User>,
}

fn main() {
    let fields = <Everything as Table>::FIELDS;
    assert_eq!(fields.len(), 29);
    let created_by = fields.iter().find(|f| f.rust_name == "created_by").unwrap();
    assert!(created_by.read_only);
    assert_eq!(created_by.key, "Created By");
    let formula = fields.iter().find(|f| f.rust_name == "formula").unwrap();
    assert!(formula.read_only);
    assert!(!fields.iter().find(|f| f.rust_name == "text").unwrap().read_only);
}
