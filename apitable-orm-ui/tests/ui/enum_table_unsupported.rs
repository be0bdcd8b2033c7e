use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
enum Task {
    Open { title: String },
    Done { title: String },
}

fn main() {}
