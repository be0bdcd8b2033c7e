//! Several clients (each pacing on its own, as separate processes do) sharing one datasheet's
//! budget through a real Redis: together they never meet the server's limiter. Without Redis
//! they do; with Redis unreachable each falls back to pacing alone, with a warning. The read
//! cache shared the same way: one client's answer serves the others, one client's write
//! invalidates for all.
//!
//! Needs `redis-server` (Debian: `apt-get install redis-server`). Without it the tests say that
//! they skip, except under `CI=true`, where a missing server fails them.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::prelude::*;
use apitable_orm::{DatasheetId, RetryPolicy};
use serde_json::json;

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstShared00000001", rename_all = "PascalCase")]
struct Job {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    name: String,
}

/// A `redis-server` of this test's own, on a free loopback port; killed when dropped.
struct Redis {
    child: Child,
    url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a Redis, or says why not: `None` means skip (outside CI, no `redis-server`).
fn redis() -> Option<Redis> {
    let port = free_port();
    let spawned = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match spawned {
        Ok(child) => child,
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("redis-server is needed under CI=true and could not be started: {e}")
        }
        Err(e) => {
            eprintln!(
                "skipped: redis-server could not be started ({e}); install it with `apt-get install redis-server`"
            );
            return None;
        }
    };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Redis {
                child,
                url: format!("redis://127.0.0.1:{port}/0"),
            });
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("redis-server did not start listening on port {port}");
}

async fn server() -> (Emulator, DatasheetId) {
    let emu = common::rate_limited(5).await;
    let dst = common::new_datasheet(
        &emu,
        "Jobs",
        &[FieldSpec::new("Name", "SingleText").property(json!({}))],
    )
    .await;
    (emu, dst)
}

/// A client of its own (its own pacer, like another process), with retries off so that a 429
/// fails the write.
fn worker(emu: &Emulator, redis: Option<&str>) -> Client {
    let mut b = Client::builder()
        .emulator(emu)
        .retry(RetryPolicy::disabled());
    if let Some(url) = redis {
        b = b.redis_budget(url);
    }
    b.build().unwrap()
}

/// Four workers insert `batches` batches of 10 each into one datasheet, all at once.
async fn four_workers(
    emu: &Emulator,
    dst: &DatasheetId,
    redis: Option<&str>,
    batches: usize,
) -> Vec<apitable_orm::Result<Vec<RecordId>>> {
    let runs = (0..4).map(|w| {
        let sheet = worker(emu, redis).table_in::<Job>(dst.clone());
        async move {
            let rows: Vec<Job> = (0..batches * 10)
                .map(|i| Job {
                    id: None,
                    name: format!("worker {w} job {i}"),
                })
                .collect();
            sheet.insert_many(&rows).await
        }
    });
    futures_util::future::join_all(runs).await
}

/// Four workers sharing `redis` insert `batches` batches each: every row is written, with one
/// request a batch, and no 429 from the emulator's fixed windows, whichever worker sent them.
/// (Groups that fell in one window go together, so a sliding second may see more than five.)
async fn four_workers_within_the_limit(
    emu: &Emulator,
    dst: &DatasheetId,
    redis: &Redis,
    batches: usize,
) -> apitable_emulator::Stats {
    let results = four_workers(emu, dst, Some(&redis.url), batches).await;
    let stats = emu.stats().await;
    assert_eq!(stats.status(429), 0, "{stats:?}");
    for r in &results {
        assert_eq!(r.as_ref().unwrap().len(), batches * 10);
    }
    assert_eq!(stats.count("POST", RECORDS), 4 * batches as u64);
    stats
}

#[tokio::test]
async fn workers_sharing_round_trips_through_redis_stay_under_the_limiter_at_300_ms() {
    // With latency, each worker's permits come back early by the credit, and the round trips
    // behind it come from every worker: the guarantee must hold all the same.
    let Some(redis) = redis() else { return };
    let (emu, dst) = server().await;
    emu.set_faults(apitable_emulator::Faults {
        latency: 1.0,
        latency_ms: 300,
        latency_jitter_ms: 50,
        method: Some("POST".into()),
        seed: Some(11),
        ..apitable_emulator::Faults::none()
    })
    .await;
    emu.reset_stats().await;
    let stats = four_workers_within_the_limit(&emu, &dst, &redis, 5).await;
    // The latency was there: every POST waited 250 ms or more.
    assert_eq!(stats.fault("latency"), 20);
}

#[tokio::test]
async fn four_workers_sharing_a_redis_budget_never_meet_the_limiter() {
    let Some(redis) = redis() else { return };
    let (emu, dst) = server().await;
    emu.reset_stats().await;
    four_workers_within_the_limit(&emu, &dst, &redis, 4).await;
    let stored = worker(&emu, None)
        .table_in::<Job>(dst)
        .count()
        .await
        .unwrap();
    assert_eq!(stored, 160);
}

