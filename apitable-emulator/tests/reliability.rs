//! Rate limiting, persistence across restarts, concurrent writers, stats and fault injection.

mod common;

use std::sync::Arc;
use std::time::Duration;

use apitable_emulator::{Emulator, Faults, FieldSpec, ManualClock};
use common::{H, assert_err, ok};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn sixth_request_in_a_second_gets_429() {
    // The limiter's clock stands still unless moved: every request below falls into the window
    // the test says, however slowly the machine sends them.
    let clock = ManualClock::new();
    let h = H::with(
        Emulator::builder()
            .rate_limit(Some(5))
            .rate_limit_clock(clock.clone()),
    )
    .await;
    let dst = h.sheet("S", &[FieldSpec::new("A", "Text")]).await;
    let path = H::records_path(&dst);
    for i in 0..5 {
        assert_eq!(h.get(&path).await.0, 200, "request {i}");
    }
    let limited = (
        429,
        "The API request rate for the current space is 5 queries per second (QPS). Upgrading \
         the space allows for a higher call frequency. Contact us: sales@aitable.ai.",
    );
    assert_err(&h.get(&path).await, limited.0, 429, limited.1);
    // Another datasheet (another key) is not limited; v2 is never limited.
    let other = h.sheet("T", &[FieldSpec::new("A", "Text")]).await;
    assert_eq!(h.get(&H::records_path(&other)).await.0, 200);
    let spc = h.emu.space_id().to_string();
    for _ in 0..8 {
        assert_eq!(
            h.get(&format!("/fusion/v2/spaces/{spc}/nodes?type=Datasheet"))
                .await
                .0,
            200
        );
    }
    // The window is fixed and lasts one second from its first request: refused requests
    // count too, and the limit holds until the second is over.
    clock.advance(Duration::from_millis(999));
    assert_err(&h.get(&path).await, limited.0, 429, limited.1);
    clock.advance(Duration::from_millis(1));
    for i in 0..5 {
        assert_eq!(h.get(&path).await.0, 200, "request {i} of the next window");
    }
    assert_err(&h.get(&path).await, limited.0, 429, limited.1);
    let stats = h.emu.stats().await;
    assert_eq!(
        stats.count_status("GET", "/fusion/v1/datasheets/{dstId}/records", 429),
        3
    );
}

