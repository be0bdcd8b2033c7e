//! filterByFormula through apitable-formula, including link cells read as display strings.

mod common;

use apitable_emulator::FieldSpec;
use common::{H, assert_err, enc, ok};
use serde_json::json;

#[tokio::test]
async fn simple_formulas_filter_and_count() {
    let h = H::new().await;
    let dst = h
        .sheet(
            "Menu",
            &[
                FieldSpec::new("Name", "SingleText").property(json!({})),
                FieldSpec::new("Qty", "Number").property(json!({"precision": 0})),
            ],
        )
        .await;
    h.create(
        &dst,
        vec![
            json!({"Name": "a", "Qty": 1}),
            json!({"Name": "b", "Qty": 3}),
            json!({"Name": "c", "Qty": 5}),
        ],
    )
    .await;
    let path = H::records_path(&dst);
    let d = ok(
        &h.get(&format!("{path}?filterByFormula={}", enc("{Qty} > 2")))
            .await,
        200,
    );
    assert_eq!(d["total"], 2);
    assert_eq!(d["records"][0]["fields"]["Name"], "b");
    let d = ok(
        &h.get(&format!(
            "{path}?filterByFormula={}&pageSize=1&pageNum=2",
            enc("OR({Name} = \"a\", {Qty} = 5)")
        ))
        .await,
        200,
    );
    assert_eq!(d["total"], 2);
    assert_eq!(d["records"][0]["fields"]["Name"], "c");
    let res = h
        .get(&format!("{path}?filterByFormula={}", enc("{Qty} >")))
        .await;
    assert_err(&res, 200, 400, "");
}

#[tokio::test]
async fn link_cells_are_primary_display_strings() {
    let h = H::new().await;
    let tags = h
        .sheet(
            "Tags",
            &[FieldSpec::new("Label", "SingleText").property(json!({}))],
        )
        .await;
    let t = h
        .create(
            &tags,
            vec![json!({"Label": "urgent"}), json!({"Label": "later"})],
        )
        .await;
    let dst = h
        .sheet(
            "Tasks",
            &[
                FieldSpec::new("Title", "SingleText").property(json!({})),
                FieldSpec::new("Tags", "OneWayLink").property(json!({"foreignDatasheetId": tags})),
            ],
        )
        .await;
    h.create(
        &dst,
        vec![
            json!({"Title": "x", "Tags": [t[0]]}),
            json!({"Title": "y", "Tags": [t[1]]}),
        ],
    )
    .await;
    let d = ok(
        &h.get(&format!(
            "{}?filterByFormula={}",
            H::records_path(&dst),
            enc("FIND(\"urgent\", ARRAYJOIN({Tags}))")
        ))
        .await,
        200,
    );
    assert_eq!(d["total"], 1);
    assert_eq!(d["records"][0]["fields"]["Title"], "x");
}

#[tokio::test]
async fn formula_fields_are_computed_filterable_and_sortable() {
    let h = H::new().await;
    let dst = h
        .sheet(
            "Lines",
            &[
                FieldSpec::new("Item", "SingleText").property(json!({})),
                FieldSpec::new("Qty", "Number").property(json!({"precision": 0})),
                FieldSpec::new("Price", "Number").property(json!({"precision": 2})),
                FieldSpec::new("Total", "Formula")
                    .property(json!({"expression": "{Qty} * {Price}"})),
                FieldSpec::new("Label", "Formula")
                    .property(json!({"expression": "CONCATENATE({Item}, \" x\", {Qty})"})),
            ],
        )
        .await;
    h.create(
        &dst,
        vec![
            json!({"Item": "tea", "Qty": 2, "Price": 1.5}),
            json!({"Item": "cake", "Qty": 1, "Price": 4}),
            json!({"Item": "wine", "Qty": 3, "Price": 10}),
        ],
    )
    .await;
    let path = H::records_path(&dst);
    let q = format!(
        "filterByFormula={}&sort[0][field]=Total&sort[0][order]=desc",
        enc("{Total} > 3")
    );
    let d = ok(&h.get(&format!("{path}?{q}")).await, 200);
    let totals: Vec<f64> = d["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["Total"].as_f64().unwrap())
        .collect();
    assert_eq!(totals, [30.0, 4.0]);
    assert_eq!(d["records"][0]["fields"]["Label"], "wine x3");
    let (_, b) = h.get(&format!("/fusion/v1/datasheets/{dst}/fields")).await;
    let total = b["data"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Total")
        .unwrap()
        .clone();
    assert_eq!(total["property"]["valueType"], "Number");
    assert_eq!(total["property"]["hasError"], false);
    assert_eq!(total["editable"], false);
}
