//! Strings made of what breaks naive formula escaping and lexing (quotes of every kind,
//! backslashes, braces, line and paragraph separators, operators, a field reference, a
//! function call), mixed with arbitrary text. The formula crate's property tests and the
//! end-to-end filter property tests both include this file, so both meet the same hostile
//! input.

use proptest::prelude::*;

/// What naive escaping and lexing trip over.
const FRAGMENTS: [&str; 27] = [
    "\\", "\"", "'", "“", "”", "‘", "’", "{", "}", "\n", "\r", "\t", "\u{2028}", "\u{2029}", "\\n",
    "\\\"", " ", "\u{3000}", "&&", "||", ",", "(", ")", " = ", "TRUE()", "{Text}", "😀",
];

/// Between 1 and `max_parts` pieces, each a hostile fragment or a little arbitrary text,
/// joined.
pub fn hostile_text(max_parts: usize) -> impl Strategy<Value = String> {
    let part = prop_oneof![
        prop::sample::select(&FRAGMENTS[..]).prop_map(str::to_owned),
        "[a-zA-Z0-9 ]{1,3}",
        any::<char>().prop_map(String::from),
        any::<String>().prop_map(|s| s.chars().take(4).collect()),
    ];
    prop::collection::vec(part, 1..=max_parts.max(1)).prop_map(|parts| parts.concat())
}
