use apitable_orm::Table;

struct Money(i64);

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
    price: Money,
}

fn main() {}
