//! What a create reports when the server's answer is not a clean success or a clean refusal.
//! A create is "written" only when the answer names the created records, "not written" only
//! when the request provably never got through or the server refused it outright; every other
//! answer leaves the rows' fate unknown, and the report must say so, or a caller that trusts it
//! would write them again and duplicate them.

use apitable_orm::Error;
use apitable_orm::prelude::*;
use apitable_orm::{BatchError, Pacing, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstOutcomes000001", rename_all = "PascalCase")]
struct Row {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    name: String,
}

fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            id: None,
            name: format!("row {i}"),
        })
        .collect()
}

/// A server that answers every POST with `status` and the raw `body`.
async fn server(status: u16, body: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token("uskTestToken0000000001")
        .base_url(server.uri())
        .pacing(Pacing::off())
        .retry(RetryPolicy::standard().with_max_attempts(3))
        .build()
        .unwrap();
    (server, client)
}

async fn insert_error(status: u16, body: &str, n: usize) -> (Error, usize) {
    let (server, client) = server(status, body).await;
    let err = client
        .table::<Row>()
        .insert_many(&rows(n))
        .await
        .expect_err("the answer is not a success");
    let posts = server.received_requests().await.unwrap().len();
    (err, posts)
}

fn batch(err: &Error) -> &BatchError {
    match err {
        Error::Batch(b) => b,
        other => panic!("expected a batch report, got {other:?}"),
    }
}

/// A 2xx answer whose body cannot be read leaves every row of the request unknown, and the
/// request is not sent again.
#[tokio::test]
async fn unreadable_success_bodies_leave_the_rows_unknown() {
    let full = r#"{"success":true,"code":200,"message":"SUCCESS","data":{"records":[{"recordId":"recA","fields":{"Name":"row 0"}}]}}"#;
    let cases = [
        ("cut off", 201, &full[..full.len() / 2]),
        ("empty", 201, ""),
        (
            "success without data",
            201,
            r#"{"success":true,"code":200,"message":"SUCCESS"}"#,
        ),
        (
            "data without records",
            200,
            r#"{"success":true,"code":200,"data":{}}"#,
        ),
        ("not JSON", 200, "<html>ok</html>"),
    ];
    for (what, status, body) in cases {
        let (err, posts) = insert_error(status, body, 3).await;
        let b = batch(&err);
        assert_eq!(b.unknown(), [0, 1, 2], "{what}: {err}");
        assert!(b.failed().is_empty(), "{what}: {err}");
        assert!(b.written().is_empty(), "{what}");
        assert!(err.may_have_been_applied(), "{what}: {err}");
        assert_eq!(posts, 1, "{what}: an ambiguous create is never resent");
    }
}

/// A create of two rows answered with HTTP 200 and a failure envelope with this code: both
/// rows are unknown and the create was sent once.
async fn assert_refusal_in_200_is_ambiguous(code: Value, message: &str) {
    let body = json!({"success": false, "code": code, "message": message}).to_string();
    let (err, posts) = insert_error(200, &body, 2).await;
    let b = batch(&err);
    assert_eq!(b.unknown(), [0, 1], "code {code}: {err}");
    assert!(err.may_have_been_applied());
    assert_eq!(posts, 1);
}

/// HTTP 200 with a server-error code in the body is as ambiguous as an HTTP 500.
#[tokio::test]
async fn a_server_error_code_in_a_200_body_is_ambiguous() {
    for code in [500, 503] {
        assert_refusal_in_200_is_ambiguous(json!(code), "internal").await;
    }
}

/// A refusal whose code the client cannot read says nothing definite: the rows are unknown.
#[tokio::test]
async fn a_refusal_without_a_numeric_code_is_ambiguous() {
    for code in [json!("E_WEIRD"), json!(null)] {
        assert_refusal_in_200_is_ambiguous(json!(code), "odd").await;
    }
}

/// A definite refusal is reported as not written: the caller may safely send the rows again.
#[tokio::test]
async fn a_definite_refusal_is_not_written() {
    let body = json!({"success": false, "code": 400, "message": "bad field"}).to_string();
    let (err, _) = insert_error(200, &body, 2).await;
    let b = batch(&err);
    assert_eq!(b.failed(), [0, 1]);
    assert!(b.unknown().is_empty());
    assert!(!err.may_have_been_applied());
}

/// When the server answers a create with fewer records than were sent, the ids it returned
/// are kept (they exist), and the rows of that request are unknown.
#[tokio::test]
async fn fewer_records_than_sent_keeps_the_returned_ids() {
    let body = json!({"success": true, "code": 200, "message": "SUCCESS", "data": {"records": [
        {"recordId": "recMade1", "fields": {"Name": "row 0"}},
        {"recordId": "recMade2", "fields": {"Name": "row 1"}}
    ]}})
    .to_string();
    let (err, posts) = insert_error(201, &body, 3).await;
    let b = batch(&err);
    assert_eq!(b.unknown(), [0, 1, 2], "{err}");
    let ids: Vec<&str> = b.unattributed().iter().map(RecordId::as_str).collect();
    assert_eq!(ids, ["recMade1", "recMade2"]);
    assert!(err.may_have_been_applied());
    assert_eq!(posts, 1);
    assert!(err.to_string().contains("did not match"), "{err}");
}

