//! The shared application state of a running emulator and helpers used by every handler.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::Settings;
use crate::envelope::{ApiError, tips};
use crate::faults::FaultInjector;
use crate::fields::{ReadEnv, WriteEnv};
use crate::ratelimit::RateLimiter;
use crate::stats::StatsCollector;
use crate::store::State;
use crate::store::Store;
use crate::store::model::{Datasheet, Space};

/// Everything a request handler can reach.
#[derive(Debug)]
pub(crate) struct App {
    pub store: Store,
    pub settings: Settings,
    pub base_url: String,
    pub admin_token: String,
    pub rate: RateLimiter,
    pub stats: StatsCollector,
    pub faults: FaultInjector,
    /// Tokens handed out by `presignedUrl` and not uploaded yet.
    pub pending_uploads: std::sync::Mutex<Vec<String>>,
}

impl App {
    /// A read environment over `state`.
    pub fn read_env<'a>(&'a self, state: &'a State) -> ReadEnv<'a> {
        ReadEnv {
            state,
            base_url: &self.base_url,
            utc_offset_minutes: self.settings.utc_offset_minutes,
            now_ms: now_ms(),
            formulas: Default::default(),
            depth: Default::default(),
        }
    }

    /// A write environment over `state` for `space_id`.
    pub fn write_env<'a>(&self, state: &'a State, space_id: &'a str) -> WriteEnv<'a> {
        WriteEnv {
            state,
            space_id,
            utc_offset_minutes: self.settings.utc_offset_minutes,
        }
    }
}

/// Epoch milliseconds now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The datasheet `dst`: 301 when unknown.
pub(crate) fn datasheet<'a>(state: &'a State, dst: &str) -> Result<&'a Datasheet, ApiError> {
    state
        .datasheets
        .get(dst)
        .ok_or_else(tips::datasheet_not_exist)
}

/// The datasheet `dst`, visible to `user_id`: 301 when unknown, 403 when outside its space.
pub(crate) fn visible_datasheet<'a>(
    state: &'a State,
    user_id: &str,
    dst: &str,
) -> Result<&'a Datasheet, ApiError> {
    let ds = datasheet(state, dst)?;
    if !state.is_member(&ds.space_id, user_id) {
        return Err(ApiError::not_in_space());
    }
    Ok(ds)
}

/// The space `spc` for `user_id`: code 400 when unknown, 403 when not a member.
pub(crate) fn member_space<'a>(
    state: &'a State,
    user_id: &str,
    spc: &str,
) -> Result<&'a Space, ApiError> {
    let space = state.space(spc).ok_or_else(tips::invalid_space)?;
    if space.member_of_user(user_id).is_none() {
        return Err(ApiError::not_in_space());
    }
    Ok(space)
}

/// The datasheet `dst` inside space `spc` (create/delete field paths).
pub(crate) fn datasheet_in_space<'a>(
    state: &'a State,
    user_id: &str,
    spc: &str,
    dst: &str,
) -> Result<&'a Datasheet, ApiError> {
    member_space(state, user_id, spc)?;
    let ds = datasheet(state, dst)?;
    if ds.space_id != spc {
        return Err(tips::datasheet_not_visible());
    }
    Ok(ds)
}
