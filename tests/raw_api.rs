//! The raw API of `apitable-orm` against the in-process emulator, over real HTTP on loopback.

mod common;

use std::time::Duration;

use apitable_emulator::{Emulator, Faults};
use apitable_orm::api::{
    CellFormat, FieldKey, FieldType, Fields, ListRecords, NewDatasheet, NewField, NodeSearch,
    NodeType, Order, RecordUpdate, Upload, WriteOptions,
};
use apitable_orm::{Client, DatasheetId, Error, RecordId, RetryPolicy, SpaceId};
use futures_util::TryStreamExt;
use serde_json::{Value, json};

const RECORDS_ROUTE: &str = "/fusion/v1/datasheets/{dstId}/records";

fn client_for(emu: &Emulator) -> Client {
    Client::for_emulator(emu).unwrap()
}

async fn menu_sheet(client: &Client, emu: &Emulator) -> (SpaceId, DatasheetId) {
    let space: SpaceId = emu.space_id().parse().unwrap();
    let created = client
        .space(&space)
        .create_datasheet(
            &NewDatasheet::new("Menu")
                .field(NewField::new("Name", FieldType::SingleText))
                .field(
                    NewField::new("Price", FieldType::Currency)
                        .property(json!({"symbol": "€", "precision": 2})),
                )
                .field(NewField::new("Tags", FieldType::MultiSelect))
                .field(
                    NewField::new("Vegan", FieldType::Checkbox)
                        .property(json!({"icon": "white_check_mark"})),
                )
                .field(
                    NewField::new("Served", FieldType::DateTime)
                        .property(json!({"dateFormat": "YYYY-MM-DD"})),
                ),
        )
        .await
        .unwrap();
    assert_eq!(created.fields.len(), 5);
    assert_eq!(created.fields[0].name, "Name");
    (space, created.id)
}

