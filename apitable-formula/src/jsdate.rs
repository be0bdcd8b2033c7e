//! `new Date(string)` as Node.js (V8) reads a string: the ECMAScript date-time format first,
//! then V8's legacy fallback for everything else (month names, `MM/DD/YYYY`, RFC 2822, …).
//!
//! The fallback reads the string as a sequence of tokens (numbers, words, signs, `:`, `.`,
//! `)`, white space, parenthesised comments) and sorts the numbers into a date (up to three
//! parts), a time (hour, minute, second, millisecond) and a UTC offset. The rules, in short:
//!
//! * a number followed by `:` is a time part; `n.m` after a time part gives milliseconds;
//! * the number after an hour and minute finishes the time (`10:20 30` is 10:20:30);
//! * any other number is a date part, a `-` after it is skipped;
//! * a word whose first three letters name a month (`jan`…`dec`, any case, any length) is
//!   the month; `am`/`pm` after a time shift the hour; `ut`, `utc`, `gmt`, `z` and the US
//!   zones `est edt cst cdt mst mdt pst pdt` set the offset once a number has been read;
//! * `+`/`-` after a time or `UTC` starts an offset: `+h`, `+hh`, `+hhmm`, `+hh:mm`;
//! * unknown words are allowed only before the first number.
//!
//! The date parts are then read as year-month-day when the first one cannot be a day
//! (`2021/1/5`), else month-day-year (`1/5/2021`); with a month name, the one number that
//! can be a day is the day. A missing part is 1, so a missing year is 2001 (`Jan 5` is
//! 2001-01-05); years 0–49 become 2000–2049 and 50–99 become 1950–1999; a string without a
//! zone is local time.

use crate::date::from_parts;

/// Digits beyond the ninth do not change a number's value (they still count in its length).
const MAX_SIGNIFICANT: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Month(i64),
    AmPm(i64),
    Zone(i64),
    TimeSeparator,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Number { value: i64, len: usize },
    Symbol(char),
    Word { kind: Word, len: usize },
    Space,
    Unknown,
    End,
}

impl Tok {
    fn number_of_len(self, want: usize) -> Option<i64> {
        match self {
            Tok::Number { value, len } if len == want => Some(value),
            _ => None,
        }
    }
    fn is_sign(self) -> bool {
        matches!(self, Tok::Symbol('+' | '-'))
    }
    fn is_z(self) -> bool {
        matches!(
            self,
            Tok::Word {
                kind: Word::Zone(0),
                len: 1
            }
        )
    }
}

fn is_js_space(c: char) -> bool {
    crate::lexer::is_js_space(c)
}

fn classify(prefix: &[char], len: usize) -> Word {
    const TABLE: [(&str, Word); 27] = [
        ("jan", Word::Month(1)),
        ("feb", Word::Month(2)),
        ("mar", Word::Month(3)),
        ("apr", Word::Month(4)),
        ("may", Word::Month(5)),
        ("jun", Word::Month(6)),
        ("jul", Word::Month(7)),
        ("aug", Word::Month(8)),
        ("sep", Word::Month(9)),
        ("oct", Word::Month(10)),
        ("nov", Word::Month(11)),
        ("dec", Word::Month(12)),
        ("am", Word::AmPm(0)),
        ("pm", Word::AmPm(12)),
        ("ut", Word::Zone(0)),
        ("utc", Word::Zone(0)),
        ("z", Word::Zone(0)),
        ("gmt", Word::Zone(0)),
        ("cdt", Word::Zone(-5)),
        ("cst", Word::Zone(-6)),
        ("edt", Word::Zone(-4)),
        ("est", Word::Zone(-5)),
        ("mdt", Word::Zone(-6)),
        ("mst", Word::Zone(-7)),
        ("pdt", Word::Zone(-7)),
        ("pst", Word::Zone(-8)),
        ("t", Word::TimeSeparator),
    ];
    for (name, kind) in TABLE {
        let name: Vec<char> = name.chars().collect();
        let mut padded = ['\0'; 3];
        padded[..name.len()].copy_from_slice(&name);
        if padded == prefix[..3] && (len <= 3 || matches!(kind, Word::Month(_))) {
            return kind;
        }
    }
    Word::Other
}

/// Splits the string into tokens, one lookahead at a time.
struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    next: Tok,
}

