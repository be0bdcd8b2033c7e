//! Cell types that are more than a plain number or string.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::FieldValue;
use apitable_schema::{Kind, Shape};

/// A point in time as APITable stores it: milliseconds since the Unix epoch (UTC).
///
/// Dates are always written as epoch milliseconds, which sidesteps the server's time-zone
/// parsing of date strings.
///
/// ```
/// use apitable_orm::value::Timestamp;
/// let t = Timestamp::from_millis(1_704_067_200_000); // 2024-01-01T00:00:00Z
/// assert_eq!(t.as_millis(), 1_704_067_200_000);
/// assert_eq!(t.to_system_time(), std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_704_067_200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From epoch milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Epoch milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The current time.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// As a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        if self.0 >= 0 {
            UNIX_EPOCH + Duration::from_millis(self.0 as u64)
        } else {
            UNIX_EPOCH - Duration::from_millis(self.0.unsigned_abs())
        }
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Err(e) => Timestamp(-i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX)),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

impl FieldValue for Timestamp {
    const EXPECTED: &'static str = "a date (epoch milliseconds)";
    const SHAPE: Shape = Shape::of(Kind::Timestamp);
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        // Epoch ms arrive as integers; tolerate a float with no fraction.
        let n = f64::deserialize(cell)?;
        if n.fract() != 0.0 || !n.is_finite() {
            return Err(serde::de::Error::custom(format!(
                "{n} is not a whole number of milliseconds"
            )));
        }
        Ok(Timestamp(n as i64))
    }
    fn encode(&self) -> Value {
        Value::from(self.0)
    }
}

/// A URL cell: the link and its title.
///
/// ```
/// use apitable_orm::value::Url;
/// let u = Url::new("https://example.com/menu").with_title("Menu");
/// assert_eq!(u.text, "https://example.com/menu");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Url {
    /// The URL itself.
    pub text: String,
    /// Its title (the server defaults it to the URL).
    #[serde(default)]
    pub title: Option<String>,
    /// The site's icon, if the server found one.
    #[serde(default)]
    pub favicon: Option<String>,
}

impl Url {
    /// A URL without a title.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            title: None,
            favicon: None,
        }
    }

    /// Sets the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

impl FieldValue for Url {
    const EXPECTED: &'static str = "a URL";
    const SHAPE: Shape = Shape::of(Kind::Url);
    /// A cell is `{"text", "title"?, "favicon"?}` (other keys ignored), a plain string (the
    /// URL without a title), or, as serde reads a struct, the list `[text, title?, favicon?]`.
    /// One pass straight from the input, without buffering the cell first.
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        cell.deserialize_any(UrlVisitor)
    }
    fn encode(&self) -> Value {
        match &self.title {
            Some(title) => json!({"text": self.text, "title": title}),
            None => json!({"text": self.text}),
        }
    }
    /// The server titles an untitled URL with its text and finds the favicon itself.
    fn matches_stored(&self, stored: &Self) -> bool {
        let title = |u: &Url| u.title.clone().unwrap_or_else(|| u.text.clone());
        self.text == stored.text && title(self) == title(stored)
    }
}

/// Decodes a URL cell in whichever shape it comes (see [`Url::decode`](FieldValue::decode)).
struct UrlVisitor;

/// A key of a URL object.
enum UrlKey {
    Text,
    Title,
    Favicon,
    Other,
}

impl UrlKey {
    fn of(name: &[u8]) -> UrlKey {
        match name {
            b"text" => UrlKey::Text,
            b"title" => UrlKey::Title,
            b"favicon" => UrlKey::Favicon,
            _ => UrlKey::Other,
        }
    }
}

