//! The binary: prints its ids, and a SIGKILLed file-backed server keeps every acknowledged write.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

struct Started {
    child: Child,
    info: std::collections::HashMap<String, String>,
}

fn start(db: &std::path::Path, extra: &[&str]) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apitable-emulator"))
        .arg("--db")
        .arg(db)
        .args(["--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut info = std::collections::HashMap::new();
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    while let Some(Ok(line)) = lines.next() {
        if let Some((k, v)) = line.split_once(": ") {
            info.insert(k.to_string(), v.to_string());
            if k == "database" {
                break;
            }
        }
    }
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Started { child, info }
}

impl Started {
    /// SIGKILL: no chance to flush anything.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// An empty directory `{dir}-{pid}` under the temp dir, and the path of the database `file`
/// in it (not there yet).
fn fresh_db(dir: &str, file: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("{dir}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(file);
    let _ = std::fs::remove_file(&db);
    (dir, db)
}

/// Sends the request; returns the JSON body of the answer.
async fn json_of(req: reqwest::RequestBuilder) -> Value {
    req.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn killed_server_keeps_acknowledged_writes() {
    let (dir, db) = fresh_db("apitable-emu-bin", "kill.sqlite");
    let c = reqwest::Client::new();

    let s = start(
        &db,
        &["--rate-limit", "0", "--token", "uskFixedToken00000000001"],
    );
    let base = s.info["base_url"].clone();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(s.info["token"], "uskFixedToken00000000001");
    let space = s.info["space_id"].clone();
    assert!(space.starts_with("spc"));
    let auth = "Bearer uskFixedToken00000000001";
    let created = json_of(
        c.post(format!("{base}/fusion/v1/spaces/{space}/datasheets"))
            .header("Authorization", auth)
            .json(&json!({"name": "Log", "fields": [{"name": "N", "type": "Number", "property": {"precision": 0}}]})),
    )
    .await;
    let dst = created["data"]["id"].as_str().unwrap().to_string();
    for i in 0..30 {
        let r = json_of(
            c.post(format!("{base}/fusion/v1/datasheets/{dst}/records"))
                .header("Authorization", auth)
                .json(&json!({"records": [{"fields": {"N": i}}]})),
        )
        .await;
        assert_eq!(r["success"], true);
    }
    s.kill();

    let s = start(&db, &["--rate-limit", "0"]);
    let base = s.info["base_url"].clone();
    assert_eq!(
        s.info["token"], "uskFixedToken00000000001",
        "the token is kept in the database"
    );
    assert!(s.info.get("datasheet").is_some_and(|d| d.starts_with(&dst)));
    let r = json_of(
        c.get(format!(
            "{base}/fusion/v1/datasheets/{dst}/records?pageSize=1000"
        ))
        .header("Authorization", auth),
    )
    .await;
    assert_eq!(r["data"]["total"], 30);
    let ns: Vec<i64> = r["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["fields"]["N"].as_i64().unwrap())
        .collect();
    assert_eq!(ns, (0..30).collect::<Vec<_>>());
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn read_timeouts_are_set_from_the_command_line() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (dir, db) = fresh_db("apitable-emu-bin-to", "timeouts.sqlite");
    let s = start(
        &db,
        &[
            "--header-read-timeout-ms",
            "300",
            "--body-read-timeout-ms",
            "300",
        ],
    );
    let addr = s.info["base_url"].trim_start_matches("http://").to_string();
    let token = s.info["token"].clone();
    let space = s.info["space_id"].clone();
    // Half-sent headers: closed without an answer. Half-sent body: 408, then closed.
    let mut half_headers = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half_headers
        .write_all(b"GET /fusion/v1/spaces HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut half_body = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half_body
        .write_all(
            format!(
                "POST /fusion/v1/spaces/{space}/datasheets HTTP/1.1\r\nHost: x\r\n\
                 Authorization: Bearer {token}\r\nContent-Length: 50\r\n\r\n{{\"na"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // The guard only keeps a broken server from hanging the test.
    let guard = std::time::Duration::from_secs(30);
    let mut got = Vec::new();
    let n = tokio::time::timeout(guard, half_headers.read_to_end(&mut got))
        .await
        .expect("closed by the server")
        .unwrap_or(0);
    assert_eq!(n, 0, "{}", String::from_utf8_lossy(&got));
    let mut got = Vec::new();
    let _ = tokio::time::timeout(guard, half_body.read_to_end(&mut got))
        .await
        .expect("closed by the server");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
