// `links_to` takes a link to the table the column links to.
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

fn main() {
    let someone: Link<Person> = Link::new("recPerson1".parse().unwrap());
    let _ = Reply::TOPIC.links_to(someone);
}
