use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(name = "Title", id = "fldTitle0001")]
    title: String,
}

fn main() {}
