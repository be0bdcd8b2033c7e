//! The scenarios, for both sides, and the child processes some of them need.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use apitable_orm::{Client, ClientBuilder, DatasheetId, Page, Sheet};
use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::Value;
use tokio::process::Command;

use crate::emulator::{Counts, Emulator, Seed};
use crate::report::{Bound, Row, Sample, Side, Unit};
use crate::{Args, BoxError, Item};

/// The pause between runs: every limiter window of the previous run has closed.
const SETTLE: Duration = Duration::from_millis(1100);

/// Everything a scenario needs.
struct Ctx {
    emu: Emulator,
    python: PathBuf,
    script: PathBuf,
    exe: PathBuf,
    redis: Option<String>,
    runs_long: usize,
    runs_short: usize,
}

impl Ctx {
    /// The emulator's address and token, as a child's arguments.
    fn base_and_token(&self) -> [&str; 4] {
        ["--base", &self.emu.base_url, "--token", &self.emu.token]
    }
}

const SCENARIOS: [&str; 10] = [
    "insert", "read", "burst", "upsert", "callers", "two", "procs", "menu", "decode", "memory",
];

/// The datasheet of a write run: fresh for every run and side.
fn sheet_name(scenario: &str, latency: u64, side: &str, run: usize) -> String {
    format!("{scenario}-l{latency}-{side}-r{run}")
}

const SIDES: [&str; 3] = ["ours", "paced", "shipped"];

/// `apitable-bench all`: seeds and starts the emulator, runs every scenario at every latency,
/// prints the table.
pub async fn all(args: &Args) -> Result<(), BoxError> {
    let latencies: Vec<u64> = args
        .get("latencies")
        .unwrap_or("0,300")
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| "--latencies: a comma-separated list of milliseconds")?;
    let only: BTreeSet<String> = match args.get("only") {
        Some(list) => list.split(',').map(|s| s.trim().to_string()).collect(),
        None => SCENARIOS.iter().map(|s| s.to_string()).collect(),
    };
    if let Some(bad) = only.iter().find(|s| !SCENARIOS.contains(&s.as_str())) {
        return Err(format!("unknown scenario {bad:?}; known: {SCENARIOS:?}").into());
    }
    let runs_long = args.num("runs-long", 3usize)?.max(1);
    let runs_short = args.num("runs-short", 7usize)?.max(1);
    let work = args.path("work", "target/bench-work");
    std::fs::create_dir_all(&work)?;

    // Every datasheet of the whole run, seeded up front: no request is spent on setup.
    let mut seed = Seed::default();
    for &l in &latencies {
        for r in 0..runs_long {
            for side in SIDES {
                seed.add(sheet_name("insert", l, side, r), 0);
                seed.add(sheet_name("upsert", l, side, r), 500);
                seed.add(sheet_name("callers", l, side, r), 0);
                seed.add(sheet_name("two-a", l, side, r), 0);
                seed.add(sheet_name("two-b", l, side, r), 0);
                seed.add(sheet_name("procs", l, side, r), 0);
            }
        }
    }
    seed.add("read-5000", 5000);
    seed.add("menu", 20);
    if only.contains("memory") {
        seed.add("read-50000", 50_000);
    }
    eprintln!("starting the emulator (seeding the datasheets)…");
    let t = Instant::now();
    let emu = Emulator::start(
        &args.path("emulator", "target/release/apitable-emulator"),
        &seed,
        &work,
    )
    .await?;
    eprintln!(
        "emulator at {} ({:.1} s to seed)",
        emu.base_url,
        t.elapsed().as_secs_f64()
    );
    let ctx = Ctx {
        emu,
        python: args.path("python", "target/bench-venv/bin/python"),
        script: args.path("sdk-script", "apitable-bench/sdk_bench.py"),
        exe: std::env::current_exe()?,
        redis: args.get("redis").map(str::to_string),
        runs_long,
        runs_short,
    };

    let load_before = load_average();
    let started = Instant::now();
    let mut rows = Vec::new();
    for &latency in &latencies {
        ctx.emu
            .set_latency(latency, if latency == 0 { 0 } else { 50 })
            .await;
        let rtt = round_trip(&ctx).await;
        eprintln!("latency {latency} ms: one round trip {:.1} ms", rtt * 1e3);
        let l = latency;
        for scenario in SCENARIOS.iter().filter(|s| only.contains(**s)) {
            eprintln!("  {scenario} at {l} ms…");
            match *scenario {
                "insert" => rows.push(insert(&ctx, l, rtt).await?),
                "read" => rows.push(read(&ctx, l, rtt).await?),
                "burst" => rows.push(burst(&ctx, l, rtt).await?),
                "upsert" => rows.push(upsert(&ctx, l, rtt).await?),
                "callers" => rows.push(callers(&ctx, l, rtt).await?),
                "two" => rows.push(two(&ctx, l, rtt).await?),
                "procs" => rows.push(procs(&ctx, l, rtt).await?),
                "menu" => rows.push(menu(&ctx, l).await?),
                "decode" if l == 0 => rows.push(decode(&ctx).await?),
                "decode" => {} // no requests: latency does not matter
                "memory" => rows.extend(memory(&ctx, l).await?),
                _ => unreachable!(),
            }
        }
    }
    ctx.emu.set_latency(0, 0).await;
    let load_after = load_average();

    println!();
    println!(
        "apitable-bench: {} cores, load average {load_before} before and {load_after} after; \
         {:.0} s in all; {runs_long} runs of the long scenarios, {runs_short} of the short ones",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        started.elapsed().as_secs_f64(),
    );
    println!();
    print!("{}", crate::report::table(&rows));
    ctx.emu.stop().await;
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The median of 5 single small reads, seconds.
async fn round_trip(ctx: &Ctx) -> f64 {
    tokio::time::sleep(SETTLE).await;
    let dst = ctx.emu.dst("menu");
    let mut times = Vec::new();
    for _ in 0..5 {
        times.push(ctx.emu.round_trip(&dst).await.as_secs_f64());
    }
    crate::report::median(&mut times)
}

