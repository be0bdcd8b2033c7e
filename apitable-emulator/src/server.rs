//! The HTTP front: route matching, authentication, rate limiting, fault injection, stats and the
//! admin endpoints. Every request goes through [`handle`].

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use crate::app::App;
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::faults::{Fault, Faults};
use crate::handlers::attachments::Upload;
use crate::handlers::{attachments, datasheets, fields, nodes, records, units};
use crate::params::Query;
use crate::ratelimit::scope_of;

/// A matched API route.
#[derive(Debug, Clone)]
enum Route {
    Records(String),
    Fields(String),
    Views(String),
    Attachments(String),
    Presigned(String),
    Timemachine(String),
    CreateField(String, String),
    DeleteField(String, String, String),
    CreateDatasheet(String),
    Spaces,
    SpaceNodes(String),
    Node(Option<String>, String),
    Search(String),
    Member(String, String),
    Roles(String, Option<String>, bool),
    Teams(String, Option<String>, Option<&'static str>),
}

/// Matches method + path to a route and its template (e.g. `/fusion/v1/datasheets/{dstId}/records`).
fn route(method: &Method, path: &str) -> Option<(&'static str, Route)> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let s = |i: usize| segs[i].to_string();
    let m = method.as_str();
    use Route::*;
    Some(match (m, segs.as_slice()) {
        (
            "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
            ["fusion", "v1", "datasheets", _, "records"],
        ) => ("/fusion/v1/datasheets/{dstId}/records", Records(s(3))),
        ("GET", ["fusion", "v1", "datasheets", _, "fields"]) => {
            ("/fusion/v1/datasheets/{dstId}/fields", Fields(s(3)))
        }
        ("GET", ["fusion", "v1", "datasheets", _, "views"]) => {
            ("/fusion/v1/datasheets/{dstId}/views", Views(s(3)))
        }
        ("POST", ["fusion", "v1", "datasheets", _, "attachments"]) => (
            "/fusion/v1/datasheets/{dstId}/attachments",
            Attachments(s(3)),
        ),
        (
            "GET",
            [
                "fusion",
                "v1",
                "datasheets",
                _,
                "attachments",
                "presignedUrl",
            ],
        ) => (
            "/fusion/v1/datasheets/{dstId}/attachments/presignedUrl",
            Presigned(s(3)),
        ),
        ("GET", ["fusion", "v1", "timemachine", _]) => {
            ("/fusion/v1/timemachine/{dstId}", Timemachine(s(3)))
        }
        ("POST", ["fusion", "v1", "spaces", _, "datasheets", _, "fields"]) => (
            "/fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields",
            CreateField(s(3), s(5)),
        ),
        ("DELETE", ["fusion", "v1", "spaces", _, "datasheets", _, "fields", _]) => (
            "/fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields/{fieldId}",
            DeleteField(s(3), s(5), s(7)),
        ),
        ("POST", ["fusion", "v1", "spaces", _, "datasheets"]) => (
            "/fusion/v1/spaces/{spaceId}/datasheets",
            CreateDatasheet(s(3)),
        ),
        ("GET", ["fusion", "v1", "spaces"]) => ("/fusion/v1/spaces", Spaces),
        ("GET", ["fusion", "v1", "spaces", _, "nodes"]) => {
            ("/fusion/v1/spaces/{spaceId}/nodes", SpaceNodes(s(3)))
        }
        ("GET", ["fusion", "v1", "spaces", _, "nodes", _]) => (
            "/fusion/v1/spaces/{spaceId}/nodes/{nodeId}",
            Node(Some(s(3)), s(5)),
        ),
        ("GET", ["fusion", "v1", "nodes", _]) => ("/fusion/v1/nodes/{nodeId}", Node(None, s(3))),
        ("GET", ["fusion", "v2", "spaces", _, "nodes"]) => {
            ("/fusion/v2/spaces/{spaceId}/nodes", Search(s(3)))
        }
        ("GET" | "PUT" | "DELETE", ["fusion", "v1", "spaces", _, "members", _]) => (
            "/fusion/v1/spaces/{spaceId}/members/{unitId}",
            Member(s(3), s(5)),
        ),
        ("GET" | "POST", ["fusion", "v1", "spaces", _, "roles"]) => (
            "/fusion/v1/spaces/{spaceId}/roles",
            Roles(s(3), None, false),
        ),
        ("PUT" | "DELETE", ["fusion", "v1", "spaces", _, "roles", _]) => (
            "/fusion/v1/spaces/{spaceId}/roles/{unitId}",
            Roles(s(3), Some(s(5)), false),
        ),
        ("GET", ["fusion", "v1", "spaces", _, "roles", _, "units"]) => (
            "/fusion/v1/spaces/{spaceId}/roles/{unitId}/units",
            Roles(s(3), Some(s(5)), true),
        ),
        ("POST", ["fusion", "v1", "spaces", _, "teams"]) => {
            ("/fusion/v1/spaces/{spaceId}/teams", Teams(s(3), None, None))
        }
        ("PUT" | "DELETE", ["fusion", "v1", "spaces", _, "teams", _]) => (
            "/fusion/v1/spaces/{spaceId}/teams/{unitId}",
            Teams(s(3), Some(s(5)), None),
        ),
        ("GET", ["fusion", "v1", "spaces", _, "teams", _, "children"]) => (
            "/fusion/v1/spaces/{spaceId}/teams/{unitId}/children",
            Teams(s(3), Some(s(5)), Some("children")),
        ),
        ("GET", ["fusion", "v1", "spaces", _, "teams", _, "members"]) => (
            "/fusion/v1/spaces/{spaceId}/teams/{unitId}/members",
            Teams(s(3), Some(s(5)), Some("members")),
        ),
        _ => return None,
    })
}

const BODY_LIMIT: usize = 100 * 1024 * 1024;

fn finish(mut resp: Response, started: Instant) -> Response {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&crate::ids::alnum(16)) {
        h.insert("request-id", v);
    }
    let dur = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("total;dur={dur:.1}")) {
        h.insert("server-timing", v);
    }
    resp
}

