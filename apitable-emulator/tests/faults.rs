//! Fault kinds that let the request take effect and then lose, stall, damage or replace the
//! answer; gateway pages; partial batches; `Retry-After`; aiming at a datasheet or a token;
//! faults on `/assets/{token}`; seeded determinism; fault counts in the stats.

mod common;

use std::time::Duration;

use apitable_emulator::Faults;
use common::{H, ok};
use reqwest::Method;
use serde_json::{Value, json};

/// Sets faults over HTTP (the JSON form) with the admin token.
async fn set_faults(h: &H, faults: Value) {
    let admin = h.emu.admin_token().to_string();
    ok(
        &h.req_as(&admin, Method::PUT, "/_emulator/faults", Some(faults))
            .await,
        200,
    );
}

async fn clear_faults(h: &H) {
    h.emu.set_faults(Faults::none()).await;
}

/// Names of the records of `dst`, in order.
async fn names(h: &H, dst: &str) -> Vec<String> {
    let d = ok(&h.get(&H::records_path(dst)).await, 200);
    d["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["Name"].as_str().unwrap_or("").to_string())
        .collect()
}

fn create_body(names: &[&str]) -> Value {
    let records: Vec<Value> = names
        .iter()
        .map(|n| json!({"fields": {"Name": n}}))
        .collect();
    json!({ "records": records })
}

/// Sends a request and reads the whole answer: `Err` when the transport failed (no status, or
/// a body that could not be read), else the status, headers and body bytes.
async fn raw(
    h: &H,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>), String> {
    let mut r =
        h.c.request(method, h.url(path))
            .header("Authorization", format!("Bearer {}", h.emu.token()));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.map_err(|e| format!("send: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| format!("body of {status}: {e}"))?;
    Ok((status, headers, bytes.to_vec()))
}

#[tokio::test]
async fn applied_drop_loses_the_answer_but_keeps_the_record() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    set_faults(&h, json!({"appliedDrop": 1.0, "method": "POST"})).await;
    let res = raw(
        &h,
        Method::POST,
        &H::records_path(&dst),
        Some(create_body(&["kept"])),
    )
    .await;
    assert!(res.is_err(), "the answer must be lost: {res:?}");
    // GETs are not aimed at: the write took effect.
    assert_eq!(names(&h, &dst).await, vec!["kept"]);
    let stats = h.emu.stats().await;
    assert_eq!(stats.fault("appliedDrop"), 1);
    assert_eq!(
        stats.count_status("POST", "/fusion/v1/datasheets/{dstId}/records", 0),
        1
    );
}

#[tokio::test]
async fn applied_stall_outlasts_the_client_timeout_after_the_write() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    set_faults(
        &h,
        json!({"appliedStall": 1.0, "stallMs": 5000, "method": "POST"}),
    )
    .await;
    let err =
        h.c.post(h.url(&H::records_path(&dst)))
            .header("Authorization", format!("Bearer {}", h.emu.token()))
            .timeout(Duration::from_millis(300))
            .json(&create_body(&["slow"]))
            .send()
            .await
            .expect_err("the client gives up first");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(names(&h, &dst).await, vec!["slow"]);
    assert_eq!(h.emu.stats().await.fault("appliedStall"), 1);
}

#[tokio::test]
async fn truncated_answer_has_a_2xx_status_and_an_unreadable_body() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    set_faults(&h, json!({"truncated": 1.0, "method": "POST"})).await;
    let resp =
        h.c.post(h.url(&H::records_path(&dst)))
            .header("Authorization", format!("Bearer {}", h.emu.token()))
            .json(&create_body(&["cut"]))
            .send()
            .await
            .expect("the headers arrive");
    assert_eq!(resp.status().as_u16(), 201);
    let promised = resp.content_length().expect("a Content-Length");
    match resp.bytes().await {
        Err(_) => {}
        Ok(b) => {
            assert!((b.len() as u64) < promised, "{} of {promised}", b.len());
            assert!(serde_json::from_slice::<Value>(&b).is_err());
        }
    }
    assert_eq!(names(&h, &dst).await, vec!["cut"]);
    assert_eq!(h.emu.stats().await.fault("truncated"), 1);
}

fn assert_gateway_page(res: &(u16, reqwest::header::HeaderMap, Vec<u8>)) {
    let (status, headers, body) = res;
    assert!([502, 503, 504].contains(status), "{status}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{headers:?}"
    );
    let text = String::from_utf8_lossy(body);
    assert!(text.starts_with("<html>"), "{text}");
    assert!(text.contains(&status.to_string()), "{text}");
    assert!(serde_json::from_slice::<Value>(body).is_err());
}

