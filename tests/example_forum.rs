//! The forum example's HTTP API, served on 127.0.0.1:0 against an in-process emulator and called
//! with reqwest: its JSON answers, its errors, and how many requests each page costs the
//! datasheet server (from the emulator's statistics).

mod common;

#[path = "../examples/forum/app.rs"]
#[allow(dead_code)]
mod app;

use apitable_emulator::Emulator;

use apitable_orm::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use app::{Forum, Post, Topic};

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";

struct Running {
    emu: Emulator,
    forum: Forum,
    url: String,
    http: reqwest::Client,
}

async fn start() -> Running {
    let (emu, client) = common::seeded_with_client(&app::emulator_seed()).await;
    let forum = Forum::new(
        client,
        <Topic as Table>::DATASHEET.parse().unwrap(),
        <Post as Table>::DATASHEET.parse().unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app::router(forum.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Running {
        emu,
        forum,
        url,
        http: reqwest::Client::new(),
    }
}

impl Running {
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    /// GET, with the record reads it caused: `(status, body, GET …/records count, all requests)`.
    async fn get_counted(&self, path: &str) -> (StatusCode, Value, u64, u64) {
        self.emu.reset_stats().await;
        let (status, body) = self.get(path).await;
        let stats = self.emu.stats().await;
        (status, body, stats.count("GET", RECORDS), stats.total)
    }
}

fn topic_by_id<'a>(listing: &'a Value, id: &RecordId) -> &'a Value {
    listing["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap_or_else(|| panic!("topic {id} missing from {listing}"))
}

fn authors(page: &Value) -> Vec<&str> {
    page["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["author"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn listing_and_topic_pages_with_their_request_counts() {
    let f = start().await;
    let ids = f.forum.seed_demo_course().await.unwrap();
    let (welcome, homework, study) = (&ids[0], &ids[1], &ids[2]);

    // The listing: reply counts and last replies, in two record reads (topics, then one
    // get_many of the three newest posts).
    let (status, listing, reads, total) = f.get_counted("/topics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listing["topics"].as_array().unwrap().len(), 3);
    let t = topic_by_id(&listing, homework);
    assert_eq!(
        (t["title"].as_str(), t["replies"].as_u64()),
        (Some("Homework 1: ownership"), Some(5))
    );
    assert_eq!(t["last_reply"]["author"], "Grace");
    assert_eq!(topic_by_id(&listing, welcome)["replies"], 4);
    assert_eq!(
        topic_by_id(&listing, welcome)["last_reply"]["author"],
        "Barbara"
    );
    assert_eq!(topic_by_id(&listing, study)["replies"], 2);
    assert_eq!((reads, total), (2, 2));

    // A topic page: the topic, then its posts in one get_many; oldest first.
    let (status, page, reads, total) = f.get_counted(&format!("/topics/{homework}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["topic"]["id"], homework.as_str());
    assert_eq!(page["topic"]["author"], "Prof. Ferris");
    assert_eq!(page["topic"]["replies"], 5);
    assert_eq!(
        authors(&page),
        ["Ada", "Prof. Ferris", "Linus", "Prof. Ferris", "Grace"]
    );
    assert_eq!(
        page["posts"][0]["body"],
        "Does exercise 3 want a `&str` or a `String`?"
    );
    assert!(
        page["posts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["topic"] == homework.as_str())
    );
    let times: Vec<u64> = page["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["created"].as_u64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {times:?}"
    );
    assert_eq!((reads, total), (2, 2));

    // Many more topics and posts (written straight into the emulator): the listing still
    // makes two record reads; a topic page with 304 posts makes 1 + ceil(304 / 200) = 3.
    let posts_dst = <Post as Table>::DATASHEET;
    let topics_dst = <Topic as Table>::DATASHEET;
    let more_topics: Vec<Value> = (0..40)
        .map(|i| json!({"Title": format!("Question {i}"), "Author": "Student", "Body": "?"}))
        .collect();
    let new_topics = f.emu.insert_records(topics_dst, more_topics).await.unwrap();
    let mut more_posts: Vec<Value> = (0..300)
        .map(|i| json!({"Body": format!("reply {i:03}"), "Author": format!("Student {i:03}"), "Topic": [welcome.as_str()]}))
        .collect();
    more_posts.extend(
        new_topics
            .iter()
            .map(|t| json!({"Body": "Same question here", "Author": "Grace", "Topic": [t]})),
    );
    f.emu.insert_records(posts_dst, more_posts).await.unwrap();

    let (_, listing, reads, _) = f.get_counted("/topics").await;
    assert_eq!(listing["topics"].as_array().unwrap().len(), 43);
    assert_eq!(topic_by_id(&listing, welcome)["replies"], 304);
    assert_eq!(
        topic_by_id(&listing, welcome)["last_reply"]["author"],
        "Student 299"
    );
    let q7: RecordId = new_topics[7].parse().unwrap();
    assert_eq!(topic_by_id(&listing, &q7)["replies"], 1);
    assert_eq!(reads, 2, "43 topics with 351 posts: still two record reads");

    let (_, page, reads, _) = f.get_counted(&format!("/topics/{welcome}")).await;
    let authors = authors(&page);
    assert_eq!(authors.len(), 304);
    assert_eq!(
        authors[..5],
        ["Ada", "Grace", "Linus", "Barbara", "Student 000"]
    );
    assert_eq!(authors[303], "Student 299");
    assert_eq!(
        reads, 3,
        "the topic, then 304 posts in get_many chunks of 200"
    );
    f.emu.shutdown().await;
}

#[tokio::test]
async fn replies_and_new_topics_appear_and_bad_input_is_refused() {
    let f = start().await;
    let ids = f.forum.seed_demo_course().await.unwrap();
    let study = &ids[2];

    // A reply: validated, created with its link, read back once.
    f.emu.reset_stats().await;
    let (status, post) = f
        .post(
            &format!("/topics/{study}/replies"),
            &json!({"author": "  Linus ", "body": "Thursday 5pm works {for} \"me\""}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    assert_eq!(post["author"], "Linus");
    assert_eq!(post["body"], "Thursday 5pm works {for} \"me\"");
    assert_eq!(post["topic"], study.as_str());
    assert!(post["id"].as_str().unwrap().starts_with("rec") && post["created"].is_u64());
    let stats = f.emu.stats().await;
    assert_eq!(
        (
            stats.count("GET", RECORDS),
            stats.count("POST", RECORDS),
            stats.total
        ),
        (2, 1, 3)
    );

    // It is the newest post of the topic, and counted in the listing.
    let (_, page) = f.get(&format!("/topics/{study}")).await;
    assert_eq!(authors(&page), ["Grace", "Barbara", "Linus"]);
    assert_eq!(page["posts"][2]["id"], post["id"]);
    assert_eq!(page["topic"]["replies"], 3);
    let (_, listing) = f.get("/topics").await;
    assert_eq!(topic_by_id(&listing, study)["replies"], 3);
    assert_eq!(
        topic_by_id(&listing, study)["last_reply"]["author"],
        "Linus"
    );

    // Bad replies: 400 with a JSON error, and nothing written.
    f.emu.reset_stats().await;
    let reply_path = format!("/topics/{study}/replies");
    for (body, error) in [
        (
            json!({"author": "Ada", "body": ""}),
            "body must not be empty",
        ),
        (
            json!({"author": "Ada", "body": " \n\t "}),
            "body must not be empty",
        ),
        (json!({"author": "Ada"}), "body must not be empty"),
        (
            json!({"author": "", "body": "hi"}),
            "author must not be empty",
        ),
        (
            json!({"author": "Ada", "body": "x".repeat(app::MAX_BODY + 1)}),
            "body is longer than 20000 characters",
        ),
    ] {
        let (status, answer) = f.post(&reply_path, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer, json!({"error": error}));
    }
    for raw in ["{not json", "[1, 2]", "{\"author\": 5, \"body\": \"hi\"}"] {
        let r = f
            .http
            .post(format!("{}{reply_path}", f.url))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{raw}");
        let answer: Value = r.json().await.unwrap();
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .starts_with("expected a JSON object"),
            "{answer}"
        );
    }
    let r = f
        .http
        .post(format!("{}{reply_path}", f.url))
        .body("author=Ada")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        f.emu.stats().await.total,
        0,
        "invalid input is refused before any request"
    );

    // Unknown topics: 404 with a JSON error; a malformed id is unknown too.
    for id in ["recNoSuchTopic001", "not-an-id", "rec%7B%22%7D"] {
        let (status, answer) = f
            .post(
                &format!("/topics/{id}/replies"),
                &json!({"author": "Ada", "body": "hi"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .starts_with("no topic with id"),
            "{answer}"
        );
        let (status, answer) = f.get(&format!("/topics/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {answer}");
    }
    let stats = f.emu.stats().await;
    assert_eq!(
        stats.count("POST", RECORDS),
        0,
        "no reply was written to an unknown topic"
    );
    let (status, answer) = f.get("/no/such/page").await;
    assert_eq!(
        (status, answer["error"].is_string()),
        (StatusCode::NOT_FOUND, true)
    );

    // A new topic: 201, then listed with no replies.
    let (status, topic) = f
        .post(
            "/topics",
            &json!({"title": "Exam dates", "author": "Grace", "body": "When is the final?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{topic}");
    assert_eq!(
        (topic["title"].as_str(), topic["replies"].as_u64()),
        (Some("Exam dates"), Some(0))
    );
    let id: RecordId = topic["id"].as_str().unwrap().parse().unwrap();
    let (_, listing) = f.get("/topics").await;
    assert_eq!(listing["topics"].as_array().unwrap().len(), 4);
    assert_eq!(topic_by_id(&listing, &id)["last_reply"], Value::Null);
    let (status, page) = f.get(&format!("/topics/{id}")).await;
    assert_eq!((status, page["posts"].clone()), (StatusCode::OK, json!([])));
    let (status, answer) = f
        .post(
            "/topics",
            &json!({"title": " ", "author": "Grace", "body": "x"}),
        )
        .await;
    assert_eq!(
        (status, answer),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "title must not be empty"})
        )
    );
    f.emu.shutdown().await;
}

#[tokio::test]
async fn a_listing_without_replies_reads_only_the_topics() {
    let f = start().await;
    let (status, _) = f
        .post(
            "/topics",
            &json!({"title": "First!", "author": "Ada", "body": "Hello"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, listing, reads, total) = f.get_counted("/topics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listing["topics"][0]["replies"], 0);
    assert_eq!((reads, total), (1, 1));
    f.emu.shutdown().await;
}