/// A response whose body fails at once: hyper aborts the connection without a complete answer.
fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by fault injection",
        ))
    });
    Response::new(Body::from_stream(stream))
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

fn parse_json_body(bytes: &Bytes) -> Result<Json, ApiError> {
    if bytes.is_empty() || bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes).map_err(|_| tips::default_error())
}

/// The single entry point of every request.
pub(crate) async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().map(str::to_string);

    if path.starts_with("/_emulator/") || path == "/_emulator" {
        return finish(admin(&app, req).await, started);
    }
    if let Some(token) = path.strip_prefix("/assets/") {
        let token = crate::params::decode(token);
        if method == Method::PUT {
            return finish(presigned_put(&app, &token, req).await, started);
        }
        return finish(serve_asset(&app, &token), started);
    }
    let matched = route(&method, &path);
    let template = matched.as_ref().map_or("(unmatched)", |m| m.0);

    let decision = app.faults.decide(method.as_str(), template);
    if let Some(d) = decision.delay {
        tokio::time::sleep(d).await;
    }
    match decision.fault {
        Some(Fault::Drop) => {
            app.stats.record(method.as_str(), template, 0);
            return dropped();
        }
        Some(Fault::RateLimit) => {
            let r = ApiError::rate_limited(app.settings.rate_limit.unwrap_or(5)).into_response();
            app.stats
                .record(method.as_str(), template, r.status().as_u16());
            return finish(r, started);
        }
        Some(Fault::ServerError) => {
            let r = ApiError::server("injected fault").into_response();
            app.stats
                .record(method.as_str(), template, r.status().as_u16());
            return finish(r, started);
        }
        None => {}
    }

    let resp = match matched {
        None => ApiError::not_found().into_response(),
        Some((_, r)) => {
            let v1 = path.starts_with("/fusion/v1/");
            dispatch(&app, &method, &path, raw_query.as_deref(), r, v1, req).await
        }
    };
    app.stats
        .record(method.as_str(), template, resp.status().as_u16());
    finish(resp, started)
}