#[tokio::test]
async fn gateway_pages_before_and_after_the_write() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    let path = H::records_path(&dst);

    set_faults(&h, json!({"gateway": 1.0, "method": "POST"})).await;
    let res = raw(&h, Method::POST, &path, Some(create_body(&["never"])))
        .await
        .unwrap();
    assert_gateway_page(&res);
    assert!(names(&h, &dst).await.is_empty(), "not applied");

    set_faults(&h, json!({"appliedGateway": 1.0, "method": "POST"})).await;
    let res = raw(&h, Method::POST, &path, Some(create_body(&["applied"])))
        .await
        .unwrap();
    assert_gateway_page(&res);
    assert_eq!(names(&h, &dst).await, vec!["applied"]);

    let stats = h.emu.stats().await;
    assert_eq!(stats.fault("gateway"), 1);
    assert_eq!(stats.fault("appliedGateway"), 1);
}

#[tokio::test]
async fn partial_batch_creates_and_lists_only_a_prefix() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    let path = H::records_path(&dst);
    let all = ["r0", "r1", "r2", "r3", "r4"];
    set_faults(&h, json!({"partialBatch": 1.0, "seed": 4})).await;
    let d = ok(&h.post(&path, create_body(&all)).await, 201);
    let answered: Vec<&str> = d["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["Name"].as_str().unwrap())
        .collect();
    let k = answered.len();
    assert!((1..5).contains(&k), "k = {k}");
    assert_eq!(answered, all[..k]);
    assert_eq!(names(&h, &dst).await, all[..k]);

    // A single record cannot be split; other routes are untouched.
    ok(&h.post(&path, create_body(&["single"])).await, 201);
    assert_eq!(names(&h, &dst).await.len(), k + 1);
    assert_eq!(h.emu.stats().await.fault("partialBatch"), 1);

    // The same seed splits the same way.
    let other = h.name_sheet("T").await;
    set_faults(&h, json!({"partialBatch": 1.0, "seed": 4})).await;
    ok(
        &h.post(&H::records_path(&other), create_body(&all)).await,
        201,
    );
    assert_eq!(names(&h, &other).await.len(), k);
}

#[tokio::test]
async fn injected_429_may_carry_retry_after() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    let path = H::records_path(&dst);
    set_faults(&h, json!({"rateLimit": 1.0, "retryAfterSecs": 3})).await;
    let (status, headers, body) = raw(&h, Method::GET, &path, None).await.unwrap();
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "3");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], 429);

    set_faults(&h, json!({"rateLimit": 1.0})).await;
    let (status, headers, _) = raw(&h, Method::GET, &path, None).await.unwrap();
    assert_eq!(status, 429);
    assert!(headers.get("retry-after").is_none(), "like the real server");
    assert_eq!(h.emu.stats().await.fault("rateLimit"), 2);
}

#[tokio::test]
async fn faults_aimed_at_a_datasheet_or_a_token_leave_others_alone() {
    let h = H::new().await;
    let a = h.name_sheet("A").await;
    let b = h.name_sheet("B").await;
    set_faults(&h, json!({"serverError": 1.0, "datasheet": a})).await;
    for _ in 0..3 {
        assert_eq!(h.get(&H::records_path(&a)).await.0, 500);
        assert_eq!(h.get(&H::records_path(&b)).await.0, 200);
        assert_eq!(h.get("/fusion/v1/spaces").await.0, 200);
    }

    // The outsider answers 403 on A when untouched; aimed at the owner's token only the owner
    // is hit.
    let owner = h.emu.token().to_string();
    let outsider = h.emu.outsider_token().to_string();
    set_faults(&h, json!({"serverError": 1.0, "token": owner})).await;
    for _ in 0..3 {
        assert_eq!(h.get(&H::records_path(&a)).await.0, 500);
        let res = h
            .req_as(&outsider, Method::GET, &H::records_path(&a), None)
            .await;
        assert_eq!(res.0, 403, "{}", res.1);
    }
    set_faults(&h, json!({"serverError": 1.0, "token": outsider})).await;
    assert_eq!(h.get(&H::records_path(&a)).await.0, 200);
    let res = h
        .req_as(&outsider, Method::GET, &H::records_path(&a), None)
        .await;
    assert_eq!(res.0, 500);
    assert_eq!(h.emu.stats().await.fault("serverError"), 7);
}

#[tokio::test]
async fn faults_cover_asset_downloads_and_presigned_uploads() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    let up = h.upload_file(&dst, "a.txt", "text/plain", b"hello").await;
    let url = up["data"]["url"].as_str().unwrap().to_string();
    let upload_url = h.presigned_upload_url(&dst).await;

    h.emu
        .set_faults(Faults {
            server_error: 1.0,
            route: Some("/assets/{token}".into()),
            ..Faults::none()
        })
        .await;
    assert_eq!(h.c.get(&url).send().await.unwrap().status(), 500);
    let put = h.c.put(&upload_url).body("bytes").send().await.unwrap();
    assert_eq!(put.status(), 500);
    // API routes are not aimed at.
    assert_eq!(h.get(&H::records_path(&dst)).await.0, 200);

    h.emu
        .set_faults(Faults {
            drop: 1.0,
            method: Some("GET".into()),
            route: Some("/assets/{token}".into()),
            ..Faults::none()
        })
        .await;
    let res = match h.c.get(&url).send().await {
        Err(_) => None,
        Ok(r) => r.bytes().await.ok(),
    };
    assert!(res.is_none(), "dropped: {res:?}");

    clear_faults(&h).await;
    let got = h.c.get(&url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"hello");
    let put = h.c.put(&upload_url).body("bytes").send().await.unwrap();
    assert_eq!(
        put.status(),
        200,
        "the 500 stored nothing: the token is unused"
    );

    let stats = h.emu.stats().await;
    assert_eq!(stats.count_status("GET", "/assets/{token}", 500), 1);
    assert_eq!(stats.count_status("GET", "/assets/{token}", 0), 1);
    assert_eq!(stats.count_status("GET", "/assets/{token}", 200), 1);
    assert_eq!(stats.count_status("PUT", "/assets/{token}", 500), 1);
    assert_eq!(stats.fault("serverError"), 2);
    assert_eq!(stats.fault("drop"), 1);
}

