//! `apitable schema pull` and `apitable schema check` against the emulator: no drift passes,
//! and every kind of change is reported with exit status 1.

mod common;

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::api::{Fields, WriteOptions};
use apitable_orm::{DatasheetId, FieldId, SpaceId};
use apitable_schema::Snapshot;
use serde_json::{Value, json};

async fn menu(emu: &Emulator) -> String {
    emu.create_datasheet(
        "Menu",
        &[
            FieldSpec::new("Name", "SingleText").property(json!({})),
            FieldSpec::new("Price", "Number").property(json!({"precision": 2})),
            FieldSpec::new("Size", "SingleSelect")
                .property(json!({"options": [{"name": "S"}, {"name": "M"}]})),
            FieldSpec::new("Notes", "Text"),
            FieldSpec::new("Old", "Text"),
        ],
    )
    .await
    .expect("the datasheet")
    .id
}

#[tokio::test]
async fn check_passes_without_drift_and_reports_every_change() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let dst = menu(&emu).await;
    let dir = common::scratch("schema-check");
    let dir_arg = dir.to_str().unwrap();

    let pull = common::cli(
        &emu,
        &[
            "schema",
            "pull",
            "--datasheet",
            &dst,
            "--datasheet",
            common::SUPPLIERS,
            "-o",
            dir_arg,
        ],
    )
    .await;
    assert_eq!(pull.status, 0, "{}", pull.err);
    let file = dir.join(format!("{dst}.json"));
    let snap = Snapshot::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(snap.datasheet.name, "Menu");
    let names: Vec<&str> = snap.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Name", "Price", "Size", "Notes", "Old"]);
    assert!(snap.fields[0].is_primary);
    assert_eq!(
        snap.field("Size").unwrap().select_options(),
        Some(vec!["S", "M"])
    );
    assert_eq!(snap.views.len(), 1);
    assert!(dir.join(format!("{}.json", common::SUPPLIERS)).is_file());
    // Written atomically: no temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let clean = common::cli(&emu, &["schema", "check", dir_arg]).await;
    assert_eq!(clean.status, 0, "{clean:?}");
    assert!(
        clean.out.contains(&format!("{dst} (Menu): matches")),
        "{}",
        clean.out
    );

    // Change the datasheet: a field added, one removed, a select option added by a write.
    emu.create_field(
        &dst,
        FieldSpec::new("Spicy", "Checkbox").property(json!({})),
    )
    .await
    .unwrap();
    let dst_id: DatasheetId = dst.parse().unwrap();
    let space: SpaceId = emu.space_id().parse().unwrap();
    let old: FieldId = snap.field("Old").unwrap().id.parse().unwrap();
    client
        .space(&space)
        .delete_field(&dst_id, &old, None)
        .await
        .unwrap();
    client
        .datasheet(&dst_id)
        .create_records::<_, Fields>(
            &[json!({"Name": "Tea", "Size": "XL"})],
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    // And the snapshot, for what the API cannot change: the committed file knew "Notes" as
    // "Remarks", and "Price" as a currency.
    let mut text: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for field in text["fields"].as_array_mut().unwrap() {
        match field["name"].as_str() {
            Some("Notes") => field["name"] = json!("Remarks"),
            Some("Price") => field["type"] = json!("Currency"),
            _ => {}
        }
    }
    std::fs::write(&file, serde_json::to_string_pretty(&text).unwrap()).unwrap();

    let drift = common::cli(&emu, &["schema", "check", dir_arg]).await;
    assert_eq!(drift.status, 1, "{drift:?}");
    for line in [
        format!("{dst} (Menu): 5 changes since"),
        "  ~ field \"Price\" changed type from Currency to Number".to_owned(),
        "  ~ field \"Size\" options changed; added [\"XL\"]".to_owned(),
        "  ~ field \"Remarks\" was renamed to \"Notes\"".to_owned(),
        "  - field \"Old\" was removed".to_owned(),
        "  + field \"Spicy\" (Checkbox) was added".to_owned(),
        format!("{} (Suppliers): matches", common::SUPPLIERS),
    ] {
        assert!(
            drift.out.contains(&line),
            "missing {line:?} in:\n{}",
            drift.out
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn check_errors_exit_2() {
    let emu = common::emulator().await;
    let empty = common::scratch("schema-empty");
    let run = common::cli(&emu, &["schema", "check", empty.to_str().unwrap()]).await;
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.err.contains("no snapshot files"), "{}", run.err);

    let bad = common::scratch("schema-bad");
    std::fs::write(bad.join("dstBroken0000001.json"), "{\"version\": 99}").unwrap();
    let run = common::cli(&emu, &["schema", "check", bad.to_str().unwrap()]).await;
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.err
            .contains("dstBroken0000001.json: not a datasheet snapshot"),
        "{}",
        run.err
    );

    // A snapshot of a datasheet that is gone is an error, not drift.
    let gone = common::scratch("schema-gone");
    let snap = Snapshot::new(
        apitable_schema::DatasheetRef::new("dstGone000000001", "Gone"),
        vec![],
        vec![],
    );
    std::fs::write(gone.join("dstGone000000001.json"), snap.to_json()).unwrap();
    let run = common::cli(&emu, &["schema", "check", gone.to_str().unwrap()]).await;
    assert_eq!(run.status, 2, "{run:?}");
    assert_eq!(run.err.lines().count(), 1, "{}", run.err);
    assert!(
        run.err
            .starts_with("apitable: error: dstGone000000001: reading the fields"),
        "{}",
        run.err
    );
    emu.shutdown().await;
}
