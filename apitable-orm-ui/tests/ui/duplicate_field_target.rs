use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001", rename_all = "Title Case")]
struct Task {
    title: String,
    #[apitable(name = "Title")]
    heading: String,
}

fn main() {}
