//! The typed layer end to end: `#[derive(Table)]` structs against the in-process emulator over
//! loopback HTTP. Every field type is written and read back; every query feature is exercised;
//! request counts come from the emulator's own statistics.

mod common;

use std::collections::BTreeSet;

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::Error;
use apitable_orm::api::{Fields, ListRecords, Upload, WriteOptions};
use apitable_orm::prelude::*;
use apitable_orm::value::{Attachment, Computed, Member, MemberType, Url, User};
use apitable_orm::{DatasheetId, Sheet};
use futures_util::TryStreamExt;
use serde_json::json;

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Course {
    Starter,
    Main,
    #[apitable(rename = "Dessert & sweets")]
    Dessert,
}

/// One struct field per APITable field type.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstOrmEveryType01", rename_all = "Title Case")]
struct Dish {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    name: String,
    notes: Option<String>,
    price: f64,
    discount: Option<f64>,
    rating: Option<u8>,
    vegan: bool,
    course: Option<Course>,
    tags: Vec<String>,
    served: Option<Timestamp>,
    photo: Vec<Attachment>,
    site: Option<Url>,
    email: Option<String>,
    phone: Option<String>,
    pairs_with: Vec<RecordId>,
    cooks: Vec<Member>,
    #[apitable(read_only)]
    number: Option<u64>,
    #[apitable(read_only)]
    created: Option<Timestamp>,
    #[apitable(name = "Created By")]
    creator: Option<User>,
    #[apitable(name = "Price Check")]
    price_check: Option<Computed<f64>>,
}

fn every_type_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("Name", "SingleText").property(json!({})),
        FieldSpec::new("Notes", "Text"),
        FieldSpec::new("Price", "Currency").property(json!({"symbol": "R", "precision": 2})),
        FieldSpec::new("Discount", "Percent").property(json!({"precision": 1})),
        FieldSpec::new("Rating", "Rating").property(json!({"icon": "star", "max": 5})),
        FieldSpec::new("Vegan", "Checkbox").property(json!({"icon": "white_check_mark"})),
        FieldSpec::new("Course", "SingleSelect").property(json!({"options": [
            {"name": "Starter"}, {"name": "Main"}, {"name": "Dessert & sweets"}
        ]})),
        FieldSpec::new("Tags", "MultiSelect").property(json!({"options": []})),
        FieldSpec::new("Served", "DateTime")
            .property(json!({"dateFormat": "YYYY-MM-DD", "includeTime": true})),
        FieldSpec::new("Photo", "Attachment"),
        FieldSpec::new("Site", "URL"),
        FieldSpec::new("Email", "Email"),
        FieldSpec::new("Phone", "Phone"),
        FieldSpec::new("Cooks", "Member").property(json!({"isMulti": true})),
        FieldSpec::new("Number", "AutoNumber"),
        FieldSpec::new("Created", "CreatedTime").property(json!({"dateFormat": "YYYY-MM-DD"})),
        FieldSpec::new("Created By", "CreatedBy"),
        FieldSpec::new("Price Check", "Formula").property(json!({"expression": "{Price} * 2"})),
    ]
}

async fn setup() -> (Emulator, Client, DatasheetId) {
    let seed =
        json!({"spaces": [{"name": "Kitchen", "members": [{"name": "Ana", "type": "Member"}]}]});
    let emu = common::seeded(&seed.to_string()).await;
    let sheet = emu
        .create_datasheet("Dishes", &every_type_fields())
        .await
        .unwrap();
    emu.create_field(
        &sheet.id,
        FieldSpec::new("Pairs With", "OneWayLink")
            .property(json!({"foreignDatasheetId": sheet.id})),
    )
    .await
    .unwrap();
    let client = Client::for_emulator(&emu).unwrap();
    let dst = sheet.id.parse().unwrap();
    (emu, client, dst)
}

fn dish(name: &str, price: f64) -> Dish {
    Dish {
        id: None,
        name: name.into(),
        notes: None,
        price,
        discount: None,
        rating: None,
        vegan: false,
        course: None,
        tags: vec![],
        served: None,
        photo: vec![],
        site: None,
        email: None,
        phone: None,
        pairs_with: vec![],
        cooks: vec![],
        number: None,
        created: None,
        creator: None,
        price_check: None,
    }
}