/// The second of three requests, sent one at a time, is ambiguous: the first request's rows
/// are written, the second's unknown, the third's never sent.
#[tokio::test]
async fn a_batch_report_places_every_row() {
    let server = MockServer::start().await;
    let ok = |ids: std::ops::Range<usize>| {
        let records: Vec<_> = ids
            .map(|i| json!({"recordId": format!("recOk{i}"), "fields": {}}))
            .collect();
        ResponseTemplate::new(201)
            .set_body_json(json!({"success": true, "code": 200, "data": {"records": records}}))
    };
    Mock::given(method("POST"))
        .respond_with(ok(0..10))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw("{\"succ", "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let err = unpaced(&server, 1)
        .table::<Row>()
        .insert_many(&rows(25))
        .await
        .unwrap_err();
    let b = batch(&err);
    assert_eq!(b.total(), 25);
    assert_eq!(b.written().len(), 10);
    assert_eq!(b.unknown(), (10..20).collect::<Vec<_>>());
    assert_eq!(b.not_sent(), (20..25).collect::<Vec<_>>());
    assert!(b.failed().is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

/// An unpaced client of `server` with up to `in_flight` write requests at once.
fn unpaced(server: &MockServer, in_flight: usize) -> Client {
    let client = Client::builder()
        .token("uskTestToken0000000001")
        .base_url(server.uri())
        .pacing(Pacing::off())
        .writes_in_flight(in_flight)
        .build()
        .unwrap();
    assert_eq!(client.writes_in_flight(), in_flight);
    client
}

// Several requests in flight: when one fails, the others' rows are still reported as written
// (in input order), the failed request's rows as failed, and nothing is sent after the
// failure was seen.

/// Answers a create with one record per row sent, named after the row, except the request
/// carrying `refused`, which gets a parameter error (certainly not applied).
fn creates_except(refused: &'static str) -> impl Fn(&Request) -> ResponseTemplate {
    move |req: &Request| {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let sent = body["records"].as_array().unwrap();
        if sent.iter().any(|r| r["fields"]["Name"] == refused) {
            return ResponseTemplate::new(200).set_body_json(
                json!({"success": false, "code": 400, "message": "api_params_invalid_value"}),
            );
        }
        let records: Vec<Value> = sent
            .iter()
            .map(|r| {
                let name = r["fields"]["Name"].as_str().unwrap().replace(' ', "");
                json!({"recordId": format!("rec{name}"), "fields": r["fields"]})
            })
            .collect();
        ResponseTemplate::new(201)
            .set_delay(std::time::Duration::from_millis(50))
            .set_body_json(json!({"success": true, "code": 200, "data": {"records": records}}))
    }
}

#[tokio::test]
async fn a_refused_request_among_requests_in_flight_reports_every_row() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(creates_except("row 10"))
        .mount(&server)
        .await;
    let client = unpaced(&server, 5);
    let err = client
        .table::<Row>()
        .insert_many(&rows(25))
        .await
        .unwrap_err();
    let b = batch(&err);
    // All three requests went out at once: the first and the third wrote their rows.
    let written: Vec<usize> = b.written().iter().map(|(i, _)| *i).collect();
    let expected: Vec<usize> = (0..10).chain(20..25).collect();
    assert_eq!(written, expected);
    for (i, id) in b.written() {
        assert_eq!(
            id.as_str(),
            format!("recrow{i}"),
            "row {i} got another row's id"
        );
    }
    assert_eq!(b.failed(), (10..20).collect::<Vec<_>>());
    assert!(b.unknown().is_empty() && b.not_sent().is_empty());
    assert!(!err.may_have_been_applied());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn after_a_failure_no_further_request_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(creates_except("row 0"))
        .mount(&server)
        .await;
    let client = unpaced(&server, 2);
    let err = client
        .table::<Row>()
        .insert_many(&rows(60))
        .await
        .unwrap_err();
    let b = batch(&err);
    // Requests 1 and 2 were in flight together; request 1 failed at once, request 2 (slow)
    // was awaited and wrote its rows; the four after it were never sent.
    assert_eq!(b.failed(), (0..10).collect::<Vec<_>>());
    let written: Vec<usize> = b.written().iter().map(|(i, _)| *i).collect();
    assert_eq!(written, (10..20).collect::<Vec<_>>());
    assert_eq!(b.not_sent(), (20..60).collect::<Vec<_>>());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_slow_answer_holds_up_no_other_request() {
    // Two in flight; the first request's answer takes 10 s, the others' 50 ms. The next
    // request goes as soon as any answer is in, so the other five are all sent long before
    // the slow answer comes, and the ids still come back in input order.
    let server = MockServer::start().await;
    let fast = creates_except("no such row");
    Mock::given(method("POST"))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let slow = body["records"][0]["fields"]["Name"] == "row 0";
            let answer = fast(req);
            if slow {
                answer.set_delay(std::time::Duration::from_secs(10))
            } else {
                answer
            }
        })
        .mount(&server)
        .await;
    let client = unpaced(&server, 2);
    let insert = tokio::spawn(async move { client.table::<Row>().insert_many(&rows(60)).await });
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(8);
    let mut seen = 0;
    while tokio::time::Instant::now() < deadline {
        seen = server.received_requests().await.unwrap().len();
        if seen == 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(seen, 6, "requests sent while the first answer was pending");
    assert!(!insert.is_finished());
    let ids = insert.await.unwrap().unwrap();
    let expected: Vec<String> = (0..60).map(|i| format!("recrow{i}")).collect();
    assert_eq!(
        ids.iter()
            .map(|id| id.as_str().to_owned())
            .collect::<Vec<_>>(),
        expected
    );
}
