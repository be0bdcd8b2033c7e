//! The `apitable` binary itself: `serve`, the environment fallback for the connection, exit
//! statuses and one-line errors.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn apitable() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apitable"));
    cmd.env_remove("APITABLE_HOST").env_remove("APITABLE_TOKEN");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.stdin(Stdio::null()).output().expect("the binary runs");
    (
        status.code().expect("an exit code"),
        text(&stdout),
        text(&stderr),
    )
}

#[test]
fn serve_prints_its_url_and_token_and_the_environment_connects_to_it() {
    let dir = common::scratch("binary-serve");
    let seed = dir.join("seed.json");
    std::fs::write(&seed, common::seed().to_string()).unwrap();
    let token = "uskServeTest000000001";
    let mut server = apitable()
        .args([
            "serve",
            "--port",
            "0",
            "--rate-limit",
            "0",
            "--token",
            token,
            "--seed",
        ])
        .arg(&seed)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = Vec::new();
    for line in BufReader::new(server.stdout.take().unwrap()).lines() {
        let line = line.expect("a line");
        let last = line.starts_with("database: ");
        lines.push(line);
        if last {
            break;
        }
    }
    let value = |key: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key:?} line in {lines:?}"))
            .to_owned()
    };
    let base_url = value("base_url: ");
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert_eq!(value("token: "), token);
    assert_eq!(value("database: "), "memory");
    assert!(
        lines.contains(&format!("datasheet: {} Suppliers", common::SUPPLIERS)),
        "{lines:?}"
    );

    // No --host or --token: both come from the environment.
    let (status, out, err) = run(apitable()
        .args([
            "export",
            "--datasheet",
            common::SUPPLIERS,
            "--format",
            "csv",
            "--rate",
            "0",
        ])
        .env("APITABLE_HOST", &base_url)
        .env("APITABLE_TOKEN", token));
    server.kill().expect("the server stops");
    let _ = server.wait();
    assert_eq!(status, 0, "{err}");
    let mut rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.remove(0), "Name,Stars,Dish list");
    rows.sort_unstable();
    assert_eq!(rows, ["Acme,4,", "Bolt,2,"]);
}

#[test]
fn errors_are_one_line_with_status_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["export", "--datasheet", "dstAny0000000001"],
            "no API token: pass --token or set APITABLE_TOKEN",
        ),
        (
            &[
                "--host",
                "http://example.com",
                "--token",
                "uskX",
                "export",
                "--datasheet",
                "dstAny0000000001",
            ],
            "plain http to a non-loopback host",
        ),
        (
            &["--token", "uskX", "--rate", "-1", "schema", "check"],
            "--rate -1",
        ),
        (
            &[
                "export",
                "--datasheet",
                "dstAny0000000001",
                "--format",
                "xml",
            ],
            "invalid value 'xml'",
        ),
        (
            &["import", "--datasheet", "dstAny0000000001", "--key", "Name"],
            "FILE",
        ),
    ];
    for (args, says) in cases {
        let (status, out, err) = run(apitable().args(args));
        assert_eq!(status, 2, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("apitable: "), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn help_explains_every_command() {
    let (status, out, _) = run(apitable().arg("--help"));
    assert_eq!(status, 0);
    for word in [
        "codegen",
        "schema",
        "export",
        "import",
        "serve",
        "APITABLE_TOKEN",
        "Exit status",
    ] {
        assert!(out.contains(word), "{word:?} missing from:\n{out}");
    }
    let (status, out, _) = run(apitable().args(["import", "--help"]));
    assert_eq!(status, 0);
    assert!(out.contains("Safe to rerun"), "{out}");
    assert!(out.contains("--key <FIELD>"), "{out}");
    let (status, out, _) = run(apitable().args(["schema", "check", "--help"]));
    assert_eq!(status, 0);
    assert!(
        out.contains("Exits 0 when everything matches, 1 on any difference, 2 on errors"),
        "{out}"
    );
}
