//! Runs the menu example (on the in-process emulator; the binary `cargo test` built, or
//! `cargo run --example menu` when that binary is missing or older than the sources) and checks
//! what it prints: the sections in order and the upsert report of `examples/data/menu.json`
//! over the seed menu. About 4 s once the example is built (its client paces requests at 5 per second).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the binary at `path` exists and is newer than every source it is built from (a
/// `cargo test --test example_menu` alone does not rebuild the examples).
fn is_fresh(path: &std::path::Path) -> bool {
    fn newest(dir: &std::path::Path) -> Option<std::time::SystemTime> {
        let meta = std::fs::metadata(dir).ok()?;
        if meta.is_file() {
            return meta.modified().ok();
        }
        std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| newest(&e.path()))
            .max()
    }
    let Some(built) = std::fs::metadata(path).and_then(|m| m.modified()).ok() else {
        return false;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "examples",
        "Cargo.lock",
        "apitable-orm/src",
        "apitable-orm-derive/src",
        "apitable-emulator/src",
        "apitable-formula/src",
        "apitable-schema/src",
    ]
    .iter()
    .filter_map(|p| newest(&root.join(p)))
    .all(|source| source <= built)
}

#[test]
fn the_menu_example_prints_its_sections_and_the_upsert_report() {
    // `cargo test` builds the examples along with the tests: run that binary when it is there
    // (`…/target/<profile>/deps/<this test>` → `…/target/<profile>/examples/menu`). Going through
    // `cargo run` instead would rebuild half the dependency tree, because a plain build leaves
    // out the dev-dependencies' features.
    let exe = std::env::current_exe().unwrap();
    let built = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| {
            profile
                .join("examples")
                .join(format!("menu{}", std::env::consts::EXE_SUFFIX))
        })
        .filter(|path| is_fresh(path));
    eprintln!(
        "running {}",
        built
            .as_ref()
            .map_or("cargo run --example menu".into(), |p| p
                .display()
                .to_string())
    );
    let mut cargo = match built {
        Some(menu) => Command::new(menu),
        None => {
            let mut cargo = Command::new(env!("CARGO"));
            cargo.args(["run", "--quiet", "--example", "menu"]);
            if exe.ancestors().nth(2).and_then(|p| p.file_name()) == Some("release".as_ref()) {
                cargo.arg("--release");
            }
            cargo
        }
    };
    let mut child = cargo
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // The emulator, whatever the environment says.
        .env_remove("APITABLE_HOST")
        .env_remove("APITABLE_TOKEN")
        .env_remove("APITABLE_MENU_DATASHEET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo runs");
    // Generous: the first run may have to build the example.
    let deadline = Instant::now() + Duration::from_secs(600);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("`cargo run --example menu` did not finish in 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );

    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("Using the in-process emulator at http://127.0.0.1:"),
        "{stdout}"
    );
    let sections = [
        "Seeded an empty menu with 12 dishes.",
        "View \"Cheap eats\":",
        "Under 20 rupees, cheapest first:",
        "Hearty and not vegan, most hearts first:",
        "Upserted 48 dishes from examples/data/menu.json: 36 created, 4 updated, 8 unchanged.",
        "page 1/5: 10 dishes, Apple Pie … ",
        "page 5/5: 8 dishes, ",
    ];
    let mut from = 0;
    for s in sections {
        let at = stdout[from..]
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} missing (or out of order) in:\n{stdout}"));
        from += at + s.len();
    }
    assert_eq!(stdout.matches("  updated: ").count(), 4, "{stdout}");
}
