use apitable_orm::{Client, Table};

#[derive(Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    title: String,
}

async fn sync(client: &Client, rows: &[Task]) {
    let _ = client.table::<Task>().upsert(rows).await;
}

fn main() {}
