//! A "Zelda menu" kept in an APITable datasheet.
//!
//! Runs against the in-process emulator unless `APITABLE_HOST`, `APITABLE_TOKEN` and
//! `APITABLE_MENU_DATASHEET` are set, in which case it uses that server and datasheet (which
//! needs the fields Name, Course, Price, Tags, Hearts and Vegan). On the first run it seeds the
//! menu; then it shows a view, filters, sorts, pages through the menu, and upserts a menu file
//! (default `examples/data/menu.json`, or the first argument) by dish name.
//!
//! ```sh
//! cargo run --example menu
//! cargo run --example menu -- path/to/menu.json
//! ```

use std::error::Error;

use apitable_emulator::Emulator;
use apitable_orm::prelude::*;
use apitable_orm::{Page, Sheet};
use futures_util::TryStreamExt;
use serde::Deserialize;

/// The course a dish belongs to (a single-select field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue, Deserialize)]
enum Course {
    Starter,
    Main,
    Dessert,
}

/// One dish of the menu.
#[derive(Debug, Clone, PartialEq, Table)]
#[apitable(datasheet = "dstZeldaMenu00001", rename_all = "PascalCase")]
struct Dish {
    #[apitable(record_id)]
    id: Option<RecordId>,
    /// The dish name, unique on the menu: the upsert key.
    #[apitable(key)]
    name: String,
    course: Option<Course>,
    /// Price in rupees.
    price: f64,
    tags: Vec<String>,
    /// How many hearts it restores (a rating field).
    hearts: Option<u8>,
    vegan: bool,
}

/// A line of a menu file.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MenuLine {
    name: String,
    course: Option<Course>,
    price: f64,
    #[serde(default)]
    tags: Vec<String>,
    hearts: Option<u8>,
    #[serde(default)]
    vegan: bool,
}

impl From<MenuLine> for Dish {
    fn from(l: MenuLine) -> Self {
        Dish {
            id: None,
            name: l.name,
            course: l.course,
            price: l.price,
            tags: l.tags,
            hearts: l.hearts,
            vegan: l.vegan,
        }
    }
}

fn read_menu(path: &str) -> Result<Vec<Dish>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let lines: Vec<MenuLine> = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(lines.into_iter().map(Dish::from).collect())
}

/// Prints dishes as an aligned table.
fn print_table(title: &str, dishes: &[Dish]) {
    println!("\n{title}");
    let name_w = dishes
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "  {:<name_w$}  {:<8}  {:>6}  {:<6}  {:<5}  tags",
        "dish", "course", "price", "hearts", "vegan"
    );
    println!("  {}", "-".repeat(name_w + 44));
    for d in dishes {
        let course = d.course.map_or("-".to_string(), |c| format!("{c:?}"));
        let hearts = "♥".repeat(d.hearts.unwrap_or(0).into());
        println!(
            "  {:<name_w$}  {:<8}  {:>6.2}  {:<6}  {:<5}  {}",
            d.name,
            course,
            d.price,
            hearts,
            if d.vegan { "yes" } else { "" },
            d.tags.join(", ")
        );
    }
}

