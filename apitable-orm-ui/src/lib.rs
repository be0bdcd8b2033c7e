//! Compile-time tests of `apitable-orm`: `tests/ui/*.rs` must fail to compile with the
//! committed `.stderr`, `tests/ui-pass/*.rs` must compile. Nothing to use here.
#![deny(missing_docs)]
