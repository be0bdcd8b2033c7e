use apitable_orm::FieldValue;

#[derive(FieldValue)]
enum Status<const N: usize> {
    Todo,
    Done,
}

fn main() {}
