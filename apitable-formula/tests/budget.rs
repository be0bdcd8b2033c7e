//! The evaluation budget: every string producer asks it before building, error-catching
//! functions cannot swallow its refusal, one budget bounds many records, and ordinary formulas
//! over a full datasheet stay far inside the default limits.

mod common;

use std::borrow::Cow;

use apitable_formula::{
    Budget, BudgetExceeded, EvalError, EvalLimits, FieldDef, Formula, RecordAccess, Value,
};
use common::{ctx, parse, records, text_record};
use serde_json::{Value as Json, json};

const MIB: u64 = 1 << 20;

fn record_limit(bytes: u64) -> EvalLimits {
    EvalLimits {
        max_record_bytes: bytes,
        ..EvalLimits::default()
    }
}

fn run(src: &str, rec: &dyn RecordAccess, limits: EvalLimits) -> Result<Value, EvalError> {
    let f = parse(src).unwrap_or_else(|e| panic!("{src}: {}", e.message));
    f.evaluate_within(rec, &ctx(), &Budget::new(limits))
}

/// `fits` (the producer's inputs alone) evaluates within 1 MiB per record; `refused` (the same
/// inputs through the producer) is stopped by the per-record byte limit.
fn producer_refused(fits: &str, refused: &str) {
    let rec = &records()[0];
    let limits = record_limit(MIB);
    let ok = run(fits, rec, limits);
    assert!(
        !matches!(ok, Err(EvalError::Budget(_))),
        "{fits} should fit: {ok:?}"
    );
    let out = run(refused, rec, limits);
    assert!(
        matches!(
            out,
            Err(EvalError::Budget(BudgetExceeded::RecordBytes { limit })) if limit == MIB
        ),
        "{refused} should exhaust the budget: {out:?}"
    );
}