/// What a client could tell about one answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Seen {
    Json(u16),
    Html(u16),
    Unreadable,
}

async fn outcomes(h: &H, path: &str, n: usize) -> Vec<Seen> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(match raw(h, Method::GET, path, None).await {
            Err(_) => Seen::Unreadable,
            Ok((status, _, body)) if serde_json::from_slice::<Value>(&body).is_ok() => {
                Seen::Json(status)
            }
            Ok((status, _, body)) if body.starts_with(b"<html>") => Seen::Html(status),
            Ok(_) => Seen::Unreadable,
        });
    }
    out
}

#[tokio::test]
async fn new_kinds_are_seeded_and_counted_in_the_stats() {
    let h = H::new().await;
    let dst = h.name_sheet("S").await;
    let path = H::records_path(&dst);
    let faults = json!({
        "gateway": 0.2, "appliedGateway": 0.2, "truncated": 0.2, "appliedDrop": 0.1,
        "latency": 0.5, "latencyMs": 1, "latencyJitterMs": 1, "seed": 2024
    });
    set_faults(&h, faults.clone()).await;
    h.emu.reset_stats().await;
    let a = outcomes(&h, &path, 40).await;
    let first = h.emu.stats().await;
    set_faults(&h, faults).await;
    h.emu.reset_stats().await;
    let b = outcomes(&h, &path, 40).await;
    let second = h.emu.stats().await;
    assert_eq!(a, b, "same seed, same outcomes");
    assert_eq!(first.faults, second.faults);

    let distinct: std::collections::BTreeSet<_> = a.iter().cloned().collect();
    assert!(distinct.contains(&Seen::Json(200)), "{a:?}");
    assert!(distinct.contains(&Seen::Unreadable), "{a:?}");
    assert!(distinct.iter().any(|s| matches!(s, Seen::Html(_))), "{a:?}");
    // Every HTML page and every unreadable answer was an injected fault.
    let html = a.iter().filter(|s| matches!(s, Seen::Html(_))).count() as u64;
    let unreadable = a.iter().filter(|s| **s == Seen::Unreadable).count() as u64;
    assert_eq!(html, first.fault("gateway") + first.fault("appliedGateway"));
    assert_eq!(
        unreadable,
        first.fault("truncated") + first.fault("appliedDrop")
    );
    assert!(first.fault("latency") > 0);

    // The same counts over HTTP.
    let admin = h.emu.admin_token().to_string();
    let d = ok(
        &h.req_as(&admin, Method::GET, "/_emulator/stats", None)
            .await,
        200,
    );
    assert_eq!(
        d["faults"]["gateway"].as_u64().unwrap_or(0),
        second.fault("gateway")
    );
    assert_eq!(
        d["faults"]["truncated"].as_u64().unwrap_or(0),
        second.fault("truncated")
    );
    assert!(d["total"].as_u64().unwrap() >= 40, "{d}");
}

#[tokio::test]
async fn every_key_of_the_json_form_round_trips() {
    let h = H::new().await;
    let faults = json!({
        "rateLimit": 0.1, "retryAfterSecs": 2, "serverError": 0.05, "gateway": 0.02,
        "drop": 0.01, "latency": 0.2, "latencyMs": 300, "latencyJitterMs": 100,
        "appliedDrop": 0.01, "appliedStall": 0.01, "stallMs": 5000, "truncated": 0.01,
        "appliedGateway": 0.01, "partialBatch": 0.05, "seed": 42, "method": "POST",
        "route": "/fusion/v1/datasheets/{dstId}/records", "datasheet": "dst1", "token": "usk1"
    });
    set_faults(&h, faults.clone()).await;
    let admin = h.emu.admin_token().to_string();
    let got = ok(
        &h.req_as(&admin, Method::GET, "/_emulator/faults", None)
            .await,
        200,
    );
    assert_eq!(got, faults);
    let f = h.emu.faults();
    assert_eq!(f.latency_jitter_ms, 100);
    assert_eq!(f.datasheet.as_deref(), Some("dst1"));
    assert_eq!(f.retry_after_secs, Some(2));
    // In-process and over HTTP set the same thing.
    h.emu.set_faults(f.clone()).await;
    assert_eq!(serde_json::to_value(h.emu.faults()).unwrap(), faults);
}
