//! UTC instants with microsecond precision, formatted and parsed like Python's `datetime`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, ErrorKind, Result};

const MICROS_PER_SEC: i64 = 1_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// A UTC instant with microsecond precision, between years 1 and 9999 like Python's `datetime`.
///
/// Expiry instants are persisted and shared with other processes and languages, so they come from
/// the wall clock ([`SystemTime`]), not a monotonic clock.
///
/// ```
/// use kv_core::Timestamp;
/// let t = Timestamp::parse("2025-01-01T00:00:10.5Z").unwrap();
/// assert_eq!(t.to_string(), "2025-01-01T00:00:10.500000+00:00");
/// assert_eq!(Timestamp::parse("2025-01-01 00:00:00").unwrap().to_string(), "2025-01-01T00:00:00+00:00");
/// ```
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    micros: i64,
}

impl Timestamp {
    /// `0001-01-01T00:00:00+00:00`.
    pub const MIN: Timestamp = Timestamp {
        micros: -62_135_596_800 * MICROS_PER_SEC,
    };
    /// `9999-12-31T23:59:59.999999+00:00`.
    pub const MAX: Timestamp = Timestamp {
        micros: 253_402_300_799 * MICROS_PER_SEC + 999_999,
    };
    /// The Unix epoch.
    pub const UNIX_EPOCH: Timestamp = Timestamp { micros: 0 };

    /// Now, truncated to whole microseconds.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// The instant `micros` microseconds after the Unix epoch, if within years 1..=9999.
    pub fn from_unix_micros(micros: i64) -> Option<Self> {
        let t = Timestamp { micros };
        (Self::MIN..=Self::MAX).contains(&t).then_some(t)
    }

    /// Microseconds since the Unix epoch.
    pub fn unix_micros(self) -> i64 {
        self.micros
    }

    /// Seconds since the Unix epoch as a float (diskcache's `expire_time`).
    pub fn unix_seconds_f64(self) -> f64 {
        self.micros as f64 / 1e6
    }

    /// Whole seconds since the Unix epoch, rounded up (DynamoDB `ttl`, memcached absolute exptime).
    pub fn unix_seconds_ceil(self) -> i64 {
        self.micros.div_euclid(MICROS_PER_SEC)
            + i64::from(self.micros.rem_euclid(MICROS_PER_SEC) != 0)
    }

    /// Converts a [`SystemTime`], truncating to whole microseconds and clamping to the valid range.
    pub fn from_system_time(t: SystemTime) -> Self {
        let micros = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
            Err(e) => {
                let d = e.duration();
                // Truncation toward the past keeps "whole microseconds, truncated".
                let whole = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
                let extra = i64::from(d.subsec_nanos() % 1000 != 0);
                -(whole.saturating_add(extra))
            }
        };
        Timestamp {
            micros: micros.clamp(Self::MIN.micros, Self::MAX.micros),
        }
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        if self.micros >= 0 {
            UNIX_EPOCH + Duration::from_micros(self.micros as u64)
        } else {
            UNIX_EPOCH - Duration::from_micros(self.micros.unsigned_abs())
        }
    }

    /// `self + d` rounded up to whole microseconds, or `None` past [`Timestamp::MAX`].
    pub fn checked_add(self, d: Duration) -> Option<Self> {
        let nanos = d.as_nanos();
        let micros = nanos / 1000 + u128::from(!nanos.is_multiple_of(1000));
        let micros = i64::try_from(micros).ok()?;
        Self::from_unix_micros(self.micros.checked_add(micros)?)
    }

    /// The time from `earlier` to `self`, or `None` if `self <= earlier`.
    pub fn duration_since(self, earlier: Timestamp) -> Option<Duration> {
        let diff = self.micros.checked_sub(earlier.micros)?;
        (diff > 0).then(|| Duration::from_micros(diff as u64))
    }

    /// Parses the forms Python's `datetime.fromisoformat` writes and this project accepts:
    /// `YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]]` with an optional offset `Z`, `±HH:MM` or `±HHMM`
    /// (no offset means UTC).
    pub fn parse(text: &str) -> Result<Self> {
        parse_iso(text.as_bytes()).ok_or_else(|| {
            Error::new(
                ErrorKind::Deserialization,
                format!("invalid timestamp {text:?}"),
            )
        })
    }

    /// Writes Python's `isoformat()` of this instant into `out`.
    pub fn write_iso(self, out: &mut String) {
        let days = self.micros.div_euclid(SECS_PER_DAY * MICROS_PER_SEC);
        let rem = self.micros.rem_euclid(SECS_PER_DAY * MICROS_PER_SEC);
        let (y, m, d) = civil_from_days(days);
        let secs = rem / MICROS_PER_SEC;
        let frac = rem % MICROS_PER_SEC;
        let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
        push_padded(out, y, 4);
        out.push('-');
        push_padded(out, m, 2);
        out.push('-');
        push_padded(out, d, 2);
        out.push('T');
        push_padded(out, hh, 2);
        out.push(':');
        push_padded(out, mm, 2);
        out.push(':');
        push_padded(out, ss, 2);
        if frac != 0 {
            out.push('.');
            push_padded(out, frac, 6);
        }
        out.push_str("+00:00");
    }
}

