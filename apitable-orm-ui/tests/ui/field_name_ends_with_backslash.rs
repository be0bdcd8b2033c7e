use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(name = "Path\\")]
    path: String,
}

fn main() {}
