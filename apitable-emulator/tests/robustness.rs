//! Property tests: arbitrary JSON bodies to every write endpoint and arbitrary query strings
//! never break the server — it keeps answering with an envelope, and never with a panic (500).

mod common;

use std::sync::OnceLock;

use apitable_emulator::{Emulator, FieldSpec};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

struct World {
    rt: tokio::runtime::Runtime,
    emu: Emulator,
    client: reqwest::Client,
    dst: String,
    fields: Vec<String>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (emu, dst) = rt.block_on(async {
            let emu = Emulator::builder().start().await.unwrap();
            let other = emu
                .create_datasheet(
                    "Other",
                    &[FieldSpec::new("Label", "SingleText").property(json!({}))],
                )
                .await
                .unwrap();
            let types = [
                ("Name", "SingleText", Some(json!({}))),
                ("Text", "Text", None),
                ("Num", "Number", Some(json!({"precision": 1}))),
                ("Cur", "Currency", Some(json!({}))),
                ("Pct", "Percent", Some(json!({"precision": 0}))),
                ("Rate", "Rating", Some(json!({"icon": "star", "max": 5}))),
                ("Check", "Checkbox", Some(json!({"icon": "star"}))),
                (
                    "One",
                    "SingleSelect",
                    Some(json!({"options": [{"name": "a"}]})),
                ),
                ("Many", "MultiSelect", Some(json!({"options": []}))),
                (
                    "Date",
                    "DateTime",
                    Some(json!({"dateFormat": "YYYY-MM-DD"})),
                ),
                ("Url", "URL", None),
                ("Mail", "Email", None),
                ("Tel", "Phone", None),
                ("Who", "Member", Some(json!({"isMulti": true}))),
                ("Files", "Attachment", None),
                ("Auto", "AutoNumber", None),
                ("Calc", "Formula", Some(json!({"expression": "1"}))),
                (
                    "Link",
                    "TwoWayLink",
                    Some(json!({"foreignDatasheetId": other.id})),
                ),
            ];
            let specs: Vec<FieldSpec> = types
                .iter()
                .map(|(n, t, p)| {
                    let f = FieldSpec::new(*n, *t);
                    match p {
                        Some(p) => f.property(p.clone()),
                        None => f,
                    }
                })
                .collect();
            let ds = emu.create_datasheet("Fuzz", &specs).await.unwrap();
            emu.insert_records(
                &ds.id,
                (0..5).map(|i| json!({"Name": format!("r{i}")})).collect(),
            )
            .await
            .unwrap();
            (emu, ds.id)
        });
        let fields = emu
            .datasheet(&dst)
            .unwrap()
            .fields
            .iter()
            .flat_map(|f| [f.id.clone(), f.name.clone()])
            .collect();
        World {
            rt,
            emu,
            client: reqwest::Client::new(),
            dst,
            fields,
        }
    })
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("rec0000000000")),
        Just(json!("2021-01-01")),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z]{1,6}", inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A record-ish body reaching the per-field validation.
fn arb_records_body() -> impl Strategy<Value = Value> {
    let w = world();
    let keys = w.fields.clone();
    let cell = (prop::sample::select(keys), arb_json());
    let record = (
        prop::collection::vec(cell, 0..4),
        prop_oneof![
            Just(None),
            Just(Some(json!("rec0000000000"))),
            arb_json().prop_map(Some)
        ],
    )
        .prop_map(|(cells, rid)| {
            let mut o = json!({"fields": Value::Object(cells.into_iter().collect())});
            if let Some(r) = rid {
                o["recordId"] = r;
            }
            o
        });
    (
        prop::collection::vec(record, 0..12),
        prop_oneof![Just(json!("name")), Just(json!("id")), arb_json()],
    )
        .prop_map(|(records, key)| json!({"records": records, "fieldKey": key}))
}

fn send(method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let w = world();
    w.rt.block_on(async {
        let mut r = w
            .client
            .request(
                method.parse().unwrap(),
                format!("{}{}", w.emu.base_url(), path),
            )
            .header("Authorization", format!("Bearer {}", w.emu.token()));
        if let Some(b) = body {
            r = r
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = r.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, v)
    })
}

fn assert_envelope(method: &str, path: &str, (status, v): &(u16, Value)) {
    assert!(v["success"].is_boolean(), "{method} {path}: {v}");
    assert!(v["code"].is_i64(), "{method} {path}: {v}");
    let code = v["code"].as_i64().unwrap();
    assert!(
        code != 500,
        "{method} {path} answered a server error (a handler panicked?): {status} {v}"
    );
}

proptest! {
    // 160 cases unless PROPTEST_CASES asks for another number.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(160),
        .. ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bodies_to_write_endpoints(body in arb_json(), rec in arb_records_body()) {
        let w = world();
        let spc = w.emu.space_id().to_string();
        let dst = w.dst.clone();
        let targets = [
            ("POST", format!("/fusion/v1/datasheets/{dst}/records")),
            ("PATCH", format!("/fusion/v1/datasheets/{dst}/records")),
            ("PUT", format!("/fusion/v1/datasheets/{dst}/records")),
            ("POST", format!("/fusion/v1/spaces/{spc}/datasheets/{dst}/fields")),
            ("POST", format!("/fusion/v1/spaces/{spc}/datasheets")),
            ("DELETE", format!("/fusion/v1/spaces/{spc}/datasheets/{dst}/fields/fldNOPE0000000")),
            ("POST", format!("/fusion/v1/spaces/{spc}/roles")),
            ("POST", format!("/fusion/v1/spaces/{spc}/teams")),
        ];
        for (m, p) in &targets {
            let res = send(m, p, Some(&body));
            assert_envelope(m, p, &res);
        }
        for m in ["POST", "PATCH"] {
            let p = format!("/fusion/v1/datasheets/{dst}/records");
            let res = send(m, &p, Some(&rec));
            assert_envelope(m, &p, &res);
        }
    }

    #[test]
    fn arbitrary_query_strings(q in "[a-zA-Z0-9%&=\\[\\]{}\",:.+ -]{0,60}") {
        let w = world();
        let dst = w.dst.clone();
        let spc = w.emu.space_id().to_string();
        let q = q.replace(' ', "+");
        for (m, p) in [
            ("GET", format!("/fusion/v1/datasheets/{dst}/records?{q}")),
            ("GET", format!("/fusion/v1/datasheets/{dst}/records?sort={q}")),
            ("GET", format!("/fusion/v1/datasheets/{dst}/records?filterByFormula={q}")),
            ("GET", format!("/fusion/v1/datasheets/{dst}/fields?{q}")),
            ("GET", format!("/fusion/v2/spaces/{spc}/nodes?{q}")),
            ("GET", format!("/fusion/v1/spaces/{spc}/roles?{q}")),
            ("DELETE", format!("/fusion/v1/datasheets/{dst}/records?{q}")),
        ] {
            let res = send(m, &p, None);
            assert_envelope(m, &p, &res);
        }
    }
}