impl<'de> Deserialize<'de> for UrlKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = UrlKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field identifier")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<UrlKey, E> {
                Ok(match v {
                    0 => UrlKey::Text,
                    1 => UrlKey::Title,
                    2 => UrlKey::Favicon,
                    _ => UrlKey::Other,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UrlKey, E> {
                Ok(UrlKey::of(v.as_bytes()))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<UrlKey, E> {
                Ok(UrlKey::of(v))
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for UrlVisitor {
    type Value = Url;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a URL (an object with its text, or a string)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Url, E> {
        Ok(Url::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Url, E> {
        Ok(Url::new(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Url, E> {
        match std::str::from_utf8(v) {
            Ok(s) => Ok(Url::new(s)),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Url, A::Error> {
        let mut text: Option<String> = None;
        let mut title: Option<Option<String>> = None;
        let mut favicon: Option<Option<String>> = None;
        while let Some(key) = map.next_key::<UrlKey>()? {
            match key {
                UrlKey::Text if text.is_some() => return Err(de::Error::duplicate_field("text")),
                UrlKey::Text => text = Some(map.next_value()?),
                UrlKey::Title if title.is_some() => {
                    return Err(de::Error::duplicate_field("title"));
                }
                UrlKey::Title => title = Some(map.next_value()?),
                UrlKey::Favicon if favicon.is_some() => {
                    return Err(de::Error::duplicate_field("favicon"));
                }
                UrlKey::Favicon => favicon = Some(map.next_value()?),
                UrlKey::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(Url {
            text: text.ok_or_else(|| de::Error::missing_field("text"))?,
            title: title.flatten(),
            favicon: favicon.flatten(),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Url, A::Error> {
        const EXPECTED: &str = "a URL list [text, title?, favicon?]";
        let text: String = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &EXPECTED))?;
        let title: Option<String> = seq.next_element()?.flatten();
        let favicon: Option<String> = seq.next_element()?.flatten();
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(4, &EXPECTED));
        }
        Ok(Url {
            text,
            title,
            favicon,
        })
    }
}

/// A file in an attachment cell, or an uploaded file. To add one to a cell, upload it with
/// [`Datasheet::upload_attachment`](crate::api::Datasheet::upload_attachment) and put the
/// result in the cell.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Attachment {
    /// The storage token that identifies the file.
    pub token: String,
    /// The file name.
    pub name: String,
    /// The attachment id in the cell (`atc…`).
    #[serde(default)]
    pub id: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Image width.
    #[serde(default)]
    pub width: Option<u32>,
    /// Image height.
    #[serde(default)]
    pub height: Option<u32>,
    /// Download URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Preview URL.
    #[serde(default)]
    pub preview: Option<String>,
}

impl Attachment {
    /// An attachment to write, from an upload token and a file name.
    pub fn new(token: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            name: name.into(),
            id: None,
            size: None,
            mime_type: None,
            width: None,
            height: None,
            url: None,
            preview: None,
        }
    }
}

impl FieldValue for Attachment {
    const EXPECTED: &'static str = "an attachment";
    const SHAPE: Shape = Shape::of(Kind::Attachment);
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        Attachment::deserialize(cell)
    }
    /// Only the token and the name are written; the server fills in the rest.
    fn encode(&self) -> Value {
        json!({"token": self.token, "name": self.name})
    }
}

/// Whether a member cell entry is a person or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum MemberType {
    /// A person.
    Member,
    /// A team.
    Team,
}

/// An entry of a member cell.
///
/// A cell read from the server names the unit every way at once. To write one, name it in any
/// one of three ways:
///
/// ```
/// use apitable_orm::FieldValue;
/// use apitable_orm::value::{Member, MemberType};
/// // By the cell's own unit id (the numeric string `id` of a member cell read earlier):
/// assert_eq!(Member::by_id("1234").encode(), serde_json::json!({"id": "1234"}));
/// // By the unit id the contacts API hands out (`api::SpaceMember::unit_id`):
/// assert_eq!(Member::by_unit_id("f2a9c0").encode(), serde_json::json!({"unitId": "f2a9c0"}));
/// // By name and kind:
/// assert_eq!(
///     Member::by_name("Ada", MemberType::Member).encode(),
///     serde_json::json!({"name": "Ada", "type": "Member"})
/// );
/// ```
///
/// A member from the contacts API converts directly: `Member::from(&contact)`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Member {
    /// The unit id of the cell (a numeric string); empty in an entry written by
    /// [`unit_id`](Self::unit_id) or by name.
    #[serde(default)]
    pub id: String,
    /// The original unit id, the one the contacts API uses.
    #[serde(default)]
    pub unit_id: Option<String>,
    /// Person or team.
    #[serde(rename = "type", default)]
    pub member_type: Option<MemberType>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
}

impl Member {
    fn blank() -> Self {
        Self {
            id: String::new(),
            unit_id: None,
            member_type: None,
            name: None,
            avatar: None,
        }
    }

    /// A member to write, by the cell's unit id (the `id` of a member cell read earlier).
    pub fn by_id(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::blank()
        }
    }

    /// A member to write, by the original unit id the contacts API hands out
    /// ([`api::SpaceMember::unit_id`](crate::api::SpaceMember)).
    pub fn by_unit_id(unit_id: impl Into<String>) -> Self {
        Self {
            unit_id: Some(unit_id.into()),
            ..Self::blank()
        }
    }

    /// A member or team to write, by its display name. The name must be unique in the space.
    pub fn by_name(name: impl Into<String>, member_type: MemberType) -> Self {
        Self {
            name: Some(name.into()),
            member_type: Some(member_type),
            ..Self::blank()
        }
    }
}

impl From<&crate::api::SpaceMember> for Member {
    /// The member's cell entry, by unit id.
    fn from(m: &crate::api::SpaceMember) -> Self {
        Self {
            unit_id: Some(m.unit_id.to_string()),
            member_type: Some(MemberType::Member),
            name: Some(m.name.clone()),
            avatar: m.avatar.clone(),
            ..Self::blank()
        }
    }
}

impl From<crate::api::SpaceMember> for Member {
    fn from(m: crate::api::SpaceMember) -> Self {
        Member::from(&m)
    }
}

impl FieldValue for Member {
    const EXPECTED: &'static str = "a member";
    const SHAPE: Shape = Shape::of(Kind::Member);
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        Member::deserialize(cell)
    }
    /// Written by `id` when it has one, else by `unitId`, else by name and type.
    fn encode(&self) -> Value {
        if !self.id.is_empty() {
            json!({"id": self.id})
        } else if let Some(unit_id) = &self.unit_id {
            json!({"unitId": unit_id})
        } else {
            json!({"name": self.name, "type": self.member_type})
        }
    }
    /// Compares by whichever identity the entry to write uses.
    fn matches_stored(&self, stored: &Self) -> bool {
        if !self.id.is_empty() {
            self.id == stored.id
        } else if self.unit_id.is_some() {
            self.unit_id == stored.unit_id
        } else {
            self.name == stored.name && self.member_type == stored.member_type
        }
    }
}

/// The user in a CreatedBy or LastModifiedBy cell (read-only).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
}

impl FieldValue for User {
    const EXPECTED: &'static str = "a user";
    const SHAPE: Shape = Shape::of(Kind::User);
    const READ_ONLY: bool = true;
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        User::deserialize(cell)
    }
    fn encode(&self) -> Value {
        Value::Null
    }
}

/// The value of a Formula or MagicLookUp cell (read-only). A computation that failed, or
/// produced something other than a `T`, is kept as [`Computed::Error`] with the raw value,
/// instead of failing the whole record.
///
/// ```
/// use apitable_orm::value::Computed;
/// let ok: Computed<f64> = Computed::Value(3.0);
/// assert_eq!(ok.value(), Some(&3.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Computed<T> {
    /// The computed value.
    Value(T),
    /// A value that was not a `T` (an error object, NaN, …), as JSON text.
    Error(String),
}

impl<T> Computed<T> {
    /// The value, if the computation produced one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Computed::Value(v) => Some(v),
            Computed::Error(_) => None,
        }
    }
}

