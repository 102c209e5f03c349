//! A formatter for Joda-Time `DateTimeFormat` patterns, the syntax of `path.format`
//! (`'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`), printing only.
//!
//! Pattern letters follow Joda: a run of the same ASCII letter is one field, its length the
//! minimum number of digits (or, for text fields, short or long text); `'...'` quotes a literal
//! and `''` is a single quote; every other character is printed as it is. Supported letters:
//!
//! | letter | field | letter | field |
//! |---|---|---|---|
//! | `C` | century of era | `a` | AM/PM text |
//! | `Y` | year of era (`YY`: two digits) | `K` | hour of half day (0-11) |
//! | `y` | year (`yy`: two digits) | `h` | clock hour of half day (1-12) |
//! | `x` | ISO week year (`xx`: two digits) | `H` | hour of day (0-23) |
//! | `w` | ISO week of week year | `k` | clock hour of day (1-24) |
//! | `e` | ISO day of week number (1 = Monday) | `m` | minute |
//! | `E` | day of week text (`EEEE`: long) | `s` | second |
//! | `D` | day of year | `S` | fraction of second |
//! | `M` | month (`MMM`: short text, `MMMM`: long) | `z` | short zone name (`CET`) |
//! | `d` | day of month | `Z` | offset `+0100`, `ZZ` `+01:00`, `ZZZ` zone ID |
//!
//! Joda's `G` (era text) and `zzzz` (long zone names) are not supported and are rejected when
//! the pattern is compiled; any other letter is illegal, as in Joda.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

use super::zone::{JodaZone, print_offset};

/// A pattern Joda would reject, or one using a letter this formatter does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A letter Joda does not define (`q`, `Q`, `u`...): Joda's own message.
    #[error("Illegal pattern component: {0}")]
    Illegal(String),
    /// A letter Joda defines but this formatter does not implement.
    #[error(
        "Unsupported pattern component: {token} ({field}); supported pattern letters are C Y y x w e E D M d a K h H k m s S z (up to 3) Z"
    )]
    Unsupported {
        /// The pattern component, e.g. `G` or `zzzz`.
        token: String,
        /// What the component prints in Joda.
        field: &'static str,
    },
}

/// The numeric fields of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    CenturyOfEra,
    YearOfEra,
    Year,
    WeekYear,
    WeekOfWeekYear,
    DayOfWeek,
    DayOfYear,
    Month,
    DayOfMonth,
    HourOfHalfDay,
    ClockHourOfHalfDay,
    HourOfDay,
    ClockHourOfDay,
    Minute,
    Second,
}

/// One compiled component of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// A number zero-padded to `min_digits`.
    Number {
        field: Number,
        min_digits: usize,
    },
    /// The last two digits of a year field (`yy`, `YY`, `xx`).
    TwoDigits(Number),
    MonthText {
        long: bool,
    },
    DayOfWeekText {
        long: bool,
    },
    HalfDayText,
    /// The first `digits` digits of the fraction of second.
    Fraction {
        digits: usize,
    },
    Offset {
        colons: bool,
    },
    ZoneId,
    ZoneShortName,
}

/// The month, day and AM/PM names of a locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateNames {
    months_long: Vec<String>,
    months_short: Vec<String>,
    /// Monday first.
    days_long: Vec<String>,
    /// Monday first.
    days_short: Vec<String>,
    am_pm: [String; 2],
}

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const ENGLISH_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Default regions for languages whose locale is not `<lang>_<LANG>` (`en` is `en_US`).
const DEFAULT_REGIONS: [(&str, &str); 28] = [
    ("ar", "ar_EG"),
    ("be", "be_BY"),
    ("bn", "bn_IN"),
    ("ca", "ca_ES"),
    ("cs", "cs_CZ"),
    ("da", "da_DK"),
    ("el", "el_GR"),
    ("en", "en_US"),
    ("et", "et_EE"),
    ("fa", "fa_IR"),
    ("ga", "ga_IE"),
    ("he", "he_IL"),
    ("hi", "hi_IN"),
    ("hy", "hy_AM"),
    ("id", "id_ID"),
    ("in", "id_ID"),
    ("iw", "he_IL"),
    ("ja", "ja_JP"),
    ("ka", "ka_GE"),
    ("kk", "kk_KZ"),
    ("ko", "ko_KR"),
    ("ms", "ms_MY"),
    ("nb", "nb_NO"),
    ("no", "nb_NO"),
    ("sl", "sl_SI"),
    ("sv", "sv_SE"),
    ("uk", "uk_UA"),
    ("zh", "zh_CN"),
];

