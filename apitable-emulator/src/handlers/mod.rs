//! Request handlers, one module per resource. Each takes the parsed request and returns an
//! [`ApiResult`](crate::envelope::ApiResult).

pub(crate) mod attachments;
pub(crate) mod datasheets;
pub(crate) mod fields;
pub(crate) mod nodes;
pub(crate) mod records;
pub(crate) mod units;
