//! The course forum: the Topics and Posts tables, the demo course, and the JSON endpoints.
//!
//! Shared by `examples/forum/main.rs` (the server) and `tests/example_forum.rs` (its tests).
//!
//! The two tables are joined by a typed two-way link: `Post::topic` is an
//! `Option<Link<Topic>>` (a reply is in one topic), and its sibling `Topic::posts` a
//! `Vec<Link<Post>>`. Related rows are loaded with `Sheet::load`/`load_links`, one batched
//! read per level (200 ids a request), never one read per row.
//!
//! Requests per endpoint (record reads are `GET …/records`):
//!
//! * `GET /topics`: one list of the topics, then one load of the newest post of every topic
//!   (for "last reply by … at …"); reply counts come from the topics' link cells. Two requests
//!   for up to 200 topics with replies, however many posts there are.
//! * `GET /topics/{id}`: the topic, then one load of its posts: two requests for up to 200
//!   posts.
//! * `POST /topics/{id}/replies`: the topic (404 if unknown), the create, and a read of the new
//!   post. The two-way link puts the post in the topic's `Posts` cell on the server.

use std::sync::Arc;

use apitable_orm::prelude::*;
use apitable_orm::value::Link;
use apitable_orm::{DatasheetId, Sheet};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// A discussion topic. `Posts` is the two-way link to the Posts datasheet (its other side is
/// `Post::topic`).
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstForumTopics001", rename_all = "PascalCase")]
pub struct Topic {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    pub title: String,
    pub author: String,
    pub body: String,
    pub posts: Vec<Link<Post>>,
    #[apitable(read_only)]
    pub created: Option<Timestamp>,
}

/// A reply in a topic.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstForumPosts0001", rename_all = "PascalCase")]
pub struct Post {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    pub body: String,
    pub author: String,
    pub topic: Option<Link<Topic>>,
    #[apitable(read_only)]
    pub created: Option<Timestamp>,
}

/// Longest accepted title, author name and body, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest accepted author name.
pub const MAX_AUTHOR: usize = 100;
/// Longest accepted post or topic body.
pub const MAX_BODY: usize = 20_000;

/// The emulator's seed: both datasheets at the ids the structs are mapped to. The two-way
/// link is declared on the Posts side; the emulator adds its sibling to Topics, named after the
/// Posts datasheet: `Posts`.
pub fn emulator_seed() -> String {
    let time = json!({"dateFormat": "YYYY-MM-DD", "includeTime": true});
    json!({
        "datasheets": [
            {
                "type": "Datasheet", "name": "Topics", "id": <Topic as Table>::DATASHEET,
                "fields": [
                    {"name": "Title", "type": "SingleText", "property": {}},
                    {"name": "Author", "type": "SingleText", "property": {}},
                    {"name": "Body", "type": "Text"},
                    {"name": "Created", "type": "CreatedTime", "property": time}
                ]
            },
            {
                "type": "Datasheet", "name": "Posts", "id": <Post as Table>::DATASHEET,
                "fields": [
                    {"name": "Body", "type": "Text"},
                    {"name": "Author", "type": "SingleText", "property": {}},
                    {"name": "Topic", "type": "TwoWayLink",
                     "property": {"foreignDatasheetId": <Topic as Table>::DATASHEET, "limitSingleRecord": true}},
                    {"name": "Created", "type": "CreatedTime", "property": time}
                ]
            }
        ]
    })
    .to_string()
}

/// The forum: a client and the two datasheets.
#[derive(Clone)]
pub struct Forum {
    client: Client,
    topics: DatasheetId,
    posts: DatasheetId,
}

impl Forum {
    /// A forum over these datasheets.
    pub fn new(client: Client, topics: DatasheetId, posts: DatasheetId) -> Self {
        Forum {
            client,
            topics,
            posts,
        }
    }

    fn topics(&self) -> Sheet<Topic> {
        self.client.table_in(self.topics.clone())
    }

    fn posts(&self) -> Sheet<Post> {
        self.client.table_in(self.posts.clone())
    }

