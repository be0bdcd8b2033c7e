//! Conformance: write validation and read shapes of every field type.

mod common;

use apitable_emulator::FieldSpec;
use common::{H, assert_err, ok};
use serde_json::{Value, json};

struct Fx {
    h: H,
    dst: String,
    other: String,
    other_rec: String,
}

async fn fixture() -> Fx {
    let h = H::new().await;
    let other = h
        .sheet(
            "Tags",
            &[FieldSpec::new("Label", "SingleText").property(json!({}))],
        )
        .await;
    let other_rec = h
        .create(&other, vec![json!({"Label": "urgent"})])
        .await
        .remove(0);
    let dst = h
        .sheet(
            "All",
            &[
                FieldSpec::new("Name", "SingleText").property(json!({})),
                FieldSpec::new("Notes", "Text"),
                FieldSpec::new("Qty", "Number").property(json!({"precision": 2})),
                FieldSpec::new("Price", "Currency")
                    .property(json!({"precision": 2, "symbol": "$"})),
                FieldSpec::new("Ratio", "Percent").property(json!({"precision": 1})),
                FieldSpec::new("Stars", "Rating").property(json!({"icon": "star", "max": 5})),
                FieldSpec::new("Done", "Checkbox").property(json!({"icon": "white_check_mark"})),
                FieldSpec::new("Kind", "SingleSelect")
                    .property(json!({"options": [{"name": "A"}]})),
                FieldSpec::new("Tags", "MultiSelect").property(json!({"options": []})),
                FieldSpec::new("When", "DateTime").property(
                    json!({"dateFormat": "YYYY-MM-DD", "includeTime": true, "timeFormat": "HH:mm"}),
                ),
                FieldSpec::new("Site", "URL"),
                FieldSpec::new("Mail", "Email"),
                FieldSpec::new("Tel", "Phone"),
                FieldSpec::new("Owner", "Member").property(json!({"isMulti": true})),
                FieldSpec::new("Files", "Attachment"),
                FieldSpec::new("Auto", "AutoNumber"),
                FieldSpec::new("Created", "CreatedTime")
                    .property(json!({"dateFormat": "YYYY/MM/DD"})),
                FieldSpec::new("Edited", "LastModifiedTime")
                    .property(json!({"dateFormat": "YYYY/MM/DD"})),
                FieldSpec::new("By", "CreatedBy"),
                FieldSpec::new("EditedBy", "LastModifiedBy").property(json!({})),
                FieldSpec::new("Calc", "Formula").property(json!({"expression": "1+1"})),
                FieldSpec::new("Link", "TwoWayLink").property(json!({"foreignDatasheetId": other})),
                FieldSpec::new("OneLink", "OneWayLink")
                    .property(json!({"foreignDatasheetId": other, "limitSingleRecord": true})),
            ],
        )
        .await;
    Fx {
        h,
        dst,
        other,
        other_rec,
    }
}

async fn write_err(fx: &Fx, fields: Value) -> (u16, Value) {
    fx.h.post(
        &H::records_path(&fx.dst),
        json!({"records": [{"fields": fields}]}),
    )
    .await
}