impl<T: FieldValue> FieldValue for Computed<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    const READ_ONLY: bool = true;
    const SHAPE: Shape = T::SHAPE.computed();
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Self, D::Error> {
        // Formula cells are rare and small; buffering one lets a mismatch become a value
        // instead of an error.
        let raw = Value::deserialize(cell)?;
        match T::decode(&raw) {
            Ok(v) => Ok(Computed::Value(v)),
            Err(_) => Ok(Computed::Error(raw.to_string())),
        }
    }
    fn encode(&self) -> Value {
        Value::Null
    }
}

#[cfg(feature = "chrono")]
mod chrono_conv {
    use super::Timestamp;

    impl From<chrono::DateTime<chrono::Utc>> for Timestamp {
        fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
            Timestamp::from_millis(t.timestamp_millis())
        }
    }

    impl TryFrom<Timestamp> for chrono::DateTime<chrono::Utc> {
        type Error = crate::DecodeError;
        fn try_from(t: Timestamp) -> Result<Self, Self::Error> {
            chrono::DateTime::from_timestamp_millis(t.as_millis())
                .ok_or_else(|| crate::DecodeError::new(format!("{t} is out of chrono's range")))
        }
    }
}

#[cfg(feature = "time")]
mod time_conv {
    use super::Timestamp;

    impl From<time::OffsetDateTime> for Timestamp {
        fn from(t: time::OffsetDateTime) -> Self {
            let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
            Timestamp::from_millis(i64::try_from(ms).unwrap_or(if ms < 0 {
                i64::MIN
            } else {
                i64::MAX
            }))
        }
    }

    impl TryFrom<Timestamp> for time::OffsetDateTime {
        type Error = crate::DecodeError;
        fn try_from(t: Timestamp) -> Result<Self, Self::Error> {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.as_millis()) * 1_000_000)
                .map_err(|e| crate::DecodeError::new(format!("{t} is out of time's range: {e}")))
        }
    }
}

