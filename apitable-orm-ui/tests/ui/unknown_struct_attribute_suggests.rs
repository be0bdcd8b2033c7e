use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001", veiw = "viwOpen0001")]
struct Task {
    title: String,
}

fn main() {}
