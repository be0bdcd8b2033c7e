//! Typed links against the emulator: loading related rows without N+1 requests (one and two
//! levels), link filters resolved exactly by record id, link writes that keep both sides of a
//! two-way link consistent, and lookups read as typed fields.
//!
//! The data is a small course forum: 12 people, 30 topics (each by one person) and 150 replies
//! (each in one topic, by one person); 6 more replies are in no topic. Expected answers are
//! computed from the seed itself, never from what the server returns.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::Error;
use apitable_orm::prelude::*;
use apitable_orm::value::{Computed, Link, Lookup};
use serde_json::{Value, json};

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";
const FIELDS: &str = "/fusion/v1/datasheets/{dstId}/fields";

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstRelPeople00001", rename_all = "PascalCase")]
struct Person {
    #[apitable(record_id)]
    id: Option<RecordId>,
    name: String,
    /// The sibling of `Topic::author`, named after the Topics datasheet.
    topics: Vec<Link<Topic>>,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstRelTopics00001", rename_all = "PascalCase")]
struct Topic {
    #[apitable(record_id)]
    id: Option<RecordId>,
    title: String,
    author: Option<Link<Person>>,
    /// The sibling of `Reply::topic`, named after the Replies datasheet.
    replies: Vec<Link<Reply>>,
    /// A rollup of the replies: how many there are (empty when there are none).
    #[apitable(name = "Reply count")]
    reply_count: Option<Computed<f64>>,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstRelReplies0001", rename_all = "PascalCase")]
struct Reply {
    #[apitable(record_id)]
    id: Option<RecordId>,
    body: String,
    topic: Option<Link<Topic>>,
    /// A one-way link: people have no list of their replies.
    author: Option<Link<Person>>,
    /// A lookup through `topic`: the topic's title.
    #[apitable(name = "Topic title")]
    topic_title: Lookup<String>,
}

/// The seed, as plain data: who wrote which topic, and which topic and author each reply has.
struct Forum {
    people: Vec<String>,
    /// (title, author index)
    topics: Vec<(String, usize)>,
    /// (body, topic index, author index)
    replies: Vec<(String, Option<usize>, usize)>,
}

fn forum() -> Forum {
    let people = (0..12).map(|i| format!("person {i:02}")).collect();
    let topics = (0..30)
        .map(|t| (format!("topic {t:02}"), (t * 5) % 12))
        .collect();
    let mut replies: Vec<(String, Option<usize>, usize)> = (0..150)
        .map(|r| {
            // Topic 0 gets many replies (every third one), so that its link list is long; the
            // others share the rest.
            let topic = if r % 3 == 0 { 0 } else { 1 + (r * 7) % 29 };
            (format!("reply {r:03}"), Some(topic), (r * 11) % 12)
        })
        .collect();
    replies.extend((0..6).map(|r| (format!("loose reply {r}"), None, r)));
    Forum {
        people,
        topics,
        replies,
    }
}

fn seed(f: &Forum) -> String {
    let people: Vec<Value> = f
        .people
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"id": format!("p{i}"), "fields": {"Name": name}}))
        .collect();
    let topics: Vec<Value> = f
        .topics
        .iter()
        .enumerate()
        .map(|(i, (title, author))| {
            json!({"id": format!("t{i}"), "fields": {"Title": title, "Author": [format!("p{author}")]}})
        })
        .collect();
    let replies: Vec<Value> = f
        .replies
        .iter()
        .enumerate()
        .map(|(i, (body, topic, author))| {
            let mut fields = json!({"Body": body, "Author": [format!("p{author}")]});
            if let Some(t) = topic {
                fields["Topic"] = json!([format!("t{t}")]);
            }
            json!({"id": format!("r{i}"), "fields": fields})
        })
        .collect();
    json!({"datasheets": [
        {"type": "Datasheet", "name": "People", "id": <Person as Table>::DATASHEET,
         "fields": [{"name": "Name", "type": "SingleText", "property": {}}],
         "records": people},
        {"type": "Datasheet", "name": "Topics", "id": <Topic as Table>::DATASHEET,
         "fields": [
            {"name": "Title", "type": "SingleText", "property": {}},
            {"name": "Author", "type": "TwoWayLink",
             "property": {"foreignDatasheetId": "People", "limitSingleRecord": true}}
         ],
         "records": topics},
        {"type": "Datasheet", "name": "Replies", "id": <Reply as Table>::DATASHEET,
         "fields": [
            {"name": "Body", "type": "Text"},
            {"name": "Topic", "type": "TwoWayLink",
             "property": {"foreignDatasheetId": "Topics", "limitSingleRecord": true}},
            {"name": "Author", "type": "OneWayLink",
             "property": {"foreignDatasheetId": "People", "limitSingleRecord": true}},
            {"name": "Topic title", "type": "MagicLookUp",
             "property": {"relatedLinkFieldId": "Topic", "targetFieldId": "Title"}}
         ],
         "records": replies}
    ]})
    .to_string()
}

