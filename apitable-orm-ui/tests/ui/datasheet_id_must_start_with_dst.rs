use apitable_orm::Table;

#[derive(Table)]
#[apitable(datasheet = "Tasks")]
struct Task {
    title: String,
}

fn main() {}
