use apitable_orm::FieldValue;

#[derive(FieldValue)]
enum Status {
    Done,
    #[apitable(rename = "Done")]
    Finished,
}

fn main() {}
