use apitable_orm::Table;
use apitable_orm::value::User;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
    #[apitable(key)]
    created_by: User,
}

fn main() {}
