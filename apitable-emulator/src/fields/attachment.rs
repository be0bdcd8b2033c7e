//! Attachment cells: `[{token, name}]` on write, full objects with a URL on read.

use serde_json::{Value as Json, json};

use super::text::truthy;
use super::{ReadEnv, WriteEnv};
use crate::envelope::ApiError;
use crate::ids;

/// Attachment writes: each token must name an uploaded asset.
pub(super) fn write(value: &Json, env: &WriteEnv<'_>) -> Result<Option<Json>, ApiError> {
    let arr = match value {
        Json::Null => return Ok(None),
        Json::Array(a) => a,
        _ => return Err(ApiError::bad("Attachment type must be array")),
    };
    for v in arr {
        if !truthy(Some(v)) || !truthy(v.get("token")) {
            return Err(ApiError::bad("Attachment token can't be null"));
        }
        if !truthy(v.get("name")) {
            return Err(ApiError::bad("Attachment name can't be null"));
        }
        if !v["token"].is_string() {
            return Err(ApiError::bad("Attachment token must be string"));
        }
        if !v["name"].is_string() {
            return Err(ApiError::bad("Attachment name must be string"));
        }
    }
    let mut out = Vec::new();
    for v in arr {
        let token = v["token"].as_str().unwrap_or_default();
        let Some(asset) = env.state.assets.get(token) else {
            return Err(ApiError::bad(
                "The attachment specified by the token does not exist",
            ));
        };
        let mut cell = json!({
            "id": ids::attachment(),
            "name": v["name"],
            "size": asset.size,
            "mimeType": asset.mime_type,
            "token": token,
        });
        if let Some(w) = asset.width {
            cell["width"] = json!(w);
        }
        if let Some(h) = asset.height {
            cell["height"] = json!(h);
        }
        out.push(cell);
    }
    if out.is_empty() {
        return Ok(None);
    }
    Ok(Some(Json::Array(out)))
}

/// The public URL of an asset token.
pub(crate) fn asset_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/assets/{token}")
}

/// The json read shape: each stored object plus its absolute `url`.
pub(super) fn read_json(stored: &Json, env: &ReadEnv<'_>) -> Json {
    let items = stored
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    let mut x = x.clone();
                    let url = asset_url(env.base_url, x["token"].as_str().unwrap_or(""));
                    x["url"] = json!(url);
                    x
                })
                .collect()
        })
        .unwrap_or_default();
    Json::Array(items)
}
