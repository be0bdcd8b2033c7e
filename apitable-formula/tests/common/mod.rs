//! A fixed datasheet shared by the integration tests.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::HashMap;

use apitable_formula::{EvalContext, FieldDef, Formula, FormulaError, RecordAccess, Value};
use serde_json::{Value as Json, json};

/// One record of the test datasheet.
pub struct Rec {
    pub id: String,
    pub cells: HashMap<String, Json>,
    pub created: i64,
    pub updated: i64,
}

impl RecordAccess for Rec {
    fn record_id(&self) -> &str {
        &self.id
    }
    fn cell(&self, field_id: &str) -> Option<Cow<'_, Json>> {
        self.cells.get(field_id).map(Cow::Borrowed)
    }
    fn created_at(&self) -> i64 {
        self.created
    }
    fn updated_at(&self) -> i64 {
        self.updated
    }
}

fn field(id: &str, name: &str, t: &str, property: Json) -> FieldDef {
    FieldDef {
        id: id.into(),
        name: name.into(),
        field_type: t.into(),
        property,
    }
}

/// The fields: (id, name, type).
pub fn fields() -> Vec<FieldDef> {
    vec![
        field("fldName", "Name", "SingleText", json!({})),
        field("fldNotes", "Notes", "Text", Json::Null),
        field("fldNum", "n", "Number", json!({"precision": 2})),
        field(
            "fldPrice",
            "Price",
            "Currency",
            json!({"precision": 2, "symbol": "$"}),
        ),
        field("fldPct", "Pct", "Percent", json!({"precision": 0})),
        field(
            "fldRating",
            "Rating",
            "Rating",
            json!({"icon": "star", "max": 5}),
        ),
        field(
            "fldDone",
            "Done",
            "Checkbox",
            json!({"icon": "white_check_mark"}),
        ),
        field(
            "fldStatus",
            "Status",
            "SingleSelect",
            json!({"options": []}),
        ),
        field("fldTags", "Tags", "MultiSelect", json!({"options": []})),
        field(
            "fldDue",
            "Due",
            "DateTime",
            json!({"format": "YYYY/MM/DD", "includeTime": false}),
        ),
        field(
            "fldLink",
            "Link",
            "TwoWayLink",
            json!({"foreignDatasheetId": "dstX"}),
        ),
        field("fldOwner", "Owner", "Member", json!({"isMulti": true})),
        field("fldSite", "Site", "URL", Json::Null),
        field(
            "fldCalc",
            "Calc",
            "Formula",
            json!({"expression": "{n}*2", "valueType": "Number"}),
        ),
        field("fldNo", "No", "AutoNumber", Json::Null),
        // A field whose *name* is another field's id: names win.
        field("fldAlias", "fldRating", "SingleText", json!({})),
        // A name that needs escapes inside braces.
        field("fldBrace", "Br{a}ce", "SingleText", json!({})),
        // A name with a space.
        field("fldFull", "Full Name", "SingleText", json!({})),
        // A lookup of a Number field (multi-value numeric).
        field(
            "fldNums",
            "Nums",
            "MagicLookUp",
            json!({
                "relatedLinkFieldId": "fldLink", "targetFieldId": "fldQty",
                "rollupFunction": "VALUES", "valueType": "Array",
                "entityField": {"datasheetId": "dstX", "field": {
                    "id": "fldQty", "name": "Qty", "type": "Number", "property": {"precision": 0}
                }}
            }),
        ),
    ]
}

fn rec(i: usize, cells: Json) -> Rec {
    let map = cells
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Rec {
        id: format!("rec{i}"),
        cells: map,
        created: 1_700_000_000_000 + i as i64 * 1000,
        updated: 1_700_000_000_000 + i as i64 * 2000,
    }
}

pub const JAN15: i64 = 1_705_276_800_000; // 2024-01-15T00:00Z
pub const DAY: i64 = 86_400_000;

