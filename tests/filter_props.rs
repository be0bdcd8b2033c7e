//! Property test: for arbitrary Unicode strings (quotes, curly quotes, braces, backslashes,
//! line breaks, formula syntax), `filter(COL.eq(s))` against the emulator returns exactly the
//! records whose value is `s`, and `contains(s)` exactly those that contain it.

#[path = "../apitable-formula/tests/support/hostile.rs"]
mod hostile;

use std::collections::BTreeSet;

use apitable_emulator::{Emulator, FieldSpec};
use apitable_orm::DatasheetId;
use apitable_orm::prelude::*;
use hostile::hostile_text;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstFilterProps001")]
struct Note {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(name = "Text")]
    text: String,
}

/// An operator's name, a filter with it, and which texts the filter must select.
type Check<'a> = (&'static str, Filter<Note>, &'a dyn Fn(&str) -> bool);

#[test]
fn eq_and_contains_match_exactly_the_right_records() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (emu, client, dst) = rt.block_on(async {
        let emu = Emulator::builder().start().await.unwrap();
        let sheet = emu
            .create_datasheet("Notes", &[FieldSpec::new("Text", "Text")])
            .await
            .unwrap();
        let client = Client::for_emulator(&emu).unwrap();
        let dst: DatasheetId = sheet.id.parse().unwrap();
        (emu, client, dst)
    });
    let notes = client.table_in::<Note>(dst.clone());

    let mut runner = TestRunner::new(Config {
        // 128 unless PROPTEST_CASES asks for another number.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(128),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&hostile_text(7), |s| {
            rt.block_on(async {
                // Start from an empty datasheet, also after a failed case (whose records stay),
                // so that shrinking sees only the records of the case it tries.
                let left: Vec<RecordId> = notes
                    .all()
                    .await
                    .unwrap()
                    .into_iter()
                    .filter_map(|n| n.id)
                    .collect();
                notes.delete_many(&left).await.unwrap();
                // The value, decoys around it, and a record that contains it.
                let texts = [
                    s.clone(),
                    format!("{s}x"),
                    format!("x{s}"),
                    format!("a{s}b"),
                    s.to_uppercase(),
                    s.replace('"', "“"),
                ];
                let rows: Vec<Note> = texts
                    .iter()
                    .map(|t| Note {
                        id: None,
                        text: t.clone(),
                    })
                    .collect();
                let ids = notes.insert_many(&rows).await.unwrap();

                let checks: [Check<'_>; 2] = [
                    ("eq", Note::TEXT.eq(s.as_str()), &|t| t == s),
                    ("contains", Note::TEXT.contains(s.as_str()), &|t| {
                        t.contains(s.as_str())
                    }),
                ];
                for (op, filter, holds) in checks {
                    let got: BTreeSet<RecordId> = notes
                        .query()
                        .filter(filter)
                        .all()
                        .await
                        .unwrap_or_else(|e| panic!("{op}({s:?}) failed: {e}"))
                        .into_iter()
                        .map(|n| n.id.unwrap())
                        .collect();
                    let want: BTreeSet<RecordId> = texts
                        .iter()
                        .zip(&ids)
                        .filter(|(t, _)| holds(t))
                        .map(|(_, id)| id.clone())
                        .collect();
                    prop_assert_eq!(&got, &want, "{}({:?})", op, s);
                }

                notes.delete_many(&ids).await.unwrap();
                Ok(())
            })
        })
        .unwrap();
    rt.block_on(emu.shutdown());
}