/// The seed of the in-process emulator: the Menu datasheet, its fields and a view.
fn emulator_seed() -> String {
    serde_json::json!({
        "datasheets": [{
            "type": "Datasheet", "name": "Zelda menu", "id": <Dish as Table>::DATASHEET,
            "fields": [
                {"name": "Name", "type": "SingleText", "property": {}},
                {"name": "Course", "type": "SingleSelect", "property": {"options": [
                    {"name": "Starter"}, {"name": "Main"}, {"name": "Dessert"}]}},
                {"name": "Price", "type": "Currency", "property": {"symbol": "R", "precision": 2}},
                {"name": "Tags", "type": "MultiSelect", "property": {"options": []}},
                {"name": "Hearts", "type": "Rating", "property": {"icon": "star", "max": 5}},
                {"name": "Vegan", "type": "Checkbox", "property": {"icon": "white_check_mark"}}
            ],
            "views": [
                {"name": "All dishes"},
                {"name": "Cheap eats", "filter": "{Price} < 15", "sort": [{"field": "Price", "desc": false}]}
            ]
        }]
    })
    .to_string()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let menu_file = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/menu.json".into());
    let real = match (
        std::env::var("APITABLE_HOST"),
        std::env::var("APITABLE_TOKEN"),
        std::env::var("APITABLE_MENU_DATASHEET"),
    ) {
        (Ok(host), Ok(_), Ok(dst)) => Some((host, dst)),
        _ => None,
    };

    // 1. Where the menu lives.
    let (client, datasheet, emulator) = match real {
        Some((host, dst)) => {
            println!("Using the APITable server at {host}, datasheet {dst}");
            (Client::from_env()?, dst.parse()?, None)
        }
        None => {
            let emu = Emulator::builder()
                .seed_json(&emulator_seed())
                .start()
                .await?;
            println!(
                "Using the in-process emulator at {} (set APITABLE_HOST, APITABLE_TOKEN and APITABLE_MENU_DATASHEET for a real server)",
                emu.base_url()
            );
            let client = Client::builder()
                .token(emu.token())
                .base_url(emu.base_url())
                .build()?;
            (client, <Dish as Table>::DATASHEET.parse()?, Some(emu))
        }
    };
    let dishes: Sheet<Dish> = client.table_in(datasheet);
    let schema = dishes.check_schema().await?;
    if !schema.is_ok() {
        return Err(format!("the datasheet does not fit the Dish struct: {schema}").into());
    }

    // 2. Seed on first run.
    if dishes.query().count().await? == 0 {
        let seed = read_menu("examples/data/menu-seed.json")?;
        let ids = dishes.insert_many(&seed).await?;
        println!("Seeded an empty menu with {} dishes.", ids.len());
    }

    // 3. The dishes of a view.
    let sheet_id = dishes.id()?.clone();
    let views = client.datasheet(&sheet_id).views().await?;
    if let Some(view) = views
        .iter()
        .find(|v| v.name == "Cheap eats")
        .or(views.first())
    {
        let in_view = dishes.query().view(view.id.clone()).all().await?;
        print_table(&format!("View \"{}\":", view.name), &in_view);
    }

    // 4. Filters and sorting.
    let under_20 = dishes
        .query()
        .filter(Dish::PRICE.lt(20))
        .sort(Dish::PRICE.asc())
        .all()
        .await?;
    print_table("Under 20 rupees, cheapest first:", &under_20);
    let hearty = dishes
        .query()
        .filter(Dish::TAGS.has("hearty").and(Dish::VEGAN.eq(false)))
        .sort(Dish::HEARTS.desc())
        .sort(Dish::NAME.asc())
        .all()
        .await?;
    print_table("Hearty and not vegan, most hearts first:", &hearty);

    // 5. Upsert the menu file by dish name.
    let file = read_menu(&menu_file)?;
    let report = dishes.upsert(&file).await?;
    println!(
        "\nUpserted {} dishes from {menu_file}: {} created, {} updated, {} unchanged.",
        file.len(),
        report.created.len(),
        report.updated.len(),
        report.unchanged.len()
    );
    for (i, _) in &report.updated {
        println!("  updated: {}", file[*i].name);
    }

    // 6. Page through the whole menu, ten dishes a page.
    println!();
    let mut pages = std::pin::pin!(dishes.query().sort(Dish::NAME.asc()).page_size(10).pages());
    while let Some(page) = pages.try_next().await? {
        let page: Page<Dish> = page;
        let first = page.items.first().map_or("", |d| d.name.as_str());
        let last = page.items.last().map_or("", |d| d.name.as_str());
        println!(
            "page {}/{}: {} dishes, {first} … {last}",
            page.number,
            page.total_pages(),
            page.items.len()
        );
    }

    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(())
}
