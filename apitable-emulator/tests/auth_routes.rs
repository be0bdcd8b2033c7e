//! Conformance: authentication, 403 outside the space, 404 envelope for unknown and v3 routes.

mod common;

use apitable_emulator::FieldSpec;
use common::{H, assert_err, ok};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_are_401() {
    let h = H::new().await;
    let dst = h.sheet("S", &[FieldSpec::new("A", "Text")]).await;
    let url = h.url(&H::records_path(&dst));
    let resp = h.c.get(&url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        b,
        json!({"success": false, "code": 401, "message": "Unauthorized"})
    );
    let resp =
        h.c.get(&url)
            .header("Authorization", format!("bearer {}", h.emu.token()))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let res = h
        .req_as(
            "uskNOPENOPENOPENOPENOPE",
            Method::GET,
            &H::records_path(&dst),
            None,
        )
        .await;
    assert_err(&res, 401, 401, "Unauthorized");
    let res = h
        .req_as(
            "uskNOPENOPENOPENOPENOPE",
            Method::GET,
            "/fusion/v2/spaces/spcX/nodes?type=Folder",
            None,
        )
        .await;
    assert_err(&res, 401, 401, "Unauthorized");
}

#[tokio::test]
async fn outsider_gets_403() {
    let h = H::new().await;
    let dst = h.sheet("S", &[FieldSpec::new("A", "Text")]).await;
    let t = h.emu.outsider_token().to_string();
    let msg = "The API token user does not belong to the space, please adjust spaceId or API token and try again";
    assert_err(
        &h.req_as(&t, Method::GET, &H::records_path(&dst), None)
            .await,
        403,
        403,
        msg,
    );
    let spc = h.emu.space_id().to_string();
    assert_err(
        &h.req_as(
            &t,
            Method::GET,
            &format!("/fusion/v1/spaces/{spc}/nodes"),
            None,
        )
        .await,
        403,
        403,
        msg,
    );
    assert_err(
        &h.req_as(
            &t,
            Method::POST,
            &format!("/fusion/v1/spaces/{spc}/datasheets"),
            Some(json!({"name": "x"})),
        )
        .await,
        403,
        403,
        msg,
    );
    // The outsider sees only its own space.
    let d = ok(
        &h.req_as(&t, Method::GET, "/fusion/v1/spaces", None).await,
        200,
    );
    assert_eq!(d["spaces"].as_array().unwrap().len(), 1);
    assert_ne!(d["spaces"][0]["id"], spc.as_str());
}

#[tokio::test]
async fn unknown_and_v3_routes_are_404_envelopes() {
    let h = H::new().await;
    let dst = h.sheet("S", &[FieldSpec::new("A", "Text")]).await;
    for (m, p) in [
        (Method::GET, "/fusion/v1/nothing".to_string()),
        (Method::GET, format!("/fusion/v3/datasheets/{dst}/records")),
        (Method::POST, format!("/fusion/v3/datasheets/{dst}/records")),
        (Method::POST, format!("/fusion/v1/datasheets/{dst}/fields")),
        (Method::GET, "/".to_string()),
    ] {
        let res = h.req(m, &p, None).await;
        assert_err(&res, 404, 404, "The API does not exist");
    }
    // No token needed to learn that a route does not exist.
    let resp = h.c.get(h.url("/fusion/v3/spaces")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn success_headers() {
    let h = H::new().await;
    let resp =
        h.c.get(h.url("/fusion/v1/spaces"))
            .header("Authorization", format!("Bearer {}", h.emu.token()))
            .send()
            .await
            .unwrap();
    assert_eq!(
        resp.headers().get("cache-control").unwrap(),
        "no-cache,no-store,must-revalidate"
    );
    assert!(resp.headers().get("request-id").is_some());
    assert!(resp.headers().get("server-timing").is_some());
}
