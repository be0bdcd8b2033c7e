// A sheet of `Person` loads only through columns that link to `Person`.
use apitable_orm::prelude::*;

#[derive(Table)]
#[apitable(datasheet = "dstTopics00000001", rename_all = "PascalCase")]
struct Topic {
    title: String,
}

#[derive(Table)]
#[apitable(datasheet = "dstPeople00000001", rename_all = "PascalCase")]
struct Person {
    name: String,
}

#[derive(Table)]
#[apitable(datasheet = "dstReplies0000001", rename_all = "PascalCase")]
struct Reply {
    body: String,
    topic: Option<Link<Topic>>,
}

async fn run(client: Client, replies: Vec<Reply>) {
    let _ = client.table::<Person>().load(Reply::TOPIC, &replies).await;
}

fn main() {
    let _ = run;
}
