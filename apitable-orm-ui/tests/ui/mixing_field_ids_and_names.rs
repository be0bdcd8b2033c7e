use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(id = "fldTitle0001")]
    title: String,
    #[apitable(id = "fldDone00001")]
    done: bool,
    notes: String,
}

fn main() {}
