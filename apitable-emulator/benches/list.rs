//! Listing 1,000 records of a 50,000-record datasheet, with and without a formula filter.
//!
//! `cargo bench -p apitable-emulator` prints criterion's timings and, for each case, the
//! records per second it reached.

use std::time::{Duration, Instant};

use apitable_emulator::{Emulator, FieldSpec};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

struct Fixture {
    rt: tokio::runtime::Runtime,
    _emu: Emulator,
    client: reqwest::Client,
    token: String,
    url: String,
}

fn fixture() -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (emu, url) = rt.block_on(async {
        let emu = Emulator::builder().start().await.expect("start");
        let ds = emu
            .create_datasheet(
                "Big",
                &[
                    FieldSpec::new("Name", "SingleText").property(json!({})),
                    FieldSpec::new("Qty", "Number").property(json!({"precision": 0})),
                    FieldSpec::new("Tag", "SingleSelect").property(json!({"options": []})),
                    FieldSpec::new("Done", "Checkbox").property(json!({"icon": "star"})),
                ],
            )
            .await
            .expect("datasheet");
        let tags = ["red", "green", "blue"];
        for chunk in 0..50 {
            let rows: Vec<Value> = (0..1000)
                .map(|i| {
                    let n = chunk * 1000 + i;
                    json!({"Name": format!("row {n}"), "Qty": n % 100, "Tag": tags[n % 3], "Done": n % 2 == 0})
                })
                .collect();
            emu.insert_records(&ds.id, rows).await.expect("insert");
        }
        let url = format!("{}/fusion/v1/datasheets/{}/records", emu.base_url(), ds.id);
        (emu, url)
    });
    Fixture {
        rt,
        token: emu.token().to_string(),
        _emu: emu,
        client: reqwest::Client::new(),
        url,
    }
}

fn list_once(f: &Fixture, query: &str) -> usize {
    f.rt.block_on(async {
        let v: Value = f
            .client
            .get(format!("{}?{query}", f.url))
            .header("Authorization", format!("Bearer {}", f.token))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(v["success"], true, "{v}");
        v["data"]["records"].as_array().map_or(0, Vec::len)
    })
}

fn report(name: &str, f: &Fixture, query: &str) {
    let start = Instant::now();
    let mut n = 0;
    let mut rounds = 0;
    while start.elapsed() < Duration::from_secs(2) {
        n += list_once(f, query);
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name}: {rounds} requests, {:.0} records/s, {:.1} ms per request",
        n as f64 / secs,
        secs * 1000.0 / rounds as f64
    );
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let plain = "pageSize=1000&pageNum=7";
    // Quoted and percent-encoded: {Qty} > 50 AND {Tag} = "red"
    let formula =
        "pageSize=1000&filterByFormula=AND(%7BQty%7D%20%3E%2050%2C%20%7BTag%7D%20%3D%20%22red%22)";
    let mut g = c.benchmark_group("list 1000 of 50000");
    g.sample_size(20);
    g.bench_function("no filter", |b| b.iter(|| list_once(&f, plain)));
    g.bench_function("filterByFormula", |b| b.iter(|| list_once(&f, formula)));
    g.finish();
    report("no filter", &f, plain);
    report("filterByFormula", &f, formula);
}

criterion_group!(benches, bench);
criterion_main!(benches);