    /// Adds the demo course: three topics and their replies (11 posts). Returns the topic ids.
    pub async fn seed_demo_course(&self) -> apitable_orm::Result<Vec<RecordId>> {
        let topic = |title: &str, author: &str, body: &str| Topic {
            id: None,
            title: title.into(),
            author: author.into(),
            body: body.into(),
            posts: vec![],
            created: None,
        };
        let topics = [
            topic(
                "Welcome to Rust 101",
                "Prof. Ferris",
                "Introduce yourself here: who you are and what you want to build.",
            ),
            topic(
                "Homework 1: ownership",
                "Prof. Ferris",
                "Questions about the first assignment go here. Due Friday.",
            ),
            topic(
                "Study group on Thursdays?",
                "Ada",
                "Anyone up for working through the borrow checker chapter together?",
            ),
        ];
        let ids = self.topics().insert_many(&topics).await?;
        let replies: [(usize, &str, &str); 11] = [
            (0, "Ada", "Hi! I'm Ada, I want to write a tiny database."),
            (0, "Grace", "Grace here. Compilers, mostly."),
            (
                0,
                "Linus",
                "Hello all, I'm into kernels and version control.",
            ),
            (0, "Barbara", "Barbara: I like abstract data types."),
            (1, "Ada", "Does exercise 3 want a `&str` or a `String`?"),
            (
                1,
                "Prof. Ferris",
                "Either works; explain your choice in a comment.",
            ),
            (1, "Linus", "Is `clone()` allowed in exercise 4?"),
            (1, "Prof. Ferris", "Yes, but try without it first."),
            (1, "Grace", "Got it working with lifetimes, thanks!"),
            (2, "Grace", "Count me in."),
            (2, "Barbara", "Me too, library room 2?"),
        ];
        // One call per topic, each within one request: the requests of a longer call may
        // land out of order (see `ClientBuilder::writes_in_flight`), and a topic's replies
        // must keep theirs.
        for (t, topic_id) in ids.iter().enumerate() {
            let posts: Vec<Post> = replies
                .iter()
                .filter(|(of, _, _)| *of == t)
                .map(|(_, author, body)| Post {
                    id: None,
                    body: (*body).into(),
                    author: (*author).into(),
                    topic: Some(Link::new(topic_id.clone())),
                    created: None,
                })
                .collect();
            self.posts().insert_many(&posts).await?;
        }
        Ok(ids)
    }

    /// The topics with their reply counts and last reply, most recent activity first.
    pub async fn list_topics(&self) -> Result<Value, ApiFailure> {
        let topics = self.topics().all().await?;
        // A two-way link cell lists the posts in the order they were linked: the last one is
        // the newest reply. One batched read for all of them.
        let last_posts = self
            .posts()
            .load_links(topics.iter().filter_map(|t| t.posts.last()))
            .await?;
        let mut rows: Vec<(i64, Value)> = topics
            .iter()
            .map(|t| {
                let last = t.posts.last().and_then(|link| last_posts.get(link));
                let activity = last
                    .and_then(|p| p.created)
                    .or(t.created)
                    .map_or(0, Timestamp::as_millis);
                let mut row = topic_json(t);
                row["last_reply"] = last.map_or(
                    Value::Null,
                    |p| json!({"author": p.author, "created": p.created.map(Timestamp::as_millis)}),
                );
                (activity, row)
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.0));
        Ok(json!({"topics": rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>()}))
    }

    /// A topic and its posts, oldest first.
    pub async fn show_topic(&self, id: &str) -> Result<Value, ApiFailure> {
        let topic = self.find_topic(id).await?;
        let loaded = self.posts().load(Topic::POSTS, [&topic]).await?;
        // `many` keeps the link cell's order; a stable sort by creation time keeps it for
        // posts created in the same millisecond.
        let mut posts = loaded.many(&topic.posts);
        posts.sort_by_key(|p| p.created);
        Ok(json!({
            "topic": topic_json(&topic),
            "posts": posts.into_iter().map(post_json).collect::<Vec<_>>(),
        }))
    }

    /// Adds a reply to a topic; returns the new post.
    pub async fn reply(&self, id: &str, input: NewReply) -> Result<Value, ApiFailure> {
        let topic_id = parse_topic_id(id)?;
        let author = checked("author", &input.author, MAX_AUTHOR)?;
        let body = checked("body", &input.body, MAX_BODY)?;
        let topic = self.find_topic(topic_id.as_str()).await?;
        let post = Post {
            id: None,
            body,
            author,
            topic: Some(Link::to(&topic)?),
            created: None,
        };
        let new_id = self.posts().insert(&post).await?;
        let stored = self.posts().get(&new_id).await?;
        let stored = stored.unwrap_or(Post {
            id: Some(new_id),
            ..post
        });
        Ok(post_json(&stored))
    }

