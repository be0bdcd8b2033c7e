//! Decoding pages of records into a derived table, the errors that name what went wrong,
//! `default`/`skip`/`read_only`, and the request parameters of a typed query.

use apitable_orm::value::{Attachment, Url};
use apitable_orm::{DecodeError, Error, FieldValue, Page, RecordId, Table, Timestamp};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Status {
    #[apitable(rename = "To do")]
    Todo,
    Doing,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
#[apitable(rename_all = "lowercase")]
enum Tag {
    Urgent,
    Home,
    Work,
}

/// Ten mapped fields of mixed types, plus the record id and a skipped field.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstTasks00000001", rename_all = "Title Case")]
struct Task {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(key)]
    title: String,
    #[apitable(name = "Estimate (h)")]
    estimate: f64,
    done: bool,
    status: Status,
    tags: Vec<Tag>,
    #[apitable(name = "Due")]
    due: Timestamp,
    #[apitable(name = "Blocked by")]
    blocked_by: Vec<RecordId>,
    link: Url,
    files: Vec<Attachment>,
    notes: Option<String>,
    #[apitable(name = "Created", read_only)]
    created: Option<Timestamp>,
    #[apitable(skip)]
    selected: bool,
}

/// A list response as the server sends it: `recordId` before `fields` in each record
/// (`serde_json::Value` would sort the keys).
fn envelope(records: Value) -> Vec<u8> {
    let records = records.as_array().unwrap();
    let items: Vec<String> = records
        .iter()
        .map(|r| {
            let mut out = format!("{{\"recordId\":{}", r["recordId"]);
            for (k, v) in r.as_object().unwrap() {
                if k != "recordId" {
                    out.push_str(&format!(",{}:{}", Value::from(k.as_str()), v));
                }
            }
            out.push('}');
            out
        })
        .collect();
    format!(
        r#"{{"success":true,"code":200,"message":"SUCCESS","data":{{"total":42,"pageNum":2,"pageSize":{},"records":[{}]}}}}"#,
        records.len(),
        items.join(",")
    )
    .into_bytes()
}

/// The full record's cells from "Title" to "Link" (written back as they were read), followed
/// by the cells of `more`.
fn plain_cells_and(more: Value) -> Value {
    let mut cells = json!({
        "Title": "Write \"docs\"",
        "Estimate (h)": 2.5,
        "Done": true,
        "Status": "To do",
        "Tags": ["urgent", "work"],
        "Due": 1_700_000_000_000_i64,
        "Blocked by": ["recOther0001", "recOther0002"],
        "Link": {"text": "https://example.com", "title": "Example"},
    });
    let Value::Object(more) = more else {
        panic!("more cells must be an object")
    };
    cells.as_object_mut().unwrap().extend(more);
    cells
}

fn full_record() -> Value {
    json!({
        "recordId": "recFull0001",
        "createdAt": 1_700_000_000_000_i64,
        "updatedAt": 1_700_000_100_000_i64,
        "fields": plain_cells_and(json!({
            "Files": [{
                "id": "atcA", "token": "space/2024/a.png", "name": "a.png",
                "size": 1024, "mimeType": "image/png", "width": 10, "height": 20,
                "url": "https://s1.example.com/space/2024/a.png"
            }],
            "Notes": "multi\nline",
            "Created": 1_600_000_000_000_i64,
            "Unmapped column": {"anything": [1, 2, 3]},
        })),
    })
}

fn rec(id: &str) -> RecordId {
    id.parse().unwrap()
}

fn decode_err(records: Value) -> DecodeError {
    match Page::<Task>::from_response(&envelope(records), 100) {
        Err(Error::Decode(e)) if e.field().is_some() => e,
        Err(other) => panic!("expected a decode error, got {other:?} / {other}"),
        Ok(_) => panic!("expected a decode error"),
    }
}