#[tokio::test]
async fn type_errors_have_the_reference_messages() {
    let fx = fixture().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"Name": 1}),
            "field:Name Single Select field value must be string",
        ),
        (
            json!({"Notes": 1}),
            "field:Notes Text field value must be string",
        ),
        (
            json!({"Qty": "1"}),
            "field:Qty Number field value must be a number",
        ),
        (
            json!({"Price": true}),
            "field:Price Currency field value must be a number",
        ),
        (
            json!({"Ratio": "50%"}),
            "field:Ratio Percent field value must be a number",
        ),
        (
            json!({"Stars": "3"}),
            "field:Stars Rating field value must be a number",
        ),
        (
            json!({"Stars": 6}),
            "Rating field value can't be greater than 5 (only supports 0, 1, 2, 3, 4, or 5)",
        ),
        (
            json!({"Stars": -1}),
            "Rating field value can't be smaller than 0 (only supports 0, 1, 2, 3, 4, or 5)",
        ),
        (
            json!({"Done": "yes"}),
            "field:Done Checkbox field value must be boolean",
        ),
        (
            json!({"Kind": ["A"]}),
            "field:Kind Single Select field value must be string",
        ),
        (
            json!({"Tags": "x"}),
            "field:Tags Multiple Select field value must be array",
        ),
        (
            json!({"Tags": [1]}),
            "field:Tags Multiple Select field value must be string",
        ),
        (
            json!({"When": "not a date"}),
            "field:When Date field value must be a UTC or timestamp",
        ),
        (
            json!({"When": true}),
            "field:When Date field value must be a UTC or timestamp",
        ),
        (
            json!({"Site": 5}),
            "field:Site URL field value must be string",
        ),
        (
            json!({"Site": {"title": "x"}}),
            "Site must contain text keys",
        ),
        (
            json!({"Mail": 5}),
            "field:Mail Email field value must be string",
        ),
        (
            json!({"Tel": 5}),
            "field:Tel Phone field value must be string",
        ),
        (
            json!({"Owner": "alice"}),
            "field:Owner Member field value must be array",
        ),
        (
            json!({"Owner": [{"id": 1}]}),
            "field:Owner Member ID must be string\n",
        ),
        (
            json!({"Owner": [{"type": "Member"}]}),
            "Member name can't be null",
        ),
        (
            json!({"Owner": [{"name": "x"}]}),
            "Member type can't be null",
        ),
        (
            json!({"Owner": [{"id": "123"}]}),
            "The unit specified by the unit ID does not exist",
        ),
        (
            json!({"Owner": [{"name": "Nobody", "type": "Member"}]}),
            "The unit specified by the unit Name does not exist",
        ),
        (json!({"Files": "x"}), "Attachment type must be array"),
        (
            json!({"Files": [{"name": "a"}]}),
            "Attachment token can't be null",
        ),
        (
            json!({"Files": [{"token": "t"}]}),
            "Attachment name can't be null",
        ),
        (
            json!({"Files": [{"token": 1, "name": "a"}]}),
            "Attachment token must be string",
        ),
        (
            json!({"Files": [{"token": "nope", "name": "a"}]}),
            "The attachment specified by the token does not exist",
        ),
        (json!({"Auto": 1}), "Autonumber field can't be edited"),
        (
            json!({"Created": null}),
            "Created Time field can't be edited",
        ),
        (
            json!({"Edited": 1}),
            "Last Edited Time field can't be edited",
        ),
        (json!({"By": 1}), "Created By field can't be edited"),
        (
            json!({"EditedBy": 1}),
            "Last Edited By field can't be edited",
        ),
        (json!({"Calc": 2}), "Formula field can't be edited"),
        (
            json!({"Link": "rec"}),
            "field:Link Link field value must be array",
        ),
        (
            json!({"Link": []}),
            "field:Link recordId value can't be empty array or null",
        ),
        (
            json!({"Link": ["recNOPE000000"]}),
            "The linked field specifies a record (recNOPE000000) that does not exist",
        ),
        (
            json!({"OneLink": [fx.other_rec.clone(), fx.other_rec.clone()]}),
            "field:OneLink The Link field was set to receive one recordId only",
        ),
    ];
    for (fields, msg) in cases {
        let res = write_err(&fx, fields.clone()).await;
        assert_err(&res, 200, 400, msg);
    }
}

