use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001", view = "Open tasks")]
struct Task {
    title: String,
}

fn main() {}
