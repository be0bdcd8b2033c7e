//! A derived single-select enum in `eq` filters, and `Vec<Enum>` (multi-select) in `has`.
#![deny(warnings)]

use apitable_orm::{FieldValue, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
#[apitable(rename_all = "Title Case")]
enum Status {
    ToDo,
    InProgress,
    #[apitable(rename = "Done ✓")]
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, FieldValue)]
enum Tag {
    Urgent,
    #[apitable(rename = "Nice to have")]
    Nice,
}

#[derive(Debug, Table)]
#[apitable(datasheet = "dstTasks0001")]
struct Task {
    #[apitable(name = "Status")]
    status: Status,
    #[apitable(name = "Tags")]
    tags: Vec<Tag>,
    #[apitable(name = "Next")]
    next: Option<Status>,
}

fn formula(q: apitable_orm::Query<Task>) -> String {
    let params = q.to_params().unwrap().to_query().unwrap();
    params.into_iter().find(|(k, _)| k == "filterByFormula").unwrap().1
}

fn main() {
    assert_eq!(Status::OPTIONS, ["To Do", "In Progress", "Done ✓"]);
    let eq = formula(Task::query().filter(Task::STATUS.eq(Status::InProgress)));
    assert!(eq.contains("In Progress"), "{eq}");
    let has = formula(Task::query().filter(Task::TAGS.has(Tag::Nice)));
    assert!(has.contains("Nice to have"), "{has}");
    let next = formula(Task::query().filter(Task::NEXT.ne(Status::Done)));
    assert!(next.contains("Done ✓"), "{next}");
    let any = formula(Task::query().filter(Task::TAGS.has_any([Tag::Urgent, Tag::Nice])));
    assert!(any.contains("Urgent") && any.contains("Nice to have"), "{any}");
}