#[cfg(feature = "jiff")]
mod jiff_conv {
    use super::Timestamp;

    impl From<jiff::Timestamp> for Timestamp {
        fn from(t: jiff::Timestamp) -> Self {
            Timestamp::from_millis(t.as_millisecond())
        }
    }

    impl TryFrom<Timestamp> for jiff::Timestamp {
        type Error = crate::DecodeError;
        fn try_from(t: Timestamp) -> Result<Self, Self::Error> {
            jiff::Timestamp::from_millisecond(t.as_millis())
                .map_err(|e| crate::DecodeError::new(format!("{t} is out of jiff's range: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_time_round_trips_both_sides_of_the_epoch() {
        for ms in [0i64, 1_704_067_200_123, -86_400_000] {
            let t = Timestamp::from_millis(ms);
            assert_eq!(Timestamp::from(t.to_system_time()), t);
        }
    }

    /// The decoder `Url` had before its visitor: serde's buffered untagged enum. The visitor
    /// must accept and reject exactly what this does.
    fn url_reference<'de, D: Deserializer<'de>>(cell: D) -> Result<Url, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Object(Url),
            Text(String),
        }
        Ok(match Shape::deserialize(cell)? {
            Shape::Object(u) => u,
            Shape::Text(text) => Url::new(text),
        })
    }

    #[test]
    fn url_decodes_every_shape_the_untagged_form_did() {
        let cases = [
            r#""https://a.example""#,
            r#""""#,
            r#""esc\u00e9aped \"q\"""#,
            r#"{"text":"https://a.example"}"#,
            r#"{"text":"https://a.example","title":"A"}"#,
            r#"{"title":"A","text":"https://a.example","favicon":"https://a.example/f.ico"}"#,
            r#"{"text":"t","title":null,"favicon":null}"#,
            r#"{"text":"t","extra":{"deep":[1,2,{"x":null}]},"n":5}"#,
            r#"{"te\u0078t":"escaped key"}"#,
            r#"["t"]"#,
            r#"["t","A"]"#,
            r#"["t",null,"f"]"#,
            // Rejected by both.
            r#"{"title":"A"}"#,
            r#"{"text":"a","text":"b"}"#,
            r#"{"text":"a","title":"x","title":"y"}"#,
            r#"{"text":"a","favicon":"x","favicon":"y"}"#,
            r#"{"text":5}"#,
            r#"{"text":"a","title":5}"#,
            r#"{"text":"a","favicon":[]}"#,
            r#"{"text":null}"#,
            r#"{}"#,
            r#"[]"#,
            r#"["t","A","f","extra"]"#,
            r#"[1]"#,
            "null",
            "5",
            "true",
            "1.5",
        ];
        let mut accepted = 0;
        for json in cases {
            let ours = Url::decode(&mut serde_json::Deserializer::from_str(json));
            accepted += usize::from(ours.is_ok());
            let reference = url_reference(&mut serde_json::Deserializer::from_str(json));
            assert_eq!(ours.ok(), reference.ok(), "from the bytes of {json}");
            // From a `Value` too (as `Computed<Url>` decodes).
            if let Ok(value) = serde_json::from_str::<Value>(json) {
                assert_eq!(
                    Url::decode(&value).ok(),
                    url_reference(&value).ok(),
                    "from the value {json}"
                );
            }
        }
        assert_eq!(accepted, 12, "the shapes above the 'Rejected' line");
        let full = Url::decode(&mut serde_json::Deserializer::from_str(
            r#"{"text":"t","title":"A","favicon":"f"}"#,
        ))
        .unwrap();
        assert_eq!(full.favicon.as_deref(), Some("f"));
        assert_eq!(full.title.as_deref(), Some("A"));
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_round_trip() {
        let t = Timestamp::from_millis(1_704_067_200_123);
        let c = chrono::DateTime::<chrono::Utc>::try_from(t).unwrap();
        assert_eq!(c.to_rfc3339(), "2024-01-01T00:00:00.123+00:00");
        assert_eq!(Timestamp::from(c), t);
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_round_trip() {
        let t = Timestamp::from_millis(-1_500);
        let o = time::OffsetDateTime::try_from(t).unwrap();
        assert_eq!(o.unix_timestamp(), -2);
        assert_eq!(Timestamp::from(o), t);
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff_round_trip() {
        let t = Timestamp::from_millis(1_704_067_200_123);
        let j = jiff::Timestamp::try_from(t).unwrap();
        assert_eq!(j.to_string(), "2024-01-01T00:00:00.123Z");
        assert_eq!(Timestamp::from(j), t);
    }
}
