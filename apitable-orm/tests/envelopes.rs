//! How every envelope and body code of the API reference maps to a result or an error.

use apitable_orm::api::{Fields, ListRecords, WriteOptions};
use apitable_orm::{Client, DatasheetId, Error, Pacing, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client_answering(status: u16, body: &str, content_type: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_owned(), content_type))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token("uskEnvelopeTest")
        .base_url(server.uri())
        .pacing(Pacing::off())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    (server, client)
}

fn error_body(code: i64, message: Value) -> String {
    json!({"success": false, "code": code, "message": message}).to_string()
}

/// What a case must produce.
#[derive(Debug)]
struct Expect {
    code: Option<i64>,
    status: Option<u16>,
    retryable: bool,
    rate_limited: bool,
    applied: bool,
}

const fn api(status: u16, code: i64, retryable: bool, applied: bool) -> Expect {
    Expect {
        code: Some(code),
        status: Some(status),
        retryable,
        rate_limited: code == 429,
        applied,
    }
}

#[tokio::test]
async fn every_body_code_maps_to_a_typed_error() {
    let cases: Vec<(u16, String, Expect)> = vec![
        (
            200,
            error_body(211, json!("Failed to create data")),
            api(200, 211, false, false),
        ),
        (
            200,
            error_body(212, json!("Failed to update data")),
            api(200, 212, false, false),
        ),
        (
            200,
            error_body(214, json!("Failed to delete data")),
            api(200, 214, false, false),
        ),
        (
            200,
            error_body(301, json!("Can't find the specified datasheet")),
            api(200, 301, false, false),
        ),
        (
            500,
            error_body(
                304,
                json!("the usage of this function exceed the 50000 records limit"),
            ),
            api(500, 304, false, false),
        ),
        (
            200,
            error_body(400, json!("pagesize value can't be greater than 1000")),
            api(200, 400, false, false),
        ),
        (
            401,
            error_body(401, json!("Unauthorized")),
            api(401, 401, false, false),
        ),
        (
            403,
            error_body(403, json!("Access forbidden")),
            api(403, 403, false, false),
        ),
        (
            404,
            error_body(404, json!("The API does not exist")),
            api(404, 404, false, false),
        ),
        (
            200,
            error_body(426, json!("Failed to upload attachment")),
            api(200, 426, false, false),
        ),
        (
            200,
            error_body(428, json!("The attachment size exceeds 1 GB")),
            api(200, 428, false, false),
        ),
        (
            429,
            error_body(
                429,
                json!("The API request rate for the current space is 5 queries per second (QPS)"),
            ),
            api(429, 429, true, false),
        ),
        (
            500,
            error_body(500, json!("SERVER_ERROR (x)")),
            api(500, 500, true, true),
        ),
        // DTO multi-error: HTTP 500 with the message as a JSON array.
        (
            500,
            error_body(
                500,
                json!(["pageSize must be an integer", "pageNum must be an integer"]),
            ),
            api(500, 500, true, true),
        ),
        (
            200,
            error_body(601, json!("Access denied")),
            api(200, 601, false, false),
        ),
        (
            200,
            error_body(602, json!("Operation denied")),
            api(200, 602, false, false),
        ),
        (
            200,
            error_body(1501, json!("enterprise only")),
            api(200, 1501, false, false),
        ),
        // An upload failure keeps POST's 201 and puts the tip's HTTP status in `code`.
        (
            201,
            error_body(200, json!("Failed to upload attachment")),
            api(201, 200, false, false),
        ),
    ];
    for (status, body, expect) in cases {
        let (_server, client) = client_answering(status, &body, "application/json").await;
        let dst: DatasheetId = "dstEnvelope".parse().unwrap();
        let err = client
            .datasheet(&dst)
            .list_records::<Fields>(&ListRecords::new())
            .await
            .unwrap_err();
        let Error::Api(api_err) = &err else {
            panic!("HTTP {status} {body}: expected Error::Api, got {err:?}");
        };
        assert_eq!(err.code(), expect.code, "{body}");
        assert_eq!(err.status(), expect.status, "{body}");
        assert_eq!(err.is_retryable(), expect.retryable, "retryable: {body}");
        assert_eq!(
            err.is_rate_limited(),
            expect.rate_limited,
            "rate limited: {body}"
        );
        assert_eq!(
            err.may_have_been_applied(),
            expect.applied,
            "applied: {body}"
        );
        let message = serde_json::from_str::<Value>(&body).unwrap()["message"].clone();
        match message {
            Value::String(s) => assert_eq!(api_err.message(), s),
            Value::Array(items) => assert_eq!(
                api_err.message(),
                items
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            _ => unreachable!(),
        }
    }
}

#[tokio::test]
async fn gateway_pages_are_retryable_transport_level_errors() {
    for status in [502u16, 503, 504] {
        let html = format!("<html><body><h1>{status} Bad Gateway</h1></body></html>");
        let (_server, client) = client_answering(status, &html, "text/html").await;
        let dst: DatasheetId = "dstGateway".parse().unwrap();
        let err = client
            .datasheet(&dst)
            .list_records::<Fields>(&ListRecords::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Gateway { status: s } if s == status),
            "{err:?}"
        );
        assert!(err.is_retryable());
        assert!(err.may_have_been_applied());
        assert_eq!(err.code(), None);
    }
}

