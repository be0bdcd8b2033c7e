//! `filterByFormula` within an evaluation budget: formulas whose strings would exhaust memory
//! get the bad-formula error (HTTP 200, code 400, empty message) instead of killing the
//! process, the server keeps serving, and one budget covers all the records of a listing.

mod common;

use common::{H, assert_err, enc, ok};
use serde_json::json;

async fn sheet_with_names(h: &H, names: impl Iterator<Item = String>) -> String {
    let dst = h.name_sheet("Budget").await;
    let rows = names.map(|n| json!({ "Name": n })).collect();
    h.emu.insert_records(&dst, rows).await.expect("insert");
    dst
}

#[tokio::test]
async fn runaway_string_formulas_get_the_bad_formula_error_and_the_server_keeps_serving() {
    let h = H::new().await;
    let dst = sheet_with_names(&h, std::iter::once("only".to_string())).await;
    let path = H::records_path(&dst);
    let eight = [r#"REPT("x",8000000)"#; 8].join(",");
    for formula in [
        // Asked for 65 GB and aborted the process.
        r#"LEN(SUBSTITUTE(REPT("x",4096),"x",REPT("y",16000000)))>0"#.to_string(),
        // Took seconds and doubled the process's memory for one request.
        format!("LEN(CONCATENATE({eight}))>0"),
    ] {
        let res = h
            .get(&format!("{path}?filterByFormula={}", enc(&formula)))
            .await;
        assert_err(&res, 200, 400, "");
        // Still serving, formulas included.
        let d = ok(&h.get(&path).await, 200);
        assert_eq!(d["total"], 1);
        let d = ok(
            &h.get(&format!(
                "{path}?filterByFormula={}",
                enc(r#"LEN(REPT({Name}, 1000)) = 4000"#)
            ))
            .await,
            200,
        );
        assert_eq!(d["records"][0]["fields"]["Name"], "only");
    }
}

#[tokio::test]
async fn one_budget_covers_every_record_of_a_listing() {
    let h = H::new().await;
    // Names of 8 bytes: the formula builds 16 MB per record, fine alone, but 100 records
    // together (1.6 GB) exceed the listing's 1 GiB.
    let dst = sheet_with_names(&h, (0..100).map(|i| format!("name {i:03}"))).await;
    let path = H::records_path(&dst);
    let formula = enc(r#"LEN(REPT({Name}, 2000000)) > 0"#);
    let all = h
        .get(&format!("{path}?filterByFormula={formula}&pageSize=1000"))
        .await;
    assert_err(&all, 200, 400, "");
    // The same formula over five of the records fits.
    let ids: Vec<String> = ok(&h.get(&format!("{path}?pageSize=5")).await, 200)["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("recordIds={}", r["recordId"].as_str().unwrap()))
        .collect();
    let d = ok(
        &h.get(&format!(
            "{path}?filterByFormula={formula}&{}",
            ids.join("&")
        ))
        .await,
        200,
    );
    assert_eq!(d["total"], 5);
}