/// The locale named by a `locale` setting: `fr`, `fr_FR`, `fr-FR`, `en_US`... A language alone
/// takes its main region; an unknown locale falls back to English (`POSIX`), as Java falls back
/// to its default locale.
pub fn resolve_locale(name: &str) -> chrono::Locale {
    let mut parts = name.trim().split(['-', '_']);
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    let region = parts.next().map(str::to_ascii_uppercase);
    let mut candidates = Vec::new();
    if let Some(region) = region {
        candidates.push(format!("{language}_{region}"));
    }
    if let Some((_, locale)) = DEFAULT_REGIONS.iter().find(|(lang, _)| *lang == language) {
        candidates.push((*locale).to_owned());
    }
    candidates.push(format!("{language}_{}", language.to_ascii_uppercase()));
    candidates
        .iter()
        .find_map(|candidate| chrono::Locale::try_from(candidate.as_str()).ok())
        .unwrap_or(chrono::Locale::POSIX)
}

/// `date` formatted with `spec` in `locale`, or `None` when chrono cannot.
fn localized(date: DateTime<Utc>, spec: &str, locale: chrono::Locale) -> Option<String> {
    let mut text = String::new();
    write!(text, "{}", date.format_localized(spec, locale)).ok()?;
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

impl DateNames {
    /// The names of `locale` (see [`resolve_locale`]), with English for any the locale lacks.
    pub fn for_locale(locale: chrono::Locale) -> Self {
        let at = |date: Option<NaiveDate>, hour: u32| {
            date.and_then(|d| d.and_hms_opt(hour, 0, 0))
                .map(|naive| Utc.from_utc_datetime(&naive))
        };
        let name = |date: Option<DateTime<Utc>>, spec: &str, fallback: &str| {
            date.and_then(|d| localized(d, spec, locale))
                .unwrap_or_else(|| fallback.to_owned())
        };
        let month = |m: u32| at(NaiveDate::from_ymd_opt(2021, m, 1), 0);
        // 2021-01-04 is a Monday.
        let day = |d: u32| at(NaiveDate::from_ymd_opt(2021, 1, 4 + d), 0);
        let months_long = (1..=12)
            .zip(ENGLISH_MONTHS)
            .map(|(m, english)| name(month(m), "%B", english))
            .collect();
        let months_short = (1..=12)
            .zip(ENGLISH_MONTHS)
            .map(|(m, english)| name(month(m), "%b", &english[..3]))
            .collect();
        let days_long = (0..7)
            .zip(ENGLISH_DAYS)
            .map(|(d, english)| name(day(d), "%A", english))
            .collect();
        let days_short = (0..7)
            .zip(ENGLISH_DAYS)
            .map(|(d, english)| name(day(d), "%a", &english[..3]))
            .collect();
        let noon = at(NaiveDate::from_ymd_opt(2021, 1, 4), 13);
        let am_pm = [
            name(at(NaiveDate::from_ymd_opt(2021, 1, 4), 1), "%p", "AM"),
            name(noon, "%p", "PM"),
        ];
        Self {
            months_long,
            months_short,
            days_long,
            days_short,
            am_pm,
        }
    }

    fn pick(names: &[String], index: usize) -> &str {
        names.get(index).map_or("", String::as_str)
    }
}

/// A compiled `path.format`: pattern, locale names and time zone.
///
/// ```
/// use connect_hdfs::partitioner::{JodaFormatter, JodaZone};
///
/// let zone = JodaZone::for_id("Europe/Paris")?;
/// let formatter = JodaFormatter::new("'year'=YYYY/'month'=MMMM/'day'=dd", "fr", zone)?;
/// // 2024-02-01T00:30:00Z is 01:30 in Paris.
/// assert_eq!(
///     formatter.format(1_706_747_400_000).as_deref(),
///     Some("year=2024/month=février/day=01")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JodaFormatter {
    pattern: String,
    tokens: Vec<Token>,
    names: DateNames,
    zone: JodaZone,
}

