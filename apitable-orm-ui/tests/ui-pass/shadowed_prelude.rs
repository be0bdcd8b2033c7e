//! Generated code must not depend on what the user's module calls `Result`, `Option`…
#![deny(warnings)]
#![allow(dead_code, non_camel_case_types)]

mod shadow {
    pub struct Result;
    pub struct Option;
    pub struct Some;
    pub struct None;
    pub struct Ok;
    pub struct Err;
    pub struct String;
    pub struct Vec;
    pub struct Default;
    pub struct Box;
    pub struct str;
    pub struct usize;
    pub trait Fn {}
    pub mod core {}
    pub mod std {}
    pub mod apitable_orm {}
    pub mod _p {}
    pub mod _apitable {}

    use ::apitable_orm::{FieldValue, RecordId, Table};

    #[derive(::core::fmt::Debug, Table)]
    #[apitable(datasheet = "dstShadow0001", view = "viwShadow0001")]
    pub struct Task {
        #[apitable(record_id)]
        pub id: ::core::option::Option<RecordId>,
        #[apitable(key)]
        pub title: ::std::string::String,
        pub tags: ::std::vec::Vec<::std::string::String>,
        pub status: Status,
        #[apitable(default)]
        pub estimate: f64,
        #[apitable(skip)]
        pub local: u8,
    }

    #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, FieldValue)]
    pub enum Status {
        Todo,
        Done,
    }
}

fn main() {
    use apitable_orm::Table;
    let q = shadow::Task::query().filter(shadow::Task::STATUS.eq(shadow::Status::Done));
    assert!(q.to_params().is_ok());
    assert_eq!(<shadow::Task as Table>::VIEW, Some("viwShadow0001"));
}
