//! The emulator binary as a child process: its seed, its admin endpoints (stats, faults).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::BoxError;

/// The fields of every benchmark datasheet.
pub fn fields() -> Value {
    json!([
        {"name": "Name", "type": "SingleText", "property": {}},
        {"name": "Qty", "type": "Number", "property": {"precision": 1}},
        {"name": "Notes", "type": "Text"},
        {"name": "Done", "type": "Checkbox", "property": {"icon": "white_check_mark"}},
    ])
}

/// The cells of benchmark row `i`, as the Python side writes them too.
pub fn cells(i: usize, qty: f64) -> Value {
    let mut cells = json!({
        "Name": format!("item {i:05}"),
        "Qty": qty,
        "Notes": format!("Benchmark row {i} with a short note"),
    });
    if i.is_multiple_of(2) {
        cells["Done"] = json!(true);
    }
    cells
}

/// Datasheets to seed: name and number of records (rows 0..n, `Qty` = the row number).
#[derive(Debug, Default)]
pub struct Seed {
    sheets: Vec<(String, usize)>,
}

impl Seed {
    /// Adds a datasheet; returns its name.
    pub fn add(&mut self, name: impl Into<String>, records: usize) -> String {
        let name = name.into();
        assert!(
            !self.sheets.iter().any(|(n, _)| *n == name),
            "duplicate datasheet {name}"
        );
        self.sheets.push((name.clone(), records));
        name
    }

    fn to_json(&self) -> Value {
        let sheets: Vec<Value> = self
            .sheets
            .iter()
            .map(|(name, n)| {
                let records: Vec<Value> = (0..*n)
                    .map(|i| json!({"fields": cells(i, i as f64)}))
                    .collect();
                json!({"type": "Datasheet", "name": name, "fields": fields(), "records": records})
            })
            .collect();
        json!({"datasheets": sheets})
    }
}

/// A running emulator binary.
pub struct Emulator {
    child: Child,
    pub base_url: String,
    pub token: String,
    admin_token: String,
    /// Datasheet ids by name.
    pub datasheets: BTreeMap<String, String>,
    http: reqwest::Client,
    _dir: TempDir,
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Emulator {
    /// Starts `binary` on a free loopback port with the limiter at 5 requests per second and
    /// the datasheets of `seed`.
    pub async fn start(binary: &Path, seed: &Seed, work: &Path) -> Result<Emulator, BoxError> {
        let dir = work.join(format!("emulator-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let dir = TempDir(dir);
        let seed_path = dir.0.join("seed.json");
        std::fs::write(&seed_path, serde_json::to_vec(&seed.to_json())?)?;
        let mut child = Command::new(binary)
            .arg("--db")
            .arg(dir.0.join("bench.db"))
            .args(["--port", "0", "--rate-limit", "5"])
            .arg("--seed")
            .arg(&seed_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let (mut base_url, mut token, mut admin_token) = (None, None, None);
        let mut datasheets = BTreeMap::new();
        let read = async {
            while let Some(line) = lines.next_line().await? {
                if let Some(v) = line.strip_prefix("base_url: ") {
                    base_url = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("token: ") {
                    token = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("admin_token: ") {
                    admin_token = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("datasheet: ") {
                    if let Some((id, name)) = v.split_once(' ') {
                        datasheets.insert(name.to_string(), id.to_string());
                    }
                } else if line.starts_with("database: ") {
                    return Ok::<(), BoxError>(());
                }
            }
            Err("the emulator exited before printing its settings".into())
        };
        tokio::time::timeout(Duration::from_secs(600), read)
            .await
            .map_err(|_| "the emulator did not start within 10 minutes")??;
        // Keep reading (and discarding) its output so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Emulator {
            child,
            base_url: base_url.ok_or("no base_url line")?,
            token: token.ok_or("no token line")?,
            admin_token: admin_token.ok_or("no admin_token line")?,
            datasheets,
            http: reqwest::Client::new(),
            _dir: dir,
        })
    }

    /// The id of a seeded datasheet.
    pub fn dst(&self, name: &str) -> String {
        self.datasheets
            .get(name)
            .unwrap_or_else(|| panic!("no datasheet {name}"))
            .clone()
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}/_emulator/{path}", self.base_url))
            .bearer_auth(&self.admin_token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("admin request");
        resp.json::<Value>().await.expect("admin answer")
    }

    /// Latency on every request: `ms` ± `jitter` ms (none for 0).
    pub async fn set_latency(&self, ms: u64, jitter: u64) {
        if ms == 0 {
            self.admin(reqwest::Method::DELETE, "faults", None).await;
        } else {
            let faults = json!({"latency": 1.0, "latencyMs": ms, "latencyJitterMs": jitter});
            let answer = self
                .admin(reqwest::Method::PUT, "faults", Some(faults))
                .await;
            assert_eq!(answer["success"], json!(true), "{answer}");
        }
    }

    /// Resets the request counters.
    pub async fn reset_stats(&self) {
        self.admin(reqwest::Method::DELETE, "stats", None).await;
    }

    /// Requests counted since the last reset, and how many were answered 429.
    pub async fn requests(&self) -> Counts {
        let stats = self.admin(reqwest::Method::GET, "stats", None).await;
        let data = &stats["data"];
        Counts {
            requests: data["total"].as_u64().unwrap_or(0),
            throttled: data["statuses"]["429"].as_u64().unwrap_or(0),
            sliding_over: data["sliding_over"].as_u64().unwrap_or(0),
        }
    }

    /// `GET …/records?pageSize={size}` of `dst`; `what` names it if it cannot be sent.
    async fn records_page(&self, dst: &str, size: u32, what: &str) -> reqwest::Response {
        self.http
            .get(format!(
                "{}/fusion/v1/datasheets/{dst}/records?pageSize={size}",
                self.base_url
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect(what)
    }

    /// One small read, timed: a round trip at the current latency.
    pub async fn round_trip(&self, dst: &str) -> Duration {
        let t = std::time::Instant::now();
        let resp = self.records_page(dst, 1, "round trip").await;
        let _ = resp.bytes().await;
        t.elapsed()
    }

    /// The body of a `GET …/records` page, as the server sends it.
    pub async fn page_body(&self, dst: &str, size: u32) -> Vec<u8> {
        let resp = self.records_page(dst, size, "page").await;
        resp.bytes().await.expect("page body").to_vec()
    }

    /// Stops the emulator.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Requests and 429 answers of one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub requests: u64,
    pub throttled: u64,
    /// Requests within a second of the one five before them (what a sliding window would
    /// refuse; the server's fixed windows refuse only some).
    pub sliding_over: u64,
}
