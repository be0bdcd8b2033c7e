use apitable_orm::{FieldValue, RecordId, Table, Timestamp};

#[derive(Debug, Table)]
#[apitable(datasheet = "dstAbC123xyz", rename_all = "Title Case")]
pub struct Task {
    #[apitable(record_id)]
    pub id: Option<RecordId>,
    #[apitable(key)]
    pub title: String,
    pub status: Status,
    #[apitable(name = "Estimate (h)")]
    pub estimate: Option<f64>,
    #[apitable(name = "Created", read_only)]
    pub created: Option<Timestamp>,
    #[apitable(skip)]
    pub selected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
pub enum Status {
    #[apitable(rename = "To do")]
    Todo,
    Doing,
    Done,
}

#[test]
fn smoke() {
    let q = Task::query().filter(Task::STATUS.ne(Status::Done).and(Task::ESTIMATE.gt(2)));
    println!("{:?}", q.to_params().unwrap().to_query());
}
