use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
}

#[derive(Table)]
#[apitable(datasheet = "dstProjects01")]
struct Project {
    name: String,
}

fn main() {
    let _ = Task::query().filter(Project::NAME.eq("Apollo"));
}
