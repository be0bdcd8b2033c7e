use apitable_orm::FieldValue;

#[derive(FieldValue)]
struct Status {
    name: String,
}

fn main() {}
