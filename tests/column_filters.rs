//! Every column type × every filter operator it allows, against the in-process emulator over
//! loopback HTTP. Each family has its own emulator and a table of `(label, filter, expected
//! rows)` cases; the expected rows are computed in Rust from the rows that were written (and,
//! for computed columns, from what their formula or lookup means), never from the server.

mod common;

use std::collections::{BTreeSet, HashMap};

use apitable_emulator::Emulator;
use apitable_orm::api::Upload;
use apitable_orm::prelude::*;
use apitable_orm::value::{Attachment, Computed, Link, Lookup, Member, MemberType, Url, User};
use apitable_orm::{DatasheetId, Sheet};
use serde_json::json;

const DAY: i64 = 86_400_000;
/// The user the emulator's token belongs to: the creator of every record.
const OWNER: &str = "Emulator Owner";

/// `cases!(c; label, filter, |written_row| expected; …)`: one [`Cases::case`] per line.
macro_rules! cases {
    ($c:ident; $($label:expr, $filter:expr, $want:expr;)*) => {
        $($c.case(&$label, $filter, $want);)*
    };
}

/// `table! { Name = "dst…" { fields } }`: a table over that datasheet, fields named in
/// PascalCase, with a record id. `table! { Written, Read = "dst…" { fields } + { more } }`: the
/// table that is written (the fields) and the one that is read and filtered (the same fields and
/// the computed ones after `+`), over one datasheet.
macro_rules! table {
    ($(#[$doc:meta])* $name:ident = $dst:tt { $($(#[$m:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Table)]
        #[apitable(datasheet = $dst, rename_all = "PascalCase")]
        struct $name {
            #[apitable(record_id)]
            id: Option<RecordId>,
            $($(#[$m])* $field: $ty,)*
        }
    };
    ($written:ident, $read:ident = $dst:tt { $($(#[$m:meta])* $field:ident: $ty:ty,)* }
     + { $($(#[$more_m:meta])* $more:ident: $more_ty:ty,)* }) => {
        table! {
            /// What is written.
            $written = $dst { $($(#[$m])* $field: $ty,)* }
        }
        table! {
            /// What is read and filtered: the same fields and the computed ones.
            $read = $dst { $($(#[$m])* $field: $ty,)* $($(#[$more_m])* $more: $more_ty,)* }
        }
    };
}

/// The name that identifies a row in expected and actual result sets.
trait Named {
    fn name(&self) -> &str;
}

macro_rules! named {
    ($($ty:ty => $field:ident),* $(,)?) => {$(
        impl Named for $ty {
            fn name(&self) -> &str {
                &self.$field
            }
        }
    )*};
}

/// A table of filter cases over table `T`, with expectations computed from the written rows `R`.
struct Cases<'r, R, T> {
    rows: &'r [R],
    list: Vec<(String, Filter<T>, BTreeSet<String>)>,
}

impl<'r, R: Named, T: Table + Named> Cases<'r, R, T> {
    fn new(rows: &'r [R]) -> Self {
        Cases {
            rows,
            list: Vec::new(),
        }
    }

    /// A case: `filter` must return exactly the written rows for which `want` holds.
    fn case(&mut self, label: &str, filter: Filter<T>, want: impl Fn(&R) -> bool) {
        let want = self
            .rows
            .iter()
            .filter(|r| want(r))
            .map(|r| r.name().to_owned())
            .collect();
        self.list.push((label.to_owned(), filter, want));
    }

    /// Runs every case (one query each); fails listing every case that did not match.
    async fn run(self, family: &str, sheet: &Sheet<T>) {
        let (mut failures, mut sharp) = (Vec::new(), 0);
        for (label, filter, want) in &self.list {
            let got: BTreeSet<String> = match sheet.query().filter(filter.clone()).all().await {
                Ok(rows) => rows.iter().map(|r| r.name().to_owned()).collect(),
                Err(e) => {
                    failures.push(format!("{label}: {e}"));
                    continue;
                }
            };
            sharp += usize::from(!want.is_empty() && want.len() < self.rows.len());
            if got != *want {
                let formula = format!("{filter:?}");
                failures.push(format!(
                    "{label}: got {got:?}, want {want:?}\n    {formula}"
                ));
            }
        }
        let n = self.list.len();
        assert!(
            failures.is_empty(),
            "{} of {n} cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        println!("{family}: {n} cases, {sharp} of them selecting some rows but not all");
    }
}

async fn start(seed: serde_json::Value) -> (Emulator, Client) {
    common::seeded_with_client(&seed.to_string()).await
}

// ---------------------------------------------------------------------------------------------
// Scalars, orderings and text: numbers, text, checkbox, select, URL, CreatedBy, formulas.

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Size {
    Small,
    Medium,
    Large,
}

table! {
    ItemIn, Item = "dstColFilterItem01" {
        name: String,
        note: String,
        price: f64,
        qty: u32,
        delta: Option<i64>,
        done: bool,
        size: Option<Size>,
        site: Option<Url>,
    } + {
        /// `{Price} * 2`
        double: Computed<f64>,
        /// `CONCATENATE({Name}, "/", {Note})`
        label: Computed<String>,
        creator: User,
    }
}

named!(ItemIn => name, Item => name, EventIn => name, Event => name, Bag => name,
       BookIn => title, Book => title);

fn item_seed() -> serde_json::Value {
    json!({"datasheets": [{
        "type": "Datasheet", "name": "Items", "id": <Item as Table>::DATASHEET,
        "fields": [
            {"name": "Name", "type": "SingleText", "property": {}},
            {"name": "Note", "type": "Text"},
            {"name": "Price", "type": "Number", "property": {"precision": 2}},
            {"name": "Qty", "type": "Number", "property": {"precision": 0}},
            {"name": "Delta", "type": "Number", "property": {"precision": 0}},
            {"name": "Done", "type": "Checkbox", "property": {"icon": "white_check_mark"}},
            {"name": "Size", "type": "SingleSelect", "property": {"options": [
                {"name": "Small"}, {"name": "Medium"}, {"name": "Large"}]}},
            {"name": "Site", "type": "URL"},
            {"name": "Double", "type": "Formula", "property": {"expression": "{Price} * 2"}},
            {"name": "Label", "type": "Formula",
             "property": {"expression": "CONCATENATE({Name}, \"/\", {Note})"}},
            {"name": "Creator", "type": "CreatedBy"}
        ]
    }]})
}

#[tokio::test]
async fn scalar_ordered_and_text_columns() {
    let (_emu, client) = start(item_seed()).await;
    const APPLE_URL: &str = "https://shop.example.com/apple";
    const CHERRY_URL: &str = "http://example.org/Cherry";
    const DATE_URL: &str = "https://shop.example.com/date";
    use Size::*;
    #[rustfmt::skip]
    let rows: Vec<ItemIn> = [
        ("apple", "Fresh Apple pie", 1.5, 3, Some(-2), true, Some(Small), Some(APPLE_URL)),
        ("banana", "", 2.25, 12, None, false, Some(Medium), None),
        ("cherry", "cherry on top", 10.0, 0, Some(0), true, None, Some(CHERRY_URL)),
        ("date", "APPLE? no", 7.75, 7, Some(15), false, Some(Large), Some(DATE_URL)),
        ("elder", "", 10.0, 100, Some(-20), false, Some(Small), None),
    ]
    .into_iter()
    .map(|(name, note, price, qty, delta, done, size, site)| ItemIn {
        id: None, name: name.into(), note: note.into(), price, qty, delta, done, size,
        site: site.map(Url::new),
    })
    .collect();
    client.table::<ItemIn>().insert_many(&rows).await.unwrap();

    let site = |r: &ItemIn| r.site.as_ref().map(|u| u.text.clone()).unwrap_or_default();
    let lower = |s: &str| s.to_lowercase();
    let label = |r: &ItemIn| format!("{}/{}", r.name, r.note);
    let double = |r: &ItemIn| r.price * 2.0;
    let mut c = Cases::<ItemIn, Item>::new(&rows);
    cases! { c;
        // String (Text): an empty cell reads as "".
        "note eq", Item::NOTE.eq("cherry on top"), |r| r.note == "cherry on top";
        "note eq \"\" means empty", Item::NOTE.eq(""), |r| r.note.is_empty();
        "note ne includes empty", Item::NOTE.ne("cherry on top"), |r| r.note != "cherry on top";
        "note ne \"\"", Item::NOTE.ne(""), |r| !r.note.is_empty();
        "note is_in", Item::NOTE.is_in(["cherry on top", "APPLE? no", "zzz"]),
            |r| ["cherry on top", "APPLE? no"].contains(&r.note.as_str());
        "note is_in nothing", Item::NOTE.is_in(Vec::<String>::new()), |_| false;
        "note not is_in nothing", Item::NOTE.is_in(Vec::<String>::new()).not(), |_| true;
        "note is_empty", Item::NOTE.is_empty(), |r| r.note.is_empty();
        "note is_not_empty", Item::NOTE.is_not_empty(), |r| !r.note.is_empty();
        "note contains", Item::NOTE.contains("pple"), |r| r.note.contains("pple");
        "note contains_ignore_case", Item::NOTE.contains_ignore_case("aPPle"),
            |r| lower(&r.note).contains("apple");
        "note starts_with", Item::NOTE.starts_with("cherry"), |r| r.note.starts_with("cherry");
        "note starts_with is case-sensitive", Item::NOTE.starts_with("fresh"),
            |r| r.note.starts_with("fresh");
        "note starts_with_ignore_case", Item::NOTE.starts_with_ignore_case("fresh"),
            |r| lower(&r.note).starts_with("fresh");
        "note ends_with", Item::NOTE.ends_with("pie"), |r| r.note.ends_with("pie");
        "note ends_with is case-sensitive", Item::NOTE.ends_with("NO"), |r| r.note.ends_with("NO");
        "note ends_with_ignore_case", Item::NOTE.ends_with_ignore_case("NO"),
            |r| lower(&r.note).ends_with("no");
        "name is_in", Item::NAME.is_in(["apple", "elder", "fig"]),
            |r| r.name == "apple" || r.name == "elder";

        // f64.
        "price eq", Item::PRICE.eq(10), |r| r.price == 10.0;
        "price ne", Item::PRICE.ne(10.0), |r| r.price != 10.0;
        "price is_in", Item::PRICE.is_in([1.5, 7.75]), |r| [1.5, 7.75].contains(&r.price);
        "price gt", Item::PRICE.gt(7.75), |r| r.price > 7.75;
        "price ge", Item::PRICE.ge(7.75), |r| r.price >= 7.75;
        "price lt", Item::PRICE.lt(2.25), |r| r.price < 2.25;
        "price le", Item::PRICE.le(2.25), |r| r.price <= 2.25;
        "price between", Item::PRICE.between(2, 8), |r| (2.0..=8.0).contains(&r.price);
        "price is_empty", Item::PRICE.is_empty(), |_| false;

        // u32, with a 0 that is a value, not an empty cell.
        "qty eq 0", Item::QTY.eq(0), |r| r.qty == 0;
        "qty ne 0", Item::QTY.ne(0u32), |r| r.qty != 0;
        "qty is_in", Item::QTY.is_in([0, 7]), |r| r.qty == 0 || r.qty == 7;
        "qty lt includes 0", Item::QTY.lt(5), |r| r.qty < 5;
        "qty le", Item::QTY.le(0), |r| r.qty == 0;
        "qty gt", Item::QTY.gt(7), |r| r.qty > 7;
        "qty ge", Item::QTY.ge(12), |r| r.qty >= 12;
        "qty between from 0", Item::QTY.between(0, 7), |r| r.qty <= 7;
        "qty is_not_empty includes 0", Item::QTY.is_not_empty(), |_| true;

        // Option<i64>: negatives, a 0 and an empty cell.
        "delta eq 0 excludes empty", Item::DELTA.eq(0), |r| r.delta == Some(0);
        "delta ne 0 includes empty", Item::DELTA.ne(0), |r| r.delta != Some(0);
        "delta is_in", Item::DELTA.is_in([-20i64, 15]), |r| matches!(r.delta, Some(-20 | 15));
        "delta lt 0", Item::DELTA.lt(0), |r| r.delta.is_some_and(|d| d < 0);
        "delta le 0 excludes empty", Item::DELTA.le(0), |r| r.delta.is_some_and(|d| d <= 0);
        "delta ge -5 excludes empty", Item::DELTA.ge(-5), |r| r.delta.is_some_and(|d| d >= -5);
        "delta gt -100 excludes empty", Item::DELTA.gt(-100), |r| r.delta.is_some();
        "delta between", Item::DELTA.between(-5, 5),
            |r| r.delta.is_some_and(|d| (-5..=5).contains(&d));
        "delta is_empty", Item::DELTA.is_empty(), |r| r.delta.is_none();
        "delta is_not_empty includes 0", Item::DELTA.is_not_empty(), |r| r.delta.is_some();

        // bool: an unchecked box is an empty cell.
        "done eq true", Item::DONE.eq(true), |r| r.done;
        "done eq false", Item::DONE.eq(false), |r| !r.done;
        "done ne true", Item::DONE.ne(true), |r| !r.done;
        "done ne false", Item::DONE.ne(false), |r| r.done;
        "done is_in", Item::DONE.is_in([true]), |r| r.done;
        "done is_empty", Item::DONE.is_empty(), |r| !r.done;
        "done is_not_empty", Item::DONE.is_not_empty(), |r| r.done;

        // Option<select enum>.
        "size eq", Item::SIZE.eq(Small), |r| r.size == Some(Small);
        "size ne includes empty", Item::SIZE.ne(Small), |r| r.size != Some(Small);
        "size is_in", Item::SIZE.is_in([Medium, Large]), |r| matches!(r.size, Some(Medium | Large));
        "size is_empty", Item::SIZE.is_empty(), |r| r.size.is_none();
        "size is_not_empty", Item::SIZE.is_not_empty(), |r| r.size.is_some();

        // Option<Url>, by its text.
        "site eq", Item::SITE.eq(DATE_URL), |r| site(r) == DATE_URL;
        "site ne includes empty", Item::SITE.ne(DATE_URL), |r| site(r) != DATE_URL;
        "site is_in", Item::SITE.is_in([DATE_URL, CHERRY_URL]),
            |r| site(r) == DATE_URL || site(r) == CHERRY_URL;
        "site is_empty", Item::SITE.is_empty(), |r| r.site.is_none();
        "site is_not_empty", Item::SITE.is_not_empty(), |r| r.site.is_some();
        "site contains", Item::SITE.contains("shop."), |r| site(r).contains("shop.");
        "site contains is case-sensitive", Item::SITE.contains("cherry"),
            |r| site(r).contains("cherry");
        "site contains_ignore_case", Item::SITE.contains_ignore_case("cherry"),
            |r| lower(&site(r)).contains("cherry");
        "site starts_with", Item::SITE.starts_with("https://"), |r| site(r).starts_with("https://");
        "site starts_with_ignore_case", Item::SITE.starts_with_ignore_case("HTTP://"),
            |r| lower(&site(r)).starts_with("http://");
        "site ends_with", Item::SITE.ends_with("/apple"), |r| site(r).ends_with("/apple");
        "site ends_with_ignore_case", Item::SITE.ends_with_ignore_case("/CHERRY"),
            |r| lower(&site(r)).ends_with("/cherry");

        // Computed<f64>: {Price} * 2.
        "double eq", Item::DOUBLE.eq(20), |r| double(r) == 20.0;
        "double ne", Item::DOUBLE.ne(20), |r| double(r) != 20.0;
        "double is_in", Item::DOUBLE.is_in([3.0, 15.5]), |r| [3.0, 15.5].contains(&double(r));
        "double gt", Item::DOUBLE.gt(10), |r| double(r) > 10.0;
        "double ge", Item::DOUBLE.ge(15.5), |r| double(r) >= 15.5;
        "double lt", Item::DOUBLE.lt(4.5), |r| double(r) < 4.5;
        "double le", Item::DOUBLE.le(4.5), |r| double(r) <= 4.5;
        "double between", Item::DOUBLE.between(4, 16), |r| (4.0..=16.0).contains(&double(r));
        "double is_empty", Item::DOUBLE.is_empty(), |_| false;

        // Computed<String>: CONCATENATE({Name}, "/", {Note}).
        "label eq", Item::LABEL.eq("banana/"), |r| label(r) == "banana/";
        "label ne", Item::LABEL.ne("banana/"), |r| label(r) != "banana/";
        "label is_in", Item::LABEL.is_in(["banana/", "elder/"]), |r| r.note.is_empty();
        "label contains", Item::LABEL.contains("/cherry"), |r| label(r).contains("/cherry");
        "label contains_ignore_case", Item::LABEL.contains_ignore_case("APPLE"),
            |r| lower(&label(r)).contains("apple");
        "label starts_with", Item::LABEL.starts_with("e"), |r| label(r).starts_with('e');
        "label starts_with_ignore_case", Item::LABEL.starts_with_ignore_case("D"),
            |r| lower(&label(r)).starts_with('d');
        "label ends_with", Item::LABEL.ends_with("/"), |r| label(r).ends_with('/');
        "label ends_with_ignore_case", Item::LABEL.ends_with_ignore_case("PIE"),
            |r| lower(&label(r)).ends_with("pie");
        "label is_not_empty", Item::LABEL.is_not_empty(), |_| true;

        // User (CreatedBy): every record is the owner's, so each case has its complement.
        "creator eq", Item::CREATOR.eq(OWNER), |_| true;
        "creator ne", Item::CREATOR.ne(OWNER), |_| false;
        "creator is_in", Item::CREATOR.is_in(["Nobody", OWNER]), |_| true;
        "creator is_in others", Item::CREATOR.is_in(["Nobody", "Owner"]), |_| false;
        "creator contains", Item::CREATOR.contains("Owner"), |_| true;
        "creator contains is case-sensitive", Item::CREATOR.contains("owner"), |_| false;
        "creator contains_ignore_case", Item::CREATOR.contains_ignore_case("owner"), |_| true;
        "creator starts_with", Item::CREATOR.starts_with("Owner"), |_| false;
        "creator starts_with_ignore_case", Item::CREATOR.starts_with_ignore_case("emu"), |_| true;
        "creator ends_with", Item::CREATOR.ends_with("Owner"), |_| true;
        "creator ends_with_ignore_case", Item::CREATOR.ends_with_ignore_case("EMULATOR"), |_| false;
        "creator is_empty", Item::CREATOR.is_empty(), |_| false;
        "creator is_not_empty", Item::CREATOR.is_not_empty(), |_| true;

        // Combinators.
        "and", Item::PRICE.gt(2).and(Item::DONE.eq(true)), |r| r.price > 2.0 && r.done;
        "or", Item::SIZE.eq(Large).or(Item::NOTE.is_empty()),
            |r| r.size == Some(Large) || r.note.is_empty();
        "not", Item::PRICE.between(2, 8).not(), |r| !(2.0..=8.0).contains(&r.price);
        "not of an ordering includes empty", Item::DELTA.gt(0).not(),
            |r| r.delta.is_none_or(|d| d <= 0);
        "nested",
            Item::NOTE.contains_ignore_case("apple").and(Item::DONE.eq(false)).or(Item::QTY.eq(0)),
            |r| (lower(&r.note).contains("apple") && !r.done) || r.qty == 0;
    }
    c.run("scalar, ordered and text columns", &client.table::<Item>())
        .await;
}

// ---------------------------------------------------------------------------------------------
// Dates: DateTime, a date formula and CreatedTime.

table! {
    EventIn, Event = "dstColFilterDate01" {
        name: String,
        at: Option<Timestamp>,
    } + {
        /// `DATEADD({At}, 1, "days")`
        next_day: Option<Computed<Timestamp>>,
        #[apitable(read_only)]
        created: Timestamp,
    }
}

#[tokio::test]
async fn date_columns() {
    // Relative ranges are computed from UTC midnight; start well clear of the next one.
    let mut now = Timestamp::now().as_millis();
    let to_midnight = DAY - now.rem_euclid(DAY);
    if to_midnight < 120_000 {
        std::thread::sleep(std::time::Duration::from_millis(to_midnight as u64 + 1_000));
        now = Timestamp::now().as_millis();
    }
    let today = now - now.rem_euclid(DAY);
    let earlier = today + (now - today) / 2; // earlier today
    let later = now + (today + DAY - now) / 2; // later today, a minute or more from now

    let time = json!({"dateFormat": "YYYY-MM-DD", "includeTime": true});
    let seed = json!({"datasheets": [{
        "type": "Datasheet", "name": "Events", "id": <Event as Table>::DATASHEET,
        "fields": [
            {"name": "Name", "type": "SingleText", "property": {}},
            {"name": "At", "type": "DateTime", "property": time},
            {"name": "NextDay", "type": "Formula",
             "property": {"expression": "DATEADD({At}, 1, \"days\")"}},
            {"name": "Created", "type": "CreatedTime", "property": time}
        ]
    }]});
    let (_emu, client) = start(seed).await;
    let row = |name: &str, at: Option<i64>| EventIn {
        id: None,
        name: name.into(),
        at: at.map(Timestamp::from_millis),
    };
    let rows = [
        row("past10", Some(now - 10 * DAY)),
        row("past3", Some(now - 3 * DAY)),
        row("yesterday", Some(earlier - DAY)),
        row("earlier", Some(earlier)),
        row("later", Some(later)),
        row("ahead2", Some(now + 2 * DAY)),
        row("ahead10", Some(now + 10 * DAY)),
        row("never", None),
    ];
    let before = Timestamp::now();
    client.table::<EventIn>().insert_many(&rows).await.unwrap();

    // The documented ranges, in UTC, of a cell holding `t` (an empty cell is in none).
    let is_today = move |t: Option<i64>| t.is_some_and(|t| (today..today + DAY).contains(&t));
    let last = move |days: i64, t: Option<i64>| {
        t.is_some_and(|t| t >= today - (days - 1) * DAY && t <= now)
    };
    let next =
        move |days: i64, t: Option<i64>| t.is_some_and(|t| t >= now && t < today + days * DAY);
    let at = |r: &EventIn| r.at.map(Timestamp::as_millis);
    let next_day = |r: &EventIn| r.at.map(|t| t.as_millis() + DAY);
    let ts = Timestamp::from_millis;
    let (past3, past10, ahead10) = (now - 3 * DAY, now - 10 * DAY, now + 10 * DAY);
    let mut c = Cases::<EventIn, Event>::new(&rows);
    cases! { c;
        // Option<Timestamp> (DateTime).
        "at is_today", Event::AT.is_today(), |r| is_today(at(r));
        "at within_last_days(1)", Event::AT.within_last_days(1), |r| last(1, at(r));
        "at within_last_days(3)", Event::AT.within_last_days(3), |r| last(3, at(r));
        "at within_last_days(4)", Event::AT.within_last_days(4), |r| last(4, at(r));
        "at within_last_days(7)", Event::AT.within_last_days(7), |r| last(7, at(r));
        "at within_last_days(30)", Event::AT.within_last_days(30), |r| last(30, at(r));
        "at within_next_days(1)", Event::AT.within_next_days(1), |r| next(1, at(r));
        "at within_next_days(2)", Event::AT.within_next_days(2), |r| next(2, at(r));
        "at within_next_days(3)", Event::AT.within_next_days(3), |r| next(3, at(r));
        "at within_next_days(30)", Event::AT.within_next_days(30), |r| next(30, at(r));
        "at eq", Event::AT.eq(ts(past3)), |r| at(r) == Some(past3);
        "at ne includes empty", Event::AT.ne(ts(past3)), |r| at(r) != Some(past3);
        "at is_in", Event::AT.is_in([ts(past10), ts(ahead10)]),
            |r| at(r) == Some(past10) || at(r) == Some(ahead10);
        "at gt", Event::AT.gt(ts(now)), |r| at(r).is_some_and(|t| t > now);
        "at ge", Event::AT.ge(ts(later)), |r| at(r).is_some_and(|t| t >= later);
        "at lt excludes empty", Event::AT.lt(ts(today)), |r| at(r).is_some_and(|t| t < today);
        "at le", Event::AT.le(ts(earlier)), |r| at(r).is_some_and(|t| t <= earlier);
        "at between", Event::AT.between(ts(now - 5 * DAY), ts(now + 5 * DAY)),
            |r| at(r).is_some_and(|t| (now - 5 * DAY..=now + 5 * DAY).contains(&t));
        "at is_empty", Event::AT.is_empty(), |r| r.at.is_none();
        "at is_not_empty", Event::AT.is_not_empty(), |r| r.at.is_some();

        // Option<Computed<Timestamp>>: a day after At.
        "next_day is_today", Event::NEXT_DAY.is_today(), |r| is_today(next_day(r));
        "next_day within_last_days(3)", Event::NEXT_DAY.within_last_days(3),
            |r| last(3, next_day(r));
        "next_day within_next_days(2)", Event::NEXT_DAY.within_next_days(2),
            |r| next(2, next_day(r));
        "next_day eq", Event::NEXT_DAY.eq(ts(past10 + DAY)), |r| next_day(r) == Some(past10 + DAY);
        "next_day ne", Event::NEXT_DAY.ne(ts(past10 + DAY)), |r| next_day(r) != Some(past10 + DAY);
        "next_day is_in", Event::NEXT_DAY.is_in([ts(past3 + DAY)]), |r| at(r) == Some(past3);
        "next_day gt", Event::NEXT_DAY.gt(ts(now)), |r| next_day(r).is_some_and(|t| t > now);
        "next_day le", Event::NEXT_DAY.le(ts(today)), |r| next_day(r).is_some_and(|t| t <= today);
        "next_day between", Event::NEXT_DAY.between(ts(today), ts(today + 2 * DAY)),
            |r| next_day(r).is_some_and(|t| (today..=today + 2 * DAY).contains(&t));
        "next_day is_empty", Event::NEXT_DAY.is_empty(), |r| r.at.is_none();

        // Timestamp (CreatedTime): every record was created just now, after `before`.
        "created is_today", Event::CREATED.is_today(), |_| true;
        "created within_last_days(1)", Event::CREATED.within_last_days(1), |_| true;
        "created ge", Event::CREATED.ge(before), |_| true;
        "created lt", Event::CREATED.lt(before), |_| false;
        "created and at", Event::CREATED.is_today().and(Event::AT.is_today()),
            |r| is_today(at(r));
    }
    c.run("date columns", &client.table::<Event>()).await;
}

// ---------------------------------------------------------------------------------------------
// Multi-value cells: multi-selects, members, and attachments (emptiness only).

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Tag {
    Red,
    Green,
    Blue,
}

table! {
    Bag = "dstColFilterBags01" {
        name: String,
        words: Vec<String>,
        tags: Vec<Tag>,
        people: Vec<Member>,
        files: Vec<Attachment>,
    }
}

#[tokio::test]
async fn multi_value_columns() {
    let seed = json!({
        "spaces": [{"name": "Shop", "members": [
            {"name": "Ana", "type": "Member"}, {"name": "Bo", "type": "Member"}
        ], "teams": [{"name": "Bakers"}]}],
        "datasheets": [{
            "type": "Datasheet", "name": "Bags", "id": <Bag as Table>::DATASHEET,
            "fields": [
                {"name": "Name", "type": "SingleText", "property": {}},
                {"name": "Words", "type": "MultiSelect", "property": {"options": []}},
                {"name": "Tags", "type": "MultiSelect", "property": {"options": [
                    {"name": "Red"}, {"name": "Green"}, {"name": "Blue"}]}},
                {"name": "People", "type": "Member", "property": {"isMulti": true}},
                {"name": "Files", "type": "Attachment"}
            ]
        }]
    });
    let (_emu, client) = start(seed).await;
    let dst: DatasheetId = <Bag as Table>::DATASHEET.parse().unwrap();
    let mut files = Vec::new();
    for name in ["a.txt", "b.txt", "c.txt"] {
        let upload = Upload::from_bytes(name, name.as_bytes().to_vec()).mime("text/plain");
        let up = client
            .datasheet(&dst)
            .upload_attachment(upload)
            .await
            .unwrap();
        files.push(Attachment::new(up.token, name));
    }
    let (ana, bo) = (
        Member::by_name("Ana", MemberType::Member),
        Member::by_name("Bo", MemberType::Member),
    );
    let bakers = Member::by_name("Bakers", MemberType::Team);
    let row =
        |name: &str, words: &[&str], tags: &[Tag], people: &[&Member], files: &[Attachment]| Bag {
            id: None,
            name: name.into(),
            words: words.iter().map(|w| w.to_string()).collect(),
            tags: tags.to_vec(),
            people: people.iter().map(|m| (*m).clone()).collect(),
            files: files.to_vec(),
        };
    use Tag::*;
    let rows = [
        row("one", &["alpha", "beta"], &[Red], &[&ana], &files[..1]),
        row("two", &["beta"], &[Red, Green], &[&ana, &bo], &[]),
        row("three", &[], &[Blue], &[&bakers], &files[1..]),
        row("four", &["gamma", "alpha beta"], &[], &[], &[]),
        row("five", &["Alpha"], &[Green, Blue], &[&bo], &[]),
    ];
    client.table::<Bag>().insert_many(&rows).await.unwrap();

    let word = |r: &Bag, w: &str| r.words.iter().any(|x| x == w);
    let tag = |r: &Bag, t: Tag| r.tags.contains(&t);
    let has = |r: &Bag, n: &str| r.people.iter().any(|m| m.name.as_deref() == Some(n));
    let mut c = Cases::<Bag, Bag>::new(&rows);
    cases! { c;
        // Vec<String> (MultiSelect): whole, case-sensitive options.
        "words has", Bag::WORDS.has("alpha"), |r| word(r, "alpha");
        "words has is exact", Bag::WORDS.has("alpha beta"), |r| word(r, "alpha beta");
        "words has_any", Bag::WORDS.has_any(["beta", "gamma"]),
            |r| word(r, "beta") || word(r, "gamma");
        "words has_all", Bag::WORDS.has_all(["alpha", "beta"]),
            |r| word(r, "alpha") && word(r, "beta");
        "words has_none includes empty", Bag::WORDS.has_none(["beta"]), |r| !word(r, "beta");
        "words is_empty", Bag::WORDS.is_empty(), |r| r.words.is_empty();
        "words is_not_empty", Bag::WORDS.is_not_empty(), |r| !r.words.is_empty();

        // Vec<enum> (MultiSelect).
        "tags has", Bag::TAGS.has(Red), |r| tag(r, Red);
        "tags has_any", Bag::TAGS.has_any([Green, Blue]), |r| tag(r, Green) || tag(r, Blue);
        "tags has_all", Bag::TAGS.has_all([Green, Blue]), |r| tag(r, Green) && tag(r, Blue);
        "tags has_none", Bag::TAGS.has_none([Red, Blue]), |r| !tag(r, Red) && !tag(r, Blue);
        "tags has_all of nothing", Bag::TAGS.has_all(Vec::<Tag>::new()), |_| true;
        "tags has_any of nothing", Bag::TAGS.has_any(Vec::<Tag>::new()), |_| false;
        "tags is_empty", Bag::TAGS.is_empty(), |r| r.tags.is_empty();
        "tags is_not_empty", Bag::TAGS.is_not_empty(), |r| !r.tags.is_empty();

        // Vec<Member>, by the member's or the team's name.
        "people has", Bag::PEOPLE.has("Ana"), |r| has(r, "Ana");
        "people has a team", Bag::PEOPLE.has("Bakers"), |r| has(r, "Bakers");
        "people has_any", Bag::PEOPLE.has_any(["Bo", "Bakers"]),
            |r| has(r, "Bo") || has(r, "Bakers");
        "people has_all", Bag::PEOPLE.has_all(["Ana", "Bo"]), |r| has(r, "Ana") && has(r, "Bo");
        "people has_none", Bag::PEOPLE.has_none(["Ana"]), |r| !has(r, "Ana");
        "people is_empty", Bag::PEOPLE.is_empty(), |r| r.people.is_empty();
        "people is_not_empty", Bag::PEOPLE.is_not_empty(), |r| !r.people.is_empty();

        // Vec<Attachment>.
        "files is_empty", Bag::FILES.is_empty(), |r| r.files.is_empty();
        "files is_not_empty", Bag::FILES.is_not_empty(), |r| !r.files.is_empty();
        "files and not tags", Bag::FILES.is_empty().and(Bag::TAGS.has(Red).not()),
            |r| r.files.is_empty() && !tag(r, Red);
    }
    c.run("multi-value columns", &client.table::<Bag>()).await;
}

// ---------------------------------------------------------------------------------------------
// Links and lookups.

table! {
    Author = "dstColFilterAuth01" {
        name: String,
        age: Option<f64>,
    }
}

table! {
    BookIn, Book = "dstColFilterBook01" {
        title: String,
        /// Two-way, any number of authors.
        authors: Vec<Link<Author>>,
        /// Two-way, limited to one record.
        lead: Option<Link<Author>>,
        /// One-way, limited to one record.
        editor: Option<Link<Author>>,
    } + {
        author_names: Lookup<String>,
        author_ages: Lookup<f64>,
    }
}

table! {
    /// The Books datasheet with its text column mapped as if it were a link.
    Misread = "dstColFilterBook01" {
        title: Vec<Link<Author>>,
    }
}

#[tokio::test]
async fn link_and_lookup_columns() {
    let authors_dst = <Author as Table>::DATASHEET;
    let seed = json!({"datasheets": [
        {"type": "Datasheet", "name": "Authors", "id": authors_dst, "fields": [
            {"name": "Name", "type": "SingleText", "property": {}},
            {"name": "Age", "type": "Number", "property": {"precision": 0}}
        ]},
        {"type": "Datasheet", "name": "Books", "id": <Book as Table>::DATASHEET, "fields": [
            {"name": "Title", "type": "SingleText", "property": {}},
            {"name": "Authors", "type": "TwoWayLink",
             "property": {"foreignDatasheetId": authors_dst}},
            {"name": "Lead", "type": "TwoWayLink",
             "property": {"foreignDatasheetId": authors_dst, "limitSingleRecord": true}},
            {"name": "Editor", "type": "OneWayLink",
             "property": {"foreignDatasheetId": authors_dst, "limitSingleRecord": true}},
            {"name": "AuthorNames", "type": "MagicLookUp",
             "property": {"relatedLinkFieldId": "Authors", "targetFieldId": "Name"}},
            {"name": "AuthorAges", "type": "MagicLookUp",
             "property": {"relatedLinkFieldId": "Authors", "targetFieldId": "Age"}}
        ]}
    ]});
    let (_emu, client) = start(seed).await;
    let author = |name: &str, age: Option<f64>| Author {
        id: None,
        name: name.into(),
        age,
    };
    let authors = [
        author("Ada", Some(36.0)),
        author("Bob", Some(50.0)),
        author("Cy", None),
        author("Dee", Some(36.0)), // linked from no book
    ];
    let ids = client
        .table::<Author>()
        .insert_many(&authors)
        .await
        .unwrap();
    let by_id: HashMap<RecordId, &Author> = ids.iter().cloned().zip(&authors).collect();
    let [ada, bob, cy, dee] = [0, 1, 2, 3].map(|i| Link::<Author>::new(ids[i].clone()));
    let book = |title: &str,
                list: &[&Link<Author>],
                lead: Option<&Link<Author>>,
                editor: Option<&Link<Author>>| {
        let authors = list.iter().map(|l| (*l).clone()).collect();
        BookIn {
            id: None,
            title: title.into(),
            authors,
            lead: lead.cloned(),
            editor: editor.cloned(),
        }
    };
    let rows = [
        book("Alpha", &[&ada, &bob], Some(&ada), Some(&bob)),
        book("Beta", &[&bob], Some(&bob), None),
        book("Gamma", &[&cy, &ada], None, Some(&ada)),
        book("Delta", &[], None, None),
        book("Epsilon", &[&cy], Some(&cy), Some(&cy)),
    ]
    .into_iter()
    // Bob's nine books resolve to a long id list, rendered as one delimited string.
    .chain((1..=7).map(|n| book(&format!("Vol {n}"), &[&bob], None, None)))
    .collect::<Vec<_>>();
    client.table::<BookIn>().insert_many(&rows).await.unwrap();

    let links = |r: &BookIn, l: &Link<Author>| r.authors.contains(l);
    let lead = |r: &BookIn, l: &Link<Author>| r.lead.as_ref() == Some(l);
    let linked = |r: &BookIn| r.authors.iter().map(|l| by_id[l.id()]).collect::<Vec<_>>();
    let name = move |r: &BookIn, n: &str| linked(r).iter().any(|a| a.name == n);
    let age = move |r: &BookIn, n: f64| linked(r).iter().any(|a| a.age == Some(n));
    let no_age = move |r: &BookIn| linked(r).iter().all(|a| a.age.is_none());
    let none = Vec::<Link<Author>>::new();
    let mut c = Cases::<BookIn, Book>::new(&rows);
    cases! { c;
        // Vec<Link<_>>, two-way.
        "authors links_to", Book::AUTHORS.links_to(&ada), |r| links(r, &ada);
        "authors links_to an unlinked record", Book::AUTHORS.links_to(&dee), |r| links(r, &dee);
        "authors links_to a record id", Book::AUTHORS.links_to(&ids[1]), |r| links(r, &bob);
        "authors links_to_any", Book::AUTHORS.links_to_any([bob.clone(), cy.clone()]),
            |r| links(r, &bob) || links(r, &cy);
        "authors links_to_any of none", Book::AUTHORS.links_to_any(none), |_| false;
        "authors not links_to", Book::AUTHORS.links_to(&ada).not(), |r| !links(r, &ada);
        "authors links_to or links_to",
            Book::AUTHORS.links_to(&bob).or(Book::AUTHORS.links_to(&cy)),
            |r| links(r, &bob) || links(r, &cy);
        "authors links_to or title", Book::AUTHORS.links_to(&ada).or(Book::TITLE.eq("Delta")),
            |r| links(r, &ada) || r.title == "Delta";
        "authors and lead links_to", Book::AUTHORS.links_to(&ada).and(Book::LEAD.links_to(&ada)),
            |r| links(r, &ada) && lead(r, &ada);
        "authors is_empty", Book::AUTHORS.is_empty(), |r| r.authors.is_empty();
        "authors is_not_empty", Book::AUTHORS.is_not_empty(), |r| !r.authors.is_empty();

        // Option<Link<_>>, two-way and one-way.
        "lead links_to", Book::LEAD.links_to(&bob), |r| lead(r, &bob);
        "lead links_to_any by record ids", Book::LEAD.links_to_any([&ids[0], &ids[2]]),
            |r| lead(r, &ada) || lead(r, &cy);
        "lead not links_to includes empty", Book::LEAD.links_to(&cy).not(), |r| !lead(r, &cy);
        "lead is_empty", Book::LEAD.is_empty(), |r| r.lead.is_none();
        "lead is_not_empty", Book::LEAD.is_not_empty(), |r| r.lead.is_some();
        "editor is_empty", Book::EDITOR.is_empty(), |r| r.editor.is_none();
        "editor is_not_empty", Book::EDITOR.is_not_empty(), |r| r.editor.is_some();

        // Lookup<String>: the linked authors' names.
        "author_names has", Book::AUTHOR_NAMES.has("Ada"), |r| name(r, "Ada");
        "author_names has_any", Book::AUTHOR_NAMES.has_any(["Bob", "Cy"]),
            |r| name(r, "Bob") || name(r, "Cy");
        "author_names has_all", Book::AUTHOR_NAMES.has_all(["Ada", "Bob"]),
            |r| name(r, "Ada") && name(r, "Bob");
        "author_names has_none", Book::AUTHOR_NAMES.has_none(["Ada"]), |r| !name(r, "Ada");
        "author_names is_empty", Book::AUTHOR_NAMES.is_empty(), |r| r.authors.is_empty();
        "author_names is_not_empty", Book::AUTHOR_NAMES.is_not_empty(), |r| !r.authors.is_empty();

        // Lookup<f64>: the linked authors' ages (Cy has none).
        "author_ages has", Book::AUTHOR_AGES.has(36), |r| age(r, 36.0);
        "author_ages has_any", Book::AUTHOR_AGES.has_any([50, 99]), |r| age(r, 50.0);
        "author_ages has_all", Book::AUTHOR_AGES.has_all([36, 50]),
            |r| age(r, 36.0) && age(r, 50.0);
        "author_ages has_none", Book::AUTHOR_AGES.has_none([36.0]), |r| !age(r, 36.0);
        "author_ages is_empty", Book::AUTHOR_AGES.is_empty(), |r| no_age(r);
        "author_ages and not lead", Book::AUTHOR_AGES.has(50).and(Book::LEAD.links_to(&ada).not()),
            |r| age(r, 50.0) && !lead(r, &ada);
    }
    c.run("link and lookup columns", &client.table::<Book>())
        .await;

    // Filters that cannot run fail cleanly, before any record is read.
    let books = client.table::<Book>();
    for (label, filter) in [
        ("one-way links_to", Book::EDITOR.links_to(&ada)),
        (
            "one-way links_to inside not",
            Book::EDITOR.links_to(&ada).not(),
        ),
        (
            "one-way links_to_any inside or",
            Book::TITLE
                .eq("Alpha")
                .or(Book::EDITOR.links_to_any([bob.clone()])),
        ),
    ] {
        match books.query().filter(filter).all().await {
            Err(apitable_orm::Error::InvalidRequest(msg)) => {
                assert!(
                    msg.contains("\"Editor\"") && msg.contains("one-way"),
                    "{label}: {msg}"
                )
            }
            other => panic!("{label}: want InvalidRequest, got {other:?}"),
        }
    }
    let misread = client
        .table::<Misread>()
        .query()
        .filter(Misread::TITLE.links_to(&ada));
    match misread.all().await {
        Err(apitable_orm::Error::InvalidRequest(msg)) => {
            assert!(
                msg.contains("\"Title\"") && msg.contains("not a link"),
                "{msg}"
            )
        }
        other => panic!("links_to on a text field: want InvalidRequest, got {other:?}"),
    }
    let two_way = Book::AUTHORS.links_to(&ada);
    assert!(
        matches!(
            two_way.render(),
            Err(apitable_orm::Error::InvalidRequest(_))
        ),
        "{two_way:?}"
    );
    assert!(
        Book::TITLE
            .eq("x")
            .and(two_way.clone().not())
            .render()
            .is_err()
    );
    assert!(Book::query().filter(two_way).to_params().is_err());
    assert!(Book::TITLE.eq("x").render().is_ok());
}
