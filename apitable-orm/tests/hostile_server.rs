//! Servers that answer wrongly: responses too large to hold, redirects, pages that repeat
//! themselves or claim more records than they have; and what error messages and logs may
//! show of the request (never the query values, never credentials).

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use apitable_orm::api::{Fields, ListRecords, Record};
use apitable_orm::{
    Client, ClientBuilder, DEFAULT_MAX_RESPONSE_SIZE, DatasheetId, Error, Pacing, RecordId,
    ResponseTooLarge, RetryPolicy, Table,
};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A client of `base` without pacing, with the default retry policy and limits.
fn builder(base: impl Into<String>) -> ClientBuilder {
    Client::builder()
        .token("uskHostileTest")
        .base_url(base)
        .pacing(Pacing::off())
}

/// A client of `base` that sends each request once.
fn client(base: &str) -> Client {
    builder(base)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

fn dst() -> DatasheetId {
    "dstHostile000001".parse().unwrap()
}

async fn list(client: &Client) -> apitable_orm::Result<()> {
    client
        .datasheet(&dst())
        .list_records::<Fields>(&ListRecords::new())
        .await
        .map(drop)
}

fn page(total: u64, page_num: u64, ids: &[&str]) -> Value {
    let records: Vec<Value> = ids
        .iter()
        .map(|id| json!({"recordId": id, "fields": {"Name": format!("name of {id}")}}))
        .collect();
    json!({"success": true, "code": 200, "message": "SUCCESS",
           "data": {"total": total, "pageNum": page_num, "pageSize": records.len(), "records": records}})
}

fn page_num(req: &Request) -> u64 {
    req.url
        .query_pairs()
        .find(|(k, _)| k == "pageNum")
        .map_or(1, |(_, v)| v.parse().unwrap())
}

// --- Response size ---------------------------------------------------------------------

/// A listing through `builder`'s client with a response size limit of 1 MiB: the
/// [`Error::ResponseTooLarge`] it must fail with (at that limit) and its text. The client is
/// gone when this returns.
async fn refused_over_1_mib(builder: ClientBuilder) -> (ResponseTooLarge, String) {
    let client = builder.max_response_size(1 << 20).build().unwrap();
    let err = list(&client).await.unwrap_err();
    let Error::ResponseTooLarge(too_large) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(too_large.limit(), 1 << 20);
    (too_large.clone(), err.to_string())
}

#[test]
fn the_default_response_size_limit_is_128_mib() {
    assert_eq!(DEFAULT_MAX_RESPONSE_SIZE, 128 * 1024 * 1024);
    let client = Client::builder().token("uskT").build().unwrap();
    assert_eq!(client.max_response_size(), DEFAULT_MAX_RESPONSE_SIZE);
    assert!(
        Client::builder()
            .token("uskT")
            .max_response_size(0)
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let server = MockServer::start().await;
    let body = format!(
        r#"{{"success":true,"code":200,"message":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let (too_large, text) = refused_over_1_mib(builder(server.uri())).await;
    assert!(too_large.declared().unwrap() > 2 << 20);
    assert!(text.contains("limit of 1048576 bytes"), "{text}");
    // Not retried: the same answer would come again.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// A server that answers one request with an endless chunked body (up to 256 MiB) and
/// reports how much of it it managed to write before the client hung up.
fn endless_body_server() -> (String, std::thread::JoinHandle<u64>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the client closed before sending its request");
            request.extend_from_slice(&buf[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                    transfer-encoding: chunked\r\n\r\n";
        stream.write_all(head.as_bytes()).unwrap();
        let start = r#"{"success":true,"code":200,"message":""#;
        let mut written = 0u64;
        let opening = format!("{:x}\r\n{start}\r\n", start.len());
        stream.write_all(opening.as_bytes()).unwrap();
        let filler = vec![b'a'; 64 * 1024];
        let mut chunk = format!("{:x}\r\n", filler.len()).into_bytes();
        chunk.extend_from_slice(&filler);
        chunk.extend_from_slice(b"\r\n");
        while written < 256 << 20 {
            if stream.write_all(&chunk).is_err() {
                break;
            }
            written += filler.len() as u64;
        }
        written
    });
    (base, handle)
}

#[tokio::test]
async fn a_streamed_body_stops_being_read_at_the_limit() {
    let (base, server) = endless_body_server();
    let (too_large, _) = refused_over_1_mib(builder(base).retry(RetryPolicy::disabled())).await;
    assert_eq!(too_large.declared(), None, "no Content-Length was sent");
    let written = tokio::task::spawn_blocking(move || server.join().unwrap())
        .await
        .unwrap();
    // The client hung up after about 1 MiB; socket buffers take a few MiB more at most.
    assert!(
        written < 32 << 20,
        "the server wrote {written} bytes: the client kept reading"
    );
}

// --- Redirects -------------------------------------------------------------------------

async fn redirecting_to(status: u16, location: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).insert_header("location", location))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0, 1, &[])))
        .mount(&elsewhere)
        .await;
    // The same port under another name: another host, as far as the client can tell.
    let target = format!(
        "http://localhost:{}/fusion/v1/datasheets/dstHostile000001/records?filterByFormula=alice",
        elsewhere.address().port()
    );
    for status in [301u16, 302, 307, 308] {
        let server = redirecting_to(status, &target).await;
        for follow in [false, true] {
            let client = builder(server.uri())
                .follow_same_origin_redirects(follow)
                .build()
                .unwrap();
            let err = list(&client).await.unwrap_err();
            let Error::Redirect(redirect) = &err else {
                panic!("{status}: {err:?}")
            };
            assert_eq!(redirect.status(), status);
            assert_eq!(redirect.host(), Some("localhost"));
            let text = err.to_string();
            assert!(text.contains(&format!("HTTP {status}")), "{text}");
            assert!(text.contains("localhost"), "{text}");
            assert!(!text.contains("alice"), "the query stays out: {text}");
        }
    }
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "the other host was never asked"
    );
}