    /// Starts a topic; returns it.
    pub async fn start_topic(&self, input: NewTopic) -> Result<Value, ApiFailure> {
        let title = checked("title", &input.title, MAX_TITLE)?;
        let author = checked("author", &input.author, MAX_AUTHOR)?;
        let body = checked("body", &input.body, MAX_BODY)?;
        let topic = Topic {
            id: None,
            title,
            author,
            body,
            posts: vec![],
            created: None,
        };
        let new_id = self.topics().insert(&topic).await?;
        let stored = self.topics().get(&new_id).await?;
        let stored = stored.unwrap_or(Topic {
            id: Some(new_id),
            ..topic
        });
        Ok(topic_json(&stored))
    }

    async fn find_topic(&self, id: &str) -> Result<Topic, ApiFailure> {
        let rid = parse_topic_id(id)?;
        self.topics()
            .get(&rid)
            .await?
            .ok_or_else(|| ApiFailure::not_found(id))
    }
}

fn parse_topic_id(id: &str) -> Result<RecordId, ApiFailure> {
    id.parse().map_err(|_| ApiFailure::not_found(id))
}

/// Trimmed, non-empty, at most `max` characters.
fn checked(name: &str, value: &str, max: usize) -> Result<String, ApiFailure> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiFailure::bad_request(format!("{name} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(ApiFailure::bad_request(format!(
            "{name} is longer than {max} characters"
        )));
    }
    Ok(v.to_string())
}

fn topic_json(t: &Topic) -> Value {
    json!({
        "id": t.id,
        "title": t.title,
        "author": t.author,
        "body": t.body,
        "created": t.created.map(Timestamp::as_millis),
        "replies": t.posts.len(),
    })
}

fn post_json(p: &Post) -> Value {
    json!({
        "id": p.id,
        "author": p.author,
        "body": p.body,
        "created": p.created.map(Timestamp::as_millis),
        "topic": p.topic,
    })
}

/// The body of `POST /topics/{id}/replies`.
#[derive(Debug, Deserialize)]
pub struct NewReply {
    /// Who writes.
    #[serde(default)]
    pub author: String,
    /// What they write.
    #[serde(default)]
    pub body: String,
}

/// The body of `POST /topics`.
#[derive(Debug, Deserialize)]
pub struct NewTopic {
    /// The topic's title.
    #[serde(default)]
    pub title: String,
    /// Who starts it.
    #[serde(default)]
    pub author: String,
    /// The opening text.
    #[serde(default)]
    pub body: String,
}

/// An error answer: a status and `{"error": message}`.
#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    message: String,
}

impl ApiFailure {
    fn bad_request(message: impl Into<String>) -> Self {
        ApiFailure {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn not_found(topic: &str) -> Self {
        ApiFailure {
            status: StatusCode::NOT_FOUND,
            message: format!("no topic with id {topic:?}"),
        }
    }
}

impl From<apitable_orm::Error> for ApiFailure {
    fn from(e: apitable_orm::Error) -> Self {
        ApiFailure {
            status: StatusCode::BAD_GATEWAY,
            message: format!("the datasheet server failed: {e}"),
        }
    }
}

impl From<JsonRejection> for ApiFailure {
    fn from(e: JsonRejection) -> Self {
        ApiFailure::bad_request(format!("expected a JSON object: {}", e.body_text()))
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.message}))).into_response()
    }
}

type Shared = State<Arc<Forum>>;

async fn list_topics(State(forum): Shared) -> Result<Json<Value>, ApiFailure> {
    Ok(Json(forum.list_topics().await?))
}

async fn show_topic(
    State(forum): Shared,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiFailure> {
    Ok(Json(forum.show_topic(&id).await?))
}

async fn reply(
    State(forum): Shared,
    Path(id): Path<String>,
    body: Result<Json<NewReply>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiFailure> {
    let Json(input) = body?;
    Ok((StatusCode::CREATED, Json(forum.reply(&id, input).await?)))
}

async fn start_topic(
    State(forum): Shared,
    body: Result<Json<NewTopic>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiFailure> {
    let Json(input) = body?;
    Ok((StatusCode::CREATED, Json(forum.start_topic(input).await?)))
}

async fn not_found() -> ApiFailure {
    ApiFailure {
        status: StatusCode::NOT_FOUND,
        message: "no such endpoint: try GET /topics".into(),
    }
}

/// The HTTP API.
pub fn router(forum: Forum) -> Router {
    Router::new()
        .route("/topics", get(list_topics).post(start_topic))
        .route("/topics/{id}", get(show_topic))
        .route("/topics/{id}/replies", axum::routing::post(reply))
        .fallback(not_found)
        .with_state(Arc::new(forum))
}
