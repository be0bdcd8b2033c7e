//! What an evaluation hands back: a JavaScript value of the real engine, with a dayjs date
//! reduced to its instant.

/// The result of evaluating a formula, as the real server's engine would produce it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` (a blank cell, `BLANK()`).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (IEEE double). Dates are epoch-millisecond numbers.
    Number(f64),
    /// A string.
    String(String),
    /// An array (multi-value cells, array functions).
    Array(Vec<Value>),
    /// A dayjs object (from `SET_LOCALE`/`SET_TIMEZONE`), as its epoch milliseconds; its
    /// offset and locale count only inside the formula.
    Date(f64),
    /// An error captured as a value (inside `IF`, `SWITCH`, `IS_ERROR`); holds the message.
    Error(String),
}

impl Value {
    /// Builds a string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// JavaScript truthiness (`Boolean(x)`).
    pub fn truthy(&self) -> bool {
        self.inner().truthy()
    }

    /// JavaScript `Number(x)`.
    pub fn to_number(&self) -> f64 {
        self.inner().to_number()
    }

    /// JavaScript `String(x)`.
    pub fn to_js_string(&self) -> String {
        self.inner().to_js_string()
    }

    fn inner(&self) -> crate::value::Value {
        use crate::value::Value as V;
        match self {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => V::Number(*n),
            Value::String(s) => V::String(s.clone()),
            Value::Array(items) => V::Array(items.iter().map(Value::inner).collect()),
            Value::Date(ms) => V::Date(crate::date_value::DateVal::plain(*ms, 0)),
            Value::Error(m) => V::Error(m.clone()),
        }
    }
}

impl From<crate::value::Value> for Value {
    fn from(v: crate::value::Value) -> Value {
        use crate::value::Value as V;
        match v {
            V::Null => Value::Null,
            V::Bool(b) => Value::Bool(b),
            V::Number(n) => Value::Number(n),
            V::String(s) => Value::String(s),
            V::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            V::Date(d) => Value::Date(d.ms),
            V::Error(m) => Value::Error(m),
        }
    }
}
