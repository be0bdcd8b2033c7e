//! The lexer's behaviour on the server's own examples: chunking, string literals, field references.

use TokenKind::{
    Add, And, Call, Comma, Concat, Div, Equal, Greater, GreaterEqual, LeftParen, Less, LessEqual,
    Minus, Mod, Not, NotEqual, Number, Or, PureValue, RightParen, Times, Value,
};
use apitable_formula::lexer::{TokenKind, lex};
const STR: TokenKind = TokenKind::String;

fn kinds(src: &str) -> Vec<(TokenKind, std::string::String)> {
    let l = lex(src);
    assert!(
        l.unknown.is_empty(),
        "unexpected lexer errors for {src:?}: {:?}",
        l.unknown
    );
    l.tokens.into_iter().map(|t| (t.kind, t.text)).collect()
}

fn t(k: TokenKind, s: &str) -> (TokenKind, std::string::String) {
    (k, s.to_string())
}

#[test]
fn operators_and_numbers() {
    assert_eq!(
        kinds("1+2.5*.5-5./3%2"),
        vec![
            t(Number, "1"),
            t(Add, "+"),
            t(Number, "2.5"),
            t(Times, "*"),
            t(Number, ".5"),
            t(Minus, "-"),
            t(Number, "5."),
            t(Div, "/"),
            t(Number, "3"),
            t(Mod, "%"),
            t(Number, "2"),
        ]
    );
    assert_eq!(
        kinds("a!=b&&c>=d<=e||f,g，h!i&j>k<l=m（n）"),
        vec![
            t(PureValue, "a"),
            t(NotEqual, "!="),
            t(PureValue, "b"),
            t(And, "&&"),
            t(PureValue, "c"),
            t(GreaterEqual, ">="),
            t(PureValue, "d"),
            t(LessEqual, "<="),
            t(PureValue, "e"),
            t(Or, "||"),
            t(PureValue, "f"),
            t(Comma, ","),
            t(PureValue, "g"),
            t(Comma, "，"),
            t(PureValue, "h"),
            t(Not, "!"),
            t(PureValue, "i"),
            t(Concat, "&"),
            t(PureValue, "j"),
            t(Greater, ">"),
            t(PureValue, "k"),
            t(Less, "<"),
            t(PureValue, "l"),
            t(Equal, "="),
            t(Call, "m"),
            t(LeftParen, "（"),
            t(PureValue, "n"),
            t(RightParen, "）"),
        ]
    );
}

#[test]
fn number_forms() {
    // No sign, no exponent: `1e5` is a number then a bare name.
    assert_eq!(kinds("1e5"), vec![t(Number, "1"), t(PureValue, "e5")]);
    assert_eq!(kinds("1.2.3"), vec![t(Number, "1.2.3")]);
    assert_eq!(kinds("."), vec![t(Number, ".")]);
}

#[test]
fn call_only_when_paren_follows_immediately() {
    assert_eq!(kinds("IF("), vec![t(Call, "IF"), t(LeftParen, "(")]);
    assert_eq!(kinds("IF ("), vec![t(PureValue, "IF"), t(LeftParen, "(")]);
    assert_eq!(kinds("TRUE"), vec![t(PureValue, "TRUE")]);
    assert_eq!(kinds("f（"), vec![t(Call, "f"), t(LeftParen, "（")]);
}

#[test]
fn bare_names_allow_odd_characters() {
    assert_eq!(kinds("$a?#@:;[]\\x"), vec![t(PureValue, "$a?#@:;[]\\x")]);
    assert_eq!(
        kinds("名前 😀x"),
        vec![t(PureValue, "名前"), t(PureValue, "😀x")]
    );
    // Digits and dots are allowed after the first character.
    assert_eq!(kinds("a1.5"), vec![t(PureValue, "a1.5")]);
}

#[test]
fn braced_field_refs() {
    assert_eq!(kinds("{}"), vec![t(Value, "{}")]);
    assert_eq!(kinds("{My Field}"), vec![t(Value, "{My Field}")]);
    assert_eq!(kinds(r"{a\}b}"), vec![t(Value, r"{a\}b}")]);
    assert_eq!(kinds(r"{\{x\}}"), vec![t(Value, r"{\{x\}}")]);
    // Newlines inside braces are part of the name.
    assert_eq!(kinds("{a\nb}"), vec![t(Value, "{a\nb}")]);
    // The token ends at the first `}` not preceded by a backslash.
    assert_eq!(kinds("{a}}"), vec![t(Value, "{a}"), t(PureValue, "}")]);
}

#[test]
fn string_literals() {
    assert_eq!(kinds(r#""abc""#), vec![t(STR, r#""abc""#)]);
    assert_eq!(kinds("'abc'"), vec![t(STR, "'abc'")]);
    // Opening and closing quotes of one family need not match.
    assert_eq!(kinds("\"abc”"), vec![t(STR, "\"abc”")]);
    assert_eq!(kinds("‘abc’"), vec![t(STR, "‘abc’")]);
    // A curly quote inside a double-quoted string ends it.
    assert_eq!(
        kinds("\"x“ || TRUE() || “\""),
        vec![
            t(STR, "\"x“"),
            t(Or, "||"),
            t(Call, "TRUE"),
            t(LeftParen, "("),
            t(RightParen, ")"),
            t(Or, "||"),
            t(STR, "“\""),
        ]
    );
    // Escaped quote.
    assert_eq!(kinds(r#""a\"b""#), vec![t(STR, r#""a\"b""#)]);
    // A single quote inside a double-quoted string is plain.
    assert_eq!(kinds(r#""it's""#), vec![t(STR, r#""it's""#)]);
}

#[test]
fn braces_inside_a_string_make_a_field_reference() {
    assert_eq!(kinds(r#""a{b}c""#), vec![t(Value, r#""a{b}c""#)]);
    assert_eq!(kinds(r#""{}""#), vec![t(Value, r#""{}""#)]);
    // `{` alone is harmless.
    assert_eq!(kinds(r#""a{b""#), vec![t(STR, r#""a{b""#)]);
}

#[test]
fn unknown_runs_are_reclassified() {
    // Runs of characters the lexer has no token for, as the real lexer classifies them.
    assert_eq!(
        kinds("abc ~~~ {}"),
        vec![t(PureValue, "abc"), t(Value, "~~~ {}")]
    );
    assert_eq!(kinds("2 ^ 3"), vec![t(Number, "2"), t(Number, "^ 3")]);
    assert_eq!(kinds("x | y"), vec![t(PureValue, "x"), t(PureValue, "| y")]);
    assert_eq!(kinds("| |"), vec![]);
    assert_eq!(kinds("1 ~~ "), vec![t(Number, "1")]);
    // An unterminated string becomes a bare name.
    assert_eq!(kinds("\"abc"), vec![t(PureValue, "\"abc")]);
}

#[test]
fn unknown_runs_that_match_nothing_are_errors() {
    assert_eq!(lex("1 ~~").unknown, vec!["~~".to_owned()]);
    assert_eq!(lex("^").unknown, vec!["^".to_string()]);
    assert_eq!(lex("`").unknown, vec!["`".to_string()]);
    // A backslash before an escaped quote ends the string early and leaves a stray quote.
    assert_eq!(lex(r#""a\\\"b""#).unknown, vec!["\"".to_string()]);
    // A raw line break inside a literal.
    assert!(!lex("\"a\nb\"").unknown.is_empty());
}

#[test]
fn whitespace_is_dropped() {
    assert_eq!(
        kinds("\t1\u{3000}+\r\n2\u{a0}"),
        vec![t(Number, "1"), t(Add, "+"), t(Number, "2")]
    );
}
