//! A `pub(crate)` struct with fields of mixed visibility.
#![deny(warnings)]

mod tables {
    use apitable_orm::Table;

    #[derive(Debug, Table)]
    #[apitable(datasheet = "dstTasks0001")]
    pub(crate) struct Task {
        pub(crate) title: String,
        pub done: bool,
        pub(super) estimate: Option<f64>,
    }
}

fn main() {
    use apitable_orm::Table;
    let q = tables::Task::query()
        .filter(tables::Task::DONE.eq(false))
        .sort(tables::Task::ESTIMATE.desc())
        .sort(tables::Task::TITLE.asc());
    assert!(q.to_params().is_ok());
}
