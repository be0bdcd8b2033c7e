//! A datasheet's schema as data, shared by the `apitable-orm` derive (which checks structs
//! against committed snapshots at compile time), its runtime schema check and the `apitable`
//! command-line tool, so the three can never disagree.
//!
//! * [`FieldType`]: the field types of the APITable API.
//! * [`Snapshot`]: a datasheet's fields and views as a versioned JSON file.
//! * [`Shape`] and [`Kind`]: which Rust value types fit which field types (the table is in
//!   the [`fit`] module).
//! * [`diff`]: what changed between two snapshots.
//! * [`NewProperty`]: a field's type and settings as Rust values; [`ViewType`].
//!
//! ```
//! use apitable_schema::{FieldSchema, FieldType, Kind, Shape};
//! let tags = FieldSchema::new("fldTags0001", "Tags", FieldType::MultiSelect);
//! assert!(Shape::of(Kind::Text).list().check(&tags).is_ok());
//! assert!(Shape::of(Kind::Text).check(&tags).is_err());
//! ```

#![deny(missing_docs)]

mod diff;
mod field_type;
pub mod fit;
mod property;
mod snapshot;

pub use diff::{Change, diff};
pub use field_type::FieldType;
pub use fit::{Kind, Mismatch, Shape, can_be_key, fits, rust_type_for, same_options};
pub use property::{
    DATE_FORMATS, DateFormat, LinkProperty, NewProperty, SelectOption, SymbolAlign, ViewType,
};
pub use snapshot::{
    DatasheetRef, FieldSchema, SNAPSHOT_VERSION, Snapshot, SnapshotError, ViewSchema,
};
