//! The timestamp extractors of time-based partitioners (`timestamp.extractor`): `Wallclock`,
//! `Record` and `RecordField`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use connect_api::data::Value;
use connect_api::error::ConfigError;
use connect_api::record::SinkRecord;

use super::{PartitionError, TimestampExtractor};

/// The key naming the extractor.
pub const TIMESTAMP_EXTRACTOR_CONFIG: &str = "timestamp.extractor";
/// The key naming the field of [`RecordFieldTimestampExtractor`].
pub const TIMESTAMP_FIELD_CONFIG: &str = "timestamp.field";

const EXTRACTOR_PREFIX: &str = "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// The built-in extractors, as `timestamp.extractor` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampExtractorKind {
    /// `Wallclock`: the time the record is written.
    Wallclock,
    /// `Record`: the Kafka timestamp of the record.
    Record,
    /// `RecordField`: a field of the record value (`timestamp.field`).
    RecordField,
}

impl TimestampExtractorKind {
    /// The extractor named `name`: `Wallclock`, `Record`, `RecordField`, or the Java class name
    /// of one of them
    /// (`io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor`).
    ///
    /// # Errors
    ///
    /// Any other name: Confluent's `Invalid timestamp extractor: <name>` (custom extractor
    /// classes cannot be loaded).
    pub fn from_name(name: &str) -> Result<Self, ConfigError> {
        let short = name
            .strip_prefix(EXTRACTOR_PREFIX)
            .and_then(|class| class.strip_suffix("TimestampExtractor"))
            .unwrap_or(name);
        match short {
            "Wallclock" => Ok(Self::Wallclock),
            "Record" => Ok(Self::Record),
            "RecordField" => Ok(Self::RecordField),
            _ => Err(ConfigError::other(format!(
                "Invalid timestamp extractor: {name}"
            ))),
        }
    }

    /// The Java class Confluent uses for this extractor.
    pub fn class_name(self) -> String {
        let short = match self {
            Self::Wallclock => "Wallclock",
            Self::Record => "Record",
            Self::RecordField => "RecordField",
        };
        format!("{EXTRACTOR_PREFIX}{short}TimestampExtractor")
    }
}

/// `Wallclock`: the time given by the caller, the moment the record is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WallclockTimestampExtractor;

impl TimestampExtractor for WallclockTimestampExtractor {
    fn extract(&self, _record: &SinkRecord, now_ms: i64) -> Result<i64, PartitionError> {
        Ok(now_ms)
    }
}

/// `Record`: the Kafka timestamp of the record (producer or broker time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordTimestampExtractor;

impl TimestampExtractor for RecordTimestampExtractor {
    fn extract(&self, record: &SinkRecord, _now_ms: i64) -> Result<i64, PartitionError> {
        record.timestamp.ok_or_else(|| {
            PartitionError(format!(
                "Unable to determine timestamp using timestamp.extractor {} for record: \
                 SinkRecord{{kafkaOffset={}, timestampType={}}} \
                 ConnectRecord{{topic='{}', kafkaPartition={}, timestamp=null}}",
                TimestampExtractorKind::Record.class_name(),
                record.kafka_offset,
                record.timestamp_type,
                record.topic,
                record.kafka_partition(),
            ))
        })
    }
}

/// `RecordField`: a field of the record value, `timestamp.field`, with dots reaching into
/// nested Structs and Maps (`meta.created`).
///
/// A Struct field may hold an `INT32`/`INT64` number of milliseconds, a `Timestamp`, a `Date`
/// (midnight UTC) or a string; a Map entry may hold any number (truncated to milliseconds), a
/// `Timestamp`, a `Date` or a string. A string of up to 19 digits (with an optional `-`) is
/// milliseconds; any other string is parsed as an ISO-8601 date-time like Joda's
/// `ISODateTimeFormat.dateTimeParser()` (`2024-02-01`, `2024-02-01T10:15:30.250+01:00`,
/// `2024-W05-4`, `2024-032`, `T10:15`); without an offset it is read as UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFieldTimestampExtractor {
    field: String,
}

impl RecordFieldTimestampExtractor {
    /// An extractor of `field` (dotted for nested fields).
    ///
    /// # Errors
    ///
    /// A blank field name.
    pub fn new(field: &str) -> Result<Self, ConfigError> {
        if field.trim().is_empty() {
            return Err(ConfigError::invalid(
                TIMESTAMP_FIELD_CONFIG,
                field,
                "The field to extract cannot be null or empty.",
            ));
        }
        Ok(Self {
            field: field.to_owned(),
        })
    }

