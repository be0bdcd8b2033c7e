//! A date the way a dayjs object holds one: an instant, the wall clock its calendar functions
//! read, its UTC mode or offset, and its locale.
//!
//! Plain dates (from a number or a string) read the server's wall clock and speak English.
//! `SET_TIMEZONE(date, hours)` moves the wall clock and `SET_LOCALE(date, name)` the
//! language; both survive the other, and every date function reads the wall clock, locale
//! and offset of the date it is given.

use crate::locale::{self, Locale};

/// The dayjs UTC mode of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// A plain date in the server's zone.
    Local,
    /// `SET_TIMEZONE(date, 0)`: UTC mode.
    Utc,
    /// `SET_TIMEZONE(date, n)`: a fixed offset, minutes east of UTC.
    Fixed(i32),
}

/// A dayjs object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateVal {
    /// The instant, epoch milliseconds.
    pub ms: f64,
    /// Minutes added to the instant to give the wall clock the calendar functions read.
    pub shift: i32,
    /// UTC mode or offset.
    pub zone: Zone,
    /// Names and week rules.
    pub locale: &'static Locale,
}

impl DateVal {
    /// A plain date at `ms`, in the server's zone at `server_offset_min`.
    pub fn plain(ms: f64, server_offset_min: i32) -> DateVal {
        DateVal {
            ms,
            shift: server_offset_min,
            zone: Zone::Local,
            locale: locale::english(),
        }
    }

    /// dayjs `utcOffset()`: minutes east of UTC.
    pub fn utc_offset(&self) -> i32 {
        match self.zone {
            Zone::Local => self.shift,
            Zone::Utc => 0,
            Zone::Fixed(o) => o,
        }
    }

    /// A copy at another instant (the same zone, wall-clock shift and locale).
    pub fn at(&self, ms: f64) -> DateVal {
        DateVal { ms, ..*self }
    }

    /// dayjs `local()`: the same instant as a plain date of the server's zone, keeping the
    /// locale.
    pub fn local(&self, server_offset_min: i32) -> DateVal {
        DateVal {
            locale: self.locale,
            ..DateVal::plain(self.ms, server_offset_min)
        }
    }

    /// dayjs `utcOffset(offset_min)`, the offset already in minutes. dayjs moves the wall
    /// clock from the one the date's offset gives (not from its actual wall clock), so a
    /// second offset on a date that has one lands at the difference of the two.
    pub fn with_offset(&self, offset_min: i32, server_offset_min: i32) -> DateVal {
        if offset_min == 0 {
            return DateVal {
                ms: self.ms,
                shift: 0,
                zone: Zone::Utc,
                locale: self.locale,
            };
        }
        let local_offset = match self.zone {
            Zone::Utc => server_offset_min,
            _ => self.utc_offset(),
        };
        DateVal {
            ms: self.ms,
            shift: offset_min - local_offset + server_offset_min,
            zone: Zone::Fixed(offset_min),
            locale: self.locale,
        }
    }

    /// dayjs's test for two dates in the same UTC mode (`diff` compares them as they are
    /// only then).
    pub fn same_mode(&self, other: &DateVal) -> bool {
        let mode = |z: Zone| match z {
            Zone::Local => 0,
            Zone::Utc => 1,
            Zone::Fixed(_) => 2,
        };
        mode(self.zone) == mode(other.zone)
    }
}
