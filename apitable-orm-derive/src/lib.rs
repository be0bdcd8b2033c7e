//! Derive macros for `apitable-orm`. Depend on `apitable-orm`, which re-exports them.
#![deny(missing_docs)]
