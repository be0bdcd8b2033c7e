//! Filters as a typed expression tree, rendered to APITable's `filterByFormula` language.
//!
//! Rendering follows the rules that make the server's quirky parser read exactly what was
//! meant: every comparison in parentheses, `AND()`/`OR()`/`NOT()` instead of `&&`/`||`, strings
//! through a piecewise encoder that survives quotes, curly quotes, braces, backslashes and line
//! breaks, ordering comparisons guarded so that empty cells never match.

use std::fmt::Write as _;
use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::table::{FieldMeta, Table};

/// A literal value of a formula.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Lit {
    /// Text.
    Text(String),
    /// A number (NaN and infinities are refused when the formula is rendered).
    Number(f64),
    /// A checkbox value.
    Bool(bool),
}

/// A relative date range, in the server's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateRange {
    Today,
    LastDays(u32),
    NextDays(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Compare {
        key: &'static str,
        op: &'static str,
        value: Lit,
    },
    Order {
        key: &'static str,
        op: &'static str,
        value: Lit,
    },
    Empty {
        key: &'static str,
        empty: bool,
        /// A list-valued field (multi-select, link, lookup…), tested by counting its elements:
        /// comparing a lookup of several numbers with `BLANK()` is a formula error, and the
        /// server keeps records whose filter fails.
        list: bool,
    },
    Text {
        key: &'static str,
        op: TextOp,
        needle: String,
        ignore_case: bool,
    },
    Has {
        key: &'static str,
        item: Lit,
    },
    Dated {
        key: &'static str,
        range: DateRange,
    },
    /// Records linking to any of `ids`; resolved into `RecordIds` before rendering.
    LinksTo {
        key: &'static str,
        ids: Vec<RecordId>,
    },
    RecordIds(Vec<RecordId>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Raw(String),
}

/// A filter over table `T`. Build one from the table's column constants, combine with
/// [`and`](Filter::and), [`or`](Filter::or) and [`not`](Filter::not).
pub struct Filter<T> {
    expr: Expr,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Filter<T> {
    fn clone(&self) -> Self {
        Filter {
            expr: self.expr.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Filter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.render() {
            Ok(s) => f.write_str(&s),
            Err(e) => write!(f, "<invalid filter: {e}>"),
        }
    }
}

impl<T> PartialEq for Filter<T> {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl<T> Filter<T> {
    fn new(expr: Expr) -> Self {
        Filter {
            expr,
            _t: PhantomData,
        }
    }

    pub(crate) fn compare(meta: &'static FieldMeta, op: &'static str, value: Lit) -> Self {
        // Text compared with "" means "empty": a blank cell is never equal to "".
        if matches!(&value, Lit::Text(s) if s.is_empty()) {
            return Self::new(Expr::Empty {
                key: meta.key,
                empty: op == "=",
                list: false,
            });
        }
        Self::new(Expr::Compare {
            key: meta.key,
            op,
            value,
        })
    }

    pub(crate) fn order(meta: &'static FieldMeta, op: &'static str, value: Lit) -> Self {
        Self::new(Expr::Order {
            key: meta.key,
            op,
            value,
        })
    }

    pub(crate) fn is_empty(meta: &'static FieldMeta, empty: bool) -> Self {
        Self::new(Expr::Empty {
            key: meta.key,
            empty,
            list: meta.shape.list,
        })
    }

    pub(crate) fn text(
        meta: &'static FieldMeta,
        op: TextOp,
        needle: String,
        ignore_case: bool,
    ) -> Self {
        Self::new(Expr::Text {
            key: meta.key,
            op,
            needle,
            ignore_case,
        })
    }

    pub(crate) fn has(meta: &'static FieldMeta, item: Lit) -> Self {
        Self::new(Expr::Has {
            key: meta.key,
            item,
        })
    }

    pub(crate) fn dated(meta: &'static FieldMeta, range: DateRange) -> Self {
        Self::new(Expr::Dated {
            key: meta.key,
            range,
        })
    }

    pub(crate) fn links_to(meta: &'static FieldMeta, ids: Vec<RecordId>) -> Self {
        Self::new(Expr::LinksTo { key: meta.key, ids })
    }

    /// The `links_to` parts of this filter: (link field key, target ids), in order.
    pub(crate) fn link_targets(&self) -> Vec<(&'static str, &[RecordId])> {
        fn walk<'a>(expr: &'a Expr, out: &mut Vec<(&'static str, &'a [RecordId])>) {
            match expr {
                Expr::LinksTo { key, ids } => out.push((key, ids)),
                Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| walk(p, out)),
                Expr::Not(inner) => walk(inner, out),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// This filter with every `links_to` part replaced by the records it stands for, given
    /// in the order of [`link_targets`](Self::link_targets).
    pub(crate) fn with_links_resolved(&self, resolved: Vec<Vec<RecordId>>) -> Filter<T> {
        fn walk(expr: &Expr, next: &mut std::vec::IntoIter<Vec<RecordId>>) -> Expr {
            match expr {
                Expr::LinksTo { .. } => Expr::RecordIds(next.next().unwrap_or_default()),
                Expr::And(parts) => Expr::And(parts.iter().map(|p| walk(p, next)).collect()),
                Expr::Or(parts) => Expr::Or(parts.iter().map(|p| walk(p, next)).collect()),
                Expr::Not(inner) => Expr::Not(Box::new(walk(inner, next))),
                other => other.clone(),
            }
        }
        Self::new(walk(&self.expr, &mut resolved.into_iter()))
    }

    pub(crate) fn any(filters: Vec<Filter<T>>) -> Self {
        Self::new(Expr::Or(filters.into_iter().map(|f| f.expr).collect()))
    }

    pub(crate) fn all(filters: Vec<Filter<T>>) -> Self {
        Self::new(Expr::And(filters.into_iter().map(|f| f.expr).collect()))
    }

    /// Both filters.
    pub fn and(self, other: Filter<T>) -> Filter<T> {
        match self.expr {
            Expr::And(mut parts) => {
                parts.push(other.expr);
                Self::new(Expr::And(parts))
            }
            expr => Self::new(Expr::And(vec![expr, other.expr])),
        }
    }

    /// Either filter.
    pub fn or(self, other: Filter<T>) -> Filter<T> {
        match self.expr {
            Expr::Or(mut parts) => {
                parts.push(other.expr);
                Self::new(Expr::Or(parts))
            }
            expr => Self::new(Expr::Or(vec![expr, other.expr])),
        }
    }

    /// The opposite of this filter.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter<T> {
        Self::new(Expr::Not(Box::new(self.expr)))
    }

    /// Records whose id is one of `ids`.
    pub fn record_id_in(ids: impl IntoIterator<Item = RecordId>) -> Filter<T> {
        Self::new(Expr::RecordIds(ids.into_iter().collect()))
    }

    /// A hand-written formula, sent as is. **No escaping is done**: never build it from user
    /// input; use the typed column methods instead.
    pub fn raw_formula_unchecked(formula: impl Into<String>) -> Filter<T> {
        Self::new(Expr::Raw(formula.into()))
    }

    /// The `filterByFormula` text. Fails for NaN or infinite numbers, and for field names the
    /// formula language cannot reference (names ending in a backslash).
    pub fn render(&self) -> Result<String> {
        let mut out = String::new();
        render(&self.expr, &mut out)?;
        Ok(out)
    }
}

impl<T: Table> Filter<T> {
    /// Every record (an empty `AND()` is not valid, so this renders as `TRUE()`).
    pub fn everything() -> Filter<T> {
        Self::new(Expr::And(Vec::new()))
    }
}

fn render(expr: &Expr, out: &mut String) -> Result<()> {
    match expr {
        Expr::Compare { key, op, value } => {
            out.push('(');
            field(key, out)?;
            out.push_str(op);
            literal(value, out)?;
            out.push(')');
        }
        Expr::Order { key, op, value } => {
            // Blank cells count as 0 in comparisons; keep them out.
            out.push_str("AND(");
            field(key, out)?;
            out.push_str("!=BLANK(),(");
            field(key, out)?;
            out.push_str(op);
            literal(value, out)?;
            out.push_str("))");
        }
        Expr::Empty {
            key,
            empty,
            list: false,
        } => {
            out.push('(');
            field(key, out)?;
            out.push_str(if *empty { "=BLANK())" } else { "!=BLANK())" });
        }
        Expr::Empty {
            key,
            empty,
            list: true,
        } => {
            // COUNTALL of one list is its length, 0 for an empty cell.
            out.push_str("(COUNTALL(");
            field(key, out)?;
            out.push_str(if *empty { ")=0)" } else { ")>0)" });
        }
        Expr::Text {
            key,
            op,
            needle,
            ignore_case,
        } => {
            let mut hay = String::new();
            field(key, &mut hay)?;
            let mut lit = String::new();
            string(needle, &mut lit);
            if *ignore_case {
                hay = format!("LOWER({hay})");
                lit = format!("LOWER({lit})");
            }
            match op {
                TextOp::Contains => write!(out, "(FIND({lit},{hay})>0)"),
                TextOp::StartsWith => write!(out, "(FIND({lit},{hay})=1)"),
                TextOp::EndsWith => {
                    let mut f = String::new();
                    field(key, &mut f)?;
                    write!(
                        out,
                        "IF(({f}=BLANK()),FALSE(),(RIGHT({hay},LEN({lit}))={lit}))"
                    )
                }
            }
            .expect("writing to a String cannot fail");
        }
        Expr::Has { key, item } => {
            out.push_str("(COUNTIF(");
            field(key, out)?;
            out.push(',');
            literal(item, out)?;
            out.push_str(")>0)");
        }
        Expr::Dated { key, range } => {
            let mut f = String::new();
            field(key, &mut f)?;
            match range {
                DateRange::Today => write!(out, "IS_SAME({f},TODAY(),\"days\")"),
                DateRange::LastDays(days) => {
                    // From the start of the day `days - 1` days ago.
                    let mut offset = String::new();
                    number(1.0 - f64::from(*days), &mut offset)?;
                    write!(
                        out,
                        "AND({f}!=BLANK(),({f}>=DATEADD(TODAY(),{offset},\"days\")),({f}<=NOW()))"
                    )
                }
                DateRange::NextDays(days) => write!(
                    out,
                    "AND({f}!=BLANK(),({f}>=NOW()),({f}<DATEADD(TODAY(),{days},\"days\")))"
                ),
            }
            .expect("writing to a String cannot fail");
        }
        Expr::LinksTo { key, .. } => {
            return Err(Error::InvalidRequest(format!(
                "the links_to filter on {key:?} is resolved when a query runs through a Sheet \
                 (sheet.query().filter(…)); it has no formula of its own"
            )));
        }
        Expr::RecordIds(ids) if ids.len() > COMPACT_ID_LIST => {
            // One string of ids with delimiters on both sides: about 15 bytes an id instead of
            // 40, so that a few hundred ids still fit in a URL. Ids hold only letters and
            // digits, so neither the commas nor the quotes need escaping.
            out.push_str("(FIND(CONCATENATE(\",\",RECORD_ID(),\",\"),\",");
            for id in ids {
                out.push_str(id.as_str());
                out.push(',');
            }
            out.push_str("\")>0)");
        }
        Expr::RecordIds(ids) => {
            if ids.is_empty() {
                out.push_str("FALSE()");
            } else {
                out.push_str("OR(");
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    // Record ids are letters and digits: no escaping needed.
                    write!(out, "(RECORD_ID()=\"{id}\")").expect("writing to a String cannot fail");
                }
                out.push(')');
            }
        }
        Expr::And(parts) | Expr::Or(parts) => {
            let is_and = matches!(expr, Expr::And(_));
            match parts.len() {
                0 => out.push_str(if is_and { "TRUE()" } else { "FALSE()" }),
                1 => render(&parts[0], out)?,
                _ => {
                    out.push_str(if is_and { "AND(" } else { "OR(" });
                    for (i, part) in parts.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        render(part, out)?;
                    }
                    out.push(')');
                }
            }
        }
        Expr::Not(inner) => {
            out.push_str("NOT(");
            render(inner, out)?;
            out.push(')');
        }
        Expr::Raw(text) => {
            out.push('(');
            out.push_str(text);
            out.push(')');
        }
    }
    Ok(())
}

/// A field reference: `{fldXXXX}` for ids; names with `\`, `{` and `}` escaped.
pub(crate) fn field(key: &str, out: &mut String) -> Result<()> {
    if key.ends_with('\\') {
        return Err(Error::InvalidRequest(format!(
            "field {key:?} ends with a backslash, which a formula cannot reference by name; map it by id"
        )));
    }
    out.push('{');
    for c in key.chars() {
        if matches!(c, '\\' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('}');
    Ok(())
}

/// Above this many ids, `record_id_in` renders one delimited string instead of an `OR()`.
const COMPACT_ID_LIST: usize = 8;

fn literal(value: &Lit, out: &mut String) -> Result<()> {
    match value {
        Lit::Text(s) => string(s, out),
        Lit::Bool(true) => out.push_str("TRUE()"),
        Lit::Bool(false) => out.push_str("FALSE()"),
        Lit::Number(n) => number(*n, out)?,
    }
    Ok(())
}

/// A number in plain decimal notation; negative numbers in parentheses.
pub(crate) fn number(n: f64, out: &mut String) -> Result<()> {
    if !n.is_finite() {
        return Err(Error::InvalidRequest(format!(
            "{n} cannot be used in a filter"
        )));
    }
    let n = if n == 0.0 { 0.0 } else { n }; // no "-0"
    if n < 0.0 {
        write!(out, "(-{})", -n)
    } else {
        write!(out, "{n}")
    }
    .expect("writing to a String cannot fail");
    Ok(())
}

/// Encodes any string as a formula expression that evaluates to exactly that string.
///
/// The text is cut into pieces at the characters the formula lexer treats specially and
/// joined with `CONCATENATE`: a backslash, CR and LF become standalone escaped pieces,
/// U+2028/U+2029 are produced by `LEFT`, every `}` starts a new piece (so no piece holds a
/// `{…}` pair, which would read as a field reference), and straight or curly double quotes are
/// escaped with a backslash (safe because no piece holds any other backslash).
///
/// ```
/// use apitable_orm::encode_string;
/// assert_eq!(encode_string("plain"), r#""plain""#);
/// assert_eq!(encode_string(""), r#""""#);
/// assert_eq!(encode_string("say “hi” {x}\n"), r#"CONCATENATE("say \“hi\” {x","}","\n")"#);
/// ```
pub fn encode_string(s: &str) -> String {
    let mut out = String::new();
    string(s, &mut out);
    out
}

fn string(s: &str, out: &mut String) {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, pieces: &mut Vec<String>| {
        if !current.is_empty() {
            pieces.push(format!("\"{current}\""));
            current.clear();
        }
    };
    for c in s.chars() {
        match c {
            '\\' => {
                flush(&mut current, &mut pieces);
                pieces.push(r#""\\""#.to_owned());
            }
            '\n' => {
                flush(&mut current, &mut pieces);
                pieces.push(r#""\n""#.to_owned());
            }
            '\r' => {
                flush(&mut current, &mut pieces);
                pieces.push(r#""\r""#.to_owned());
            }
            '\u{2028}' | '\u{2029}' => {
                flush(&mut current, &mut pieces);
                pieces.push(format!("LEFT(\"{c}\\\"\",1)"));
            }
            '}' => {
                flush(&mut current, &mut pieces);
                current.push('}');
            }
            '"' | '“' | '”' => {
                current.push('\\');
                current.push(c);
            }
            other => current.push(other),
        }
    }
    flush(&mut current, &mut pieces);
    match pieces.len() {
        0 => out.push_str("\"\""),
        1 => out.push_str(&pieces[0]),
        _ => {
            out.push_str("CONCATENATE(");
            out.push_str(&pieces.join(","));
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_cut_at_special_characters() {
        assert_eq!(encode_string(r"C:\new"), r#"CONCATENATE("C:","\\","new")"#);
        assert_eq!(encode_string("a\r\nb"), r#"CONCATENATE("a","\r","\n","b")"#);
        assert_eq!(encode_string("}}"), r#"CONCATENATE("}","}")"#);
        assert_eq!(encode_string("{a}"), r#"CONCATENATE("{a","}")"#);
        assert_eq!(
            encode_string("x“ || TRUE() || “"),
            r#""x\“ || TRUE() || \“""#
        );
        assert_eq!(encode_string("'‘’"), r#""'‘’""#);
        assert_eq!(encode_string("\u{2028}"), "LEFT(\"\u{2028}\\\"\",1)");
    }

    #[test]
    fn numbers_never_use_exponents() {
        let render = |n: f64| {
            let mut s = String::new();
            number(n, &mut s).map(|()| s)
        };
        assert_eq!(render(1e21).unwrap(), "1000000000000000000000");
        assert_eq!(render(-5.0).unwrap(), "(-5)");
        assert_eq!(render(-0.0).unwrap(), "0");
        assert_eq!(render(0.1).unwrap(), "0.1");
        assert_eq!(render(1e-7).unwrap(), "0.0000001");
        assert!(render(f64::NAN).is_err());
        assert!(render(f64::INFINITY).is_err());
    }

    #[test]
    fn field_names_are_escaped() {
        let mut s = String::new();
        field(r"a{b}c\d", &mut s).unwrap();
        assert_eq!(s, r"{a\{b\}c\\d}");
        assert!(field(r"ends\", &mut String::new()).is_err());
    }
}
