//! `apitable codegen` against the emulator: the committed module is exactly what the command
//! writes for a datasheet with every field type, and it compiles and round-trips a record.

mod common;

/// The module `apitable codegen --snapshot --schema-attr` writes for [`EVERY_TYPE`]: the derive
/// checks each of its types against the snapshot when this test compiles.
#[allow(dead_code)]
#[path = "generated/every_type.rs"]
mod every_type;

use apitable_orm::api::{SpaceMember, Upload};
use apitable_orm::prelude::*;
use apitable_orm::value::{Computed, Member, Url};
use apitable_orm::{SpaceId, UnitId};
use common::EVERY_TYPE;
use every_type::{DishList, DishListCourse, DishListTags};
use serde_json::{Value, json};

/// The committed module.
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/generated/every_type.rs");
/// The snapshot the committed module is generated from (relative to Cargo.toml, where tests
/// run).
const SNAPSHOT: &str = "tests/generated/dstCliEveryType01.json";

/// The committed module as `codegen --datasheet` writes it: the same but for the command line
/// in its header and the struct attribute, which names no snapshot.
fn without_schema_attr(committed: &str) -> String {
    let swaps = [
        (
            format!("`apitable codegen --snapshot {SNAPSHOT} --schema-attr --by name`."),
            format!("`apitable codegen --datasheet {EVERY_TYPE} --by name`."),
        ),
        (
            format!(
                "#[apitable(\n    datasheet = \"{EVERY_TYPE}\",\n    schema = \"{SNAPSHOT}\"\n)]"
            ),
            format!("#[apitable(datasheet = \"{EVERY_TYPE}\")]"),
        ),
    ];
    swaps.iter().fold(committed.to_owned(), |text, (from, to)| {
        assert_eq!(
            text.matches(from.as_str()).count(),
            1,
            "the committed module has {from:?} once"
        );
        text.replacen(from.as_str(), to, 1)
    })
}

/// `apitable schema pull` of [`EVERY_TYPE`] into the folder `dir`.
async fn pull_every_type(emu: &apitable_emulator::Emulator, dir: &str) -> common::Run {
    common::cli(
        emu,
        &["schema", "pull", "--datasheet", EVERY_TYPE, "-o", dir],
    )
    .await
}

/// Fails when the generator's output for a live datasheet drifts from the committed module
/// (which is the output for the datasheet's snapshot; the two differ only in the header).
/// After an intended change, rerun with `APITABLE_CLI_BLESS=1` to rewrite the module (the
/// test below does), and review the diff.
#[tokio::test]
async fn the_committed_module_is_what_codegen_prints() {
    let emu = common::emulator().await;
    let run = common::cli(
        &emu,
        &["codegen", "--datasheet", EVERY_TYPE, "--by", "name"],
    )
    .await;
    assert_eq!(run.status, 0, "{}", run.err);
    assert_eq!(run.err, "", "no warnings for this datasheet");
    let committed = std::fs::read_to_string(COMMITTED).expect("the committed module");
    assert_eq!(
        run.out,
        without_schema_attr(&committed),
        "codegen output differs from tests/generated/every_type.rs (rerun with APITABLE_CLI_BLESS=1 if intended)"
    );
    emu.shutdown().await;
}

/// Ana, a member of the seeded space, found as a user would: by name in the contacts API.
async fn ana(emu: &apitable_emulator::Emulator, client: &apitable_orm::Client) -> SpaceMember {
    let space: SpaceId = emu.space_id().parse().unwrap();
    let root: UnitId = "0".parse().unwrap();
    let members = client
        .space(&space)
        .team_members(&root, false, 1, 100)
        .await
        .expect("the space's members");
    members
        .items
        .into_iter()
        .find(|m| m.name == "Ana")
        .expect("Ana is a member of the space")
}

