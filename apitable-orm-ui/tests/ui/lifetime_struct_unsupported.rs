use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task<'a> {
    title: &'a str,
}

fn main() {}