impl JodaFormatter {
    /// Compiles `pattern` for printing in `zone` with the names of `locale` (see
    /// [`resolve_locale`]).
    ///
    /// # Errors
    ///
    /// A [`PatternError`] for an illegal or unsupported letter.
    pub fn new(pattern: &str, locale: &str, zone: JodaZone) -> Result<Self, PatternError> {
        Ok(Self {
            pattern: pattern.to_owned(),
            tokens: compile(pattern)?,
            names: DateNames::for_locale(resolve_locale(locale)),
            zone,
        })
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The time zone dates are printed in.
    pub fn zone(&self) -> JodaZone {
        self.zone
    }

    /// The instant `utc_ms` printed with the pattern in the zone; `None` if the instant is out of
    /// the range of representable dates.
    pub fn format(&self, utc_ms: i64) -> Option<String> {
        let offset = self.zone.offset_ms(utc_ms)?;
        let local_ms = utc_ms.checked_add(offset)?;
        let local = DateTime::from_timestamp_millis(local_ms)?.naive_utc();
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(text) => out.push_str(text),
                Token::Number { field, min_digits } => {
                    push_padded(&mut out, number(&local, *field), *min_digits);
                }
                Token::TwoDigits(field) => {
                    let value = number(&local, *field).unsigned_abs() % 100;
                    let _ = write!(out, "{value:02}");
                }
                Token::MonthText { long } => {
                    let names = if *long {
                        &self.names.months_long
                    } else {
                        &self.names.months_short
                    };
                    out.push_str(DateNames::pick(names, local.month0() as usize));
                }
                Token::DayOfWeekText { long } => {
                    let names = if *long {
                        &self.names.days_long
                    } else {
                        &self.names.days_short
                    };
                    let day = local.weekday().num_days_from_monday() as usize;
                    out.push_str(DateNames::pick(names, day));
                }
                Token::HalfDayText => {
                    out.push_str(&self.names.am_pm[usize::from(local.hour() >= 12)]);
                }
                Token::Fraction { digits } => {
                    let millis = format!("{:03}", local_ms.rem_euclid(1000));
                    if *digits <= 3 {
                        out.push_str(&millis[..*digits]);
                    } else {
                        out.push_str(&millis);
                        out.extend(std::iter::repeat_n('0', digits - 3));
                    }
                }
                Token::Offset { colons } => out.push_str(&print_offset(offset, *colons)),
                Token::ZoneId => out.push_str(&self.zone.id()),
                Token::ZoneShortName => out.push_str(&self.zone.short_name(utc_ms)?),
            }
        }
        Some(out)
    }
}

/// Appends `value` zero-padded to `min_digits`, the sign before the padding.
fn push_padded(out: &mut String, value: i64, min_digits: usize) {
    if value < 0 {
        out.push('-');
    }
    let _ = write!(out, "{:0min_digits$}", value.unsigned_abs());
}

/// The value of a numeric field at local time `local`.
fn number(local: &NaiveDateTime, field: Number) -> i64 {
    let year = i64::from(local.year());
    let year_of_era = if year <= 0 { 1 - year } else { year };
    let hour = i64::from(local.hour());
    match field {
        Number::CenturyOfEra => year_of_era / 100,
        Number::YearOfEra => year_of_era,
        Number::Year => year,
        Number::WeekYear => i64::from(local.iso_week().year()),
        Number::WeekOfWeekYear => i64::from(local.iso_week().week()),
        Number::DayOfWeek => i64::from(local.weekday().number_from_monday()),
        Number::DayOfYear => i64::from(local.ordinal()),
        Number::Month => i64::from(local.month()),
        Number::DayOfMonth => i64::from(local.day()),
        Number::HourOfHalfDay => hour % 12,
        Number::ClockHourOfHalfDay => match hour % 12 {
            0 => 12,
            h => h,
        },
        Number::HourOfDay => hour,
        Number::ClockHourOfDay => match hour {
            0 => 24,
            h => h,
        },
        Number::Minute => i64::from(local.minute()),
        Number::Second => i64::from(local.second()),
    }
}