#[test]
fn a_full_page_decodes_every_field() {
    let sparse = json!({
        "recordId": "recSparse001",
        "fields": {
            "Estimate (h)": 1,
            "Status": "Done",
            "Due": 1_700_000_000_000_i64,
            "Link": "https://plain.example.com",
        }
    });
    let page = Page::<Task>::from_response(&envelope(json!([full_record(), sparse])), 100).unwrap();
    assert_eq!((page.total, page.number, page.requested_size), (42, 2, 100));
    assert_eq!(page.total_pages(), 1);
    assert_eq!(page.items.len(), 2);

    let t = &page.items[0];
    assert_eq!(t.id, Some(rec("recFull0001")));
    assert_eq!(t.record_id(), Some(&rec("recFull0001")));
    assert_eq!(t.title, "Write \"docs\"");
    assert_eq!(t.estimate, 2.5);
    assert!(t.done);
    assert_eq!(t.status, Status::Todo);
    assert_eq!(t.tags, [Tag::Urgent, Tag::Work]);
    assert_eq!(t.due, Timestamp::from_millis(1_700_000_000_000));
    assert_eq!(t.blocked_by, [rec("recOther0001"), rec("recOther0002")]);
    assert_eq!(
        t.link,
        Url::new("https://example.com").with_title("Example")
    );
    assert_eq!(t.files.len(), 1);
    let file = &t.files[0];
    assert_eq!(
        (file.token.as_str(), file.name.as_str()),
        ("space/2024/a.png", "a.png")
    );
    assert_eq!(
        (file.size, file.mime_type.as_deref()),
        (Some(1024), Some("image/png"))
    );
    assert_eq!((file.width, file.height), (Some(10), Some(20)));
    assert_eq!(t.notes.as_deref(), Some("multi\nline"));
    assert_eq!(t.created, Some(Timestamp::from_millis(1_600_000_000_000)));
    assert!(!t.selected);

    // Empty cells are absent: the obvious empty values, or `None`.
    let s = &page.items[1];
    assert_eq!(s.id, Some(rec("recSparse001")));
    assert_eq!(s.title, "");
    assert_eq!(s.estimate, 1.0);
    assert!(!s.done);
    assert_eq!(s.status, Status::Done);
    assert!(s.tags.is_empty() && s.blocked_by.is_empty() && s.files.is_empty());
    assert_eq!(s.link, Url::new("https://plain.example.com"));
    assert_eq!((s.notes.as_ref(), s.created), (None, None));
}

#[test]
fn null_cells_read_as_empty() {
    let record = json!({
        "recordId": "recNulls0001",
        "fields": {
            "Title": null, "Estimate (h)": 3, "Status": "Doing", "Due": 0,
            "Link": "x", "Notes": null, "Tags": null,
        }
    });
    let page = Page::<Task>::from_response(&envelope(json!([record])), 10).unwrap();
    let t = &page.items[0];
    assert_eq!((t.title.as_str(), t.notes.as_ref()), ("", None));
    assert!(t.tags.is_empty());
}

#[test]
fn a_cell_of_the_wrong_type_names_record_field_and_expected_type() {
    let mut record = full_record();
    record["fields"]["Estimate (h)"] = json!("two");
    let err = decode_err(json!([record]));
    assert_eq!(err.record_id(), Some(&rec("recFull0001")));
    assert_eq!(err.field(), Some("Estimate (h)"));
    assert_eq!(err.expected(), Some("a number"));
    let text = err.to_string();
    assert!(
        text.starts_with(
            r#"could not decode record recFull0001 field "Estimate (h)" (expected a number)"#
        ),
        "{text}"
    );
}

#[test]
fn a_missing_number_cell_is_an_error() {
    let mut record = full_record();
    record["fields"]
        .as_object_mut()
        .unwrap()
        .remove("Estimate (h)");
    let err = decode_err(json!([full_record(), record]));
    assert_eq!(err.record_id(), Some(&rec("recFull0001")));
    assert_eq!(err.field(), Some("Estimate (h)"));
    assert_eq!(err.expected(), Some("a number"));
    assert_eq!(err.message(), "the cell is empty");

    // A missing single select (no obvious empty value) too.
    let mut record = full_record();
    record["recordId"] = json!("recNoStatus1");
    record["fields"].as_object_mut().unwrap().remove("Status");
    let err = decode_err(json!([record]));
    assert_eq!(err.record_id(), Some(&rec("recNoStatus1")));
    assert_eq!(err.field(), Some("Status"));
    assert_eq!(
        err.expected(),
        Some("one of the options `To do`, `Doing`, `Done`")
    );
}

