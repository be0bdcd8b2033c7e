//! The response envelope `{success, code, message, data}` (reference §1).

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::{ApiError, DecodeError, Error};

/// The parts of an envelope that say whether the call worked.
#[derive(Deserialize)]
struct Head {
    success: Option<bool>,
    code: Option<i64>,
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    #[allow(dead_code)]
    data: Option<IgnoredAny>,
}

/// `message` is a string, or (for multi-error DTO failures) an array of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Message {
    Text(String),
    List(Vec<serde_json::Value>),
    Other(serde_json::Value),
}

impl Message {
    fn into_text(self) -> String {
        match self {
            Message::Text(s) => s,
            Message::List(items) => items
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
            Message::Other(v) => v.to_string(),
        }
    }
}

/// Checks a response: a JSON envelope with `success: true` passes; `success: false` (whatever
/// the HTTP status) is an [`Error::Api`]; a body that is not JSON is a gateway page
/// ([`Error::Gateway`]) for error statuses and a decode error otherwise.
pub(crate) fn check(status: u16, body: &[u8]) -> Result<(), Error> {
    let head: Head = match serde_json::from_slice(body) {
        Ok(head) => head,
        Err(_) if status >= 400 => return Err(Error::Gateway { status }),
        Err(e) => {
            return Err(Error::Decode(DecodeError::new(format!(
                "HTTP {status}: the response is not a JSON envelope ({e})"
            ))));
        }
    };
    let message = head.message.map(Message::into_text).unwrap_or_default();
    match head.success {
        Some(true) if status < 400 => Ok(()),
        Some(false) => Err(Error::Api(ApiError {
            status,
            code: head.code.unwrap_or(i64::from(status)),
            message,
        })),
        // No `success` flag, or `success: true` with an error status: trust the status.
        _ if status >= 400 => Err(Error::Api(ApiError {
            status,
            code: head.code.unwrap_or(i64::from(status)),
            message,
        })),
        _ => Err(Error::Decode(DecodeError::new(format!(
            "HTTP {status}: the response envelope has no \"success\" flag"
        )))),
    }
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

/// Decodes `data` of a checked envelope straight from the bytes.
pub(crate) fn data<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice::<Data<T>>(body)
        .map(|d| d.data)
        .map_err(|e| Error::Decode(DecodeError::new(format!("unexpected response data: {e}"))))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any body with any status classifies without panicking, and never as a success
        /// unless it says `"success": true` with a non-error status.
        #[test]
        fn any_body_classifies(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let ok = check(status, &body).is_ok();
            if ok {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                prop_assert_eq!(v["success"].as_bool(), Some(true));
                prop_assert!(status < 400);
            }
        }

        #[test]
        fn json_envelopes_classify(status in 100u16..600, success in proptest::option::of(any::<bool>()),
                                   code in proptest::option::of(any::<i64>()), message in ".{0,20}") {
            let mut v = serde_json::json!({"message": message});
            if let Some(s) = success { v["success"] = s.into(); }
            if let Some(c) = code { v["code"] = c.into(); }
            let result = check(status, v.to_string().as_bytes());
            match (success, status < 400) {
                (Some(true), true) => prop_assert!(result.is_ok()),
                (Some(false), _) => {
                    let is_api_error = matches!(result, Err(Error::Api(_)));
                    prop_assert!(is_api_error);
                }
                _ => prop_assert!(result.is_err()),
            }
        }
    }
}
