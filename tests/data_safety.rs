//! Data safety against the emulator: batch reports that place every row, upserts that are
//! rerunnable for every writable field type and never clear what the input left empty, member
//! cells written from the contacts API, and decode errors that name their record.

mod common;

use apitable_emulator::{Emulator, Faults, FieldSpec};
use apitable_orm::Error;
use apitable_orm::api::{Fields, WriteOptions};
use apitable_orm::prelude::*;
use apitable_orm::value::{Attachment, Member, MemberType, Url};
use apitable_orm::{BatchError, DatasheetId, RetryPolicy, SpaceId, UnitId, UpsertOptions};
use common::{NotedItem as Item, noted_item as item};
use serde_json::json;

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";

fn client_for(emu: &Emulator, retry: RetryPolicy) -> Client {
    Client::builder()
        .emulator(emu)
        .retry(retry)
        .build()
        .unwrap()
}

/// A new emulator with an items datasheet, and that sheet through a client without retries.
async fn items_setup() -> (Emulator, Sheet<Item>) {
    let emu = Emulator::builder().start().await.unwrap();
    let dst = common::noted_items_datasheet(&emu).await;
    let items = client_for(&emu, RetryPolicy::disabled()).table_in::<Item>(dst);
    (emu, items)
}

fn batch(err: &Error) -> &BatchError {
    match err {
        Error::Batch(b) => b,
        other => panic!("expected a batch report, got {other:?}"),
    }
}

/// Every row of a batch report is in exactly one list.
fn assert_partition(b: &BatchError) {
    let mut all: Vec<usize> = b
        .written()
        .iter()
        .chain(b.unchanged())
        .map(|(i, _)| *i)
        .chain(b.failed().iter().copied())
        .chain(b.unknown().iter().copied())
        .chain(b.not_sent().iter().copied())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..b.total()).collect::<Vec<_>>(), "{b}");
}

/// An upsert of 50 rows (20 to update, 30 new) whose creates fail: the three creates were in
/// flight together, so all 30 new rows are unknown; the 20 updates were never sent. A rerun
/// finishes the job.
#[tokio::test]
async fn a_failed_upsert_reports_every_row_and_a_rerun_completes_it() {
    let (emu, items) = items_setup().await;
    items
        .insert_many(&(0..20).map(|i| item(i, 1.0)).collect::<Vec<_>>())
        .await
        .unwrap();
    let rows: Vec<Item> = (0..50).map(|i| item(i, 2.0)).collect();

    emu.set_faults(Faults {
        server_error: 1.0,
        method: Some("POST".into()),
        ..Faults::none()
    })
    .await;
    let err = items.upsert(&rows).await.unwrap_err();
    let b = batch(&err);
    assert_partition(b);
    assert!(b.written().is_empty());
    assert_eq!(b.unknown(), (20..50).collect::<Vec<_>>(), "{b}");
    assert_eq!(b.not_sent(), (0..20).collect::<Vec<_>>());
    assert!(err.may_have_been_applied());
    // Two for the 20 rows inserted first, three for the upsert's creates.
    assert_eq!(emu.stats().await.count("POST", RECORDS), 5);

    emu.set_faults(Faults::none()).await;
    let report = items.upsert(&rows).await.unwrap();
    assert_eq!(report.created.len(), 30);
    assert_eq!(report.updated.len(), 20);
    let stored = items.query().all().await.unwrap();
    assert_eq!(stored.len(), 50);
    assert!(stored.iter().all(|i| i.qty == 2.0));
    emu.shutdown().await;
}

