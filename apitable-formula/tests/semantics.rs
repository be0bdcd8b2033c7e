//! Values of single expressions: JavaScript conversions and operators.

mod common;

use apitable_formula::{EvalContext, Formula, Value};
use common::{eval, fields, records};

fn s(src: &str) -> Value {
    eval(src, 1).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

fn text(src: &str) -> String {
    match s(src) {
        Value::String(t) => t,
        v => panic!("{src:?} gave {v:?}"),
    }
}

#[test]
fn number_to_string_like_javascript() {
    assert_eq!(text("1/3 & \"\""), "0.3333333333333333");
    assert_eq!(text("1000000000000000000000 & \"\""), "1e+21");
    assert_eq!(
        text("100000000000000000000 & \"\""),
        "100000000000000000000"
    );
    assert_eq!(text("0.000001 & \"\""), "0.000001");
    assert_eq!(text("0.0000001 & \"\""), "1e-7");
    assert_eq!(text("-1.5 & \"\""), "-1.5");
    assert_eq!(text("TRUE() & FALSE()"), "truefalse");
    assert_eq!(text("BLANK() & \"x\""), "x");
    assert_eq!(text("0.1 * 3 & \"\""), "0.3"); // decimal-corrected
    assert_eq!(text("{Tags} & \"\""), "A, B"); // array field joined for `&`
    assert_eq!(text("{Due} & \"\""), "2024/01/15"); // date field as display string
}

#[test]
fn loose_equality_and_ordering() {
    for (src, want) in [
        ("1 = \"1\"", true),
        ("\"\" = 0", true),
        ("TRUE() = 1", true),
        ("TRUE() = \"1\"", true),
        ("\"10\" < \"9\"", true),
        ("10 < \"9\"", false),
        ("\"abc\" < 1", false),
        ("\"abc\" >= 1", false),
        ("FALSE() < 1", true),
        ("\"1e3\" = 1000", true),
        ("\"0x10\" = 16", true),
        ("\" 12 \" = 12", true),
        ("\"Infinity\" > 1", true),
    ] {
        assert_eq!(s(src), Value::Bool(want), "{src}");
    }
}

#[test]
fn arithmetic_edges() {
    assert_eq!(s("1 + 2"), Value::Number(3.0));
    assert_eq!(s("\"1\" + 2"), Value::str("12"));
    assert_eq!(s("\"5\" * \"2\""), Value::Number(10.0));
    assert_eq!(s("7 % -3"), Value::Number(1.0));
    assert_eq!(s("-\"5\""), Value::Number(-5.0));
    assert_eq!(s("+\"\""), Value::Number(0.0));
    assert_eq!(s("1.1 + 2.2"), Value::Number(3.3));
    assert_eq!(s("3.3 - 1.1"), Value::Number(2.2));
    assert_eq!(s("0.3 / 0.1"), Value::Number(3.0));
    assert_eq!(s("1.1 * 1.1"), Value::Number(1.21));
    assert!(eval("1 / 0", 1).is_err()); // Infinity result is an error
    assert!(eval("\"a\" * 1", 1).is_err()); // NaN result is an error
}

#[test]
fn text_functions_count_utf16_units() {
    assert_eq!(s("LEN(\"😀\")"), Value::Number(2.0));
    assert_eq!(s("FIND(\"b\", \"😀b\")"), Value::Number(3.0));
    assert_eq!(s("MID(\"abcdef\", 2, 3)"), Value::str("bcd"));
    assert_eq!(s("RIGHT(\"abcdef\", 2)"), Value::str("ef"));
    assert_eq!(s("UPPER(\"straße\")"), Value::str("STRASSE"));
    assert_eq!(s("TRIM(\"\u{3000} a b \\n\")"), Value::str("a b"));
    assert_eq!(s("VALUE(\"--5\")"), Value::Number(-5.0));
    assert_eq!(s("VALUE(\"1..5\")"), Value::Number(1.5));
    assert_eq!(s("SUBSTITUTE(\"abc\", \"\", \"-\")"), Value::str("a-b-c"));
    assert_eq!(s("REPLACE(\"abcdef\", 2, 3, \"X\")"), Value::str("aXef"));
    assert_eq!(s("ARRAYJOIN(\"scalar\")"), Value::str("scalar"));
}

#[test]
fn dates_use_the_configured_offset() {
    let f = |src: &str, off: i32| {
        let ctx = EvalContext {
            now_ms: 1_717_243_200_000, // 2024-06-01T12:00Z
            utc_offset_minutes: off,
        };
        Formula::parse(src, &fields())
            .unwrap()
            .evaluate(&records()[0], &ctx)
    };
    // Midnight of 2024-06-01 in UTC, and of 2024-06-02 in UTC+14 (2024-06-01T10:00Z).
    assert_eq!(f("TODAY()", 0), Ok(Value::Number(1_717_200_000_000.0)));
    assert_eq!(
        f("TODAY()", 14 * 60),
        Ok(Value::Number(1_717_236_000_000.0))
    );
    assert_eq!(f("HOUR(NOW())", 480), Ok(Value::Number(20.0)));
    assert_eq!(
        f("DATETIME_PARSE(\"2024-01-15\")", 60),
        Ok(Value::Number(1_705_273_200_000.0))
    );
    assert_eq!(
        f("DATETIME_PARSE(\"2024-01-15T00:00:00Z\")", 60),
        Ok(Value::Number(1_705_276_800_000.0))
    );
    assert_eq!(
        f("DATETIME_FORMAT(0, \"YYYY-MM-DD HH:mm Z\")", -90),
        Ok(Value::str("1969-12-31 22:30 -01:30"))
    );
    assert_eq!(
        f("DATEADD(\"2024-01-31\", 1, \"months\")", 0),
        Ok(Value::Number(1_709_164_800_000.0))
    ); // Feb 29
    assert_eq!(
        f("DATETIME_DIFF(\"2024-03-01\", \"2024-01-01\", \"M\")", 0),
        Ok(Value::Number(2.0))
    );
    assert_eq!(f("WEEKNUM(\"2024-12-31\")", 0), Ok(Value::Number(53.0)));
    assert_eq!(f("LEN(TODAY())", 0), Ok(Value::Number(24.0))); // ISO string for a text function
}

#[test]
fn huge_operands_give_exact_values_or_runtime_errors() {
    use apitable_formula::{Budget, EvalError};
    // A NaN or ±Infinity result is the runtime error "#Error: NaN"; none of these spends the
    // budget (each takes a handful of steps, however large its operands).
    let nan = || Err("#Error: NaN");
    let num = |n: f64| Ok(Value::Number(n));
    let cases: [(&str, Result<Value, &str>); 20] = [
        // dayjs: a date that far away is invalid, its time NaN.
        ("DATEADD({Due}, POWER(10, 300), \"days\")", nan()),
        ("DATEADD({Due}, -POWER(10, 300), \"months\")", nan()),
        ("DATEADD({Due}, POWER(10, 300), \"years\")", nan()),
        ("DATEADD({Due}, POWER(10, 300), \"ms\")", nan()),
        // Monday 2024-01-15 + 9,999,999 workdays: 1,999,999 weeks and 4 days, a Friday
        // 13,999,997 days later.
        ("WORKDAY({Due}, 9999999)", num(1_211_305_017_600_000.0)),
        // Back 1,999,999 weeks and 4 workdays to a Tuesday, 13,999,999 days earlier, then two
        // more workdays for the two holidays on the way: 14,000,003 days.
        (
            "WORKDAY({Due}, -9999999, \"2024-01-01, 2024-01-02\")",
            num(-1_207_894_982_400_000.0),
        ),
        // Days 0 (a Thursday) to 11,574,074 inclusive: 1,653,439 weeks and a Thursday-Friday.
        ("WORKDAY_DIFF(0, POWER(10, 15))", num(8_267_197.0)),
        // The decimal correction scales by 10^(digits of the operand's text): 10^99999999999.
        ("\"1e-99999999999\" - 1", nan()),
        ("\"1e99999999999\" * \"1e-99999999999\"", nan()),
        ("ROUND(1, POWER(10, 300))", nan()),
        ("ROUNDUP(1.5, -400)", nan()),
        ("REPT(\"ab\", POWER(10, 300))", Err("Invalid string length")),
        // 10^15 ms after the epoch is in September of the year 33658.
        (
            "DATETIME_FORMAT(POWER(10, 15), \"YYYY\")",
            Ok(Value::str("33658")),
        ),
        (
            "DATETIME_DIFF(0, 8640000000000000, \"years\")",
            num(-273_790.698_924_731_2),
        ),
        // The earliest JavaScript date, -271821-04-20.
        ("WEEKNUM(-8640000000000000)", num(17.0)),
        // JavaScript: 1e300 % 7 is 1.
        ("MOD(POWER(10, 300), 7)", num(1.0)),
        // Only n >= 2 picks an occurrence; 1.5 leaves the text alone.
        (
            "SUBSTITUTE(\"aaa\", \"a\", \"b\", 1.5)",
            Ok(Value::str("aaa")),
        ),
        (
            "MID(\"abc\", -POWER(10, 300), POWER(10, 300))",
            Ok(Value::str("")),
        ),
        (
            "LEFT(\"abc\", -1) & RIGHT(\"abc\", POWER(10, 300))",
            Ok(Value::str("abc")),
        ),
        // A start before the beginning searches from the beginning.
        ("FIND(\"a\", \"abc\", -POWER(10, 300))", num(1.0)),
    ];
    for (src, want) in cases {
        let f = Formula::parse(src, &fields()).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        let budget = Budget::default();
        let got = f.evaluate_within(&records()[0], &common::ctx(), &budget);
        let want = want.map_err(|m| EvalError::Runtime(m.to_owned()));
        assert_eq!(got, want, "{src}");
        assert!(budget.exceeded().is_none(), "{src}");
        assert!(
            budget.steps_used() <= 32,
            "{src}: {} steps for a few nodes",
            budget.steps_used()
        );
    }
}
