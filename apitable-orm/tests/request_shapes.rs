//! Pins the exact request every endpoint sends (method, path, query, body, headers) against a
//! loopback mock server.

use apitable_orm::api::{
    CellFormat, Conversion, FieldKey, FieldType, Fields, ListRecords, MemberUpdate, NewDatasheet,
    NewField, NewRole, NewTeam, NodeSearch, NodeType, Order, RecordUpdate, RoleUpdate, TeamUpdate,
    Upload, WriteOptions,
};
use apitable_orm::{Client, DatasheetId, Error, Pacing, RecordId, RetryPolicy, SpaceId, UnitId};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "uskTestToken0000000001";

struct Harness {
    server: MockServer,
    client: Client,
}

impl Harness {
    async fn new(status: u16, data: Value) -> Self {
        let server = MockServer::start().await;
        let mut body = json!({"success": true, "code": 200, "message": "SUCCESS"});
        if !data.is_null() {
            body["data"] = data;
        }
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(server.uri())
            .pacing(Pacing::off())
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap();
        Harness { server, client }
    }

    async fn only_request(&self) -> Request {
        let mut reqs = self.server.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 1, "exactly one request expected");
        let req = reqs.pop().unwrap();
        assert_eq!(
            req.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {TOKEN}")
        );
        req
    }

    /// The only request, after checking its method and path.
    async fn only_request_to(&self, method: &str, path: &str) -> Request {
        let req = self.only_request().await;
        assert_eq!((req.method.as_str(), req.url.path()), (method, path));
        req
    }
}

fn json_body(req: &Request) -> Value {
    assert_eq!(req.headers.get("content-type").unwrap(), "application/json");
    serde_json::from_slice(&req.body).unwrap()
}

fn dst() -> DatasheetId {
    "dstMenu0000000001".parse().unwrap()
}

fn spc() -> SpaceId {
    "spcKitchen01".parse().unwrap()
}

fn page(records: Value) -> Value {
    json!({"total": 1, "pageNum": 1, "pageSize": 1, "records": records})
}

#[tokio::test]
async fn list_records_sends_every_parameter() {
    let h = Harness::new(
        200,
        page(json!([{"recordId": "recA", "createdAt": 1, "updatedAt": 2, "fields": {"Name": "Soup"}}])),
    )
    .await;
    let params = ListRecords::new()
        .view("viwAll".parse().unwrap())
        .page_num(2)
        .page_size(50)
        .max_records(70)
        .sort("Price", Order::Desc)
        .sort("Name, full", Order::Asc)
        .record_ids(["recA".parse().unwrap(), "recB".parse().unwrap()])
        .fields(["Name", "Price, €"])
        .filter_by_formula("AND({Price} > 1, {Name} = \"a+b & c\")")
        .cell_format(CellFormat::String)
        .field_key(FieldKey::Id);
    let page = h
        .client
        .datasheet(&dst())
        .list_records::<Fields>(&params)
        .await
        .unwrap();
    assert_eq!(page.items[0].id, "recA");
    assert_eq!(page.items[0].fields["Name"], "Soup");

    let req = h
        .only_request_to("GET", "/fusion/v1/datasheets/dstMenu0000000001/records")
        .await;
    assert_eq!(
        req.url.query().unwrap(),
        "viewId=viwAll&pageNum=2&pageSize=50&maxRecords=70\
         &sort%5B0%5D%5Bfield%5D=Price&sort%5B0%5D%5Border%5D=desc\
         &sort%5B1%5D%5Bfield%5D=Name%2C+full&sort%5B1%5D%5Border%5D=asc\
         &recordIds%5B%5D=recA&recordIds%5B%5D=recB\
         &fields%5B%5D=Name&fields%5B%5D=Price%2C+%E2%82%AC\
         &filterByFormula=AND%28%7BPrice%7D+%3E+1%2C+%7BName%7D+%3D+%22a%2Bb+%26+c%22%29\
         &cellFormat=string&fieldKey=id"
    );
    // Decoded the way a form decoder (the server's) reads it.
    let pairs: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&(
        "filterByFormula".into(),
        "AND({Price} > 1, {Name} = \"a+b & c\")".into()
    )));
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn list_records_without_parameters_sends_no_query() {
    let h = Harness::new(200, page(json!([]))).await;
    h.client
        .datasheet(&dst())
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap();
    let req = h.only_request().await;
    assert_eq!(req.url.query(), None);
}

