//! Dates, times and timestamps as text: reading them leniently like Java's `SimpleDateFormat`,
//! writing them as Kafka's `Values` and `java.util.Date.toString()` do, and Kafka's checks of
//! the `Date` and `Time` logical types; all in UTC on the proleptic Gregorian calendar.

use std::fmt;

use super::parse::Item;
use crate::data::{Value, logical};
use crate::error::DataError;

/// Milliseconds in a day.
pub(in crate::data) const MILLIS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temporal {
    Date,
    Time,
    Timestamp,
}

/// Reads `yyyy-MM-dd` (10 characters), `HH:mm:ss.SSS'Z'` (13) or `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`
/// (24), after unescaping `\:`.
///
/// Like Java's lenient `SimpleDateFormat`, fields may have any number of digits, may be negative
/// and roll over (month 13 is January of the next year), spaces or tabs may precede a field, and
/// text after the pattern is ignored; the length is counted in UTF-16 units, as Java does.
pub(super) fn parse_as_temporal(token: &str) -> Option<Item> {
    let token = token.replace("\\:", ":");
    let kind = match token.encode_utf16().count() {
        10 => Temporal::Date,
        13 => Temporal::Time,
        24 => Temporal::Timestamp,
        _ => return None,
    };
    let mut cursor = LenientCursor { rest: &token };
    let (mut year, mut month, mut day) = (1970, 1, 1);
    if kind != Temporal::Time {
        year = cursor.field()?;
        cursor.literal('-')?;
        month = cursor.field()?;
        cursor.literal('-')?;
        day = cursor.field()?;
    }
    let (mut hour, mut minute, mut second, mut milli) = (0, 0, 0, 0);
    if kind != Temporal::Date {
        if kind == Temporal::Timestamp {
            cursor.literal('T')?;
        }
        hour = cursor.field()?;
        cursor.literal(':')?;
        minute = cursor.field()?;
        cursor.literal(':')?;
        second = cursor.field()?;
        cursor.literal('.')?;
        milli = cursor.field()?;
        cursor.literal('Z')?;
    }
    let millis = lenient_epoch_millis([year, month, day, hour, minute, second, milli])?;
    Some(match kind {
        Temporal::Date => Item::known(
            logical::date_schema(),
            Value::Date(i32::try_from(millis / MILLIS_PER_DAY).ok()?),
        ),
        Temporal::Time => Item::known(
            logical::time_schema(),
            Value::Time(i32::try_from(millis).ok()?),
        ),
        Temporal::Timestamp => Item::known(logical::timestamp_schema(), Value::Timestamp(millis)),
    })
}

struct LenientCursor<'a> {
    rest: &'a str,
}

impl LenientCursor<'_> {
    /// A numeric field: optional spaces or tabs, an optional minus sign, digits. Java keeps the
    /// low 32 bits of the number (`Number.intValue()`).
    fn field(&mut self) -> Option<i32> {
        let text = self.rest.trim_start_matches([' ', '\t']);
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let len = text.bytes().take_while(u8::is_ascii_digit).count();
        let magnitude: i64 = text.get(..len)?.parse().ok()?;
        self.rest = text.get(len..)?;
        let value = if negative { -magnitude } else { magnitude };
        Some(value as i32)
    }

    fn literal(&mut self, expected: char) -> Option<()> {
        self.rest = self.rest.strip_prefix(expected)?;
        Some(())
    }
}

/// Milliseconds since the epoch of the given year, month, day, hour, minute, second and
/// millisecond, letting each field overflow into the next like a lenient Java calendar (UTC).
fn lenient_epoch_millis([year, month, day, hour, minute, second, milli]: [i32; 7]) -> Option<i64> {
    let month0 = i64::from(month) - 1;
    let year = i64::from(year) + month0.div_euclid(12);
    let days = days_from_civil(year, month0.rem_euclid(12) + 1) + i64::from(day) - 1;
    let time = ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000
        + i64::from(milli);
    days.checked_mul(MILLIS_PER_DAY)?.checked_add(time)
}

/// Days since 1970-01-01 of the first day of `month` (1–12) of `year` (proleptic Gregorian,
/// year 0 being 1 BC).
fn days_from_civil(year: i64, month: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The year, month (1–12) and day (1–31) of a day since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The year as `SimpleDateFormat` prints it: years before year 1 count backwards from 1 BC.
fn era_year(year: i64) -> i64 {
    if year <= 0 { 1 - year } else { year }
}

/// Formats the instant of a logical value as Kafka's `Values.dateFormatFor` chooses: less than a
/// day after the epoch (or before it) as a time, whole days as a date, anything else as a
/// timestamp; all in UTC.
pub(super) fn format_temporal(millis: i64) -> String {
    let days = millis.div_euclid(MILLIS_PER_DAY);
    let time_of_day = millis.rem_euclid(MILLIS_PER_DAY);
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        time_of_day / 3_600_000,
        time_of_day / 60_000 % 60,
        time_of_day / 1000 % 60,
        time_of_day % 1000
    );
    if millis < MILLIS_PER_DAY {
        return time;
    }
    let (year, month, day) = civil_from_days(days);
    let date = format!("{:04}-{month:02}-{day:02}", era_year(year));
    if millis % MILLIS_PER_DAY == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

/// Java's `java.util.Date.toString()` in UTC, e.g. `Thu Jan 01 00:00:00 UTC 1970`: how
/// [`Value`]'s `Display` shows dates, times and timestamps.
pub(in crate::data) fn write_java_date(out: &mut impl fmt::Write, millis: i64) -> fmt::Result {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = millis.div_euclid(MILLIS_PER_DAY);
    let time_of_day = millis.rem_euclid(MILLIS_PER_DAY) / 1000;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    let month_name = MONTHS[(month - 1).clamp(0, 11) as usize];
    write!(
        out,
        "{weekday} {month_name} {day:02} {:02}:{:02}:{:02} UTC {}",
        time_of_day / 3600,
        time_of_day / 60 % 60,
        time_of_day % 60,
        era_year(year)
    )
}

/// The instant a logical value stands for, as Java's `java.util.Date.getTime()`.
pub(super) fn logical_millis(value: &Value) -> Option<i64> {
    match *value {
        Value::Date(days) => Some(i64::from(days) * MILLIS_PER_DAY),
        Value::Time(millis) => Some(i64::from(millis)),
        Value::Timestamp(millis) => Some(millis),
        _ => None,
    }
}

/// Kafka's `Date.fromLogical`: the day of an instant that must be a midnight (UTC).
pub(super) fn date_of_instant(millis: i64) -> Result<i32, DataError> {
    if millis.rem_euclid(MILLIS_PER_DAY) != 0 {
        return Err(DataError::new(
            "Kafka Connect Date type should not have any time fields set to non-zero values.",
        ));
    }
    Ok((millis / MILLIS_PER_DAY) as i32)
}

/// Kafka's `Time.fromLogical`: an instant within the first day after the epoch.
pub(super) fn time_of_instant(millis: i64) -> Result<i32, DataError> {
    if !(0..=MILLIS_PER_DAY).contains(&millis) {
        return Err(DataError::new(
            "Kafka Connect Time type should not have any date fields set to non-zero values.",
        ));
    }
    Ok(millis as i32)
}

/// Kafka's `Time.toLogical`: milliseconds within a day (one day itself included, as in Kafka).
pub(super) fn checked_time(millis: i32) -> Result<i32, DataError> {
    if millis < 0 || i64::from(millis) > MILLIS_PER_DAY {
        return Err(DataError::new(
            "Time values must use number of milliseconds greater than 0 and less than 86400000",
        ));
    }
    Ok(millis)
}
