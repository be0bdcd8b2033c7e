//! Values embedded in `filterByFormula` expressions, safely.
//!
//! The server's formula lexer ends a string at curly quotes, reads a literal holding `{…}` as
//! a field reference, turns backslash-n into a line break and rejects raw line breaks. So a
//! string is written as `CONCATENATE("…", "…")` of pieces that each avoid those traps: a
//! backslash or a line break is a piece of its own (`"\\"`, `"\n"`), a `}` starts a new piece
//! (so no piece holds `{` before `}`), and quote characters are escaped with a backslash
//! (safe, because no piece holds any other backslash).

/// A formula expression whose value is exactly `s`.
///
/// ```
/// # use apitable_cli::formula::string_literal;
/// assert_eq!(string_literal("plain"), r#""plain""#);
/// assert_eq!(string_literal(""), r#""""#);
/// assert_eq!(string_literal("a \"b\" {c}"), r#"CONCATENATE("a \"b\" {c", "}")"#);
/// assert_eq!(string_literal("C:\\new"), r#"CONCATENATE("C:", "\\", "new")"#);
/// ```
pub fn string_literal(s: &str) -> String {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut open = false;
    let flush = |pieces: &mut Vec<String>, current: &mut String, open: &mut bool| {
        if *open {
            pieces.push(format!("\"{current}\""));
            current.clear();
            *open = false;
        }
    };
    for c in s.chars() {
        match c {
            '\\' => {
                flush(&mut pieces, &mut current, &mut open);
                pieces.push(r#""\\""#.to_owned());
            }
            '\n' => {
                flush(&mut pieces, &mut current, &mut open);
                pieces.push(r#""\n""#.to_owned());
            }
            '\r' => {
                flush(&mut pieces, &mut current, &mut open);
                pieces.push(r#""\r""#.to_owned());
            }
            '\u{2028}' | '\u{2029}' => {
                flush(&mut pieces, &mut current, &mut open);
                pieces.push(format!("LEFT(\"{c}\\\"\", 1)"));
            }
            '}' => {
                flush(&mut pieces, &mut current, &mut open);
                current.push('}');
                open = true;
            }
            '"' | '\u{201C}' | '\u{201D}' => {
                current.push('\\');
                current.push(c);
                open = true;
            }
            c => {
                current.push(c);
                open = true;
            }
        }
    }
    flush(&mut pieces, &mut current, &mut open);
    match pieces.len() {
        0 => "\"\"".to_owned(),
        1 => pieces.pop().expect("one piece"),
        _ => format!("CONCATENATE({})", pieces.join(", ")),
    }
}

/// A number literal: plain decimal digits (never an exponent), negative numbers in
/// parentheses. `None` for NaN and infinities.
///
/// ```
/// # use apitable_cli::formula::number_literal;
/// assert_eq!(number_literal(6.5).as_deref(), Some("6.5"));
/// assert_eq!(number_literal(-2.0).as_deref(), Some("(-2)"));
/// assert_eq!(number_literal(1e21).as_deref(), Some("1000000000000000000000"));
/// assert_eq!(number_literal(f64::NAN), None);
/// ```
pub fn number_literal(n: f64) -> Option<String> {
    if !n.is_finite() {
        return None;
    }
    let n = if n == 0.0 { 0.0 } else { n };
    Some(if n < 0.0 {
        format!("({n})")
    } else {
        format!("{n}")
    })
}

/// A reference to a field by id, `{fld…}` (ids need no escaping).
pub fn field_ref(field_id: &str) -> String {
    format!("{{{field_id}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_piece_holds_a_brace_pair_or_a_second_backslash() {
        let nasty = "x“ || TRUE() || “ {a}} \\\" \n\r\t ’ ‘ '";
        let lit = string_literal(nasty);
        assert!(lit.starts_with("CONCATENATE("), "{lit}");
        assert!(!lit.contains('\n') && !lit.contains('\r'), "{lit}");
        // Every curly double quote is escaped.
        assert_eq!(lit.matches('“').count(), lit.matches("\\“").count());
        assert_eq!(
            string_literal("}}"),
            r#"CONCATENATE("}", "}")"#,
            "each closing brace starts a piece"
        );
        assert_eq!(
            string_literal("\u{2028}"),
            "LEFT(\"\u{2028}\\\"\", 1)",
            "a line separator is cut out of a longer literal"
        );
    }
}
