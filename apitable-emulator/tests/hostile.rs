//! Hostile or careless clients: slow connections are cut off, uploads cannot be served as
//! active content, an early 429 keeps the keep-alive connection usable; node icons are `""`.

mod common;

use std::time::Duration;

use apitable_emulator::{Emulator, FieldSpec};
use common::{H, ok};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(h: &H) -> String {
    h.emu.base_url().trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection. `false` when it is still open after `guard`
/// (the guard only keeps a broken server from hanging the test).
async fn closed_by_server(mut s: TcpStream, guard: Duration) -> (bool, Vec<u8>) {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    let done = tokio::time::timeout(guard, read).await.is_ok();
    (done, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_others_still_served() {
    let h = H::with(
        Emulator::builder()
            .header_read_timeout(Duration::from_millis(800))
            .body_read_timeout(Duration::from_millis(800)),
    )
    .await;
    let dst = h.name_sheet("S").await;
    let path = H::records_path(&dst);
    let a = addr(&h);
    let token = h.emu.token().to_string();

    let mut half_headers = Vec::new();
    let mut half_bodies = Vec::new();
    for _ in 0..100 {
        let mut s = TcpStream::connect(&a).await.unwrap();
        s.write_all(format!("POST {path} HTTP/1.1\r\nHost: x\r\nAuthoriz").as_bytes())
            .await
            .unwrap();
        half_headers.push(s);
        let mut s = TcpStream::connect(&a).await.unwrap();
        s.write_all(
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"records\": ["
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        half_bodies.push(s);
    }

    // Normal clients are answered correctly meanwhile.
    for i in 0..5 {
        let ids = h.create(&dst, vec![json!({"Name": format!("n{i}")})]).await;
        assert_eq!(ids.len(), 1);
    }
    let d = ok(&h.get(&path).await, 200);
    assert_eq!(d["total"], 5);

    // Every slow connection is closed by the server; half-sent bodies get a 408 first.
    let guard = Duration::from_secs(30);
    let header_reads: Vec<_> = half_headers
        .into_iter()
        .map(|s| tokio::spawn(closed_by_server(s, guard)))
        .collect();
    let body_reads: Vec<_> = half_bodies
        .into_iter()
        .map(|s| tokio::spawn(closed_by_server(s, guard)))
        .collect();
    let mut headers_closed = 0;
    for t in header_reads {
        let (done, got) = t.await.unwrap();
        headers_closed += usize::from(done);
        assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    }
    let mut bodies_closed = 0;
    for t in body_reads {
        let (done, got) = t.await.unwrap();
        bodies_closed += usize::from(done);
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    }
    assert_eq!((headers_closed, bodies_closed), (100, 100));
    // None of the half-sent creates took effect.
    let d = ok(&h.get(&path).await, 200);
    assert_eq!(d["total"], 5);
}

/// Reads one HTTP/1.1 answer with a `Content-Length` body: status and body. A connection that
/// neither answers nor closes within 20 s counts as an error (so a broken server fails the test
/// instead of hanging it).
async fn read_answer(s: &mut TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    tokio::time::timeout(Duration::from_secs(20), read_answer_unguarded(s))
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

async fn read_answer_unguarded(s: &mut TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head[9..12].parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .expect("a Content-Length");
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((status, buf[head_end..head_end + len].to_vec()))
}

#[tokio::test]
async fn a_429_keeps_the_keep_alive_connection_while_the_body_is_in_flight() {
    let h = H::with(Emulator::builder().rate_limit(Some(1))).await;
    let dst = h.name_sheet("S").await;
    let path = H::records_path(&dst);
    let token = h.emu.token().to_string();
    let mut s = TcpStream::connect(addr(&h)).await.unwrap();
    let body = json!({"records": [{"fields": {"Name": "x".repeat(2000)}}]}).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(first.as_bytes()).await.unwrap();
        // The rest of the body is still in flight when the server decides.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = s.write_all(rest.as_bytes()).await;
        let (status, answer) = read_answer(&mut s)
            .await
            .unwrap_or_else(|e| panic!("after {statuses:?}: {e}"));
        let v: Value = serde_json::from_slice(&answer).unwrap();
        statuses.push(status);
        if status == 429 {
            assert_eq!(v["code"], 429);
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // The same connection still answers (v2 is not rate limited).
    let spc = h.emu.space_id();
    let get = format!(
        "GET /fusion/v2/spaces/{spc}/nodes?type=Datasheet HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {token}\r\n\r\n"
    );
    let sent = s.write_all(get.as_bytes()).await;
    let answer = match sent {
        Ok(()) => read_answer(&mut s).await,
        Err(e) => Err(e),
    };
    let (status, answer) = answer.expect("the connection survived the 429");
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(v["data"]["nodes"][0]["id"], dst.as_str());
    // Exactly one record was created: the 429'd body was read and ignored.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(ok(&h.get(&path).await, 200)["total"], 1);
}

async fn upload(h: &H, dst: &str, name: &str, mime: &str, bytes: &[u8]) -> Value {
    ok(&(201, h.upload_file(dst, name, mime, bytes).await), 201)
}

/// `(Content-Type, Content-Disposition, X-Content-Type-Options, bytes)` of a served asset.
async fn served(h: &H, url: &str) -> (String, Option<String>, String, Vec<u8>) {
    let r = h.c.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hd = |k: &str| r.headers().get(k).map(|v| v.to_str().unwrap().to_string());
    let out = (
        hd("content-type").unwrap(),
        hd("content-disposition"),
        hd("x-content-type-options").unwrap_or_default(),
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    (out.0, out.1, out.2, bytes)
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x02\0\0\0\x03\x08\x06\0\0\0";

#[tokio::test]
async fn uploads_are_served_as_inline_media_or_as_downloads() {
    let h = H::new().await;
    let dst = h
        .sheet(
            "S",
            &[
                FieldSpec::new("Name", "SingleText").property(json!({})),
                FieldSpec::new("Files", "Attachment"),
            ],
        )
        .await;
    let script = b"<html><script>alert(document.cookie)</script></html>";

    // HTML is a download, and its stored type is still what the uploader sent.
    let html = upload(&h, &dst, "page.html", "text/html", script).await;
    assert_eq!(html["mimeType"], "text/html");
    let (ct, cd, nosniff, bytes) = served(&h, html["url"].as_str().unwrap()).await;
    assert_eq!(ct, "application/octet-stream");
    assert_eq!(cd.as_deref(), Some("attachment; filename=\"page.html\""));
    assert_eq!(nosniff, "nosniff");
    assert_eq!(bytes, script);
    let d = ok(
        &h.post(
            &H::records_path(&dst),
            json!({"records": [{"fields": {"Name": "r", "Files": [{"token": html["token"], "name": "page.html"}]}}]}),
        )
        .await,
        201,
    );
    assert_eq!(
        d["records"][0]["fields"]["Files"][0]["mimeType"],
        "text/html"
    );

    // SVG can hold script: a download too.
    let svg = upload(&h, &dst, "x.svg", "image/svg+xml", b"<svg/>").await;
    let (ct, cd, nosniff, _) = served(&h, svg["url"].as_str().unwrap()).await;
    assert_eq!(ct, "application/octet-stream");
    assert!(cd.unwrap().starts_with("attachment;"));
    assert_eq!(nosniff, "nosniff");

    // Images and documents keep their type, shown inline.
    for (name, mime) in [
        ("a.png", "image/png"),
        ("b.jpg", "image/jpeg"),
        ("c.pdf", "application/pdf"),
        ("d.txt", "text/plain; charset=utf-8"),
        ("e.csv", "text/csv"),
        (
            "f.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("g.mp4", "video/mp4"),
    ] {
        let a = upload(&h, &dst, name, mime, PNG).await;
        let (ct, cd, nosniff, _) = served(&h, a["url"].as_str().unwrap()).await;
        assert_eq!(ct, mime.split(';').next().unwrap(), "{name}");
        assert_eq!(cd, None, "{name}");
        assert_eq!(nosniff, "nosniff", "{name}");
    }

    // Names are quoted safely; the exact name goes in filename*.
    let odd = upload(
        &h,
        &dst,
        "r\u{e9}sum\u{e9} \"x\".exe",
        "application/x-msdownload",
        b"MZ",
    )
    .await;
    let (ct, cd, _, _) = served(&h, odd["url"].as_str().unwrap()).await;
    assert_eq!(ct, "application/octet-stream");
    assert_eq!(
        cd.as_deref(),
        Some(
            "attachment; filename=\"r_sum_ _x_.exe\"; \
             filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.exe"
        )
    );

    // A presigned upload of HTML is a download as well.
    let url = h.presigned_upload_url(&dst).await;
    let put =
        h.c.put(&url)
            .header("Content-Type", "text/html")
            .body(script.to_vec())
            .send()
            .await
            .unwrap();
    assert_eq!(put.status(), 200);
    let (ct, cd, nosniff, _) = served(&h, &url).await;
    assert_eq!(ct, "application/octet-stream");
    assert!(cd.unwrap().starts_with("attachment; filename=\""));
    assert_eq!(nosniff, "nosniff");
}

#[tokio::test]
async fn nodes_without_an_icon_have_an_empty_string_icon() {
    let seed = json!({"spaces": [{"name": "Acme", "nodes": [
        {"type": "Folder", "name": "Projects", "children": [
            {"type": "Datasheet", "name": "Plain", "fields": [{"name": "N", "type": "SingleText", "property": {}}]},
            {"type": "Datasheet", "name": "Tea", "icon": "\u{1f375}", "fields": [{"name": "N", "type": "SingleText", "property": {}}]}
        ]},
        {"type": "Datasheet", "name": "Top", "fields": [{"name": "N", "type": "SingleText", "property": {}}]}
    ]}]});
    let h = H::with(Emulator::builder().seed_json(&seed.to_string())).await;
    let spc = h.emu.space_id().to_string();

    let icons = |nodes: &Value| -> Vec<(String, Value)> {
        nodes
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["name"].as_str().unwrap().to_string(), n["icon"].clone()))
            .collect()
    };
    let root = ok(&h.get(&format!("/fusion/v1/spaces/{spc}/nodes")).await, 200);
    assert_eq!(
        icons(&root["nodes"]),
        vec![("Projects".into(), json!("")), ("Top".into(), json!(""))]
    );
    let folder = root["nodes"][0]["id"].as_str().unwrap().to_string();
    for path in [
        format!("/fusion/v1/nodes/{folder}"),
        format!("/fusion/v1/spaces/{spc}/nodes/{folder}"),
    ] {
        let d = ok(&h.get(&path).await, 200);
        assert_eq!(d["icon"], "", "{path}");
        assert_eq!(
            icons(&d["children"]),
            vec![
                ("Plain".into(), json!("")),
                ("Tea".into(), json!("\u{1f375}"))
            ],
            "{path}"
        );
    }
    let found = ok(
        &h.get(&format!("/fusion/v2/spaces/{spc}/nodes?type=Datasheet"))
            .await,
        200,
    );
    let mut got = icons(&found["nodes"]);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            ("Plain".into(), json!("")),
            ("Tea".into(), json!("\u{1f375}")),
            ("Top".into(), json!("")),
        ]
    );
    let folders = ok(
        &h.get(&format!("/fusion/v2/spaces/{spc}/nodes?type=Folder"))
            .await,
        200,
    );
    assert_eq!(folders["nodes"][0]["icon"], "");
}