/// What a probe record, written and deleted again, shows of the space's people.
struct Probe {
    /// Ana, to write: by the unit id the probe's cell gave her.
    cook: Member,
    /// Ana as a Member cell reads back: that id, her original unit id, type and name.
    cook_as_read: Member,
    /// The token's user, as the probe's CreatedBy cell shows it.
    creator: User,
}

/// Finds Ana's unit id the way a user would: write the member by name, read back the id.
async fn probe(client: &Client, dst: &DatasheetId) -> Probe {
    let created = client
        .datasheet(dst)
        .create_records::<_, Fields>(
            &[json!({"Name": "probe", "Cooks": [{"name": "Ana", "type": "Member"}]})],
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    let cell = &created[0].fields["Cooks"][0];
    let id = cell["id"].as_str().unwrap().to_owned();
    let mut cook_as_read = Member::by_id(id.clone());
    cook_as_read.unit_id = Some(cell["unitId"].as_str().unwrap().to_owned());
    cook_as_read.member_type = Some(MemberType::Member);
    cook_as_read.name = Some("Ana".into());
    let creator: User = serde_json::from_value(created[0].fields["Created By"].clone()).unwrap();
    // The emulator's token belongs to its default user.
    assert_eq!(creator.name.as_deref(), Some("Emulator Owner"));
    client
        .datasheet(dst)
        .delete_records(&[created[0].id.clone()])
        .await
        .unwrap();
    Probe {
        cook: Member::by_id(id),
        cook_as_read,
        creator,
    }
}

#[tokio::test]
async fn every_field_type_is_written_and_read_back_equal() {
    let (emu, client, dst) = setup().await;
    let dishes: Sheet<Dish> = client.table_in(dst.clone());
    let upload = client
        .datasheet(&dst)
        .upload_attachment(Upload::from_bytes("soup.txt", b"hot soup".to_vec()).mime("text/plain"))
        .await
        .unwrap();
    let probe = probe(&client, &dst).await;
    let cook = probe.cook.clone();

    let bread_id = dishes.insert(&dish("Bread", 2.0)).await.unwrap();
    let mut soup = Dish {
        notes: Some("Line one\nline \"two\" {braces} \\ back".into()),
        discount: Some(0.15),
        rating: Some(4),
        vegan: true,
        course: Some(Course::Dessert),
        tags: vec!["hot".into(), "vegan".into()],
        served: Some(Timestamp::from_millis(1_704_067_200_000)),
        photo: vec![upload.clone()],
        site: Some(Url::new("https://example.com/soup").with_title("Soup page")),
        email: Some("chef@example.com".into()),
        phone: Some("+1 555 0100".into()),
        pairs_with: vec![bread_id.clone()],
        cooks: vec![cook.clone()],
        ..dish("Pumpkin soup", 6.5)
    };
    let before = Timestamp::now();
    dishes.save(&mut soup).await.unwrap();
    let after = Timestamp::now();
    let id = soup.id.clone().expect("save stores the new id");

    let back = dishes
        .query()
        .get(&id)
        .await
        .unwrap()
        .expect("the record exists");
    // What only the server can know, checked for its shape: the creation time falls within
    // the save, and the attachment cell gives the file an `atc…` id.
    let created = back.created.expect("CreatedTime is filled in on read");
    assert!(
        before <= created && created <= after,
        "{before} <= {created} <= {after}"
    );
    let attachment_id = back.photo[0]
        .id
        .clone()
        .expect("an attachment cell has ids");
    assert!(
        attachment_id.len() == 13
            && attachment_id.starts_with("atc")
            && attachment_id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{attachment_id}"
    );
    // Everything else follows from the row written: its own cells, and what the server
    // computes or fills in from them.
    let mut photo = upload;
    photo.id = Some(attachment_id);
    let mut site = Url::new("https://example.com/soup").with_title("Soup page");
    site.favicon = Some(String::new());
    let expected = Dish {
        id: Some(id.clone()),
        // The probe was number 1 and Bread number 2; a deleted record keeps its number.
        number: Some(3),
        created: Some(created),
        creator: Some(probe.creator.clone()),
        // `{Price} * 2` of 6.5.
        price_check: Some(Computed::Value(13.0)),
        photo: vec![photo],
        cooks: vec![probe.cook_as_read.clone()],
        site: Some(site),
        ..soup.clone()
    };
    assert_eq!(back, expected);

    // An update that clears cells.
    let mut cleared = back.clone();
    cleared.notes = None;
    cleared.tags.clear();
    cleared.pairs_with.clear();
    cleared.vegan = false;
    dishes.update(&cleared).await.unwrap();
    let again = dishes.query().get(&id).await.unwrap().unwrap();
    assert_eq!(
        (again.notes, again.tags, again.pairs_with, again.vegan),
        (None, vec![], vec![], false)
    );
    emu.shutdown().await;
}

async fn seeded_menu() -> (Emulator, Client, DatasheetId, Vec<RecordId>) {
    let (emu, client, dst) = setup().await;
    let rows = vec![
        Dish {
            tags: vec!["hot".into()],
            course: Some(Course::Main),
            served: Some(Timestamp::from_millis(1_000)),
            ..dish("Stew", 12.0)
        },
        Dish {
            tags: vec!["hot".into(), "vegan".into()],
            vegan: true,
            course: Some(Course::Starter),
            served: Some(Timestamp::from_millis(2_000)),
            ..dish("Pumpkin Soup", 6.5)
        },
        Dish {
            tags: vec!["sweet".into()],
            course: Some(Course::Dessert),
            rating: Some(5),
            ..dish("Apple pie", 4.0)
        },
        Dish {
            notes: Some("ask for \"extra\"".into()),
            ..dish("Bread", 1.5)
        },
        Dish {
            discount: Some(-0.1),
            ..dish("soup of the day", 0.0)
        },
    ];
    let ids = client
        .table_in::<Dish>(dst.clone())
        .insert_many(&rows)
        .await
        .unwrap();
    (emu, client, dst, ids)
}

fn names(rows: &[Dish]) -> Vec<&str> {
    rows.iter().map(|d| d.name.as_str()).collect()
}

fn name_set(rows: &[Dish]) -> BTreeSet<&str> {
    rows.iter().map(|d| d.name.as_str()).collect()
}

#[tokio::test]
async fn every_query_feature() {
    let (emu, client, dst, ids) = seeded_menu().await;
    let q = || client.table_in::<Dish>(dst.clone()).query();
    let run = |query: apitable_orm::Query<Dish, apitable_orm::Sheet<Dish>>| async move {
        query.all().await.unwrap()
    };

    // Comparisons, with empty cells kept out of ordering.
    let cheap = run(q().filter(Dish::PRICE.lt(5)).sort(Dish::PRICE.asc())).await;
    assert_eq!(names(&cheap), ["soup of the day", "Bread", "Apple pie"]);
    assert_eq!(
        name_set(&run(q().filter(Dish::PRICE.ge(6.5))).await),
        BTreeSet::from(["Stew", "Pumpkin Soup"])
    );
    assert_eq!(
        name_set(&run(q().filter(Dish::PRICE.between(1.5, 6.5))).await),
        BTreeSet::from(["Bread", "Apple pie", "Pumpkin Soup"])
    );
    assert_eq!(
        names(&run(q().filter(Dish::DISCOUNT.lt(0))).await),
        ["soup of the day"]
    );
    assert_eq!(
        names(&run(q().filter(Dish::RATING.gt(0))).await),
        ["Apple pie"]
    );
    assert_eq!(
        names(&run(q().filter(Dish::SERVED.gt(Timestamp::from_millis(1_500)))).await),
        ["Pumpkin Soup"]
    );
    // Equality on text, numbers, checkboxes and select enums.
    assert_eq!(
        names(&run(q().filter(Dish::NAME.eq("Bread"))).await),
        ["Bread"]
    );
    assert_eq!(names(&run(q().filter(Dish::PRICE.eq(12))).await), ["Stew"]);
    assert_eq!(
        names(&run(q().filter(Dish::VEGAN.eq(true))).await),
        ["Pumpkin Soup"]
    );
    assert_eq!(run(q().filter(Dish::VEGAN.eq(false))).await.len(), 4);
    assert_eq!(
        names(&run(q().filter(Dish::COURSE.eq(Course::Dessert))).await),
        ["Apple pie"]
    );
    assert_eq!(
        run(q().filter(Dish::COURSE.ne(Course::Dessert)))
            .await
            .len(),
        4
    );
    assert_eq!(
        name_set(&run(q().filter(Dish::COURSE.is_in([Course::Main, Course::Starter]))).await),
        BTreeSet::from(["Stew", "Pumpkin Soup"])
    );
    // Empty cells.
    assert_eq!(
        names(&run(q().filter(Dish::NOTES.is_not_empty())).await),
        ["Bread"]
    );
    assert_eq!(run(q().filter(Dish::NOTES.is_empty())).await.len(), 4);
    assert_eq!(run(q().filter(Dish::COURSE.is_empty())).await.len(), 2);
    assert_eq!(run(q().filter(Dish::NOTES.eq(""))).await.len(), 4);
    // Text search.
    assert_eq!(
        names(&run(q().filter(Dish::NAME.contains("Soup"))).await),
        ["Pumpkin Soup"]
    );
    assert_eq!(
        name_set(&run(q().filter(Dish::NAME.contains_ignore_case("soup"))).await),
        BTreeSet::from(["Pumpkin Soup", "soup of the day"])
    );
    assert_eq!(
        names(&run(q().filter(Dish::NAME.starts_with("Pum"))).await),
        ["Pumpkin Soup"]
    );
    assert_eq!(
        names(&run(q().filter(Dish::NAME.starts_with_ignore_case("SOUP"))).await),
        ["soup of the day"]
    );
    assert_eq!(
        names(&run(q().filter(Dish::NAME.ends_with("pie"))).await),
        ["Apple pie"]
    );
    assert_eq!(
        name_set(&run(q().filter(Dish::NAME.ends_with_ignore_case("DAY"))).await),
        BTreeSet::from(["soup of the day"])
    );
    assert_eq!(
        names(&run(q().filter(Dish::NOTES.contains("\"extra\""))).await),
        ["Bread"]
    );
    // Multi-value fields.
    assert_eq!(
        name_set(&run(q().filter(Dish::TAGS.has("hot"))).await),
        BTreeSet::from(["Stew", "Pumpkin Soup"])
    );
    assert_eq!(
        name_set(&run(q().filter(Dish::TAGS.has_any(["vegan", "sweet"]))).await),
        BTreeSet::from(["Pumpkin Soup", "Apple pie"])
    );
    assert_eq!(
        names(&run(q().filter(Dish::TAGS.has_all(["hot", "vegan"]))).await),
        ["Pumpkin Soup"]
    );
    assert!(
        run(q().filter(Dish::TAGS.has("ho"))).await.is_empty(),
        "has() is an exact element match"
    );
    // Boolean combinations.
    let f = Dish::TAGS
        .has("hot")
        .and(Dish::PRICE.lt(10))
        .or(Dish::NAME.eq("Bread"));
    assert_eq!(
        name_set(&run(q().filter(f)).await),
        BTreeSet::from(["Pumpkin Soup", "Bread"])
    );
    assert_eq!(run(q().filter(Dish::TAGS.has("hot").not())).await.len(), 3);
    assert_eq!(
        names(&run(q().filter(Dish::PRICE.gt(1)).filter(Dish::PRICE.lt(2))).await),
        ["Bread"]
    );
    // Record ids, and the raw escape hatch.
    let two = run(q()
        .filter(Filter::record_id_in([ids[0].clone(), ids[3].clone()]))
        .sort(Dish::NAME.asc()))
    .await;
    assert_eq!(names(&two), ["Bread", "Stew"]);
    assert_eq!(
        names(&run(q().filter(Filter::raw_formula_unchecked("{Price} = 4"))).await),
        ["Apple pie"]
    );
    // Sorting by several keys, limits, first, count, get_many.
    let sorted = run(q().sort(Dish::VEGAN.desc()).sort(Dish::PRICE.desc())).await;
    assert_eq!(
        names(&sorted),
        [
            "Pumpkin Soup",
            "Stew",
            "Apple pie",
            "Bread",
            "soup of the day"
        ]
    );
    assert_eq!(
        run(q().sort(Dish::PRICE.asc()).max_records(2)).await.len(),
        2
    );
    let first = q().sort(Dish::PRICE.desc()).first().await.unwrap().unwrap();
    assert_eq!(first.name, "Stew");
    assert_eq!(q().filter(Dish::PRICE.lt(5)).count().await.unwrap(), 3);
    let many = q()
        .get_many(&[ids[2].clone(), ids[0].clone()])
        .await
        .unwrap();
    assert_eq!(names(&many), ["Apple pie", "Stew"]);
    assert!(
        q().get(&"recNotThere00001".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // Views: the view's order and filter apply.
    let view_id = emu
        .add_view(dst.as_str(), json!({"name": "Cheap", "filter": "{Price} < 5", "sort": [{"field": "Price", "desc": true}]}))
        .await
        .unwrap();
    let in_view = run(q().view(view_id.parse().unwrap())).await;
    assert_eq!(names(&in_view), ["Apple pie", "Bread", "soup of the day"]);
    // to_params shows the projection to the struct's own fields.
    let params = q().filter(Dish::PRICE.lt(5)).to_params().unwrap();
    let query = params.to_query().unwrap();
    assert!(query.contains(&("fields[]".into(), "Price Check".into())));
    assert!(query.contains(&(
        "filterByFormula".into(),
        "AND({Price}!=BLANK(),({Price}<5))".into()
    )));
    emu.shutdown().await;
}

#[tokio::test]
async fn pages_and_streams_are_lazy_and_counted() {
    let (emu, client, dst) = setup().await;
    let rows: Vec<_> = (0..5000)
        .map(|i| json!({"Name": format!("dish {i:04}"), "Price": i % 50}))
        .collect();
    emu.insert_records(dst.as_str(), rows).await.unwrap();
    let dishes = client.table_in::<Dish>(dst.clone());

    emu.reset_stats().await;
    let all = dishes.query().all().await.unwrap();
    assert_eq!(all.len(), 5000);
    assert_eq!(
        emu.stats().await.count("GET", RECORDS),
        5,
        "5,000 records in 5 list requests"
    );

    emu.reset_stats().await;
    let mut pages = std::pin::pin!(
        dishes
            .query()
            .filter(Dish::PRICE.lt(10))
            .page_size(300)
            .pages()
    );
    let mut seen = 0;
    let mut numbers = vec![];
    while let Some(page) = pages.try_next().await.unwrap() {
        assert_eq!(page.total, 1000);
        assert_eq!(page.total_pages(), 4);
        numbers.push(page.number);
        seen += page.items.len();
    }
    assert_eq!((seen, numbers), (1000, vec![1, 2, 3, 4]));
    assert_eq!(emu.stats().await.count("GET", RECORDS), 4);

    emu.reset_stats().await;
    let first_five: Vec<Dish> = dishes
        .query()
        .sort(Dish::NAME.asc())
        .stream()
        .try_take_while(|d| std::future::ready(Ok(d.name.as_str() < "dish 0005")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_five.len(), 5);
    assert_eq!(
        emu.stats().await.count("GET", RECORDS),
        1,
        "a stream reads no further than asked"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn writes_are_batched_by_ten() {
    let (emu, client, dst) = setup().await;
    let dishes = client.table_in::<Dish>(dst.clone());
    emu.reset_stats().await;
    let rows: Vec<Dish> = (0..1000)
        .map(|i| dish(&format!("dish {i}"), f64::from(i)))
        .collect();
    let ids = dishes.insert_many(&rows).await.unwrap();
    assert_eq!(ids.len(), 1000);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 1000);
    let stats = emu.stats().await;
    assert_eq!(
        stats.count("POST", RECORDS),
        100,
        "1,000 records in 100 create requests"
    );
    assert_eq!(dishes.query().count().await.unwrap(), 1000);

    // update_changed sends only what changed, and nothing when nothing did.
    let old = dishes.query().get(&ids[0]).await.unwrap().unwrap();
    let mut new = old.clone();
    emu.reset_stats().await;
    assert!(!dishes.update_changed(&old, &new).await.unwrap());
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 0);
    new.price = 99.0;
    assert!(dishes.update_changed(&old, &new).await.unwrap());
    assert_eq!(
        dishes.query().get(&ids[0]).await.unwrap().unwrap().price,
        99.0
    );

    emu.reset_stats().await;
    dishes.delete_many(&ids[..25]).await.unwrap();
    assert_eq!(emu.stats().await.count("DELETE", RECORDS), 3);
    assert_eq!(dishes.query().count().await.unwrap(), 975);
    emu.shutdown().await;
}

#[tokio::test]
async fn upsert_creates_updates_and_skips_exactly_what_it_should() {
    let (emu, client, dst) = setup().await;
    let dishes = client.table_in::<Dish>(dst.clone());
    let present: Vec<Dish> = (0..500)
        .map(|i| dish(&format!("dish {i:04}"), f64::from(i)))
        .collect();
    dishes.insert_many(&present).await.unwrap();

    // 1,000 rows: 500 new, 500 present of which every fifth has a new price.
    let rows: Vec<Dish> = (0..1000)
        .map(|i| {
            let price = if i < 500 && i % 5 == 0 {
                f64::from(i) + 0.5
            } else {
                f64::from(i)
            };
            dish(&format!("dish {i:04}"), price)
        })
        .collect();
    emu.reset_stats().await;
    let report = dishes.upsert(&rows).await.unwrap();
    assert_eq!(report.created.len(), 500);
    assert_eq!(report.updated.len(), 100);
    assert_eq!(report.unchanged.len(), 400);
    assert!(report.created.iter().all(|(i, _)| *i >= 500));
    assert!(report.updated.iter().all(|(i, _)| i % 5 == 0 && *i < 500));
    let stats = emu.stats().await;
    assert_eq!(stats.count("POST", RECORDS), 50);
    assert_eq!(stats.count("PATCH", RECORDS), 10);
    // 1,000 keys would take 12 lookups; one page reads the whole 500-record datasheet.
    assert_eq!(stats.count("GET", RECORDS), 1);
    assert_eq!(stats.total, 61);
    assert_eq!(dishes.query().count().await.unwrap(), 1000);
    let updated = dishes
        .query()
        .filter(Dish::NAME.eq("dish 0005"))
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.price, 5.5);

    // The same upsert again changes nothing: no write requests at all.
    emu.reset_stats().await;
    let again = dishes.upsert(&rows).await.unwrap();
    assert_eq!(
        (
            again.created.len(),
            again.updated.len(),
            again.unchanged.len()
        ),
        (0, 0, 1000)
    );
    let stats = emu.stats().await;
    assert_eq!(
        stats.count("POST", RECORDS) + stats.count("PATCH", RECORDS),
        0
    );
    assert_eq!(
        stats.count("GET", RECORDS),
        1,
        "1,000 records: still one page"
    );
    emu.shutdown().await;
}

/// Keys are looked up with `OR()` formulas when that takes fewer requests than reading the
/// whole datasheet, which the first page's total tells.
#[tokio::test]
async fn upsert_reads_the_whole_datasheet_only_when_that_is_cheaper() {
    let (emu, client, dst) = setup().await;
    let dishes = client.table_in::<Dish>(dst.clone());
    let present: Vec<Dish> = (0..2500)
        .map(|i| dish(&format!("dish {i:04}"), f64::from(i)))
        .collect();
    dishes.insert_many(&present).await.unwrap();

    // A few rows: one lookup, no page of the datasheet.
    let few: Vec<Dish> = (0..5)
        .map(|i| dish(&format!("dish {i:04}"), f64::from(i)))
        .collect();
    emu.reset_stats().await;
    let report = dishes.upsert(&few).await.unwrap();
    assert_eq!(report.unchanged.len(), 5);
    assert_eq!(emu.stats().await.count("GET", RECORDS), 1);

    // 150 rows take two lookups; a full read would take three pages. The first page is read
    // and holds 63 of the keys; the other 87 fit one lookup: two requests instead of three.
    let some: Vec<Dish> = (0..150)
        .map(|i| dish(&format!("dish {:04}", i * 16), f64::from(i * 16)))
        .collect();
    emu.reset_stats().await;
    let report = dishes.upsert(&some).await.unwrap();
    assert_eq!(report.unchanged.len(), 150);
    assert_eq!(emu.stats().await.count("GET", RECORDS), 2);

    // 500 rows take seven lookups: the three pages are cheaper.
    let many: Vec<Dish> = (0..500)
        .map(|i| dish(&format!("dish {:04}", i * 5), f64::from(i * 5) + 0.5))
        .collect();
    emu.reset_stats().await;
    let report = dishes.upsert(&many).await.unwrap();
    assert_eq!(report.updated.len(), 500);
    let stats = emu.stats().await;
    assert_eq!(stats.count("GET", RECORDS), 3);
    assert_eq!(stats.count("PATCH", RECORDS), 50);
    emu.shutdown().await;
}

#[tokio::test]
async fn upsert_refuses_bad_input_before_any_request() {
    let (emu, client, dst) = setup().await;
    let dishes = client.table_in::<Dish>(dst.clone());
    emu.reset_stats().await;
    let dup = [dish("Stew", 1.0), dish("Soup", 2.0), dish("Stew", 3.0)];
    let err = dishes.upsert(&dup).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m == r#"rows #0 and #2 have the same upsert key "Stew""#),
        "{err:?}"
    );
    assert_eq!(
        emu.stats().await.total,
        0,
        "a duplicate key is found before any request"
    );
    let missing = [dish("Stew", 1.0), dish("", 2.0)];
    let err = dishes.upsert(&missing).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.starts_with("row #1 has no usable value for the upsert key \"name\"")),
        "{err:?}"
    );
    assert_eq!(
        emu.stats().await.total,
        0,
        "a missing key is found before any request"
    );

    // Duplicate keys already on the server are named.
    let a = dishes.insert(&dish("Twin", 1.0)).await.unwrap();
    let b = dishes.insert(&dish("Twin", 2.0)).await.unwrap();
    let err = dishes.upsert(&[dish("Twin", 3.0)]).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(a.as_str()) && text.contains(b.as_str()),
        "{text}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn decode_errors_name_the_record_field_and_type() {
    let (emu, client, dst) = setup().await;
    // A record whose Price is empty cannot become a `Dish` (price is a plain f64).
    let raw = client
        .datasheet(&dst)
        .create_records::<_, Fields>(&[json!({"Name": "No price"})], &WriteOptions::default())
        .await
        .unwrap();
    let err = client
        .table_in::<Dish>(dst.clone())
        .query()
        .all()
        .await
        .unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.record_id(), Some(&raw[0].id));
    assert_eq!(e.field(), Some("Price"));
    assert_eq!(e.expected(), Some("a number"));
    // The raw layer still reads it.
    let page = client
        .datasheet(&dst)
        .list_records::<Fields>(&ListRecords::new())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_batch_that_fails_part_way_says_which_rows_were_written() {
    let (emu, client, dst) = setup().await;
    let dishes = client.table_in::<Dish>(dst.clone());
    // 35 rows in four requests, all in flight at once; row 23 has a rating above the field's
    // maximum of 5, so the third request is refused and the others write their rows.
    let rows: Vec<Dish> = (0..35)
        .map(|i| Dish {
            rating: Some(if i == 23 { 9 } else { 3 }),
            ..dish(&format!("dish {i}"), 1.0)
        })
        .collect();
    emu.reset_stats().await;
    let err = dishes.insert_many(&rows).await.unwrap_err();
    let Error::Batch(batch) = &err else {
        panic!("expected a batch error, got {err:?}")
    };
    let written: Vec<usize> = batch.written().iter().map(|(i, _)| *i).collect();
    assert_eq!(written, (0..20).chain(30..35).collect::<Vec<_>>());
    assert_eq!(batch.failed(), (20..30).collect::<Vec<_>>());
    assert!(batch.not_sent().is_empty());
    assert_eq!(batch.cause().code(), Some(400));
    assert!(
        !err.may_have_been_applied(),
        "a refused request wrote nothing"
    );
    assert_eq!(emu.stats().await.count("POST", RECORDS), 4);
    // Exactly the reported rows are on the server, each under the id reported for it.
    let on_server: BTreeSet<RecordId> = dishes
        .query()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id.unwrap())
        .collect();
    let reported: BTreeSet<RecordId> = batch.written().iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(on_server, reported);
    let ids: Vec<RecordId> = batch.written().iter().map(|(_, id)| id.clone()).collect();
    let stored = dishes.get_many(&ids).await.unwrap();
    for ((i, id), row) in batch.written().iter().zip(&stored) {
        assert_eq!(row.id.as_ref(), Some(id));
        assert_eq!(row.name, format!("dish {i}"));
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn schema_check_finds_every_kind_of_mismatch() {
    let (emu, client, dst) = setup().await;
    let fine = client
        .table_in::<Dish>(dst.clone())
        .check_schema()
        .await
        .unwrap();
    assert!(fine.is_ok(), "{fine}");

    #[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
    enum Meal {
        Starter,
        Main,
        Supper,
    }

    /// A struct that drifted from the datasheet in every way at once.
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstOrmEveryType01", rename_all = "Title Case")]
    struct Drifted {
        // A key on a multi-select field cannot be looked up by value.
        #[apitable(key)]
        tags: Vec<String>,
        // Renamed column.
        #[apitable(name = "Cost")]
        price: f64,
        // Computed, not marked read-only.
        number: Option<u64>,
        // A list where the field holds one number.
        #[apitable(name = "Rating")]
        stars: Vec<String>,
        // Options: one variant missing ("Dessert & sweets"), one extra ("Supper").
        course: Option<Meal>,
        // Text where the field holds a URL.
        site: Option<String>,
    }
    let report = client
        .table_in::<Drifted>(dst.clone())
        .check_schema()
        .await
        .unwrap();
    assert_eq!(report.datasheet, dst.as_str());
    assert_eq!(report.missing, ["Cost"]);
    assert_eq!(report.not_writable, ["Number"]);
    let mismatched: Vec<&str> = report.mismatched.iter().map(|(f, _)| *f).collect();
    assert_eq!(mismatched, ["Rating", "Site"], "{report}");
    assert_eq!(
        report.unreadable_options,
        [("Course", vec!["Dessert & sweets".to_owned()])]
    );
    assert_eq!(report.unknown_variants, [("Course", vec!["Supper"])]);
    assert_eq!(report.bad_key, Some("Tags"));
    assert!(!report.is_ok());
    let text = report.to_string();
    for needle in [
        dst.as_str(),
        "no such field: Cost",
        "\"Rating\": a list of text cannot hold cells of type Rating",
        "Dessert & sweets",
        "Supper",
        "upsert key \"Tags\"",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_read_can_tolerate_a_column_the_datasheet_lost() {
    let (emu, client, dst) = setup().await;
    client
        .table_in::<Dish>(dst.clone())
        .insert_many(&[dish("Bread", 2.0), dish("Soup", 4.5)])
        .await
        .unwrap();

    /// "Cost" was renamed on the server (or never existed).
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstOrmEveryType01", rename_all = "Title Case")]
    struct Renamed {
        name: String,
        #[apitable(name = "Cost")]
        cost: Option<f64>,
    }
    let sheet = client.table_in::<Renamed>(dst);
    let err = sheet.query().all().await.unwrap_err();
    assert_eq!(err.code(), Some(400), "{err}");

    let tolerant = sheet
        .query()
        .tolerate_missing_fields()
        .sort(Renamed::NAME.asc());
    let rows = tolerant.all().await.unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Bread", "Soup"]);
    assert!(rows.iter().all(|r| r.cost.is_none()));
    assert_eq!(tolerant.count().await.unwrap(), 2);
    assert_eq!(
        tolerant.first().await.unwrap().map(|r| r.name),
        Some("Bread".to_owned())
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_unknown_datasheet_is_named_with_a_hint() {
    let (emu, client, _dst) = setup().await;
    /// A struct whose datasheet id is a placeholder that exists nowhere.
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstPlaceholder001")]
    struct Placeholder {
        #[apitable(name = "Name")]
        name: String,
    }
    let err = client
        .table::<Placeholder>()
        .query()
        .all()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(301), "{err}");
    let text = err.to_string();
    assert!(text.contains("dstPlaceholder001"), "{text}");
    assert!(text.contains("table_in"), "{text}");
    emu.shutdown().await;
}
