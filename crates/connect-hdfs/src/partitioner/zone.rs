//! Time zones as Joda-Time's `DateTimeZone.forID` accepts them (`UTC`, IANA IDs, fixed offsets
//! such as `+02:00`), with Joda's conversions between UTC and local milliseconds.

use std::fmt;

use chrono::{DateTime, LocalResult, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};

/// A time zone ID that Joda-Time would not recognise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The datetime zone id '{0}' is not recognised")]
pub struct UnknownZoneError(pub String);

/// A time zone: UTC, a fixed offset, or an IANA zone with its daylight-saving rules.
///
/// ```
/// use connect_hdfs::partitioner::JodaZone;
///
/// let paris = JodaZone::for_id("Europe/Paris")?;
/// assert_eq!(paris.offset_ms(0), Some(3_600_000));
/// assert_eq!(JodaZone::for_id("+0530")?.id(), "+05:30");
/// assert_eq!(JodaZone::for_id("+00:00")?, JodaZone::Utc);
/// assert!(JodaZone::for_id("Mars/Olympus").is_err());
/// # Ok::<(), connect_hdfs::partitioner::UnknownZoneError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JodaZone {
    /// Coordinated Universal Time (`UTC`, or any zero offset).
    Utc,
    /// A fixed offset from UTC, in milliseconds (`+02:00`, `-0330`).
    Fixed(i64),
    /// An IANA zone (`Europe/Paris`, `America/New_York`).
    Named(Tz),
}

impl JodaZone {
    /// The zone of `id`, accepting what Joda's `DateTimeZone.forID` accepts: `UTC`, an IANA
    /// zone ID (case-sensitive), or an offset `[+-]hh`, `[+-]hh:mm`, `[+-]hhmm`,
    /// `[+-]hh:mm:ss` or `[+-]hh:mm:ss.SSS`. A zero offset is UTC.
    ///
    /// # Errors
    ///
    /// [`UnknownZoneError`], worded like Joda's.
    pub fn for_id(id: &str) -> Result<Self, UnknownZoneError> {
        if id == "UTC" {
            return Ok(JodaZone::Utc);
        }
        if let Ok(tz) = id.parse::<Tz>() {
            return Ok(JodaZone::Named(tz));
        }
        if (id.starts_with('+') || id.starts_with('-'))
            && let Some(offset) = parse_offset(id)
        {
            return Ok(if offset == 0 {
                JodaZone::Utc
            } else {
                JodaZone::Fixed(offset)
            });
        }
        Err(UnknownZoneError(id.to_owned()))
    }

    /// The zone's ID as Joda prints it: `UTC`, `+02:00`, `Europe/Paris`.
    pub fn id(&self) -> String {
        match self {
            JodaZone::Utc => "UTC".to_owned(),
            JodaZone::Fixed(offset) => print_offset(*offset, true),
            JodaZone::Named(tz) => tz.name().to_owned(),
        }
    }

    /// The offset from UTC in effect at `utc_ms`, in milliseconds; `None` when the instant is
    /// outside the range of dates that can be represented.
    pub fn offset_ms(&self, utc_ms: i64) -> Option<i64> {
        match self {
            JodaZone::Utc => Some(0),
            JodaZone::Fixed(offset) => Some(*offset),
            JodaZone::Named(tz) => {
                let instant = DateTime::from_timestamp_millis(utc_ms)?.naive_utc();
                let offset = tz.offset_from_utc_datetime(&instant).fix();
                Some(i64::from(offset.local_minus_utc()) * 1000)
            }
        }
    }

    /// Joda's `convertUTCToLocal`: the local wall time of `utc_ms`, as milliseconds.
    pub fn utc_to_local(&self, utc_ms: i64) -> Option<i64> {
        utc_ms.checked_add(self.offset_ms(utc_ms)?)
    }

    /// Joda's `convertLocalToUTC(local_ms, false)`: the instant whose local wall time is
    /// `local_ms`.
    ///
    /// A wall time skipped by a daylight-saving gap maps to the instant of the transition (the
    /// wall time is moved forward by the length of the gap). A wall time repeated by an overlap
    /// maps as Joda maps it: east of Greenwich to the later instant, west of it to the earlier.
    pub fn local_to_utc(&self, local_ms: i64) -> Option<i64> {
        let offset_local = self.offset_ms(local_ms)?;
        let mut offset = self.offset_ms(local_ms.checked_sub(offset_local)?)?;
        if offset != offset_local && offset_local < 0 && self.is_gap(local_ms)? {
            // West of Greenwich the second estimate is the offset after the gap, which would
            // put the instant before the transition: keep the offset before it.
            offset = offset_local;
        }
        local_ms.checked_sub(offset)
    }

