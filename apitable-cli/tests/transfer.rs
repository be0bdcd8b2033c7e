//! `apitable export` and `apitable import` against the emulator: a round trip through JSON
//! and CSV reproduces every writable cell; reruns write nothing; interrupted imports finish
//! on a rerun without duplicates.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use apitable_emulator::{Emulator, Faults, FieldSpec};
use apitable_orm::api::Upload;
use apitable_orm::{Client, DatasheetId};
use serde_json::{Map, Value, json};

/// The pantry's fields: one of each writable type, and two computed ones.
fn pantry_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("Name", "SingleText").property(json!({})),
        FieldSpec::new("Notes", "Text"),
        FieldSpec::new("Qty", "Number").property(json!({"precision": 1})),
        FieldSpec::new("Price", "Currency").property(json!({"precision": 2})),
        FieldSpec::new("Share", "Percent").property(json!({"precision": 1})),
        FieldSpec::new("Stars", "Rating").property(json!({"icon": "star", "max": 5})),
        FieldSpec::new("Fresh", "Checkbox").property(json!({"icon": "white_check_mark"})),
        FieldSpec::new("Kind", "SingleSelect").property(json!({"options": []})),
        FieldSpec::new("Tags", "MultiSelect").property(json!({"options": []})),
        FieldSpec::new("Best before", "DateTime")
            .property(json!({"dateFormat": "YYYY-MM-DD", "includeTime": true})),
        FieldSpec::new("Label", "Attachment"),
        FieldSpec::new("Link", "URL"),
        FieldSpec::new("Email", "Email"),
        FieldSpec::new("Phone", "Phone"),
        FieldSpec::new("Buyer", "Member").property(json!({"isMulti": true})),
        FieldSpec::new("From", "OneWayLink")
            .property(json!({"foreignDatasheetId": common::SUPPLIERS})),
        FieldSpec::new("Total", "Formula").property(json!({"expression": "{Qty} * {Price}"})),
        FieldSpec::new("No", "AutoNumber"),
    ]
}

/// The fields an import writes.
const WRITABLE: &[&str] = &[
    "Name",
    "Notes",
    "Qty",
    "Price",
    "Share",
    "Stars",
    "Fresh",
    "Kind",
    "Tags",
    "Best before",
    "Label",
    "Link",
    "Email",
    "Phone",
    "Buyer",
    "From",
];

/// Keys that a naive formula would get wrong.
const NASTY_KEYS: &[&str] = &[
    "Tea \"green\"",
    "x“ || TRUE() || “",
    "{braces}",
    "}{",
    "back\\slash",
    "C:\\new",
    "ends with \\",
    "line\nbreak",
    "01",
    "1",
    "it's",
    "emoji 🍕",
    "名前",
    "a, b; c",
];

const ROWS: usize = 35;

async fn pantry(emu: &Emulator, name: &str) -> String {
    emu.create_datasheet(name, &pantry_fields())
        .await
        .expect("a pantry datasheet")
        .id
}

/// Fills a pantry with [`ROWS`] rows, some with every cell, some nearly empty.
async fn fill(emu: &Emulator, client: &Client, dst: &str) {
    let id: DatasheetId = dst.parse().unwrap();
    let mut tokens = Vec::new();
    for name in ["label-a.txt", "label-b.txt"] {
        let a = client
            .datasheet(&id)
            .upload_attachment(
                Upload::from_bytes(name, name.as_bytes().to_vec()).mime("text/plain"),
            )
            .await
            .expect("an upload");
        tokens.push(json!({"token": a.token, "name": a.name}));
    }
    let mut rows = Vec::new();
    for i in 0..ROWS {
        let name = NASTY_KEYS
            .get(i)
            .map_or_else(|| format!("item {i:02}"), |k| (*k).to_owned());
        let mut cells = json!({"Name": name});
        if i % 3 != 2 {
            cells["Notes"] = json!(format!("note {i}: \"quoted\", {{braced}}\nsecond line"));
            cells["Qty"] = json!(i as f64 / 2.0);
            cells["Price"] = json!(1.25 * i as f64);
            cells["Share"] = json!(0.05 * (i % 5) as f64);
            cells["Stars"] = json!(i % 6);
            cells["Fresh"] = json!(i % 2 == 0);
            cells["Kind"] = json!(["dry", "cold", "fresh, local"][i % 3]);
            cells["Tags"] = [json!(["a"]), json!(["b", "a"]), json!(["c, d"])][i % 3].clone();
            cells["Best before"] = json!(1_704_067_200_000_i64 + i as i64 * 86_400_000);
            cells["Email"] = json!(format!("buyer{i}@example.com"));
            cells["Phone"] = json!(format!("+1 555 01{i:02}"));
            cells["From"] = json!([common::SUPPLIER_A]);
        }
        if i % 4 == 0 {
            cells["Label"] = json!([tokens[i % 2]]);
            cells["Buyer"] = json!([{"name": "Ana", "type": "Member"}]);
            cells["Link"] =
                json!({"text": format!("https://example.com/{i}"), "title": format!("Item {i}")});
            cells["From"] = json!([common::SUPPLIER_A, common::SUPPLIER_B]);
        } else if i % 4 == 1 {
            cells["Link"] = json!(format!("https://example.com/plain/{i}"));
        }
        rows.push(cells);
    }
    emu.insert_records(dst, rows).await.expect("the rows");
}