#[tokio::test]
async fn the_generated_struct_writes_a_record_and_reads_it_back_equal() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let dst: apitable_orm::DatasheetId = EVERY_TYPE.parse().unwrap();
    let upload = client
        .datasheet(&dst)
        .upload_attachment(Upload::from_bytes("soup.txt", b"hot soup".to_vec()).mime("text/plain"))
        .await
        .expect("an upload");
    let cook = ana(&emu, &client).await;
    let dishes = client.table::<DishList>();

    let mut soup = DishList {
        id: None,
        name: Some("Pumpkin soup".into()),
        notes: Some("Line one\nline \"two\" {braces} \\ back".into()),
        price: Some(6.5),
        discount: Some(0.15),
        calories_kcal: Some(320.0),
        rating: Some(4),
        vegan: true,
        course: Some(DishListCourse::MainCourse2),
        tags: vec![DishListTags::Hot, DishListTags::GlutenFree],
        served: Some(Timestamp::from_millis(1_704_067_200_000)),
        photo: vec![upload],
        site: Some(Url::new("https://example.com/soup").with_title("Soup page")),
        email: Some("chef@example.com".into()),
        r#type: Some("+1 555 0100".into()),
        cooks: vec![Member::from(&cook)],
        no: None,
        created: None,
        edited: None,
        created_by: None,
        edited_by: None,
        price_x2: None,
        label: None,
        recipe: Value::Null,
        supplier: vec![common::SUPPLIER_A.parse().unwrap()],
        also_from: vec![common::SUPPLIER_B.parse().unwrap()],
        supplier_names: Value::Null,
        supplier_stars: None,
    };
    dishes.save(&mut soup).await.expect("the record is created");
    let id = soup.id.clone().expect("save stores the new id");
    let back = dishes
        .query()
        .get(&id)
        .await
        .expect("a read")
        .expect("the record exists");

    // What the server computes.
    assert_eq!(back.price_x2, Some(Computed::Value(13.0)));
    assert_eq!(back.label, Some(Computed::Value("Pumpkin soup!".into())));
    assert_eq!(back.supplier_names, json!(["Acme"]));
    assert_eq!(back.supplier_stars, Some(Computed::Value(4.0)));
    assert!(back.no.is_some() && back.created.is_some() && back.created_by.is_some());
    assert_eq!(back.photo[0].token, soup.photo[0].token);
    assert_eq!(
        back.cooks[0].unit_id.as_deref(),
        Some(cook.unit_id.as_str())
    );
    let site = back.site.as_ref().expect("the URL reads back");
    assert_eq!(
        (site.text.as_str(), site.title.as_deref()),
        ("https://example.com/soup", Some("Soup page"))
    );
    // Everything written reads back equal (attachments and members come back fuller).
    let expected = DishList {
        id: Some(id),
        no: back.no,
        created: back.created,
        edited: back.edited,
        created_by: back.created_by.clone(),
        edited_by: back.edited_by.clone(),
        price_x2: back.price_x2.clone(),
        label: back.label.clone(),
        supplier_names: back.supplier_names.clone(),
        supplier_stars: back.supplier_stars.clone(),
        photo: back.photo.clone(),
        cooks: back.cooks.clone(),
        site: back.site.clone(),
        ..soup.clone()
    };
    assert_eq!(back, expected);

    // The primary field is the upsert key: the same row again changes nothing.
    let report = client
        .table::<DishList>()
        .upsert(std::slice::from_ref(&back))
        .await
        .expect("an upsert");
    assert_eq!(
        (
            report.created.len(),
            report.updated.len(),
            report.unchanged.len()
        ),
        (0, 0, 1)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn by_id_maps_every_column_by_its_id_and_snapshots_give_the_same_code() {
    let emu = common::emulator().await;
    let by_id = common::cli(&emu, &["codegen", "--datasheet", EVERY_TYPE, "--by", "id"]).await;
    assert_eq!(by_id.status, 0, "{}", by_id.err);
    assert!(
        by_id
            .out
            .contains("#[apitable(key, id = \"fldName000001\")]\n    pub name: Option<String>,")
    );
    assert!(
        by_id
            .out
            .contains("#[apitable(read_only, id = \"fldDouble0001\")]")
    );
    assert!(!by_id.out.contains("apitable(name ="), "{}", by_id.out);
    assert!(!by_id.out.contains(", name ="), "{}", by_id.out);

    // The same module from a pulled snapshot file, but for the command in the header.
    let dir = common::scratch("codegen-snapshot");
    let pull = pull_every_type(&emu, dir.to_str().unwrap()).await;
    assert_eq!(pull.status, 0, "{}", pull.err);
    let file = dir.join(format!("{EVERY_TYPE}.json"));
    let out = dir.join("tables.rs");
    let from_file = common::cli(
        &emu,
        &[
            "codegen",
            "--snapshot",
            file.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(from_file.status, 0, "{}", from_file.err);
    let from_file = std::fs::read_to_string(&out).expect("the module file");
    let committed = std::fs::read_to_string(COMMITTED).expect("the committed module");
    let body = |code: &str| code.split_once("\n\n").map(|(_, b)| b.to_owned()).unwrap();
    assert_eq!(body(&from_file), body(&without_schema_attr(&committed)));
    assert!(from_file.contains(&format!(
        "`apitable codegen --snapshot {} --by name`",
        file.display()
    )));
    emu.shutdown().await;
}

#[tokio::test]
async fn codegen_errors_are_one_line_and_exit_2() {
    let emu = common::emulator().await;
    for (args, says) in [
        (
            &["codegen", "--datasheet", "fldNotADatasheet"][..],
            "--datasheet \"fldNotADatasheet\"",
        ),
        (
            &["codegen", "--datasheet", "dstDoesNotExist00"][..],
            "dstDoesNotExist00: reading the fields",
        ),
        (&["codegen"][..], "--datasheet"),
        (
            &["codegen", "--snapshot", "/nonexistent/x.json"][..],
            "/nonexistent/x.json",
        ),
    ] {
        let run = common::cli(&emu, args).await;
        assert_eq!(run.status, 2, "{args:?}: {run:?}");
        assert_eq!(run.out, "", "{args:?}");
        assert_eq!(run.err.lines().count(), 1, "{args:?}: {}", run.err);
        assert!(run.err.contains(says), "{args:?}: {}", run.err);
    }
    emu.shutdown().await;
}

/// The module generated from the committed snapshot with `--schema-attr` is the committed
/// one, and it compiles: the derive checks every generated type against the snapshot's field types
/// (so codegen and the derive's fit rules agree for every field type). The snapshot itself
/// must still describe the datasheet: `schema check` finds no change but in the settings that
/// hold ids the emulator draws at random (member and user lists, a two-way link's sibling).
#[tokio::test]
async fn the_module_checked_against_its_snapshot_is_what_codegen_prints() {
    let emu = common::emulator().await;
    if std::env::var_os("APITABLE_CLI_BLESS").is_some() {
        let pull = pull_every_type(&emu, "tests/generated").await;
        assert_eq!(pull.status, 0, "{}", pull.err);
    }
    let run = common::cli(&emu, &["codegen", "--snapshot", SNAPSHOT, "--schema-attr"]).await;
    assert_eq!(run.status, 0, "{}", run.err);
    assert!(run.out.contains(&format!(
        "#[apitable(\n    datasheet = \"{EVERY_TYPE}\",\n    schema = \"{SNAPSHOT}\"\n)]"
    )));
    if std::env::var_os("APITABLE_CLI_BLESS").is_some() {
        std::fs::write(COMMITTED, &run.out).expect("the committed module is writable");
    }
    let committed = std::fs::read_to_string(COMMITTED).expect("the committed module");
    assert_eq!(
        run.out, committed,
        "codegen output differs from tests/generated/every_type.rs (rerun with APITABLE_CLI_BLESS=1 if intended)"
    );

    let check = common::cli(&emu, &["schema", "check", "tests/generated"]).await;
    let changes: Vec<&str> = check.out.lines().filter(|l| l.starts_with("  ")).collect();
    assert!(
        changes.iter().all(|c| [
            "  ~ field \"Cooks\" settings changed",
            "  ~ field \"Created By\" settings changed",
            "  ~ field \"Edited By\" settings changed",
            "  ~ field \"Also from\" settings changed",
        ]
        .contains(c)),
        "the committed snapshot no longer describes the datasheet:\n{}{}",
        check.out,
        check.err
    );
    emu.shutdown().await;
}
