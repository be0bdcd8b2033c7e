//! Runs `cargo run --quiet --example menu` (on the in-process emulator) and checks what it
//! prints: the sections in order and the upsert report of `examples/data/menu.json` over the
//! seed menu. About 4 s once the example is built (its client paces requests at 5 per second).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_menu_example_prints_its_sections_and_the_upsert_report() {
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["run", "--quiet", "--example", "menu"]);
    // Reuse this test's build: same profile, same target directory (`…/target/<profile>/deps/`
    // holds this test; the target directory is marked by CACHEDIR.TAG).
    let exe = std::env::current_exe().unwrap();
    if exe.ancestors().nth(2).and_then(|p| p.file_name()) == Some("release".as_ref()) {
        cargo.arg("--release");
    }
    if let Some(dir) = exe
        .ancestors()
        .nth(3)
        .filter(|d| d.join("CACHEDIR.TAG").is_file())
    {
        cargo.env("CARGO_TARGET_DIR", dir);
    }
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
