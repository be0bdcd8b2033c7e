//! Generated public items carry docs, so crates that deny missing docs compile.
#![deny(missing_docs, warnings)]

/// Tables.
pub mod tables {
    use apitable_orm::{FieldValue, RecordId, Table};

    /// A task.
    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstTasks0001")]
    pub struct Task {
        /// Its id.
        #[apitable(record_id)]
        pub id: Option<RecordId>,
        /// Its title.
        #[apitable(key)]
        pub title: String,
        /// Its status.
        pub status: Status,
    }

    /// A status.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
    pub enum Status {
        /// To do.
        Todo,
        /// Done.
        Done,
    }
}

fn main() {
    assert_eq!(tables::Task::TITLE.key(), "title");
}
