// A link column knows the table it links to: `links_to` takes a link to that table, a sheet
// loads only through columns that link to its own table, and link cells are matched by record
// id with `links_to`, not compared with `eq`.
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
    let someone: Link<Person> = Link::new("recPerson1".parse().unwrap());
    let _ = Reply::TOPIC.links_to(someone);
    let _ = Reply::TOPIC.eq("Welcome");
    let _ = run;
}