    /// The field name as configured.
    pub fn field(&self) -> &str {
        &self.field
    }

    fn error(&self, reason: impl std::fmt::Display) -> PartitionError {
        PartitionError(format!(
            "Error extracting timestamp from record field: {}: {reason}",
            self.field
        ))
    }

    fn unsupported(&self, value: &Value) -> PartitionError {
        PartitionError(format!(
            "Error extracting timestamp from record field: {} (unsupported type '{}')",
            self.field,
            value.kind()
        ))
    }

    /// The value at the dotted path, through Structs and Maps with string keys.
    fn lookup<'a>(&self, value: &'a Value) -> Result<&'a Value, PartitionError> {
        let mut current = value;
        for name in self.field.split('.') {
            let next = match current {
                Value::Struct(s) => s.get(name).ok(),
                Value::Map(_) => current.map_get(&Value::String(name.to_owned())),
                _ => {
                    return Err(self.error(format!(
                        "cannot get field '{name}' from a {} value",
                        current.kind()
                    )));
                }
            };
            current = match next {
                Some(v) if !v.is_null() => v,
                _ => {
                    return Err(self.error(format!("The field '{}' does not exist.", self.field)));
                }
            };
        }
        Ok(current)
    }

    fn parse_string(&self, text: &str) -> Result<i64, PartitionError> {
        parse_timestamp_string(text).map_err(|reason| self.error(reason))
    }
}

impl TimestampExtractor for RecordFieldTimestampExtractor {
    fn extract(&self, record: &SinkRecord, _now_ms: i64) -> Result<i64, PartitionError> {
        let in_struct = match &record.value {
            Value::Struct(_) => true,
            Value::Map(_) => false,
            other => {
                return Err(PartitionError(format!(
                    "Error encoding partition. The record value is a {}, not a Struct or Map, \
                     so field '{}' cannot be read.",
                    other.kind(),
                    self.field
                )));
            }
        };
        let value = self.lookup(&record.value)?;
        match value {
            Value::Timestamp(ms) => Ok(*ms),
            Value::Date(days) => Ok(i64::from(*days) * MILLIS_PER_DAY),
            Value::String(text) => self.parse_string(text),
            Value::Int32(v) => Ok(i64::from(*v)),
            Value::Int64(v) => Ok(*v),
            Value::Int8(_) | Value::Int16(_) if !in_struct => {
                value.as_i64().ok_or_else(|| self.unsupported(value))
            }
            // Java's Number.longValue(): truncated toward zero, saturating.
            Value::Float32(v) if !in_struct => Ok(*v as i64),
            Value::Float64(v) if !in_struct => Ok(*v as i64),
            other => Err(self.unsupported(other)),
        }
    }
}

/// Milliseconds from a string: digits (`^-?[0-9]{1,19}$` that fit an `i64`) or ISO-8601.
///
/// # Errors
///
/// Joda's wording: `Invalid format: "<text>"`, with where it stopped making sense.
pub fn parse_timestamp_string(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if (1..=19).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(millis) = text.parse::<i64>()
    {
        return Ok(millis);
    }
    IsoParser::new(text).parse()
}