    /// Whether the local wall time `local_ms` does not exist in this zone (a daylight-saving
    /// gap).
    fn is_gap(&self, local_ms: i64) -> Option<bool> {
        match self {
            JodaZone::Utc | JodaZone::Fixed(_) => Some(false),
            JodaZone::Named(tz) => {
                let local = DateTime::from_timestamp_millis(local_ms)?.naive_utc();
                Some(matches!(tz.from_local_datetime(&local), LocalResult::None))
            }
        }
    }

    /// The short name of the zone at `utc_ms`, as Joda's `z` prints it: `UTC`, `CET`, `EDT`, or
    /// the offset (`+02:00`) for fixed zones and zones without a lettered abbreviation.
    pub fn short_name(&self, utc_ms: i64) -> Option<String> {
        match self {
            JodaZone::Utc => Some("UTC".to_owned()),
            JodaZone::Fixed(offset) => Some(print_offset(*offset, true)),
            JodaZone::Named(tz) => {
                let instant = DateTime::from_timestamp_millis(utc_ms)?.naive_utc();
                let offset = tz.offset_from_utc_datetime(&instant);
                match offset.abbreviation() {
                    Some(name) if name.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                        Some(name.to_owned())
                    }
                    _ => Some(print_offset(
                        i64::from(offset.fix().local_minus_utc()) * 1000,
                        true,
                    )),
                }
            }
        }
    }
}

impl fmt::Display for JodaZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

/// Parses `[+-]hh[[:]mm[[:]ss[.SSS]]]` into milliseconds, the whole string or nothing.
fn parse_offset(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let negative = match bytes.first()? {
        b'+' => false,
        b'-' => true,
        _ => return None,
    };
    let mut pos = 1;
    let two_digits = |pos: usize| -> Option<i64> {
        let digits = bytes.get(pos..pos + 2)?;
        if digits.iter().all(u8::is_ascii_digit) {
            Some(i64::from(digits[0] - b'0') * 10 + i64::from(digits[1] - b'0'))
        } else {
            None
        }
    };
    let hours = two_digits(pos)?;
    pos += 2;
    if hours > 23 {
        return None;
    }
    let mut total = hours * 3_600_000;
    let colons = bytes.get(pos) == Some(&b':');
    let mut units = [60_000_i64, 1000].into_iter();
    while pos < bytes.len() {
        let Some(unit) = units.next() else {
            break;
        };
        if colons {
            if bytes.get(pos) != Some(&b':') {
                return None;
            }
            pos += 1;
        }
        let value = two_digits(pos)?;
        if value > 59 {
            return None;
        }
        total += value * unit;
        pos += 2;
    }
    if pos < bytes.len() {
        // Milliseconds after the seconds: `.SSS`.
        let millis = bytes.get(pos + 1..)?;
        if bytes[pos] != b'.' || millis.len() != 3 || !millis.iter().all(u8::is_ascii_digit) {
            return None;
        }
        total += millis
            .iter()
            .fold(0_i64, |acc, digit| acc * 10 + i64::from(digit - b'0'));
    }
    Some(if negative { -total } else { total })
}

