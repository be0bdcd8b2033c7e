//! The scale benchmark: apitable-orm and the official Python SDK side by side on one emulator
//! binary with its rate limiter on (5 requests per second per datasheet and token), at 0 and
//! 300 ± 50 ms of injected latency. See BENCHMARKS.md; `bash apitable-bench/run.sh` runs it all.
//!
//! ```text
//! apitable-bench all --emulator target/release/apitable-emulator \
//!     --python target/bench-venv/bin/python --sdk-script apitable-bench/sdk_bench.py \
//!     [--redis redis://127.0.0.1:PORT] [--runs-long 3] [--runs-short 7] [--latencies 0,300]
//!     [--only insert,read,…]
//! apitable-bench worker-stream --base URL --token T --dst DST      (a child: peak memory)
//! apitable-bench worker-insert --base URL --token T --dst DST …    (a child: four processes)
//! ```

mod emulator;
mod report;
mod scenarios;

use std::collections::BTreeMap;
use std::path::PathBuf;

use apitable_orm::{RecordId, Table};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The row type of every benchmark datasheet (the datasheet is chosen per run).
#[derive(Debug, Clone, Table)]
#[apitable(datasheet = "dstBenchItems0000", rename_all = "Title Case")]
pub struct Item {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    #[apitable(key)]
    pub name: String,
    pub qty: f64,
    pub notes: String,
    pub done: bool,
}

impl Item {
    /// Row `i`, as the Python side writes it too.
    pub fn row(i: usize, qty: f64) -> Item {
        Item {
            id: None,
            name: format!("item {i:05}"),
            qty,
            notes: format!("Benchmark row {i} with a short note"),
            done: i.is_multiple_of(2),
        }
    }
}

/// `--name value` options.
#[derive(Debug, Default)]
pub struct Args {
    pub command: String,
    options: BTreeMap<String, String>,
}

impl Args {
    fn parse() -> Result<Args, BoxError> {
        let mut it = std::env::args().skip(1);
        let command = it.next().unwrap_or_else(|| "help".into());
        let mut options = BTreeMap::new();
        while let Some(key) = it.next() {
            let name = key
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {key:?}"))?;
            let value = it.next().ok_or_else(|| format!("{key} needs a value"))?;
            options.insert(name.to_string(), value);
        }
        Ok(Args { command, options })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    pub fn req(&self, name: &str) -> Result<&str, BoxError> {
        self.get(name)
            .ok_or_else(|| format!("--{name} is required").into())
    }

    pub fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, BoxError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: not a number: {v:?}").into()),
        }
    }

    pub fn path(&self, name: &str, default: &str) -> PathBuf {
        PathBuf::from(self.get(name).unwrap_or(default))
    }
}

const USAGE: &str =
    "usage: apitable-bench all [--emulator PATH] [--python PATH] [--sdk-script PATH] \
[--redis URL] [--runs-long N] [--runs-short N] [--latencies 0,300] [--only NAMES] [--work DIR]
(see BENCHMARKS.md; bash apitable-bench/run.sh builds and runs everything)";

fn main() {
    let result = Args::parse().and_then(|args| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(async move {
            match args.command.as_str() {
                "all" => scenarios::all(&args).await,
                "worker-stream" => scenarios::worker_stream(&args).await,
                "worker-insert" => scenarios::worker_insert(&args).await,
                _ => Err(USAGE.into()),
            }
        })
    });
    if let Err(e) = result {
        eprintln!("apitable-bench: {e}");
        std::process::exit(1);
    }
}