#[test]
fn rept_asks_before_repeating() {
    producer_refused(r#"LEN(REPT("ab", 400000))"#, r#"LEN(REPT("ab", 600000))"#);
}

#[test]
fn substitute_computes_its_length_first() {
    let inputs = r#"LEN(REPT("x", 1100)) + LEN(REPT("y", 1000))"#;
    producer_refused(
        inputs,
        r#"LEN(SUBSTITUTE(REPT("x", 1100), "x", REPT("y", 1000)))"#,
    );
    // An empty separator puts the replacement between every UTF-16 unit.
    producer_refused(
        inputs,
        r#"LEN(SUBSTITUTE(REPT("x", 1100), "", REPT("y", 1000)))"#,
    );
    // One occurrence replaced (the index form).
    producer_refused(
        r#"LEN(REPT("x", 400000)) + LEN(REPT("y", 400000))"#,
        r#"LEN(SUBSTITUTE(REPT("x", 400000), "x", REPT("y", 400000), 3))"#,
    );
}

#[test]
fn concatenation_forms_ask_for_their_total() {
    let inputs = r#"LEN(REPT("x", 300000)) + LEN(REPT("y", 300000))"#;
    for refused in [
        r#"LEN(CONCATENATE(REPT("x", 300000), REPT("y", 300000)))"#,
        r#"LEN(REPT("x", 300000) & REPT("y", 300000))"#,
        r#"LEN(REPT("x", 300000) + REPT("y", 300000))"#,
    ] {
        producer_refused(inputs, refused);
    }
}

#[test]
fn copying_text_functions_ask_for_their_result() {
    let input = r#"LEN(REPT("x", 600000))"#;
    for refused in [
        r#"LEN(LEFT(REPT("x", 600000), 600000))"#,
        r#"LEN(RIGHT(REPT("x", 600000), 600000))"#,
        r#"LEN(MID(REPT("x", 600000), 1, 600000))"#,
        r#"LEN(UPPER(REPT("x", 600000)))"#,
        r#"LEN(LOWER(REPT("x", 600000)))"#,
        r#"LEN(TRIM(REPT("x", 600000)))"#,
        r#"LEN(T(REPT("x", 600000)))"#,
        r#"LEN(REPLACE(REPT("x", 600000), 1, 1, "y"))"#,
        r#"VALUE(REPT("1", 600000))"#,
        r#"LEN(IF(TRUE(), REPT("x", 600000), ""))"#,
        r#"LEN(SWITCH(1, 1, REPT("x", 600000)))"#,
        r#"COUNTA(ARRAYFLATTEN(REPT("x", 600000)))"#,
        r#"COUNTA(ARRAYCOMPACT(REPT("x", 600000)))"#,
        r#"COUNTA(ARRAYUNIQUE(REPT("x", 600000)))"#,
    ] {
        producer_refused(input, refused);
    }
}

#[test]
fn url_encoding_asks_for_the_escaped_length() {
    // 300 kB of "é" escapes to 900 kB.
    producer_refused(
        r#"LEN(REPT("é", 150000))"#,
        r#"LEN(ENCODE_URL_COMPONENT(REPT("é", 150000)))"#,
    );
}

#[test]
fn arrayjoin_asks_for_the_joined_length() {
    producer_refused(
        r#"LEN(ARRAYJOIN(ARRAYCOMPACT(REPT("x", 150000), REPT("y", 150000)), "-"))"#,
        r#"LEN(ARRAYJOIN(ARRAYCOMPACT(REPT("x", 150000), REPT("y", 150000)), REPT("-", 200000)))"#,
    );
}

#[test]
fn date_functions_ask_for_patterns_and_messages() {
    producer_refused(
        r#"LEN(REPT("x", 50000))"#,
        r#"LEN(DATETIME_FORMAT(0, REPT("x", 50000)))"#,
    );
    producer_refused(
        r#"LEN(REPT("1", 100000)) + LEN(REPT("Y", 100000))"#,
        r#"DATETIME_PARSE(REPT("1", 100000), REPT("Y", 100000))"#,
    );
    // A bad unit's message quotes the unit.
    producer_refused(
        r#"LEN(REPT("x", 600000))"#,
        r#"DATEADD(0, 1, REPT("x", 600000))"#,
    );
}

#[test]
fn error_messages_are_strings_too_and_cannot_hide_a_refusal() {
    producer_refused(
        r#"LEN(REPT("x", 600000))"#,
        r#"ISERROR(ERROR(REPT("x", 600000)))"#,
    );
    // IF, ISERROR and SWITCH turn errors into values; an exhausted budget is not one.
    for src in [
        r#"IF(ISERROR(REPT("x", 2000000)), 1, 0)"#,
        r#"IS_ERROR(LEN(REPT("x", 2000000)))"#,
        r#"SWITCH(REPT("x", 2000000), 1, 2, 3)"#,
    ] {
        let out = run(src, &records()[0], record_limit(MIB));
        assert!(matches!(out, Err(EvalError::Budget(_))), "{src}: {out:?}");
    }
}

#[test]
fn cells_read_count_as_produced_bytes() {
    let rec = text_record(&"n".repeat(600_000));
    let limits = record_limit(MIB);
    assert_eq!(
        run("LEN({Notes})", &rec, limits),
        Ok(Value::Number(600_000.0))
    );
    let out = run("LEN({Notes}) + LEN({Notes})", &rec, limits);
    assert!(matches!(out, Err(EvalError::Budget(_))), "{out:?}");
}

#[test]
fn steps_are_counted_per_node_and_per_element() {
    let rec = &records()[0];
    let limits = EvalLimits {
        max_steps: 100,
        ..EvalLimits::default()
    };
    // 40 terms: 40 fields and 39 additions.
    let chain = |n: usize| vec!["{n}"; n].join(" + ");
    assert_eq!(run(&chain(40), rec, limits), Ok(Value::Number(400.0)));
    let f = parse(&chain(40)).unwrap();
    let b = Budget::new(limits);
    f.evaluate_within(rec, &ctx(), &b).unwrap();
    assert_eq!(b.steps_used(), 79);
    assert_eq!(
        run(&chain(60), rec, limits),
        Err(EvalError::Budget(BudgetExceeded::Steps { limit: 100 }))
    );

    // ARRAYUNIQUE compares each element with those kept: quadratic work is quadratic steps.
    let tags: Vec<String> = (0..1000).map(|i| format!("t{i}")).collect();
    let many = TagRecord(json!(tags));
    let limits = EvalLimits {
        max_steps: 100_000,
        ..EvalLimits::default()
    };
    let f = Formula::parse("COUNTA({Tags})", &common::fields()).unwrap();
    assert_eq!(
        f.evaluate_within(&many, &ctx(), &Budget::new(limits)),
        Ok(Value::Number(1000.0))
    );
    let f = Formula::parse("COUNTA(ARRAYUNIQUE({Tags}))", &common::fields()).unwrap();
    assert_eq!(
        f.evaluate_within(&many, &ctx(), &Budget::new(limits)),
        Err(EvalError::Budget(BudgetExceeded::Steps { limit: 100_000 }))
    );
}

/// A record with only the `Tags` multi-select set.
struct TagRecord(Json);

impl RecordAccess for TagRecord {
    fn record_id(&self) -> &str {
        "recTags"
    }
    fn cell(&self, field_id: &str) -> Option<Cow<'_, Json>> {
        (field_id == "fldTags").then_some(Cow::Borrowed(&self.0))
    }
    fn created_at(&self) -> i64 {
        0
    }
    fn updated_at(&self) -> i64 {
        0
    }
}

