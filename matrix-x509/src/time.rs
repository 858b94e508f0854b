//! Certificate validity times (RFC 5280 4.1.2.5): UTCTime and GeneralizedTime, kept as
//! written (MatrixSSL's `notBefore`/`notAfter` strings with their `timeType`) and as
//! milliseconds since the Unix epoch for checks against matrix-core's `Clock`.

use alloc::string::String;

use matrix_core::Error;

use crate::der::tag;

/// How a validity time was encoded (`timeType`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeType {
    /// UTCTime, `YYMMDDHHMMSSZ` (years 1950-2049).
    UtcTime,
    /// GeneralizedTime, `YYYYMMDDHHMMSSZ`.
    GeneralizedTime,
}

impl TimeType {
    /// The ASN.1 tag, which is the C value (`ASN_UTCTIME` 23, `ASN_GENERALIZEDTIME` 24).
    pub const fn tag(self) -> u8 {
        match self {
            TimeType::UtcTime => tag::UTC_TIME,
            TimeType::GeneralizedTime => tag::GENERALIZED_TIME,
        }
    }
}

/// A validity time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertTime {
    /// The encoding.
    pub time_type: TimeType,
    /// The string as written in the certificate.
    pub text: String,
    /// Milliseconds since 1970-01-01T00:00:00Z (negative before 1970).
    pub unix_ms: i64,
}

impl CertTime {
    /// The value a certificate's times hold before they are parsed (no allocation).
    pub(crate) const EMPTY: CertTime = CertTime {
        time_type: TimeType::UtcTime,
        text: String::new(),
        unix_ms: 0,
    };

    /// Parses a time given its tag and content bytes. Only the forms RFC 5280 allows
    /// (seconds present, `Z` suffix) are accepted.
    pub fn parse(t: u8, value: &[u8]) -> Result<Self, Error> {
        let mut time = CertTime::EMPTY;
        time.read(t, value)?;
        Ok(time)
    }

    /// [`CertTime::parse`] into `self`, which is [`CertTime::EMPTY`] (a certificate's time,
    /// parsed where it stays: nothing to drop or move).
    pub(crate) fn read(&mut self, t: u8, value: &[u8]) -> Result<(), Error> {
        let (time_type, year_digits) = match (t, value.len()) {
            (tag::UTC_TIME, 13) => (TimeType::UtcTime, 2),
            (tag::GENERALIZED_TIME, 15) => (TimeType::GeneralizedTime, 4),
            _ => return Err(Error::ParseFail),
        };
        let [year, month, day, hour, minute, second] = fields(value, year_digits)?;
        let year = match time_type {
            TimeType::UtcTime if year >= 50 => 1900 + year,
            TimeType::UtcTime => 2000 + year,
            TimeType::GeneralizedTime => year,
        };
        if !(1..=12).contains(&month) || day < 1 || hour > 23 || minute > 59 || second > 60 {
            return Err(Error::ParseFail);
        }
        // The date and time of day in 32-bit arithmetic (a 4-digit year fits, and a Cortex-M
        // divides 32-bit numbers in hardware; 64-bit division would link a library routine),
        // widened only for the seconds since 1970.
        let days = days_from_civil(year, month, day);
        // The day exists when it comes before the first of the next month (month 13 is
        // January of the next year to `days_from_civil`): the month's length, leap years
        // included, without a table or a leap-year rule of its own.
        if days >= days_from_civil(year, month + 1, 1) {
            return Err(Error::ParseFail);
        }
        let days = i64::from(days);
        let secs = days * 86_400 + i64::from(hour * 3_600 + minute * 60 + second);
        self.time_type = time_type;
        self.unix_ms = secs * 1_000;
        push_text(&mut self.text, value);
        Ok(())
    }
}

/// The year (its first `year_digits` digits) and the month, day, hour, minute and second
/// (two digits each) of a time's text, read in one loop over its digits; the text must
/// end with `Z` after them. One loop rather than a digit reader per field: the field a
/// digit belongs to follows from its position.
fn fields(value: &[u8], year_digits: usize) -> Result<[i32; 6], Error> {
    let Some((&b'Z', digits)) = value.split_last() else {
        return Err(Error::ParseFail);
    };
    let mut out = [0i32; 6];
    for (i, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        let field = if i < year_digits {
            0
        } else {
            1 + (i - year_digits) / 2
        };
        match out.get_mut(field) {
            Some(f) if d <= 9 => *f = *f * 10 + i32::from(d),
            _ => return Err(Error::ParseFail),
        }
    }
    Ok(out)
}

/// Every character a checked validity time holds (its digits and the final `Z`).
const TIME_CHARS: &str = "0123456789Z";

