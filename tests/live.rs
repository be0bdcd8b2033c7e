//! Against a real APITable server, only when `APITABLE_TOKEN` is set (and `APITABLE_HOST` for
//! a self-hosted one). Read-only: lists spaces, and with `APITABLE_LIVE_DATASHEET` reads that
//! datasheet's fields, views and first page.
//!
//! Without a token it skips itself, saying so on stderr (`cargo test -- --nocapture` shows it).
//! It talks only to loopback hosts (a local server or emulator) unless
//! `APITABLE_LIVE_ALLOW_REMOTE=1` is set too: a token left in the environment must never make a
//! plain `cargo test` call the APITable cloud. A remote host without that opt-in fails the test
//! before any request, with a message saying how to opt in.

use std::net::IpAddr;

use apitable_orm::api::{Fields, ListRecords};
use apitable_orm::{Client, DEFAULT_BASE_URL};
use reqwest::Url;

/// The environment variable that allows a host other than loopback.
const ALLOW_REMOTE: &str = "APITABLE_LIVE_ALLOW_REMOTE";

/// Whether `url` names this machine: `localhost` or a loopback address.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the live test may send requests to `url`, given the value of
/// `APITABLE_LIVE_ALLOW_REMOTE`: loopback always, any other host only with the value `1`.
/// `Err` says why not.
fn may_call(url: &Url, allow_remote: Option<&str>) -> Result<(), String> {
    if is_loopback(url) || allow_remote == Some("1") {
        return Ok(());
    }
    Err(format!(
        "refusing to run the live test against {}: it is not a loopback host. Set \
         {ALLOW_REMOTE}=1 to run it against a remote server, or unset APITABLE_TOKEN.",
        url.host_str().unwrap_or("a URL without a host")
    ))
}

#[tokio::test]
async fn reads_from_a_live_server_when_configured() {
    if std::env::var_os("APITABLE_TOKEN").is_none() {
        eprintln!("skipped: APITABLE_TOKEN is not set");
        return;
    }
    let client = Client::from_env().expect("APITABLE_TOKEN and APITABLE_HOST make a client");
    let allow = std::env::var(ALLOW_REMOTE).ok();
    if let Err(why) = may_call(client.base_url(), allow.as_deref()) {
        panic!("{why}");
    }
    let spaces = client.spaces().await.expect("the token lists its spaces");
    assert!(!spaces.is_empty(), "the token's user belongs to no space");
    if let Ok(dst) = std::env::var("APITABLE_LIVE_DATASHEET") {
        let dst = dst.parse().expect("APITABLE_LIVE_DATASHEET is a dst… id");
        let sheet = client.datasheet(&dst);
        let fields = sheet.fields(None).await.expect("fields");
        assert!(fields.iter().any(|f| f.is_primary));
        assert!(!sheet.views().await.expect("views").is_empty());
        let page = sheet
            .list_records::<Fields>(&ListRecords::new().page_size(10))
            .await
            .expect("first page");
        assert!(page.items.len() as u64 <= page.total.min(10));
    }
}

#[test]
fn the_live_test_calls_only_loopback_unless_remote_is_allowed() {
    let url = |s: &str| Url::parse(s).unwrap();
    // The client's default target, the cloud, is refused without the opt-in.
    let default = Client::builder().token("uskLiveGate").build().unwrap();
    assert_eq!(
        default.base_url().as_str().trim_end_matches('/'),
        DEFAULT_BASE_URL
    );
    let refused = may_call(default.base_url(), None).unwrap_err();
    assert!(refused.contains("api.apitable.com"), "{refused}");
    assert!(
        refused.contains("APITABLE_LIVE_ALLOW_REMOTE=1"),
        "{refused}"
    );
    for value in [None, Some(""), Some("0"), Some("true"), Some("yes")] {
        assert!(
            may_call(&url("https://api.apitable.com"), value).is_err(),
            "{value:?} is not the opt-in"
        );
    }
    for remote in [
        "https://apitable.example",
        "https://localhost.example.com",
        "https://127.0.0.1.nip.io",
        "http://10.0.0.1:8080",
        "http://[2001:db8::1]:8080",
    ] {
        assert!(may_call(&url(remote), None).is_err(), "{remote}");
        assert_eq!(may_call(&url(remote), Some("1")), Ok(()), "{remote}");
    }
    for local in [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:3000",
        "http://LOCALHOST",
        "http://[::1]:8080",
    ] {
        assert_eq!(may_call(&url(local), None), Ok(()), "{local}");
    }
}
