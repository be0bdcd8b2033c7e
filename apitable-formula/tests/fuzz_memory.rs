//! Fuzzing with a memory bound: random formulas built from string functions with large numeric
//! arguments (and random garbage text) are parsed and evaluated within a budget, and the heap
//! the evaluation takes at its peak must stay under a bound derived from that budget.
//!
//! The global allocator of this test binary counts the bytes in use and their peak. Other
//! tests running on other threads would disturb that count, so this binary holds one test.
//! `PROPTEST_CASES` sets the number of cases (proptest's default, 256, otherwise).

mod common;

use std::alloc::System;
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use apitable_formula::{Budget, EvalError, EvalLimits, Formula, RecordAccess};
use common::{ctx, fields, records, text_record};
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

const MIB: u64 = 1 << 20;

/// Small limits, so that a case is quick and most big arguments hit them.
const FUZZ_LIMITS: EvalLimits = EvalLimits {
    max_steps: 200_000,
    max_bytes: 4 * MIB,
    max_record_bytes: 2 * MIB,
};

/// The most heap an evaluation within `limits` may take at once: every string it holds was
/// granted (at most the per-record limit, or the total when smaller), plus transient copies
/// and growth slack of at most as much again, plus a fixed allowance for the evaluator's own
/// small allocations (argument vectors, number texts, the result).
fn heap_bound(limits: EvalLimits) -> u64 {
    3 * limits.max_record_bytes.min(limits.max_bytes) + MIB
}

/// Peak heap growth while `f` runs.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, u64) {
    HEAP.reset_peak_memory();
    let out = f();
    (out, HEAP.get_peak_memory() as u64)
}

/// Evaluates `f` for every record with one shared budget; the largest peak heap growth of one
/// evaluation, and whether the budget ran out.
fn evaluate_all(f: &Formula, recs: &[&dyn RecordAccess], limits: EvalLimits) -> (u64, bool) {
    let budget = Budget::new(limits);
    let c = ctx();
    let mut worst = 0;
    for r in recs {
        let (out, peak) = peak_of(|| f.evaluate_within(*r, &c, &budget));
        worst = worst.max(peak);
        if matches!(out, Err(EvalError::Budget(_))) {
            return (worst, true);
        }
    }
    (worst, false)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "2",
            "3",
            "-1",
            "0.5",
            "1.5",
            "7",
            "64",
            "1000",
            "4096",
            "65536",
            "1000000",
            "8000000",
            "16000000",
            "16777216",
            "1e9",
            "POWER(10, 300)",
            "{n}",
            "BLANK()",
        ])
        .prop_map(str::to_string),
        (0u32..2_000_000).prop_map(|n| n.to_string()),
    ]
}

/// A string literal of arbitrary characters (the quote and escape characters left out).
fn literal() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| {
        let body: String = s
            .chars()
            .filter(|c| !matches!(c, '"' | '\\' | '“' | '”' | '\n' | '\r'))
            .take(12)
            .collect();
        format!("\"{body}\"")
    })
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => literal(),
        2 => number(),
        2 => prop::sample::select(vec![
            "{Name}", "{Notes}", "{Tags}", "{Due}", "{Nums}", "\"\"", "\"x\"", "\"ab\"",
            "\"😀\"", "\"é\"", "\" \"", "\",\"", "\"YYYY\"", "\"x\"", "TRUE()", "NOW()",
        ])
        .prop_map(str::to_string),
    ]
}

const TEXT_FUNCTIONS: &[&str] = &[
    "UPPER",
    "LOWER",
    "T",
    "TRIM",
    "LEN",
    "ENCODE_URL_COMPONENT",
    "VALUE",
    "ERROR",
    "ISERROR",
    "ARRAYUNIQUE",
    "ARRAYFLATTEN",
    "ARRAYCOMPACT",
    "COUNTA",
    "DATETIME_PARSE",
];

