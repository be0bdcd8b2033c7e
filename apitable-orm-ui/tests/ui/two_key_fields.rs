use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(key)]
    title: String,
    #[apitable(key)]
    code: String,
}

fn main() {}
