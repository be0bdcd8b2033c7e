use apitable_orm::{RecordId, Table};

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(record_id)]
    record: Option<RecordId>,
    title: String,
}

fn main() {}