/// `update_changed_many` of 40 pairs, 20 of them changed, over two requests, one in flight at a
/// time: the first fails, so the second's 10 rows were never sent; the 20 unchanged pairs are
/// reported as such. With both in flight (the default), both requests' rows are unknown.
#[tokio::test]
async fn update_changed_many_reports_the_rows_it_never_sent() {
    let (emu, items) = items_setup().await;
    items
        .insert_many(&(0..40).map(|i| item(i, 1.0)).collect::<Vec<_>>())
        .await
        .unwrap();
    let old = items.query().sort(Item::NAME.asc()).all().await.unwrap();
    let pairs: Vec<(Item, Item)> = old
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let qty = if i % 2 == 0 { 5.0 } else { o.qty };
            let new = Item { qty, ..o.clone() };
            (o, new)
        })
        .collect();
    emu.set_faults(Faults {
        server_error: 1.0,
        method: Some("PATCH".into()),
        ..Faults::none()
    })
    .await;
    let evens: Vec<usize> = (0..40).step_by(2).collect();
    let one_at_a_time = Client::builder()
        .emulator(&emu)
        .retry(RetryPolicy::disabled())
        .writes_in_flight(1)
        .build()
        .unwrap()
        .table_in::<Item>(items.id().unwrap().clone());
    let err = one_at_a_time.update_changed_many(&pairs).await.unwrap_err();
    let b = batch(&err);
    assert_partition(b);
    assert_eq!(b.unknown(), &evens[..10], "{b}");
    assert_eq!(b.not_sent(), &evens[10..], "{b}");
    assert_eq!(b.unchanged().len(), 20);
    assert!(b.unchanged().iter().all(|(i, _)| i % 2 == 1));
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 1);

    let err = items.update_changed_many(&pairs).await.unwrap_err();
    let b = batch(&err);
    assert_partition(b);
    assert_eq!(b.unknown(), evens, "{b}");
    assert!(b.not_sent().is_empty());
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 3);
    emu.shutdown().await;
}

/// An upsert of rows whose optional cells are empty leaves the stored values alone; clearing
/// is asked for explicitly and the report names every cell it cleared.
#[tokio::test]
async fn empty_input_cells_do_not_clear_unless_asked() {
    let (emu, items) = items_setup().await;
    let full = |i: usize| Item {
        note: Some(format!("note {i}")),
        tags: vec!["kept".into()],
        ..item(i, 1.0)
    };
    items
        .insert_many(&(0..3).map(full).collect::<Vec<_>>())
        .await
        .unwrap();

    // Rows as read from a file that has only names and quantities.
    let sparse: Vec<Item> = (0..3).map(|i| item(i, 1.0)).collect();
    emu.reset_stats().await;
    let report = items.upsert(&sparse).await.unwrap();
    assert_eq!(report.unchanged.len(), 3, "{report:?}");
    assert!(report.cleared.is_empty());
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 0);
    let stored = items.query().sort(Item::NAME.asc()).all().await.unwrap();
    for (i, s) in stored.iter().enumerate() {
        assert_eq!(s.note.as_deref(), Some(format!("note {i}").as_str()));
        assert_eq!(s.tags, ["kept"]);
    }

    // A change next to an empty cell updates only the change.
    let mut bumped = sparse.clone();
    bumped[1].qty = 7.0;
    let report = items.upsert(&bumped).await.unwrap();
    assert_eq!(report.updated.len(), 1);
    let one = items
        .query()
        .filter(Item::NAME.eq("item 001"))
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!((one.qty, one.note.as_deref()), (7.0, Some("note 1")));

    // Asked to clear: every cleared cell is reported.
    let report = items
        .upsert_with(&bumped[..2], UpsertOptions::new().clear_empty(true))
        .await
        .unwrap();
    let mut cleared = report.cleared.clone();
    cleared.sort_unstable();
    assert_eq!(
        cleared,
        [(0, "Note"), (0, "Tags"), (1, "Note"), (1, "Tags")]
    );
    let stored = items.query().sort(Item::NAME.asc()).all().await.unwrap();
    assert_eq!(stored[0].note, None);
    assert!(stored[1].tags.is_empty());
    assert_eq!(
        stored[2].note.as_deref(),
        Some("note 2"),
        "row 2 was not in the upsert"
    );
    emu.shutdown().await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Size {
    Small,
    Large,
}

