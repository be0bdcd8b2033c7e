use apitable_orm::{RecordId, Table};

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(record_id, name = "Id")]
    id: Option<RecordId>,
    title: String,
}

fn main() {}