/// Appends the text of a validity time whose bytes were checked (digits and `Z`) to `text`,
/// as it is.
/// Built from one-character slices of [`TIME_CHARS`] rather than by pushing `char`s: a
/// `String` of `char`s links the UTF-8 encoder and the char iteration behind `collect`
/// (about 0.3 KB of `core` and `alloc` on a Cortex-M4) for text that is ASCII anyway.
fn push_text(text: &mut String, value: &[u8]) {
    text.reserve_exact(value.len());
    for &b in value {
        // A digit is its own index; `Z` (42 after the subtraction) is clamped to 10.
        let i = usize::from(b.wrapping_sub(b'0')).min(10);
        text.push_str(TIME_CHARS.get(i..=i).unwrap_or_default());
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm); month
/// 13 is taken as January of the next year. Out of line: [`CertTime::read`] calls it twice.
#[inline(never)]
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_generalized() {
        let t = CertTime::parse(tag::UTC_TIME, b"240101000000Z").unwrap();
        assert_eq!(t.unix_ms, 1_704_067_200_000);
        assert_eq!(t.time_type, TimeType::UtcTime);
        let t = CertTime::parse(tag::UTC_TIME, b"500101000000Z").unwrap();
        assert_eq!(t.unix_ms, -631_152_000_000);
        let t = CertTime::parse(tag::GENERALIZED_TIME, b"21240101000000Z").unwrap();
        assert_eq!(t.unix_ms, 4_859_740_800_000);
        let t = CertTime::parse(tag::GENERALIZED_TIME, b"20000229235960Z").unwrap();
        assert_eq!(t.unix_ms, 951_868_800_000);
        // The extremes of four digits: the 32-bit date arithmetic holds.
        let t = CertTime::parse(tag::GENERALIZED_TIME, b"99991231235959Z").unwrap();
        assert_eq!(t.unix_ms, 253_402_300_799_000);
        let t = CertTime::parse(tag::GENERALIZED_TIME, b"00000101000000Z").unwrap();
        assert_eq!(t.unix_ms, -62_167_219_200_000);
    }

    #[test]
    fn the_text_is_the_time_as_written() {
        for (t, v) in [
            (tag::UTC_TIME, "240101000000Z"),
            (tag::UTC_TIME, "991231235959Z"),
            (tag::GENERALIZED_TIME, "21240101000000Z"),
            (tag::GENERALIZED_TIME, "19870615123456Z"),
        ] {
            assert_eq!(CertTime::parse(t, v.as_bytes()).unwrap().text, v);
        }
        let mut text = String::new();
        push_text(&mut text, b"0123456789Z");
        assert_eq!(text, "0123456789Z");
    }

    #[test]
    fn month_lengths_and_leap_years() {
        for (v, ok) in [
            ("20000229000000Z", true),  // divisible by 400: leap
            ("19000229000000Z", false), // by 100 only: not leap
            ("20240229000000Z", true),
            ("20230229000000Z", false),
            ("20230228235959Z", true),
            ("20231231235959Z", true),
            ("20231232000000Z", false),
            ("20230430000000Z", true),
            ("20230431000000Z", false),
            ("20230131000000Z", true),
            ("20230100000000Z", false),
            ("20231199000000Z", false),
            ("99991231235959Z", true),
            ("00000229000000Z", true), // year 0 is a leap year (proleptic Gregorian)
        ] {
            let t = CertTime::parse(tag::GENERALIZED_TIME, v.as_bytes());
            assert_eq!(t.is_ok(), ok, "{v}");
        }
        // The last day of a month and the first of the next are a day apart.
        let dec31 = CertTime::parse(tag::GENERALIZED_TIME, b"20231231000000Z").unwrap();
        let jan1 = CertTime::parse(tag::GENERALIZED_TIME, b"20240101000000Z").unwrap();
        assert_eq!(jan1.unix_ms - dec31.unix_ms, 86_400_000);
    }

    #[test]
    fn malformed_times_fail() {
        for (t, v) in [
            (tag::UTC_TIME, &b"2401010000Z"[..]),
            (tag::UTC_TIME, b"240101000000+"),
            (tag::UTC_TIME, b"241301000000Z"),
            (tag::UTC_TIME, b"230229000000Z"),
            (tag::UTC_TIME, b"24010100000aZ"),
            (tag::GENERALIZED_TIME, b"240101000000Z"),
            (tag::OCTET_STRING, b"240101000000Z"),
        ] {
            assert_eq!(CertTime::parse(t, v), Err(Error::ParseFail), "{v:?}");
        }
    }
}
