//! A multi-request write with several requests in flight: when one fails, the others' rows are
//! still reported as written (in input order), the failed request's rows as failed, and no
//! request is sent after the failure was seen.

use apitable_orm::prelude::*;
use apitable_orm::{BatchError, Error, Pacing};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstPipelined00001", rename_all = "PascalCase")]
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

fn batch(err: &Error) -> &BatchError {
    match err {
        Error::Batch(b) => b,
        other => panic!("expected a batch error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_request_among_requests_in_flight_reports_every_row() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(creates_except("row 10"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token("uskTestToken0000000001")
        .base_url(server.uri())
        .pacing(Pacing::off())
        .build()
        .unwrap();
    assert_eq!(client.writes_in_flight(), 5);
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
    let client = Client::builder()
        .token("uskTestToken0000000001")
        .base_url(server.uri())
        .pacing(Pacing::off())
        .writes_in_flight(2)
        .build()
        .unwrap();
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
