//! Retry, timeout and pacing behaviour on tokio's paused clock, against an in-memory server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use serde_json::json;
use tokio::time::Instant;

use super::Connector;
use super::connector::Response;
use crate::api::{Fields, ListRecords, WriteOptions};
use crate::{Client, DatasheetId, Error, Pacing, RetryPolicy};

/// What the fake server does with one request.
#[derive(Clone)]
enum Reply {
    Json(u16, serde_json::Value),
    /// Answers with this status, these headers and this JSON.
    WithHeaders(u16, Vec<(&'static str, String)>, serde_json::Value),
    /// Answers with this JSON after a delay.
    Slow(Duration, serde_json::Value),
    /// Receives the request, then never answers (the client's timeout must fire).
    Hang,
    /// Fails to connect: the request never reaches the server.
    Refuse,
}

#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Reply>>>,
    /// (virtual time since start, path) of every request that reached the server.
    log: Arc<Mutex<Vec<(Duration, String)>>>,
}

fn ok_page() -> Reply {
    Reply::Json(
        200,
        json!({"success": true, "code": 200, "message": "SUCCESS",
               "data": {"total": 0, "pageNum": 1, "pageSize": 0, "records": []}}),
    )
}

fn error(status: u16, code: i64) -> Reply {
    Reply::Json(
        status,
        json!({"success": false, "code": code, "message": "nope"}),
    )
}

/// The settings every fake-server test starts from: a 10 s attempt timeout, no operation
/// timeout.
fn builder(pacing: Pacing, retry: RetryPolicy) -> crate::ClientBuilder {
    Client::builder()
        .token("uskSecretToken123")
        .base_url("http://127.0.0.1:9")
        .pacing(pacing)
        .retry(retry)
        .attempt_timeout(Duration::from_secs(10))
        .operation_timeout(None)
}

impl Fake {
    fn new(script: impl IntoIterator<Item = Reply>) -> Self {
        let fake = Fake::default();
        fake.script.lock().unwrap().extend(script);
        fake
    }

    fn client(&self, pacing: Pacing, retry: RetryPolicy) -> Client {
        self.client_from(builder(pacing, retry))
    }

    /// A client with the settings of `builder`, whose requests this fake answers.
    fn client_from(&self, builder: crate::ClientBuilder) -> Client {
        let start = Instant::now();
        let fake = self.clone();
        let connector = Connector::Fake(Arc::new(move |req: reqwest::Request| {
            let fake = fake.clone();
            async move {
                let reply = fake
                    .script
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or_else(ok_page);
                if matches!(reply, Reply::Refuse) {
                    return Err(Error::Transport(crate::error::TransportError {
                        message: "connection refused".into(),
                        reached_server: false,
                    }));
                }
                fake.log
                    .lock()
                    .unwrap()
                    .push((start.elapsed(), req.url().path().to_owned()));
                let respond = |status: u16, headers: &[(&str, String)], body: serde_json::Value| {
                    let mut map = reqwest::header::HeaderMap::new();
                    for (name, value) in headers {
                        map.append(
                            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                            value.parse().unwrap(),
                        );
                    }
                    Ok(Response {
                        status,
                        headers: map,
                        body: Bytes::from(body.to_string()),
                        heard: tokio::time::Instant::now(),
                    })
                };
                match reply {
                    Reply::Json(status, body) => respond(status, &[], body),
                    Reply::WithHeaders(status, headers, body) => respond(status, &headers, body),
                    Reply::Slow(delay, body) => {
                        tokio::time::sleep(delay).await;
                        respond(200, &[], body)
                    }
                    Reply::Hang => std::future::pending().await,
                    Reply::Refuse => unreachable!(),
                }
            }
            .boxed()
        }));
        builder.connector(connector).build().unwrap()
    }