#[test]
fn an_unknown_select_option_lists_the_known_ones() {
    let mut record = full_record();
    record["fields"]["Status"] = json!("Archived");
    let err = decode_err(json!([record]));
    assert_eq!(err.record_id(), Some(&rec("recFull0001")));
    assert_eq!(err.field(), Some("Status"));
    let text = err.to_string();
    assert!(text.contains("Archived"), "{text}");
    assert!(
        text.contains("To do") && text.contains("Doing") && text.contains("Done"),
        "{text}"
    );

    // Inside a multi-select as well.
    let mut record = full_record();
    record["fields"]["Tags"] = json!(["urgent", "garden"]);
    let err = decode_err(json!([record]));
    assert_eq!(err.field(), Some("Tags"));
    assert!(err.to_string().contains("garden"), "{err}");
}

#[test]
fn a_bad_link_id_is_a_decode_error() {
    let mut record = full_record();
    record["fields"]["Blocked by"] = json!(["fldNotARecord"]);
    let err = decode_err(json!([record]));
    assert_eq!(err.field(), Some("Blocked by"));
}

#[derive(Debug, PartialEq, Table)]
#[apitable(datasheet = "dstDefaults0001")]
struct Defaults {
    #[apitable(name = "Name")]
    name: String,
    /// An empty cell is 0, not an error.
    #[apitable(name = "Count", default)]
    count: u32,
    #[apitable(name = "Status", default)]
    status: Option<Status>,
    /// Not a column: always `Default::default()` after decoding, never written.
    #[apitable(skip)]
    cache: Vec<String>,
}

#[test]
fn default_and_skip() {
    let body = envelope(json!([
        {"recordId": "recD1", "fields": {"Name": "a", "cache": ["x"]}},
        {"recordId": "recD2", "fields": {"Name": "b", "Count": 7, "Status": "Doing"}},
    ]));
    let page = Page::<Defaults>::from_response(&body, 100).unwrap();
    assert_eq!(
        page.items,
        [
            Defaults {
                name: "a".into(),
                count: 0,
                status: None,
                cache: vec![]
            },
            Defaults {
                name: "b".into(),
                count: 7,
                status: Some(Status::Doing),
                cache: vec![]
            },
        ]
    );
    let keys: Vec<_> = <Defaults as Table>::FIELDS.iter().map(|f| f.key).collect();
    assert_eq!(keys, ["Name", "Count", "Status"]);

    let mut cells = serde_json::Map::new();
    page.items[1].__encode(&mut cells);
    assert_eq!(
        Value::Object(cells),
        json!({"Name": "b", "Count": 7, "Status": "Doing"})
    );
}

#[test]
fn read_only_fields_are_never_encoded() {
    let page = Page::<Task>::from_response(&envelope(json!([full_record()])), 100).unwrap();
    let task = &page.items[0];
    let mut cells = serde_json::Map::new();
    task.__encode(&mut cells);
    assert!(!cells.contains_key("Created"), "{cells:?}");
    assert!(!cells.contains_key("selected") && !cells.contains_key("Selected"));
    assert_eq!(
        Value::Object(cells),
        plain_cells_and(json!({
            "Files": [{"token": "space/2024/a.png", "name": "a.png"}],
            "Notes": "multi\nline",
        }))
    );
    let meta = <Task as Table>::FIELDS
        .iter()
        .find(|f| f.rust_name == "created")
        .unwrap();
    assert!(meta.read_only);
    assert_eq!(meta.key, "Created");
}

#[test]
fn metadata_follows_declaration_order() {
    let fields: Vec<_> = <Task as Table>::FIELDS
        .iter()
        .map(|f| (f.rust_name, f.key))
        .collect();
    assert_eq!(
        fields,
        [
            ("title", "Title"),
            ("estimate", "Estimate (h)"),
            ("done", "Done"),
            ("status", "Status"),
            ("tags", "Tags"),
            ("due", "Due"),
            ("blocked_by", "Blocked by"),
            ("link", "Link"),
            ("files", "Files"),
            ("notes", "Notes"),
            ("created", "Created"),
        ]
    );
    assert_eq!(<Task as Table>::DATASHEET, "dstTasks00000001");
    assert_eq!(<Task as apitable_orm::Keyed>::KEY.key(), "Title");
    assert_eq!(Task::BLOCKED_BY.index(), 6);

    let mut task = Page::<Task>::from_response(&envelope(json!([full_record()])), 1)
        .unwrap()
        .items
        .remove(0);
    task.set_record_id(rec("recNew000001"));
    assert_eq!(task.id, Some(rec("recNew000001")));
}