/// A client of the emulator at `base` with `token`, with its defaults otherwise.
fn builder(base: &str, token: &str) -> ClientBuilder {
    Client::builder().base_url(base).token(token)
}

fn client(ctx: &Ctx) -> Result<Client, BoxError> {
    Ok(builder(&ctx.emu.base_url, &ctx.emu.token).build()?)
}

/// A worker's client, of `--base` with `--token`.
fn worker_builder(args: &Args) -> Result<ClientBuilder, BoxError> {
    Ok(builder(args.req("base")?, args.req("token")?))
}

fn sheet(ctx: &Ctx, name: &str) -> Result<Sheet<Item>, BoxError> {
    let id: DatasheetId = ctx.emu.dst(name).parse()?;
    Ok(client(ctx)?.table_in::<Item>(id))
}

fn rows(n: usize) -> Vec<Item> {
    (0..n).map(|i| Item::row(i, i as f64)).collect()
}

/// One run: waits for fresh limiter windows, resets the counters, runs, reads the counters.
async fn measure<F, Fut>(ctx: &Ctx, f: F) -> Sample
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<f64, String>>,
{
    tokio::time::sleep(SETTLE).await;
    ctx.emu.reset_stats().await;
    let outcome = f().await;
    let counts = ctx.emu.requests().await;
    Sample::new(outcome, counts)
}