#[tokio::test]
async fn same_origin_redirects_are_followed_only_when_asked() {
    let server = MockServer::start().await;
    let records = "/fusion/v1/datasheets/dstHostile000001/records";
    Mock::given(path(records))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("/moved{records}")),
        )
        .mount(&server)
        .await;
    Mock::given(path(format!("/moved{records}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0, 1, &[])))
        .mount(&server)
        .await;
    let err = list(&client(&server.uri())).await.unwrap_err();
    assert!(
        matches!(&err, Error::Redirect(r) if r.status() == 307),
        "{err:?}"
    );
    let following = builder(server.uri())
        .follow_same_origin_redirects(true)
        .build()
        .unwrap();
    list(&following).await.unwrap();
    let moved = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().starts_with("/moved"))
        .count();
    assert_eq!(moved, 1);
}

// --- What errors and logs show ---------------------------------------------------------

#[tokio::test]
async fn transport_errors_show_the_path_but_no_query_values() {
    let (captured, _guard) = common::capture_logs();
    let client = builder("http://127.0.0.1:1")
        .retry(
            RetryPolicy::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = client
        .datasheet(&dst())
        .list_records::<Fields>(
            &ListRecords::new().filter_by_formula("{Email} = \"alice.private@example.com\""),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("/fusion/v1/datasheets/dstHostile000001/records"),
        "the path is kept: {text}"
    );
    assert!(text.contains("filterByFormula=…"), "{text}");
    let logs = captured.text();
    assert!(logs.contains("retrying"), "{logs}");
    for (what, shown) in [
        ("Display", text),
        ("Debug", format!("{err:?}")),
        ("logs", logs),
    ] {
        assert!(!shown.contains("alice"), "{what} shows the filter: {shown}");
        assert!(!shown.contains("Email"), "{what} shows the filter: {shown}");
    }
}

// --- Paging ----------------------------------------------------------------------------

async fn paging_server(answer: impl Fn(u64) -> Value + Send + Sync + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(move |req: &Request| {
            ResponseTemplate::new(200).set_body_json(answer(page_num(req)))
        })
        .mount(&server)
        .await;
    server
}

/// One record on every page, under a `total` of 10^15 (until page 30, then nothing).
fn one_record_again_and_again(n: u64) -> Value {
    let ids: &[&str] = if n <= 30 { &["recSame0001"] } else { &[] };
    page(1_000_000_000_000_000, n, ids)
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// Every record of the server's listing, streamed in pages of `size`.
async fn stream_all(server: &MockServer, size: u64) -> apitable_orm::Result<Vec<Record<Fields>>> {
    client(&server.uri())
        .datasheet(&dst())
        .record_stream::<Fields>(ListRecords::new().page_size(size))
        .try_collect()
        .await
}

/// Every row of `T`, queried in pages of `size`.
async fn rows_in_pages<T: Table>(client: &Client, size: u64) -> apitable_orm::Result<Vec<T>> {
    client.table::<T>().query().page_size(size).all().await
}

#[tokio::test]
async fn a_server_repeating_one_page_stops_the_listing() {
    let server = paging_server(one_record_again_and_again).await;
    let client = client(&server.uri());
    let mut stream = std::pin::pin!(
        client
            .datasheet(&dst())
            .record_stream::<Fields>(ListRecords::new().page_size(1))
    );
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.id, "recSame0001");
    let err = stream.try_next().await.unwrap_err();
    let Error::Paging(paging) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((paging.page(), paging.earlier_page()), (2, 1));
    assert!(paging.whole_page_repeated());
    assert_eq!(paging.record_id(), "recSame0001");
    assert!(
        err.to_string()
            .contains("page 2 of the listing repeats page 1"),
        "{err}"
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_record_seen_on_an_earlier_page_or_twice_on_one_stops_the_listing() {
    // Page 2 overlaps page 1 by one record (as after a concurrent insert).
    let server = paging_server(|n| match n {
        1 => page(4, 1, &["recA", "recB"]),
        _ => page(4, 2, &["recB", "recC"]),
    })
    .await;
    let err = stream_all(&server, 2).await.unwrap_err();
    let Error::Paging(paging) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (paging.page(), paging.earlier_page(), paging.record_id()),
        (2, 1, "recB")
    );
    assert!(!paging.whole_page_repeated());

    let server = paging_server(|n| page(3, n, &["recA", "recB", "recA"])).await;
    let err = client(&server.uri())
        .datasheet(&dst())
        .record_pages::<Fields>(ListRecords::new().page_size(3))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Paging(p) if p.page() == 1 && p.earlier_page() == 1 && p.record_id() == "recA"),
        "{err:?}"
    );
}

/// Distinct records on every page, but a `total` that grows with each page (until page 5).
fn growing_total(n: u64) -> Value {
    if n > 5 {
        return page(11, n, &[]);
    }
    let (a, b) = (format!("rec{n}a"), format!("rec{n}b"));
    page(2 * n + 1, n, &[&a, &b])
}

#[tokio::test]
async fn no_more_pages_are_requested_than_the_first_total_implies() {
    let server = paging_server(growing_total).await;
    let records = stream_all(&server, 2).await.unwrap();
    // The first answer said 3 records: two pages of 2.
    assert_eq!(records.len(), 4);
    assert_eq!(requests(&server).await, 2);
}

#[derive(Debug, Table)]
#[apitable(datasheet = "dstHostile000001")]
struct Named {
    #[apitable(name = "Name")]
    name: String,
}

#[derive(Debug, Table)]
#[apitable(datasheet = "dstHostile000001")]
struct WithId {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(name = "Name")]
    name: String,
}

#[tokio::test]
async fn typed_queries_check_their_pages_too() {
    let server = paging_server(one_record_again_and_again).await;
    let repeating = client(&server.uri());
    // Without a record id field the ids are read from the response; with one, from the rows.
    let err = rows_in_pages::<Named>(&repeating, 1).await.unwrap_err();
    assert!(matches!(&err, Error::Paging(p) if p.page() == 2), "{err:?}");
    let err = rows_in_pages::<WithId>(&repeating, 1).await.unwrap_err();
    assert!(matches!(&err, Error::Paging(p) if p.page() == 2), "{err:?}");
    assert_eq!(requests(&server).await, 4);

    let server = paging_server(growing_total).await;
    let rows = rows_in_pages::<WithId>(&client(&server.uri()), 2)
        .await
        .unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].name, "name of rec1a");
    assert_eq!(rows[3].id.as_ref().unwrap().as_str(), "rec2b");
    assert_eq!(requests(&server).await, 2);
}
