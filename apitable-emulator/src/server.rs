//! The HTTP front: route matching, authentication, rate limiting, fault injection, stats and the
//! admin endpoints. Every request goes through [`handle`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use crate::app::App;
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::faults::{Fault, Faults, Target, partial_count};
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

/// The template asset downloads and presigned uploads count and match faults under.
const ASSETS_TEMPLATE: &str = "/assets/{token}";

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
    let asset = path.strip_prefix("/assets/").map(crate::params::decode);
    let matched = if asset.is_some() {
        None
    } else {
        route(&method, &path)
    };
    let template = match (&asset, &matched) {
        (Some(_), _) => ASSETS_TEMPLATE,
        (None, Some(m)) => m.0,
        (None, None) => "(unmatched)",
    };
    let _in_flight = app.stats.enter();
    let token = bearer(req.headers());
    let decision = app.faults.decide(Target {
        method: method.as_str(),
        template,
        path: &path,
        token: token.as_deref(),
    });
    let count = |status: u16| app.stats.record(method.as_str(), template, status);
    if let Some(d) = decision.delay {
        app.stats.fault("latency");
        tokio::time::sleep(d).await;
    }
    let fault = decision.fault;
    if let Some(f) = fault {
        let early = match f {
            Fault::Drop => Some(dropped()),
            Fault::RateLimit(retry_after) => {
                let mut r =
                    ApiError::rate_limited(app.settings.rate_limit.unwrap_or(5)).into_response();
                if let Some(secs) = retry_after {
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                Some(finish(r, started))
            }
            Fault::ServerError => Some(finish(
                ApiError::server("injected fault").into_response(),
                started,
            )),
            Fault::Gateway(status) => Some(gateway_page(status)),
            _ => None,
        };
        if let Some(r) = early {
            app.stats.fault(f.kind());
            count(if matches!(f, Fault::Drop) {
                0
            } else {
                r.status().as_u16()
            });
            return r;
        }
    }
    let partial = match fault {
        Some(Fault::PartialBatch(draw)) => Some(draw),
        _ => None,
    };

    let resp = match (asset, matched) {
        (Some(token), _) if method == Method::PUT => presigned_put(&app, &token, req).await,
        (Some(token), _) => early_answer(&app, req, serve_asset(&app, &token)).await,
        (None, None) => early_answer(&app, req, ApiError::not_found().into_response()).await,
        (None, Some((_, r))) => {
            let v1 = path.starts_with("/fusion/v1/");
            let call = Call {
                method: &method,
                path: &path,
                raw_query: raw_query.as_deref(),
                v1,
                partial,
            };
            dispatch(&app, call, r, req).await
        }
    };
    let resp = match fault {
        Some(f @ Fault::AppliedDrop) => {
            app.stats.fault(f.kind());
            count(0);
            return dropped();
        }
        Some(f @ Fault::AppliedStall(d)) => {
            app.stats.fault(f.kind());
            tokio::time::sleep(d).await;
            finish(resp, started)
        }
        Some(f @ Fault::Truncated) => {
            app.stats.fault(f.kind());
            truncated(finish(resp, started)).await
        }
        Some(f @ Fault::AppliedGateway(status)) => {
            app.stats.fault(f.kind());
            gateway_page(status)
        }
        _ => finish(resp, started),
    };
    count(resp.status().as_u16());
    resp
}

/// The page a reverse proxy answers with when the server behind it fails: 502, 503 or 504 with
/// an HTML body (never the JSON envelope).
fn gateway_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Bad Gateway")
    );
    let html = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::SERVER, HeaderValue::from_static("nginx"));
    r
}

