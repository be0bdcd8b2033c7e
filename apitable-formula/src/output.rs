//! What an evaluation hands back: a JavaScript value of the real engine, with a dayjs date
//! reduced to its instant.

/// The result of evaluating a formula, as the real server's engine would produce it: a dayjs
/// object (from `SET_LOCALE`/`SET_TIMEZONE`) is its epoch milliseconds, its offset and locale
/// count only inside the formula.
pub type Value = crate::value::JsValue<f64>;

impl Value {
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
        self.clone()
            .map_date(&|ms| crate::date_value::DateVal::plain(ms, 0))
    }
}

impl From<crate::value::Value> for Value {
    fn from(v: crate::value::Value) -> Value {
        v.map_date(&|d| d.ms)
    }
}
