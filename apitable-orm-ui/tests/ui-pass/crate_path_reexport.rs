//! `crate = "…"` for crates that re-export `apitable_orm` under another path.
#![deny(warnings)]

mod reexport {
    pub use apitable_orm as orm;
}

mod tables {
    use crate::reexport::orm::{FieldValue, Table};

    #[derive(Debug, Table)]
    #[apitable(crate = "crate::reexport::orm", datasheet = "dstTasks0001")]
    pub struct Task {
        pub title: String,
        pub size: Size,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
    #[apitable(crate = "crate::reexport::orm", rename_all = "lowercase")]
    pub enum Size {
        Small,
        Large,
    }
}

fn main() {
    assert_eq!(tables::Size::OPTIONS, ["small", "large"]);
    assert_eq!(tables::Task::SIZE.key(), "size");
}
