//! The notes example's commands against an in-process emulator: their effects on the datasheet,
//! their output, the requests they make, and their errors.

mod common;

#[path = "../examples/notes/app.rs"]
#[allow(dead_code)]
mod app;

use apitable_emulator::Emulator;
use apitable_orm::DatasheetId;
use apitable_orm::api::{Fields, RecordUpdate, WriteOptions};
use apitable_orm::prelude::*;
use clap::Parser;
use serde_json::json;

use app::{AppError, Cli, Command, Edit, Note, Notes};

const RECORDS: &str = "/fusion/v1/datasheets/{dstId}/records";
const ATTACHMENTS: &str = "/fusion/v1/datasheets/{dstId}/attachments";

async fn setup() -> (Emulator, Client, DatasheetId) {
    let (emu, client) = common::seeded_with_client(&app::emulator_seed()).await;
    (emu, client, <Note as Table>::DATASHEET.parse().unwrap())
}

/// Parses a command line the way the program does.
fn cmd(args: &[&str]) -> Command {
    let argv = std::iter::once("notes").chain(args.iter().copied());
    Cli::try_parse_from(argv)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .command
}

/// Runs a command line; returns its output or its error.
async fn run(notes: &Notes<'_>, args: &[&str]) -> Result<String, AppError> {
    let mut out = String::new();
    notes.run(cmd(args), &mut out).await.map(|()| out)
}

