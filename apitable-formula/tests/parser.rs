//! Parser behaviour, as the server's one-token-lookahead parser has it: operator precedence and
//! the `&&`/`||` regrouping, the unary and comma quirks, field resolution, and parse errors.

use apitable_formula::{FieldDef, Formula};
use serde_json::Value as Json;

fn fields() -> Vec<FieldDef> {
    let f = |id: &str, name: &str, t: &str| FieldDef {
        id: id.into(),
        name: name.into(),
        field_type: t.into(),
        property: Json::Null,
    };
    vec![
        f("fldA", "a", "Number"),
        f("fldB", "b", "Number"),
        f("fldC", "c", "Number"),
        f("fldD", "d", "Number"),
        f("fldSp", "My Field", "Text"),
        f("fldBr", "x{y}\\z", "Text"),
        f("fldShadow", "fldA", "Text"),
        f("fldCase", "Status", "Text"),
        f("fldNl", "two\nlines", "Text"),
    ]
}

fn tree(src: &str) -> String {
    match Formula::parse(src, &fields()) {
        Ok(f) => f.tree(),
        Err(e) => panic!("{src:?} failed to parse: {}", e.message),
    }
}

fn error(src: &str) -> String {
    match Formula::parse(src, &fields()) {
        Ok(f) => panic!("{src:?} parsed as {}", f.tree()),
        Err(e) => e.message,
    }
}