/// `resp` with its headers and a `Content-Length` for the whole body, but only the first half
/// of the body: then the connection is closed, as when a proxy loses the upstream mid-answer.
async fn truncated(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let full = bytes.len();
    let prefix = bytes.slice(..full / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    let stream = futures_util::stream::unfold(Some(prefix), |state| async move {
        match state {
            Some(prefix) => Some((Ok::<Bytes, std::io::Error>(prefix), None)),
            None => {
                // Let the prefix reach the socket before the connection is cut.
                tokio::time::sleep(Duration::from_millis(20)).await;
                Some((
                    Err(std::io::Error::other("body truncated by fault injection")),
                    None,
                ))
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The answer to a request whose body took longer than the body read timeout.
fn body_timeout() -> Response {
    let mut r = StatusCode::REQUEST_TIMEOUT.into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Reads a whole request body, within the body read timeout.
async fn read_body(app: &App, body: Body) -> Result<Bytes, Response> {
    let t = app.settings.body_read_timeout;
    match tokio::time::timeout(t, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(_)) => Err(tips::default_error().into_response()),
        Err(_) => Err(body_timeout()),
    }
}

/// Answers `resp` to a request whose body is not needed, after reading and discarding the body
/// (up to the body limit and the body read timeout). Answering while the body is still arriving
/// would make the server close the connection, breaking the client's keep-alive.
async fn early_answer(app: &App, req: Request, mut resp: Response) -> Response {
    use futures_util::StreamExt;
    let mut data = req.into_body().into_data_stream();
    let discard = async {
        let mut seen = 0usize;
        while let Some(chunk) = data.next().await {
            seen += chunk.map_err(|_| ())?.len();
            if seen > BODY_LIMIT {
                return Err(());
            }
        }
        Ok(())
    };
    match tokio::time::timeout(app.settings.body_read_timeout, discard).await {
        Ok(Ok(())) => resp,
        Ok(Err(())) => {
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            resp
        }
        Err(_) => body_timeout(),
    }
}

/// What [`dispatch`] needs to know about a request besides its route.
struct Call<'a> {
    method: &'a Method,
    path: &'a str,
    raw_query: Option<&'a str>,
    v1: bool,
    /// A partial-batch fault's draw, when one was picked for this request.
    partial: Option<u64>,
}

async fn dispatch(app: &Arc<App>, call: Call<'_>, r: Route, req: Request) -> Response {
    let Call {
        method,
        path,
        raw_query,
        v1,
        partial,
    } = call;
    let Some(token) = bearer(req.headers()) else {
        return early_answer(app, req, ApiError::unauthorized().into_response()).await;
    };
    if v1 && let Some(points) = app.settings.rate_limit {
        let verdict = app.rate.hit(&scope_of(path), &token, points);
        if verdict.sliding_over {
            app.stats.sliding_over();
        }
        if !verdict.admitted {
            return early_answer(app, req, ApiError::rate_limited(points).into_response()).await;
        }
    }
    let user = {
        let state = app.store.read();
        state.user_by_token(&token).map(|u| u.id.clone())
    };
    let Some(user) = user else {
        return early_answer(app, req, ApiError::unauthorized().into_response()).await;
    };
    let q = Query::parse(raw_query);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = match read_body(app, req.into_body()).await {
        Ok(b) => b,
        Err(resp) => return resp,
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
    let mut body = if needs_body {
        match parse_json_body(&bytes) {
            Ok(b) => b,
            Err(e) => return error_response(app, e),
        }
    } else {
        Json::Null
    };
    if let (Some(draw), Route::Records(_), &Method::POST) = (partial, &r, method) {
        keep_first_records(app, &mut body, draw);
    }
    let app2 = app.clone();
    let m = method.as_str().to_string();
    blocking(app, move || run(&app2, &m, &user, r, &q, &body)).await
}

/// The partial-batch fault: cuts a create body's `records` to its first k (1 ≤ k < n). Bodies
/// the server would refuse for their size (n above the per-request limit) are left alone.
fn keep_first_records(app: &App, body: &mut Json, draw: u64) {
    let Some(Json::Array(records)) = body.get_mut("records") else {
        return;
    };
    if records.len() > app.settings.limits.max_records_per_write {
        return;
    }
    if let Some(k) = partial_count(records.len(), draw) {
        records.truncate(k);
        app.stats.fault("partialBatch");
    }
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
    let contacts = |spc| units::UnitsRequest {
        app,
        user,
        spc,
        method: m,
        q,
        body,
    };
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
        Member(spc, unit) => units::member(&contacts(&spc), &unit),
        Roles(spc, unit, sub) => units::roles(&contacts(&spc), unit.as_deref(), sub),
        Teams(spc, unit, sub) => units::teams(&contacts(&spc), unit.as_deref(), sub),
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
    let bytes = match read_body(app, req.into_body()).await {
        Ok(b) => b.to_vec(),
        Err(resp) => return resp,
    };
    let app2 = app.clone();
    let token = token.to_string();
    blocking(app, move || {
        attachments::store_presigned(&app2, &token, ct, bytes)
    })
    .await
}

/// `GET /assets/{token}`: the stored bytes. Images and common document types keep their stored
/// type; anything else (HTML, SVG, …) is a download (`application/octet-stream` with
/// `Content-Disposition: attachment`). Always `X-Content-Type-Options: nosniff`.
fn serve_asset(app: &App, token: &str) -> Response {
    let meta = {
        let state = app.store.read();
        state
            .assets
            .get(token)
            .map(|a| (a.mime_type.clone(), a.name.clone()))
    };
    let Some((mime, name)) = meta else {
        return ApiError::not_found().into_response();
    };
    let Some(bytes) = app.store.asset_bytes(token) else {
        return ApiError::not_found().into_response();
    };
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    match attachments::inline_type(&mime).and_then(|t| HeaderValue::from_str(&t).ok()) {
        Some(v) => {
            h.insert(header::CONTENT_TYPE, v);
        }
        None => {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Ok(v) = HeaderValue::from_str(&attachments::attachment_disposition(&name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `/_emulator/…`: stats and faults, guarded by the admin token.
async fn admin(app: &App, req: Request) -> Response {
    if bearer(req.headers()).as_deref() != Some(app.admin_token.as_str()) {
        return early_answer(app, req, ApiError::unauthorized().into_response()).await;
    }
    let method = req.method().clone();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let bytes = match read_body(app, req.into_body()).await {
        Ok(b) => b,
        Err(resp) if resp.status() == StatusCode::REQUEST_TIMEOUT => return resp,
        Err(_) => Bytes::new(),
    };
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