async fn ok(notes: &Notes<'_>, args: &[&str]) -> String {
    run(notes, args)
        .await
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The id printed by `add`: "Added note rec…: title".
fn added_id(out: &str) -> RecordId {
    let id = out
        .strip_prefix("Added note ")
        .and_then(|s| s.split(':').next())
        .unwrap_or_else(|| panic!("unexpected output {out:?}"));
    id.parse().unwrap()
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("notes-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `add` with a title, a body and a tag.
const ADD_MILK: &[&str] = &[
    "add",
    "Buy milk",
    "--body",
    "Two litres",
    "--tag",
    "shopping",
];

#[tokio::test]
async fn add_list_show_with_tags_and_an_attachment() {
    let (emu, client, dst) = setup().await;
    let notes = Notes::new(&client, dst.clone());
    assert_eq!(ok(&notes, &["list"]).await, "No notes yet.\n");

    let file = temp_file("list.txt", "milk, eggs, bread");
    let path = file.to_str().unwrap();
    emu.reset_stats().await;
    let out = ok(
        &notes,
        &[
            ADD_MILK,
            &["-t", "home", "-t", " shopping ", "--attach", path],
        ]
        .concat(),
    )
    .await;
    let stats = emu.stats().await;
    assert_eq!(stats.count("POST", ATTACHMENTS), 1, "one upload");
    assert_eq!(stats.count("POST", RECORDS), 1, "one create");
    let milk = added_id(&out);
    assert_eq!(out, format!("Added note {milk}: Buy milk\n"));
    let walk = added_id(&ok(&notes, &["add", "  Walk the dog  "]).await);

    // The record as stored.
    let stored = client
        .table_in::<Note>(dst.clone())
        .query()
        .get(&milk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title, "Buy milk");
    assert_eq!(stored.body.as_deref(), Some("Two litres"));
    assert_eq!(
        stored.tags,
        ["shopping", "home"],
        "tags are trimmed and not repeated"
    );
    assert_eq!(stored.attachments.len(), 1);
    assert_eq!(stored.attachments[0].name, "list.txt");
    assert_eq!(stored.attachments[0].size, Some(17));
    assert!(stored.created.is_some() && stored.updated.is_some());
    // The attachment's bytes are served at its URL.
    let url = stored.attachments[0].url.clone().unwrap();
    assert_eq!(
        reqwest::get(&url).await.unwrap().text().await.unwrap(),
        "milk, eggs, bread"
    );

    let list = ok(&notes, &["list"]).await;
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert_eq!(lines[0], "2 notes:");
    assert!(
        lines[1].starts_with(&format!("  {milk}  Buy milk")),
        "{list}"
    );
    assert!(
        lines[1].ends_with("UTC  [shopping, home]  (1 file)"),
        "{list}"
    );
    assert!(
        lines[2].starts_with(&format!("  {walk}  Walk the dog")),
        "{list}"
    );
    assert!(lines[2].ends_with("UTC"), "{list}");

    let shopping = ok(&notes, &["list", "--tag", "shopping"]).await;
    assert!(
        shopping.starts_with("1 note:\n") && shopping.contains(milk.as_str()),
        "{shopping}"
    );
    assert_eq!(
        ok(&notes, &["list", "--tag", "shop"]).await,
        "No notes yet.\n"
    );

    let show = ok(&notes, &["show", milk.as_str()]).await;
    assert!(
        show.starts_with(&format!("Buy milk\n  id:       {milk}\n")),
        "{show}"
    );
    assert!(show.contains("  tags:     shopping, home\n"), "{show}");
    assert!(
        show.contains(&format!("  file:     list.txt (17 bytes) {url}\n")),
        "{show}"
    );
    assert!(show.ends_with("\n  Two litres\n"), "{show}");
    emu.shutdown().await;
}

#[tokio::test]
async fn search_matches_words_in_title_or_body_ignoring_case() {
    let (emu, client, dst) = setup().await;
    let notes = Notes::new(&client, dst);
    let milk = added_id(&ok(&notes, &["add", "Buy MILK", "--body", "from the farm shop"]).await);
    let recipe = added_id(&ok(&notes, &["add", "Pancakes", "--body", "flour, eggs, milk"]).await);
    let braces = added_id(
        &ok(
            &notes,
            &[
                "add",
                "Template {name}",
                "--body",
                "say \"hi\" and 'bye' \\ done",
            ],
        )
        .await,
    );
    let _other = added_id(&ok(&notes, &["add", "Dentist", "--body", "Tuesday 10:00"]).await);

    // The ids a search lists, in order.
    let search = async |words: &[&str]| -> Vec<String> {
        let args: Vec<&str> = std::iter::once("search")
            .chain(words.iter().copied())
            .collect();
        ok(&notes, &args)
            .await
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect()
    };
    let cases: [(&[&str], Vec<&str>); 8] = [
        // Title or body, any case.
        (&["milk"], vec![milk.as_str(), recipe.as_str()]),
        (&["FARM"], vec![milk.as_str()]),
        // Every word must match (in either field).
        (&["milk", "eggs"], vec![recipe.as_str()]),
        (&["milk pancakes"], vec![recipe.as_str()]),
        // Quotes, braces and backslashes are just characters.
        (&["{name}"], vec![braces.as_str()]),
        (&["\"hi\""], vec![braces.as_str()]),
        (&["'bye'"], vec![braces.as_str()]),
        (&["\\"], vec![braces.as_str()]),
    ];
    for (words, want) in cases {
        assert_eq!(search(words).await, want, "search {words:?}");
    }
    assert_eq!(
        ok(&notes, &["search", "\")", "OR", "TRUE()"]).await,
        "No note matches.\n"
    );
    assert_eq!(
        ok(&notes, &["search", "{Title}"]).await,
        "No note matches.\n"
    );
    // One request per search.
    emu.reset_stats().await;
    ok(&notes, &["search", "milk"]).await;
    assert_eq!(emu.stats().await.count("GET", RECORDS), 1);
    // An empty query is refused before any request.
    emu.reset_stats().await;
    let err = run(&notes, &["search", "  "]).await.unwrap_err();
    assert_eq!(err.to_string(), "the search query is empty");
    assert_eq!(emu.stats().await.total, 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn edit_sends_only_the_changed_cells() {
    let (emu, client, dst) = setup().await;
    let notes = Notes::new(&client, dst.clone());
    let id = added_id(&ok(&notes, ADD_MILK).await);

    // Read the note, then let someone else change its body and tags.
    let stale = notes.load(&id).await.unwrap();
    client
        .datasheet(&dst)
        .update_records::<_, Fields>(
            &[RecordUpdate {
                record_id: id.clone(),
                fields: json!({"Body": "Three litres", "Tags": ["shopping", "urgent"]})
                    .as_object()
                    .unwrap()
                    .clone(),
            }],
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    // Editing the title from the stale copy sends the title alone: the other change survives.
    emu.reset_stats().await;
    let edit = Edit {
        title: Some("Buy oat milk".into()),
        ..Edit::default()
    };
    assert!(notes.apply_edit(&stale, &edit).await.unwrap());
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 1);
    let now = notes.load(&id).await.unwrap();
    assert_eq!(now.title, "Buy oat milk");
    assert_eq!(
        now.body.as_deref(),
        Some("Three litres"),
        "the body was not sent"
    );
    assert_eq!(now.tags, ["shopping", "urgent"], "the tags were not sent");

    // Through the command line: one read, one PATCH.
    emu.reset_stats().await;
    assert_eq!(
        ok(&notes, &["edit", id.as_str(), "--body", "Oat, not cow"]).await,
        format!("Updated note {id}.\n")
    );
    let stats = emu.stats().await;
    assert_eq!(
        (stats.count("GET", RECORDS), stats.count("PATCH", RECORDS)),
        (1, 1)
    );
    let now = notes.load(&id).await.unwrap();
    assert_eq!(
        (now.title.as_str(), now.body.as_deref()),
        ("Buy oat milk", Some("Oat, not cow"))
    );

    // Nothing that differs: no PATCH at all.
    emu.reset_stats().await;
    let out = ok(&notes, &["edit", id.as_str(), "--title", " Buy oat milk "]).await;
    assert_eq!(
        out,
        format!("Note {id} already says that; nothing to change.\n")
    );
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 0);

    // An empty body clears it; an attachment is added to the existing ones.
    let file = temp_file("label.txt", "oat");
    ok(
        &notes,
        &[
            "edit",
            id.as_str(),
            "--body",
            "",
            "--attach",
            file.to_str().unwrap(),
        ],
    )
    .await;
    let now = notes.load(&id).await.unwrap();
    assert_eq!(now.body, None);
    assert_eq!(
        now.attachments
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["label.txt"]
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn tag_and_delete() {
    let (emu, client, dst) = setup().await;
    let notes = Notes::new(&client, dst.clone());
    let id = added_id(&ok(&notes, &["add", "Buy milk", "--tag", "shopping"]).await);
    let other = added_id(&ok(&notes, &["add", "Call mum"]).await);

    assert_eq!(
        ok(&notes, &["tag", id.as_str(), "urgent", "home"]).await,
        format!("Tags of {id}: shopping, urgent, home\n")
    );
    assert_eq!(
        ok(
            &notes,
            &[
                "tag",
                id.as_str(),
                "weekly",
                "--remove",
                "shopping",
                "-r",
                "home"
            ]
        )
        .await,
        format!("Tags of {id}: urgent, weekly\n")
    );
    assert_eq!(notes.load(&id).await.unwrap().tags, ["urgent", "weekly"]);
    // Adding a tag that is already there changes nothing and sends nothing.
    emu.reset_stats().await;
    ok(&notes, &["tag", id.as_str(), "urgent"]).await;
    assert_eq!(emu.stats().await.count("PATCH", RECORDS), 0);
    // Removing every tag clears the cell.
    assert_eq!(
        ok(
            &notes,
            &["tag", id.as_str(), "-r", "urgent", "-r", "weekly"]
        )
        .await,
        format!("Tags of {id}: none\n")
    );
    assert!(notes.load(&id).await.unwrap().tags.is_empty());

    assert_eq!(
        ok(&notes, &["delete", id.as_str()]).await,
        format!("Deleted note {id}: Buy milk\n")
    );
    let list = ok(&notes, &["list"]).await;
    assert!(
        list.starts_with("1 note:\n")
            && list.contains(other.as_str())
            && !list.contains(id.as_str()),
        "{list}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn errors_name_the_problem_and_send_nothing_wrong() {
    let (emu, client, dst) = setup().await;
    let notes = Notes::new(&client, dst.clone());
    let id = added_id(&ok(&notes, &["add", "Buy milk"]).await);
    let missing = "recNoSuchNote0001";

    for args in [
        vec!["show", missing],
        vec!["edit", missing, "--title", "x"],
        vec!["tag", missing, "x"],
        vec!["delete", missing],
    ] {
        emu.reset_stats().await;
        let err = run(&notes, &args).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)), "{args:?}: {err:?}");
        assert_eq!(
            err.to_string(),
            format!("there is no note with id {missing}")
        );
        let stats = emu.stats().await;
        assert_eq!(stats.total, 1, "{args:?}: only the lookup was sent");
    }

    emu.reset_stats().await;
    let cases: [(&[&str], &str); 5] = [
        (&["add", "   "], "a note needs a non-empty title"),
        (
            &["edit", id.as_str()],
            "nothing to edit: give --title, --body or --attach",
        ),
        (
            &["edit", id.as_str(), "--title", ""],
            "a note needs a non-empty title",
        ),
        (
            &["tag", id.as_str()],
            "give tags to add, or --remove TAG to remove one",
        ),
        (
            &["add", "x", "--attach", "/no/such/file.txt"],
            "cannot attach /no/such/file.txt: not a readable file",
        ),
    ];
    for (args, message) in cases {
        let err = run(&notes, args).await.unwrap_err();
        assert_eq!(err.to_string(), message, "{args:?}");
    }
    let stats = emu.stats().await;
    assert_eq!(
        stats.count("POST", RECORDS)
            + stats.count("PATCH", RECORDS)
            + stats.count("POST", ATTACHMENTS),
        0
    );
    assert_eq!(
        ok(&notes, &["list"]).await.lines().count(),
        2,
        "still one note"
    );

    // Bad command lines are refused by the parser, with a message naming the argument.
    let argv =
        |args: &[&str]| Cli::try_parse_from(std::iter::once("notes").chain(args.iter().copied()));
    let err = argv(&["show", "not-an-id"]).unwrap_err().to_string();
    assert!(
        err.contains("not-an-id") && err.contains("invalid record id"),
        "{err}"
    );
    assert!(argv(&["search"]).is_err());
    assert!(argv(&["frobnicate"]).is_err());
    assert_eq!(
        argv(&["list"]).unwrap().db,
        std::path::Path::new("target/notes-demo.db")
    );
    assert_eq!(
        argv(&["list", "--db", "/tmp/x.db"]).unwrap().db,
        std::path::Path::new("/tmp/x.db")
    );
    emu.shutdown().await;
}

/// Two runs of the program share the data through the database file, as `cargo run --example
/// notes -- add …` followed by `… list` do; a database without the Notes datasheet is refused.
#[tokio::test]
async fn data_survives_a_restart_through_the_database_file() {
    let dir = std::env::temp_dir().join(format!("notes-db-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("sub").join("notes.db");
    let dst: DatasheetId = <Note as Table>::DATASHEET.parse().unwrap();

    let (emu, client) = app::open_emulator(&db).await.unwrap();
    let notes = Notes::new(&client, dst.clone());
    let id = added_id(&ok(&notes, &["add", "Buy milk", "--tag", "shopping"]).await);
    emu.shutdown().await;

    let (emu, client) = app::open_emulator(&db).await.unwrap();
    let list = ok(&Notes::new(&client, dst.clone()), &["list"]).await;
    assert!(
        list.starts_with("1 note:\n")
            && list.contains(&format!("{id}  Buy milk"))
            && list.contains("[shopping]"),
        "{list}"
    );
    emu.shutdown().await;

    // A database made by something else.
    let other = dir.join("other.db");
    let emu = Emulator::builder().database(&other).start().await.unwrap();
    emu.shutdown().await;
    let err = app::open_emulator(&other).await.unwrap_err();
    assert!(
        err.ends_with(
            "other.db holds no Notes datasheet (another program made it): choose another --db"
        ),
        "{err}"
    );
    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, "not a database").unwrap();
    let err = app::open_emulator(&garbage).await.unwrap_err();
    assert!(err.starts_with("cannot open the notes database"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn times_are_formatted_in_utc() {
    assert_eq!(
        app::format_time(Timestamp::from_millis(0)),
        "1970-01-01 00:00 UTC"
    );
    assert_eq!(
        app::format_time(Timestamp::from_millis(1_704_067_200_000)),
        "2024-01-01 00:00 UTC"
    );
    assert_eq!(
        app::format_time(Timestamp::from_millis(1_709_210_096_000)),
        "2024-02-29 12:34 UTC"
    );
    assert_eq!(
        app::format_time(Timestamp::from_millis(-1)),
        "1969-12-31 23:59 UTC"
    );
}
