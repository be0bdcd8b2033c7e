//! Conformance: fields, views, datasheets, spaces, nodes, v2 search and contacts.

mod common;

use apitable_emulator::FieldSpec;
use common::{H, assert_err, integer, names, text};
use serde_json::json;

#[tokio::test]
async fn fields_list_create_delete() {
    let h = H::new().await;
    let spc = h.emu.space_id().to_string();
    let dst = h.sheet("People", &[text("Name"), integer("Age")]).await;
    let fields = h.fields(&dst, "").await;
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0]["isPrimary"], true);
    assert!(fields[1].get("isPrimary").is_none());
    assert_eq!(fields[0]["type"], "SingleText");
    assert_eq!(fields[0]["editable"], true);
    assert_eq!(fields[1]["property"], json!({"precision": 0}));

    let path = format!("/fusion/v1/spaces/{spc}/datasheets/{dst}/fields");
    let d = h
        .created(&path, json!({"name": "Email", "type": "Email"}))
        .await;
    let fid = d["id"].as_str().unwrap().to_string();
    assert!(fid.starts_with("fld") && fid.len() == 13);
    assert_eq!(d["name"], "Email");
    assert_err(
        &h.post(&path, json!({"name": "Email", "type": "Text"}))
            .await,
        200,
        400,
        "name must be unique",
    );
    assert_err(
        &h.post(&path, json!({"name": "X", "type": "Bogus"})).await,
        200,
        400,
        "Invalid value for type",
    );
    assert_err(
        &h.post(&path, json!({"name": "X", "type": "Text", "property": {}}))
            .await,
        200,
        400,
        "Text not support set property",
    );
    assert_err(
        &h.post(&path, json!({"name": "a".repeat(101), "type": "Text"}))
            .await,
        200,
        400,
        "$name's length must not be greater than $100",
    );
    let d = h
        .created(
            &path,
            json!({"name": "Cost", "type": "Currency", "property": {"precision": 0}}),
        )
        .await;
    assert_eq!(d["name"], "Cost");
    let cost = h
        .fields(&dst, "")
        .await
        .into_iter()
        .find(|f| f["name"] == "Cost")
        .unwrap();
    assert_eq!(
        cost["property"],
        json!({"precision": 2, "symbol": "$", "symbolAlign": "Default"})
    );

    let del = format!("{path}/{fid}");
    let d = h.delete_ok(&del).await;
    assert_eq!(d, json!({}));
    assert_err(
        &h.delete(&del).await,
        200,
        400,
        &format!("fieldId \"{fid}\" does not exist"),
    );
    let primary = fields[0]["id"].as_str().unwrap();
    assert_err(
        &h.delete(&format!("{path}/{primary}")).await,
        200,
        400,
        "The primary field can't be deleted",
    );
    // Wrong space for the datasheet.
    let other_space = "spcNOPE000000";
    assert_err(
        &h.post(
            &format!("/fusion/v1/spaces/{other_space}/datasheets/{dst}/fields"),
            json!({"name": "Y", "type": "Text"}),
        )
        .await,
        200,
        400,
        "Space doesn't exist, please adjust the spaceId and try again",
    );
}

#[tokio::test]
async fn field_limit_is_configurable() {
    let h = H::with(apitable_emulator::Emulator::builder().max_fields_per_datasheet(2)).await;
    let spc = h.emu.space_id().to_string();
    let dst = h
        .sheet(
            "S",
            &[FieldSpec::new("A", "Text"), FieldSpec::new("B", "Text")],
        )
        .await;
    // `api_params_max_count_error`, with the configured limit.
    let assert_too_many = |res: &(u16, serde_json::Value)| {
        assert_err(res, 200, 400, "fields must contain no more than 2 elements")
    };
    let res = h
        .post(
            &format!("/fusion/v1/spaces/{spc}/datasheets/{dst}/fields"),
            json!({"name": "C", "type": "Text"}),
        )
        .await;
    assert_too_many(&res);
    let fields = h.fields(&dst, "").await;
    assert_eq!(
        names(&fields),
        ["A", "B"],
        "the refused field was not created"
    );
    // A datasheet created with more fields than the limit is refused the same way.
    let res = h
        .post(
            &format!("/fusion/v1/spaces/{spc}/datasheets"),
            json!({"name": "Wide", "fields": [
                {"name": "A", "type": "Text"}, {"name": "B", "type": "Text"},
                {"name": "C", "type": "Text"}
            ]}),
        )
        .await;
    assert_too_many(&res);
}