#[tokio::test]
async fn success_needs_the_flag_not_only_the_status() {
    // HTTP 200 with success:false is an error even though the status says OK.
    let (_s, client) =
        client_answering(200, &error_body(400, json!("bad")), "application/json").await;
    let dst: DatasheetId = "dstA".parse().unwrap();
    assert!(client.datasheet(&dst).views().await.is_err());

    // A POST answered 201 with success:true is a success.
    let body = json!({"success": true, "code": 200, "message": "SUCCESS",
                      "data": {"records": [{"recordId": "recX", "fields": {"Name": "a"}}]}});
    let (_s, client) = client_answering(201, &body.to_string(), "application/json").await;
    let created = client
        .datasheet(&dst)
        .create_records::<_, Fields>(&[json!({"Name": "a"})], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(created[0].id, "recX");

    // A 200 that is not JSON at all is a decode error, not a success.
    let (_s, client) = client_answering(200, "OK", "text/plain").await;
    let err = client.datasheet(&dst).views().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");

    // Success whose data has the wrong shape names what was expected.
    let body =
        json!({"success": true, "code": 200, "message": "SUCCESS", "data": {"views": "nope"}});
    let (_s, client) = client_answering(200, &body.to_string(), "application/json").await;
    let err = client.datasheet(&dst).views().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(
        err.to_string().contains("unexpected response data"),
        "{err}"
    );
}

/// Lists once against a server answering `body` with `status`, and returns the error.
async fn error_for(status: u16, body: &str) -> Error {
    let (_server, client) = client_answering(status, body, "application/json").await;
    let dst: DatasheetId = "dstEnvelope".parse().unwrap();
    client
        .datasheet(&dst)
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap_err()
}

/// HTTP status, body, the error's Display, its numeric code and its code text.
type CodeCase = (
    u16,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'static str>,
);

#[tokio::test]
async fn codes_and_messages_are_kept_as_the_server_sent_them() {
    let cases: [CodeCase; 8] = [
        (
            200,
            r#"{"success":false,"code":"E_WEIRD","message":"Something odd happened"}"#,
            "APITable error E_WEIRD (HTTP 200): Something odd happened",
            None,
            Some("E_WEIRD"),
        ),
        (
            200,
            r#"{"success":false,"code":null,"message":"Nope"}"#,
            "APITable error (HTTP 200, no code): Nope",
            None,
            None,
        ),
        (
            200,
            r#"{"success":false}"#,
            "APITable error (HTTP 200, no code), without a message",
            None,
            None,
        ),
        (
            200,
            r#"{"success":false,"code":"","message":null}"#,
            "APITable error (HTTP 200, no code), without a message",
            None,
            None,
        ),
        (
            200,
            r#"{"success":false,"code":"301","message":"Can't find the specified datasheet"}"#,
            "APITable error 301 (HTTP 200): Can't find the specified datasheet (datasheet \
             dstEnvelope: check the id, and that the token's user can see it; for a datasheet \
             chosen at run time, use `client.table_in::<T>(id)` instead of the struct's own id)",
            Some(301),
            None,
        ),
        (
            200,
            r#"{"success":false,"code":{"id":7},"message":{"en":"Bad"}}"#,
            r#"APITable error "{\"id\":7}" (HTTP 200): {"en":"Bad"}"#,
            None,
            Some(r#"{"id":7}"#),
        ),
        (
            200,
            r#"{"success":false,"code":1e30,"message":"huge"}"#,
            "APITable error 1e+30 (HTTP 200): huge",
            None,
            Some("1e+30"),
        ),
        (
            500,
            r#"{"code":"E_INTERNAL","message":"database down"}"#,
            "APITable error E_INTERNAL (HTTP 500): database down",
            None,
            Some("E_INTERNAL"),
        ),
    ];
    for (status, body, shown, number, text) in cases {
        let err = error_for(status, body).await;
        let Error::Api(api) = &err else {
            panic!("{body}: expected Error::Api, got {err:?}");
        };
        assert_eq!(err.to_string(), shown, "{body}");
        assert_eq!(api.numeric_code(), number, "{body}");
        assert_eq!(api.code_text(), text, "{body}");
        // `code()` still answers with a number: the server's, or the HTTP status.
        assert_eq!(api.code(), number.unwrap_or(i64::from(status)), "{body}");
        assert_eq!(err.code(), Some(api.code()), "{body}");
    }
    let err = error_for(200, r#"{"success":false,"code":"E_WEIRD","message":"m"}"#).await;
    assert!(
        !err.is_retryable(),
        "a refusal under HTTP 200 is not retried"
    );
    let err = error_for(500, r#"{"code":"E_INTERNAL","message":"database down"}"#).await;
    assert!(
        err.is_retryable(),
        "an HTTP 500 is a server error whatever its code"
    );
}

#[tokio::test]
async fn a_numeric_string_code_acts_as_the_number() {
    let err = error_for(
        200,
        r#"{"success":false,"code":"429","message":"slow down"}"#,
    )
    .await;
    assert_eq!(err.code(), Some(429));
    assert!(err.is_rate_limited());
    assert!(err.is_retryable());
    assert!(!err.may_have_been_applied());
    let err = error_for(200, r#"{"success":false,"code":" 400 ","message":"bad"}"#).await;
    assert_eq!(err.code(), Some(400));
    assert!(!err.is_retryable());
}
