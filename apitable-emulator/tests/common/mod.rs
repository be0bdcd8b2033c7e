//! Shared helpers for the conformance tests: a started emulator and a small reqwest wrapper.
#![allow(dead_code)]

use apitable_emulator::{Emulator, EmulatorBuilder, FieldSpec};
use reqwest::Method;
use serde_json::{Value, json};

pub struct H {
    pub emu: Emulator,
    pub c: reqwest::Client,
}

impl H {
    pub async fn new() -> H {
        Self::with(Emulator::builder()).await
    }

    pub async fn with(b: EmulatorBuilder) -> H {
        let emu = b.start().await.expect("emulator starts");
        H {
            emu,
            c: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.emu.base_url(), path_and_query)
    }

    /// Sends a request with the default token; returns HTTP status and JSON body.
    pub async fn req(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let t = self.emu.token().to_string();
        self.req_as(&t, method, path, body).await
    }

    pub async fn req_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self
            .c
            .request(method, self.url(path))
            .header("Authorization", format!("Bearer {token}"));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("request succeeds");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, v)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.req(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.req(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.req(Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.req(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.req(Method::DELETE, path, None).await
    }

    /// Sends `GET path`; asserts a success envelope with HTTP 200 and returns `data`.
    pub async fn get_ok(&self, path: &str) -> Value {
        ok(&self.get(path).await, 200)
    }
    /// Sends `POST path`; asserts a success envelope with HTTP 201 and returns `data`.
    pub async fn created(&self, path: &str, body: Value) -> Value {
        ok(&self.post(path, body).await, 201)
    }
    /// Sends `PATCH path`; asserts a success envelope with HTTP 200 and returns `data`.
    pub async fn patch_ok(&self, path: &str, body: Value) -> Value {
        ok(&self.patch(path, body).await, 200)
    }
    /// Sends `PUT path`; asserts a success envelope with HTTP 200 and returns `data`.
    pub async fn put_ok(&self, path: &str, body: Value) -> Value {
        ok(&self.put(path, body).await, 200)
    }
    /// Sends `DELETE path`; asserts a success envelope with HTTP 200 and returns `data`.
    pub async fn delete_ok(&self, path: &str) -> Value {
        ok(&self.delete(path).await, 200)
    }

    /// The fields `GET /fusion/v1/datasheets/{dst}/fields{query}` lists (a success envelope
    /// with HTTP 200 asserted).
    pub async fn fields(&self, dst: &str, query: &str) -> Vec<Value> {
        let d = self
            .get_ok(&format!("/fusion/v1/datasheets/{dst}/fields{query}"))
            .await;
        d["fields"].as_array().unwrap().clone()
    }

    /// Creates a datasheet; returns its id.
    pub async fn sheet(&self, name: &str, fields: &[FieldSpec]) -> String {
        self.emu
            .create_datasheet(name, fields)
            .await
            .expect("datasheet created")
            .id
    }

    /// Creates a datasheet whose one field is the text field "Name"; returns its id.
    pub async fn name_sheet(&self, name: &str) -> String {
        self.sheet(name, &[text("Name")]).await
    }

    /// Uploads one file as an attachment of `dst` with the default token; returns the JSON
    /// body of the answer.
    pub async fn upload_file(&self, dst: &str, name: &str, mime: &str, bytes: &[u8]) -> Value {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap();
        self.c
            .post(self.url(&format!("/fusion/v1/datasheets/{dst}/attachments")))
            .header("Authorization", format!("Bearer {}", self.emu.token()))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The upload URL of one presigned upload to `dst`.
    pub async fn presigned_upload_url(&self, dst: &str) -> String {
        let d = ok(
            &self
                .get(&format!(
                    "/fusion/v1/datasheets/{dst}/attachments/presignedUrl"
                ))
                .await,
            200,
        );
        d["results"][0]["uploadUrl"].as_str().unwrap().to_string()
    }

    pub fn records_path(dst: &str) -> String {
        format!("/fusion/v1/datasheets/{dst}/records")
    }

    /// Creates records (≤10) by name; returns their ids.
    pub async fn create(&self, dst: &str, fields: Vec<Value>) -> Vec<String> {
        let records: Vec<Value> = fields.into_iter().map(|f| json!({ "fields": f })).collect();
        let (st, b) = self
            .post(&Self::records_path(dst), json!({ "records": records }))
            .await;
        assert_eq!(st, 201, "{b}");
        assert_eq!(b["success"], true, "{b}");
        b["data"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["recordId"].as_str().unwrap().to_string())
            .collect()
    }
}

/// The `name` of each object of `items`, in order.
pub fn names(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["name"].as_str().unwrap()).collect()
}

/// A single-line text field.
pub fn text(name: &str) -> FieldSpec {
    FieldSpec::new(name, "SingleText").property(json!({}))
}

/// A number field without decimals.
pub fn integer(name: &str) -> FieldSpec {
    FieldSpec::new(name, "Number").property(json!({"precision": 0}))
}

/// Percent-encodes a query value: every byte but the unreserved ones.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Asserts an error envelope: HTTP status, body code and message.
pub fn assert_err(res: &(u16, Value), http: u16, code: i64, message: &str) {
    let (st, b) = res;
    assert_eq!(*st, http, "status of {b}");
    assert_eq!(b["success"], false, "{b}");
    assert_eq!(b["code"], code, "{b}");
    assert_eq!(b["message"], message, "{b}");
    assert!(b.get("data").is_none(), "error bodies have no data: {b}");
}

/// Asserts a success envelope and returns `data`.
pub fn ok(res: &(u16, Value), http: u16) -> Value {
    let (st, b) = res;
    assert_eq!(*st, http, "status of {b}");
    assert_eq!(b["success"], true, "{b}");
    assert_eq!(b["code"], 200, "{b}");
    assert_eq!(b["message"], "SUCCESS", "{b}");
    b["data"].clone()
}