async fn dispatch(
    app: &Arc<App>,
    method: &Method,
    path: &str,
    raw_query: Option<&str>,
    r: Route,
    v1: bool,
    req: Request,
) -> Response {
    let Some(token) = bearer(req.headers()) else {
        return ApiError::unauthorized().into_response();
    };
    if v1
        && let Some(points) = app.settings.rate_limit
        && !app.rate.hit(&scope_of(path), &token, points)
    {
        return ApiError::rate_limited(points).into_response();
    }
    let user = {
        let state = app.store.read();
        match state.user_by_token(&token) {
            Some(u) => u.id.clone(),
            None => return ApiError::unauthorized().into_response(),
        }
    };
    let q = Query::parse(raw_query);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = match axum::body::to_bytes(req.into_body(), BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return tips::default_error().into_response(),
    };
    if let Route::Attachments(dst) = &r {
        let upload = if content_type.starts_with("multipart/form-data") {
            read_upload(&content_type, bytes).await
        } else {
            None
        };
        let app2 = app.clone();
        let dst = dst.clone();
        return blocking(app, move || attachments::upload(&app2, &user, &dst, upload)).await;
    }
    let needs_body = matches!(*method, Method::POST | Method::PATCH | Method::PUT)
        || matches!(r, Route::DeleteField(..));
    let body = if needs_body {
        match parse_json_body(&bytes) {
            Ok(b) => b,
            Err(e) => return error_response(app, e),
        }
    } else {
        Json::Null
    };
    let app2 = app.clone();
    let m = method.as_str().to_string();
    blocking(app, move || run(&app2, &m, &user, r, &q, &body)).await
}

async fn blocking(app: &App, f: impl FnOnce() -> ApiResult + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(s)) => s.into_response(),
        Ok(Err(e)) => error_response(app, e),
        Err(e) => ApiError::server(e).into_response(),
    }
}

/// An error answer; DTO-level errors take the real server's HTTP 500 array form in strict mode.
fn error_response(app: &App, e: ApiError) -> Response {
    if app.settings.strict_dto && e.dto {
        let mut r = (
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::to_vec(&e.strict_body()).unwrap_or_default(),
        )
            .into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        return r;
    }
    e.into_response()
}

fn run(app: &App, m: &str, user: &str, r: Route, q: &Query, body: &Json) -> ApiResult {
    use Route::*;
    match r {
        Records(dst) => match m {
            "GET" => records::list(app, user, &dst, q),
            "POST" => records::create(app, user, &dst, q, body),
            "PATCH" | "PUT" => records::update(app, user, &dst, q, body),
            _ => records::delete(app, user, &dst, q),
        },
        Fields(dst) => fields::list(app, user, &dst, q),
        Views(dst) => datasheets::views(app, user, &dst, q),
        Timemachine(dst) => records::timemachine(app, user, &dst),
        Presigned(dst) => attachments::presigned(app, user, &dst, q),
        CreateField(spc, dst) => fields::create(app, user, &spc, &dst, body),
        DeleteField(spc, dst, fld) => fields::delete(app, user, &spc, &dst, &fld, body),
        CreateDatasheet(spc) => datasheets::create(app, user, &spc, body),
        Spaces => nodes::spaces(app, user),
        SpaceNodes(spc) => nodes::space_nodes(app, user, &spc),
        Node(spc, node) => nodes::node_detail(app, user, spc.as_deref(), &node),
        Search(spc) => nodes::search(app, user, &spc, q),
        Member(spc, unit) => units::member(app, user, &spc, &unit, m, q, body),
        Roles(spc, unit, sub) => units::roles(app, user, &spc, unit.as_deref(), sub, m, q, body),
        Teams(spc, unit, sub) => units::teams(app, user, &spc, unit.as_deref(), sub, m, q, body),
        Attachments(_) => Err(tips::upload_invalid_file_name()),
    }
}

