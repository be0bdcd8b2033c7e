use apitable_orm::FieldValue;

#[derive(FieldValue)]
enum Status {
    Todo,
    Blocked(String),
}

fn main() {}
