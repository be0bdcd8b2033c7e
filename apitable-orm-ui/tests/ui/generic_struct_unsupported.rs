use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task<T> {
    title: String,
    extra: T,
}

fn main() {}
