use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
    estimate: f64,
}

fn main() {
    let _ = Task::query().filter(Task::TITLE.gt("m"));
}
