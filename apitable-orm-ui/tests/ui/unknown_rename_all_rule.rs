use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001", rename_all = "title_case")]
struct Task {
    title: String,
}

fn main() {}
