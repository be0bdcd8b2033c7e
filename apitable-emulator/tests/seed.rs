//! Seeding: the documented format, links and lookups by name, seeded record ids and formulas.

mod common;

use apitable_emulator::Emulator;
use common::{H, ok};
use serde_json::json;

#[tokio::test]
async fn documented_seed_format_works() {
    let seed = json!({
        "spaces": [{
            "name": "Acme",
            "members": [{"name": "Alice", "email": "alice@example.com", "type": "Member"}],
            "nodes": [
                {"type": "Datasheet", "name": "Tags",
                 "fields": [{"name": "Label", "type": "SingleText", "property": {}},
                            {"name": "Weight", "type": "Number", "property": {"precision": 0}}],
                 "records": [{"id": "t1", "fields": {"Label": "hot", "Weight": 2}},
                             {"id": "t2", "fields": {"Label": "cold", "Weight": 3}}]},
                {"type": "Datasheet", "name": "Menu",
                 "fields": [{"name": "Name", "type": "SingleText", "property": {}},
                            {"name": "Price", "type": "Currency", "property": {"precision": 2}},
                            {"name": "Tags", "type": "TwoWayLink", "property": {"foreignDatasheetId": "Tags"}},
                            {"name": "Weight", "type": "MagicLookUp",
                             "property": {"relatedLinkFieldId": "Tags", "targetFieldId": "Weight", "rollupFunction": "SUM"}},
                            {"name": "Calc", "type": "Formula", "property": {"expression": "{Price} * 2"}},
                            {"name": "Cook", "type": "Member", "property": {}}],
                 "views": [{"name": "All"},
                           {"name": "Cheap", "filter": "{Price} < 5", "hidden": ["Tags"],
                            "sort": [{"field": "Price", "desc": true}], "rowOrder": ["r2", "r1"]}],
                 "records": [{"id": "r1", "fields": {"Name": "Tea", "Price": 3, "Tags": ["t1", "t2"], "Calc": 6,
                                                     "Cook": [{"name": "Alice", "type": "Member"}]}},
                             {"id": "recAAAAAAAAAA", "fields": {"Name": "Cake", "Price": 4.5}},
                             {"id": "r2", "fields": {"Name": "Wine", "Price": 30}}]}
            ]
        }]
    });
    let h = H::with(Emulator::builder().seed_json(&seed.to_string())).await;
    let d = ok(&h.get("/fusion/v1/spaces").await, 200);
    assert_eq!(d["spaces"][0]["name"], "Acme");
    let menu = h.emu.datasheet_id("Menu").unwrap();
    let tags = h.emu.datasheet_id("Tags").unwrap();
    let d = ok(&h.get(&H::records_path(&menu)).await, 200);
    let recs = d["records"].as_array().unwrap();
    assert_eq!(recs.len(), 3);
    assert_eq!(
        recs[1]["recordId"], "recAAAAAAAAAA",
        "rec… seed ids are kept"
    );
    let tea = &recs[0]["fields"];
    assert_eq!(tea["Weight"], json!(5));
    assert_eq!(tea["Calc"], json!(6));
    assert_eq!(tea["Cook"][0]["name"], "Alice");
    assert_eq!(tea["Tags"].as_array().unwrap().len(), 2);
    let d = ok(&h.get(&H::records_path(&tags)).await, 200);
    assert_eq!(
        d["records"][0]["fields"]["Menu"],
        json!([recs[0]["recordId"]])
    );

    let cheap = &h.emu.datasheet(&menu).unwrap().views[1].id.clone();
    let d = ok(
        &h.get(&format!("{}?viewId={cheap}", H::records_path(&menu)))
            .await,
        200,
    );
    let names: Vec<&str> = d["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cake", "Tea"]);
    assert!(d["records"][0]["fields"].get("Tags").is_none());
    // A hidden field asked for through `fields` is left out, not an error.
    let d = ok(
        &h.get(&format!(
            "{}?viewId={cheap}&fields=Tags,Name",
            H::records_path(&menu)
        ))
        .await,
        200,
    );
    assert_eq!(d["records"][0]["fields"], json!({"Name": "Cake"}));
}

#[tokio::test]
async fn bad_seed_is_an_error() {
    let err = Emulator::builder()
        .seed_json("{not json")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, apitable_emulator::Error::Seed(_)), "{err}");
    let seed = json!({"datasheets": [{"name": "X", "fields": [{"name": "A", "type": "Nope"}]}]});
    let err = Emulator::builder()
        .seed_json(&seed.to_string())
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Invalid value for type"), "{err}");
    // Cells written beside "fields" instead of inside it would make empty records.
    let seed = json!({"datasheets": [{"name": "X",
        "fields": [{"name": "A", "type": "SingleText", "property": {}}],
        "records": [{"fields": {"A": "ok"}}, {"A": "lost"}]}]});
    let err = Emulator::builder()
        .seed_json(&seed.to_string())
        .start()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("record #1") && text.contains("\"A\""),
        "{text}"
    );
}

#[tokio::test]
async fn structured_view_filters_filter_and_prefill_inserts() {
    let seed = json!({"datasheets": [{
        "name": "Issues",
        "fields": [{"name": "Title", "type": "SingleText", "property": {}},
                   {"name": "Status", "type": "SingleSelect", "property": {"options": [{"name": "Open"}, {"name": "Closed"}]}},
                   {"name": "Pts", "type": "Number", "property": {"precision": 0}}],
        "views": [{"name": "Open ones", "filter": {"conjunction": "and", "conditions": [
                       {"field": "Status", "operator": "is", "value": "Open"},
                       {"field": "Pts", "operator": "isGreaterEqual", "value": 2}]}},
                  {"name": "Everything"}],
        "records": [{"fields": {"Title": "a", "Status": "Open", "Pts": 3}},
                    {"fields": {"Title": "b", "Status": "Closed", "Pts": 5}},
                    {"fields": {"Title": "c", "Status": "Open", "Pts": 1}}]
    }]});
    let h = H::with(Emulator::builder().seed_json(&seed.to_string())).await;
    let dst = h.emu.datasheet_id("Issues").unwrap();
    let info = h.emu.datasheet(&dst).unwrap();
    let path = H::records_path(&dst);
    let d = ok(
        &h.get(&format!("{path}?viewId={}", info.views[0].id)).await,
        200,
    );
    assert_eq!(d["total"], 1);
    assert_eq!(d["records"][0]["fields"]["Title"], "a");
    // Inserted through the first view: Status is pre-filled to match its filter.
    let id = h
        .create(&dst, vec![json!({"Title": "new"})])
        .await
        .remove(0);
    let d = ok(&h.get(&format!("{path}?recordIds={id}")).await, 200);
    assert_eq!(d["records"][0]["fields"]["Status"], "Open");
    // Through another view: no pre-fill.
    let res = h
        .post(
            &format!("{path}?viewId={}", info.views[1].id),
            json!({"records": [{"fields": {"Title": "plain"}}]}),
        )
        .await;
    let d = ok(&res, 201);
    assert!(d["records"][0]["fields"].get("Status").is_none());
}