/// Times an operation of ours.
async fn timed<T, E: std::fmt::Display>(
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<f64, String> {
    let t = Instant::now();
    f.await.map_err(|e| e.to_string())?;
    Ok(t.elapsed().as_secs_f64())
}

/// Runs `sdk_bench.py` once; its JSON answer.
async fn python(ctx: &Ctx, scenario: &str, extra: &[String]) -> Result<Value, String> {
    let out = Command::new(&ctx.python)
        .arg(&ctx.script)
        .arg(scenario)
        .args(ctx.base_and_token())
        .args(extra)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .await
        .map_err(|e| format!("cannot run {}: {e}", ctx.python.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    last_line_json(&text).ok_or_else(|| format!("sdk_bench.py {scenario} printed {text:?}"))
}

/// The JSON object a child printed last.
fn last_line_json(text: &str) -> Option<Value> {
    serde_json::from_str(text.lines().last().unwrap_or("")).ok()
}

/// A child's error, when its JSON answer is not `"ok": true`.
fn child_error(v: &Value) -> Option<String> {
    (v["ok"] != Value::Bool(true)).then(|| v["error"].as_str().unwrap_or("failed").to_string())
}

/// An SDK run's elapsed seconds, or its error.
/// One measured run of the SDK script's `scenario` with `args`.
async fn sdk_run(ctx: &Ctx, scenario: &str, args: &[String]) -> Sample {
    measure(ctx, || async {
        sdk_outcome(python(ctx, scenario, args).await)
    })
    .await
}

fn sdk_outcome(v: Result<Value, String>) -> Result<f64, String> {
    let v = v?;
    match child_error(&v) {
        Some(e) => Err(e),
        None => v["elapsed"].as_f64().ok_or_else(|| "no elapsed".into()),
    }
}

fn sdk_args(dst: &str, paced: bool, more: &[&str]) -> Vec<String> {
    let mut a = vec!["--dst".to_string(), dst.to_string()];
    if paced {
        a.push("--paced".into());
    }
    a.extend(more.iter().map(|s| s.to_string()));
    a
}

/// `runs` runs of the three sides of a scenario, one after the other in each run: ours
/// (`ours(run)`), then the SDK's `sdk` paced and as shipped (`sdk_args(run, side, paced)`).
async fn three_sides<F, Fut>(
    ctx: &Ctx,
    runs: usize,
    ours: F,
    sdk: &str,
    sdk_args: impl Fn(usize, &str, bool) -> Vec<String>,
) -> [Vec<Sample>; 3]
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<f64, String>>,
{
    let mut sides: [Vec<Sample>; 3] = Default::default();
    for r in 0..runs {
        sides[0].push(measure(ctx, || ours(r)).await);
        for (k, paced) in [(1, true), (2, false)] {
            let args = sdk_args(r, SIDES[k], paced);
            sides[k].push(sdk_run(ctx, sdk, &args).await);
        }
    }
    sides
}

/// The three sides of the write scenario `scenario` (the SDK script's of that name, with
/// `sdk_more`), each on its own fresh datasheet per run; ours is `ours(sheet)`.
async fn write_scenario<F, Fut>(
    ctx: &Ctx,
    scenario: &str,
    latency: u64,
    sdk_more: &[&str],
    ours: F,
) -> [Vec<Sample>; 3]
where
    F: Fn(Sheet<Item>) -> Fut,
    Fut: std::future::Future<Output = Result<f64, String>>,
{
    let ours = |r| {
        let ours = &ours;
        async move {
            let name = sheet_name(scenario, latency, "ours", r);
            ours(sheet(ctx, &name).map_err(|e| e.to_string())?).await
        }
    };
    let sdk_args = |r, side: &str, paced| {
        let dst = ctx.emu.dst(&sheet_name(scenario, latency, side, r));
        sdk_args(&dst, paced, sdk_more)
    };
    three_sides(ctx, ctx.runs_long, ours, scenario, sdk_args).await
}

/// The three sides of a read scenario on `read-5000` (the SDK script's `sdk`); ours is
/// `ours(sheet)`.
async fn read_scenario<F, Fut>(ctx: &Ctx, sdk: &str, ours: F) -> [Vec<Sample>; 3]
where
    F: Fn(Sheet<Item>) -> Fut,
    Fut: std::future::Future<Output = Result<f64, String>>,
{
    let dst = ctx.emu.dst("read-5000");
    let ours = |_| {
        let ours = &ours;
        async move { ours(sheet(ctx, "read-5000").map_err(|e| e.to_string())?).await }
    };
    let sdk_args = |_, _: &str, paced| sdk_args(&dst, paced, &[]);
    three_sides(ctx, ctx.runs_short, ours, sdk, sdk_args).await
}

/// A row of seconds, with the three sides and the bound of `requests` round trips.
fn row(scenario: &str, latency: u64, sides: [Vec<Sample>; 3], requests: u64, rtt: f64) -> Row {
    let [ours, paced, shipped] = sides;
    Row {
        scenario: scenario.to_string(),
        latency,
        unit: Unit::Secs,
        ours: Side::Samples(ours),
        paced: Side::Samples(paced),
        shipped: Side::Samples(shipped),
        bound: Some(Bound::new(requests, rtt)),
    }
}

async fn insert(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    let data = rows(1000);
    let sides = write_scenario(ctx, "insert", l, &["--n", "1000"], |sheet| {
        let data = &data;
        async move { timed(sheet.insert_many(data)).await }
    })
    .await;
    Ok(row("insert 1,000 records", l, sides, 100, rtt))
}

async fn upsert(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    // 1,000 rows: 500 new, 500 present of which every fifth has a new quantity.
    let data: Vec<Item> = (0..1000)
        .map(|i| {
            let qty = if i < 500 && i % 5 == 0 {
                i as f64 + 0.5
            } else {
                i as f64
            };
            Item::row(i, qty)
        })
        .collect();
    let sides = write_scenario(ctx, "upsert", l, &[], |sheet| {
        let data = &data;
        async move { timed(sheet.upsert(data)).await }
    })
    .await;
    // One read of the 500 records, 50 creates, 10 updates.
    let scenario = "upsert 1,000 rows, 500 present (100 changed)";
    Ok(row(scenario, l, sides, 61, rtt))
}

async fn callers(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    let data = rows(500);
    let sides = write_scenario(ctx, "callers", l, &["--n", "500"], |sheet| {
        let data = &data;
        // 50 callers at once, each inserting 10 rows, sharing one client's pacing.
        async move {
            timed(async {
                let results = join_all(data.chunks(10).map(|chunk| sheet.insert_many(chunk))).await;
                results.into_iter().collect::<Result<Vec<_>, _>>()
            })
            .await
        }
    })
    .await;
    let scenario = "500 inserts paced (50 concurrent callers × 10 rows)";
    Ok(row(scenario, l, sides, 50, rtt))
}

async fn two(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    let data = rows(500);
    let ours = |r| {
        let data = &data;
        async move {
            let client = client(ctx).map_err(|e| e.to_string())?;
            let [a, b] = ["two-a", "two-b"].map(|s| {
                let id: DatasheetId = ctx
                    .emu
                    .dst(&sheet_name(s, l, "ours", r))
                    .parse()
                    .expect("id");
                client.table_in::<Item>(id)
            });
            timed(async {
                let (x, y) = tokio::join!(a.insert_many(data), b.insert_many(data));
                x.and(y)
            })
            .await
        }
    };
    let sdk_args = |r, side: &str, paced| {
        let a = ctx.emu.dst(&sheet_name("two-a", l, side, r));
        let b = ctx.emu.dst(&sheet_name("two-b", l, side, r));
        sdk_args(&a, paced, &["--dst2", &b, "--n", "500"])
    };
    let sides = three_sides(ctx, ctx.runs_long, ours, "two", sdk_args).await;
    let scenario = "two datasheets at once (500 inserts into each)";
    Ok(row(scenario, l, sides, 50, rtt))
}

fn epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Four processes on one datasheet, each inserting 25 batches of 10.
async fn procs(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    let mut sides: [Vec<Sample>; 3] = Default::default();
    let shared = ctx.redis.is_some();
    for r in 0..ctx.runs_long {
        if shared {
            let dst = ctx.emu.dst(&sheet_name("procs", l, "ours", r));
            sides[0].push(measure(ctx, || four_processes(ctx, &dst, None)).await);
        }
        for (k, paced) in [(1, true), (2, false)] {
            let dst = ctx.emu.dst(&sheet_name("procs", l, SIDES[k], r));
            sides[k].push(measure(ctx, || four_processes(ctx, &dst, Some(paced))).await);
        }
    }
    let [ours, paced, shipped] = sides;
    Ok(Row {
        scenario: "four processes on one datasheet (25 batches of 10 each)".into(),
        latency: l,
        unit: Unit::Secs,
        ours: if shared {
            Side::Samples(ours)
        } else {
            Side::NotMeasured("not measured: no --redis (redis-server not found)".into())
        },
        paced: Side::Samples(paced),
        shipped: Side::Samples(shipped),
        bound: Some(Bound::new(100, rtt)),
    })
}

/// Starts four worker processes (ours with `sdk = None`, else the SDK paced or not) that begin
/// together at a moment 3 s ahead; the time from that moment to the last one's end.
async fn four_processes(ctx: &Ctx, dst: &str, sdk: Option<bool>) -> Result<f64, String> {
    let start_at = epoch() + 3.0;
    let start = format!("{start_at:.3}");
    let mut children = Vec::new();
    for w in 0..4 {
        let worker = w.to_string();
        let mut cmd = match sdk {
            None => {
                let mut c = Command::new(&ctx.exe);
                c.arg("worker-insert").args(ctx.base_and_token());
                if let Some(url) = &ctx.redis {
                    c.args(["--redis", url]);
                }
                c
            }
            Some(paced) => {
                let mut c = Command::new(&ctx.python);
                c.arg(&ctx.script)
                    .arg("procs-worker")
                    .args(ctx.base_and_token());
                if paced {
                    c.arg("--paced");
                }
                c
            }
        };
        cmd.args([
            "--dst",
            dst,
            "--worker",
            &worker,
            "--n",
            "250",
            "--start-at",
            &start,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
        children.push(cmd.spawn().map_err(|e| e.to_string())?);
    }
    let mut end: f64 = start_at;
    let mut error = None;
    for child in children {
        let out = child.wait_with_output().await.map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout);
        let v = last_line_json(&text).ok_or_else(|| format!("a worker printed {text:?}"))?;
        match child_error(&v) {
            None => end = end.max(v["end"].as_f64().unwrap_or(0.0)),
            Some(e) => error = error.or(Some(e)),
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(end - start_at),
    }
}

/// `apitable-bench worker-insert`: one of the four processes.
pub async fn worker_insert(args: &Args) -> Result<(), BoxError> {
    let worker: usize = args.num("worker", 0)?;
    let n: usize = args.num("n", 250)?;
    let start_at: f64 = args.num("start-at", 0.0)?;
    let mut builder = worker_builder(args)?;
    let outcome = async {
        if let Some(url) = args.get("redis") {
            // The budget shared through Redis.
            builder = builder.redis_budget(url);
        }
        let client = builder.build()?;
        let sheet = client.table_in::<Item>(args.req("dst")?.parse()?);
        let data: Vec<Item> = (0..n)
            .map(|i| Item::row(worker * 1000 + i, i as f64))
            .collect();
        let wait = start_at - epoch();
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
        let start = epoch();
        sheet.insert_many(&data).await?;
        Ok::<_, BoxError>((start, epoch()))
    }
    .await;
    let line = match outcome {
        Ok((start, end)) => serde_json::json!({"ok": true, "start": start, "end": end}),
        Err(e) => serde_json::json!({"ok": false, "error": e.to_string()}),
    };
    println!("{line}");
    Ok(())
}

async fn read(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    let sides = read_scenario(ctx, "read", |sheet| async move {
        let t = Instant::now();
        let all = sheet.all().await.map_err(|e| e.to_string())?;
        if all.len() != 5000 {
            return Err(format!("read {} records", all.len()));
        }
        Ok(t.elapsed().as_secs_f64())
    })
    .await;
    Ok(row("read 5,000 records", l, sides, 5, rtt))
}

async fn burst(ctx: &Ctx, l: u64, rtt: f64) -> Result<Row, BoxError> {
    let sides = read_scenario(ctx, "burst", |sheet| async move {
        let query = sheet.query().page_size(10).max_records(10);
        timed(async {
            let results = join_all((0..5).map(|_| query.all())).await;
            results.into_iter().collect::<Result<Vec<_>, _>>()
        })
        .await
    })
    .await;
    let scenario = "5-request burst (5 concurrent small reads)";
    Ok(row(scenario, l, sides, 5, rtt))
}

/// Cached menu reads: 100 reads a second for 10 s of one query with a 1 s TTL.
async fn menu(ctx: &Ctx, l: u64) -> Result<Row, BoxError> {
    let dst = ctx.emu.dst("menu");
    let mut ours = Vec::new();
    for _ in 0..ctx.runs_short.min(3) {
        ours.push(measure(ctx, || cached_menu_reads(ctx)).await);
    }
    // The SDK has no cache: every read is a request. Only as shipped: with 0.2 s sleeps it
    // cannot read 100 times a second.
    let mut shipped = Vec::new();
    for _ in 0..ctx.runs_short.min(3) {
        let args = sdk_args(&dst, false, &["--rate", "100", "--secs", "10"]);
        shipped.push(sdk_run(ctx, "menu", &args).await);
    }
    Ok(Row {
        scenario: "cached menu reads (100/s for 10 s, 1 s TTL)".into(),
        latency: l,
        unit: Unit::Secs,
        ours: Side::Samples(ours),
        paced: Side::NotMeasured("cannot read 100/s at 0.2 s a request".into()),
        shipped: Side::Samples(shipped),
        bound: None,
    })
}

/// 1,000 reads of the menu, 100 a second, through the read cache (`Query::cached`, 1 s TTL).
async fn cached_menu_reads(ctx: &Ctx) -> Result<f64, String> {
    let sheet = sheet(ctx, "menu").map_err(|e| e.to_string())?;
    let query = sheet.query().page_size(100).cached(Duration::from_secs(1));
    let begin = Instant::now();
    for k in 0..1000u32 {
        let at = begin + Duration::from_millis(u64::from(k) * 10);
        tokio::time::sleep_until(at.into()).await;
        query.all().await.map_err(|e| e.to_string())?;
    }
    Ok(begin.elapsed().as_secs_f64())
}

/// Decoding a 1,000-record page as the emulator sends it: ours into `Item`, the SDK's
/// `json.loads` + its pydantic `GETRecordResponse` (what `Datasheet.get_records` does).
async fn decode(ctx: &Ctx) -> Result<Row, BoxError> {
    tokio::time::sleep(SETTLE).await;
    let body = ctx.emu.page_body(&ctx.emu.dst("read-5000"), 1000).await;
    let path =
        std::env::temp_dir().join(format!("apitable-bench-page-{}.json", std::process::id()));
    std::fs::write(&path, &body)?;
    let mut ours = Vec::new();
    let mut times = Vec::new();
    for _ in 0..20 {
        Page::<Item>::from_response(&body, 1000)?;
    }
    for _ in 0..200 {
        let t = Instant::now();
        let page = Page::<Item>::from_response(&body, 1000)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(page.items.len(), 1000);
    }
    ours.push(Sample::value(crate::report::median(&mut times)));
    let sdk = python(
        ctx,
        "decode",
        &[
            "--file".into(),
            path.display().to_string(),
            "--n".into(),
            "30".into(),
        ],
    )
    .await;
    let _ = std::fs::remove_file(&path);
    let sdk = match sdk {
        Ok(v) => Sample::value(v["median"].as_f64().unwrap_or(f64::NAN) * 1e3),
        Err(e) => Sample::new(Err(e), Counts::default()),
    };
    Ok(Row {
        scenario: format!("decode one 1,000-record page ({} KiB)", body.len() / 1024),
        latency: 0,
        unit: Unit::Millis,
        ours: Side::Samples(ours),
        paced: Side::Samples(vec![sdk]),
        shipped: Side::NotMeasured("(same code)".into()),
        bound: None,
    })
}

/// Peak memory of a child process streaming 5,000 and 50,000 records.
async fn memory(ctx: &Ctx, l: u64) -> Result<Vec<Row>, BoxError> {
    let mut out = Vec::new();
    for (name, n) in [("read-5000", 5000u64), ("read-50000", 50_000)] {
        let dst = ctx.emu.dst(name);
        let mut ours = Vec::new();
        let mut sdk = Vec::new();
        for _ in 0..ctx.runs_long {
            ours.push(
                measure(ctx, || async {
                    let out = Command::new(&ctx.exe)
                        .arg("worker-stream")
                        .args(ctx.base_and_token())
                        .args(["--dst", &dst])
                        .stderr(Stdio::inherit())
                        .output()
                        .await
                        .map_err(|e| e.to_string())?;
                    peak_mib(&String::from_utf8_lossy(&out.stdout), n)
                })
                .await,
            );
            let args = sdk_args(&dst, true, &[]);
            sdk.push(
                measure(ctx, || async {
                    let v = python(ctx, "stream", &args).await?;
                    peak_mib(&v.to_string(), n)
                })
                .await,
            );
        }
        out.push(Row {
            scenario: format!("peak RSS streaming {n} records (child process)"),
            latency: l,
            unit: Unit::MiB,
            ours: Side::Samples(ours),
            paced: Side::Samples(sdk),
            shipped: Side::NotMeasured("—".into()),
            bound: None,
        });
    }
    Ok(out)
}

/// The peak RSS in a worker's JSON line, MiB, after checking it saw every record.
fn peak_mib(text: &str, n: u64) -> Result<f64, String> {
    let v = last_line_json(text).ok_or_else(|| format!("the worker printed {text:?}"))?;
    if let Some(e) = child_error(&v) {
        return Err(e);
    }
    if v["records"].as_u64() != Some(n) {
        return Err(format!("streamed {} records, not {n}", v["records"]));
    }
    Ok(v["peak_kb"].as_f64().unwrap_or(f64::NAN) / 1024.0)
}

/// `VmHWM` (peak resident set) of this process, KiB.
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `apitable-bench worker-stream`: streams a datasheet, prints its peak memory.
pub async fn worker_stream(args: &Args) -> Result<(), BoxError> {
    let baseline = vm_hwm_kb();
    let client = worker_builder(args)?.build()?;
    let sheet = client.table_in::<Item>(args.req("dst")?.parse()?);
    let t = Instant::now();
    let mut stream = std::pin::pin!(sheet.stream());
    let mut n = 0u64;
    while let Some(item) = stream.next().await {
        std::hint::black_box(item?);
        n += 1;
    }
    let line = serde_json::json!({
        "ok": true,
        "records": n,
        "elapsed": t.elapsed().as_secs_f64(),
        "baseline_kb": baseline,
        "peak_kb": vm_hwm_kb(),
    });
    println!("{line}");
    Ok(())
}