/// The ten records.
pub fn records() -> Vec<Rec> {
    vec![
        rec(
            1,
            json!({
                "fldName": "Apple", "fldNotes": "Red fruit", "fldNum": 10, "fldPrice": 1.5,
                "fldPct": 0.5, "fldRating": 5, "fldDone": true, "fldStatus": "Open",
                "fldTags": ["A", "B"], "fldDue": JAN15, "fldLink": ["Alpha"],
                "fldOwner": [{"id": "1", "name": "Ann", "type": "Member"}],
                "fldSite": {"title": "Apple", "text": "https://apple.com", "favicon": ""},
                "fldCalc": 20, "fldNo": 1, "fldAlias": "alias1", "fldFull": "Apple Pie",
                "fldNums": [1, 2]
            }),
        ),
        rec(
            2,
            json!({
                "fldName": "banana", "fldNotes": "yellow", "fldNum": 0, "fldPrice": 0.3,
                "fldPct": 0.25, "fldRating": 3, "fldStatus": "Closed", "fldTags": ["B"],
                "fldDue": 1_709_294_400_000_i64, "fldLink": ["Alpha", "Beta"],
                "fldOwner": [{"id": "1", "name": "Ann"}, {"id": "2", "name": "Bob"}],
                "fldCalc": 0, "fldNo": 2, "fldBrace": "brace", "fldNums": [5]
            }),
        ),
        rec(
            3,
            json!({
                "fldName": "Cherry", "fldNum": -5.5, "fldPrice": 10, "fldPct": 1,
                "fldRating": 1, "fldDone": true, "fldOwner": [{"id": "2", "name": "Bob"}],
                "fldCalc": -11, "fldNo": 3
            }),
        ),
        rec(
            4,
            json!({
                "fldNotes": "", "fldStatus": "Open", "fldTags": ["C"],
                "fldDue": 1_704_063_600_000_i64, "fldLink": ["Gamma"], "fldNo": 4
            }),
        ),
        rec(
            5,
            json!({
                "fldName": "10", "fldNotes": "9", "fldNum": 100, "fldPrice": 99.99,
                "fldPct": 0.1, "fldRating": 2, "fldDone": true, "fldStatus": "In Progress",
                "fldTags": ["A", "C"], "fldDue": JAN15 + 30_600_000, "fldLink": [],
                "fldCalc": 200, "fldNo": 5
            }),
        ),
        rec(
            6,
            json!({
                "fldName": "He said “hi”", "fldNotes": "line1\nline2", "fldNum": 0.1,
                "fldPrice": 0.2, "fldPct": 0.3, "fldRating": 4, "fldDone": false,
                "fldStatus": "Open", "fldTags": ["A"], "fldDue": 1_000_000_000_000_i64,
                "fldCalc": 0.2, "fldNo": 6
            }),
        ),
        rec(
            7,
            json!({
                "fldName": "C:\\new", "fldNotes": "{curly} braces", "fldNum": 2, "fldPrice": 2,
                "fldPct": 0, "fldRating": 0, "fldStatus": "Closed", "fldTags": ["B", "C", "A"],
                "fldDue": JAN15 + DAY, "fldLink": ["Beta"],
                "fldOwner": [{"id": "3", "name": "Cy"}], "fldCalc": 4, "fldNo": 7
            }),
        ),
        rec(
            8,
            json!({
                "fldName": "apple", "fldNotes": "Red", "fldNum": 3, "fldPrice": 3,
                "fldPct": 0.03, "fldRating": 3, "fldDone": true, "fldStatus": "Open",
                "fldTags": ["a"], "fldDue": 1_704_067_200_000_i64, "fldLink": ["Alpha"],
                "fldOwner": [{"id": "1", "name": "Ann"}], "fldCalc": 6, "fldNo": 8
            }),
        ),
        rec(
            9,
            json!({
                "fldName": "😀 emoji", "fldNotes": "ab", "fldNum": 1_000_000, "fldPrice": 1234.5,
                "fldPct": 2, "fldRating": 5, "fldLink": ["Delta"], "fldNo": 9
            }),
        ),
        rec(
            10,
            json!({
                "fldName": "  padded  ", "fldNotes": "x", "fldNum": 7, "fldPrice": 7,
                "fldPct": 0.07, "fldRating": 1, "fldDone": true, "fldStatus": "open",
                "fldTags": ["B"], "fldDue": 1_717_200_000_000_i64, "fldLink": ["Alpha", "Gamma"],
                "fldOwner": [{"id": "2", "name": "Bob"}], "fldCalc": 14, "fldNo": 10
            }),
        ),
    ]
}

/// 2024-06-01T12:00:00Z, UTC.
pub fn ctx() -> EvalContext {
    EvalContext {
        now_ms: 1_717_243_200_000,
        utc_offset_minutes: 0,
    }
}

pub fn parse(src: &str) -> Result<Formula, FormulaError> {
    Formula::parse(src, &fields())
}

/// The numbers of the records `src` keeps (`rec3` → 3).
pub fn matching(src: &str) -> Result<Vec<u32>, String> {
    let f = parse(src).map_err(|e| e.message)?;
    let c = ctx();
    Ok(records()
        .iter()
        .filter(|r| f.matches(*r, &c))
        .map(|r| r.id[3..].parse().unwrap())
        .collect())
}

/// Evaluates `src` against record `i` (1-based).
pub fn eval(src: &str, i: usize) -> Result<Value, String> {
    let f = parse(src).map_err(|e| format!("parse: {}", e.message))?;
    f.evaluate(&records()[i - 1], &ctx())
}

/// A record with only the `Notes` text set.
pub fn text_record(s: &str) -> Rec {
    rec(0, json!({ "fldNotes": s }))
}

/// The number of proptest cases: `PROPTEST_CASES` when set (as proptest's own default config
/// reads it), else `default`.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
