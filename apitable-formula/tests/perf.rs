//! Evaluation speed over many records (run with `--ignored --nocapture` to see timings).

mod common;

use common::{ctx, parse, records};

#[test]
#[ignore = "timing only"]
fn fifty_thousand_records() {
    let recs = records();
    let c = ctx();
    for src in [
        "{n} > 5",
        "AND({Status} = \"Open\", COUNTIF({Tags}, \"A\") > 0, FIND(\"p\", LOWER({Name})) > 0)",
        "OR(RECORD_ID() = \"rec1\", RECORD_ID() = \"rec2\", RECORD_ID() = \"rec3\")",
        "IS_AFTER({Due}, 1705276800000)",
    ] {
        let f = parse(src).unwrap();
        let t = std::time::Instant::now();
        let mut kept = 0;
        for i in 0..50_000 {
            if f.matches(&recs[i % recs.len()], &c) {
                kept += 1;
            }
        }
        println!(
            "{:>8.1} ms  kept {kept:>6}  {src}",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
