//! Every mistake in one derive input, collected and reported together.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// An accumulator of compile errors. Each error points at the offending tokens and carries a
/// `help:` line saying how to fix it.
#[must_use = "call `finish` so the errors reach the user"]
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<syn::Error>,
}

/// The text of one error: the problem, then how to fix it.
fn text(message: impl Display, help: impl Display) -> String {
    format!("{message}\n= help: {help}")
}

impl Errors {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An error spanning `at` (every token of it).
    pub(crate) fn at(&mut self, at: impl ToTokens, message: impl Display, help: impl Display) {
        self.errors
            .push(syn::Error::new_spanned(at, text(message, help)));
    }

    /// An error at one span.
    pub(crate) fn at_span(&mut self, span: Span, message: impl Display, help: impl Display) {
        self.errors.push(syn::Error::new(span, text(message, help)));
    }

    /// How many errors were reported so far.
    pub(crate) fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether nothing went wrong so far.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Takes the value of a darling parse, or records its errors (rewritten into this crate's
    /// style, with a help line listing the accepted `keys`).
    pub(crate) fn darling<T>(
        &mut self,
        result: darling::Result<T>,
        what: &str,
        keys: &str,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                for one in err.flatten() {
                    let span = one.span();
                    let original = one.to_string();
                    let (message, help) = rewrite_darling(&original, what, keys);
                    self.at_span(span, message, help);
                }
                None
            }
        }
    }

    /// `Ok(value)` when nothing went wrong, else all the errors as one.
    pub(crate) fn finish_with<T>(self, value: T) -> syn::Result<T> {
        let mut errors = self.errors.into_iter();
        match errors.next() {
            None => Ok(value),
            Some(mut first) => {
                first.extend(errors);
                Err(first)
            }
        }
    }

    /// The errors as one, if any (for tests).
    #[cfg(test)]
    pub(crate) fn messages(&self) -> Vec<String> {
        self.errors.iter().map(ToString::to_string).collect()
    }
}

/// darling's wording ("Unknown field: `nme`. Did you mean `name`?") in the style of the other
/// errors of this crate.
fn rewrite_darling(original: &str, what: &str, keys: &str) -> (String, String) {
    let quoted = |s: &str| -> Option<String> {
        let start = s.find('`')? + 1;
        let end = start + s[start..].find('`')?;
        Some(s[start..end].to_owned())
    };
    if let Some(rest) = original.strip_prefix("Unknown field: ") {
        let word = quoted(rest).unwrap_or_default();
        let suggestion = rest
            .find("Did you mean ")
            .and_then(|at| quoted(&rest[at..]));
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? The {what} attributes are {keys}"),
            None => format!("the {what} attributes are {keys}"),
        };
        return (format!("unknown {what} attribute `{word}`"), help);
    }
    // A value of the wrong kind: "Unexpected type `string` at key", "Unexpected meta-item
    // format `word` at name".
    if original.starts_with("Unexpected")
        && let Some((_, key)) = original.rsplit_once(" at ")
        && keys.contains(&format!("`{key}`"))
    {
        return if crate::attr::FLAGS.contains(&key) {
            (
                format!("`{key}` takes no value"),
                format!("write it alone: `#[apitable({key})]`"),
            )
        } else {
            (
                format!("`{key}` takes a string"),
                format!("write `#[apitable({key} = \"…\")]`"),
            )
        };
    }
    if let Some(rest) = original.strip_prefix("Duplicate field ") {
        let word = quoted(rest).unwrap_or_default();
        return (
            format!("`{word}` is given twice"),
            format!("keep one `{word}`"),
        );
    }
    (
        original.to_owned(),
        format!("the {what} attributes are {keys}, e.g. `#[apitable(name = \"Title\")]`"),
    )
}