/// An offset as Joda prints it: `+02:00`, `-03:30`, `+01:02:03`, `+01:02:03.004`; with
/// `colons` false, `+0200` (hours and minutes only, as the `Z` pattern prints it).
pub(crate) fn print_offset(offset_ms: i64, colons: bool) -> String {
    let sign = if offset_ms < 0 { '-' } else { '+' };
    let abs = offset_ms.unsigned_abs();
    let hours = abs / 3_600_000;
    let minutes = abs / 60_000 % 60;
    let seconds = abs / 1000 % 60;
    let millis = abs % 1000;
    if !colons {
        return format!("{sign}{hours:02}{minutes:02}");
    }
    let mut text = format!("{sign}{hours:02}:{minutes:02}");
    if seconds != 0 || millis != 0 {
        text.push_str(&format!(":{seconds:02}"));
        if millis != 0 {
            text.push_str(&format!(".{millis:03}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_joda_accepts() {
        assert_eq!(JodaZone::for_id("UTC").unwrap(), JodaZone::Utc);
        assert_eq!(
            JodaZone::for_id("America/New_York").unwrap(),
            JodaZone::Named(Tz::America__New_York)
        );
        assert_eq!(
            JodaZone::for_id("+02:00").unwrap(),
            JodaZone::Fixed(7_200_000)
        );
        assert_eq!(
            JodaZone::for_id("+0200").unwrap(),
            JodaZone::Fixed(7_200_000)
        );
        assert_eq!(
            JodaZone::for_id("-03").unwrap(),
            JodaZone::Fixed(-10_800_000)
        );
        assert_eq!(
            JodaZone::for_id("+01:02:03.004").unwrap(),
            JodaZone::Fixed(3_723_004)
        );
        assert_eq!(JodaZone::for_id("-00:00").unwrap(), JodaZone::Utc);
        assert_eq!(
            JodaZone::for_id("+01:02:03.004").unwrap().id(),
            "+01:02:03.004"
        );
        assert_eq!(JodaZone::for_id("-0330").unwrap().id(), "-03:30");
    }

    #[test]
    fn ids_joda_rejects() {
        for id in [
            "",
            "utc",
            "europe/paris",
            "+2",
            "+24:00",
            "+02:60",
            "+02:0",
            "+02:00x",
            "+0200:00",
            "PST",
            "Mars/Olympus",
        ] {
            let err = JodaZone::for_id(id).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("The datetime zone id '{id}' is not recognised")
            );
        }
    }

    #[test]
    fn local_to_utc_round_trips_outside_transitions() {
        let zone = JodaZone::for_id("Europe/Paris").unwrap();
        // 2024-07-01T12:00:00Z is 14:00 CEST.
        let utc = 1_719_835_200_000;
        let local = zone.utc_to_local(utc).unwrap();
        assert_eq!(local - utc, 7_200_000);
        assert_eq!(zone.local_to_utc(local), Some(utc));
    }

    #[test]
    fn gaps_move_to_the_transition() {
        // Paris springs forward at 2024-03-31T01:00Z: 02:00 local does not exist.
        let paris = JodaZone::for_id("Europe/Paris").unwrap();
        let local_0200 = 1_711_850_400_000; // 2024-03-31T02:00 as local millis
        assert_eq!(paris.local_to_utc(local_0200), Some(1_711_846_800_000));
        // New York springs forward at 2024-03-10T07:00Z: 02:00 local does not exist.
        let new_york = JodaZone::for_id("America/New_York").unwrap();
        let local_0200 = 1_710_036_000_000; // 2024-03-10T02:00 as local millis
        assert_eq!(new_york.local_to_utc(local_0200), Some(1_710_054_000_000));
    }

    #[test]
    fn overlaps_follow_joda() {
        // Paris falls back at 2024-10-27T01:00Z: 02:30 local happens twice; Joda picks CET.
        let paris = JodaZone::for_id("Europe/Paris").unwrap();
        let local_0230 = 1_729_996_200_000; // 2024-10-27T02:30 as local millis
        assert_eq!(paris.local_to_utc(local_0230), Some(local_0230 - 3_600_000));
        // New York falls back at 2024-11-03T06:00Z: 01:30 local happens twice; Joda picks EDT.
        let new_york = JodaZone::for_id("America/New_York").unwrap();
        let local_0130 = 1_730_597_400_000; // 2024-11-03T01:30 as local millis
        assert_eq!(
            new_york.local_to_utc(local_0130),
            Some(local_0130 + 4 * 3_600_000)
        );
        // Just after the overlap, the standard offset applies.
        let local_0530 = local_0130 + 4 * 3_600_000;
        assert_eq!(
            new_york.local_to_utc(local_0530),
            Some(local_0530 + 5 * 3_600_000)
        );
    }

    #[test]
    fn short_names() {
        let paris = JodaZone::for_id("Europe/Paris").unwrap();
        assert_eq!(paris.short_name(0).as_deref(), Some("CET"));
        assert_eq!(paris.short_name(1_719_835_200_000).as_deref(), Some("CEST"));
        assert_eq!(JodaZone::Utc.short_name(0).as_deref(), Some("UTC"));
        assert_eq!(
            JodaZone::Fixed(-9_000_000).short_name(0).as_deref(),
            Some("-02:30")
        );
        assert_eq!(print_offset(-9_000_000, false), "-0230");
    }
}