#[test]
fn query_parameters_show_fields_field_key_and_filter() {
    let q = Task::query()
        .filter(Task::STATUS.ne(Status::Done))
        .filter(Task::ESTIMATE.gt(2).or(Task::TAGS.has(Tag::Urgent)))
        .sort(Task::DUE.asc())
        .page_size(50);
    let query = q.to_params().unwrap().to_query().unwrap();
    let get = |k: &str| -> Vec<&str> {
        query
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(
        get("fields[]"),
        [
            "Title",
            "Estimate (h)",
            "Done",
            "Status",
            "Tags",
            "Due",
            "Blocked by",
            "Link",
            "Files",
            "Notes",
            "Created"
        ]
    );
    assert!(get("fieldKey").is_empty(), "names are the server's default");
    assert_eq!(get("pageSize"), ["50"]);
    assert_eq!(get("sort[0][field]"), ["Due"]);
    let formula = get("filterByFormula");
    assert_eq!(formula.len(), 1);
    let formula = formula[0];
    assert!(formula.starts_with("AND("), "{formula}");
    assert!(
        formula.contains("{Status}") && formula.contains("\"Done\""),
        "{formula}"
    );
    assert!(
        formula.contains("{Estimate (h)}") && formula.contains("urgent"),
        "{formula}"
    );

    // Mapped by id: fieldKey=id and `{fld…}` references.
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstById0000001")]
    struct ById {
        #[apitable(id = "fldTitle00001")]
        title: String,
        #[apitable(id = "fldPrice00001")]
        price: Option<f64>,
    }
    let query = ById::query()
        .filter(ById::PRICE.lt(10))
        .to_params()
        .unwrap()
        .to_query()
        .unwrap();
    assert!(
        query.contains(&("fieldKey".into(), "id".into())),
        "{query:?}"
    );
    assert!(
        query.contains(&("fields[]".into(), "fldPrice00001".into())),
        "{query:?}"
    );
    assert!(
        query.contains(&(
            "filterByFormula".into(),
            "AND({fldPrice00001}!=BLANK(),({fldPrice00001}<10))".into()
        )),
        "{query:?}"
    );
}

#[test]
fn a_cell_error_before_the_record_id_names_record_field_and_type() {
    // serde_json::Value sorts keys, so this body has "fields" before "recordId".
    let mut record = full_record();
    record["fields"]["Estimate (h)"] = json!("soon");
    let id = record["recordId"].as_str().unwrap().to_owned();
    let body = json!({"success": true, "code": 200, "message": "SUCCESS",
                      "data": {"total": 1, "pageNum": 1, "pageSize": 1, "records": [record]}});
    let bytes = serde_json::to_vec(&body).unwrap();
    match Page::<Task>::from_response(&bytes, 100) {
        Err(Error::Decode(e)) => {
            assert_eq!(e.field(), Some("Estimate (h)"));
            assert_eq!(e.expected(), Some("a number"));
            assert_eq!(e.record_id().map(|r| r.as_str()), Some(id.as_str()));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

proptest::proptest! {
    /// Arbitrary bytes, and arbitrary cells in a well-formed page, decode or fail cleanly.
    #[test]
    fn decoding_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
                             cell in "[\\[\\]{}\",:0-9a-zA-Z.truefalsn -]{0,40}") {
        let _ = Page::<Task>::from_response(&bytes, 100);
        let mut record = full_record();
        record["fields"]["Estimate (h)"] = serde_json::from_str(&cell).unwrap_or(Value::String(cell.clone()));
        let _ = Page::<Task>::from_response(&envelope(json!([record])), 100);
        let text = String::from_utf8_lossy(&envelope(json!([full_record()]))).replace("\"Done\"", &cell);
        let _ = Page::<Task>::from_response(text.as_bytes(), 100);
    }
}
