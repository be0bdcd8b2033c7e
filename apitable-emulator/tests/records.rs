//! Conformance: records list / create / update / delete.

mod common;

use apitable_emulator::FieldSpec;
use common::{H, assert_err, ok};
use serde_json::json;

async fn menu(h: &H) -> String {
    h.sheet(
        "Menu",
        &[
            FieldSpec::new("Name", "SingleText").property(json!({})),
            FieldSpec::new("Qty", "Number").property(json!({"precision": 0})),
            FieldSpec::new("Done", "Checkbox").property(json!({"icon": "white_check_mark"})),
        ],
    )
    .await
}

#[tokio::test]
async fn create_list_update_delete_roundtrip() {
    let h = H::new().await;
    let dst = menu(&h).await;
    let path = H::records_path(&dst);
    let res = h
        .post(&path, json!({"records": [{"fields": {"Name": "Tea", "Qty": 3}}, {"fields": {"Name": "Cake"}}]}))
        .await;
    let data = ok(&res, 201);
    let recs = data["records"].as_array().unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["fields"], json!({"Name": "Tea", "Qty": 3}));
    assert!(
        recs[0].get("createdAt").is_none(),
        "create answers carry no timestamps"
    );
    let id = recs[0]["recordId"].as_str().unwrap().to_string();
    assert!(id.starts_with("rec") && id.len() == 13);

    let data = ok(&h.get(&path).await, 200);
    assert_eq!(data["total"], 2);
    assert_eq!(data["pageNum"], 1);
    assert_eq!(data["pageSize"], 2);
    let first = &data["records"][0];
    assert!(first["createdAt"].as_i64().unwrap() > 1_600_000_000_000);
    assert!(first["updatedAt"].is_i64());
    assert_eq!(
        data["records"][1]["fields"],
        json!({"Name": "Cake"}),
        "empty cells omitted"
    );

    let res = h
        .patch(
            &path,
            json!({"records": [{"recordId": id, "fields": {"Qty": 5, "Done": true}}]}),
        )
        .await;
    let data = ok(&res, 200);
    assert_eq!(
        data["records"][0]["fields"],
        json!({"Name": "Tea", "Qty": 5, "Done": true})
    );
    assert!(data["records"][0]["updatedAt"].is_i64());

    let res = h
        .put(
            &path,
            json!({"records": [{"recordId": id, "fields": {"Qty": null, "Done": false}}]}),
        )
        .await;
    let data = ok(&res, 200);
    assert_eq!(
        data["records"][0]["fields"],
        json!({"Name": "Tea"}),
        "null and false clear"
    );

    let res = h.delete(&format!("{path}?recordIds={id}")).await;
    let (st, b) = &res;
    assert_eq!(*st, 200);
    assert_eq!(
        b,
        &json!({"success": true, "code": 200, "message": "SUCCESS"})
    );
    let data = ok(&h.get(&path).await, 200);
    assert_eq!(data["total"], 1);
    let (_, tm) = h.get(&format!("/fusion/v1/timemachine/{dst}")).await;
    assert_eq!(tm["data"], json!([id]));
}

#[tokio::test]
async fn write_body_errors() {
    let h = H::new().await;
    let dst = menu(&h).await;
    let path = H::records_path(&dst);
    assert_err(
        &h.post(&path, json!({"records": []})).await,
        200,
        400,
        "records value can't be empty array or null ",
    );
    assert_err(
        &h.post(&path, json!({"records": [{"nope": 1}]})).await,
        200,
        400,
        "fields value can't be null",
    );
    assert_err(
        &h.post(&path, json!({"records": [{"fields": {}}]})).await,
        200,
        400,
        "The format of the fields parameter value is wrong",
    );
    assert_err(
        &h.post(&path, json!({"records": [{"fields": {"Unknown": 1}}]}))
            .await,
        200,
        400,
        "The format of the fields parameter value is wrong",
    );
    // Unknown keys are dropped when one key is known.
    let data = ok(
        &h.post(
            &path,
            json!({"records": [{"fields": {"Unknown": 1, "Name": "x"}}]}),
        )
        .await,
        201,
    );
    assert_eq!(data["records"][0]["fields"], json!({"Name": "x"}));
    let eleven: Vec<_> = (0..11)
        .map(|i| json!({"fields": {"Name": format!("r{i}")}}))
        .collect();
    assert_err(
        &h.post(&path, json!({ "records": eleven })).await,
        200,
        400,
        "Can't update/delete/create more than $10  records in one single request",
    );
    assert_err(
        &h.post(
            &path,
            json!({"records": [{"fields": {"Name": "a"}}], "fieldKey": "bad"}),
        )
        .await,
        200,
        400,
        "Invalid fieldKey (only supports \"id\" or \"name\")",
    );
    assert_err(
        &h.patch(&path, json!({"records": [{"fields": {"Name": "a"}}]}))
            .await,
        200,
        400,
        "recordId value can't be null",
    );
    assert_err(
        &h.patch(
            &path,
            json!({"records": [{"recordId": "recXXXXXXXXXX", "fields": {"Name": "a"}}]}),
        )
        .await,
        200,
        400,
        "The record specified by the recordId does not exist",
    );
    assert_err(
        &h.delete(&path).await,
        200,
        400,
        "recordIds should not be empty",
    );
    assert_err(
        &h.delete(&format!("{path}?recordIds=recXXXXXXXXXX")).await,
        200,
        400,
        "The record specified by the recordId does not exist",
    );
    let many: Vec<String> = (0..11).map(|i| format!("rec{i:010}")).collect();
    assert_err(
        &h.delete(&format!("{path}?recordIds={}", many.join(",")))
            .await,
        200,
        400,
        "Can't update/delete/create more than $10  records in one single request",
    );
}

