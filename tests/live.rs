//! Against a real APITable server, only when `APITABLE_TOKEN` is set (and `APITABLE_HOST` for
//! a self-hosted one). Read-only: lists spaces, and with `APITABLE_LIVE_DATASHEET` reads that
//! datasheet's fields, views and first page. Without a token it returns at once.

use apitable_orm::Client;
use apitable_orm::api::{Fields, ListRecords};

#[tokio::test]
async fn reads_from_a_live_server_when_configured() {
    if std::env::var("APITABLE_TOKEN").is_err() {
        eprintln!("live test skipped: APITABLE_TOKEN is not set");
        return;
    }
    let client = Client::from_env().expect("APITABLE_TOKEN and APITABLE_HOST make a client");
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
        assert!(page.records.len() as u64 <= page.total.min(10));
    }
}