#[tokio::test]
async fn four_workers_pacing_alone_do_meet_the_limiter() {
    // The control for the test above: the same load, each worker with its own budget.
    let (emu, dst) = server().await;
    emu.reset_stats().await;
    let results = four_workers(&emu, &dst, None, 4).await;
    assert!(emu.stats().await.status(429) > 0);
    assert!(results.iter().any(|r| r.is_err()));
}

/// Log lines, captured.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn with_redis_unreachable_a_client_paces_alone_and_says_so() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (emu, dst) = server().await;
    let closed = format!("redis://127.0.0.1:{}/0", free_port());
    let client = worker(&emu, Some(&closed));
    emu.reset_stats().await;
    // Twelve reads at once: unpaced, seven would be refused.
    let sheet = client.table_in::<Job>(dst.clone());
    let reads = (0..12).map(|_| sheet.count());
    let results = futures_util::future::join_all(reads).await;
    let stats = emu.stats().await;
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    for r in results {
        r.unwrap_or_else(|e| panic!("{e}: {stats:?}\n{text}"));
    }
    assert_eq!(emu.stats().await.status(429), 0);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("shared pacing budget in Redis is unavailable"),
        "{text}"
    );
    assert_eq!(
        text.matches("unavailable").count(),
        1,
        "warned once: {text}"
    );
}

fn cached_reader(emu: &Emulator, redis: &str) -> Client {
    Client::builder()
        .emulator(emu)
        .redis_cache(redis)
        .build()
        .unwrap()
}

#[tokio::test]
async fn clients_sharing_a_redis_cache_serve_each_others_answers_and_see_each_others_writes() {
    let Some(redis) = redis() else { return };
    let (emu, dst) = server().await;
    let ttl = Duration::from_secs(60);
    let a = cached_reader(&emu, &redis.url)
        .table_in::<Job>(dst.clone())
        .cached(ttl);
    let b = cached_reader(&emu, &redis.url)
        .table_in::<Job>(dst.clone())
        .cached(ttl);
    emu.reset_stats().await;
    assert_eq!(a.all().await.unwrap().len(), 0);
    assert_eq!(b.all().await.unwrap().len(), 0);
    assert_eq!(
        emu.stats().await.count("GET", RECORDS),
        1,
        "b was served a's answer"
    );
    b.insert_many(&[Job {
        id: None,
        name: "first".into(),
    }])
    .await
    .unwrap();
    // b's write invalidated a's answers too.
    let names: Vec<String> = a.all().await.unwrap().into_iter().map(|j| j.name).collect();
    assert_eq!(names, ["first"]);
    assert_eq!(b.all().await.unwrap().len(), 1);
    assert_eq!(emu.stats().await.count("GET", RECORDS), 2);
}

#[tokio::test]
async fn with_redis_unreachable_the_cache_works_within_the_process() {
    let (emu, dst) = server().await;
    let closed = format!("redis://127.0.0.1:{}/0", free_port());
    let sheet = cached_reader(&emu, &closed)
        .table_in::<Job>(dst)
        .cached(Duration::from_secs(60));
    emu.reset_stats().await;
    for _ in 0..3 {
        assert_eq!(sheet.count().await.unwrap(), 0);
    }
    assert_eq!(emu.stats().await.count("GET", RECORDS), 1);
}

#[tokio::test]
async fn a_client_that_stops_right_after_its_requests_strands_no_slot() {
    let Some(redis) = redis() else { return };
    let (emu, dst) = server().await;
    // Five reads on a runtime of its own, which ends with them (as a process would).
    {
        let (base, token, url, dst) = (
            emu.base_url().to_string(),
            emu.token().to_string(),
            redis.url.clone(),
            dst.clone(),
        );
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let client = Client::builder()
                    .base_url(base)
                    .token(token)
                    .redis_budget(url)
                    .build()
                    .unwrap();
                let sheet = client.table_in::<Job>(dst);
                let reads = (0..5).map(|_| sheet.count());
                for r in futures_util::future::join_all(reads).await {
                    r.unwrap();
                }
            });
        })
        .join()
        .unwrap();
    }
    // Had the five slots stayed taken, this would wait for their two-minute lease.
    let next = worker(&emu, Some(&redis.url)).table_in::<Job>(dst);
    let reads = futures_util::future::join_all((0..5).map(|_| next.count()));
    let done = tokio::time::timeout(Duration::from_secs(30), reads).await;
    assert!(
        done.is_ok(),
        "the slots of the finished client were not given back"
    );
    assert_eq!(emu.stats().await.status(429), 0);
}