#[tokio::test]
async fn field_key_id_for_reads_and_writes() {
    let h = H::new().await;
    let dst = menu(&h).await;
    let info = h.emu.datasheet(&dst).unwrap();
    let name_id = info.field_id("Name").unwrap().to_string();
    let qty_id = info.field_id("Qty").unwrap().to_string();
    let path = H::records_path(&dst);
    // The query fieldKey is ignored for writes; the body one counts.
    let res = h
        .post(
            &format!("{path}?fieldKey=name"),
            json!({"fieldKey": "id", "records": [{"fields": {name_id.clone(): "Tea", qty_id.clone(): 2}}]}),
        )
        .await;
    let data = ok(&res, 201);
    assert_eq!(
        data["records"][0]["fields"],
        json!({name_id.clone(): "Tea", qty_id.clone(): 2})
    );
    let data = ok(&h.get(&format!("{path}?fieldKey=id")).await, 200);
    assert_eq!(data["records"][0]["fields"][&name_id], "Tea");
    let data = ok(
        &h.get(&format!("{path}?fieldKey=id&fields={qty_id}")).await,
        200,
    );
    assert_eq!(data["records"][0]["fields"], json!({qty_id.clone(): 2}));
    assert_err(
        &h.get(&format!("{path}?fields=Nope")).await,
        200,
        400,
        "Invalid fields",
    );
    assert_err(
        &h.get(&format!("{path}?fieldKey=bogus")).await,
        200,
        400,
        "Invalid fieldKey (only supports \"id\" or \"name\")",
    );
}

#[tokio::test]
async fn paging_total_and_page_size() {
    let h = H::new().await;
    let dst = menu(&h).await;
    let rows: Vec<_> = (0..25)
        .map(|i| json!({"Name": format!("n{i:02}"), "Qty": i}))
        .collect();
    h.emu.insert_records(&dst, rows).await.unwrap();
    let path = H::records_path(&dst);
    let d = ok(&h.get(&path).await, 200);
    assert_eq!(
        (d["total"].as_i64(), d["pageSize"].as_i64()),
        (Some(25), Some(25))
    );
    let d = ok(&h.get(&format!("{path}?pageSize=10&pageNum=3")).await, 200);
    assert_eq!(d["total"], 25);
    assert_eq!(d["pageNum"], 3);
    assert_eq!(d["pageSize"], 5);
    assert_eq!(d["records"][0]["fields"]["Name"], "n20");
    let d = ok(&h.get(&format!("{path}?pageSize=10&pageNum=9")).await, 200);
    assert_eq!(d["pageSize"], 0);
    assert_eq!(d["records"], json!([]));
    let d = ok(
        &h.get(&format!("{path}?maxRecords=7&pageSize=5&pageNum=2"))
            .await,
        200,
    );
    assert_eq!(d["total"], 7);
    assert_eq!(d["pageSize"], 2);
    let d = ok(&h.get(&format!("{path}?pageSize=-1")).await, 200);
    assert_eq!(d["pageSize"], 25);
    assert_err(
        &h.get(&format!("{path}?pageSize=0")).await,
        200,
        400,
        "pagesize value can't be smaller than 1",
    );
    assert_err(
        &h.get(&format!("{path}?pageSize=1001")).await,
        200,
        400,
        "pagesize value can't be greater than 1000",
    );
    assert_err(
        &h.get(&format!("{path}?pageNum=0")).await,
        200,
        400,
        "pageNum value can't be smaller than 1",
    );
    assert_err(
        &h.get(&format!("{path}?maxRecords=0")).await,
        200,
        400,
        "maxRecords value can't be smaller than 1",
    );
    assert_err(
        &h.get(&format!("{path}?cellFormat=xml")).await,
        200,
        400,
        "cellFormat value only supports \"string\" or \"id\"",
    );
}

