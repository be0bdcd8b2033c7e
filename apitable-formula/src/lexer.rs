//! The lexer: a global alternation scan that splits the source into chunks, followed by an
//! unanchored re-classification of every chunk.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// The kind of a lexer token, in the priority order of the token patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A braced field reference `{…}` (or any chunk that contains one).
    Value,
    /// A string literal.
    String,
    /// An identifier immediately followed by `(`.
    Call,
    /// An identifier not followed by `(`: a bare field name.
    PureValue,
    /// A number literal `[0-9.]+`.
    Number,
    /// `!=`
    NotEqual,
    /// `&&`
    And,
    /// `>=`
    GreaterEqual,
    /// `<=`
    LessEqual,
    /// `||`
    Or,
    /// `,` or `，`
    Comma,
    /// `!`
    Not,
    /// `+`
    Add,
    /// `-`
    Minus,
    /// `*`
    Times,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `&`
    Concat,
    /// `>`
    Greater,
    /// `<`
    Less,
    /// `=`
    Equal,
    /// `(` or `（`
    LeftParen,
    /// `)` or `）`
    RightParen,
    /// Whitespace (dropped).
    Blank,
    /// Anything else (a lexer error).
    Unknown,
}

/// One token: its kind and its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// The raw chunk of source text.
    pub text: String,
}

/// JavaScript's `\s` set (WhiteSpace and LineTerminator), for use inside a character class.
const WS: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
/// JavaScript's `.` (anything but a line terminator).
const DOT: &str = r"[^\n\r\x{2028}\x{2029}]";

/// The token patterns, in priority order, with the kind each one yields.
fn patterns() -> Vec<(TokenKind, String)> {
    use TokenKind::*;
    let excluded = r#"+\-|=*/><()（）!&%'"“”‘’^`~,，"#;
    vec![
        (Value, r"\{\}|\{(?:\\[{}])*(?s:.)*?[^\\]\}".to_string()),
        (
            String,
            format!(
                r#"["”“](?:[^\\"“”]*?\\["”“])*{DOT}*?["”“]|['‘’](?:[^\\'‘’]*?\\['‘’])*{DOT}*?['‘’]"#
            ),
        ),
        (Call, format!(r"[^0-9.{excluded}{WS}][^{excluded}{WS}]*")),
        (Number, r"[0-9.]+".to_string()),
        (NotEqual, "!=".to_string()),
        (And, "&&".to_string()),
        (GreaterEqual, ">=".to_string()),
        (LessEqual, "<=".to_string()),
        (Or, r"\|\|".to_string()),
        (Comma, "[,，]".to_string()),
        (Not, "!".to_string()),
        (Add, r"\+".to_string()),
        (Minus, "-".to_string()),
        (Times, r"\*".to_string()),
        (Div, "/".to_string()),
        (Mod, "%".to_string()),
        (Concat, "&".to_string()),
        (Greater, ">".to_string()),
        (Less, "<".to_string()),
        (Equal, "=".to_string()),
        (LeftParen, "[(（]".to_string()),
        (RightParen, "[)）]".to_string()),
        (Blank, format!("[{WS}]+")),
        (Unknown, format!("{DOT}+")),
    ]
}

struct Tables {
    scan: Regex,
    classify: RegexSet,
    kinds: Vec<TokenKind>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let pats = patterns();
    let joined = pats
        .iter()
        .map(|(_, p)| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    Tables {
        scan: Regex::new(&joined).expect("lexer scan pattern"),
        classify: RegexSet::new(pats.iter().map(|(_, p)| p.as_str())).expect("lexer patterns"),
        kinds: pats.iter().map(|(k, _)| *k).collect(),
    }
});

/// Classifies one chunk: the first pattern found anywhere inside it decides.
fn classify(chunk: &str) -> TokenKind {
    let t = &*TABLES;
    match t.classify.matches(chunk).iter().next() {
        Some(i) => t.kinds[i],
        // Cannot happen for a non-empty chunk (`.+` or `\s+` matches every character).
        None => TokenKind::Unknown,
    }
}

/// Splits `src` into every chunk, Blank and Unknown ones included (JS `fullMatches`).
pub fn full_tokens(src: &str) -> Vec<Token> {
    let chunks: Vec<&str> = TABLES.scan.find_iter(src).map(|m| m.as_str()).collect();
    let mut out = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        let mut kind = classify(chunk);
        if kind == TokenKind::Call {
            let next_is_paren = chunks
                .get(i + 1)
                .is_some_and(|n| classify(n) == TokenKind::LeftParen);
            if !next_is_paren {
                kind = TokenKind::PureValue;
            }
        }
        out.push(Token {
            kind,
            text: (*chunk).to_string(),
        });
    }
    out
}

/// The result of lexing: the tokens the parser sees, and the lexer errors.
#[derive(Debug, Clone)]
pub struct Lexed {
    /// Tokens without Blank and Unknown ones.
    pub tokens: Vec<Token>,
    /// Texts of the Unknown chunks, in order.
    pub unknown: Vec<String>,
}

/// Lexes `src` the way the server does: Blank chunks dropped, Unknown chunks recorded as errors.
pub fn lex(src: &str) -> Lexed {
    let mut tokens = Vec::new();
    let mut unknown = Vec::new();
    for t in full_tokens(src) {
        match t.kind {
            TokenKind::Blank => {}
            TokenKind::Unknown => unknown.push(t.text),
            _ => tokens.push(t),
        }
    }
    Lexed { tokens, unknown }
}

/// Whether `c` is in JavaScript's `\s` set.
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// Whether `c` is a JavaScript line terminator (what `.` does not match).
pub fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// JS `s.replace(/\\(.)/g, '$1')`: drops each backslash that precedes a non-line-terminator.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\'
            && let Some(&n) = it.peek()
            && !is_line_terminator(n)
        {
            out.push(n);
            it.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// JS `s.slice(1, -1)` measured in UTF-16 code units, on a string of chars.
pub fn slice_inner(s: &str) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    if units.len() < 2 {
        return String::new();
    }
    String::from_utf16_lossy(&units[1..units.len() - 1])
}

/// The value of a string-literal token, before the quotes are dropped.
pub fn string_literal_raw(text: &str) -> String {
    let s = text
        .replace("\\n", "\n")
        .replace("\\r", "\r")
        .replace("\\t", "\t");
    unescape(&s)
}
