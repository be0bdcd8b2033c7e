use apitable_orm::Table;

#[derive(Table)]
struct Task {
    title: String,
}

fn main() {}