struct Setup {
    emu: Emulator,
    client: Client,
    forum: Forum,
}

async fn start() -> Setup {
    let forum = forum();
    let emu = common::seeded(&seed(&forum)).await;
    // The rollup over the sibling field, which exists only once the link is seeded.
    let topics = <Topic as Table>::DATASHEET;
    let replies_field = emu
        .datasheet(topics)
        .unwrap()
        .field_id("Replies")
        .unwrap()
        .to_owned();
    let body_field = emu
        .datasheet(<Reply as Table>::DATASHEET)
        .unwrap()
        .field_id("Body")
        .unwrap()
        .to_owned();
    emu.create_field(
        topics,
        FieldSpec::new("Reply count", "MagicLookUp").property(json!({
            "relatedLinkFieldId": replies_field,
            "targetFieldId": body_field,
            "rollupFunction": "COUNTALL"
        })),
    )
    .await
    .unwrap();
    let client = Client::for_emulator(&emu).unwrap();
    Setup { emu, client, forum }
}

/// The `Reply count` rollup.
fn count(topic: &Topic) -> usize {
    topic
        .reply_count
        .as_ref()
        .and_then(Computed::value)
        .map_or(0, |n| *n as usize)
}

fn names<'a>(rows: impl IntoIterator<Item = &'a Reply>) -> BTreeSet<String> {
    rows.into_iter().map(|r| r.body.clone()).collect()
}

