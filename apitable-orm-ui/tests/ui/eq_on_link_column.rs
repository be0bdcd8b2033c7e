// Link cells are matched by record id with `links_to`, not with `eq`.
use apitable_orm::prelude::*;

#[derive(Table)]
#[apitable(datasheet = "dstTopics00000001", rename_all = "PascalCase")]
struct Topic {
    #[apitable(record_id)]
    id: Option<RecordId>,
    title: String,
}

#[derive(Table)]
#[apitable(datasheet = "dstReplies0000001", rename_all = "PascalCase")]
struct Reply {
    body: String,
    topic: Option<Link<Topic>>,
}

fn main() {
    let _ = Reply::TOPIC.eq("Welcome");
}
