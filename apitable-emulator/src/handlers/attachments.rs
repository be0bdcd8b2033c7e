//! Attachment upload and how the stored bytes are served.

use serde_json::json;

use crate::app::{App, now_ms, visible_datasheet};
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::fields::attachment_url;
use crate::params::{Query, int};
use crate::store::model::Asset;

/// One uploaded file.
#[derive(Debug)]
pub(crate) struct Upload {
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

fn mime_for(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "html" => "text/html",
        _ => "application/octet-stream",
    }
}

/// The media type `GET /assets/{token}` serves a stored file with, when it may be shown inline:
/// raster images and common document, archive, audio and video types, reduced to
/// `type/subtype`. `None` for everything else (HTML, SVG, scripts, unknown types): those are
/// served as a download, so an upload can never run script in the emulator's origin.
pub(crate) fn inline_type(stored: &str) -> Option<String> {
    let essence = stored
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (top, sub) = essence.split_once('/')?;
    let token = !sub.is_empty()
        && sub
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'));
    let shown = match top {
        "image" => matches!(
            sub,
            "png"
                | "apng"
                | "jpeg"
                | "jpg"
                | "pjpeg"
                | "gif"
                | "webp"
                | "bmp"
                | "x-ms-bmp"
                | "x-icon"
                | "vnd.microsoft.icon"
        ),
        "audio" | "video" => token,
        "text" => matches!(sub, "plain" | "csv"),
        "application" => {
            matches!(
                sub,
                "pdf"
                    | "json"
                    | "zip"
                    | "x-zip-compressed"
                    | "gzip"
                    | "x-7z-compressed"
                    | "vnd.rar"
                    | "msword"
                    | "vnd.ms-excel"
                    | "vnd.ms-powerpoint"
            ) || (token
                && (sub.starts_with("vnd.openxmlformats-officedocument.")
                    || sub.starts_with("vnd.oasis.opendocument.")))
        }
        _ => false,
    };
    shown.then_some(essence)
}

/// A `Content-Disposition: attachment` value for `name`: a quoted ASCII fallback in which
/// quotes, backslashes, path separators and non-printable or non-ASCII characters become `_`,
/// plus the exact name as RFC 5987 `filename*` when the two differ.
pub(crate) fn attachment_disposition(name: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    let fallback: String = name
        .chars()
        .map(|c| match c {
            '"' | '\\' | '/' => '_',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '_',
        })
        .collect();
    let fallback = if fallback.trim().is_empty() {
        "file".to_string()
    } else {
        fallback
    };
    if fallback == name {
        format!("attachment; filename=\"{fallback}\"")
    } else {
        let exact = percent_encoding::utf8_percent_encode(name, KEEP);
        format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
    }
}

fn dimensions(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() >= 24 && b.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
        let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
        return Some((w, h));
    }
    if b.len() >= 10 && b.starts_with(b"GIF8") {
        let w = u16::from_le_bytes([b[6], b[7]]) as u32;
        let h = u16::from_le_bytes([b[8], b[9]]) as u32;
        return Some((w, h));
    }
    None
}

/// POST /fusion/v1/datasheets/{dstId}/attachments
pub(crate) fn upload(app: &App, user: &str, dst: &str, file: Option<Upload>) -> ApiResult {
    {
        let state = app.store.read();
        visible_datasheet(&state, user, dst)?;
    }
    let Some(file) = file else {
        return Err(tips::upload_invalid_file_name());
    };
    if file.file_name.is_empty() {
        return Err(tips::upload_invalid_file_name());
    }
    if file.bytes.is_empty() {
        // The upload handler answers failures with the tip's HTTP status as body code, and the
        // reply keeps POST's 201.
        return Err(ApiError {
            http: axum::http::StatusCode::CREATED,
            code: 200,
            message: "Uploaded attachment size is 0".into(),
            dto: false,
        });
    }
    let token = new_token();
    let mime = file
        .content_type
        .filter(|c| !c.is_empty() && c != "application/octet-stream")
        .unwrap_or_else(|| mime_for(&file.file_name).to_string());
    let dims = dimensions(&file.bytes);
    let asset = Asset {
        token: token.clone(),
        name: file.file_name.clone(),
        size: file.bytes.len() as u64,
        mime_type: mime.clone(),
        width: dims.map(|x| x.0),
        height: dims.map(|x| x.1),
    };
    let url = attachment_url(&app.base_url, &token);
    app.store.write(|state, batch| {
        batch.asset(&asset, file.bytes);
        state.assets.insert(token.clone(), asset.clone());
        Ok(())
    })?;
    let mut data = json!({
        "token": token,
        "name": asset.name,
        "size": asset.size,
        "mimeType": mime,
        "url": url,
    });
    if let Some((w, h)) = dims {
        data["width"] = json!(w);
        data["height"] = json!(h);
    }
    Ok(Success::created(data))
}

fn new_token() -> String {
    let days = now_ms().div_euclid(86_400_000);
    let (y, m, d) = crate::fields::civil(days);
    // 32 hex digits, like the real storage keys.
    format!("space/{y:04}/{m:02}/{d:02}/{}", crate::ids::user())
}

/// GET /fusion/v1/datasheets/{dstId}/attachments/presignedUrl?count=1..20
pub(crate) fn presigned(app: &App, user: &str, dst: &str, q: &Query) -> ApiResult {
    {
        let state = app.store.read();
        visible_datasheet(&state, user, dst)?;
    }
    let count = match q.scalar("count") {
        None => 1,
        Some(v) => match int(v) {
            Some(n) if (1..=20).contains(&n) => n,
            _ => return Err(tips::invalid_value("count")),
        },
    };
    let mut pending = app
        .pending_uploads
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let results: Vec<serde_json::Value> = (0..count)
        .map(|_| {
            let token = new_token();
            pending.push(token.clone());
            json!({
                "token": token,
                "uploadUrl": attachment_url(&app.base_url, &token),
                "uploadRequestMethod": "PUT",
            })
        })
        .collect();
    Ok(Success::ok(json!({ "results": results })))
}

/// `PUT /assets/{token}` with the file bytes, for a token from `presignedUrl`.
pub(crate) fn store_presigned(
    app: &App,
    token: &str,
    content_type: Option<String>,
    bytes: Vec<u8>,
) -> ApiResult {
    {
        let mut pending = app
            .pending_uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let Some(pos) = pending.iter().position(|t| t == token) else {
            return Err(ApiError::not_found());
        };
        pending.remove(pos);
    }
    let name = token.rsplit('/').next().unwrap_or("file").to_string();
    let dims = dimensions(&bytes);
    let asset = Asset {
        token: token.to_string(),
        name,
        size: bytes.len() as u64,
        mime_type: content_type.unwrap_or_else(|| "application/octet-stream".into()),
        width: dims.map(|x| x.0),
        height: dims.map(|x| x.1),
    };
    app.store.write(|state, batch| {
        batch.asset(&asset, bytes);
        state.assets.insert(asset.token.clone(), asset.clone());
        Ok(())
    })?;
    Ok(Success::ok(json!({})))
}
