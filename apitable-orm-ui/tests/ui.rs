//! Compile-time guarantees of the derives and the typed query layer.
//!
//! `tests/ui/*.rs` must fail to compile with the committed `.stderr` (one rule per file, named
//! after the rule, or a family of rules the compiler reports together); `tests/ui-pass/*.rs`
//! must compile. The messages are rustc 1.95's; re-bless with
//! `TRYBUILD=overwrite cargo test -p apitable-orm-ui --test ui` after a toolchain change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