async fn read_upload(content_type: &str, bytes: Bytes) -> Option<Upload> {
    let req = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .ok()?;
    let mut mp = Multipart::from_request(req, &()).await.ok()?;
    while let Ok(Some(field)) = mp.next_field().await {
        let Some(name) = field.file_name().map(str::to_string) else {
            continue;
        };
        let ct = field.content_type().map(str::to_string);
        let data = field.bytes().await.ok()?;
        return Some(Upload {
            file_name: name,
            content_type: ct,
            bytes: data.to_vec(),
        });
    }
    None
}

/// `PUT /assets/{token}`: the upload target of a presigned URL.
async fn presigned_put(app: &Arc<App>, token: &str, req: Request) -> Response {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = match axum::body::to_bytes(req.into_body(), BODY_LIMIT).await {
        Ok(b) => b.to_vec(),
        Err(_) => return tips::default_error().into_response(),
    };
    let app2 = app.clone();
    let token = token.to_string();
    blocking(app, move || {
        attachments::store_presigned(&app2, &token, ct, bytes)
    })
    .await
}

fn serve_asset(app: &App, token: &str) -> Response {
    let mime = {
        let state = app.store.read();
        state.assets.get(token).map(|a| a.mime_type.clone())
    };
    match (mime, app.store.asset_bytes(token)) {
        (Some(m), Some(bytes)) => {
            let mut r = (StatusCode::OK, bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&m) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        _ => ApiError::not_found().into_response(),
    }
}

/// `/_emulator/…`: stats and faults, guarded by the admin token.
async fn admin(app: &App, req: Request) -> Response {
    if bearer(req.headers()).as_deref() != Some(app.admin_token.as_str()) {
        return ApiError::unauthorized().into_response();
    }
    let method = req.method().clone();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let bytes = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let res: ApiResult = match (method.as_str(), path.as_str()) {
        ("GET", "/_emulator/stats") => Ok(Success::ok(
            serde_json::to_value(app.stats.snapshot()).unwrap_or(Json::Null),
        )),
        ("DELETE", "/_emulator/stats") | ("POST", "/_emulator/stats/reset") => {
            app.stats.reset();
            Ok(Success::ok(json!({})))
        }
        ("GET", "/_emulator/faults") => Ok(Success::ok(
            serde_json::to_value(app.faults.get()).unwrap_or(Json::Null),
        )),
        ("PUT", "/_emulator/faults") | ("POST", "/_emulator/faults") => {
            match serde_json::from_slice::<Faults>(&bytes) {
                Ok(f) => {
                    app.faults.set(f.clone());
                    Ok(Success::ok(serde_json::to_value(f).unwrap_or(Json::Null)))
                }
                Err(e) => Err(ApiError::bad(format!("invalid faults: {e}"))),
            }
        }
        ("DELETE", "/_emulator/faults") => {
            app.faults.set(Faults::none());
            Ok(Success::ok(json!({})))
        }
        _ => Err(ApiError::not_found()),
    };
    match res {
        Ok(s) => s.into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let (t, _) = route(&Method::GET, "/fusion/v1/datasheets/dst1/records").unwrap();
        assert_eq!(t, "/fusion/v1/datasheets/{dstId}/records");
        assert!(route(&Method::POST, "/fusion/v1/datasheets/dst1/fields").is_none());
        assert!(route(&Method::GET, "/fusion/v3/datasheets/dst1/records").is_none());
        let (t, _) = route(&Method::DELETE, "/fusion/v1/spaces/s/datasheets/d/fields/f").unwrap();
        assert_eq!(
            t,
            "/fusion/v1/spaces/{spaceId}/datasheets/{dstId}/fields/{fieldId}"
        );
    }
}