    fn times(&self) -> Vec<Duration> {
        self.log.lock().unwrap().iter().map(|(t, _)| *t).collect()
    }
}

/// Lists one page of each datasheet, all at once, and expects every call to succeed.
async fn list_concurrently(client: &Client, sheets: impl Iterator<Item = DatasheetId>) {
    let calls = sheets.map(|id| {
        let client = client.clone();
        async move {
            client
                .datasheet(&id)
                .list_records::<Fields>(&ListRecords::new())
                .await
                .map(drop)
        }
    });
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
}

fn dst(s: &str) -> DatasheetId {
    s.parse().unwrap()
}

#[tokio::test(start_paused = true)]
async fn rate_limited_then_success_is_retried_after_a_second() {
    let fake = Fake::new([error(429, 429), ok_page()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let page = list_one(&client).await.unwrap();
    assert_eq!(page.total, 0);
    let times = fake.times();
    assert_eq!(times.len(), 2);
    assert!(times[1] - times[0] >= Duration::from_secs(1), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn three_server_errors_then_success() {
    let fake = Fake::new([error(500, 500), error(502, 500), error(500, 500), ok_page()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let id = dst("dstA");
    client
        .datasheet(&id)
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap();
    assert_eq!(fake.times().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_attempt_limit() {
    let fake = Fake::new(vec![error(500, 500); 10]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard().with_max_attempts(3));
    let err = list_one(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(500));
    assert_eq!(fake.times().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn business_errors_are_not_retried() {
    let fake = Fake::new([error(200, 400), ok_page()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let err = list_one(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(400));
    assert_eq!(fake.times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_that_times_out_after_sending_is_not_retried_and_is_ambiguous() {
    let fake = Fake::new([Reply::Hang, ok_page()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let id = dst("dstA");
    let rows = [json!({"Name": "Soup"}), json!({"Name": "Bread"})];
    let err = client
        .datasheet(&id)
        .create_records::<_, Fields>(&rows, &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(fake.times().len(), 1, "the create must not be sent twice");
    let Error::UnknownOutcome(unknown) = &err else {
        panic!("expected UnknownOutcome, got {err:?}");
    };
    assert_eq!(
        unknown.records(),
        [r#"{"Name":"Soup"}"#, r#"{"Name":"Bread"}"#]
    );
    assert!(matches!(unknown.cause(), Error::Timeout(_)));
    assert!(err.may_have_been_applied());
}

#[tokio::test(start_paused = true)]
async fn a_create_that_never_connected_or_was_rate_limited_is_retried() {
    let fake = Fake::new([Reply::Refuse, error(429, 429), ok_create()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let id = dst("dstA");
    let created = client
        .datasheet(&id)
        .create_records::<_, Fields>(&[json!({"Name": "Soup"})], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    // The refused attempt never reached the server; the 429 and the success did.
    assert_eq!(fake.times().len(), 2);
}

fn ok_create() -> Reply {
    Reply::Json(
        201,
        json!({"success": true, "code": 200, "message": "SUCCESS",
               "data": {"records": [{"recordId": "recNew1", "fields": {"Name": "Soup"}}]}}),
    )
}

#[tokio::test(start_paused = true)]
async fn a_create_answered_by_a_server_error_is_ambiguous() {
    let fake = Fake::new([error(500, 500), ok_create()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let id = dst("dstA");
    let err = client
        .datasheet(&id)
        .create_records::<_, Fields>(&[json!({"Name": "Soup"})], &WriteOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownOutcome(_)), "{err:?}");
    assert_eq!(fake.times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_update_that_times_out_is_retried() {
    let fake = Fake::new([
        Reply::Hang,
        Reply::Json(
            200,
            json!({"success": true, "code": 200, "message": "SUCCESS", "data": {"records": []}}),
        ),
    ]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let id = dst("dstA");
    let update = crate::api::RecordUpdate {
        record_id: "recA".parse().unwrap(),
        fields: json!({"Name": "Stew"}),
    };
    client
        .datasheet(&id)
        .update_records::<_, Fields>(&[update], &WriteOptions::default())
        .await
        .unwrap();
    let times = fake.times();
    assert_eq!(times.len(), 2);
    assert!(
        times[1] >= Duration::from_secs(10),
        "the retry comes after the 10 s attempt timeout: {times:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_operation_timeout_bounds_all_attempts() {
    let fake = Fake::new(vec![Reply::Hang; 10]);
    let client = fake.client_from(
        builder(Pacing::off(), RetryPolicy::standard().with_max_attempts(10))
            .operation_timeout(Some(Duration::from_secs(25))),
    );
    let id = dst("dstA");
    let started = Instant::now();
    let err = client
        .datasheet(&id)
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap_err();
    let Error::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert!(t.whole_operation());
    assert_eq!(started.elapsed(), Duration::from_secs(25));
}

#[tokio::test(start_paused = true)]
async fn twenty_requests_to_one_datasheet_go_five_a_second_in_bursts() {
    let fake = Fake::new([]);
    let client = fake.client(Pacing::default(), RetryPolicy::disabled());
    let id = dst("dstA");
    let started = Instant::now();
    list_concurrently(&client, (0..20).map(|_| id.clone())).await;
    // Answers are instant: five at once, then five more a second after those answers.
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    let mut times = fake.times();
    times.sort();
    assert_eq!(times.len(), 20);
    for (i, t) in times.iter().enumerate() {
        assert_eq!(*t, Duration::from_secs(i as u64 / 5), "request {i}");
    }
    // Never more than 5 inside any one-second window.
    for w in times.windows(6) {
        assert!(w[5] - w[0] >= Duration::from_secs(1), "{w:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_rate_below_one_per_second_spaces_single_requests() {
    let fake = Fake::new([]);
    let client = fake.client(Pacing::per_second(0.5), RetryPolicy::disabled());
    list_concurrently(&client, (0..3).map(|_| dst("dstA"))).await;
    let mut times = fake.times();
    times.sort();
    assert_eq!(times, [0, 2, 4].map(Duration::from_secs));
}

#[tokio::test(start_paused = true)]
async fn two_datasheets_are_paced_independently() {
    let fake = Fake::new([]);
    let client = fake.client(Pacing::default(), RetryPolicy::disabled());
    let (a, b) = (dst("dstA"), dst("dstB"));
    let started = Instant::now();
    list_concurrently(
        &client,
        (0..12).map(|i| if i % 2 == 0 { a.clone() } else { b.clone() }),
    )
    .await;
    // Six each: five at once and the sixth a second later, for both sheets in parallel, not
    // the two seconds of one sheet's twelve.
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    let log = fake.log.lock().unwrap().clone();
    for sheet in ["dstA", "dstB"] {
        let mut times: Vec<_> = log
            .iter()
            .filter(|(_, p)| p.contains(sheet))
            .map(|(t, _)| *t)
            .collect();
        times.sort();
        assert_eq!(
            times,
            [[Duration::ZERO; 5].as_slice(), &[Duration::from_secs(1)]].concat()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_sixth_request_waits_for_the_earliest_permit_a_second_after_its_answer() {
    // The server counts arrivals in a window opened by the first one, which may arrive as late
    // as its answer. A request in flight holds a permit until a second after its answer, less
    // the latency credit, so the sixth waits for the earliest permit to come back. Five round
    // trips of requests sent together earn no credit (one stall could have held them all),
    // so with the credit on or off the sixth goes a second after the first answer.
    let body = json!({"success": true, "code": 200, "message": "SUCCESS",
                      "data": {"total": 0, "pageNum": 1, "pageSize": 0, "records": []}});
    let slow = |ms| Reply::Slow(Duration::from_millis(ms), body.clone());
    let script = [
        slow(300),
        slow(315),
        slow(300),
        slow(330),
        slow(320),
        slow(10),
    ];
    for pacing in [
        Pacing::default(),
        Pacing::default().without_latency_credit(),
    ] {
        let fake = Fake::new(script.clone());
        let client = fake.client(pacing, RetryPolicy::disabled());
        let id = dst("dstA");
        list_concurrently(&client, (0..6).map(|_| id.clone())).await;
        let mut times = fake.times();
        times.sort();
        // Five at once; the earliest answers come at 300 ms.
        assert_eq!(times[..5], [Duration::ZERO; 5]);
        assert_eq!(times[5], Duration::from_millis(1300), "{pacing:?}");
    }
}

fn rate_limited_with(retry_after: &str) -> Reply {
    Reply::WithHeaders(
        429,
        vec![("retry-after", retry_after.to_owned())],
        json!({"success": false, "code": 429, "message": "slow down"}),
    )
}

/// Lists the first page of `dstA`.
async fn list_one(client: &Client) -> crate::Result<crate::Page<crate::api::Record<Fields>>> {
    client
        .datasheet(&dst("dstA"))
        .list_records::<Fields>(&ListRecords::new())
        .await
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_sets_the_wait_before_the_retry() {
    let unavailable = Reply::WithHeaders(
        503,
        vec![("Retry-After", "7".to_owned())],
        json!({"success": false, "code": 503, "message": "maintenance"}),
    );
    let fake = Fake::new([rate_limited_with("3"), unavailable, ok_page()]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    list_one(&client).await.unwrap();
    let times = fake.times();
    assert_eq!(times.len(), 3);
    // The backoff alone would be about a second each time.
    assert_eq!(times[1] - times[0], Duration::from_secs(3), "{times:?}");
    assert_eq!(times[2] - times[1], Duration::from_secs(7), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_cap_ends_the_call_at_once() {
    for value in ["3600", "Fri, 31 Dec 9999 23:59:59 GMT"] {
        let fake = Fake::new([rate_limited_with(value), ok_page(), ok_page()]);
        let client = fake.client(Pacing::off(), RetryPolicy::standard());
        let started = Instant::now();
        let err = list_one(&client).await.unwrap_err();
        assert_eq!(fake.times().len(), 1, "{value}: no retry");
        assert_eq!(started.elapsed(), Duration::ZERO, "{value}: no sleeping");
        let Error::Api(api) = &err else {
            panic!("{value}: {err:?}")
        };
        assert_eq!(api.code(), 429);
        assert!(
            api.retry_after().unwrap() > Duration::from_secs(3000),
            "{value}: {api:?}"
        );
        assert!(err.to_string().contains("asked to wait"), "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_retry_after_cap_can_be_raised() {
    let fake = Fake::new([rate_limited_with("3600"), ok_page()]);
    let client = fake.client(
        Pacing::off(),
        RetryPolicy::standard().with_max_retry_after(Duration::from_secs(7200)),
    );
    list_one(&client).await.unwrap();
    let times = fake.times();
    assert_eq!(times[1] - times[0], Duration::from_secs(3600), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn a_redirect_is_an_error_naming_the_target_host_and_is_not_retried() {
    let success = json!({"success": true, "code": 200, "message": "SUCCESS",
                         "data": {"total": 0, "pageNum": 1, "pageSize": 0, "records": []}});
    let fake = Fake::new([Reply::WithHeaders(
        307,
        vec![(
            "location",
            "https://elsewhere.example/fusion/v1/x?filterByFormula=alice%40example.com".to_owned(),
        )],
        success,
    )]);
    let client = fake.client(Pacing::off(), RetryPolicy::standard());
    let err = list_one(&client).await.unwrap_err();
    let Error::Redirect(redirect) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(redirect.status(), 307);
    assert_eq!(redirect.host(), Some("elsewhere.example"));
    assert_eq!(err.status(), Some(307));
    let text = err.to_string();
    assert!(text.contains("elsewhere.example"), "{text}");
    assert!(!text.contains("alice"), "{text}");
    assert!(!format!("{err:?}").contains("alice"), "{err:?}");
    assert_eq!(fake.times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_response_over_the_size_limit_is_an_error_naming_the_limit() {
    let fake = Fake::new([]);
    let client =
        fake.client_from(builder(Pacing::off(), RetryPolicy::standard()).max_response_size(50));
    let err = list_one(&client).await.unwrap_err();
    let Error::ResponseTooLarge(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.limit(), 50);
    assert!(err.to_string().contains("limit of 50 bytes"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(fake.times().len(), 1);
}