#[tokio::test]
async fn read_shapes_json_and_string() {
    let fx = fixture().await;
    let h = &fx.h;
    let owner = {
        let (_, b) = h
            .get(&format!("/fusion/v1/datasheets/{}/fields", fx.dst))
            .await;
        b["data"]["fields"].as_array().unwrap().len()
    };
    assert!(owner > 20);
    let res = h
        .post(
            &H::records_path(&fx.dst),
            json!({"records": [{"fields": {
                "Name": "Tea",
                "Notes": "line1\nline2",
                "Qty": 1234.5,
                "Price": 1234.5,
                "Ratio": 0.256,
                "Stars": 3,
                "Done": true,
                "Kind": "B",
                "Tags": ["x", "y"],
                "When": 1_609_459_200_000i64,
                "Site": {"text": "https://example.com", "title": "Example"},
                "Mail": "a@b.c",
                "Tel": "+1 555",
                "Owner": [{"name": "Emulator Owner", "type": "Member"}],
                "Link": [fx.other_rec.clone()],
                "OneLink": [fx.other_rec.clone()],
            }}]}),
        )
        .await;
    let data = ok(&res, 201);
    let rid = data["records"][0]["recordId"].as_str().unwrap().to_string();
    let path = H::records_path(&fx.dst);
    let d = ok(&h.get(&format!("{path}?recordIds={rid}")).await, 200);
    let f = &d["records"][0]["fields"];
    assert_eq!(f["Name"], "Tea");
    assert_eq!(f["Qty"], 1234.5);
    assert_eq!(f["Ratio"], 0.256);
    assert_eq!(f["Stars"], 3);
    assert_eq!(f["Done"], true);
    assert_eq!(f["Kind"], "B");
    assert_eq!(f["Tags"], json!(["x", "y"]));
    assert_eq!(f["When"], 1_609_459_200_000i64);
    assert_eq!(
        f["Site"],
        json!({"title": "Example", "text": "https://example.com", "favicon": ""})
    );
    assert_eq!(f["Owner"][0]["name"], "Emulator Owner");
    assert_eq!(f["Owner"][0]["type"], "Member");
    assert!(f["Owner"][0]["id"].is_string());
    assert_eq!(f["Link"], json!([fx.other_rec]));
    assert_eq!(f["Auto"], 1);
    assert!(f["Created"].is_i64());
    assert!(f["Edited"].is_i64());
    assert_eq!(f["By"]["name"], "Emulator Owner");
    assert!(f.get("Files").is_none());
    assert_eq!(f["Calc"], 2, "Formula fields are computed");

    let d = ok(
        &h.get(&format!("{path}?recordIds={rid}&cellFormat=string"))
            .await,
        200,
    );
    let s = &d["records"][0]["fields"];
    assert_eq!(s["Qty"], "1234.50");
    assert_eq!(s["Price"], "$1,234.50");
    assert_eq!(s["Ratio"], "25.6%");
    assert_eq!(s["Stars"], "3");
    assert_eq!(s["Done"], "1");
    assert_eq!(s["Tags"], "x, y");
    assert_eq!(s["When"], "2021-01-01 00:00");
    assert_eq!(s["Site"], "https://example.com");
    assert_eq!(s["Owner"], "Emulator Owner");
    assert_eq!(s["Link"], "urgent");
    assert_eq!(s["Auto"], "1");
    assert_eq!(s["Calc"], "2");

    // Unchecked checkbox is "0" and an empty URL is "" in string mode; both absent in json.
    let other = h
        .create(&fx.dst, vec![json!({"Name": "Empty"})])
        .await
        .remove(0);
    let d = ok(
        &h.get(&format!("{path}?recordIds={other}&cellFormat=string"))
            .await,
        200,
    );
    assert_eq!(d["records"][0]["fields"]["Done"], "0");
    assert_eq!(d["records"][0]["fields"]["Site"], "");
    let d = ok(&h.get(&format!("{path}?recordIds={other}")).await, 200);
    assert!(d["records"][0]["fields"].get("Done").is_none());
    assert!(d["records"][0]["fields"].get("Site").is_none());
    assert_eq!(d["records"][0]["fields"]["Auto"], 2);

    // The two-way link shows up on the other side.
    let d = ok(&h.get(&H::records_path(&fx.other)).await, 200);
    assert_eq!(d["records"][0]["fields"]["All"], json!([rid]));
}