/// One field per writable field type, with values the server normalises.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstSafetyTypes001", rename_all = "PascalCase")]
struct Every {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    key: String,
    text: Option<String>,
    number: Option<f64>,
    count: Option<i64>,
    currency: Option<f64>,
    percent: Option<f64>,
    rating: Option<u8>,
    done: bool,
    maybe: Option<bool>,
    size: Option<Size>,
    colours: Vec<String>,
    when: Option<Timestamp>,
    day: Option<Timestamp>,
    files: Vec<Attachment>,
    site: Option<Url>,
    email: Option<String>,
    phone: Option<String>,
    people: Vec<Member>,
    links: Vec<RecordId>,
    pairs: Vec<RecordId>,
}

fn every_type_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("Key", "SingleText").property(json!({})),
        FieldSpec::new("Text", "Text"),
        FieldSpec::new("Number", "Number").property(json!({"precision": 2})),
        FieldSpec::new("Count", "Number").property(json!({"precision": 0})),
        FieldSpec::new("Currency", "Currency").property(json!({"symbol": "€", "precision": 2})),
        FieldSpec::new("Percent", "Percent").property(json!({"precision": 1})),
        FieldSpec::new("Rating", "Rating").property(json!({"icon": "star", "max": 5})),
        FieldSpec::new("Done", "Checkbox").property(json!({"icon": "white_check_mark"})),
        FieldSpec::new("Maybe", "Checkbox").property(json!({"icon": "white_check_mark"})),
        FieldSpec::new("Size", "SingleSelect").property(json!({"options": []})),
        FieldSpec::new("Colours", "MultiSelect").property(json!({"options": []})),
        FieldSpec::new("When", "DateTime")
            .property(json!({"dateFormat": "YYYY-MM-DD", "includeTime": true})),
        FieldSpec::new("Day", "DateTime").property(json!({"dateFormat": "YYYY-MM-DD"})),
        FieldSpec::new("Files", "Attachment"),
        FieldSpec::new("Site", "URL"),
        FieldSpec::new("Email", "Email"),
        FieldSpec::new("Phone", "Phone"),
        FieldSpec::new("People", "Member").property(json!({"isMulti": true})),
    ]
}