#[tokio::test]
async fn records_round_trip_through_every_call() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = client_for(&emu);
    let (_space, dst) = menu_sheet(&client, &emu).await;
    let sheet = client.datasheet(&dst);

    let fields = sheet.fields(None).await.unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Name", "Price", "Tags", "Vegan", "Served"]);
    assert!(fields[0].is_primary);
    assert_eq!(fields[2].field_type, FieldType::MultiSelect);
    let views = sheet.views().await.unwrap();
    assert!(!views.is_empty());

    let rows = [
        json!({"Name": "Mushroom skewer", "Price": 4.5, "Tags": ["grill", "vegan"], "Vegan": true, "Served": 1_704_067_200_000i64}),
        json!({"Name": "Fish stew", "Price": 12.0, "Tags": ["stew"]}),
        json!({"Name": "Apple pie", "Price": 3.25}),
    ];
    let created = sheet
        .create_records::<_, Fields>(&rows, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(created.len(), 3);
    assert_eq!(created[0].fields["Tags"], json!(["grill", "vegan"]));

    // Filter, sort and projection.
    let page = sheet
        .list_records::<Fields>(
            &ListRecords::new()
                .filter_by_formula("{Price} < 10")
                .sort("Price", Order::Desc)
                .fields(["Name", "Price"]),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let names: Vec<&Value> = page.items.iter().map(|r| &r.fields["Name"]).collect();
    assert_eq!(names, [&json!("Mushroom skewer"), &json!("Apple pie")]);
    assert!(page.items.iter().all(|r| !r.fields.contains_key("Tags")));
    assert!(page.items.iter().all(|r| r.created_at.is_some()));

    // Empty cells are absent; a checkbox never reads as false.
    let pie = sheet
        .list_records::<Fields>(&ListRecords::new().record_ids([created[2].id.clone()]))
        .await
        .unwrap();
    assert_eq!(pie.items[0].fields.get("Vegan"), None);
    assert_eq!(pie.items[0].fields.get("Tags"), None);

    // String cell format and field ids.
    let by_id = sheet
        .list_records::<Fields>(
            &ListRecords::new()
                .record_ids([created[0].id.clone()])
                .field_key(FieldKey::Id)
                .cell_format(CellFormat::String),
        )
        .await
        .unwrap();
    let price_id = fields[1].id.as_str();
    assert!(
        by_id.items[0].fields[price_id]
            .as_str()
            .unwrap()
            .contains("4.5")
    );

    // Update one cell, clear another.
    let update = RecordUpdate {
        record_id: created[1].id.clone(),
        fields: json!({"Price": 13.5, "Tags": null}),
    };
    let updated = sheet
        .update_records::<_, Fields>(&[update], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(updated[0].fields["Price"], json!(13.5));
    assert_eq!(updated[0].fields.get("Tags"), None);

    // Writes keyed by field id.
    let name_id = fields[0].id.as_str();
    let by_id = sheet
        .create_records::<_, Fields>(&[json!({ name_id: "Bread" })], &WriteOptions::by_id())
        .await
        .unwrap();
    assert_eq!(by_id[0].fields[name_id], "Bread");

    // Delete, then the records are gone.
    let ids: Vec<RecordId> = created.iter().map(|r| r.id.clone()).collect();
    sheet.delete_records(&ids).await.unwrap();
    let left = sheet
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap();
    assert_eq!(left.total, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn streams_fetch_pages_lazily_with_one_request_per_page() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = client_for(&emu);
    let (_space, dst) = menu_sheet(&client, &emu).await;
    let rows: Vec<Value> = (0..2500)
        .map(|i| json!({"Name": format!("dish {i:04}"), "Price": i}))
        .collect();
    emu.insert_records(dst.as_str(), rows).await.unwrap();
    emu.reset_stats().await;

    let sheet = client.datasheet(&dst);
    let pages: Vec<_> = sheet
        .record_pages::<Fields>(ListRecords::new().sort("Name", Order::Asc))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [1000, 1000, 500]
    );
    assert!(pages.iter().all(|p| p.total == 2500));
    assert_eq!(emu.stats().await.count("GET", RECORDS_ROUTE), 3);

    // A stream that is dropped early does not fetch the later pages.
    emu.reset_stats().await;
    let first_ten: Vec<_> = sheet
        .record_stream::<Fields>(ListRecords::new().page_size(100).sort("Name", Order::Asc))
        .try_take_while(|r| std::future::ready(Ok(r.fields["Price"].as_i64().unwrap() < 150)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_ten.len(), 150);
    assert_eq!(emu.stats().await.count("GET", RECORDS_ROUTE), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn server_errors_come_back_typed() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = client_for(&emu);
    let (space, dst) = menu_sheet(&client, &emu).await;
    let sheet = client.datasheet(&dst);

    let unknown: DatasheetId = "dstNoSuchSheet00000".parse().unwrap();
    let err = client
        .datasheet(&unknown)
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (Some(301), Some(200)), "{err}");

    let err = sheet
        .list_records::<Fields>(&ListRecords::new().filter_by_formula("{No such field} = 1"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(400), "{err}");

    let err = sheet
        .create_records::<_, Fields>(
            &[json!({"Price": "not a number"})],
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(400), "{err}");
    assert!(!err.may_have_been_applied());

    let err = sheet
        .update_records::<_, Fields>(
            &[RecordUpdate {
                record_id: "recMissing0001".parse().unwrap(),
                fields: json!({"Name": "x"}),
            }],
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(400), "{err}");

    let stranger = Client::builder()
        .token("uskNobodyKnowsThisToken")
        .base_url(emu.base_url())
        .build()
        .unwrap();
    let err = stranger.spaces().await.unwrap_err();
    assert_eq!((err.code(), err.status()), (Some(401), Some(401)));

    let outsider = common::unretried_client(&emu, emu.outsider_token());
    let err = outsider
        .space(&space)
        .create_datasheet(&NewDatasheet::new("Nope"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(403), "{err}");

    let v3 = reqwest_get(&format!("{}/fusion/v3/spaces", emu.base_url()), emu.token()).await;
    assert_eq!(v3.0, 404);
    emu.shutdown().await;
}

async fn reqwest_get(url: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn fields_attachments_spaces_and_nodes() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = client_for(&emu);
    let (space, dst) = menu_sheet(&client, &emu).await;
    let sheet = client.datasheet(&dst);
    let spaces_api = client.space(&space);

    let photo = spaces_api
        .create_field(&dst, &NewField::new("Photo", FieldType::Attachment))
        .await
        .unwrap();
    let att = sheet
        .upload_attachment(Upload::from_bytes("pie.txt", b"a pie".to_vec()).mime("text/plain"))
        .await
        .unwrap();
    assert_eq!(att.size, Some(5));
    let rec = sheet
        .create_records::<_, Fields>(
            &[json!({"Name": "Pie", "Photo": [{"token": att.token, "name": "pie.txt"}]})],
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    let cell = &rec[0].fields["Photo"][0];
    assert_eq!(cell["name"], "pie.txt");
    let url = cell["url"].as_str().unwrap();
    let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"a pie");

    spaces_api
        .delete_field(&dst, &photo.id, None)
        .await
        .unwrap();
    assert!(
        sheet
            .fields(None)
            .await
            .unwrap()
            .iter()
            .all(|f| f.name != "Photo")
    );

    let spaces = client.spaces().await.unwrap();
    assert!(spaces.iter().any(|s| s.id == space));
    let nodes = spaces_api.nodes().await.unwrap();
    assert!(
        nodes
            .iter()
            .any(|n| n.id.as_str() == dst.as_str() && n.node_type == NodeType::Datasheet)
    );
    let detail = client.node(&dst.clone().into()).await.unwrap();
    assert_eq!(detail.node.name, "Menu");
    let found = spaces_api
        .search_nodes(&NodeSearch::new(NodeType::Datasheet).query("Men"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    emu.shutdown().await;
}

/// `n` listings of `dst` sent at once; every one must succeed.
async fn list_all_at_once(client: &Client, dst: &DatasheetId, n: usize) {
    let calls = (0..n).map(|_| {
        let client = client.clone();
        let dst = dst.clone();
        async move {
            client
                .datasheet(&dst)
                .list_records::<Fields>(&ListRecords::new())
                .await
        }
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
}

#[tokio::test]
async fn pacing_keeps_a_rate_limited_server_from_ever_answering_429() {
    let emu = common::rate_limited(5).await;
    let client = common::unretried_client(&emu, emu.token());
    let (_space, dst) = menu_sheet(&client, &emu).await;
    emu.reset_stats().await;
    // Twelve at once, with retries off: without pacing the limiter would refuse seven of them.
    list_all_at_once(&client, &dst, 12).await;
    let stats = emu.stats().await;
    assert_eq!(stats.count("GET", RECORDS_ROUTE), 12);
    assert_eq!(stats.status(429), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn retries_ride_out_rate_limits_and_server_errors() {
    let emu = common::rate_limited(5).await;
    // Deliberately unpaced, so that the bursts meet the emulator's limiter.
    let client = Client::builder()
        .emulator(&emu)
        .pacing(apitable_orm::Pacing::off())
        .retry(
            RetryPolicy::standard()
                .with_max_attempts(8)
                .with_initial_backoff(Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    let (_space, dst) = menu_sheet(&client, &emu).await;
    emu.reset_stats().await;
    // Unpaced bursts meet the server's limiter; every call still succeeds.
    list_all_at_once(&client, &dst, 10).await;
    assert!(
        emu.stats().await.status(429) > 0,
        "the burst must have met the limiter"
    );

    // Injected 500s on reads are retried until they succeed.
    let faults = Faults {
        server_error: 0.5,
        seed: Some(7),
        ..Faults::none()
    };
    emu.set_faults(faults).await;
    emu.reset_stats().await;
    for _ in 0..5 {
        client
            .datasheet(&dst)
            .list_records::<Fields>(&ListRecords::new())
            .await
            .unwrap();
    }
    let stats = emu.stats().await;
    let answered = |status| stats.count_status("GET", RECORDS_ROUTE, status);
    let server_errors = answered(500);
    assert!(server_errors > 0, "no read met a 500: {stats:?}");
    assert_eq!(stats.fault("serverError"), server_errors, "{stats:?}");
    // Each call ended in exactly one 200; every other attempt was a 500 or the limiter's 429,
    // and each of those was followed by another attempt.
    assert_eq!(answered(200), 5, "{stats:?}");
    assert_eq!(
        stats.count("GET", RECORDS_ROUTE),
        5 + server_errors + answered(429),
        "{stats:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_dropped_create_is_reported_not_duplicated() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = Client::builder()
        .emulator(&emu)
        .retry(RetryPolicy::standard().with_initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap();
    let (_space, dst) = menu_sheet(&client, &emu).await;
    emu.set_faults(Faults {
        drop: 1.0,
        seed: Some(1),
        method: Some("POST".into()),
        ..Faults::none()
    })
    .await;
    let err = client
        .datasheet(&dst)
        .create_records::<_, Fields>(&[json!({"Name": "Soup"})], &WriteOptions::default())
        .await
        .unwrap_err();
    let Error::UnknownOutcome(unknown) = &err else {
        panic!("expected an unknown outcome, got {err:?}");
    };
    assert_eq!(unknown.records(), [r#"{"Name":"Soup"}"#]);
    let stats = emu.stats().await;
    assert_eq!(
        stats.count("POST", RECORDS_ROUTE),
        1,
        "a create whose fate is unknown is sent once"
    );
    emu.shutdown().await;
}
