//! Every field mapped by id: requests use `fieldKey=id`.
#![deny(warnings)]

use apitable_orm::api::FieldKey;
use apitable_orm::{RecordId, Table};

#[derive(Debug, Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(record_id)]
    id: Option<RecordId>,
    #[apitable(id = "fldTitle0001", key)]
    title: String,
    #[apitable(id = "fldEstimate01")]
    estimate: Option<f64>,
    #[apitable(skip)]
    selected: bool,
}

fn main() {
    assert_eq!(<Task as Table>::FIELD_KEY, FieldKey::Id);
    assert_eq!(Task::TITLE.key(), "fldTitle0001");
    let params = Task::query().to_params().unwrap().to_query().unwrap();
    assert!(params.contains(&("fieldKey".into(), "id".into())), "{params:?}");
    let task = Task { id: None, title: "x".into(), estimate: None, selected: true };
    assert!(task.record_id().is_none() && task.selected);
}