/// Nested string functions with large numeric arguments.
fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(6, 48, 4, |inner| {
        let n = number;
        prop_oneof![
            4 => (inner.clone(), n()).prop_map(|(s, k)| format!("REPT({s}, {k})")),
            3 => (inner.clone(), inner.clone(), inner.clone(), prop::option::of(n()))
                .prop_map(|(s, a, b, i)| match i {
                    Some(i) => format!("SUBSTITUTE({s}, {a}, {b}, {i})"),
                    None => format!("SUBSTITUTE({s}, {a}, {b})"),
                }),
            3 => prop::collection::vec(inner.clone(), 1..6)
                .prop_map(|v| format!("CONCATENATE({})", v.join(", "))),
            2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} & {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} > {b})")),
            2 => (prop::sample::select(vec!["LEFT", "RIGHT"]), inner.clone(), n())
                .prop_map(|(f, s, k)| format!("{f}({s}, {k})")),
            1 => (inner.clone(), n(), n()).prop_map(|(s, a, b)| format!("MID({s}, {a}, {b})")),
            1 => (inner.clone(), n(), n(), inner.clone())
                .prop_map(|(s, a, b, t)| format!("REPLACE({s}, {a}, {b}, {t})")),
            3 => (prop::sample::select(TEXT_FUNCTIONS.to_vec()), inner.clone())
                .prop_map(|(f, s)| format!("{f}({s})")),
            2 => (prop::collection::vec(inner.clone(), 1..4), inner.clone())
                .prop_map(|(v, sep)| format!("ARRAYJOIN(ARRAYCOMPACT({}), {sep})", v.join(", "))),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("FIND({a}, {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("SEARCH({a}, {b})")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("IF({c}, {a}, {b})")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("SWITCH({c}, {a}, {b}, {c})")),
            1 => (n(), inner.clone()).prop_map(|(d, p)| format!("DATETIME_FORMAT({d}, {p})")),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(s, p)| format!("DATETIME_PARSE({s}, {p})")),
            1 => (n(), inner.clone()).prop_map(|(k, u)| format!("DATEADD(0, {k}, {u})")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, c, s)| format!("COUNTIF(ARRAYCOMPACT({a}, {a}), {c}, {s})")),
        ]
    })
}

/// A formula: mostly nested expressions, sometimes garbage text or an expression with garbage
/// spliced in.
fn formula() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => expr(),
        1 => any::<String>(),
        1 => (expr(), any::<String>(), expr()).prop_map(|(a, g, b)| format!("{a}{g}{b}")),
    ]
}

fn big_notes() -> common::Rec {
    text_record(&"notes ".repeat(20_000))
}

#[test]
fn random_string_formulas_stay_within_a_heap_bound_derived_from_the_budget() {
    let recs = records();
    let big = big_notes();
    let subjects: Vec<&dyn RecordAccess> = vec![&recs[0], &recs[8], &recs[3], &big];
    let fields = fields();

    // The counting allocator is in place: a 1 MiB buffer shows in the peak.
    let (buf, peak) = peak_of(|| vec![1u8; MIB as usize]);
    assert!(peak >= MIB && buf.len() == MIB as usize, "peak {peak}");
    drop(buf);

    // The two formulas that used to abort the emulator, under the default limits.
    let eight = [r#"REPT("x", 8000000)"#; 8].join(", ");
    for src in [
        r#"LEN(SUBSTITUTE(REPT("x",4096),"x",REPT("y",16000000)))>0"#.to_string(),
        format!("LEN(CONCATENATE({eight})) > 0"),
    ] {
        let f = Formula::parse(&src, &fields).expect("parses");
        let (peak, exhausted) = evaluate_all(&f, &subjects[..1], EvalLimits::DEFAULT);
        assert!(exhausted, "{src} should exhaust the default budget");
        let bound = heap_bound(EvalLimits::DEFAULT);
        assert!(peak <= bound, "{src}: peak heap {peak} > {bound}");
    }

    let bound = heap_bound(FUZZ_LIMITS);
    let mut runner = TestRunner::new(Config {
        // A runner outside the `proptest!` macro has no source file to keep regressions in.
        failure_persistence: None,
        ..Config::default()
    });
    // (formulas that parsed, of which exhausted the budget, largest peak)
    let seen = Cell::new((0u64, 0u64, 0u64));
    // For the report only (nothing is asserted on time): the heaviest and the slowest case.
    let heaviest = RefCell::new(String::new());
    let slowest = RefCell::new((Duration::ZERO, String::new()));
    let result = runner.run(&formula(), |src| {
        let Ok(f) = Formula::parse(&src, &fields) else {
            return Ok(());
        };
        let started = Instant::now();
        let (peak, exhausted) = evaluate_all(&f, &subjects, FUZZ_LIMITS);
        let took = started.elapsed();
        let (n, e, p) = seen.get();
        if peak > p {
            *heaviest.borrow_mut() = src.clone();
        }
        if took > slowest.borrow().0 {
            *slowest.borrow_mut() = (took, src.clone());
        }
        seen.set((n + 1, e + u64::from(exhausted), p.max(peak)));
        if peak > bound {
            return Err(TestCaseError::fail(format!(
                "peak heap {peak} bytes > bound {bound} for {src}"
            )));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (parsed, exhausted, peak) = seen.get();
    eprintln!(
        "fuzz_memory: {parsed} formulas parsed, {exhausted} exhausted the budget, \
         largest peak heap {peak} bytes (bound {bound}) for {}",
        heaviest.borrow()
    );
    let (took, src) = &*slowest.borrow();
    eprintln!("fuzz_memory: slowest case {took:?}: {src}");
}