/// A parser for Joda's `ISODateTimeFormat.dateTimeParser()` grammar:
///
/// ```text
/// datetime      = time | date-opt-time
/// time          = 'T' time-element [offset]
/// date-opt-time = date-element ['T' [time-element] [offset]]
/// date-element  = yyyy ['-' MM ['-' dd]] | yyyy '-' DDD | xxxx '-W' ww ['-' e]
/// time-element  = HH [':' mm [':' ss]] [('.' | ',') digit+]
/// offset        = 'Z' | ('+' | '-') HH [':' mm]
/// ```
struct IsoParser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> IsoParser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn fail(&self) -> String {
        match self.text.get(self.pos..) {
            Some(rest) if self.pos > 0 && !rest.is_empty() => {
                format!(
                    "Invalid format: \"{}\" is malformed at \"{rest}\"",
                    self.text
                )
            }
            Some("") if self.pos > 0 => format!("Invalid format: \"{}\" is too short", self.text),
            _ => format!("Invalid format: \"{}\"", self.text),
        }
    }

    fn out_of_range(&self) -> String {
        format!(
            "Cannot parse \"{}\": a field value is out of range",
            self.text
        )
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Between `min` and `max` digits.
    fn digits(&mut self, min: usize, max: usize) -> Result<u32, String> {
        let start = self.pos;
        while self.pos - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos - start < min {
            return Err(self.fail());
        }
        self.text[start..self.pos].parse().map_err(|_| self.fail())
    }

    fn parse(mut self) -> Result<i64, String> {
        let (date, time, offset_ms) = if self.peek() == Some(b'T') {
            self.pos += 1;
            let time = self.time()?;
            let offset = self.offset()?;
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| self.fail())?;
            (epoch, time, offset)
        } else {
            let date = self.date()?;
            let mut time = NaiveTime::MIN;
            let mut offset = None;
            if self.eat(b'T') {
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    time = self.time()?;
                }
                offset = self.offset()?;
            }
            (date, time, offset)
        };
        if self.pos != self.bytes.len() {
            return Err(self.fail());
        }
        let local = NaiveDateTime::new(date, time).and_utc().timestamp_millis();
        Ok(local - offset_ms.unwrap_or(0))
    }

    fn date(&mut self) -> Result<NaiveDate, String> {
        let negative = self.eat(b'-');
        if !negative {
            self.eat(b'+');
        }
        let year = self.digits(1, 9)?;
        let year = i32::try_from(year).map_err(|_| self.fail())?;
        let year = if negative { -year } else { year };
        if !self.eat(b'-') {
            return NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| self.out_of_range());
        }
        if self.eat(b'W') {
            let week = self.digits(2, 2)?;
            let day = if self.eat(b'-') {
                self.digits(1, 1)?
            } else {
                1
            };
            let weekday = u8::try_from(day)
                .ok()
                .and_then(|day| day.checked_sub(1))
                .and_then(|index| chrono::Weekday::try_from(index).ok())
                .ok_or_else(|| self.out_of_range())?;
            return NaiveDate::from_isoywd_opt(year, week, weekday)
                .ok_or_else(|| self.out_of_range());
        }
        let start = self.pos;
        let ordinal_digits = self.bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if ordinal_digits == 3 {
            let day = self.digits(3, 3)?;
            return NaiveDate::from_yo_opt(year, day).ok_or_else(|| self.out_of_range());
        }
        let month = self.digits(1, 2)?;
        let day = if self.eat(b'-') {
            self.digits(1, 2)?
        } else {
            1
        };
        NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| self.out_of_range())
    }

    fn time(&mut self) -> Result<NaiveTime, String> {
        let hour = self.digits(1, 2)?;
        let mut minute = 0;
        let mut second = 0;
        // The unit of a trailing fraction: the last field given.
        let mut unit_ms = 3_600_000_u64;
        if self.eat(b':') {
            minute = self.digits(1, 2)?;
            unit_ms = 60_000;
            if self.eat(b':') {
                second = self.digits(1, 2)?;
                unit_ms = 1000;
            }
        }
        let mut fraction_ms = 0;
        if self.peek() == Some(b'.') || self.peek() == Some(b',') {
            self.pos += 1;
            let start = self.pos;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == start {
                return Err(self.fail());
            }
            // Nine digits at most, as Joda, truncated to milliseconds.
            let digits = &self.text[start..self.pos.min(start + 9)];
            let scale = 10_u64.pow(u32::try_from(digits.len()).unwrap_or(9));
            let value: u64 = digits.parse().map_err(|_| self.fail())?;
            fraction_ms = value * unit_ms / scale;
        }
        let base =
            NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| self.out_of_range())?;
        let fraction = chrono::TimeDelta::try_milliseconds(
            i64::try_from(fraction_ms).map_err(|_| self.fail())?,
        )
        .ok_or_else(|| self.fail())?;
        let (time, wrapped) = base.overflowing_add_signed(fraction);
        if wrapped != 0 {
            return Err(self.out_of_range());
        }
        Ok(time)
    }

    /// `Z`, `+HH`, `+HH:mm`, `+HHmm`, or nothing.
    fn offset(&mut self) -> Result<Option<i64>, String> {
        let sign = match self.peek() {
            Some(b'Z') => {
                self.pos += 1;
                return Ok(Some(0));
            }
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Ok(None),
        };
        self.pos += 1;
        let hours = self.digits(2, 2)?;
        let mut minutes = 0;
        if self.eat(b':') || self.peek().is_some_and(|b| b.is_ascii_digit()) {
            minutes = self.digits(2, 2)?;
        }
        if hours > 23 || minutes > 59 {
            return Err(self.out_of_range());
        }
        Ok(Some(
            sign * (i64::from(hours) * 3_600_000 + i64::from(minutes) * 60_000),
        ))
    }
}

#[cfg(test)]
mod tests {
    use connect_api::data::{Schema, SchemaBuilder, Struct, logical};
    use connect_api::record::{ConnectRecord, TimestampType};

    use super::*;

