//! The API token never shows up in `Debug`/`Display` output or in tracing output.

mod common;

use apitable_orm::api::{Fields, ListRecords};
use apitable_orm::{Client, DatasheetId, Pacing, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "uskTopSecretToken987654";

#[tokio::test]
async fn the_token_is_never_printed_or_logged() {
    let (captured, _guard) = common::capture_logs();

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string(r#"{"success":false,"code":500,"message":"SERVER_ERROR"}"#),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"success":false,"code":401,"message":"Unauthorized"}"#),
        )
        .mount(&server)
        .await;

    let builder = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .pacing(Pacing::off())
        .retry(
            RetryPolicy::standard()
                .with_initial_backoff(std::time::Duration::from_millis(1))
                .with_rate_limit_backoff(std::time::Duration::from_millis(1)),
        );
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let dst: DatasheetId = "dstSecret".parse().unwrap();
    let err = client
        .datasheet(&dst)
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(401),
        "a retried 500, then the 401: {err:?}"
    );
    let connect_err = Client::builder()
        .token(TOKEN)
        .base_url("http://127.0.0.1:1")
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
        .spaces()
        .await
        .unwrap_err();

    let logs = captured.text();
    assert!(
        logs.contains("apitable.request"),
        "spans were captured: {logs}"
    );
    assert!(logs.contains("retrying"), "the retry was logged: {logs}");
    for (what, text) in [
        ("builder Debug", builder_debug),
        ("client Debug", format!("{client:?}")),
        ("error Debug", format!("{err:?}")),
        ("error Display", err.to_string()),
        ("connect error Debug", format!("{connect_err:?}")),
        ("connect error Display", connect_err.to_string()),
        ("tracing output", logs),
    ] {
        assert!(!text.contains(TOKEN), "{what} leaks the token: {text}");
        assert!(
            !text.contains("TopSecret"),
            "{what} leaks part of the token: {text}"
        );
    }
}
