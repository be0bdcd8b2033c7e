use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
    #[apitable(skip, name = "Selected")]
    selected: bool,
}

fn main() {}