    fn record(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("t", schema, value),
            0,
            7,
            TimestampType::CreateTime,
        )
    }

    fn ms(text: &str) -> i64 {
        parse_timestamp_string(text).unwrap()
    }

    #[test]
    fn names() {
        for (name, kind) in [
            ("Wallclock", TimestampExtractorKind::Wallclock),
            ("Record", TimestampExtractorKind::Record),
            ("RecordField", TimestampExtractorKind::RecordField),
        ] {
            assert_eq!(TimestampExtractorKind::from_name(name).unwrap(), kind);
            assert_eq!(
                TimestampExtractorKind::from_name(&kind.class_name()).unwrap(),
                kind
            );
        }
        let err = TimestampExtractorKind::from_name("com.example.Custom").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid timestamp extractor: com.example.Custom"
        );
    }

    #[test]
    fn wallclock_returns_now() {
        let r = record(None, Value::Null);
        assert_eq!(WallclockTimestampExtractor.extract(&r, 42).unwrap(), 42);
    }

    #[test]
    fn record_timestamp() {
        let r = record(None, "x".into());
        let with = SinkRecord::new(
            ConnectRecord::new("t", None, "x".into()).with_timestamp(1234),
            0,
            7,
            TimestampType::CreateTime,
        );
        assert_eq!(RecordTimestampExtractor.extract(&with, 42).unwrap(), 1234);
        let err = RecordTimestampExtractor.extract(&r, 42).unwrap_err();
        assert!(
            err.0.starts_with(
                "Unable to determine timestamp using timestamp.extractor \
                 io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor \
                 for record: SinkRecord{kafkaOffset=7"
            ),
            "{err}"
        );
    }

    fn struct_record() -> SinkRecord {
        let inner = SchemaBuilder::struct_()
            .field("created", logical::timestamp_schema())
            .field("day", logical::date_schema())
            .field("text", Schema::string())
            .field("missing", Schema::optional_int64())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("ts", Schema::int64())
            .field("int", Schema::int32())
            .field("short", Schema::int16())
            .field("float", Schema::float64())
            .field("meta", inner.clone())
            .build()
            .unwrap();
        let meta = Struct::new(inner)
            .unwrap()
            .with("created", Value::Timestamp(1_000_000))
            .unwrap()
            .with("day", Value::Date(2))
            .unwrap()
            .with("text", "2024-02-01T10:15:30.250+01:00")
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("ts", 5_000i64)
            .unwrap()
            .with("int", 6i32)
            .unwrap()
            .with("short", 7i16)
            .unwrap()
            .with("float", 1.5f64)
            .unwrap()
            .with("meta", meta)
            .unwrap();
        record(Some(schema), value.into())
    }

    fn extract(field: &str, r: &SinkRecord) -> Result<i64, PartitionError> {
        RecordFieldTimestampExtractor::new(field)
            .unwrap()
            .extract(r, 0)
    }

    #[test]
    fn struct_fields() {
        let r = struct_record();
        assert_eq!(extract("ts", &r).unwrap(), 5000);
        assert_eq!(extract("int", &r).unwrap(), 6);
        assert_eq!(extract("meta.created", &r).unwrap(), 1_000_000);
        assert_eq!(extract("meta.day", &r).unwrap(), 2 * 86_400_000);
        assert_eq!(extract("meta.text", &r).unwrap(), 1_706_778_930_250);
    }

    #[test]
    fn struct_field_errors_name_the_field() {
        let r = struct_record();
        let err = extract("float", &r).unwrap_err();
        assert_eq!(
            err.0,
            "Error extracting timestamp from record field: float (unsupported type 'float64')"
        );
        assert!(extract("short", &r).unwrap_err().0.contains("'int16'"));
        let err = extract("meta.missing", &r).unwrap_err();
        assert_eq!(
            err.0,
            "Error extracting timestamp from record field: meta.missing: \
             The field 'meta.missing' does not exist."
        );
        let err = extract("nope", &r).unwrap_err();
        assert!(err.0.contains("The field 'nope' does not exist."), "{err}");
        let err = extract("ts.deeper", &r).unwrap_err();
        assert!(
            err.0
                .contains("cannot get field 'deeper' from a int64 value"),
            "{err}"
        );
        let err = extract("meta", &r).unwrap_err();
        assert!(err.0.contains("unsupported type 'struct'"), "{err}");
    }

    #[test]
    fn map_fields() {
        let nested = Value::Map(vec![("when".into(), Value::Float64(12.9))]);
        let value = Value::Map(vec![
            ("ts".into(), 5i64.into()),
            ("small".into(), Value::Int8(3)),
            ("text".into(), "1700000000000".into()),
            ("iso".into(), "2024-02-01".into()),
            ("date".into(), Value::Date(1)),
            ("stamp".into(), Value::Timestamp(99)),
            ("nested".into(), nested),
            ("list".into(), Value::Array(vec![1i64.into()])),
        ]);
        let r = record(None, value);
        assert_eq!(extract("ts", &r).unwrap(), 5);
        assert_eq!(extract("small", &r).unwrap(), 3);
        assert_eq!(extract("text", &r).unwrap(), 1_700_000_000_000);
        assert_eq!(extract("iso", &r).unwrap(), 1_706_745_600_000);
        assert_eq!(extract("date", &r).unwrap(), 86_400_000);
        assert_eq!(extract("stamp", &r).unwrap(), 99);
        assert_eq!(extract("nested.when", &r).unwrap(), 12);
        let err = extract("list", &r).unwrap_err();
        assert_eq!(
            err.0,
            "Error extracting timestamp from record field: list (unsupported type 'array')"
        );
        assert!(
            extract("absent", &r)
                .unwrap_err()
                .0
                .contains("'absent' does not exist")
        );
    }

    #[test]
    fn bad_strings_name_the_field() {
        let r = record(None, Value::Map(vec![("ts".into(), "abc".into())]));
        let err = extract("ts", &r).unwrap_err();
        assert_eq!(
            err.0,
            "Error extracting timestamp from record field: ts: Invalid format: \"abc\""
        );
    }

    #[test]
    fn values_that_are_not_structs_or_maps() {
        let r = record(Some(Schema::string()), "foo".into());
        let err = extract("ts", &r).unwrap_err();
        assert!(err.0.starts_with("Error encoding partition."), "{err}");
        assert!(err.0.contains("field 'ts'"), "{err}");
    }

    #[test]
    fn blank_field_name() {
        let err = RecordFieldTimestampExtractor::new(" ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value   for configuration timestamp.field: \
             The field to extract cannot be null or empty."
        );
    }

    #[test]
    fn numeric_strings() {
        assert_eq!(ms("0"), 0);
        assert_eq!(ms("-5"), -5);
        assert_eq!(ms("1700000000000"), 1_700_000_000_000);
        // Up to 19 digits that overflow fall back to ISO parsing, which fails.
        assert!(parse_timestamp_string("9999999999999999999").is_err());
    }

    #[test]
    fn iso_strings() {
        assert_eq!(ms("2024-02-01T10:15:30.250Z"), 1_706_782_530_250);
        assert_eq!(ms("2024-02-01T10:15:30.250+01:00"), 1_706_778_930_250);
        assert_eq!(ms("2024-02-01T10:15:30-0130"), 1_706_787_930_000);
        assert_eq!(ms("2024-02-01T10:15"), 1_706_782_500_000);
        assert_eq!(ms("2024-02-01T10"), 1_706_781_600_000);
        assert_eq!(ms("2024-02-01T10.5"), 1_706_783_400_000);
        assert_eq!(ms("2024-02-01T10:15:30,123456789"), 1_706_782_530_123);
        assert_eq!(ms("2024-02-01"), 1_706_745_600_000);
        assert_eq!(ms("2024-02"), 1_706_745_600_000);
        assert_eq!(ms("2024-2-1"), 1_706_745_600_000);
        assert_eq!(ms("2024-032"), 1_706_745_600_000);
        assert_eq!(ms("2024-W05-4"), 1_706_745_600_000);
        assert_eq!(ms("2024-02-01T"), 1_706_745_600_000);
        assert_eq!(ms("2024-02-01TZ"), 1_706_745_600_000);
        assert_eq!(ms("T01:00"), 3_600_000);
        assert_eq!(ms("T01:00+01:00"), 0);
    }

    #[test]
    fn bad_iso_strings() {
        for (text, message) in [
            ("abc", "Invalid format: \"abc\""),
            (
                "2024-13-01",
                "Cannot parse \"2024-13-01\": a field value is out of range",
            ),
            (
                "2024-02-01T10:",
                "Invalid format: \"2024-02-01T10:\" is too short",
            ),
            (
                "2024-02-01 10:00",
                "Invalid format: \"2024-02-01 10:00\" is malformed at \" 10:00\"",
            ),
            (
                "2024-02-01T25:00",
                "Cannot parse \"2024-02-01T25:00\": a field value is out of range",
            ),
            ("", "Invalid format: \"\""),
        ] {
            assert_eq!(parse_timestamp_string(text).unwrap_err(), message, "{text}");
        }
    }
}
