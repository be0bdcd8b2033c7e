use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
union Task {
    count: u64,
    price: f64,
}

fn main() {}
