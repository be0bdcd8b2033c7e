//! A local APITable Fusion API server.
//!
//! Written from the project's API reference, independently of `apitable-orm`: when the ORM and
//! the emulator agree, that agreement means something.
#![deny(missing_docs)]

pub use apitable_formula as formula;