#[tokio::test]
async fn create_datasheet_and_nodes() {
    let h = H::new().await;
    let spc = h.emu.space_id().to_string();
    let path = format!("/fusion/v1/spaces/{spc}/datasheets");
    let d = h.created(&path, json!({"name": "Plain"})).await;
    let id = d["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("dst") && id.len() == 18);
    assert!(d["createdAt"].is_i64());
    assert_eq!(
        names(d["fields"].as_array().unwrap()),
        ["Title", "Options", "Attachments"]
    );

    let d = h
        .created(
            &path,
            json!({"name": "Custom", "description": "d", "fields": [
                {"name": "Title", "type": "SingleText", "property": {}},
                {"name": "N", "type": "Number", "property": {"precision": 1}}
            ]}),
        )
        .await;
    assert_eq!(d["fields"].as_array().unwrap().len(), 2);
    assert_err(
        &h.post(&path, json!({})).await,
        200,
        400,
        "name should not be empty",
    );
    assert_err(
        &h.post(&path, json!({"name": "X", "fields": [{"name": "C", "type": "Checkbox", "property": {"icon": "star"}}]})).await,
        200,
        400,
        "The primary field type can't be Checkbox",
    );
    assert_err(
        &h.post(&path, json!({"name": "X", "folderId": "fodNOPE"}))
            .await,
        200,
        400,
        "Invalid value for folderId",
    );

    let d = h.get_ok(&format!("/fusion/v1/datasheets/{id}/views")).await;
    assert_eq!(d["views"][0]["type"], "Grid");
    assert!(d["views"][0]["id"].as_str().unwrap().starts_with("viw"));

    let d = h.get_ok("/fusion/v1/spaces").await;
    assert_eq!(d["spaces"][0]["id"], spc.as_str());
    assert_eq!(d["spaces"][0]["isAdmin"], true);
    assert_eq!(d["spaces"].as_array().unwrap().len(), 1);

    let d = h.get_ok(&format!("/fusion/v1/spaces/{spc}/nodes")).await;
    let nodes = d["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["type"], "Datasheet");
    assert_eq!(nodes[0]["permission"], 0);
    assert_eq!(nodes[0]["isFav"], false);
    let d = h.get_ok(&format!("/fusion/v1/nodes/{id}")).await;
    assert_eq!(d["name"], "Plain");
    let d = h
        .get_ok(&format!("/fusion/v1/spaces/{spc}/nodes/{id}"))
        .await;
    assert_eq!(d["id"], id.as_str());
    assert_err(
        &h.get("/fusion/v1/nodes/dstNOPE").await,
        200,
        301,
        "Can't find the specified datasheet",
    );

    let d = h
        .get_ok(&format!(
            "/fusion/v2/spaces/{spc}/nodes?type=Datasheet&query=cust"
        ))
        .await;
    assert_eq!(d["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(d["nodes"][0]["name"], "Custom");
    let d = h
        .get_ok(&format!(
            "/fusion/v2/spaces/{spc}/nodes?type=Datasheet&permissions=2,3"
        ))
        .await;
    assert_eq!(d["nodes"], json!([]));
    assert_err(
        &h.get(&format!("/fusion/v2/spaces/{spc}/nodes")).await,
        200,
        400,
        NODE_TYPE_ERROR,
    );
    assert_err(
        &h.get(&format!("/fusion/v2/spaces/{spc}/nodes?type=Sheet"))
            .await,
        200,
        400,
        NODE_TYPE_ERROR,
    );
    assert_err(
        &h.get(&format!(
            "/fusion/v2/spaces/{spc}/nodes?type=Datasheet&permissions=9"
        ))
        .await,
        200,
        400,
        PERMISSION_ERROR,
    );
}

/// `api_node_node_type_value_error`.
const NODE_TYPE_ERROR: &str = "The type must be one of the following values: \"Folder\", \"Datasheet\", \"Form\", \"Dashboard\", \"Mirror\".";
/// `api_node_permission_value_error`.
const PERMISSION_ERROR: &str =
    "The permissions argument must be one of the following integer values: 0,1,2,3.";

/// The node search's checks are DTO checks: the real server answers them with HTTP 500 and the
/// message as an array, which `strict_dto` reproduces.
#[tokio::test]
async fn node_search_errors_in_the_real_servers_dto_form() {
    let h = H::with(apitable_emulator::Emulator::builder().strict_dto(true)).await;
    let spc = h.emu.space_id().to_string();
    let (status, body) = h.get(&format!("/fusion/v2/spaces/{spc}/nodes")).await;
    assert_eq!(
        (status, body),
        (
            500,
            json!({"success": false, "code": 500, "message": [NODE_TYPE_ERROR]})
        )
    );
    let (status, body) = h
        .get(&format!(
            "/fusion/v2/spaces/{spc}/nodes?type=Datasheet&permissions=1,4"
        ))
        .await;
    assert_eq!(
        (status, body),
        (
            500,
            json!({"success": false, "code": 500, "message": [PERMISSION_ERROR]})
        )
    );
}

#[tokio::test]
async fn seeded_folders_views_and_contacts() {
    let seed = json!({
        "spaces": [{
            "name": "Acme",
            "teams": [{"name": "Eng"}],
            "roles": [{"name": "Reviewer"}],
            "members": [{"name": "Alice", "email": "a@x.io", "teams": ["Eng"], "roles": ["Reviewer"]}],
            "nodes": [
                {"type": "Folder", "name": "Projects", "children": [
                    {"type": "Datasheet", "name": "Tasks",
                     "fields": [{"name": "Title", "type": "SingleText", "property": {}},
                                {"name": "Pts", "type": "Number", "property": {"precision": 0}},
                                {"name": "Secret", "type": "Text"},
                                {"name": "Who", "type": "Member", "property": {}}],
                     "views": [{"name": "All"},
                               {"name": "Big", "filter": "{Pts} > 2", "hidden": ["Secret"],
                                "sort": [{"field": "Pts", "desc": true}]},
                               {"name": "Manual", "rowOrder": ["t3", "t1"]}],
                     "records": [{"id": "t1", "fields": {"Title": "a", "Pts": 1, "Secret": "s"}},
                                 {"id": "t2", "fields": {"Title": "b", "Pts": 5}},
                                 {"id": "t3", "fields": {"Title": "c", "Pts": 3, "Who": [{"name": "Alice", "type": "Member"}]}}]}
                ]}
            ]
        }]
    });
    let h = H::with(apitable_emulator::Emulator::builder().seed_json(&seed.to_string())).await;
    let spc = h.emu.space_id().to_string();
    let dst = h.emu.datasheet_id("Tasks").unwrap();
    let info = h.emu.datasheet(&dst).unwrap();
    let views: Vec<&str> = info.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(views, ["All", "Big", "Manual"]);
    let path = H::records_path(&dst);
    let titles = |d: &serde_json::Value| -> Vec<String> {
        d["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["fields"]["Title"].as_str().unwrap().to_string())
            .collect()
    };
    let d = h.get_ok(&path).await;
    assert_eq!(titles(&d), ["a", "b", "c"]);
    let big = &info.views[1].id;
    let d = h.get_ok(&format!("{path}?viewId={big}")).await;
    assert_eq!(titles(&d), ["b", "c"], "view filter and sort apply");
    assert!(
        d["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["fields"].get("Secret").is_none())
    );
    let manual = &info.views[2].id;
    let d = h.get_ok(&format!("{path}?viewId={manual}")).await;
    assert_eq!(titles(&d), ["c", "a", "b"], "view keeps its own row order");
    let in_view = h.fields(&dst, &format!("?viewId={big}")).await;
    assert!(!names(&in_view).contains(&"Secret"));
    let all = h.fields(&dst, "").await;
    assert!(names(&all).contains(&"Secret"));
    assert_err(
        &h.get(&format!("{path}?viewId=viwNOPE")).await,
        200,
        400,
        "View (viwNOPE) does not exist",
    );

    // Folder tree.
    let d = h.get_ok(&format!("/fusion/v1/spaces/{spc}/nodes")).await;
    assert_eq!(d["nodes"][0]["type"], "Folder");
    let folder = d["nodes"][0]["id"].as_str().unwrap().to_string();
    let d = h.get_ok(&format!("/fusion/v1/nodes/{folder}")).await;
    assert_eq!(d["children"][0]["id"], dst.as_str());
    let d = h
        .get_ok(&format!("/fusion/v2/spaces/{spc}/nodes?type=Datasheet"))
        .await;
    assert_eq!(d["nodes"][0]["parentId"], folder.as_str());

    // Contacts.
    let in_space = |rest: &str| format!("/fusion/v1/spaces/{spc}/{rest}");
    let d = h
        .get_ok(&in_space("teams/0/members?sensitiveData=true"))
        .await;
    let alice = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Alice")
        .unwrap()
        .clone();
    assert_eq!(alice["email"], "a@x.io");
    assert_eq!(alice["teams"][0]["name"], "Eng");
    let unit = alice["unitId"].as_str().unwrap();
    let member = in_space(&format!("members/{unit}"));
    let d = h.get_ok(&member).await;
    assert_eq!(d["member"]["name"], "Alice");
    let d = h.put_ok(&member, json!({"name": "Alicia"})).await;
    assert_eq!(d["member"]["name"], "Alicia");
    let d = h.get_ok(&in_space("roles")).await;
    assert_eq!(d["total"], 1);
    let role = d["roles"][0]["unitId"].as_str().unwrap().to_string();
    let d = h.get_ok(&in_space(&format!("roles/{role}/units"))).await;
    assert_eq!(d["members"][0]["name"], "Alicia");
    let d = h.created(&in_space("roles"), json!({"name": "Ops"})).await;
    assert_eq!(d["role"]["name"], "Ops");
    let team = json!({"name": "QA", "parentUnitId": "0"});
    let d = h.created(&in_space("teams"), team).await;
    let qa = d["team"]["unitId"].as_str().unwrap().to_string();
    let d = h.get_ok(&in_space("teams/0/children")).await;
    assert_eq!(d["total"], 2);
    h.delete_ok(&in_space(&format!("teams/{qa}"))).await;
    h.delete_ok(&member).await;
}
