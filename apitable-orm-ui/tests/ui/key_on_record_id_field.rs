use apitable_orm::{RecordId, Table};

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(record_id, key)]
    id: Option<RecordId>,
    title: String,
}

fn main() {}
