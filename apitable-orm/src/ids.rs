//! Typed ids: each checks its prefix when parsed, so a wrong id fails before any request.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An id string that did not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} id {value:?}: expected {expected}")]
pub struct IdError {
    kind: &'static str,
    value: String,
    expected: &'static str,
}

impl IdError {
    /// The kind of id that was expected (`"datasheet"`, `"record"`, …).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The rejected input.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Whether `rest` is a non-empty run of ASCII letters and digits.
fn is_id_body(rest: &str) -> bool {
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn check(
    kind: &'static str,
    expected: &'static str,
    prefixes: &[&str],
    value: &str,
) -> Result<(), IdError> {
    let ok = prefixes
        .iter()
        .any(|p| value.strip_prefix(p).is_some_and(is_id_body));
    if ok {
        Ok(())
    } else {
        Err(IdError {
            kind,
            value: value.to_owned(),
            expected,
        })
    }
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, [$($prefix:literal),+], $expected:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The prefixes an id of this kind may start with.
            pub const PREFIXES: &'static [&'static str] = &[$($prefix),+];

            /// Checks `value` and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                check($kind, $expected, Self::PREFIXES, &value)?;
                Ok(Self(value))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

prefixed_id!(
    /// A space id, `spc…`.
    ///
    /// ```
    /// use apitable_orm::SpaceId;
    /// assert!("spcX1Y2Z3a4b5".parse::<SpaceId>().is_ok());
    /// assert!("dstX1Y2Z3a4b5".parse::<SpaceId>().is_err());
    /// ```
    SpaceId, "space", ["spc"], "\"spc\" followed by letters and digits"
);
prefixed_id!(
    /// A datasheet id, `dst…`.
    ///
    /// ```
    /// use apitable_orm::DatasheetId;
    /// let id: DatasheetId = "dst0123456789abcde".parse().unwrap();
    /// assert_eq!(id.as_str(), "dst0123456789abcde");
    /// let err = "fld0123".parse::<DatasheetId>().unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid datasheet id "fld0123": expected "dst" followed by letters and digits"#);
    /// ```
    DatasheetId, "datasheet", ["dst"], "\"dst\" followed by letters and digits"
);
prefixed_id!(
    /// A view id, `viw…`.
    ViewId, "view", ["viw"], "\"viw\" followed by letters and digits"
);
prefixed_id!(
    /// A record id, `rec…`.
    RecordId, "record", ["rec"], "\"rec\" followed by letters and digits"
);
prefixed_id!(
    /// A field id, `fld…`.
    FieldId, "field", ["fld"], "\"fld\" followed by letters and digits"
);
prefixed_id!(
    /// A node id: a datasheet (`dst`), folder (`fod`), form (`fom`), dashboard (`dsb`),
    /// mirror (`mir`) or automation (`aut`).
    ///
    /// ```
    /// use apitable_orm::{DatasheetId, NodeId};
    /// let dst: DatasheetId = "dstAbc".parse().unwrap();
    /// assert_eq!(NodeId::from(dst).as_str(), "dstAbc");
    /// assert!("fodRoot1".parse::<NodeId>().is_ok());
    /// ```
    NodeId, "node", ["dst", "fod", "fom", "dsb", "mir", "aut"],
    "one of the prefixes dst, fod, fom, dsb, mir, aut followed by letters and digits"
);

impl From<DatasheetId> for NodeId {
    fn from(id: DatasheetId) -> Self {
        NodeId(id.0)
    }
}

/// An organisation unit id (a member, team or role) as the contacts API uses it.
///
/// Unit ids are opaque strings (often numeric); the only rule checked is that they are
/// non-empty and contain no `/`, `?` or `#`, so they are safe in a URL path.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct UnitId(String);

impl UnitId {
    /// Checks `value` and wraps it.
    ///
    /// ```
    /// use apitable_orm::UnitId;
    /// assert!(UnitId::new("1234567890").is_ok());
    /// assert!(UnitId::new("").is_err());
    /// ```
    pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
        let value = value.into();
        if value.is_empty()
            || value.contains(['/', '?', '#'])
            || value.chars().any(char::is_whitespace)
        {
            return Err(IdError {
                kind: "unit",
                value,
                expected: "a non-empty id without '/', '?', '#' or spaces",
            });
        }
        Ok(Self(value))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnitId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for UnitId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Unit ids arrive as strings or, from some endpoints, as numbers.
        let v = serde_json::Value::deserialize(d)?;
        let s = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a unit id, found {other}"
                )));
            }
        };
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_checked() {
        assert!(RecordId::new("rec123abc").is_ok());
        for bad in ["", "rec", "REC123", "rec12 3", "rec12/3", "fld123", "recé1"] {
            let err = RecordId::new(bad).unwrap_err();
            assert_eq!(err.kind(), "record");
            assert_eq!(err.value(), bad);
        }
    }

    #[test]
    fn deserialize_rejects_wrong_prefix() {
        let ok: RecordId = serde_json::from_str("\"recAbc\"").unwrap();
        assert_eq!(ok, "recAbc");
        let err = serde_json::from_str::<RecordId>("\"dstAbc\"").unwrap_err();
        assert!(err.to_string().contains("invalid record id"));
    }

    #[test]
    fn unit_ids_accept_numbers() {
        let u: UnitId = serde_json::from_str("1234").unwrap();
        assert_eq!(u.as_str(), "1234");
        assert!(UnitId::new("a/b").is_err());
    }
}
