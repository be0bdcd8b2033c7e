//! Record functions.

use super::{Arg, Cx, RtResult};
use crate::value::Value;

pub(super) fn record_id(_: &[Arg<'_>], cx: &Cx<'_>) -> RtResult {
    Ok(Value::String(cx.record.record_id().to_string()))
}
