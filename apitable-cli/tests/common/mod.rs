//! Shared by the CLI's tests: the seeded emulator, a client for it, and a way to run the
//! command line against it in-process.

#![allow(dead_code)]

use std::path::PathBuf;

use apitable_emulator::Emulator;
use apitable_orm::api::{Fields, ListRecords};
use apitable_orm::{Client, DatasheetId};
use futures_util::TryStreamExt;
use serde_json::{Value, json};

/// The datasheet with every field type the emulator can create.
pub const EVERY_TYPE: &str = "dstCliEveryType01";
/// The datasheet its links point to.
pub const SUPPLIERS: &str = "dstCliSuppliers01";
/// Records of [`SUPPLIERS`].
pub const SUPPLIER_A: &str = "recSupplierA1";
pub const SUPPLIER_B: &str = "recSupplierB1";

/// The seed: a space with a member, the suppliers and the every-type datasheet.
pub fn seed() -> Value {
    json!({"spaces": [{
        "name": "Kitchen",
        "members": [{"name": "Ana", "type": "Member"}],
        "nodes": [
            {"type": "Datasheet", "name": "Suppliers", "id": SUPPLIERS,
             "fields": [
                {"id": "fldSupName001", "name": "Name", "type": "SingleText", "property": {}},
                {"id": "fldSupStars02", "name": "Stars", "type": "Number", "property": {"precision": 0}}
             ],
             "records": [
                {"id": SUPPLIER_A, "fields": {"Name": "Acme", "Stars": 4}},
                {"id": SUPPLIER_B, "fields": {"Name": "Bolt", "Stars": 2}}
             ]},
            {"type": "Datasheet", "name": "Dish list", "id": EVERY_TYPE,
             "fields": every_type_fields()}
        ]
    }]})
}

/// The fields of [`EVERY_TYPE`], ids fixed so that generated code is reproducible.
pub fn every_type_fields() -> Value {
    // Options with fixed ids (which then need a colour) keep the snapshot reproducible.
    let select = |names: &[&str]| -> Value {
        let options: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"id": format!("opt{:0>10}", i + 1), "name": n, "color": i}))
            .collect();
        json!({ "options": options })
    };
    json!([
        {"id": "fldName000001", "name": "Name", "type": "SingleText", "property": {},
         "desc": "The dish, as the menu spells it.\nUnique: imports match on it."},
        {"id": "fldNotes00001", "name": "Notes", "type": "Text"},
        {"id": "fldPrice00001", "name": "Price", "type": "Currency",
         "property": {"symbol": "€", "precision": 2}},
        {"id": "fldDiscount01", "name": "Discount", "type": "Percent", "property": {"precision": 1}},
        {"id": "fldCalories01", "name": "Calories (kcal)", "type": "Number", "property": {"precision": 0}},
        {"id": "fldRating0001", "name": "Rating", "type": "Rating", "property": {"icon": "star", "max": 5}},
        {"id": "fldVegan00001", "name": "Vegan?", "type": "Checkbox", "property": {"icon": "white_check_mark"}},
        {"id": "fldCourse0001", "name": "Course", "type": "SingleSelect",
         "property": select(&["Starter", "Main course", "main-course", "Dessert & sweets", "2 for 1"])},
        {"id": "fldTags000001", "name": "Tags", "type": "MultiSelect",
         "property": select(&["hot", "vegan", "gluten-free"])},
        {"id": "fldServed0001", "name": "Served", "type": "DateTime",
         "property": {"dateFormat": "YYYY-MM-DD", "includeTime": true}},
        {"id": "fldPhoto00001", "name": "Photo", "type": "Attachment"},
        {"id": "fldSite000001", "name": "Site", "type": "URL"},
        {"id": "fldEmail00001", "name": "Email", "type": "Email"},
        {"id": "fldPhone00001", "name": "type", "type": "Phone", "desc": "A phone number (the field is called `type`)."},
        {"id": "fldCooks00001", "name": "Cooks", "type": "Member", "property": {"isMulti": true}},
        {"id": "fldSupplier01", "name": "Supplier", "type": "OneWayLink",
         "property": {"foreignDatasheetId": SUPPLIERS}},
        {"id": "fldAlsoFrom01", "name": "Also from", "type": "TwoWayLink",
         "property": {"foreignDatasheetId": SUPPLIERS}},
        {"id": "fldNumber0001", "name": "No.", "type": "AutoNumber"},
        {"id": "fldCreated001", "name": "Created", "type": "CreatedTime", "property": {"dateFormat": "YYYY-MM-DD"}},
        {"id": "fldEdited0001", "name": "Edited", "type": "LastModifiedTime", "property": {"dateFormat": "YYYY-MM-DD"}},
        {"id": "fldCreatedBy1", "name": "Created By", "type": "CreatedBy"},
        {"id": "fldEditedBy01", "name": "Edited By", "type": "LastModifiedBy", "property": {}},
        {"id": "fldDouble0001", "name": "Price x2", "type": "Formula", "property": {"expression": "{Price} * 2"}},
        {"id": "fldLabel00001", "name": "Label", "type": "Formula",
         "property": {"expression": "CONCATENATE({Name}, \"!\")"}},
        {"id": "fldSupNames01", "name": "Supplier names", "type": "MagicLookUp",
         "property": {"relatedLinkFieldId": "Supplier", "targetFieldId": "Name"}},
        {"id": "fldSupStars01", "name": "Supplier stars", "type": "MagicLookUp",
         "property": {"relatedLinkFieldId": "Supplier", "targetFieldId": "Stars", "rollupFunction": "SUM"}},
        {"id": "fldRecipe0001", "name": "Recipe", "type": "WorkDoc"},
        {"id": "fldOrder00001", "name": "Order", "type": "Button"}
    ])
}

/// An emulator with [`seed`].
pub async fn emulator() -> Emulator {
    Emulator::builder()
        .seed_json(&seed().to_string())
        .start()
        .await
        .expect("the emulator starts")
}

/// A client for `emu`, without pacing.
pub fn client(emu: &Emulator) -> Client {
    Client::for_emulator(emu).expect("a client for the emulator")
}

/// What one run of the command line did.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub out: String,
    pub err: String,
}

/// Runs `apitable --host … --token … --rate 0 <args>` against `emu`, in-process.
pub async fn cli(emu: &Emulator, args: &[&str]) -> Run {
    let mut argv = vec![
        "apitable".to_owned(),
        "--host".to_owned(),
        emu.base_url().to_owned(),
        "--token".to_owned(),
        emu.token().to_owned(),
        "--rate".to_owned(),
        "0".to_owned(),
    ];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = apitable_cli::run_async(argv, &mut out, &mut err).await;
    Run {
        status,
        out: String::from_utf8(out).expect("UTF-8 output"),
        err: String::from_utf8(err).expect("UTF-8 messages"),
    }
}

/// A fresh, empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("apitable-cli")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Every record of a datasheet, cells keyed by name.
pub async fn records(client: &Client, dst: &str) -> Vec<(String, Fields)> {
    let dst: DatasheetId = dst.parse().expect("a datasheet id");
    client
        .datasheet(&dst)
        .record_stream::<Fields>(ListRecords::new())
        .map_ok(|r| (r.id.to_string(), r.fields))
        .try_collect()
        .await
        .expect("the records list")
}