#[tokio::test]
async fn bad_paging_parameters_are_refused_before_sending() {
    let h = Harness::new(200, page(json!([]))).await;
    let sheet = h.client.datasheet(&dst());
    for params in [
        ListRecords::new().page_size(0),
        ListRecords::new().page_size(1001),
        ListRecords::new().page_num(0),
        ListRecords::new().max_records(0),
        ListRecords::new().fields([""]),
    ] {
        let err = sheet.list_records::<Fields>(&params).await.unwrap_err();
        assert!(
            matches!(err, apitable_orm::Error::InvalidRequest(_)),
            "{err}"
        );
    }
    assert!(h.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_records_posts_fields_and_field_key_in_the_body() {
    let h = Harness::new(
        201,
        json!({"records": [{"recordId": "recN1", "fields": {"fldName": "Soup"}}]}),
    )
    .await;
    let opts = WriteOptions {
        field_key: FieldKey::Id,
        view_id: Some("viwAll".parse().unwrap()),
    };
    let created = h
        .client
        .datasheet(&dst())
        .create_records::<_, Fields>(&[json!({"fldName": "Soup", "fldPrice": 4.5})], &opts)
        .await
        .unwrap();
    assert_eq!(created[0].id, "recN1");
    assert_eq!(created[0].created_at, None);
    let req = h
        .only_request_to("POST", "/fusion/v1/datasheets/dstMenu0000000001/records")
        .await;
    assert_eq!(req.url.query(), Some("viewId=viwAll"));
    assert_eq!(
        json_body(&req),
        json!({"records": [{"fields": {"fldName": "Soup", "fldPrice": 4.5}}], "fieldKey": "id"})
    );
}

#[tokio::test]
async fn write_batches_are_checked_before_sending() {
    let h = Harness::new(201, json!({"records": []})).await;
    let sheet = h.client.datasheet(&dst());
    let eleven: Vec<Value> = (0..11).map(|i| json!({"Name": i})).collect();
    let opts = WriteOptions::default();
    assert!(
        sheet
            .create_records::<_, Fields>(&eleven, &opts)
            .await
            .is_err()
    );
    assert!(
        sheet
            .create_records::<Value, Fields>(&[], &opts)
            .await
            .is_err()
    );
    let err = sheet
        .create_records::<_, Fields>(&[json!({"Name": "ok"}), json!({})], &opts)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("record #1 has no cells"), "{err}");
    assert!(sheet.delete_records(&[]).await.is_err());
    assert!(h.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn update_records_patches_with_record_ids() {
    let h = Harness::new(
        200,
        json!({"records": [{"recordId": "recA", "createdAt": 1, "updatedAt": 3, "fields": {"Name": "Stew"}}]}),
    )
    .await;
    let update = RecordUpdate {
        record_id: "recA".parse().unwrap(),
        fields: json!({"Name": "Stew", "Price": null}),
    };
    let updated = h
        .client
        .datasheet(&dst())
        .update_records::<_, Fields>(&[update], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(updated[0].updated_at, Some(3));
    let req = h
        .only_request_to("PATCH", "/fusion/v1/datasheets/dstMenu0000000001/records")
        .await;
    assert_eq!(req.url.query(), None);
    assert_eq!(
        json_body(&req),
        json!({"records": [{"recordId": "recA", "fields": {"Name": "Stew", "Price": null}}], "fieldKey": "name"})
    );
}

#[tokio::test]
async fn delete_records_sends_ids_in_the_query_and_accepts_no_data() {
    let h = Harness::new(200, Value::Null).await;
    h.client
        .datasheet(&dst())
        .delete_records(&["recA".parse().unwrap(), "recB".parse().unwrap()])
        .await
        .unwrap();
    let req = h
        .only_request_to("DELETE", "/fusion/v1/datasheets/dstMenu0000000001/records")
        .await;
    assert_eq!(
        req.url.query(),
        Some("recordIds%5B%5D=recA&recordIds%5B%5D=recB")
    );
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn list_fields_and_views() {
    let h = Harness::new(
        200,
        json!({"fields": [
            {"id": "fldA", "name": "Name", "type": "SingleText", "property": {}, "editable": true, "isPrimary": true},
            {"id": "fldB", "name": "Link", "type": "TwoWayLink", "editable": true, "desc": "to posts"}
        ]}),
    )
    .await;
    let fields = h
        .client
        .datasheet(&dst())
        .fields(Some(&"viwAll".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(fields.len(), 2);
    assert!(fields[0].is_primary);
    assert_eq!(fields[1].field_type, FieldType::TwoWayLink);
    assert_eq!(fields[1].desc.as_deref(), Some("to posts"));
    let req = h
        .only_request_to("GET", "/fusion/v1/datasheets/dstMenu0000000001/fields")
        .await;
    assert_eq!(req.url.query(), Some("viewId=viwAll"));

    let h = Harness::new(
        200,
        json!({"views": [{"id": "viwA", "name": "All", "type": "Grid"}]}),
    )
    .await;
    let views = h.client.datasheet(&dst()).views().await.unwrap();
    assert_eq!(views[0].view_type, apitable_orm::api::ViewType::Grid);
    h.only_request_to("GET", "/fusion/v1/datasheets/dstMenu0000000001/views")
        .await;
}

#[tokio::test]
async fn create_and_delete_fields() {
    let h = Harness::new(201, json!({"id": "fldNew", "name": "Tags"})).await;
    let created = h
        .client
        .space(&spc())
        .create_field(&dst(), &NewField::new("Tags", FieldType::MultiSelect))
        .await
        .unwrap();
    assert_eq!(created.id, "fldNew");
    let req = h
        .only_request_to(
            "POST",
            "/fusion/v1/spaces/spcKitchen01/datasheets/dstMenu0000000001/fields",
        )
        .await;
    assert_eq!(
        json_body(&req),
        json!({"name": "Tags", "type": "MultiSelect", "property": {}})
    );

    // Text takes no property: none is sent, and giving one is refused before sending.
    let h = Harness::new(201, json!({"id": "fldNote", "name": "Note"})).await;
    let space = h.client.space(&spc());
    space
        .create_field(&dst(), &NewField::new("Note", FieldType::Text))
        .await
        .unwrap();
    assert_eq!(
        json_body(&h.only_request().await),
        json!({"name": "Note", "type": "Text"})
    );
    let bad = NewField::new("Note2", FieldType::Text).property(json!({}));
    assert!(space.create_field(&dst(), &bad).await.is_err());

    let h = Harness::new(200, json!({})).await;
    h.client
        .space(&spc())
        .delete_field(
            &dst(),
            &"fldOld".parse().unwrap(),
            Some(Conversion::KeepText),
        )
        .await
        .unwrap();
    let req = h
        .only_request_to(
            "DELETE",
            "/fusion/v1/spaces/spcKitchen01/datasheets/dstMenu0000000001/fields/fldOld",
        )
        .await;
    assert_eq!(json_body(&req), json!({"conversion": "keepText"}));
}

#[tokio::test]
async fn create_datasheet() {
    let h = Harness::new(
        201,
        json!({"id": "dstNew000000000001", "createdAt": 1700000000000i64,
               "fields": [{"id": "fldA", "name": "Name"}]}),
    )
    .await;
    let sheet = NewDatasheet::new("Menu")
        .description("Dishes")
        .folder("fodStarters".parse().unwrap())
        .field(NewField::new("Name", FieldType::SingleText).property(json!({"defaultValue": "?"})))
        .field(NewField::new("Price", FieldType::Currency).property(json!({"symbol": "€"})));
    let created = h
        .client
        .space(&spc())
        .create_datasheet(&sheet)
        .await
        .unwrap();
    assert_eq!(created.id, "dstNew000000000001");
    assert_eq!(created.created_at, Some(1700000000000));
    let req = h
        .only_request_to("POST", "/fusion/v1/spaces/spcKitchen01/datasheets")
        .await;
    assert_eq!(
        json_body(&req),
        json!({"name": "Menu", "description": "Dishes", "folderId": "fodStarters", "fields": [
            {"name": "Name", "type": "SingleText", "property": {"defaultValue": "?"}},
            {"name": "Price", "type": "Currency", "property": {"symbol": "€"}}
        ]})
    );

    // A primary field of a type that cannot be primary is refused before sending.
    let bad = NewDatasheet::new("Bad").field(NewField::new("Done", FieldType::Checkbox));
    assert!(h.client.space(&spc()).create_datasheet(&bad).await.is_err());
    let unnamed = NewDatasheet::new("  ");
    assert!(
        h.client
            .space(&spc())
            .create_datasheet(&unnamed)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn upload_attachment_sends_one_multipart_file() {
    let h = Harness::new(
        201,
        json!({"token": "space/2024/01/01/abc", "name": "menu.txt", "size": 9, "mimeType": "text/plain",
               "url": "http://127.0.0.1/space/2024/01/01/abc"}),
    )
    .await;
    let upload = Upload::from_bytes("menu.txt", b"Soup 4.50".to_vec()).mime("text/plain");
    let att = h
        .client
        .datasheet(&dst())
        .upload_attachment(upload)
        .await
        .unwrap();
    assert_eq!(att.token, "space/2024/01/01/abc");
    assert_eq!(att.size, Some(9));
    let req = h
        .only_request_to(
            "POST",
            "/fusion/v1/datasheets/dstMenu0000000001/attachments",
        )
        .await;
    let ctype = req.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(
        ctype.starts_with("multipart/form-data; boundary="),
        "{ctype}"
    );
    let body = String::from_utf8_lossy(&req.body);
    assert!(
        body.contains(r#"name="file"; filename="menu.txt""#),
        "{body}"
    );
    assert!(body.contains("Content-Type: text/plain"), "{body}");
    assert!(body.contains("Soup 4.50"));
}

#[tokio::test]
async fn uploads_from_a_path_and_a_reader() {
    let dir = std::env::temp_dir().join(format!("apitable-orm-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("photo.png");
    std::fs::write(&path, b"\x89PNG fake").unwrap();
    let from_path = Upload::from_path(&path).await.unwrap();
    assert_eq!(from_path.len(), 9);
    let from_reader = Upload::from_reader("r.bin", &b"abc"[..]).await.unwrap();
    assert_eq!(from_reader.len(), 3);
    assert!(Upload::from_path(dir.join("missing.png")).await.is_err());

    let h = Harness::new(201, json!({"token": "t/1", "name": "photo.png", "size": 9})).await;
    h.client
        .datasheet(&dst())
        .upload_attachment(from_path)
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&h.only_request().await.body).into_owned();
    assert!(body.contains(r#"filename="photo.png""#));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn spaces_nodes_and_search() {
    let h = Harness::new(200, json!({"spaces": [{"id": "spcA", "name": "Kitchen", "isAdmin": true}, {"id": "spcB", "name": "Hall"}]})).await;
    let spaces = h.client.spaces().await.unwrap();
    assert!(spaces[0].is_admin && !spaces[1].is_admin);
    h.only_request_to("GET", "/fusion/v1/spaces").await;

    let node = json!({"id": "dstA", "name": "Menu", "type": "Datasheet", "icon": null, "isFav": false, "permission": 0});
    let h = Harness::new(200, json!({"nodes": [node.clone()]})).await;
    let nodes = h.client.space(&spc()).nodes().await.unwrap();
    assert_eq!(nodes[0].node_type, NodeType::Datasheet);
    h.only_request_to("GET", "/fusion/v1/spaces/spcKitchen01/nodes")
        .await;

    let h = Harness::new(
        200,
        json!({"id": "fodA", "name": "Root", "type": "Folder", "isFav": true, "permission": 1,
                                      "children": [node.clone()]}),
    )
    .await;
    let detail = h.client.node(&"fodA".parse().unwrap()).await.unwrap();
    assert_eq!(detail.node.node_type, NodeType::Folder);
    assert_eq!(detail.children.len(), 1);
    h.only_request_to("GET", "/fusion/v1/nodes/fodA").await;

    let h = Harness::new(200, json!({"nodes": [node]})).await;
    let found = h
        .client
        .space(&spc())
        .search_nodes(
            &NodeSearch::new(NodeType::Datasheet)
                .permissions([0, 1])
                .query("me nu"),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let req = h
        .only_request_to("GET", "/fusion/v2/spaces/spcKitchen01/nodes")
        .await;
    assert_eq!(
        req.url.query(),
        Some("type=Datasheet&permissions=0%2C1&query=me+nu")
    );
}

fn member_json() -> Value {
    json!({"unitId": "1001", "name": "Ana", "avatar": "", "status": 1, "type": "Member",
           "teams": [{"unitId": "2001", "name": "Cooks", "sequence": 1, "parentUnitId": "0", "roles": []}],
           "roles": [{"unitId": "3001", "name": "Chef", "sequence": 1}]})
}

#[tokio::test]
async fn contacts_members() {
    let unit: UnitId = "1001".parse().unwrap();
    let h = Harness::new(200, json!({"member": member_json()})).await;
    let m = h.client.space(&spc()).member(&unit).await.unwrap();
    assert_eq!(m.teams[0].name, "Cooks");
    h.only_request_to("GET", "/fusion/v1/spaces/spcKitchen01/members/1001")
        .await;

    let h = Harness::new(200, json!({"member": member_json()})).await;
    let update = MemberUpdate::default()
        .name("Ana B")
        .roles(vec!["3001".parse().unwrap()]);
    h.client
        .space(&spc())
        .update_member(&unit, &update)
        .await
        .unwrap();
    let req = h
        .only_request_to("PUT", "/fusion/v1/spaces/spcKitchen01/members/1001")
        .await;
    assert_eq!(json_body(&req), json!({"name": "Ana B", "roles": ["3001"]}));

    let h = Harness::new(200, Value::Null).await;
    h.client.space(&spc()).delete_member(&unit).await.unwrap();
    h.only_request_to("DELETE", "/fusion/v1/spaces/spcKitchen01/members/1001")
        .await;
}

#[tokio::test]
async fn contacts_roles() {
    let unit: UnitId = "3001".parse().unwrap();
    let role = json!({"unitId": "3001", "name": "Chef", "sequence": 1});
    let h = Harness::new(
        200,
        json!({"pageNum": 1, "pageSize": 1, "total": 1, "roles": [role.clone()]}),
    )
    .await;
    let roles = h.client.space(&spc()).roles(1, 100).await.unwrap();
    assert_eq!((roles.total, roles.items[0].name.as_str()), (1, "Chef"));
    let req = h
        .only_request_to("GET", "/fusion/v1/spaces/spcKitchen01/roles")
        .await;
    assert_eq!(req.url.query(), Some("pageNum=1&pageSize=100"));

    let h = Harness::new(201, json!({"role": role.clone()})).await;
    h.client
        .space(&spc())
        .create_role(&NewRole::new("Chef"))
        .await
        .unwrap();
    let req = h
        .only_request_to("POST", "/fusion/v1/spaces/spcKitchen01/roles")
        .await;
    assert_eq!(json_body(&req), json!({"name": "Chef"}));

    let h = Harness::new(200, json!({"role": role})).await;
    h.client
        .space(&spc())
        .update_role(&unit, &RoleUpdate::default().name("Head chef"))
        .await
        .unwrap();
    let req = h
        .only_request_to("PUT", "/fusion/v1/spaces/spcKitchen01/roles/3001")
        .await;
    assert_eq!(json_body(&req), json!({"name": "Head chef"}));

    let h = Harness::new(200, json!({"teams": [], "members": [member_json()]})).await;
    let units = h.client.space(&spc()).role_units(&unit).await.unwrap();
    assert_eq!(units.members.len(), 1);
    h.only_request_to("GET", "/fusion/v1/spaces/spcKitchen01/roles/3001/units")
        .await;

    let h = Harness::new(200, Value::Null).await;
    h.client.space(&spc()).delete_role(&unit).await.unwrap();
    h.only_request_to("DELETE", "/fusion/v1/spaces/spcKitchen01/roles/3001")
        .await;
}

#[tokio::test]
async fn unit_paging_is_checked_before_any_request() {
    // A server that answers every listing with a good (empty) page, so that only the client's
    // own check can refuse a call.
    let h = Harness::new(
        200,
        json!({"pageNum": 1, "pageSize": 1, "total": 0, "roles": []}),
    )
    .await;
    let space = h.client.space(&spc());
    let team: UnitId = "2001".parse().unwrap();
    for (page_num, page_size, message) in [
        (0, 10, "pageNum must be at least 1, got 0"),
        (1, 0, "pageSize must be between 1 and 1000, got 0"),
        (1, 1001, "pageSize must be between 1 and 1000, got 1001"),
    ] {
        let results = [
            ("roles", space.roles(page_num, page_size).await.map(drop)),
            (
                "team_children",
                space
                    .team_children(&team, page_num, page_size)
                    .await
                    .map(drop),
            ),
            (
                "team_members",
                space
                    .team_members(&team, false, page_num, page_size)
                    .await
                    .map(drop),
            ),
        ];
        for (call, result) in results {
            let err = result.expect_err(call);
            assert!(
                matches!(&err, Error::InvalidRequest(m) if m == message),
                "{call}({page_num}, {page_size}): {err:?}"
            );
        }
    }
    assert_eq!(h.server.received_requests().await.unwrap().len(), 0);

    // The bounds themselves are sent as given.
    assert_eq!(space.roles(1, 1).await.unwrap().total, 0);
    assert_eq!(space.roles(1, 1000).await.unwrap().total, 0);
    let queries: Vec<String> = h
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(queries, ["pageNum=1&pageSize=1", "pageNum=1&pageSize=1000"]);
}

#[tokio::test]
async fn contacts_teams() {
    let unit: UnitId = "2001".parse().unwrap();
    let team =
        json!({"unitId": "2001", "name": "Cooks", "sequence": 1, "parentUnitId": "0", "roles": []});
    let h = Harness::new(201, json!({"team": team.clone()})).await;
    h.client
        .space(&spc())
        .create_team(&NewTeam::new("Cooks").parent("0".parse().unwrap()))
        .await
        .unwrap();
    let req = h
        .only_request_to("POST", "/fusion/v1/spaces/spcKitchen01/teams")
        .await;
    assert_eq!(
        json_body(&req),
        json!({"name": "Cooks", "parentUnitId": "0"})
    );

    let h = Harness::new(200, json!({"team": team.clone()})).await;
    h.client
        .space(&spc())
        .update_team(&unit, &TeamUpdate::default().name("Bakers"))
        .await
        .unwrap();
    let req = h
        .only_request_to("PUT", "/fusion/v1/spaces/spcKitchen01/teams/2001")
        .await;
    assert_eq!(json_body(&req), json!({"name": "Bakers"}));

    let h = Harness::new(200, Value::Null).await;
    h.client.space(&spc()).delete_team(&unit).await.unwrap();
    h.only_request_to("DELETE", "/fusion/v1/spaces/spcKitchen01/teams/2001")
        .await;

    let h = Harness::new(
        200,
        json!({"pageNum": 2, "pageSize": 1, "total": 3, "teams": [team]}),
    )
    .await;
    let children = h
        .client
        .space(&spc())
        .team_children(&"0".parse().unwrap(), 2, 1)
        .await
        .unwrap();
    assert_eq!((children.number, children.total), (2, 3));
    let req = h
        .only_request_to("GET", "/fusion/v1/spaces/spcKitchen01/teams/0/children")
        .await;
    assert_eq!(req.url.query(), Some("pageNum=2&pageSize=1"));

    let h = Harness::new(
        200,
        json!({"pageNum": 1, "pageSize": 1, "total": 1, "members": [member_json()]}),
    )
    .await;
    let members = h
        .client
        .space(&spc())
        .team_members(&unit, true, 1, 100)
        .await
        .unwrap();
    assert_eq!(members.items[0].name, "Ana");
    let req = h
        .only_request_to("GET", "/fusion/v1/spaces/spcKitchen01/teams/2001/members")
        .await;
    assert_eq!(
        req.url.query(),
        Some("sensitiveData=true&pageNum=1&pageSize=100")
    );
}

/// A table mapped by hand, past the derive's compile-time check, to an id with a field's
/// prefix: what a hand-written `impl Table` or a typo in generated code would give.
struct Misfiled;

impl apitable_orm::Table for Misfiled {
    const DATASHEET: &'static str = "fldNotADatasheet1";
    const VIEW: Option<&'static str> = None;
    const FIELD_KEY: FieldKey = FieldKey::Name;
    const FIELDS: &'static [apitable_orm::FieldMeta] = &[];
    type __Slots = ();

    fn __decode_cell<'de, A: apitable_orm::__private::MapAccess<'de>>(
        _: &mut (),
        _: usize,
        _: &mut A,
        _: &apitable_orm::__private::DecodeCtx,
    ) -> Result<(), A::Error> {
        Ok(())
    }
    fn __finish(_: (), _: &RecordId) -> Result<Self, apitable_orm::DecodeError> {
        Ok(Misfiled)
    }
    fn __encode(&self, _: &mut Fields) {}
    fn __matches_stored(&self, _: &Self, _: usize) -> bool {
        true
    }
    fn record_id(&self) -> Option<&RecordId> {
        None
    }
    fn set_record_id(&mut self, _: RecordId) {}
}

/// Lists a datasheet named by text, the way a program reads an id from its configuration.
async fn total_of(client: &Client, raw: &str) -> apitable_orm::Result<u64> {
    let dst: DatasheetId = raw.parse()?;
    let page = client
        .datasheet(&dst)
        .list_records::<Fields>(&ListRecords::new())
        .await?;
    Ok(page.total)
}

#[tokio::test]
async fn ids_with_wrong_prefixes_fail_before_any_request() {
    // A server that answers every request with a page of one record.
    let h = Harness::new(200, page(json!([{"recordId": "recA", "fields": {}}]))).await;
    let kind_of = |e: apitable_orm::IdError| (e.kind(), e.value().to_owned());
    assert_eq!(
        kind_of("fldX".parse::<DatasheetId>().unwrap_err()),
        ("datasheet", "fldX".into())
    );
    assert_eq!(
        kind_of("dstX".parse::<SpaceId>().unwrap_err()),
        ("space", "dstX".into())
    );
    assert_eq!(
        kind_of("dstX".parse::<RecordId>().unwrap_err()),
        ("record", "dstX".into())
    );
    assert_eq!(
        kind_of("".parse::<UnitId>().unwrap_err()),
        ("unit", String::new())
    );

    // Read from text and used at once: the parse stops the call.
    let err = total_of(&h.client, "fldMenu0000000001").await.unwrap_err();
    assert!(
        matches!(&err, Error::Id(e) if e.kind() == "datasheet" && e.value() == "fldMenu0000000001"),
        "{err:?}"
    );

    // A sheet of a table with a wrong datasheet id: every read and write is that IdError.
    let sheet = h.client.table::<Misfiled>();
    let rec: RecordId = "recA".parse().unwrap();
    let results: Vec<(&str, Result<(), Error>)> = vec![
        ("count", sheet.count().await.map(drop)),
        ("all", sheet.all().await.map(drop)),
        ("get", sheet.get(&rec).await.map(drop)),
        (
            "get_many",
            sheet.get_many(std::slice::from_ref(&rec)).await.map(drop),
        ),
        (
            "stream",
            futures_util::StreamExt::next(&mut Box::pin(sheet.stream()))
                .await
                .expect("the stream yields the error")
                .map(drop),
        ),
        ("check_schema", sheet.check_schema().await.map(drop)),
        ("insert", sheet.insert(&Misfiled).await.map(drop)),
        ("delete", sheet.delete(&rec).await),
    ];
    for (call, result) in results {
        let err = result.expect_err(call);
        assert!(
            matches!(&err, Error::Id(e) if e.kind() == "datasheet" && e.value() == "fldNotADatasheet1"),
            "{call}: {err:?}"
        );
    }
    let sent = h.server.received_requests().await.unwrap();
    assert_eq!(
        sent.iter().map(|r| r.url.path()).collect::<Vec<_>>(),
        Vec::<&str>::new(),
        "no request may leave before the ids are checked"
    );

    // The same flow with a good id does reach the server, and the server counts it.
    assert_eq!(total_of(&h.client, "dstMenu0000000001").await.unwrap(), 1);
    assert_eq!(
        h.only_request().await.url.path(),
        "/fusion/v1/datasheets/dstMenu0000000001/records"
    );
}