impl<'a> Scanner<'a> {
    fn new(s: &'a str) -> Scanner<'a> {
        let mut sc = Scanner {
            chars: s.chars().peekable(),
            next: Tok::End,
        };
        sc.next = sc.scan();
        sc
    }

    fn scan(&mut self) -> Tok {
        let Some(&c) = self.chars.peek() else {
            return Tok::End;
        };
        if c.is_ascii_digit() {
            let (mut value, mut len) = (0i64, 0usize);
            while let Some(&d) = self.chars.peek()
                && d.is_ascii_digit()
            {
                if len < MAX_SIGNIFICANT {
                    value = value * 10 + i64::from(d as u8 - b'0');
                }
                len += 1;
                self.chars.next();
            }
            return Tok::Number { value, len };
        }
        if matches!(c, ':' | '-' | '+' | '.' | ')') {
            self.chars.next();
            return Tok::Symbol(c);
        }
        if c >= 'A' {
            let mut prefix = ['\0'; 3];
            let mut len = 0usize;
            while let Some(&w) = self.chars.peek()
                && w >= 'A'
            {
                // Lengths are in UTF-16 units, as in the engine.
                if len < 3 {
                    prefix[len] = w.to_ascii_lowercase();
                }
                len += w.len_utf16();
                self.chars.next();
            }
            return Tok::Word {
                kind: classify(&prefix, len),
                len,
            };
        }
        if is_js_space(c) {
            self.chars.next();
            return Tok::Space;
        }
        if c == '(' {
            let mut depth = 0i64;
            for p in self.chars.by_ref() {
                match p {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth <= 0 {
                    break;
                }
            }
            return Tok::Unknown;
        }
        self.chars.next();
        Tok::Unknown
    }

    fn peek(&self) -> Tok {
        self.next
    }

    fn next(&mut self) -> Tok {
        let t = self.next;
        self.next = self.scan();
        t
    }

    fn skip(&mut self, c: char) -> bool {
        if self.next == Tok::Symbol(c) {
            self.next = self.scan();
            true
        } else {
            false
        }
    }
}

fn between(x: i64, lo: i64, hi: i64) -> bool {
    (lo..=hi).contains(&x)
}

/// The date parts read so far.
#[derive(Default)]
struct Day {
    comp: Vec<i64>,
    named_month: Option<i64>,
    iso: bool,
}

impl Day {
    fn add(&mut self, n: i64) -> bool {
        if self.comp.len() < 3 {
            self.comp.push(n);
            true
        } else {
            false
        }
    }

    /// (year, month 1–12, day), or `None` when the parts make no date.
    fn finish(&self) -> Option<(i64, i64, i64)> {
        if self.comp.is_empty() {
            return None;
        }
        // Missing parts are 1 (so a missing year is 2001).
        let c = |i: usize| self.comp.get(i).copied().unwrap_or(1);
        let is_day = |x: i64| between(x, 1, 31);
        let (mut year, month, day) = match self.named_month {
            None if self.iso || !is_day(c(0)) => (c(0), c(1), c(2)),
            None => (c(2), c(0), c(1)),
            Some(m) if !is_day(c(0)) => (c(0), m, c(1)),
            Some(m) => (c(1), m, c(0)),
        };
        if !self.iso {
            if between(year, 0, 49) {
                year += 2000;
            } else if between(year, 50, 99) {
                year += 1900;
            }
        }
        (between(month, 1, 12) && is_day(day)).then_some((year, month, day))
    }
}

/// The time parts read so far.
#[derive(Default)]
struct Time {
    comp: Vec<i64>,
    hour_offset: Option<i64>,
}

impl Time {
    fn is_empty(&self) -> bool {
        self.comp.is_empty()
    }
    fn expecting(&self, n: i64) -> bool {
        match self.comp.len() {
            1 | 2 => between(n, 0, 59),
            3 => between(n, 0, 999),
            _ => false,
        }
    }
    fn add(&mut self, n: i64) -> bool {
        if self.comp.len() < 4 {
            self.comp.push(n);
            true
        } else {
            false
        }
    }
    fn add_final(&mut self, n: i64) -> bool {
        if !self.add(n) {
            return false;
        }
        self.comp.resize(4, 0);
        true
    }
    fn finish(&self) -> Option<[i64; 4]> {
        let mut c = [0i64; 4];
        c[..self.comp.len()].copy_from_slice(&self.comp);
        if let Some(off) = self.hour_offset {
            if !between(c[0], 0, 12) {
                return None;
            }
            c[0] = c[0] % 12 + off;
        }
        let ok = between(c[0], 0, 23)
            && between(c[1], 0, 59)
            && between(c[2], 0, 59)
            && between(c[3], 0, 999);
        (ok || c == [24, 0, 0, 0]).then_some(c)
    }
}

/// The UTC offset read so far.
#[derive(Default)]
struct Zone {
    sign: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
}

impl Zone {
    fn set_hours(&mut self, h: i64) {
        self.sign = Some(if h < 0 { -1 } else { 1 });
        self.hour = Some(h.abs());
        self.minute = Some(0);
    }
    fn expecting(&self, n: i64) -> bool {
        self.hour.is_some() && self.minute.is_none() && between(n, 0, 59)
    }
    fn is_utc(&self) -> bool {
        self.hour == Some(0) && self.minute == Some(0)
    }
    /// Offset in seconds, `None` for local time.
    fn finish(&self) -> Option<i64> {
        let sign = self.sign?;
        let h = self.hour.unwrap_or(0);
        let m = self.minute.unwrap_or(0);
        Some(sign * (h * 3600 + m * 60))
    }
}

/// The first three significant digits of a fraction's numeral.
fn millis(value: i64, len: usize) -> i64 {
    match len {
        1 => value * 100,
        2 => value * 10,
        3 => value,
        _ => value / 10i64.pow((len.min(MAX_SIGNIFICANT) - 3) as u32),
    }
}

enum Es5 {
    /// The whole string was an ECMAScript date-time string.
    Done,
    /// Not a valid date at all.
    Invalid,
    /// Continue with the legacy rules from this token.
    Continue(Tok),
}

fn parse_es5(sc: &mut Scanner<'_>, day: &mut Day, time: &mut Time, tz: &mut Zone) -> Es5 {
    if sc.peek().is_sign() {
        let sign_tok = sc.next();
        let Some(year) = sc.peek().number_of_len(6) else {
            return Es5::Continue(sign_tok);
        };
        let negative = sign_tok == Tok::Symbol('-');
        if negative && year == 0 {
            return Es5::Continue(sign_tok);
        }
        sc.next();
        day.add(if negative { -year } else { year });
    } else if let Some(year) = sc.peek().number_of_len(4) {
        sc.next();
        day.add(year);
    } else {
        return Es5::Continue(sc.next());
    }
    if sc.skip('-') {
        match sc.peek().number_of_len(2) {
            Some(m) if between(m, 1, 12) => {
                sc.next();
                day.add(m);
            }
            _ => return Es5::Continue(sc.next()),
        }
        if sc.skip('-') {
            match sc.peek().number_of_len(2) {
                Some(d) if between(d, 1, 31) => {
                    sc.next();
                    day.add(d);
                }
                _ => return Es5::Continue(sc.next()),
            }
        }
    }
    if !matches!(
        sc.peek(),
        Tok::Word {
            kind: Word::TimeSeparator,
            ..
        }
    ) {
        if sc.peek() != Tok::End {
            return Es5::Continue(sc.next());
        }
    } else {
        sc.next();
        let Some(h) = sc.peek().number_of_len(2).filter(|&h| between(h, 0, 24)) else {
            return Es5::Invalid;
        };
        let h24 = h == 24;
        sc.next();
        time.add(h);
        if !sc.skip(':') {
            return Es5::Invalid;
        }
        let Some(m) = sc.peek().number_of_len(2) else {
            return Es5::Invalid;
        };
        if !between(m, 0, 59) || (h24 && m > 0) {
            return Es5::Invalid;
        }
        sc.next();
        time.add(m);
        if sc.skip(':') {
            let Some(s) = sc.peek().number_of_len(2) else {
                return Es5::Invalid;
            };
            if !between(s, 0, 59) || (h24 && s > 0) {
                return Es5::Invalid;
            }
            sc.next();
            time.add(s);
            if sc.skip('.') {
                let Tok::Number { value, len } = sc.peek() else {
                    return Es5::Invalid;
                };
                if h24 && value > 0 {
                    return Es5::Invalid;
                }
                sc.next();
                time.add(millis(value, len));
            }
        }
        if sc.peek().is_z() {
            sc.next();
            tz.set_hours(0);
        } else if sc.peek().is_sign() {
            let sign = if sc.next() == Tok::Symbol('+') { 1 } else { -1 };
            tz.sign = Some(sign);
            if let Some(hm) = sc.peek().number_of_len(4) {
                sc.next();
                let (h, m) = (hm / 100, hm % 100);
                if !between(h, 0, 23) || !between(m, 0, 59) {
                    return Es5::Invalid;
                }
                tz.hour = Some(h);
                tz.minute = Some(m);
            } else {
                let Some(h) = sc.peek().number_of_len(2).filter(|&h| between(h, 0, 23)) else {
                    return Es5::Invalid;
                };
                sc.next();
                tz.hour = Some(h);
                if !sc.skip(':') {
                    return Es5::Invalid;
                }
                let Some(m) = sc.peek().number_of_len(2).filter(|&m| between(m, 0, 59)) else {
                    return Es5::Invalid;
                };
                sc.next();
                tz.minute = Some(m);
            }
        }
        if sc.peek() != Tok::End {
            return Es5::Invalid;
        }
    }
    // Date-only forms without an offset are UTC, date-time forms local.
    if tz.hour.is_none() && time.is_empty() {
        tz.set_hours(0);
    }
    day.iso = true;
    Es5::Done
}

/// The parts of a date string: (year, month 1–12, day, hour, minute, second, ms) and the UTC
/// offset in seconds (`None` for local time); `None` when the string is no date.
fn parse_parts(s: &str) -> Option<([i64; 7], Option<i64>)> {
    let mut sc = Scanner::new(s);
    let mut day = Day::default();
    let mut time = Time::default();
    let mut tz = Zone::default();
    let first = match parse_es5(&mut sc, &mut day, &mut time, &mut tz) {
        Es5::Invalid => return None,
        Es5::Done => Tok::End,
        Es5::Continue(t) => t,
    };
    let mut has_number = !day.comp.is_empty();
    let mut tok = first;
    while tok != Tok::End {
        match tok {
            Tok::Number { value: n, .. } => {
                has_number = true;
                if sc.skip(':') {
                    if sc.skip(':') {
                        if !time.is_empty() {
                            return None;
                        }
                        time.add(n);
                        time.add(0);
                    } else {
                        if !time.add(n) {
                            return None;
                        }
                        if sc.peek() == Tok::Symbol('.') {
                            sc.next();
                        }
                    }
                } else if sc.skip('.') && time.expecting(n) {
                    time.add(n);
                    let Tok::Number { value, len } = sc.peek() else {
                        return None;
                    };
                    sc.next();
                    time.add_final(millis(value, len));
                } else if tz.expecting(n) {
                    tz.minute = Some(n);
                } else if time.expecting(n) {
                    time.add_final(n);
                    let p = sc.peek();
                    if !matches!(p, Tok::End | Tok::Space) && !p.is_z() && !p.is_sign() {
                        return None;
                    }
                } else {
                    if !day.add(n) {
                        return None;
                    }
                    sc.skip('-');
                }
            }
            Tok::Word { kind, .. } => match kind {
                Word::AmPm(v) if !time.is_empty() => time.hour_offset = Some(v),
                Word::Month(m) => {
                    day.named_month = Some(m);
                    sc.skip('-');
                }
                Word::Zone(h) if has_number => tz.set_hours(h),
                _ => {
                    if has_number || matches!(sc.peek(), Tok::Number { .. }) {
                        return None;
                    }
                }
            },
            t if t.is_sign() && (tz.is_utc() || !time.is_empty()) => {
                tz.sign = Some(if t == Tok::Symbol('+') { 1 } else { -1 });
                let (mut n, mut len) = (0, 0);
                if let Tok::Number { value, len: l } = sc.peek() {
                    sc.next();
                    n = value;
                    len = l;
                }
                has_number = true;
                if sc.peek() == Tok::Symbol(':') {
                    tz.hour = Some(n);
                    tz.minute = None;
                } else if len == 1 || len == 2 {
                    tz.hour = Some(n);
                    tz.minute = Some(0);
                } else if len == 3 || len == 4 {
                    tz.hour = Some(n / 100);
                    tz.minute = Some(n % 100);
                } else {
                    return None;
                }
            }
            t if (t.is_sign() || t == Tok::Symbol(')')) && has_number => return None,
            _ => {}
        }
        tok = sc.next();
    }
    let (y, mo, d) = day.finish()?;
    let [h, mi, se, ms] = time.finish()?;
    Some(([y, mo, d, h, mi, se, ms], tz.finish()))
}

/// Epoch milliseconds of `new Date(s)` with the local zone at `local_offset_min` minutes
/// east of UTC; NaN for an invalid date.
pub fn parse(s: &str, local_offset_min: i32) -> f64 {
    let Some(([y, mo, d, h, mi, se, ms], offset)) = parse_parts(s) else {
        return f64::NAN;
    };
    let ms = match offset {
        Some(secs) => from_parts(y, mo, d, h, mi, se, ms, 0) - secs as f64 * 1000.0,
        None => from_parts(y, mo, d, h, mi, se, ms, local_offset_min),
    };
    if crate::date::valid(ms) { ms } else { f64::NAN }
}