/// Splits a pattern into tokens the way Joda's `DateTimeFormat.parseToken` does.
fn compile(pattern: &str) -> Result<Vec<Token>, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i] == c {
                i += 1;
            }
            tokens.push(field_token(c, i - start)?);
            continue;
        }
        // A literal run: up to the next letter outside quotes.
        let mut literal = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 1;
                } else {
                    quoted = !quoted;
                }
            } else if !quoted && c.is_ascii_alphabetic() {
                break;
            } else {
                literal.push(c);
            }
            i += 1;
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
    }
    Ok(tokens)
}

/// The token of `len` repetitions of letter `c`.
fn field_token(c: char, len: usize) -> Result<Token, PatternError> {
    let number = |field| Token::Number {
        field,
        min_digits: len,
    };
    let year = |field| {
        if len == 2 {
            Token::TwoDigits(field)
        } else {
            number(field)
        }
    };
    let token = match c {
        'C' => number(Number::CenturyOfEra),
        'Y' => year(Number::YearOfEra),
        'y' => year(Number::Year),
        'x' => year(Number::WeekYear),
        'w' => number(Number::WeekOfWeekYear),
        'e' => number(Number::DayOfWeek),
        'E' => Token::DayOfWeekText { long: len >= 4 },
        'D' => number(Number::DayOfYear),
        'M' if len >= 3 => Token::MonthText { long: len >= 4 },
        'M' => number(Number::Month),
        'd' => number(Number::DayOfMonth),
        'a' => Token::HalfDayText,
        'K' => number(Number::HourOfHalfDay),
        'h' => number(Number::ClockHourOfHalfDay),
        'H' => number(Number::HourOfDay),
        'k' => number(Number::ClockHourOfDay),
        'm' => number(Number::Minute),
        's' => number(Number::Second),
        'S' => Token::Fraction { digits: len },
        'Z' => match len {
            1 => Token::Offset { colons: false },
            2 => Token::Offset { colons: true },
            _ => Token::ZoneId,
        },
        'z' if len < 4 => Token::ZoneShortName,
        'z' => {
            return Err(PatternError::Unsupported {
                token: "z".repeat(len),
                field: "long time zone name",
            });
        }
        'G' => {
            return Err(PatternError::Unsupported {
                token: "G".repeat(len),
                field: "era text",
            });
        }
        other => return Err(PatternError::Illegal(other.to_string().repeat(len))),
    };
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2015-04-02T01:02:03.456Z, a Thursday.
    const T: i64 = 1_427_936_523_456;

    fn utc(pattern: &str) -> String {
        JodaFormatter::new(pattern, "en", JodaZone::Utc)
            .unwrap()
            .format(T)
            .unwrap()
    }

    #[test]
    fn numbers_pad_to_the_letter_count() {
        assert_eq!(
            utc("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH"),
            "year=2015/month=04/day=02/hour=01"
        );
        assert_eq!(
            utc("'year'=YYYY/'month'=M/'day'=d/'hour'=H"),
            "year=2015/month=4/day=2/hour=1"
        );
        assert_eq!(utc("yyyyyy-ddd"), "002015-002");
        assert_eq!(utc("yy YY y Y C"), "15 15 2015 2015 20");
        assert_eq!(utc("mm:ss.SSS S SSSS"), "02:03.456 4 4560");
        assert_eq!(utc("D w e x xx"), "92 14 4 2015 15");
        assert_eq!(utc("hh KK kk a"), "01 01 01 AM");
    }

    #[test]
    fn clock_hours() {
        let f = JodaFormatter::new("H h K k a", "en", JodaZone::Utc).unwrap();
        // 2015-04-02T00:00Z and 12:00Z.
        let midnight = 1_427_932_800_000;
        assert_eq!(f.format(midnight).unwrap(), "0 12 0 24 AM");
        assert_eq!(
            f.format(midnight + 12 * 3_600_000).unwrap(),
            "12 12 0 12 PM"
        );
    }

    #[test]
    fn text_fields_in_english() {
        assert_eq!(utc("EEE EEEE MMM MMMM"), "Thu Thursday Apr April");
        assert_eq!(utc("E"), "Thu");
    }

    #[test]
    fn text_fields_in_other_locales() {
        let f = JodaFormatter::new("EEEE d MMMM", "fr", JodaZone::Utc).unwrap();
        assert_eq!(f.format(T).unwrap(), "jeudi 2 avril");
        let f = JodaFormatter::new("EEEE d MMMM", "de_DE", JodaZone::Utc).unwrap();
        assert_eq!(f.format(T).unwrap(), "Donnerstag 2 April");
        let f = JodaFormatter::new("MMMM", "es-ES", JodaZone::Utc).unwrap();
        assert_eq!(f.format(T).unwrap(), "abril");
        // An unknown locale falls back to English; AM/PM text missing from a locale too.
        let f = JodaFormatter::new("MMMM a", "xx", JodaZone::Utc).unwrap();
        assert_eq!(f.format(T).unwrap(), "April AM");
        let f = JodaFormatter::new("a", "fr", JodaZone::Utc).unwrap();
        assert_eq!(f.format(T).unwrap(), "AM");
    }

    #[test]
    fn quotes_and_literals() {
        assert_eq!(utc("'year='YYYY"), "year=2015");
        assert_eq!(utc("'it''s' HH 'o''clock'"), "it's 01 o'clock");
        assert_eq!(utc("''HH''"), "'01'");
        assert_eq!(utc("HH:mm/é_-"), "01:02/é_-");
        // An unclosed quote runs to the end, as in Joda.
        assert_eq!(utc("HH 'hours"), "01 hours");
    }

    #[test]
    fn zones_and_offsets() {
        let paris = JodaZone::for_id("Europe/Paris").unwrap();
        let f = JodaFormatter::new("HH:mm Z ZZ ZZZ z", "en", paris).unwrap();
        assert_eq!(f.format(T).unwrap(), "03:02 +0200 +02:00 Europe/Paris CEST");
        let fixed = JodaZone::for_id("-03:30").unwrap();
        let f = JodaFormatter::new("HH:mm Z ZZ ZZZ z", "en", fixed).unwrap();
        assert_eq!(f.format(T).unwrap(), "21:32 -0330 -03:30 -03:30 -03:30");
        let f = JodaFormatter::new("Z ZZ ZZZ z", "en", JodaZone::Utc).unwrap();
        assert_eq!(f.format(T).unwrap(), "+0000 +00:00 UTC UTC");
    }

    #[test]
    fn negative_years() {
        let f = JodaFormatter::new("yyyy YYYY yy", "en", JodaZone::Utc).unwrap();
        // 0000-06-01 (1 BC) and -0001-06-01 (2 BC).
        let year_zero = -62_154_086_400_000;
        assert_eq!(f.format(year_zero).unwrap(), "0000 0001 00");
        let year_minus_one = year_zero - 366 * 86_400_000;
        assert_eq!(f.format(year_minus_one).unwrap(), "-0001 0002 01");
    }

    #[test]
    fn illegal_and_unsupported_letters() {
        let err = JodaFormatter::new("'year'=YYYY/qq", "en", JodaZone::Utc).unwrap_err();
        assert_eq!(err, PatternError::Illegal("qq".to_owned()));
        assert_eq!(err.to_string(), "Illegal pattern component: qq");
        let err = JodaFormatter::new("GG yyyy", "en", JodaZone::Utc).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Unsupported pattern component: GG (era text)"),
            "{err}"
        );
        let err = JodaFormatter::new("zzzz", "en", JodaZone::Utc).unwrap_err();
        assert!(
            err.to_string().contains("zzzz (long time zone name)"),
            "{err}"
        );
        // Letters inside quotes are literals.
        assert_eq!(utc("'q G zzzz'"), "q G zzzz");
    }

    #[test]
    fn locales_resolve() {
        assert_eq!(resolve_locale("fr"), chrono::Locale::fr_FR);
        assert_eq!(resolve_locale("fr-CA"), chrono::Locale::fr_CA);
        assert_eq!(resolve_locale("FR_be"), chrono::Locale::fr_BE);
        assert_eq!(resolve_locale("en"), chrono::Locale::en_US);
        assert_eq!(resolve_locale("en_GB"), chrono::Locale::en_GB);
        assert_eq!(resolve_locale("ja"), chrono::Locale::ja_JP);
        assert_eq!(resolve_locale("fr_XX"), chrono::Locale::fr_FR);
        assert_eq!(resolve_locale("klingon"), chrono::Locale::POSIX);
    }
}
