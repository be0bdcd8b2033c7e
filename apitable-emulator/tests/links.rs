//! Two-way links, lookups, link clean-up on delete, and presigned uploads.

mod common;

use apitable_emulator::FieldSpec;
use common::{H, integer, names, text};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn two_way_links_lookups_and_cleanup() {
    let h = H::new().await;
    let spc = h.emu.space_id().to_string();
    let tags = h.sheet("Tags", &[text("Label"), integer("Weight")]).await;
    let t = h
        .create(
            &tags,
            vec![
                json!({"Label": "a", "Weight": 2}),
                json!({"Label": "b", "Weight": 5}),
            ],
        )
        .await;
    let tasks = h.sheet("Tasks", &[text("Title")]).await;
    let fpath = format!("/fusion/v1/spaces/{spc}/datasheets/{tasks}/fields");
    let link = h
        .created(
            &fpath,
            json!({"name": "Tags", "type": "MagicLink", "property": {"foreignDatasheetId": tags}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let weight = h
        .emu
        .datasheet(&tags)
        .unwrap()
        .field_id("Weight")
        .unwrap()
        .to_string();
    h.created(
        &fpath,
        json!({"name": "Total", "type": "MagicLookUp",
               "property": {"relatedLinkFieldId": link, "targetFieldId": weight, "rollupFunction": "SUM"}}),
    )
    .await;
    h.created(
        &fpath,
        json!({"name": "Weights", "type": "MagicLookUp",
               "property": {"relatedLinkFieldId": link, "targetFieldId": weight}}),
    )
    .await;
    let fields = h.fields(&tasks, "").await;
    let lf = fields.iter().find(|f| f["name"] == "Tags").unwrap();
    assert_eq!(lf["type"], "TwoWayLink");
    assert!(
        lf["property"]["brotherFieldId"]
            .as_str()
            .unwrap()
            .starts_with("fld")
    );
    let total = fields.iter().find(|f| f["name"] == "Total").unwrap();
    assert_eq!(total["editable"], false);
    assert_eq!(
        total["property"]["entityField"]["datasheetId"],
        tags.as_str()
    );

    let r = h
        .create(
            &tasks,
            vec![json!({"Title": "x", "Tags": [t[0], t[1], t[0]]})],
        )
        .await
        .remove(0);
    let d = h
        .get_ok(&format!("{}?recordIds={r}", H::records_path(&tasks)))
        .await;
    let f = &d["records"][0]["fields"];
    assert_eq!(f["Tags"], json!([t[0], t[1]]), "duplicates removed");
    assert_eq!(f["Total"], json!(7));
    assert_eq!(f["Weights"], json!([2, 5]));
    let d = h.get_ok(&H::records_path(&tags)).await;
    assert_eq!(d["records"][0]["fields"]["Tasks"], json!([r]));

    // Unlinking on one side updates the other.
    h.patch_ok(
        &H::records_path(&tasks),
        json!({"records": [{"recordId": r, "fields": {"Tags": [t[1]]}}]}),
    )
    .await;
    let d = h.get_ok(&H::records_path(&tags)).await;
    assert!(d["records"][0]["fields"].get("Tasks").is_none());
    assert_eq!(d["records"][1]["fields"]["Tasks"], json!([r]));

    // Deleting the linked record removes it from the link cell.
    h.delete_ok(&format!("{}?recordIds={}", H::records_path(&tags), t[1]))
        .await;
    let d = h.get_ok(&H::records_path(&tasks)).await;
    assert!(d["records"][0]["fields"].get("Tags").is_none());

    // Deleting the link field deletes its sibling too.
    h.delete_ok(&format!("{fpath}/{link}")).await;
    let fields = h.fields(&tags, "").await;
    assert!(!names(&fields).contains(&"Tasks"));
}

#[tokio::test]
async fn presigned_upload_then_write() {
    let h = H::new().await;
    let dst = h
        .sheet(
            "Docs",
            &[
                FieldSpec::new("Name", "Text"),
                FieldSpec::new("File", "Attachment"),
            ],
        )
        .await;
    let d = h
        .get_ok(&format!(
            "/fusion/v1/datasheets/{dst}/attachments/presignedUrl?count=2"
        ))
        .await;
    let results = d["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["uploadRequestMethod"], "PUT");
    let url = results[0]["uploadUrl"].as_str().unwrap();
    let token = results[0]["token"].as_str().unwrap();
    let resp =
        h.c.put(url)
            .header("Content-Type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let id = h
        .create(
            &dst,
            vec![json!({"Name": "n", "File": [{"token": token, "name": "hello.txt"}]})],
        )
        .await
        .remove(0);
    let d = h
        .get_ok(&format!("{}?recordIds={id}", H::records_path(&dst)))
        .await;
    assert_eq!(d["records"][0]["fields"]["File"][0]["size"], 5);
    let body = h.c.get(url).send().await.unwrap().text().await.unwrap();
    assert_eq!(body, "hello");
    let res = h
        .req(
            Method::GET,
            &format!("/fusion/v1/datasheets/{dst}/attachments/presignedUrl?count=21"),
            None,
        )
        .await;
    assert_eq!(res.1["code"], 400);
}
