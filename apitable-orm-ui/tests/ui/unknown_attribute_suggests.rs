use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(nme = "Title")]
    title: String,
}

fn main() {}
