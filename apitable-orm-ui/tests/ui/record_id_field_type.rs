use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(record_id)]
    id: String,
    title: String,
}

fn main() {}