#[tokio::test]
async fn a_page_of_100_replies_loads_its_topics_and_their_authors_in_three_record_requests() {
    let Setup { emu, client, forum } = start().await;
    emu.reset_stats().await;

    let replies = client
        .table::<Reply>()
        .query()
        .sort(Reply::BODY.asc())
        .max_records(100)
        .all()
        .await
        .unwrap();
    let topics = client
        .table::<Topic>()
        .load(Reply::TOPIC, &replies)
        .await
        .unwrap();
    let people = client
        .table::<Person>()
        .load(Topic::AUTHOR, &topics)
        .await
        .unwrap();

    let stats = emu.stats().await;
    assert_eq!(
        stats.count("GET", RECORDS),
        3,
        "replies, their topics, the topics' authors"
    );
    assert_eq!(stats.total, 3, "and nothing else");

    assert_eq!(replies.len(), 100);
    let by_body: BTreeMap<&str, (Option<usize>, usize)> = forum
        .replies
        .iter()
        .map(|(b, t, a)| (b.as_str(), (*t, *a)))
        .collect();
    let mut distinct_topics = BTreeSet::new();
    for reply in &replies {
        let (topic_index, _) = by_body[reply.body.as_str()];
        let topic = topics.one(&reply.topic);
        match topic_index {
            None => assert!(topic.is_none(), "{} has no topic", reply.body),
            Some(t) => {
                let topic = topic.unwrap_or_else(|| panic!("{}'s topic was loaded", reply.body));
                assert_eq!(topic.title, forum.topics[t].0);
                let author = people
                    .one(&topic.author)
                    .expect("the topic's author was loaded");
                assert_eq!(author.name, forum.people[forum.topics[t].1]);
                distinct_topics.insert(t);
            }
        }
    }
    assert_eq!(topics.len(), distinct_topics.len(), "each topic read once");
    assert!(topics.missing().is_empty() && people.missing().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn loading_follows_many_links_and_reports_ids_it_could_not_find() {
    let Setup { emu, client, forum } = start().await;
    let people = client.table::<Person>().all().await.unwrap();
    let topics = client.table::<Topic>();
    emu.reset_stats().await;

    // Person → topics (the two-way sibling, a multi link), then topic → replies.
    let their_topics = topics.load(Person::TOPICS, &people).await.unwrap();
    let replies = client
        .table::<Reply>()
        .load(Topic::REPLIES, &their_topics)
        .await
        .unwrap();
    assert_eq!(emu.stats().await.count("GET", RECORDS), 2);
    assert_eq!(their_topics.len(), forum.topics.len());
    assert_eq!(
        replies.len(),
        forum.replies.iter().filter(|r| r.1.is_some()).count()
    );
    for person in &people {
        let titles: BTreeSet<&str> = their_topics
            .many(&person.topics)
            .iter()
            .map(|t| t.title.as_str())
            .collect();
        let want: BTreeSet<&str> = forum
            .topics
            .iter()
            .filter(|(_, a)| forum.people[*a] == person.name)
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(titles, want, "{}'s topics", person.name);
    }

    // A link to a record that is gone is reported, not invented.
    let gone = their_topics.rows()[0].id.clone().unwrap();
    topics.delete(&gone).await.unwrap();
    let again = topics.load(Person::TOPICS, &people).await;
    // The server removed the deleted topic from the people's cells, but `people` was read
    // before the delete, so one of its links now points nowhere.
    let again = again.unwrap();
    assert_eq!(again.missing(), [gone]);
    assert_eq!(again.len(), forum.topics.len() - 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn link_filters_match_exactly_by_record_id() {
    let Setup { emu, client, forum } = start().await;
    let topics = client.table::<Topic>().all().await.unwrap();
    let replies = client.table::<Reply>();
    let topic = |i: usize| {
        topics
            .iter()
            .find(|t| t.title == forum.topics[i].0)
            .unwrap()
    };
    let expected = |pred: &dyn Fn(Option<usize>) -> bool| -> BTreeSet<String> {
        forum
            .replies
            .iter()
            .filter(|(_, t, _)| pred(*t))
            .map(|(b, _, _)| b.clone())
            .collect()
    };

    // One topic: the other side of the link (one read of the topic's `Replies` cell), then the
    // query itself; the fields request finds the sibling field.
    emu.reset_stats().await;
    let in_topic_3 = replies
        .query()
        .filter(Reply::TOPIC.links_to(Link::to(topic(3)).unwrap()))
        .all()
        .await
        .unwrap();
    let stats = emu.stats().await;
    assert_eq!(
        (stats.count("GET", FIELDS), stats.count("GET", RECORDS)),
        (1, 2)
    );
    assert_eq!(names(&in_topic_3), expected(&|t| t == Some(3)));

    // Topic 0 has 50 replies: a long id list, still exact.
    let in_topic_0 = replies
        .query()
        .filter(Reply::TOPIC.links_to(topic(0).id.clone().unwrap()))
        .all()
        .await
        .unwrap();
    assert_eq!(in_topic_0.len(), 50);
    assert_eq!(names(&in_topic_0), expected(&|t| t == Some(0)));

    // Any of several, combined with other filters, negated, counted.
    let any =
        Reply::TOPIC.links_to_any([topic(1).id.clone().unwrap(), topic(2).id.clone().unwrap()]);
    let got = replies.query().filter(any.clone()).all().await.unwrap();
    assert_eq!(names(&got), expected(&|t| matches!(t, Some(1) | Some(2))));
    let narrowed = replies
        .query()
        .filter(any.clone().and(Reply::BODY.starts_with("reply 0")))
        .all()
        .await
        .unwrap();
    let want: BTreeSet<String> = expected(&|t| matches!(t, Some(1) | Some(2)))
        .into_iter()
        .filter(|b| b.starts_with("reply 0"))
        .collect();
    assert!(!want.is_empty() && want.len() < names(&got).len());
    assert_eq!(names(&narrowed), want);
    let not_topic_0 = replies
        .query()
        .filter(Reply::TOPIC.links_to(topic(0).id.clone().unwrap()).not())
        .count()
        .await
        .unwrap();
    assert_eq!(not_topic_0 as usize, forum.replies.len() - 50);
    let either = replies
        .query()
        .filter(
            Reply::TOPIC
                .links_to(topic(3).id.clone().unwrap())
                .or(Reply::TOPIC.is_empty()),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(names(&either), expected(&|t| matches!(t, Some(3) | None)));

    // Empty and non-empty link cells.
    let loose = replies
        .query()
        .filter(Reply::TOPIC.is_empty())
        .all()
        .await
        .unwrap();
    assert_eq!(names(&loose), expected(&|t| t.is_none()));
    let linked = replies
        .query()
        .filter(Reply::TOPIC.is_not_empty())
        .count()
        .await
        .unwrap();
    assert_eq!(linked as usize, forum.replies.len() - 6);

    // A one-way link has no other side to read: a clear error, not a wrong answer.
    let person = client
        .table::<Person>()
        .query()
        .first()
        .await
        .unwrap()
        .unwrap();
    let err = replies
        .query()
        .filter(Reply::AUTHOR.links_to(Link::to(&person).unwrap()))
        .all()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("\"Author\"") && m.contains("one-way")),
        "{err}"
    );
    // Without a sheet there is nothing to resolve the filter with.
    assert!(
        Reply::TOPIC
            .links_to(topic(3).id.clone().unwrap())
            .render()
            .is_err()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn link_writes_keep_both_sides_of_a_two_way_link_consistent() {
    let Setup { emu, client, .. } = start().await;
    let topics = client.table::<Topic>();
    let replies = client.table::<Reply>();
    let all = topics.query().sort(Topic::TITLE.asc()).all().await.unwrap();
    let (a, b) = (&all[5], &all[6]);
    let lists = |t: &Topic, id: &RecordId| t.replies.iter().any(|l| l.id() == id);

    // Written from a loaded row.
    let mut reply = Reply {
        id: None,
        body: "a new reply".into(),
        topic: Some(Link::to(a).unwrap()),
        author: a.author.clone(),
        topic_title: Lookup::default(),
    };
    replies.save(&mut reply).await.unwrap();
    let id = reply.id.clone().unwrap();
    let a_now = topics.get(a.id.as_ref().unwrap()).await.unwrap().unwrap();
    assert!(lists(&a_now, &id), "the topic lists its new reply");
    assert_eq!(count(&a_now), a.replies.len() + 1);
    let stored = replies.get(&id).await.unwrap().unwrap();
    assert_eq!(
        stored.topic_title.as_slice(),
        std::slice::from_ref(&a.title)
    );

    // Moved to another topic by id.
    let old = stored.clone();
    let mut moved = stored.clone();
    moved.topic = Some(Link::new(b.id.clone().unwrap()));
    assert!(replies.update_changed(&old, &moved).await.unwrap());
    let (a_now, b_now) = (
        topics.get(a.id.as_ref().unwrap()).await.unwrap().unwrap(),
        topics.get(b.id.as_ref().unwrap()).await.unwrap().unwrap(),
    );
    assert!(!lists(&a_now, &id) && lists(&b_now, &id));

    // Unlinked: neither side keeps it.
    let mut loose = moved.clone();
    loose.topic = None;
    replies.update_changed(&moved, &loose).await.unwrap();
    let b_now = topics.get(b.id.as_ref().unwrap()).await.unwrap().unwrap();
    assert!(!lists(&b_now, &id));
    assert_eq!(replies.get(&id).await.unwrap().unwrap().topic, None);

    // Written from the other side: the topic's list gains the reply, the reply its topic.
    let before = b_now.clone();
    let mut after = b_now.clone();
    after.replies.push(Link::new(id.clone()));
    topics.update_changed(&before, &after).await.unwrap();
    let stored = replies.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.topic, Some(Link::new(b.id.clone().unwrap())));

    // Deleted: the topic forgets it.
    replies.delete(&id).await.unwrap();
    let b_now = topics.get(b.id.as_ref().unwrap()).await.unwrap().unwrap();
    assert!(!lists(&b_now, &id));
    assert_eq!(b_now.replies, b.replies);
    emu.shutdown().await;
}

#[tokio::test]
async fn lookups_read_as_typed_values_and_can_be_filtered() {
    let Setup { emu, client, forum } = start().await;
    let replies = client.table::<Reply>().all().await.unwrap();
    for reply in &replies {
        let want: Vec<String> = forum
            .replies
            .iter()
            .find(|r| r.0 == reply.body)
            .and_then(|r| r.1)
            .map(|t| vec![forum.topics[t].0.clone()])
            .unwrap_or_default();
        assert_eq!(reply.topic_title.as_slice(), want, "{}", reply.body);
    }
    let topics = client.table::<Topic>().all().await.unwrap();
    for topic in &topics {
        let t = forum
            .topics
            .iter()
            .position(|t| t.0 == topic.title)
            .unwrap();
        let n = forum.replies.iter().filter(|r| r.1 == Some(t)).count();
        assert_eq!(count(topic), n, "{}", topic.title);
        assert_eq!(topic.replies.len(), n);
    }

    // A lookup filters by its values, a rollup by its number.
    let titled = client
        .table::<Reply>()
        .query()
        .filter(Reply::TOPIC_TITLE.has(forum.topics[4].0.as_str()))
        .all()
        .await
        .unwrap();
    let want: BTreeSet<String> = forum
        .replies
        .iter()
        .filter(|r| r.1 == Some(4))
        .map(|r| r.0.clone())
        .collect();
    assert_eq!(names(&titled), want);
    let busy = client
        .table::<Topic>()
        .query()
        .filter(Topic::REPLY_COUNT.gt(4))
        .all()
        .await
        .unwrap();
    let want: BTreeSet<&str> = forum
        .topics
        .iter()
        .enumerate()
        .filter(|(t, _)| forum.replies.iter().filter(|r| r.1 == Some(*t)).count() > 4)
        .map(|(_, (title, _))| title.as_str())
        .collect();
    assert!(!want.is_empty() && want.len() < forum.topics.len());
    assert_eq!(
        busy.iter()
            .map(|t| t.title.as_str())
            .collect::<BTreeSet<_>>(),
        want
    );
    emu.shutdown().await;
}

/// A single-link type on a cell that links several records is an error naming the record and
/// the field, never a silently dropped link.
#[tokio::test]
async fn a_single_link_type_refuses_a_cell_with_several_links() {
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstRelPeople00001", rename_all = "PascalCase")]
    struct OnlyOneTopic {
        #[apitable(record_id)]
        id: Option<RecordId>,
        topics: Option<Link<Topic>>,
    }
    let Setup { emu, client, forum } = start().await;
    let err = client.table::<OnlyOneTopic>().all().await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.field(), Some("Topics"));
    assert!(decode.record_id().is_some());
    assert!(err.to_string().contains("Vec<Link<_>>"), "{err}");
    assert!(
        forum.topics.len() > forum.people.len(),
        "someone has several topics"
    );
    emu.shutdown().await;
}

/// A `links_to` filter that would list more records than a request line can carry fails
/// before any record request, instead of being cut or refused by a proxy.
#[tokio::test]
async fn a_links_to_filter_too_long_for_a_url_is_an_error() {
    let Setup { emu, client, .. } = start().await;
    let topic = client
        .table::<Topic>()
        .query()
        .first()
        .await
        .unwrap()
        .unwrap();
    let rows: Vec<Reply> = (0..450)
        .map(|i| Reply {
            id: None,
            body: format!("crowd {i}"),
            topic: Some(Link::to(&topic).unwrap()),
            author: None,
            topic_title: Lookup::default(),
        })
        .collect();
    let replies = client.table::<Reply>();
    replies.insert_many(&rows).await.unwrap();
    emu.reset_stats().await;
    let err = replies
        .query()
        .filter(Reply::TOPIC.links_to(topic.id.clone().unwrap()))
        .count()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("Sheet::load")),
        "{err}"
    );
    let stats = emu.stats().await;
    assert_eq!(
        stats.count("GET", RECORDS),
        1,
        "only the other side was read"
    );
    // The other side has them all.
    let all = replies
        .load(Topic::REPLIES, [&topic_again(&client, &topic).await])
        .await
        .unwrap();
    assert!(all.len() >= 450);
    emu.shutdown().await;
}

async fn topic_again(client: &Client, topic: &Topic) -> Topic {
    client
        .table::<Topic>()
        .get(topic.id.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap()
}