fn push_padded(out: &mut String, value: i64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut v = value.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let digits = buf.len() - i;
    for _ in digits..width {
        out.push('0');
    }
    // The digits are ASCII.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(32);
        self.write_iso(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        Timestamp::from_system_time(t)
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        t.to_system_time()
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        let mut v = 0i64;
        for &b in slice {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        self.pos = end;
        Some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.bytes.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

fn parse_iso(bytes: &[u8]) -> Option<Timestamp> {
    let mut c = Cursor { bytes, pos: 0 };
    let y = c.digits(4)?;
    if !c.eat(b'-') {
        return None;
    }
    let mo = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let d = c.digits(2)?;
    if !(1..=12).contains(&mo) || y < 1 || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    if !(c.eat(b'T') || c.eat(b' ')) {
        return None;
    }
    let hh = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.digits(2)?;
    let mut ss = 0;
    let mut micros = 0i64;
    if c.eat(b':') {
        ss = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.pos;
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.pos += 1;
            }
            let frac = &bytes[start..c.pos];
            if frac.is_empty() || frac.len() > 9 {
                return None;
            }
            for i in 0..6 {
                micros = micros * 10 + frac.get(i).map_or(0, |b| i64::from(b - b'0'));
            }
        }
    }
    if hh > 23 || mi > 59 || ss > 59 {
        return None;
    }
    let offset_secs = if c.done() || c.eat(b'Z') || c.eat(b'z') {
        0
    } else {
        let sign = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return None;
        };
        let oh = c.digits(2)?;
        c.eat(b':');
        let om = c.digits(2)?;
        if oh > 23 || om > 59 {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    };
    if !c.done() {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let secs = days * SECS_PER_DAY + hh * 3600 + mi * 60 + ss - offset_secs;
    Timestamp::from_unix_micros(secs.checked_mul(MICROS_PER_SEC)?.checked_add(micros)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Timestamp::parse(s).unwrap().to_string()
    }

    #[test]
    fn formats_like_python_isoformat() {
        assert_eq!(
            Timestamp::UNIX_EPOCH.to_string(),
            "1970-01-01T00:00:00+00:00"
        );
        assert_eq!(
            Timestamp::MAX.to_string(),
            "9999-12-31T23:59:59.999999+00:00"
        );
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00+00:00");
        let t = Timestamp::from_unix_micros(1_735_689_610_500_000).unwrap();
        assert_eq!(t.to_string(), "2025-01-01T00:00:10.500000+00:00");
        let t = Timestamp::from_unix_micros(1_795_657_362_897_657).unwrap();
        assert_eq!(t.to_string(), "2026-11-26T01:42:42.897657+00:00");
    }

    #[test]
    fn parses_accepted_forms() {
        assert_eq!(p("2025-01-01T00:00:00+00:00"), "2025-01-01T00:00:00+00:00");
        assert_eq!(p("2025-01-01T00:00:00Z"), "2025-01-01T00:00:00+00:00");
        assert_eq!(p("2025-01-01 00:00:00"), "2025-01-01T00:00:00+00:00");
        assert_eq!(
            p("2025-01-01T00:00:00.123+00:00"),
            "2025-01-01T00:00:00.123000+00:00"
        );
        assert_eq!(
            p("2025-01-01T00:00:00.123456789Z"),
            "2025-01-01T00:00:00.123456+00:00"
        );
        assert_eq!(p("2025-01-01T02:00:00+02:00"), "2025-01-01T00:00:00+00:00");
        assert_eq!(p("2024-12-31T22:30:00-0130"), "2025-01-01T00:00:00+00:00");
        assert_eq!(p("2024-02-29T00:00"), "2024-02-29T00:00:00+00:00");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "yesterday",
            "",
            "2025-13-01T00:00:00",
            "2023-02-29T00:00:00",
            "2025-01-01T24:00:00",
            "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00.1234567890",
            "2025-01-01T00:00:00+0",
            "2025-01-01T00:00:00 trailing",
            "0000-01-01T00:00:00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn round_trips_civil_dates() {
        for days in (-719_162..2_932_896).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn add_rounds_up_and_checks_range() {
        let t = Timestamp::UNIX_EPOCH;
        assert_eq!(
            t.checked_add(Duration::from_nanos(1))
                .unwrap()
                .unix_micros(),
            1
        );
        assert_eq!(
            t.checked_add(Duration::from_millis(1))
                .unwrap()
                .unix_micros(),
            1000
        );
        assert!(Timestamp::MAX
            .checked_add(Duration::from_micros(1))
            .is_none());
        assert!(t.checked_add(Duration::from_secs(u64::MAX)).is_none());
    }

    #[test]
    fn ceil_seconds() {
        let t = Timestamp::from_unix_micros(10_000_001).unwrap();
        assert_eq!(t.unix_seconds_ceil(), 11);
        let t = Timestamp::from_unix_micros(10_000_000).unwrap();
        assert_eq!(t.unix_seconds_ceil(), 10);
    }
}