/// For every writable field type, upserting the same rows a second time sends no write.
#[tokio::test]
async fn an_identical_upsert_rerun_writes_nothing_for_every_field_type() {
    let seed = json!({"spaces": [{"name": "Shop", "members": [
        {"name": "Ana", "type": "Member"}, {"name": "Bo", "type": "Member"}
    ], "teams": [{"name": "Bakers"}]}]});
    let emu = common::seeded(&seed.to_string()).await;
    let info = emu
        .create_datasheet("Every", &every_type_fields())
        .await
        .unwrap();
    let other = emu
        .create_datasheet(
            "Other",
            &[FieldSpec::new("Title", "SingleText").property(json!({}))],
        )
        .await
        .unwrap();
    emu.create_field(
        &info.id,
        FieldSpec::new("Links", "OneWayLink").property(json!({"foreignDatasheetId": other.id})),
    )
    .await
    .unwrap();
    emu.create_field(
        &info.id,
        FieldSpec::new("Pairs", "TwoWayLink").property(json!({"foreignDatasheetId": other.id})),
    )
    .await
    .unwrap();
    let client = client_for(&emu, RetryPolicy::disabled());
    let dst: DatasheetId = info.id.parse().unwrap();
    let other_dst: DatasheetId = other.id.parse().unwrap();
    let targets: Vec<RecordId> = client
        .datasheet(&other_dst)
        .create_records::<_, Fields>(
            &[json!({"Title": "t1"}), json!({"Title": "t2"})],
            &WriteOptions::default(),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let upload = client
        .datasheet(&dst)
        .upload_attachment(
            apitable_orm::api::Upload::from_bytes("a.txt", b"abc".to_vec()).mime("text/plain"),
        )
        .await
        .unwrap();
    let file = Attachment::new(upload.token.clone(), "a.txt");

    // Members three ways: by the contacts API's unit id, by name, and by a cell's id.
    let space: SpaceId = emu.space_id().parse().unwrap();
    let root: UnitId = "0".parse().unwrap();
    let contacts = client
        .space(&space)
        .team_members(&root, false, 1, 100)
        .await
        .unwrap();
    let ana = contacts.items.iter().find(|m| m.name == "Ana").unwrap();
    let probe = client
        .datasheet(&dst)
        .create_records::<_, Fields>(
            &[json!({"Key": "probe", "People": [{"name": "Bo", "type": "Member"}]})],
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    let bo_cell_id = probe[0].fields["People"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .datasheet(&dst)
        .delete_records(&[probe[0].id.clone()])
        .await
        .unwrap();

    let blank = |key: &str| Every {
        id: None,
        key: key.into(),
        text: None,
        number: None,
        count: None,
        currency: None,
        percent: None,
        rating: None,
        done: false,
        maybe: None,
        size: None,
        colours: vec![],
        when: None,
        day: None,
        files: vec![],
        site: None,
        email: None,
        phone: None,
        people: vec![],
        links: vec![],
        pairs: vec![],
    };
    let rows = vec![
        Every {
            text: Some("two\nlines, \"quoted\"".into()),
            number: Some(12.345),
            count: Some(42),
            currency: Some(9.5),
            percent: Some(0.125),
            rating: Some(4),
            done: true,
            maybe: Some(true),
            size: Some(Size::Large),
            colours: vec!["red".into(), "blue".into()],
            when: Some(Timestamp::from_millis(1_704_110_400_123)),
            day: Some(Timestamp::from_millis(1_704_067_200_000)),
            files: vec![file.clone()],
            site: Some(Url::new("https://example.com/a")),
            email: Some("a@example.com".into()),
            phone: Some("+44 20 7946 0000".into()),
            people: vec![Member::from(ana), Member::by_id(bo_cell_id.clone())],
            links: vec![targets[0].clone(), targets[1].clone(), targets[0].clone()],
            pairs: vec![targets[1].clone()],
            ..blank("full")
        },
        Every {
            site: Some(Url::new("https://example.com/b").with_title("Bee")),
            people: vec![
                Member::by_name("Bakers", MemberType::Team),
                Member::by_name("Ana", MemberType::Member),
            ],
            maybe: Some(false),
            text: Some(String::new()),
            colours: vec!["green".into(), "green".into()],
            ..blank("normalised")
        },
        blank("empty"),
    ];

    let first = client
        .table_in::<Every>(dst.clone())
        .upsert(&rows)
        .await
        .unwrap();
    assert_eq!(first.created.len(), 3, "{first:?}");
    let stored = client
        .table_in::<Every>(dst.clone())
        .query()
        .filter(Every::KEY.eq("full"))
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.links, targets, "duplicate links are stored once");
    assert_eq!(stored.people.len(), 2);
    assert_eq!(
        stored.people[0].unit_id.as_deref(),
        Some(ana.unit_id.as_str())
    );

    emu.reset_stats().await;
    let second = client
        .table_in::<Every>(dst.clone())
        .upsert(&rows)
        .await
        .unwrap();
    let stats = emu.stats().await;
    assert_eq!(second.unchanged.len(), 3, "{second:?}");
    assert_eq!(stats.count("POST", RECORDS), 0, "{stats:?}");
    assert_eq!(stats.count("PATCH", RECORDS), 0, "{stats:?}");

    // A real change to one normalised cell is still seen.
    let mut changed = rows.clone();
    changed[0].site = Some(Url::new("https://example.com/a").with_title("Now titled"));
    let third = client
        .table_in::<Every>(dst)
        .upsert(&changed)
        .await
        .unwrap();
    assert_eq!(
        third.updated.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0]
    );
    emu.shutdown().await;
}

/// A member cell can be written from the contacts API's member (by its unit id).
#[tokio::test]
async fn a_member_from_the_contacts_api_can_be_written_to_a_cell() {
    let seed =
        json!({"spaces": [{"name": "Shop", "members": [{"name": "Ana", "type": "Member"}]}]});
    let emu = common::seeded(&seed.to_string()).await;
    let info = emu
        .create_datasheet(
            "Tasks",
            &[
                FieldSpec::new("Key", "SingleText").property(json!({})),
                FieldSpec::new("People", "Member").property(json!({"isMulti": true})),
            ],
        )
        .await
        .unwrap();
    #[derive(Debug, Clone, Table)]
    #[apitable(datasheet = "dstSafetyTasks001", rename_all = "PascalCase")]
    struct Task {
        #[apitable(record_id)]
        id: Option<RecordId>,
        key: String,
        people: Vec<Member>,
    }
    let client = client_for(&emu, RetryPolicy::disabled());
    let space: SpaceId = emu.space_id().parse().unwrap();
    let members = client
        .space(&space)
        .team_members(&"0".parse().unwrap(), false, 1, 10)
        .await
        .unwrap();
    let ana = members.items.iter().find(|m| m.name == "Ana").unwrap();
    let tasks = client.table_in::<Task>(info.id.parse().unwrap());
    let id = tasks
        .insert(&Task {
            id: None,
            key: "Bake".into(),
            people: vec![
                Member::from(ana),
                Member::by_unit_id(ana.unit_id.to_string()),
            ],
        })
        .await
        .unwrap();
    let back = tasks.query().get(&id).await.unwrap().unwrap();
    assert_eq!(back.people.len(), 1, "the same unit twice is stored once");
    assert_eq!(back.people[0].name.as_deref(), Some("Ana"));
    assert_eq!(
        back.people[0].unit_id.as_deref(),
        Some(ana.unit_id.as_str())
    );
    assert!(!back.people[0].id.is_empty());
    emu.shutdown().await;
}

/// A cell that does not fit its field names the record, the field and the expected type,
/// whether the cell holds the wrong type or is empty.
#[tokio::test]
async fn a_decode_error_names_the_record() {
    let emu = Emulator::builder().start().await.unwrap();
    // "Qty" is a text column here, so it can hold a cell that is not a number.
    let dst = common::new_datasheet(
        &emu,
        "Loose",
        &[
            FieldSpec::new("Name", "SingleText").property(json!({})),
            FieldSpec::new("Qty", "Text"),
        ],
    )
    .await;
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstSafetyLoose001", rename_all = "PascalCase")]
    struct Loose {
        #[apitable(record_id)]
        id: Option<RecordId>,
        name: String,
        qty: f64,
    }
    let client = client_for(&emu, RetryPolicy::disabled());
    for (cells, message) in [
        (json!({"Name": "wrong type", "Qty": "three"}), "three"),
        (json!({"Name": "empty"}), "empty"),
    ] {
        let made = client
            .datasheet(&dst)
            .create_records::<_, Fields>(&[cells], &WriteOptions::default())
            .await
            .unwrap();
        let err = client
            .table_in::<Loose>(dst.clone())
            .query()
            .all()
            .await
            .unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("expected a decode error, got {err:?}");
        };
        assert_eq!(d.record_id(), Some(&made[0].id), "{d}");
        assert_eq!(d.field(), Some("Qty"));
        assert_eq!(d.expected(), Some("a number"));
        assert!(err.to_string().contains(made[0].id.as_str()), "{err}");
        assert!(err.to_string().contains(message), "{err}");
        client
            .datasheet(&dst)
            .delete_records(&[made[0].id.clone()])
            .await
            .unwrap();
    }
    emu.shutdown().await;
}