#[tokio::test]
async fn select_options_are_created_by_name() {
    let fx = fixture().await;
    let h = &fx.h;
    h.create(
        &fx.dst,
        vec![json!({"Kind": "New"}), json!({"Tags": ["p", "q", "p"]})],
    )
    .await;
    let (_, b) = h
        .get(&format!("/fusion/v1/datasheets/{}/fields", fx.dst))
        .await;
    let fields = b["data"]["fields"].as_array().unwrap();
    let kind = fields.iter().find(|f| f["name"] == "Kind").unwrap();
    let opts = kind["property"]["options"].as_array().unwrap();
    let names: Vec<&str> = opts.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["A", "New"]);
    assert!(opts[1]["id"].as_str().unwrap().starts_with("opt"));
    assert_eq!(opts[0]["color"]["name"], "deepPurple_0");
    assert_eq!(opts[1]["color"]["name"], "indigo_0");
    assert!(opts[1]["color"]["value"].as_str().unwrap().starts_with('#'));
    let tags = fields.iter().find(|f| f["name"] == "Tags").unwrap();
    assert_eq!(tags["property"]["options"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn datetime_strings_and_year_numbers() {
    let fx = fixture().await;
    let h = &fx.h;
    let ids = h
        .create(
            &fx.dst,
            vec![
                json!({"When": "2021-01-01"}),
                json!({"When": "2021-01-01T00:00:00Z"}),
                json!({"When": 2021}),
            ],
        )
        .await;
    let d = ok(
        &h.get(&format!(
            "{}?recordIds={}",
            H::records_path(&fx.dst),
            ids.join(",")
        ))
        .await,
        200,
    );
    for r in d["records"].as_array().unwrap() {
        assert_eq!(r["fields"]["When"], 1_609_459_200_000i64);
    }
}

#[tokio::test]
async fn attachments_upload_write_and_serve() {
    let fx = fixture().await;
    let h = &fx.h;
    let png: Vec<u8> = {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend_from_slice(&7u32.to_be_bytes());
        v.extend_from_slice(&3u32.to_be_bytes());
        v.extend_from_slice(&[8, 6, 0, 0, 0]);
        v
    };
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png.clone())
            .file_name("dot.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let resp =
        h.c.post(h.url(&format!("/fusion/v1/datasheets/{}/attachments", fx.dst)))
            .header("Authorization", format!("Bearer {}", h.emu.token()))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let b: Value = resp.json().await.unwrap();
    let data = &b["data"];
    assert_eq!(data["name"], "dot.png");
    assert_eq!(data["mimeType"], "image/png");
    assert_eq!(data["size"], png.len());
    assert_eq!(data["width"], 7);
    assert_eq!(data["height"], 3);
    assert!(data["token"].as_str().unwrap().starts_with("space/"));
    let url = data["url"].as_str().unwrap().to_string();
    let served = h.c.get(&url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(served.to_vec(), png);

    let token = data["token"].as_str().unwrap();
    let id = h
        .create(
            &fx.dst,
            vec![json!({"Files": [{"token": token, "name": "renamed.png"}]})],
        )
        .await
        .remove(0);
    let d = ok(
        &h.get(&format!("{}?recordIds={id}", H::records_path(&fx.dst)))
            .await,
        200,
    );
    let cell = &d["records"][0]["fields"]["Files"][0];
    assert!(cell["id"].as_str().unwrap().starts_with("atc"));
    assert_eq!(cell["name"], "renamed.png");
    assert_eq!(cell["url"], url);
    assert_eq!(cell["mimeType"], "image/png");

    // Not multipart.
    let res = h
        .post(
            &format!("/fusion/v1/datasheets/{}/attachments", fx.dst),
            json!({}),
        )
        .await;
    assert_err(&res, 200, 400, "Attachment name can't be empty ");
}