#[tokio::test]
async fn record_ids_keep_order_skip_unknown_and_still_page() {
    let h = H::new().await;
    let dst = menu(&h).await;
    let ids = h
        .create(
            &dst,
            (0..5)
                .map(|i| json!({"Name": format!("n{i}"), "Qty": i}))
                .collect(),
        )
        .await;
    let path = H::records_path(&dst);
    let d = ok(
        &h.get(&format!(
            "{path}?recordIds={},recUNKNOWN000,{}",
            ids[3], ids[1]
        ))
        .await,
        200,
    );
    assert_eq!(d["total"], 2);
    assert_eq!(d["records"][0]["recordId"], ids[3].as_str());
    assert_eq!(d["records"][1]["recordId"], ids[1].as_str());
    let d = ok(
        &h.get(&format!(
            "{path}?recordIds[]={}&recordIds[]={}&recordIds[]={}&pageSize=2&pageNum=2",
            ids[0], ids[1], ids[2]
        ))
        .await,
        200,
    );
    assert_eq!(d["total"], 3);
    assert_eq!(d["pageSize"], 1);
    assert_eq!(d["records"][0]["recordId"], ids[2].as_str());
    let d = ok(
        &h.get(&format!("{path}?recordIds={}&recordIds={}", ids[4], ids[0]))
            .await,
        200,
    );
    assert_eq!(d["records"][0]["recordId"], ids[4].as_str());
}

#[tokio::test]
async fn sort_formats() {
    let h = H::new().await;
    let dst = menu(&h).await;
    h.create(
        &dst,
        vec![
            json!({"Name": "b", "Qty": 1}),
            json!({"Name": "a", "Qty": 2}),
            json!({"Name": "c", "Qty": 2}),
        ],
    )
    .await;
    let path = H::records_path(&dst);
    let names = |d: &serde_json::Value| -> Vec<String> {
        d["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["fields"]["Name"].as_str().unwrap().to_string())
            .collect()
    };
    let enc = |s: &str| {
        s.replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
    };
    let q1 = enc(r#"sort={"field":"Qty","order":"desc"}&sort={"field":"Name","order":"desc"}"#);
    assert_eq!(
        names(&ok(&h.get(&format!("{path}?{q1}")).await, 200)),
        ["c", "a", "b"]
    );
    let q2 = enc(r#"sort={"field":"Qty","order":"desc"},{"field":"Name","order":"asc"}"#);
    assert_eq!(
        names(&ok(&h.get(&format!("{path}?{q2}")).await, 200)),
        ["a", "c", "b"]
    );
    let q3 = "sort[0][field]=Qty&sort[0][order]=asc&sort[1][field]=Name&sort[1][order]=desc";
    assert_eq!(
        names(&ok(&h.get(&format!("{path}?{q3}")).await, 200)),
        ["b", "c", "a"]
    );
    let q4 = "sort[][field]=Name&sort[][order]=desc";
    assert_eq!(
        names(&ok(&h.get(&format!("{path}?{q4}")).await, 200)),
        ["c", "b", "a"]
    );
    let q5 = "sort[][field]=Name&sort[][order]=desc&sort[][field]=Qty&sort[][order]=asc";
    assert_eq!(h.get(&format!("{path}?{q5}")).await.1["code"], 400);
    let q6 = enc(r#"sort=[{"field":"Name","order":"asc"}]"#);
    assert_eq!(h.get(&format!("{path}?{q6}")).await.1["code"], 400);
    let q7 = enc(r#"sort={"field":"Nope","order":"asc"}"#);
    assert_err(
        &h.get(&format!("{path}?{q7}")).await,
        200,
        400,
        "The sorted field \"Nope\" does not exist",
    );
    let q8 = enc(r#"sort={"field":"Name","order":"DESC"}"#);
    assert_err(
        &h.get(&format!("{path}?{q8}")).await,
        200,
        400,
        "Sort value invalid (only supports \"desc\" or \"asc\")",
    );
}

#[tokio::test]
async fn record_limit_answers_http_500_code_304() {
    let h = H::with(apitable_emulator::Emulator::builder().max_records_per_datasheet(3)).await;
    let dst = menu(&h).await;
    h.create(&dst, vec![json!({"Name": "a"}), json!({"Name": "b"})])
        .await;
    let res = h
        .post(
            &H::records_path(&dst),
            json!({"records": [{"fields": {"Name": "c"}}, {"fields": {"Name": "d"}}]}),
        )
        .await;
    assert_err(
        &res,
        500,
        304,
        "the usage of this function exceed the 3 records limit of beta version",
    );
}

#[tokio::test]
async fn unknown_datasheet_is_301() {
    let h = H::new().await;
    assert_err(
        &h.get("/fusion/v1/datasheets/dstNOPE/records").await,
        200,
        301,
        "Can't find the specified datasheet",
    );
}

#[tokio::test]
async fn strict_mode_answers_dto_errors_like_the_real_server() {
    let h = H::with(apitable_emulator::Emulator::builder().strict_dto(true)).await;
    let dst = menu(&h).await;
    let path = H::records_path(&dst);
    let (st, b) = h.get(&format!("{path}?pageSize=2000")).await;
    assert_eq!(st, 500);
    assert_eq!(
        b,
        json!({"success": false, "code": 500, "message": ["pagesize value can't be greater than 1000"]})
    );
    let (st, b) = h.post(&path, json!({"records": []})).await;
    assert_eq!(st, 500);
    assert!(b["message"].is_array());
    // Business errors keep their envelope.
    assert_err(
        &h.post(&path, json!({"records": [{"fields": {"Qty": "x"}}]}))
            .await,
        200,
        400,
        "field:Qty Number field value must be a number",
    );
}
