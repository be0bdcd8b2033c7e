//! Property tests: the engine never panics, and the piecewise string encoder (literal pieces
//! joined by `CONCATENATE`, written here independently of the client crate's) round-trips every
//! string.

mod common;
#[path = "support/hostile.rs"]
mod hostile;

use apitable_formula::Formula;
use common::{ctx, fields, parse, records, text_record};
use hostile::hostile_text;
use proptest::prelude::*;

/// The piecewise encoder that embeds any string safely: literal pieces joined with `&`.
fn encode(s: &str) -> String {
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    fn flush(cur: &mut String, pieces: &mut Vec<String>) {
        if !cur.is_empty() {
            pieces.push(format!("\"{cur}\""));
            cur.clear();
        }
    }
    for c in s.chars() {
        match c {
            '\\' => {
                flush(&mut cur, &mut pieces);
                pieces.push(r#""\\""#.to_string());
            }
            '\n' => {
                flush(&mut cur, &mut pieces);
                pieces.push(r#""\n""#.to_string());
            }
            '\r' => {
                flush(&mut cur, &mut pieces);
                pieces.push(r#""\r""#.to_string());
            }
            '\u{2028}' | '\u{2029}' => {
                flush(&mut cur, &mut pieces);
                pieces.push(format!("LEFT(\"{c}\\\"\", 1)"));
            }
            '}' => {
                flush(&mut cur, &mut pieces);
                cur.push('}');
            }
            '"' | '“' | '”' => {
                cur.push('\\');
                cur.push(c);
            }
            c => cur.push(c),
        }
    }
    flush(&mut cur, &mut pieces);
    match pieces.len() {
        0 => "\"\"".to_string(),
        1 => pieces.pop().unwrap_or_default(),
        _ => format!("CONCATENATE({})", pieces.join(", ")),
    }
}

/// Token-like fragments, to build formulas that get past the lexer.
fn formula_from_tokens() -> impl Strategy<Value = String> {
    let tok = prop_oneof![
        Just("{n}"),
        Just("{Name}"),
        Just("{Tags}"),
        Just("{Due}"),
        Just("{Done}"),
        Just("{Nums}"),
        Just("{Link}"),
        Just("Status"),
        Just("("),
        Just(")"),
        Just("（"),
        Just(","),
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("%"),
        Just("&"),
        Just("&&"),
        Just("||"),
        Just("="),
        Just("!="),
        Just(">"),
        Just("<="),
        Just("!"),
        Just("1"),
        Just("0"),
        Just(".5"),
        Just("1.2.3"),
        Just("\"a\""),
        Just("\"\""),
        Just("'x'"),
        Just("\"days\""),
        Just("\"2024-01-01\""),
        Just("BLANK()"),
        Just("TRUE()"),
        Just("IF("),
        Just("SWITCH("),
        Just("IS_ERROR("),
        Just("SUM("),
        Just("MAX("),
        Just("ROUND("),
        Just("MOD("),
        Just("VALUE("),
        Just("FIND("),
        Just("MID("),
        Just("SUBSTITUTE("),
        Just("REPT("),
        Just("LEFT("),
        Just("DATEADD("),
        Just("DATETIME_DIFF("),
        Just("DATETIME_PARSE("),
        Just("WORKDAY("),
        Just("WEEKNUM("),
        Just("COUNTIF("),
        Just("ARRAYUNIQUE("),
        Just("ERROR("),
        Just(" "),
        Just("~"),
        Just("^"),
        Just("\""),
        Just("“"),
        Just("{"),
        Just("}"),
        Just("\\"),
    ];
    prop::collection::vec(tok, 1..24).prop_map(|v| v.concat())
}

const ARG_POOL: &[&str] = &[
    "{n}",
    "{Name}",
    "{Tags}",
    "{Due}",
    "{Done}",
    "{Nums}",
    "{Link}",
    "{Pct}",
    "{Site}",
    "BLANK()",
    "\"\"",
    "\"a\"",
    "\"2024-01-01\"",
    "\"2024-01-15 08:30\"",
    "0",
    "1",
    "-1",
    ".5",
    "1/0",
    "POWER(10, 300)",
    "-POWER(10, 300)",
    "\"days\"",
    "\"M\"",
    "\"monday\"",
    "\">\"",
    "\"!=\"",
    "ERROR()",
    "TRUE()",
    "FALSE()",
    "ARRAYUNIQUE({Tags})",
    "NOW()",
    "TODAY()",
    "\"YYYY-MM-DD\"",
    "\",\"",
    "SET_TIMEZONE(NOW())",
];

/// A call of any known function with arguments from a pool, nested up to two levels.
fn call_soup() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = apitable_formula::function_names().collect();
    let leaf = prop::sample::select(ARG_POOL.to_vec()).prop_map(str::to_string);
    let call = move |inner: BoxedStrategy<String>| {
        (
            prop::sample::select(names.clone()),
            prop::collection::vec(inner, 0..5),
        )
            .prop_map(|(f, args)| format!("{f}({})", args.join(", ")))
    };
    let level1 = prop_oneof![leaf.clone(), call.clone()(leaf.clone().boxed())].boxed();
    call(level1)
}

fn eval_everywhere(src: &str) {
    if let Ok(f) = parse(src) {
        let c = ctx();
        for r in records() {
            let _ = f.evaluate(&r, &c);
            let _ = f.matches(&r, &c);
        }
    }
}

proptest! {
    // 512 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(512)))]

    #[test]
    fn arbitrary_unicode_never_panics(s in any::<String>()) {
        eval_everywhere(&s);
    }

    #[test]
    fn hostile_strings_never_panic(s in hostile_text(15)) {
        eval_everywhere(&s);
    }

    #[test]
    fn token_soup_never_panics(s in formula_from_tokens()) {
        eval_everywhere(&s);
    }

    #[test]
    fn any_function_with_odd_arguments_never_panics(s in call_soup()) {
        eval_everywhere(&s);
        eval_everywhere(&format!("{s} = BLANK()"));
        eval_everywhere(&format!("{s} & {s} > 1"));
    }

    #[test]
    fn encoder_round_trips(s in prop_oneof![any::<String>(), hostile_text(15)]) {
        // A blank cell is null, which equals no string literal; skip the empty string.
        prop_assume!(!s.is_empty());
        let src = format!("{{Notes}} = {}", encode(&s));
        let f = Formula::parse(&src, &fields())
            .map_err(|e| TestCaseError::fail(format!("{src:?}: {}", e.message)))?;
        let c = ctx();
        prop_assert!(f.matches(&text_record(&s), &c), "{src:?} does not match {s:?}");
        let longer = format!("{s}x");
        prop_assert!(!f.matches(&text_record(&longer), &c), "{src:?} matches {longer:?}");
    }
}

/// Encodings as the client's encoder (`apitable_orm::encode_string`) writes them, and one with a
/// space after each comma, each with the string it stands for.
const CLIENT_ENCODINGS: &[(&str, &str)] = &[
    (r#""""#, ""),
    (r#""plain""#, "plain"),
    (r#""a\"b""#, "a\"b"),
    (r#"CONCATENATE("C:","\\","new")"#, r"C:\new"),
    (r#"CONCATENATE("a","\r","\n","b")"#, "a\r\nb"),
    (r#"CONCATENATE("}","}")"#, "}}"),
    (r#"CONCATENATE("{a","}")"#, "{a}"),
    (r#""x\“ || TRUE() || \“""#, "x“ || TRUE() || “"),
    (r#""'‘’""#, "'‘’"),
    ("LEFT(\"\u{2028}\\\"\",1)", "\u{2028}"),
    (r#"CONCATENATE("say \“hi\” {x","}","\n")"#, "say “hi” {x}\n"),
    (
        r#"CONCATENATE("He said \“hi\” {x", "}", "\n")"#,
        "He said “hi” {x}\n",
    ),
];

#[test]
fn client_encodings_decode_to_their_strings() {
    let c = ctx();
    for &(encoded, text) in CLIENT_ENCODINGS {
        // The literal alone evaluates to exactly the string...
        let f = Formula::parse(encoded, &fields()).unwrap_or_else(|e| panic!("{encoded}: {e}"));
        assert_eq!(
            f.evaluate(&records()[0], &c),
            Ok(apitable_formula::Value::str(text)),
            "{encoded}"
        );
        // ...and compared with a text cell it matches that text and no longer one.
        if !text.is_empty() {
            let src = format!("{{Notes}} = {encoded}");
            let f = parse(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert!(f.matches(&text_record(text), &c), "{src}");
            assert!(!f.matches(&text_record(&format!("{text}x")), &c), "{src}");
        }
    }
    // The naive forms the encoder avoids: the lexer reads `\n` inside `\\n` as a line break, a
    // braced run inside a literal as a field, and a curly quote as the end of the string.
    assert_eq!(
        common::eval(r#""C:\\new""#, 1),
        Ok(apitable_formula::Value::str("C:\\\new"))
    );
    assert!(parse(r#""{a}""#).is_err());
    assert_eq!(
        parse(r#"{Notes} = "x“ || TRUE() || “""#).unwrap().tree(),
        r#"((({fldNotes} = "x") || TRUE()) || "")"#
    );
}

#[test]
fn deepest_accepted_formulas_evaluate_without_overflow() {
    let r = &records()[0];
    let c = ctx();
    let chain = vec!["{n}"; 500].join(" + ");
    let f = parse(&chain).expect("a 500-term chain parses");
    assert_eq!(
        f.evaluate(r, &c),
        Ok(apitable_formula::Value::Number(5000.0))
    );
    let calls = format!("{}{{n}}{}", "ABS(".repeat(250), ")".repeat(250));
    let f = parse(&calls).expect("250 nested calls parse");
    assert!(f.matches(r, &c));
    let ifs = format!("{}1{}", "IF(TRUE(), ".repeat(120), ", 0)".repeat(120));
    let f = parse(&ifs).expect("120 nested IFs parse");
    assert!(f.matches(r, &c));
    let groups = format!("{}{{n}}{}", "(1 + ".repeat(120), ")".repeat(120));
    let f = parse(&groups).expect("120 nested groups parse");
    assert!(f.matches(r, &c));
}
