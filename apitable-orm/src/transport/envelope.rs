//! The response envelope `{success, code, message, data}`.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::error::{ApiError, DecodeError, Error, SentCode};

/// The parts of an envelope that say whether the call worked. Every part is read as any JSON
/// value, so that a wrongly typed part cannot hide the others (a string `code` must not lose
/// the server's message). Only a JSON object is an envelope; a repeated key counts once, the
/// last time, as in any JSON reader.
struct Head {
    success: Option<Value>,
    code: Option<Value>,
    message: Option<Value>,
}

impl<'de> Deserialize<'de> for Head {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct HeadVisitor;
        impl<'de> Visitor<'de> for HeadVisitor {
            type Value = Head;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
                let mut head = Head {
                    success: None,
                    code: None,
                    message: None,
                };
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "success" => &mut head.success,
                        "code" => &mut head.code,
                        "message" => &mut head.message,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value()?);
                }
                Ok(head)
            }
        }
        // Not `deserialize_struct`: that would also take a JSON array, by position.
        d.deserialize_map(HeadVisitor)
    }
}

/// The longest code text kept from a non-numeric `code`.
const MAX_CODE_TEXT: usize = 200;

/// Reads `code`: a number (or a string holding an integer) is the numeric code; another string
/// or value is kept as text; `null`, `""` and an absent key mean no code.
fn read_code(code: Option<Value>) -> (Option<i64>, SentCode) {
    let text = match code {
        None | Some(Value::Null) => return (None, SentCode::Absent),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                return (Some(i), SentCode::Number);
            }
            match n.as_f64() {
                // 429.0 is 429; 4.5 and 1e300 are not codes the client can branch on.
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    return (Some(f as i64), SentCode::Number);
                }
                _ => n.to_string(),
            }
        }
        Some(Value::String(s)) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                return (None, SentCode::Absent);
            }
            if let Ok(i) = trimmed.parse::<i64>() {
                return (Some(i), SentCode::Number);
            }
            s
        }
        Some(other) => other.to_string(),
    };
    let mut text = text;
    if let Some((cut, _)) = text.char_indices().nth(MAX_CODE_TEXT) {
        text.truncate(cut);
        text.push('…');
    }
    (None, SentCode::Text(text))
}