/// A cell in a comparable form: numbers as floats, attachments by token and name, members by
/// id, URLs by text and title.
fn normal(field: &str, cell: &Value) -> Value {
    match (field, cell) {
        ("Label", Value::Array(items)) => {
            json!(
                items
                    .iter()
                    .map(|a| json!([a["token"], a["name"]]))
                    .collect::<Vec<_>>()
            )
        }
        ("Buyer", Value::Array(items)) => {
            json!(items.iter().map(|m| m["id"].clone()).collect::<Vec<_>>())
        }
        ("Link", Value::Object(u)) => json!([u["text"], u["title"]]),
        (_, Value::Number(n)) => json!(n.as_f64()),
        _ => cell.clone(),
    }
}

/// The writable cells of every record, by key; fails on a key seen twice.
async fn table(client: &Client, dst: &str) -> BTreeMap<String, Map<String, Value>> {
    let mut out = BTreeMap::new();
    for (id, fields) in common::records(client, dst).await {
        let key = fields["Name"]
            .as_str()
            .expect("every row has a key")
            .to_owned();
        let cells: Map<String, Value> = WRITABLE
            .iter()
            .filter_map(|f| fields.get(*f).map(|c| ((*f).to_owned(), normal(f, c))))
            .collect();
        assert!(
            out.insert(key.clone(), cells).is_none(),
            "key {key:?} twice (record {id})"
        );
    }
    out
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

async fn import(emu: &Emulator, dst: &str, file: &Path) -> common::Run {
    import_by(emu, dst, file, "Name").await
}

/// `apitable import` of `file` into `dst` by the key field `key`.
async fn import_by(emu: &Emulator, dst: &str, file: &Path, key: &str) -> common::Run {
    common::cli(
        emu,
        &["import", "--datasheet", dst, path(file), "--key", key],
    )
    .await
}

/// `apitable export` of `source` to `file`.
async fn export(emu: &Emulator, source: &str, file: &Path) -> common::Run {
    common::cli(emu, &["export", "--datasheet", source, "-o", path(file)]).await
}

/// A new emulator with a client and a pantry named "Pantry" filled by [`fill`]; with the
/// pantry's id and its [`table`].
async fn filled_pantry() -> (
    Emulator,
    Client,
    String,
    BTreeMap<String, Map<String, Value>>,
) {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let source = pantry(&emu, "Pantry").await;
    fill(&emu, &client, &source).await;
    let table = table(&client, &source).await;
    (emu, client, source, table)
}

#[tokio::test]
async fn export_then_import_reproduces_every_record_through_json_and_csv() {
    let (emu, client, source, expected) = filled_pantry().await;
    assert_eq!(expected.len(), ROWS);
    let dir = common::scratch("transfer-round-trip");

    let json_file = dir.join("pantry.json");
    let run = export(&emu, &source, &json_file).await;
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.err.contains(&format!("exported {ROWS} records")),
        "{}",
        run.err
    );
    let exported: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(exported.len(), ROWS);
    assert!(exported.iter().all(|r| {
        r["recordId"]
            .as_str()
            .is_some_and(|id| id.starts_with("rec"))
    }));
    assert_eq!(exported[0]["fields"]["Name"], json!(NASTY_KEYS[0]));

    // To standard output, the same records.
    let stdout = common::cli(
        &emu,
        &["export", "--datasheet", &source, "--format", "json"],
    )
    .await;
    assert_eq!(stdout.status, 0, "{stdout:?}");
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&stdout.out).unwrap(),
        exported
    );

    let csv_file = dir.join("pantry.csv");
    let run = export(&emu, &source, &csv_file).await;
    assert_eq!(run.status, 0, "{run:?}");
    let csv_text = std::fs::read_to_string(&csv_file).unwrap();
    assert!(csv_text.starts_with("Name,Notes,Qty,Price,Share,Stars,Fresh,Kind,Tags,Best before,Label,Link,Email,Phone,Buyer,From,Total,No\n"), "{csv_text}");

    for (file, copy) in [(&json_file, "Copy from JSON"), (&csv_file, "Copy from CSV")] {
        let target = pantry(&emu, copy).await;
        let run = import(&emu, &target, file).await;
        assert_eq!(run.status, 0, "{copy}: {run:?}");
        assert!(
            run.out.contains(&format!(
                "{ROWS} rows: {ROWS} created, 0 updated, 0 unchanged"
            )),
            "{copy}: {}",
            run.out
        );
        assert!(
            run.err.contains("not written: Total, No"),
            "{copy}: {}",
            run.err
        );
        assert_eq!(table(&client, &target).await, expected, "{copy}");

        // A rerun finds every row identical and writes nothing.
        emu.reset_stats().await;
        let again = import(&emu, &target, file).await;
        assert_eq!(again.status, 0, "{copy}: {again:?}");
        assert!(
            again
                .out
                .contains(&format!("0 created, 0 updated, {ROWS} unchanged")),
            "{copy}: {}",
            again.out
        );
        let stats = emu.stats().await;
        let writes: u64 = stats
            .routes
            .iter()
            .filter(|(route, _)| !route.starts_with("GET "))
            .map(|(_, r)| r.count)
            .sum();
        assert_eq!(writes, 0, "{copy}: {stats:?}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn changed_rows_are_updated_and_empty_cells_clear_nothing() {
    let (emu, client, target, before) = filled_pantry().await;
    let dir = common::scratch("transfer-update");
    let file = dir.join("rows.json");
    // Plain objects of cells: one changed price, one row with only its key, one new row.
    std::fs::write(
        &file,
        json!([
            {"Name": "item 20", "Price": 99.5},
            {"Name": "item 21"},
            {"Name": "brand new", "Qty": 3, "Tags": ["new"]}
        ])
        .to_string(),
    )
    .unwrap();
    let run = import(&emu, &target, &file).await;
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.out
            .contains("3 rows: 1 created, 1 updated, 1 unchanged"),
        "{}",
        run.out
    );
    let after = table(&client, &target).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after["item 20"]["Price"], json!(99.5));
    let mut rest = after["item 20"].clone();
    rest.remove("Price");
    let mut was = before["item 20"].clone();
    was.remove("Price");
    assert_eq!(rest, was, "only the price changed");
    assert_eq!(after["item 21"], before["item 21"]);
    assert_eq!(after["brand new"]["Tags"], json!(["new"]));

    // The key may be named by field id too.
    let key_id = emu
        .datasheet(&target)
        .unwrap()
        .field_id("Name")
        .unwrap()
        .to_owned();
    let by_id = import_by(&emu, &target, &file, &key_id).await;
    assert_eq!(by_id.status, 0, "{by_id:?}");
    assert!(
        by_id
            .out
            .contains("3 rows: 0 created, 0 updated, 3 unchanged"),
        "{}",
        by_id.out
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_any_write() {
    let emu = common::emulator().await;
    let target = pantry(&emu, "Pantry").await;
    let dir = common::scratch("transfer-bad");
    let cases = [
        (
            "dupes.json",
            json!([{"Name": "a"}, {"Name": "a"}]).to_string(),
            "record #1 and record #2 have the same key \"a\"",
        ),
        (
            "nokey.json",
            json!([{"Name": "a"}, {"Qty": 1}]).to_string(),
            "record #2 has no value for the key field \"Name\"",
        ),
        (
            "unknown.json",
            json!([{"Name": "a", "Colour": "red"}]).to_string(),
            "not fields of the datasheet: \"Colour\"",
        ),
        (
            "type.json",
            json!([{"Name": "a", "Qty": "lots"}]).to_string(),
            "record #1, field \"Qty\": a Number cell must be a number",
        ),
        (
            "bad.csv",
            "Name,Qty\na,1\nb,six\n".to_owned(),
            "line 3, field \"Qty\"",
        ),
        (
            "ragged.csv",
            "Name,Qty\na,1,extra\n".to_owned(),
            "ragged.csv",
        ),
        ("notjson.json", "[{".to_owned(), "not valid JSON"),
    ];
    for (name, text, says) in cases {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let run = import(&emu, &target, &file).await;
        assert_eq!(run.status, 2, "{name}: {run:?}");
        assert_eq!(run.err.lines().count(), 1, "{name}: {}", run.err);
        assert!(run.err.contains(says), "{name}: {}", run.err);
    }
    let computed_key = import_by(&emu, &target, &dir.join("dupes.json"), "Total").await;
    assert_eq!(computed_key.status, 2);
    assert!(
        computed_key.err.contains("computed or read-only"),
        "{}",
        computed_key.err
    );
    let list_key = import_by(&emu, &target, &dir.join("dupes.json"), "Tags").await;
    assert_eq!(list_key.status, 2);
    assert!(
        list_key.err.contains("a MultiSelect field cannot be a key"),
        "{}",
        list_key.err
    );
    // Nothing was written by any of them.
    let client = common::client(&emu);
    assert!(common::records(&client, &target).await.is_empty());

    // A key held by two records on the server cannot say which to update.
    emu.insert_records(
        &target,
        vec![json!({"Name": "twin"}), json!({"Name": "twin"})],
    )
    .await
    .unwrap();
    let file = dir.join("twin.json");
    std::fs::write(&file, json!([{"Name": "twin", "Qty": 1}]).to_string()).unwrap();
    let run = import(&emu, &target, &file).await;
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.err
            .contains("share the key \"twin\"; make the key unique first"),
        "{}",
        run.err
    );
    assert_eq!(common::records(&client, &target).await.len(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_import_finishes_on_a_rerun_without_duplicates() {
    let (emu, client, source, expected) = filled_pantry().await;
    let dir = common::scratch("transfer-interrupted");
    let file = dir.join("pantry.json");
    let run = export(&emu, &source, &file).await;
    assert_eq!(run.status, 0, "{run:?}");

    // The first create is applied, then its answer is lost: the import stops.
    let target = pantry(&emu, "Copy").await;
    emu.set_faults(Faults {
        applied_drop: 1.0,
        method: Some("POST".into()),
        datasheet: Some(target.clone()),
        seed: Some(7),
        ..Faults::none()
    })
    .await;
    let stopped = import(&emu, &target, &file).await;
    assert_eq!(stopped.status, 2, "{stopped:?}");
    assert_eq!(
        stopped
            .err
            .lines()
            .filter(|l| l.starts_with("apitable: error:"))
            .count(),
        1,
        "{}",
        stopped.err
    );
    assert!(
        stopped.err.contains("the import stopped with 0 created"),
        "{}",
        stopped.err
    );
    assert!(
        stopped.err.contains("run the same command again"),
        "{}",
        stopped.err
    );
    assert_eq!(
        common::records(&client, &target).await.len(),
        10,
        "the lost batch was applied"
    );

    emu.set_faults(Faults::none()).await;
    let rerun = import(&emu, &target, &file).await;
    assert_eq!(rerun.status, 0, "{rerun:?}");
    assert!(
        rerun
            .out
            .contains(&format!("{ROWS} rows: 25 created, 0 updated, 10 unchanged")),
        "{}",
        rerun.out
    );
    assert_eq!(table(&client, &target).await, expected);
    emu.shutdown().await;
}

#[tokio::test]
async fn imports_survive_partial_batches_and_repeated_failures() {
    let (emu, client, source, expected) = filled_pantry().await;
    let dir = common::scratch("transfer-faults");
    let file = dir.join("pantry.csv");
    let run = export(&emu, &source, &file).await;
    assert_eq!(run.status, 0, "{run:?}");

    // Each create of several records makes only some of them: the rest are sent again.
    let partial = pantry(&emu, "Partial").await;
    emu.set_faults(Faults {
        partial_batch: 1.0,
        datasheet: Some(partial.clone()),
        seed: Some(3),
        ..Faults::none()
    })
    .await;
    let run = import(&emu, &partial, &file).await;
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.out.contains(&format!("{ROWS} created")), "{}", run.out);
    assert!(
        emu.stats()
            .await
            .faults
            .get("partialBatch")
            .is_some_and(|n| *n > 0)
    );
    assert_eq!(table(&client, &partial).await, expected);

    // Creates fail at random, before or after being applied: rerun until done.
    let flaky = pantry(&emu, "Flaky").await;
    emu.set_faults(Faults {
        applied_drop: 0.25,
        server_error: 0.15,
        truncated: 0.15,
        method: Some("POST".into()),
        datasheet: Some(flaky.clone()),
        seed: Some(42),
        ..Faults::none()
    })
    .await;
    let mut failures = 0;
    loop {
        let run = import(&emu, &flaky, &file).await;
        if run.status == 0 {
            break;
        }
        assert_eq!(run.status, 2, "{run:?}");
        assert!(
            run.err.contains("run the same command again"),
            "{}",
            run.err
        );
        failures += 1;
        assert!(failures < 40, "no complete run in 40 attempts");
    }
    assert!(
        failures > 0,
        "the faults never hit; the test proves nothing"
    );
    assert_eq!(table(&client, &flaky).await, expected);
    emu.shutdown().await;
}