#[tokio::test]
async fn file_backed_data_survives_restart() {
    let dir = std::env::temp_dir().join(format!("apitable-emu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("persist.sqlite");
    let _ = std::fs::remove_file(&db);
    let (token, dst, rec) = {
        let h = H::with(Emulator::builder().database(&db)).await;
        let dst = h
            .sheet(
                "Keep",
                &[
                    FieldSpec::new("Name", "SingleText").property(json!({})),
                    FieldSpec::new("Tag", "SingleSelect").property(json!({"options": []})),
                ],
            )
            .await;
        let ids = h
            .create(
                &dst,
                vec![
                    json!({"Name": "first", "Tag": "new-option"}),
                    json!({"Name": "gone"}),
                ],
            )
            .await;
        let res = h
            .patch(
                &H::records_path(&dst),
                json!({"records": [{"recordId": ids[0], "fields": {"Name": "edited"}}]}),
            )
            .await;
        ok(&res, 200);
        ok(
            &h.delete(&format!("{}?recordIds={}", H::records_path(&dst), ids[1]))
                .await,
            200,
        );
        let token = h.emu.token().to_string();
        h.emu.shutdown().await;
        (token, dst, ids[0].clone())
    };
    let h = H::with(Emulator::builder().database(&db)).await;
    assert_eq!(h.emu.token(), token, "the token is kept");
    let d = ok(&h.get(&H::records_path(&dst)).await, 200);
    assert_eq!(d["total"], 1);
    assert_eq!(d["records"][0]["recordId"], rec.as_str());
    assert_eq!(
        d["records"][0]["fields"],
        json!({"Name": "edited", "Tag": "new-option"})
    );
    let more = h.create(&dst, vec![json!({"Name": "third"})]).await;
    assert_ne!(more[0], rec);
    h.emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_no_update() {
    let h = Arc::new(H::new().await);
    let specs: Vec<FieldSpec> =
        std::iter::once(FieldSpec::new("Name", "SingleText").property(json!({})))
            .chain((0..4).map(|i| {
                FieldSpec::new(format!("F{i}"), "Number").property(json!({"precision": 0}))
            }))
            .collect();
    let dst = h.sheet("Counter", &specs).await;
    let ids = h
        .create(
            &dst,
            (0..8).map(|i| json!({"Name": format!("r{i}")})).collect(),
        )
        .await;
    let mut tasks = Vec::new();
    for (t, rec) in ids.iter().enumerate() {
        let h = h.clone();
        let rec = rec.clone();
        let dst = dst.clone();
        tasks.push(tokio::spawn(async move {
            for n in 1..=20 {
                let field = format!("F{}", n % 4);
                let res = h
                    .patch(
                        &H::records_path(&dst),
                        json!({"records": [{"recordId": rec, "fields": {field: t * 100 + n}}]}),
                    )
                    .await;
                assert_eq!(res.1["success"], true, "{}", res.1);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let d = ok(&h.get(&H::records_path(&dst)).await, 200);
    for (t, r) in d["records"].as_array().unwrap().iter().enumerate() {
        let f = &r["fields"];
        // The last write to F{k} was n = 20 - ((20 - k) % 4)… i.e. 20, 17, 18, 19 for k = 0..3.
        assert_eq!(f["F0"], t * 100 + 20);
        assert_eq!(f["F1"], t * 100 + 17);
        assert_eq!(f["F2"], t * 100 + 18);
        assert_eq!(f["F3"], t * 100 + 19);
    }
    let stats = h.emu.stats().await;
    assert_eq!(
        stats.count("PATCH", "/fusion/v1/datasheets/{dstId}/records"),
        160
    );
}

#[tokio::test]
async fn stats_count_per_route_and_status_and_reset() {
    let h = H::new().await;
    let dst = h.sheet("S", &[FieldSpec::new("A", "Text")]).await;
    h.get(&H::records_path(&dst)).await;
    h.get(&H::records_path(&dst)).await;
    h.post(&H::records_path(&dst), json!({"records": []})).await;
    h.get("/fusion/v3/x").await;
    let s = h.emu.stats().await;
    assert_eq!(s.count("GET", "/fusion/v1/datasheets/{dstId}/records"), 2);
    assert_eq!(
        s.count_status("POST", "/fusion/v1/datasheets/{dstId}/records", 200),
        1
    );
    assert_eq!(s.status(404), 1);
    assert_eq!(s.total, 4);

    // Over HTTP with the admin token.
    let admin = h.emu.admin_token().to_string();
    let res = h
        .req_as(&admin, Method::GET, "/_emulator/stats", None)
        .await;
    let d = ok(&res, 200);
    assert_eq!(
        d["routes"]["GET /fusion/v1/datasheets/{dstId}/records"]["count"],
        2
    );
    assert_eq!(
        h.get("/_emulator/stats").await.0,
        401,
        "needs the admin token"
    );
    ok(
        &h.req_as(&admin, Method::DELETE, "/_emulator/stats", None)
            .await,
        200,
    );
    assert_eq!(h.emu.stats().await.total, 0);
    h.emu.reset_stats().await;
}

#[tokio::test]
async fn fault_injection_is_seeded_and_filterable() {
    let h = H::new().await;
    let dst = h.sheet("S", &[FieldSpec::new("A", "Text")]).await;
    let path = H::records_path(&dst);
    h.emu
        .set_faults(Faults {
            server_error: 1.0,
            method: Some("POST".into()),
            ..Faults::default()
        })
        .await;
    assert_eq!(h.get(&path).await.0, 200, "GET is not affected");
    let res = h
        .post(&path, json!({"records": [{"fields": {"A": "x"}}]}))
        .await;
    assert_err(&res, 500, 500, "SERVER_ERROR (injected fault)");

    h.emu
        .set_faults(Faults {
            rate_limit: 1.0,
            route: Some("/fusion/v1/datasheets/{dstId}/records".into()),
            ..Faults::default()
        })
        .await;
    let res = h.get(&path).await;
    assert_eq!(res.0, 429);
    assert_eq!(res.1["code"], 429);
    assert_eq!(h.get("/fusion/v1/spaces").await.0, 200);

    // Dropped connections: the client sees a transport error.
    h.emu
        .set_faults(Faults {
            drop: 1.0,
            ..Faults::default()
        })
        .await;
    let err =
        h.c.get(h.url(&path))
            .header("Authorization", format!("Bearer {}", h.emu.token()))
            .send()
            .await
            .and_then(|r| r.error_for_status());
    let failed = match err {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "a dropped connection must not look like an answer");
    assert!(h.emu.stats().await.status(0) >= 1);

    // Latency.
    h.emu
        .set_faults(Faults {
            latency: 1.0,
            latency_ms: 150,
            ..Faults::default()
        })
        .await;
    let before = h.emu.stats().await.fault("latency");
    let t = std::time::Instant::now();
    assert_eq!(h.get(&path).await.0, 200);
    // Counted, and (a lower bound, which load can only make longer) actually waited.
    assert_eq!(h.emu.stats().await.fault("latency"), before + 1);
    assert!(t.elapsed() >= std::time::Duration::from_millis(140));

    // Same seed → same sequence, set over HTTP.
    let admin = h.emu.admin_token().to_string();
    let faults = json!({"serverError": 0.5, "seed": 99});
    ok(
        &h.req_as(
            &admin,
            Method::PUT,
            "/_emulator/faults",
            Some(faults.clone()),
        )
        .await,
        200,
    );
    let a = pattern(&h, &path).await;
    ok(
        &h.req_as(&admin, Method::PUT, "/_emulator/faults", Some(faults))
            .await,
        200,
    );
    let b = pattern(&h, &path).await;
    assert_eq!(a, b);
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
    ok(
        &h.req_as(&admin, Method::DELETE, "/_emulator/faults", None)
            .await,
        200,
    );
    let f: Value = serde_json::to_value(h.emu.faults()).unwrap();
    assert_eq!(f["serverError"], 0.0);
}

async fn pattern(h: &H, path: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..12 {
        out.push(h.get(path).await.0);
    }
    out
}
