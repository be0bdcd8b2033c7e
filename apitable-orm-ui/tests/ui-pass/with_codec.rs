//! `with = "Codec"` replaces the field type's own `FieldValue` impl (which it need not have).
#![deny(warnings)]

use apitable_orm::{FieldCodec, Table};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Stores words as one space-separated text cell.
struct Words;

impl FieldCodec<Vec<String>> for Words {
    const EXPECTED: &'static str = "space-separated words";
    fn empty() -> Option<Vec<String>> {
        Some(Vec::new())
    }
    fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Vec<String>, D::Error> {
        Ok(String::deserialize(cell)?.split_whitespace().map(str::to_owned).collect())
    }
    fn encode(words: &Vec<String>) -> Value {
        Value::String(words.join(" "))
    }
}

/// A type with no `FieldValue` impl at all.
#[derive(Debug, Clone, PartialEq)]
struct Cents(i64);

mod codecs {
    use super::*;

    pub struct AsCents;

    impl FieldCodec<Cents> for AsCents {
        const EXPECTED: &'static str = "an amount";
        fn decode<'de, D: Deserializer<'de>>(cell: D) -> Result<Cents, D::Error> {
            Ok(Cents((f64::deserialize(cell)? * 100.0).round() as i64))
        }
        fn encode(value: &Cents) -> Value {
            Value::from(value.0 as f64 / 100.0)
        }
    }
}

#[derive(Debug, Table)]
#[apitable(datasheet = "dstWith0000001")]
struct Doc {
    #[apitable(with = "Words")]
    words: Vec<String>,
    #[apitable(with = "codecs::AsCents", name = "Price")]
    price: Cents,
}

fn main() {
    let doc = Doc {
        words: vec!["a".into(), "b".into()],
        price: Cents(1250),
    };
    let mut cells = serde_json::Map::new();
    doc.__encode(&mut cells);
    assert_eq!(cells["words"], Value::from("a b"));
    assert_eq!(cells["Price"], Value::from(12.5));
    assert_eq!(<Doc as Table>::FIELDS[0].expected, "space-separated words");
}
