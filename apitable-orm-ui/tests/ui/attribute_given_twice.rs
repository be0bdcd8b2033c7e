use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(name = "Title")]
    #[apitable(name = "Heading")]
    title: String,
}

fn main() {}
