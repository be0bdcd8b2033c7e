use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
    #[apitable(key, read_only)]
    number: u64,
}

fn main() {}
