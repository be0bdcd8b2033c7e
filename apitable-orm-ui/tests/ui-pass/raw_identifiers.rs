//! Raw identifiers: the column is `type`, the constant `TYPE`.
use apitable_orm::{FieldValue, Table};

#[derive(Debug, Table)]
#[apitable(datasheet = "dstThings0001")]
struct Thing {
    r#type: String,
    r#match: Option<f64>,
    r#kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Kind {
    r#Box,
    Crate,
}

fn main() {
    assert_eq!(Thing::TYPE.key(), "type");
    assert_eq!(Thing::MATCH.key(), "match");
    assert_eq!(Thing::KIND.key(), "kind");
    assert_eq!(Kind::OPTIONS, ["Box", "Crate"]);
    let rust_names: Vec<_> = <Thing as Table>::FIELDS.iter().map(|f| f.rust_name).collect();
    assert_eq!(rust_names, ["type", "match", "kind"]);
}