#[test]
fn verified_outcomes_table() {
    assert_eq!(tree("1 + 2 * 3 + 4"), "((1 + (2 * 3)) + 4)");
    assert_eq!(tree("1 - 2 - 3"), "((1 - 2) - 3)");
    assert_eq!(tree("{a} || {b} && {c}"), "({fldA} || ({fldB} && {fldC}))");
    assert_eq!(
        tree("{a} = 1 || {b} = 2 && {c} = 3"),
        "((({fldA} = 1) || ({fldB} = 2)) && ({fldC} = 3))"
    );
    assert_eq!(
        tree("{a}=1&&{b}=2||{c}=3&&{d}=4"),
        "(((({fldA} = 1) && ({fldB} = 2)) || ({fldC} = 3)) && ({fldD} = 4))"
    );
    assert_eq!(tree(r#""a" & "b" = "ab""#), r#"("a" & ("b" = "ab"))"#);
    assert_eq!(tree(r#"{a} = "x" & "y""#), r#"(({fldA} = "x") & "y")"#);
    assert_eq!(tree("{a} = {b} = {c}"), "(({fldA} = {fldB}) = {fldC})");
}

#[test]
fn precedence_levels() {
    assert_eq!(tree("1 * 2 + 3"), "((1 * 2) + 3)");
    assert_eq!(tree("1 + 2 > 3"), "((1 + 2) > 3)");
    assert_eq!(tree("1 > 2 = 3 < 4"), "((1 > 2) = (3 < 4))");
    assert_eq!(tree("1 = 2 && 3"), "((1 = 2) && 3)");
    assert_eq!(tree("1 && 2 || 3"), "((1 && 2) || 3)");
    assert_eq!(tree("1 || 2 & 3"), "((1 || 2) & 3)");
    assert_eq!(tree("8 / 4 / 2"), "((8 / 4) / 2)");
    assert_eq!(tree("7 % 4 * 2"), "((7 % 4) * 2)");
}

#[test]
fn calls_and_groups_are_skipped_in_the_lookahead() {
    assert_eq!(tree("1 + (2) * 3"), "(1 + (2 * 3))");
    assert_eq!(tree("1 + ABS(2) * 3"), "(1 + (ABS(2) * 3))");
    assert_eq!(tree("(1 + 2) * 3"), "((1 + 2) * 3)");
    assert_eq!(
        tree("{a} = 1 || ({b} = 2 && {c} = 3)"),
        "(({fldA} = 1) || (({fldB} = 2) && ({fldC} = 3)))"
    );
    assert_eq!(
        tree("OR({a} = 1, AND({b} = 2, {c} = 3))"),
        "OR(({fldA} = 1), AND(({fldB} = 2), ({fldC} = 3)))"
    );
}

#[test]
fn unary_operators_bind_one_factor() {
    assert_eq!(tree("!{a} = 1"), "((!{fldA}) = 1)");
    assert_eq!(tree("-2 * 3"), "((-2) * 3)");
    assert_eq!(tree("--2"), "(-(-2))");
    assert_eq!(tree("+{a}"), "(+{fldA})");
    assert_eq!(tree("!({a} = 1)"), "(!({fldA} = 1))");
    // The lookahead peeks at the token after the unary operator (the `2`), so the `*` does not
    // bind tighter here: a quirk of the algorithm.
    assert_eq!(tree("1 + -2 * 3"), "((1 + (-2)) * 3)");
}

#[test]
fn comma_quirk() {
    assert_eq!(tree("SUM(1,,7)"), "SUM(1, 7)");
    assert_eq!(tree("SUM(,1)"), "SUM(1)");
    assert_eq!(tree("SUM()"), "SUM()");
    assert!(error("SUM(1,7,)").contains(")"));
}

#[test]
fn unclosed_group_at_the_end_is_accepted() {
    // `next(RightParen)` is silent at the end of input.
    assert_eq!(tree("(1 + 2"), "(1 + 2)");
}

#[test]
fn parse_errors() {
    assert_eq!(error("   "), "The formula can't be empty");
    assert_eq!(error("FOO(1)"), "Undefined function: FOO");
    assert_eq!(error("ISBLANK({a})"), "Undefined function: ISBLANK");
    assert_eq!(error("TEXT(1)"), "Undefined function: TEXT");
    assert_eq!(
        error("IF(1, 2)"),
        "IF function requires 3 parameters at least"
    );
    assert_eq!(error("{nope} = 1"), "Invalid column or function name: nope");
    assert_eq!(error("1 +"), "Wrong formula ending");
    assert_eq!(error("1 2"), "Unidentified character$(value)");
    assert_eq!(error("SUM(1 2)"), "Function needs to end with \")\"");
    assert_eq!(error("SUM(1"), "Function needs to end with \")\"");
    assert_eq!(error("1 ~~"), "Unrecognized operational character: ~~");
    assert_eq!(error(")"), "Unknown operational character: )");
    assert_eq!(error("1 == 2"), "Unknown operational character: =");
    assert_eq!(error("1 <> 2"), "Unknown operational character: >");
    assert_eq!(error("1e5"), "Unidentified character$(value)");
    // `IF (` with a space: IF is a field name.
    assert_eq!(error("IF (1, 2, 3)"), "Invalid column or function name: IF");
    assert_eq!(error("TRUE"), "Invalid column or function name: TRUE");
    assert_eq!(
        error(r#"DATEADD({a}, 1, "day")"#),
        "Wrong unit parameter value: day"
    );
    assert_eq!(
        error(r#"DATETIME_DIFF({a}, {b}, "day")"#),
        "Wrong unit parameter value: day"
    );
    // A literal with braces inside is a field reference.
    assert_eq!(
        error(r#"{a} = "x{y}z""#),
        "Invalid column or function name: x{y}z"
    );
}

#[test]
fn field_resolution() {
    // Name first, then id.
    assert_eq!(tree("{a}"), "{fldA}");
    assert_eq!(tree("{fldB}"), "{fldB}");
    assert_eq!(tree("b"), "{fldB}");
    assert_eq!(tree("fldB"), "{fldB}");
    // A field whose name is another field's id wins over that id.
    assert_eq!(tree("{fldA}"), "{fldShadow}");
    // Names are case-sensitive, function names are not.
    assert_eq!(tree("Status"), "{fldCase}");
    assert!(error("{status}").starts_with("Invalid column"));
    assert_eq!(tree("sum(1)"), "SUM(1)");
    assert_eq!(tree("Sum(1)"), "SUM(1)");
    // Spaces are significant; escapes inside braces.
    assert_eq!(tree("{My Field}"), "{fldSp}");
    assert!(error("{ My Field}").starts_with("Invalid column"));
    assert_eq!(tree(r"{x\{y\}\\z}"), "{fldBr}");
    assert_eq!(tree("{two\nlines}"), "{fldNl}");
}

#[test]
fn string_literal_values() {
    assert_eq!(tree(r#""a\"b""#), r#""a\"b""#);
    assert_eq!(tree(r#""C:\\new""#), "\"C:\\\\\\new\"");
    assert_eq!(tree(r#""tab\there""#), r#""tab\there""#);
    assert_eq!(tree("'it’"), r#""it""#);
    // Curly quotes close strings: injection regroups the formula.
    assert_eq!(
        tree("{My Field} = \"x“ || TRUE() || “\""),
        r#"((({fldSp} = "x") || TRUE()) || "")"#
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(error(&deep).contains("nested too deeply"));
    let unary = format!("{}1", "-".repeat(10_000));
    assert!(error(&unary).contains("nested too deeply"));
    let chain = vec!["1"; 10_000].join(" + ");
    assert!(error(&chain).contains("nested too deeply"));
    let calls = format!("{}1{}", "ABS(".repeat(5_000), ")".repeat(5_000));
    assert!(error(&calls).contains("nested too deeply"));
    // Moderate nesting is fine.
    let ok = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(tree(&ok), "1");
    let ok_chain = vec!["1"; 300].join(" + ");
    assert!(Formula::parse(&ok_chain, &fields()).is_ok());
}

#[test]
fn nested_groups_parse_in_polynomial_time() {
    // `1 + (1 + (… (1)))`, n levels deep. Each `(` group is parsed once for the lookahead and
    // remembered; then it is parsed as the operand of every enclosing group's parse: n² + 3n + 1
    // factor parses in all. A port that forgets the lookahead's work doubles it with every
    // level, and at 120 levels it would never finish.
    let mut s = String::from("1");
    for n in 0..=120u64 {
        let f = Formula::parse(&s, &fields()).unwrap_or_else(|e| panic!("{n} levels: {e}"));
        assert_eq!(f.parse_steps(), n * n + 3 * n + 1, "{n} levels");
        s = format!("1 + ({s})");
    }
}

#[test]
fn formula_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_send_sync::<Formula>();
}
