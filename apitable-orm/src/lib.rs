//! Typed access to APITable datasheets.
#![deny(missing_docs)]