#[test]
fn one_budget_bounds_all_the_records_of_a_request() {
    let limits = EvalLimits {
        max_bytes: MIB,
        ..EvalLimits::default()
    };
    let b = Budget::new(limits);
    let heavy = parse(r#"LEN(REPT("x", 300000)) > 0"#).unwrap();
    let cheap = parse("{n} > 0").unwrap();
    let recs = records();
    let c = ctx();
    for r in &recs[..3] {
        assert_eq!(heavy.matches_within(r, &c, &b), Ok(true));
    }
    let limit = MIB;
    assert_eq!(
        heavy.matches_within(&recs[3], &c, &b),
        Err(BudgetExceeded::Bytes { limit })
    );
    // Exhausted for good: even a cheap formula on a fresh record is refused.
    assert_eq!(
        cheap.matches_within(&recs[4], &c, &b),
        Err(BudgetExceeded::Bytes { limit })
    );
    assert_eq!(b.exceeded(), Some(BudgetExceeded::Bytes { limit }));
    // Each record alone fits: a fresh budget per record lets all of them through.
    for r in &recs {
        let fresh = Budget::new(limits);
        assert_eq!(heavy.matches_within(r, &c, &fresh), Ok(true));
    }
}

#[test]
fn the_observed_killers_end_in_a_budget_error_under_the_default_limits() {
    let eight = [r#"REPT("x", 8000000)"#; 8].join(", ");
    for src in [
        r#"LEN(SUBSTITUTE(REPT("x",4096),"x",REPT("y",16000000)))>0"#.to_string(),
        format!("LEN(CONCATENATE({eight})) > 0"),
    ] {
        let f = parse(&src).unwrap();
        let b = Budget::default();
        let out = f.evaluate_within(&records()[0], &ctx(), &b);
        assert!(
            matches!(
                out,
                Err(EvalError::Budget(BudgetExceeded::RecordBytes { .. }))
            ),
            "{src}: {out:?}"
        );
        // Refused before the big allocation: what was granted stays under the limit.
        assert!(b.bytes_used() <= EvalLimits::DEFAULT.max_record_bytes);
        // The one-record API reports it as an error message (and `matches` keeps the record).
        let msg = f.evaluate(&records()[0], &ctx()).unwrap_err();
        assert!(msg.contains("budget exceeded"), "{msg}");
        assert!(f.matches(&records()[0], &ctx()));
    }
}

/// The emulator's benchmark sheet: `Name`, `Qty`, `Tag`, `Done`.
struct Row {
    id: String,
    name: Json,
    qty: Json,
    tag: Json,
    done: Json,
}

impl RecordAccess for Row {
    fn record_id(&self) -> &str {
        &self.id
    }
    fn cell(&self, field_id: &str) -> Option<Cow<'_, Json>> {
        let v = match field_id {
            "fldName" => &self.name,
            "fldQty" => &self.qty,
            "fldTag" => &self.tag,
            "fldDone" => &self.done,
            _ => return None,
        };
        Some(Cow::Borrowed(v))
    }
    fn created_at(&self) -> i64 {
        0
    }
    fn updated_at(&self) -> i64 {
        0
    }
}

fn bench_fields() -> Vec<FieldDef> {
    let f = |id: &str, name: &str, t: &str, property: Json| FieldDef {
        id: id.into(),
        name: name.into(),
        field_type: t.into(),
        property,
    };
    vec![
        f("fldName", "Name", "SingleText", json!({})),
        f("fldQty", "Qty", "Number", json!({"precision": 0})),
        f("fldTag", "Tag", "SingleSelect", json!({"options": []})),
        f("fldDone", "Done", "Checkbox", json!({"icon": "star"})),
    ]
}

#[test]
fn ordinary_formulas_over_fifty_thousand_records_stay_far_inside_the_default_budget() {
    let tags = ["red", "green", "blue"];
    let rows: Vec<Row> = (0..50_000)
        .map(|n| Row {
            id: format!("rec{n}"),
            name: json!(format!("row {n}")),
            qty: json!(n % 100),
            tag: json!(tags[n % 3]),
            done: json!(n % 2 == 0),
        })
        .collect();
    let fields = bench_fields();
    let c = ctx();
    // (formula, which rows it keeps, steps it takes per record)
    type Case = (&'static str, fn(usize) -> bool, u64);
    let cases: [Case; 2] = [
        // The emulator benchmark's filter: seven nodes per record.
        (
            r#"AND({Qty} > 50, {Tag} = "red")"#,
            |n| n % 100 > 50 && n % 3 == 0,
            7,
        ),
        // Text work on every record: case folding, searching, concatenation.
        (
            r#"AND(FIND("row 1", LOWER({Name})) > 0, LEN(CONCATENATE({Name}, "-", {Tag})) < 14, NOT({Done}))"#,
            |n| {
                format!("row {n}").starts_with("row 1")
                    && format!("row {n}-{}", ["red", "green", "blue"][n % 3]).len() < 14
                    && n % 2 == 1
            },
            16,
        ),
    ];
    for (src, want, steps_per_record) in cases {
        let f = Formula::parse(src, &fields).unwrap();
        let b = Budget::default();
        let mut kept = 0;
        for (n, r) in rows.iter().enumerate() {
            let m = f
                .matches_within(r, &c, &b)
                .unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(m, want(n), "{src} on row {n}");
            kept += usize::from(m);
        }
        assert!(kept > 0, "{src} kept nothing");
        assert_eq!(b.steps_used(), 50_000 * steps_per_record, "{src}");
        // Room for formulas ten times as heavy.
        let l = EvalLimits::DEFAULT;
        assert!(
            b.steps_used() * 10 < l.max_steps,
            "{src}: {} steps",
            b.steps_used()
        );
        assert!(
            b.bytes_used() * 10 < l.max_bytes,
            "{src}: {} bytes",
            b.bytes_used()
        );
    }
}