/// Reads `message`: a string, or (for multi-error DTO failures) an array of strings, joined
/// with `"; "`; another value is kept as its JSON text.
fn read_message(message: Option<Value>) -> Option<String> {
    match message? {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Array(items) => Some(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Some(other.to_string()),
    }
}

/// Checks a response: a JSON envelope with `success: true` passes; `success: false` (whatever
/// the HTTP status) is an [`Error::Api`], as is any JSON object with an error status; a body
/// that is not a JSON object is a gateway page ([`Error::Gateway`]) for error statuses and a
/// decode error otherwise.
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
    let success = match head.success {
        Some(Value::Bool(b)) => Some(b),
        _ => None,
    };
    let api_error = || {
        let (code, sent) = read_code(head.code);
        Err(Error::Api(ApiError::from_envelope(
            status,
            code,
            sent,
            read_message(head.message),
        )))
    };
    match success {
        Some(true) if status < 400 => Ok(()),
        Some(false) => api_error(),
        // No `success` flag, or `success: true` with an error status: trust the status.
        _ if status >= 400 => api_error(),
        _ => Err(Error::Decode(DecodeError::new(format!(
            "HTTP {status}: the response envelope has no boolean \"success\" flag"
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
    use std::collections::HashMap;

    use proptest::prelude::*;
    use serde_json::value::RawValue;

    use super::*;
    use crate::api::Fields;
    use crate::api::records::RawRecordPage as RecordPage;
    use crate::api::records::page_record_ids;
    use crate::ids::RecordId;
    use crate::table::decode_page;

    /// A typed table for the page decoder.
    #[derive(Debug, crate::Table)]
    #[apitable(crate = "crate", datasheet = "dstFuzz00000001")]
    struct Row {
        #[apitable(record_id)]
        id: Option<RecordId>,
        #[apitable(name = "Name")]
        name: Option<String>,
    }

    /// Whether `body` is a JSON object whose last `success` key holds `true` (read without
    /// converting any number, so that `1e400` elsewhere does not matter).
    fn says_success(body: &[u8]) -> bool {
        serde_json::from_slice::<HashMap<String, Box<RawValue>>>(body)
            .is_ok_and(|m| m.get("success").is_some_and(|v| v.get() == "true"))
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
                .prop_map(Value::from),
            (-1000i64..1000).prop_map(|n| Value::from(n.to_string())),
            "[ -~]{0,12}".prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::from),
        ]
    }

    /// Arbitrary JSON: nested arrays and objects of any leaves.
    fn json() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-z]{0,6}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn code_value() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            any::<i64>().prop_map(|c| Some(c.into())),
            (0i64..1000).prop_map(|c| Some(c.into())),
            (0i64..1000).prop_map(|c| Some(format!(" {c} ").into())),
            Just(Some("429".into())),
            Just(Some(429.0.into())),
            Just(Some(1e300.into())),
            Just(Some(u64::MAX.into())),
            "[A-Z_]{1,12}".prop_map(|c| Some(c.into())),
            Just(Some("".into())),
            "\\PC{0,300}".prop_map(|c| Some(c.into())),
            json().prop_map(Some),
        ]
    }

    fn message_value() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            "\\PC{0,20}".prop_map(|m| Some(m.into())),
            proptest::collection::vec(json(), 0..4).prop_map(|m| Some(Value::Array(m))),
            json().prop_map(Some),
        ]
    }

    fn success_value() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(true.into())),
            Just(Some(false.into())),
            Just(Some("true".into())),
            json().prop_map(Some),
        ]
    }

    /// What a `code` should read as: (the number, the text, whether there was none).
    fn expected_code(code: Option<&Value>) -> (Option<i64>, Option<String>) {
        let cut = |s: String| match s.char_indices().nth(200) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s,
        };
        match code {
            None | Some(Value::Null) => (None, None),
            Some(Value::Number(n)) if n.is_i64() => (n.as_i64(), None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(f) if f.trunc() == f && f.abs() < 9.0e15 => (Some(f as i64), None),
                _ => (None, Some(cut(n.to_string()))),
            },
            Some(Value::String(s)) if s.trim().is_empty() => (None, None),
            Some(Value::String(s)) => match s.trim().parse::<i64>() {
                Ok(n) => (Some(n), None),
                Err(_) => (None, Some(cut(s.clone()))),
            },
            Some(other) => (None, Some(cut(other.to_string()))),
        }
    }

    /// The message as the error should carry it ("" for none).
    fn expected_message(message: Option<&Value>) -> String {
        match message {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
            Some(other) => other.to_string(),
        }
    }

    /// One part of a generated page: a value of the right type, none, or a wrong one.
    #[derive(Debug, Clone)]
    enum Part {
        Good(Value),
        Absent,
        Bad(Value),
    }

    impl Part {
        fn is_good(&self) -> bool {
            matches!(self, Part::Good(_))
        }
        fn is_bad(&self) -> bool {
            matches!(self, Part::Bad(_))
        }
        fn entry(&self, key: &str) -> Option<String> {
            match self {
                Part::Good(v) | Part::Bad(v) => Some(format!("{}:{v}", Value::from(key))),
                Part::Absent => None,
            }
        }
    }

    /// A count: any u64 (1e15 included) is good; negative, fractional, huge, textual or other
    /// values are not.
    fn count() -> impl Strategy<Value = Part> {
        prop_oneof![
            3 => prop_oneof![0u64..3000, Just(1_000_000_000_000_000), Just(u64::MAX)]
                .prop_map(|n| Part::Good(n.into())),
            1 => Just(Part::Absent),
            1 => prop_oneof![
                Just(Value::from(-1)),
                Just(Value::from(1.5)),
                Just(Value::from(1e300)),
                Just(Value::from("10")),
                Just(Value::Null),
                Just(serde_json::json!([])),
                Just(serde_json::json!({})),
            ]
            .prop_map(Part::Bad),
        ]
    }

    fn junk() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            Just(Value::from(5)),
            Just(Value::from("x")),
            Just(Value::from(true))
        ]
    }

    #[derive(Debug, Clone)]
    enum GenFields {
        Absent,
        NotObject(Value),
        Object { name: Part, extra: Option<Value> },
    }

    #[derive(Debug, Clone)]
    enum GenRecord {
        NotObject(Value),
        Object {
            id: Part,
            created: Part,
            fields: GenFields,
            extra: Option<Value>,
            id_first: bool,
        },
    }

    fn record() -> impl Strategy<Value = GenRecord> {
        let id = prop_oneof![
            4 => "rec[A-Za-z0-9]{1,12}".prop_map(|s| Part::Good(s.into())),
            1 => Just(Part::Absent),
            1 => prop_oneof![
                Just(Value::from("rec")),
                Just(Value::from("dstAbc")),
                Just(Value::from("rec-1")),
                Just(Value::from(7)),
                Just(Value::Null),
            ]
            .prop_map(Part::Bad),
        ];
        let created = prop_oneof![
            any::<i64>().prop_map(|n| Part::Good(n.into())),
            Just(Part::Good(Value::Null)),
            Just(Part::Absent),
            prop_oneof![Just(Value::from("x")), Just(Value::from(1.5))].prop_map(Part::Bad),
        ];
        let name = prop_oneof![
            "\\PC{0,10}".prop_map(|s| Part::Good(s.into())),
            Just(Part::Absent),
            prop_oneof![
                Just(Value::from(3)),
                Just(serde_json::json!({"a": 1})),
                Just(serde_json::json!(["a"]))
            ]
            .prop_map(Part::Bad),
        ];
        let fields = prop_oneof![
            1 => Just(GenFields::Absent),
            1 => junk().prop_map(GenFields::NotObject),
            6 => (name, proptest::option::of(json()))
                .prop_map(|(name, extra)| GenFields::Object { name, extra }),
        ];
        prop_oneof![
            1 => junk().prop_map(GenRecord::NotObject),
            9 => (id, created, fields, proptest::option::of(json()), any::<bool>()).prop_map(
                |(id, created, fields, extra, id_first)| GenRecord::Object {
                    id,
                    created,
                    fields,
                    extra,
                    id_first,
                }
            ),
        ]
    }

    impl GenRecord {
        fn text(&self) -> String {
            let GenRecord::Object {
                id,
                created,
                fields,
                extra,
                id_first,
            } = self
            else {
                let GenRecord::NotObject(v) = self else {
                    unreachable!()
                };
                return v.to_string();
            };
            let fields = match fields {
                GenFields::Absent => None,
                GenFields::NotObject(v) => Some(format!("\"fields\":{v}")),
                GenFields::Object { name, extra } => {
                    let mut cells: Vec<String> = name.entry("Name").into_iter().collect();
                    if let Some(v) = extra {
                        cells.push(format!("\"Other\":{v}"));
                    }
                    Some(format!("\"fields\":{{{}}}", cells.join(",")))
                }
            };
            let mut entries: Vec<String> = Vec::new();
            if *id_first {
                entries.extend(id.entry("recordId"));
                entries.extend(fields);
            } else {
                entries.extend(fields);
                entries.extend(id.entry("recordId"));
            }
            entries.extend(created.entry("createdAt"));
            if let Some(v) = extra {
                entries.push(format!("\"extra\":{v}"));
            }
            format!("{{{}}}", entries.join(","))
        }

        /// (decodes untyped, decodes typed, its id).
        fn expect(&self) -> (bool, bool, Option<String>) {
            let GenRecord::Object {
                id,
                created,
                fields,
                ..
            } = self
            else {
                return (false, false, None);
            };
            let Part::Good(Value::String(rid)) = id else {
                return (false, false, None);
            };
            let (mut untyped, mut typed) = (!created.is_bad(), true);
            match fields {
                GenFields::Absent => untyped = false,
                GenFields::NotObject(_) => (untyped, typed) = (false, false),
                GenFields::Object { name, .. } => typed = !name.is_bad(),
            }
            (untyped, typed, Some(rid.clone()))
        }
    }

    #[derive(Debug, Clone)]
    enum GenRecords {
        Absent,
        NotArray(Value),
        List(Vec<GenRecord>),
    }

    #[derive(Debug, Clone)]
    enum GenData {
        Absent,
        NotObject(Value),
        Page {
            total: Part,
            page_num: Part,
            page_size: Part,
            records: GenRecords,
            extra: Option<Value>,
        },
    }

    fn data_strategy() -> impl Strategy<Value = GenData> {
        let records = prop_oneof![
            1 => Just(GenRecords::Absent),
            1 => junk().prop_map(GenRecords::NotArray),
            6 => proptest::collection::vec(record(), 0..5).prop_map(GenRecords::List),
        ];
        prop_oneof![
            1 => Just(GenData::Absent),
            1 => prop_oneof![junk(), Just(serde_json::json!([1]))].prop_map(GenData::NotObject),
            8 => (count(), count(), count(), records, proptest::option::of(json())).prop_map(
                |(total, page_num, page_size, records, extra)| GenData::Page {
                    total,
                    page_num,
                    page_size,
                    records,
                    extra,
                }
            ),
        ]
    }

    /// What the decoders should make of a page.
    struct PageExpect {
        untyped: bool,
        typed: bool,
        total: u64,
        page_num: u64,
        ids: Vec<String>,
    }

    impl GenData {
        fn text(&self) -> Option<String> {
            match self {
                GenData::Absent => None,
                GenData::NotObject(v) => Some(v.to_string()),
                GenData::Page {
                    total,
                    page_num,
                    page_size,
                    records,
                    extra,
                } => {
                    let mut entries: Vec<String> = Vec::new();
                    if let Some(v) = extra {
                        entries.push(format!("\"more\":{v}"));
                    }
                    entries.extend(total.entry("total"));
                    entries.extend(page_num.entry("pageNum"));
                    entries.extend(page_size.entry("pageSize"));
                    match records {
                        GenRecords::Absent => {}
                        GenRecords::NotArray(v) => entries.push(format!("\"records\":{v}")),
                        GenRecords::List(list) => {
                            let items: Vec<String> = list.iter().map(GenRecord::text).collect();
                            entries.push(format!("\"records\":[{}]", items.join(",")));
                        }
                    }
                    Some(format!("{{{}}}", entries.join(",")))
                }
            }
        }

        fn expect(&self) -> PageExpect {
            let fail = PageExpect {
                untyped: false,
                typed: false,
                total: 0,
                page_num: 0,
                ids: Vec::new(),
            };
            let GenData::Page {
                total,
                page_num,
                records,
                ..
            } = self
            else {
                return fail;
            };
            let number = |p: &Part, default: u64| match p {
                Part::Good(v) => v.as_u64().unwrap(),
                _ => default,
            };
            // The raw page reads `total`, `pageNum` and `records`; the server's `pageSize` (the
            // count of records in the page) is not kept, so any value of it passes.
            let mut untyped = total.is_good() && page_num.is_good();
            let mut typed = !total.is_bad() && !page_num.is_bad();
            let mut ids = Vec::new();
            match records {
                GenRecords::Absent => untyped = false,
                GenRecords::NotArray(_) => (untyped, typed) = (false, false),
                GenRecords::List(list) => {
                    for r in list {
                        let (u, t, id) = r.expect();
                        untyped &= u;
                        typed &= t;
                        ids.extend(id);
                    }
                }
            }
            PageExpect {
                untyped,
                typed,
                total: number(total, 0),
                page_num: number(page_num, 1),
                ids,
            }
        }
    }

    /// A response body: arbitrary bytes, or a JSON envelope whose `success` flag is known.
    #[derive(Debug, Clone)]
    enum GenBody {
        /// Any bytes; hardly ever an envelope.
        Bytes(Vec<u8>),
        /// A JSON object with `"success": true` among parts of any type.
        Success(String),
        /// A JSON object with `"success": false` among parts of any type.
        Failure(String),
    }

    impl GenBody {
        fn bytes(&self) -> &[u8] {
            match self {
                GenBody::Bytes(b) => b,
                GenBody::Success(s) | GenBody::Failure(s) => s.as_bytes(),
            }
        }
    }

    /// An envelope with this `success` flag, first or last among a code, a message, data and
    /// other keys of any type (none of them named `success`).
    fn flagged_envelope(success: bool) -> impl Strategy<Value = String> {
        (
            code_value(),
            message_value(),
            proptest::option::of(json()),
            proptest::collection::vec(("[a-z]{1,6}", json()), 0..3),
            any::<bool>(),
        )
            .prop_map(move |(code, message, data, extra, flag_first)| {
                let mut entries: Vec<String> = Vec::new();
                for (key, part) in [("code", code), ("message", message), ("data", data)] {
                    if let Some(v) = part {
                        entries.push(format!("{}:{v}", Value::from(key)));
                    }
                }
                for (key, v) in extra {
                    entries.push(format!("{}:{v}", Value::from(key)));
                }
                let flag = format!(r#""success":{success}"#);
                if flag_first {
                    entries.insert(0, flag);
                } else {
                    entries.push(flag);
                }
                format!("{{{}}}", entries.join(","))
            })
    }

    /// Bodies of the three kinds, equally often.
    fn any_body() -> impl Strategy<Value = GenBody> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200).prop_map(GenBody::Bytes),
            flagged_envelope(true).prop_map(GenBody::Success),
            flagged_envelope(false).prop_map(GenBody::Failure),
        ]
    }

    proptest! {
        /// Any body with any status classifies without panicking: a `success: true` envelope
        /// under 400 passes, with an error status or with `success: false` it is an API error
        /// carrying that status and the server's code, and arbitrary bytes never pass unless
        /// they happen to be such an envelope. The page decoders take the same bytes without
        /// panicking.
        #[test]
        fn any_body_classifies(status in 100u16..600, body in any_body()) {
            let bytes = body.bytes();
            let result = check(status, bytes);
            match &body {
                GenBody::Success(_) if status < 400 => prop_assert!(result.is_ok(), "{:?}", result),
                GenBody::Success(text) | GenBody::Failure(text) => {
                    let Err(Error::Api(e)) = &result else {
                        return Err(TestCaseError::fail(format!("expected an API error: {result:?}")));
                    };
                    let read: Value = serde_json::from_str(text).unwrap();
                    let (number, _) = expected_code(read.get("code"));
                    prop_assert_eq!(e.status(), status);
                    prop_assert_eq!(e.code(), number.unwrap_or(i64::from(status)));
                }
                GenBody::Bytes(raw) => {
                    if result.is_ok() {
                        prop_assert!(says_success(raw));
                        prop_assert!(status < 400);
                    }
                }
            }
            if let Err(e) = result {
                let _ = (e.to_string(), e.is_retryable(), e.may_have_been_applied());
            }
            let _ = data::<RecordPage<Fields>>(bytes);
            let _ = decode_page::<Row>(bytes, 100);
            let _ = page_record_ids(bytes);
        }

        /// Envelopes whose parts have any type: success is `success: true` under 400 and
        /// nothing else; every failure keeps the server's code and message as sent.
        #[test]
        fn json_envelopes_classify(status in 100u16..600, success in success_value(),
                                   code in code_value(), message in message_value(),
                                   data in proptest::option::of(json())) {
            let mut v = serde_json::Map::new();
            for (key, part) in [("success", &success), ("code", &code), ("message", &message), ("data", &data)] {
                if let Some(part) = part {
                    v.insert(key.to_owned(), part.clone());
                }
            }
            let body = Value::Object(v).to_string();
            let result = check(status, body.as_bytes());
            // The parts as a JSON reader reads them back (floats need not survive the trip).
            let read: Value = serde_json::from_str(&body).unwrap();
            let (code, message) = (read.get("code").cloned(), read.get("message").cloned());
            let flag = success.as_ref().and_then(Value::as_bool);
            match (flag, status < 400) {
                (Some(true), true) => prop_assert!(result.is_ok(), "{:?}", result),
                (Some(false), _) | (_, false) => {
                    let Err(Error::Api(e)) = &result else {
                        return Err(TestCaseError::fail(format!("expected an API error: {result:?}")));
                    };
                    let (number, text) = expected_code(code.as_ref());
                    prop_assert_eq!(e.status(), status);
                    prop_assert_eq!(e.code(), number.unwrap_or(i64::from(status)));
                    prop_assert_eq!(e.numeric_code(), number);
                    prop_assert_eq!(e.code_text(), text.as_deref());
                    let expected = expected_message(message.as_ref());
                    prop_assert_eq!(e.message(), expected.as_str());
                    let shown = e.to_string();
                    prop_assert!(shown.starts_with("APITable error "), "{}", shown);
                    prop_assert!(shown.contains(&format!("HTTP {status}")), "{}", shown);
                    prop_assert_eq!(shown.contains(", no code)"), number.is_none() && text.is_none(), "{}", shown);
                    prop_assert_eq!(shown.ends_with(", without a message"), expected.is_empty(), "{}", shown);
                    prop_assert!(shown.contains(&expected), "{}", shown);
                    let error = Error::Api(e.clone());
                    prop_assert_eq!(error.to_string(), shown);
                    prop_assert_eq!(error.is_rate_limited(), number == Some(429) || status == 429);
                }
                (None, true) => {
                    let is_decode = matches!(result, Err(Error::Decode(_)));
                    prop_assert!(is_decode, "{:?}", result);
                }
            }
        }

        /// Codes as raw JSON text, including numbers no JSON reader can hold and nesting past
        /// the reader's depth limit: the envelope classifies as its JSON reads.
        #[test]
        fn raw_codes_classify(status in prop_oneof![Just(200u16), Just(429), Just(500)], token in prop_oneof![
            Just("1e400".to_owned()), Just("-1e400".to_owned()),
            Just("123456789012345678901234567890".to_owned()), Just("-0".to_owned()),
            Just("1E2".to_owned()), Just("429.0".to_owned()), Just("4.5".to_owned()),
            Just("\"\\u0034\\u0032\\u0039\"".to_owned()), Just("\" \"".to_owned()),
            Just("\"\\ud800\"".to_owned()), Just("\"E_\\n\"".to_owned()),
            (1usize..300).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
            (1usize..300).prop_map(|n| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
        ]) {
            let body = format!(r#"{{"success":false,"code":{token},"message":"m"}}"#);
            let result = check(status, body.as_bytes());
            match serde_json::from_str::<Value>(&body) {
                Ok(v) => {
                    let Err(Error::Api(e)) = &result else {
                        return Err(TestCaseError::fail(format!("expected an API error: {result:?}")));
                    };
                    let (number, text) = expected_code(v.get("code"));
                    prop_assert_eq!(e.numeric_code(), number);
                    prop_assert_eq!(e.code_text(), text.as_deref());
                    prop_assert_eq!(e.message(), "m");
                }
                Err(_) if status >= 400 => {
                    let is_gateway = matches!(result, Err(Error::Gateway { .. }));
                    prop_assert!(is_gateway, "{:?}", result);
                }
                Err(_) => {
                    let is_decode = matches!(result, Err(Error::Decode(_)));
                    prop_assert!(is_decode, "{:?}", result);
                }
            }
        }

        /// Pages whose parts have the right type, none, or a wrong one, in any key order: both
        /// page decoders accept exactly the pages they should and report what was sent.
        #[test]
        fn pages_decode_as_they_should(page in data_strategy(), extra in proptest::option::of(json()),
                                       cut in proptest::option::of(any::<prop::sample::Index>())) {
            let mut entries = vec![r#""success":true"#.to_owned(), r#""code":200"#.to_owned()];
            if let Some(v) = &extra {
                entries.push(format!("\"extra\":{v}"));
            }
            if let Some(text) = page.text() {
                entries.push(format!("\"data\":{text}"));
            }
            entries.push(r#""message":"SUCCESS""#.to_owned());
            let body = format!("{{{}}}", entries.join(","));
            if let Some(cut) = cut {
                // A truncated body: nothing may panic, and nothing passes as a success.
                let bytes = &body.as_bytes()[..cut.index(body.len())];
                if check(200, bytes).is_ok() {
                    prop_assert!(says_success(bytes));
                }
                let _ = data::<RecordPage<Fields>>(bytes);
                let _ = decode_page::<Row>(bytes, 100);
                let _ = page_record_ids(bytes);
                return Ok(());
            }
            prop_assert!(check(200, body.as_bytes()).is_ok());
            let expect = page.expect();
            let untyped = data::<RecordPage<Fields>>(body.as_bytes());
            prop_assert_eq!(untyped.is_ok(), expect.untyped, "untyped {:?}\n{}", untyped, body);
            if let Ok(page) = untyped {
                prop_assert_eq!(page.total, expect.total);
                prop_assert_eq!(page.page_num, expect.page_num);
                let ids: Vec<&str> = page.records.iter().map(|r| r.id.as_str()).collect();
                prop_assert_eq!(ids, expect.ids.iter().map(String::as_str).collect::<Vec<_>>());
            }
            let typed = decode_page::<Row>(body.as_bytes(), 100);
            prop_assert_eq!(typed.is_ok(), expect.typed, "typed {:?}\n{}", typed, body);
            if let Ok(page) = typed {
                prop_assert_eq!(page.total, expect.total);
                prop_assert_eq!(page.number, expect.page_num);
                let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_ref().unwrap().as_str()).collect();
                prop_assert_eq!(&ids, &expect.ids.iter().map(String::as_str).collect::<Vec<_>>());
                let read = page_record_ids(body.as_bytes()).unwrap();
                prop_assert_eq!(read.iter().map(|s| s.as_ref()).collect::<Vec<_>>(), ids);
            }
        }
    }

    #[test]
    fn a_json_array_is_not_an_envelope() {
        // A derived struct would also read `[true]` positionally, as `success: true`.
        for body in ["[true]", "[true, 200, \"SUCCESS\", {}]", "[false, 400]"] {
            let result = check(200, body.as_bytes());
            assert!(
                matches!(result, Err(Error::Decode(_))),
                "{body}: {result:?}"
            );
            assert!(matches!(
                check(502, body.as_bytes()),
                Err(Error::Gateway { status: 502 })
            ));
        }
    }
}
