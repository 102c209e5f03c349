//! `TimestampConverter$Key` / `TimestampConverter$Value`: converts timestamps between Unix epoch
//! numbers, formatted strings and Connect's Date, Time and Timestamp types (Kafka's
//! `org.apache.kafka.connect.transforms.TimestampConverter`).
//!
//! Also home of the crate's `SimpleDateFormat` (the private `java_date_format` module), which
//! `TimestampRouter` uses as well.

use crate::common::REPLACE_NULL_WITH_DEFAULT_CONFIG;
use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, ValidString};
use connect_api::data::logical::{self, DATE_NAME, TIME_NAME, TIMESTAMP_NAME};
use connect_api::data::values::java_class_name;
use connect_api::data::{Schema, SchemaBuilder, Type, Value};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

use self::java_date_format::JavaDateFormat;
use super::cast::rebuild_struct;
use crate::common::copy_schema_basics;
use crate::common::{Part, SchemaCache, data_error, require_map, require_struct};

const FIELD_CONFIG: &str = "field";
const TARGET_TYPE_CONFIG: &str = "target.type";
const FORMAT_CONFIG: &str = "format";
const UNIX_PRECISION_CONFIG: &str = "unix.precision";
const PURPOSE: &str = "converting timestamp formats";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// A timestamp representation: the values of `target.type`, and what a source is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Representation {
    /// Text in the configured `format`.
    String,
    /// A number of `unix.precision` units since the epoch (`INT64`).
    Unix,
    /// Connect's Date.
    Date,
    /// Connect's Time.
    Time,
    /// Connect's Timestamp.
    Timestamp,
}

impl Representation {
    const NAMES: [&str; 5] = ["string", "unix", "Date", "Time", "Timestamp"];

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Representation::String,
            "unix" => Representation::Unix,
            "Date" => Representation::Date,
            "Time" => Representation::Time,
            "Timestamp" => Representation::Timestamp,
            _ => return None,
        })
    }

    /// The schema of this representation (Kafka's `TimestampTranslator.typeSchema`).
    fn schema(self, optional: bool) -> Result<Schema> {
        let builder = match self {
            Representation::String => SchemaBuilder::string(),
            Representation::Unix => SchemaBuilder::int64(),
            Representation::Date => logical::date_builder(),
            Representation::Time => logical::time_builder(),
            Representation::Timestamp => logical::timestamp_builder(),
        };
        let builder = if optional {
            builder.optional()
        } else {
            builder
        };
        Ok(builder.build()?)
    }

    /// How a value of `schema` is read (Kafka's `timestampTypeFromSchema`).
    fn of_schema(schema: &Schema) -> Result<Self> {
        Ok(match schema.name() {
            Some(TIMESTAMP_NAME) => Representation::Timestamp,
            Some(DATE_NAME) => Representation::Date,
            Some(TIME_NAME) => Representation::Time,
            _ if schema.type_() == Type::String => Representation::String,
            _ if schema.type_() == Type::Int64 => Representation::Unix,
            _ => {
                return Err(ConnectError::other(format!(
                    "Schema {schema} does not correspond to a known timestamp type format"
                )));
            }
        })
    }

    /// How a schemaless value is read (Kafka's `inferTimestampType`): Date, Time and Timestamp
    /// values all read as timestamps.
    fn of_value(value: &Value) -> Result<Self> {
        Ok(match value {
            Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => Representation::Timestamp,
            Value::Int64(_) => Representation::Unix,
            Value::String(_) => Representation::String,
            other => {
                return Err(data_error(format!(
                    "TimestampConverter does not support {} objects as timestamps",
                    class_text(other)
                )));
            }
        })
    }
}

/// The unit of Unix timestamps (`unix.precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnixPrecision {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl UnixPrecision {
    const NAMES: [&str; 4] = ["nanoseconds", "microseconds", "milliseconds", "seconds"];

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "seconds" => UnixPrecision::Seconds,
            "milliseconds" => UnixPrecision::Milliseconds,
            "microseconds" => UnixPrecision::Microseconds,
            "nanoseconds" => UnixPrecision::Nanoseconds,
            _ => return None,
        })
    }

    /// Milliseconds of a Unix timestamp in this unit (Java's `TimeUnit.toMillis`: finer units
    /// truncate toward zero, seconds saturate).
    fn to_millis(self, value: i64) -> i64 {
        match self {
            UnixPrecision::Seconds => value.saturating_mul(1000),
            UnixPrecision::Milliseconds => value,
            UnixPrecision::Microseconds => value / 1000,
            UnixPrecision::Nanoseconds => value / 1_000_000,
        }
    }

    /// A Unix timestamp in this unit of milliseconds (Java's `TimeUnit.MILLISECONDS.toX`).
    fn of_millis(self, millis: i64) -> i64 {
        match self {
            UnixPrecision::Seconds => millis / 1000,
            UnixPrecision::Milliseconds => millis,
            UnixPrecision::Microseconds => millis.saturating_mul(1000),
            UnixPrecision::Nanoseconds => millis.saturating_mul(1_000_000),
        }
    }
}

#[derive(Debug)]
struct Settings {
    field: String,
    target: Representation,
    format: Option<JavaDateFormat>,
    unix_precision: UnixPrecision,
    replace_null_with_default: bool,
    target_schema: Schema,
    optional_target_schema: Schema,
}

/// Converts timestamps between Unix epoch numbers, formatted strings and Connect's Date, Time and
/// Timestamp types, for the whole key or value or for one field of it (Kafka's
/// `TimestampConverter$Key` and `TimestampConverter$Value`).
///
/// `target.type` is `string`, `unix`, `Date`, `Time` or `Timestamp`; `field` names the field to
/// convert (empty for the whole key or value); `format` is a `java.text.SimpleDateFormat` pattern
/// (in UTC) used to write `string` targets and to read string sources; `unix.precision`
/// (`milliseconds` by default, or `seconds`, `microseconds`, `nanoseconds`) is the unit of `unix`
/// values. The source type comes from the schema (Timestamp, Date or Time, else `STRING` or
/// `INT64`) or, without a schema, from the value. A `Date` target keeps the day (midnight UTC),
/// a `Time` target the time of day. Nulls stay null.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{logical, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::timestamp_converter::TimestampConverter;
///
/// let mut convert = TimestampConverter::value();
/// let props = ConfigMap::from([
///     ("target.type".to_owned(), "string".to_owned()),
///     ("format".to_owned(), "yyyy-MM-dd'T'HH:mm:ss.SSSX".to_owned()),
/// ]);
/// Transform::<SinkRecord>::configure(&mut convert, &props)?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("events", Some(logical::timestamp_schema()), Value::Timestamp(1_700_000_000_123)),
///     0,
///     42,
///     TimestampType::CreateTime,
/// );
/// let out = convert.apply(record)?.map(|r| r.value.clone());
/// assert_eq!(out, Some(Value::from("2023-11-14T22:13:20.123Z")));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug)]
pub struct TimestampConverter {
    part: Part,
    settings: Option<Settings>,
    cache: SchemaCache,
}

impl TimestampConverter {
    /// Kafka's class name of the key variant.
    pub const KEY_CLASS: &str = "org.apache.kafka.connect.transforms.TimestampConverter$Key";
    /// Kafka's class name of the value variant.
    pub const VALUE_CLASS: &str = "org.apache.kafka.connect.transforms.TimestampConverter$Value";

    /// `TimestampConverter$Key`: converts the record key or one of its fields.
    pub fn key() -> Self {
        Self::for_part(Part::Key)
    }

    /// `TimestampConverter$Value`: converts the record value or one of its fields.
    pub fn value() -> Self {
        Self::for_part(Part::Value)
    }

    fn for_part(part: Part) -> Self {
        Self {
            part,
            settings: None,
            cache: SchemaCache::default(),
        }
    }
}

/// The configuration definition (Kafka's `TimestampConverter.CONFIG_DEF`).
fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::string(FIELD_CONFIG)
                .default_value("")
                .importance(Importance::High)
                .documentation(
                    "The field containing the timestamp, or empty if the entire value is a timestamp",
                ),
        )
        .define(
            ConfigKey::string(TARGET_TYPE_CONFIG)
                .validator(ValidString::in_(Representation::NAMES))
                .importance(Importance::High)
                .documentation(
                    "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
                ),
        )
        .define(
            ConfigKey::string(FORMAT_CONFIG)
                .default_value("")
                .importance(Importance::Medium)
                .documentation(
                    "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output \
                     when type=string or used to parse the input if the input is a string.",
                ),
        )
        .define(
            ConfigKey::string(UNIX_PRECISION_CONFIG)
                .default_value("milliseconds")
                .validator(ValidString::in_(UnixPrecision::NAMES))
                .importance(Importance::Low)
                .documentation(
                    "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or \
                     nanoseconds. Used to generate the output when type=unix or used to parse the input if \
                     the input is a Long.Note: This SMT will cause precision loss during conversions from, \
                     and to, values with sub-millisecond components.",
                ),
        )
        .define(
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .documentation(
                    "Whether to replace fields that have a default value and that are null to the default \
                     value. When set to true, the default value is used, otherwise null is used.",
                ),
        )
}

/// Java's `Utils.isBlank`.
fn is_blank(text: &str) -> bool {
    text.trim_matches(|c: char| c <= ' ').is_empty()
}

/// Java's `value.getClass()` as printed: `class java.lang.Long`.
fn class_text(value: &Value) -> String {
    format!("class {}", java_class_name(value))
}

impl<R: Record> Transform<R> for TimestampConverter {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = config_def().parse(configs)?;
        let field = parsed.get_string(FIELD_CONFIG)?.to_owned();
        let target_name = parsed.get_string(TARGET_TYPE_CONFIG)?;
        let target = Representation::from_name(target_name).ok_or_else(|| {
            ConfigError::other(format!(
                "Unknown timestamp type in TimestampConverter: {target_name}"
            ))
        })?;
        let pattern = parsed.get_string(FORMAT_CONFIG)?;
        let precision_name = parsed.get_string(UNIX_PRECISION_CONFIG)?;
        let unix_precision = UnixPrecision::from_name(precision_name).ok_or_else(|| {
            ConfigError::other(format!(
                "Unknown Unix precision in TimestampConverter: {precision_name}"
            ))
        })?;
        let replace_null_with_default = parsed.get_bool(REPLACE_NULL_WITH_DEFAULT_CONFIG)?;
        if target == Representation::String && is_blank(pattern) {
            return Err(ConfigError::other(
                "TimestampConverter requires format option to be specified when using string timestamps",
            )
            .into());
        }
        let format = if is_blank(pattern) {
            None
        } else {
            Some(JavaDateFormat::new(pattern).map_err(|_| {
                ConfigError::other(format!(
                    "TimestampConverter requires a SimpleDateFormat-compatible pattern for string \
                     timestamps: {pattern}"
                ))
            })?)
        };
        self.settings = Some(Settings {
            field,
            target,
            format,
            unix_precision,
            replace_null_with_default,
            target_schema: target.schema(false)?,
            optional_target_schema: target.schema(true)?,
        });
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Self {
            part,
            settings,
            cache,
        } = self;
        let settings = settings.as_ref().ok_or_else(|| {
            ConnectError::other("TimestampConverter transformation used before being configured")
        })?;
        let (schema, value) = part.take(&mut record);
        let (schema, value) = match schema {
            None => (None, settings.apply_schemaless(value)?),
            Some(schema) => {
                let (schema, value) = settings.apply_with_schema(cache, &schema, value)?;
                (Some(schema), value)
            }
        };
        part.set(&mut record, schema, value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

impl Settings {
    fn target_schema(&self, optional: bool) -> Schema {
        if optional {
            self.optional_target_schema.clone()
        } else {
            self.target_schema.clone()
        }
    }

    fn apply_with_schema(
        &self,
        cache: &mut SchemaCache,
        schema: &Schema,
        value: Value,
    ) -> Result<(Schema, Value)> {
        if self.field.is_empty() {
            let source = Representation::of_schema(schema)?;
            let value = self.convert(value, source)?;
            return Ok((self.target_schema(schema.is_optional()), value));
        }
        if !matches!(value, Value::Null | Value::Struct(_)) {
            require_struct(&value, PURPOSE)?;
        }
        if schema.type_() != Type::Struct {
            return Err(data_error("Cannot list fields on non-struct type"));
        }
        let updated = cache
            .get_or_derive(schema, |source| self.derive_schema(source))?
            .clone();
        let value = match value {
            Value::Struct(s) => Value::Struct(self.convert_struct(s, &updated)?),
            _ => Value::Null,
        };
        Ok((updated, value))
    }

    /// The schema of a struct whose field `field` is converted (what Kafka caches).
    fn derive_schema(&self, source: &Schema) -> Result<Schema> {
        let mut builder = copy_schema_basics(source, SchemaBuilder::struct_());
        for field in source.fields() {
            let schema = if field.name() == self.field {
                self.target_schema(field.schema().is_optional())
            } else {
                field.schema().clone()
            };
            builder = builder.field(field.name(), schema);
        }
        let base = builder.build()?;
        let default = match source.default_value() {
            Some(Value::Struct(default)) => Some(self.convert_struct(default.clone(), &base)?),
            _ => None,
        };
        if !source.is_optional() && default.is_none() {
            return Ok(base);
        }
        let mut builder = SchemaBuilder::from_schema(&base);
        if source.is_optional() {
            builder = builder.optional();
        }
        if let Some(default) = default {
            builder = builder.default_value(default);
        }
        Ok(builder.build()?)
    }

    /// Kafka's `applyValueWithSchema`.
    fn convert_struct(
        &self,
        value: connect_api::data::Struct,
        updated: &Schema,
    ) -> Result<connect_api::data::Struct> {
        rebuild_struct(
            value,
            updated,
            self.replace_null_with_default,
            |field, value| {
                if field.name() == self.field {
                    let source = Representation::of_schema(field.schema())?;
                    self.convert(value, source)
                } else {
                    Ok(value)
                }
            },
        )
    }

    fn apply_schemaless(&self, value: Value) -> Result<Value> {
        if value.is_null() || self.field.is_empty() {
            return self.convert_inferred(value);
        }
        let mut entries = match value {
            Value::Map(entries) => entries,
            other => {
                return Err(require_map(&other, PURPOSE)
                    .err()
                    .unwrap_or_else(|| data_error("expected a map")));
            }
        };
        match entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(self.field.as_str()))
        {
            Some((_, slot)) => *slot = self.convert_inferred(std::mem::take(slot))?,
            // Kafka puts the conversion of the missing value: null.
            None => entries.push((Value::String(self.field.clone()), Value::Null)),
        }
        Ok(Value::Map(entries))
    }

    fn convert_inferred(&self, value: Value) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let source = Representation::of_value(&value)?;
        self.convert(value, source)
    }

    /// Kafka's `convertTimestamp`: reads `value` as `source`, writes it as the target.
    fn convert(&self, value: Value, source: Representation) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let millis = self.to_millis(&value, source)?;
        Ok(match self.target {
            Representation::String => {
                // configure requires a format for string targets.
                let format = self.format.as_ref().ok_or_else(missing_format)?;
                Value::String(format.format(millis))
            }
            Representation::Unix => Value::Int64(self.unix_precision.of_millis(millis)),
            // Connect's Date holds an int; Kafka's `Date.fromLogical` narrows the same way.
            Representation::Date => Value::Date(millis.div_euclid(MILLIS_PER_DAY) as i32),
            Representation::Time => Value::Time(millis.rem_euclid(MILLIS_PER_DAY) as i32),
            Representation::Timestamp => Value::Timestamp(millis),
        })
    }

    /// Kafka's `TimestampTranslator.toRaw`: the instant (milliseconds since the epoch) of
    /// `value` read as `source`.
    fn to_millis(&self, value: &Value, source: Representation) -> Result<i64> {
        let expected =
            |what: &str| data_error(format!("Expected {what}, but found {}", class_text(value)));
        match (source, value) {
            (Representation::String, Value::String(text)) => self.parse(text),
            (Representation::String, _) => Err(expected("string timestamp to be a String")),
            (Representation::Unix, Value::Int64(v)) => Ok(self.unix_precision.to_millis(*v)),
            (Representation::Unix, _) => Err(expected("Unix timestamp to be a Long")),
            (_, Value::Date(days)) => Ok(i64::from(*days) * MILLIS_PER_DAY),
            (_, Value::Time(millis)) => Ok(i64::from(*millis)),
            (_, Value::Timestamp(millis)) => Ok(*millis),
            (Representation::Date, _) => Err(expected("Date to be a java.util.Date")),
            (Representation::Time, _) => Err(expected("Time to be a java.util.Date")),
            (Representation::Timestamp, _) => Err(expected("Timestamp to be a java.util.Date")),
        }
    }

    fn parse(&self, text: &str) -> Result<i64> {
        let format = self.format.as_ref().ok_or_else(missing_format)?;
        let mismatch = || {
            format!(
                "Could not parse timestamp: value ({text}) does not match pattern ({})",
                format.pattern()
            )
        };
        if !format.can_parse() {
            return Err(data_error(format!(
                "{}: the week-based pattern letters Y, w, W and F cannot be parsed",
                mismatch()
            )));
        }
        format.parse(text).ok_or_else(|| data_error(mismatch()))
    }
}

fn missing_format() -> ConnectError {
    data_error(
        "TimestampConverter requires format option to be specified when converting string timestamps",
    )
}

/// Java's `SimpleDateFormat` (as Kafka builds it: lenient, in UTC, with the JVM's usual
/// `en_US` locale data), for the patterns `TimestampConverter` and `TimestampRouter` are
/// configured with.
///
/// Every pattern letter Java knows (`GyYMLwWDdFEuaHkKhmsSzZX`) formats as Java formats it,
/// quoted text (`'T'`) and `''` are literals, and any other ASCII letter is rejected with Java's
/// `Illegal pattern character 'x'`. Parsing follows `SimpleDateFormat.parse(String)`: fields may
/// be preceded by spaces or tabs, numbers take as many digits as are there (exactly the pattern's
/// count when the next field follows without a separator, as in `yyyyMMdd`), values roll over
/// (month 13 is January of the next year), two-digit years (`yy`) land within 80 years before and
/// 20 years after the moment the format was made, and text after the pattern is ignored.
///
/// Departures from Java: the calendar is proleptic Gregorian (Java switches to the Julian
/// calendar before 15 October 1582), only ASCII digits are digits, the zone names `z` parses
/// are a short list (UTC, GMT and the common North American and central European abbreviations
/// and names), and the week-based letters `Y`, `w`, `W` and `F` can be formatted but not parsed
/// (see [`JavaDateFormat::can_parse`]).
pub(crate) mod java_date_format {
    use std::fmt::Write as _;

    const MILLIS_PER_DAY: i64 = 86_400_000;
    /// Java's fixed date (days since 0001-12-31, Monday 0001-01-01 being 1) of 1970-01-01.
    const EPOCH_FIXED_DATE: i64 = 719_163;
    /// The first day of the week in the `en_US` locale: Sunday (0 = Sunday … 6 = Saturday).
    const FIRST_DAY_OF_WEEK: i64 = 0;
    /// The minimal number of days of the year's (or month's) first week in `en_US`.
    const MINIMAL_DAYS_IN_FIRST_WEEK: i64 = 1;

    const MONTHS: [&str; 12] = [
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
    const SHORT_MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const WEEKDAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    const SHORT_WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const AM_PM: [&str; 2] = ["AM", "PM"];
    const ERAS: [&str; 2] = ["BC", "AD"];
    /// The long era names (`GGGG`), as the JDK's default (CLDR) locale data has them.
    const LONG_ERAS: [&str; 2] = ["Before Christ", "Anno Domini"];
    /// The zone names `z` and `Z` accept when parsing, with their offsets from UTC in minutes.
    const ZONE_NAMES: [(&str, i64); 26] = [
        ("UTC", 0),
        ("Coordinated Universal Time", 0),
        ("GMT", 0),
        ("Greenwich Mean Time", 0),
        ("EST", -300),
        ("Eastern Standard Time", -300),
        ("EDT", -240),
        ("Eastern Daylight Time", -240),
        ("CST", -360),
        ("Central Standard Time", -360),
        ("CDT", -300),
        ("Central Daylight Time", -300),
        ("MST", -420),
        ("Mountain Standard Time", -420),
        ("MDT", -360),
        ("Mountain Daylight Time", -360),
        ("PST", -480),
        ("Pacific Standard Time", -480),
        ("PDT", -420),
        ("Pacific Daylight Time", -420),
        ("CET", 60),
        ("Central European Time", 60),
        ("CEST", 120),
        ("Central European Summer Time", 120),
        ("WET", 0),
        ("Western European Time", 0),
    ];

    /// A pattern letter (Java's `DateFormatSymbols.patternChars`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Letter {
        /// `G`
        Era,
        /// `y`
        Year,
        /// `Y`
        WeekYear,
        /// `M`
        Month,
        /// `L`
        StandaloneMonth,
        /// `w`
        WeekOfYear,
        /// `W`
        WeekOfMonth,
        /// `D`
        DayOfYear,
        /// `d`
        DayOfMonth,
        /// `F`
        DayOfWeekInMonth,
        /// `E`
        DayName,
        /// `u`
        IsoDayOfWeek,
        /// `a`
        AmPm,
        /// `H` (0-23)
        HourOfDay0,
        /// `k` (1-24)
        HourOfDay1,
        /// `K` (0-11)
        Hour0,
        /// `h` (1-12)
        Hour1,
        /// `m`
        Minute,
        /// `s`
        Second,
        /// `S`
        Millisecond,
        /// `z`
        ZoneName,
        /// `Z`
        ZoneValue,
        /// `X`
        IsoZone,
    }

    impl Letter {
        fn of(c: char) -> Option<Letter> {
            Some(match c {
                'G' => Letter::Era,
                'y' => Letter::Year,
                'Y' => Letter::WeekYear,
                'M' => Letter::Month,
                'L' => Letter::StandaloneMonth,
                'w' => Letter::WeekOfYear,
                'W' => Letter::WeekOfMonth,
                'D' => Letter::DayOfYear,
                'd' => Letter::DayOfMonth,
                'F' => Letter::DayOfWeekInMonth,
                'E' => Letter::DayName,
                'u' => Letter::IsoDayOfWeek,
                'a' => Letter::AmPm,
                'H' => Letter::HourOfDay0,
                'k' => Letter::HourOfDay1,
                'K' => Letter::Hour0,
                'h' => Letter::Hour1,
                'm' => Letter::Minute,
                's' => Letter::Second,
                'S' => Letter::Millisecond,
                'z' => Letter::ZoneName,
                'Z' => Letter::ZoneValue,
                'X' => Letter::IsoZone,
                _ => return None,
            })
        }

        /// Whether a number field just before a field of this letter must take exactly its
        /// pattern's count of characters (Java's `shouldObeyCount`).
        fn is_abutting_number(self, count: usize) -> bool {
            match self {
                Letter::Month | Letter::StandaloneMonth => count <= 2,
                Letter::Year
                | Letter::DayOfMonth
                | Letter::HourOfDay1
                | Letter::HourOfDay0
                | Letter::Minute
                | Letter::Second
                | Letter::Millisecond
                | Letter::DayOfYear
                | Letter::DayOfWeekInMonth
                | Letter::WeekOfYear
                | Letter::WeekOfMonth
                | Letter::Hour1
                | Letter::Hour0
                | Letter::WeekYear
                | Letter::IsoDayOfWeek => true,
                _ => false,
            }
        }

        /// Whether parsing supports this letter (the week-based ones need Java's full field
        /// resolution, which is not reproduced).
        fn parses(self) -> bool {
            !matches!(
                self,
                Letter::WeekYear
                    | Letter::WeekOfYear
                    | Letter::WeekOfMonth
                    | Letter::DayOfWeekInMonth
            )
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Item {
        /// Text that is written as it is and must be there when parsing.
        Literal(Vec<char>),
        /// A pattern letter repeated `count` times.
        Field(Letter, usize),
    }

    /// Why a pattern is not a `SimpleDateFormat` pattern: Java's `IllegalArgumentException`
    /// message.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) struct PatternError(String);

    impl std::fmt::Display for PatternError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    /// A compiled `SimpleDateFormat` pattern, formatting and parsing in UTC.
    #[derive(Debug, Clone)]
    pub(crate) struct JavaDateFormat {
        pattern: String,
        items: Vec<Item>,
        /// Two-digit years are read within the century starting at this instant.
        century_start_millis: i64,
        century_start_year: i64,
    }

    impl JavaDateFormat {
        /// Compiles `pattern` as `new SimpleDateFormat(pattern)` does; two-digit years will be
        /// read relative to now, as Java does.
        pub(crate) fn new(pattern: &str) -> Result<Self, PatternError> {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            Self::with_now(pattern, now)
        }

        /// Compiles `pattern` for a format made at `now_millis` (which decides how two-digit
        /// years are read: within 80 years before and 20 years after that instant).
        pub(crate) fn with_now(pattern: &str, now_millis: i64) -> Result<Self, PatternError> {
            let items = compile(pattern)?;
            let (century_start_millis, century_start_year) = eighty_years_before(now_millis);
            Ok(Self {
                pattern: pattern.to_owned(),
                items,
                century_start_millis,
                century_start_year,
            })
        }

        /// The pattern as given (Java's `toPattern()`).
        pub(crate) fn pattern(&self) -> &str {
            &self.pattern
        }

        /// Whether [`parse`](Self::parse) supports every letter of the pattern: all but the
        /// week-based `Y`, `w`, `W` and `F`.
        pub(crate) fn can_parse(&self) -> bool {
            self.items.iter().all(|item| match item {
                Item::Field(letter, _) => letter.parses(),
                Item::Literal(_) => true,
            })
        }

        /// Formats an instant (milliseconds since the epoch) in UTC.
        pub(crate) fn format(&self, millis: i64) -> String {
            let at = Instant::of(millis);
            let mut out = String::with_capacity(self.pattern.len() + 8);
            for item in &self.items {
                match item {
                    Item::Literal(text) => out.extend(text.iter()),
                    Item::Field(letter, count) => format_field(&mut out, *letter, *count, &at),
                }
            }
            out
        }

        /// Parses text as `SimpleDateFormat.parse(String)` does, into milliseconds since the
        /// epoch; `None` when Java would throw a `ParseException` (or when the pattern has a
        /// letter [`can_parse`](Self::can_parse) rules out).
        pub(crate) fn parse(&self, text: &str) -> Option<i64> {
            let chars: Vec<char> = text.chars().collect();
            let mut fields = Fields::default();
            let mut pos = 0;
            for (i, item) in self.items.iter().enumerate() {
                match item {
                    Item::Literal(literal) => {
                        for expected in literal {
                            if chars.get(pos) != Some(expected) {
                                return None;
                            }
                            pos += 1;
                        }
                    }
                    Item::Field(letter, count) => {
                        if !letter.parses() {
                            return None;
                        }
                        let obey_count = matches!(
                            self.items.get(i + 1),
                            Some(Item::Field(next, next_count)) if next.is_abutting_number(*next_count)
                        );
                        pos = self.parse_field(
                            &chars,
                            pos,
                            *letter,
                            *count,
                            obey_count,
                            &mut fields,
                        )?;
                    }
                }
            }
            if pos == 0 {
                return None;
            }
            let millis = fields.resolve()?;
            if fields.ambiguous_year && millis < self.century_start_millis {
                fields.add_years(100);
                return fields.resolve();
            }
            Some(millis)
        }

        /// Java's `subParse`: reads one field starting at `start`, returning where it ended.
        fn parse_field(
            &self,
            text: &[char],
            start: usize,
            letter: Letter,
            count: usize,
            obey_count: bool,
            fields: &mut Fields,
        ) -> Option<usize> {
            let mut pos = start;
            // Spaces and tabs before a field are skipped; the end of the text is a failure.
            loop {
                match text.get(pos) {
                    None => return None,
                    Some(' ' | '\t') => pos += 1,
                    Some(_) => break,
                }
            }
            let actual_start = pos;
            // With an abutting number field next, a number takes exactly `count` characters
            // from where the field started (spaces included), as Java reads it.
            let number = || {
                let limit = if obey_count {
                    start + count
                } else {
                    text.len()
                };
                if limit > text.len() {
                    return None;
                }
                parse_number(text, pos, limit)
            };
            match letter {
                Letter::Era => {
                    // Both forms are accepted, whatever the count.
                    let (index, end) =
                        match_names(text, start, &[ERAS[0], ERAS[1], LONG_ERAS[0], LONG_ERAS[1]])?;
                    let index = index % 2;
                    fields.set(Field::Era, index as i64);
                    Some(end)
                }
                Letter::Year => {
                    let (mut value, end) = number()?;
                    if count <= 2
                        && end - actual_start == 2
                        && text[actual_start].is_ascii_digit()
                        && text[actual_start + 1].is_ascii_digit()
                    {
                        let ambiguous_two_digit_year = self.century_start_year.rem_euclid(100);
                        fields.ambiguous_year = value == ambiguous_two_digit_year;
                        value += self.century_start_year.div_euclid(100) * 100
                            + if value < ambiguous_two_digit_year {
                                100
                            } else {
                                0
                            };
                    }
                    fields.set(Field::Year, value);
                    Some(end)
                }
                Letter::Month | Letter::StandaloneMonth => {
                    if count <= 2 {
                        let (value, end) = number()?;
                        fields.set(Field::Month, value - 1);
                        return Some(end);
                    }
                    let (index, end) = match_names(text, start, &MONTHS)
                        .or_else(|| match_names(text, start, &SHORT_MONTHS))?;
                    fields.set(Field::Month, index as i64);
                    Some(end)
                }
                Letter::HourOfDay1 => {
                    let (value, end) = number()?;
                    fields.set(Field::HourOfDay, if value == 24 { 0 } else { value });
                    Some(end)
                }
                Letter::Hour1 => {
                    let (value, end) = number()?;
                    fields.set(Field::Hour, if value == 12 { 0 } else { value });
                    Some(end)
                }
                Letter::DayName => {
                    let (index, end) = match_names(text, start, &WEEKDAYS)
                        .or_else(|| match_names(text, start, &SHORT_WEEKDAYS))?;
                    // Java's DAY_OF_WEEK: Sunday is 1.
                    fields.set(Field::DayOfWeek, index as i64 + 1);
                    Some(end)
                }
                Letter::AmPm => {
                    let (index, end) = match_names(text, start, &AM_PM)?;
                    fields.set(Field::AmPm, index as i64);
                    Some(end)
                }
                Letter::ZoneName | Letter::ZoneValue => {
                    let (offset, end) = parse_zone(text, start, pos)?;
                    fields.set(Field::ZoneOffset, offset);
                    Some(end)
                }
                Letter::IsoZone => {
                    let (offset, end) = match text.get(pos)? {
                        'Z' => (0, pos + 1),
                        '+' => parse_numeric_zone(text, pos + 1, 1, count, count == 3)?,
                        '-' => parse_numeric_zone(text, pos + 1, -1, count, count == 3)?,
                        _ => return None,
                    };
                    fields.set(Field::ZoneOffset, offset);
                    Some(end)
                }
                Letter::IsoDayOfWeek => {
                    let (value, end) = number()?;
                    // ISO Monday (1) … Sunday (7) to Java's Sunday (1) … Saturday (7).
                    let day = if (1..=7).contains(&value) {
                        if value == 7 { 1 } else { value + 1 }
                    } else {
                        value
                    };
                    fields.set(Field::DayOfWeek, day);
                    Some(end)
                }
                Letter::DayOfMonth
                | Letter::DayOfYear
                | Letter::HourOfDay0
                | Letter::Hour0
                | Letter::Minute
                | Letter::Second
                | Letter::Millisecond => {
                    let (value, end) = number()?;
                    let field = match letter {
                        Letter::DayOfMonth => Field::DayOfMonth,
                        Letter::DayOfYear => Field::DayOfYear,
                        Letter::HourOfDay0 => Field::HourOfDay,
                        Letter::Hour0 => Field::Hour,
                        Letter::Minute => Field::Minute,
                        Letter::Second => Field::Second,
                        _ => Field::Millisecond,
                    };
                    fields.set(field, value);
                    Some(end)
                }
                Letter::WeekYear
                | Letter::WeekOfYear
                | Letter::WeekOfMonth
                | Letter::DayOfWeekInMonth => None,
            }
        }
    }

    /// Compiles a pattern as Java's `SimpleDateFormat.compile` does.
    fn compile(pattern: &str) -> Result<Vec<Item>, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut items: Vec<Item> = Vec::new();
        fn literal(items: &mut Vec<Item>, c: char) {
            match items.last_mut() {
                Some(Item::Literal(text)) => text.push(c),
                _ => items.push(Item::Literal(vec![c])),
            }
        }
        let mut in_quote = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                // `''` is a quote, inside or outside quoted text.
                if chars.get(i + 1) == Some(&'\'') {
                    literal(&mut items, '\'');
                    i += 2;
                    continue;
                }
                in_quote = !in_quote;
                i += 1;
                continue;
            }
            if in_quote || !c.is_ascii_alphabetic() {
                literal(&mut items, c);
                i += 1;
                continue;
            }
            let letter = Letter::of(c)
                .ok_or_else(|| PatternError(format!("Illegal pattern character '{c}'")))?;
            let count = chars[i..].iter().take_while(|&&next| next == c).count();
            if letter == Letter::IsoZone && count >= 4 {
                return Err(PatternError(format!(
                    "invalid ISO 8601 format: length={count}"
                )));
            }
            items.push(Item::Field(letter, count));
            i += count;
        }
        if in_quote {
            return Err(PatternError("Unterminated quote".to_owned()));
        }
        Ok(items)
    }

    /// The instant 80 years before `now_millis` (the same day and time of day, the day pinned
    /// to the end of the month) and its year: Java's `defaultCenturyStart`.
    fn eighty_years_before(now_millis: i64) -> (i64, i64) {
        let days = now_millis.div_euclid(MILLIS_PER_DAY);
        let time_of_day = now_millis.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let year = year - 80;
        let day = day.min(days_in_month(year, month));
        let start = days_from_civil(year, month, day)
            .saturating_mul(MILLIS_PER_DAY)
            .saturating_add(time_of_day);
        (start, year)
    }

    /// Reads a Java integer (`DecimalFormat` with integers only, no grouping): an optional
    /// minus sign and ASCII digits, not beyond `limit`. The value is Java's `intValue()` of the
    /// parsed number: the low 32 bits of a `long`, saturated beyond.
    fn parse_number(text: &[char], start: usize, limit: usize) -> Option<(i64, usize)> {
        let mut pos = start;
        let negative = pos < limit && text.get(pos) == Some(&'-');
        if negative {
            pos += 1;
        }
        let digits_start = pos;
        let mut magnitude: i128 = 0;
        while pos < limit {
            let Some(digit) = text.get(pos).and_then(|c| c.to_digit(10)) else {
                break;
            };
            magnitude = (magnitude * 10 + i128::from(digit)).min(i128::from(u64::MAX) * 10);
            pos += 1;
        }
        if pos == digits_start {
            return None;
        }
        let signed = if negative { -magnitude } else { magnitude };
        let value = match i64::try_from(signed) {
            Ok(long) => i64::from(long as i32),
            Err(_) if negative => i64::from(i32::MIN),
            Err(_) => i64::from(i32::MAX),
        };
        Some((value, pos))
    }

    /// The longest of `names` found at `start`, ignoring case (Java's `matchString`).
    fn match_names(text: &[char], start: usize, names: &[&str]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (index, name) in names.iter().enumerate() {
            let len = name.chars().count();
            if best.is_some_and(|(_, best_len)| best_len >= len) {
                continue;
            }
            if region_matches(text, start, name) {
                best = Some((index, len));
            }
        }
        best.map(|(index, len)| (index, start + len))
    }

    /// Whether `name` is at `start` of `text`, ignoring case.
    fn region_matches(text: &[char], start: usize, name: &str) -> bool {
        let mut pos = start;
        for expected in name.chars() {
            match text.get(pos) {
                Some(c) if c.to_lowercase().eq(expected.to_lowercase()) => pos += 1,
                _ => return false,
            }
        }
        true
    }

    /// A `z` or `Z` zone: `+hhmm`/`-hhmm`, `GMT`, `GMT+hh:mm`, or a known zone name. Returns the
    /// offset in milliseconds and where the zone ended.
    fn parse_zone(text: &[char], start: usize, pos: usize) -> Option<(i64, usize)> {
        match text.get(pos)? {
            '+' => parse_numeric_zone(text, pos + 1, 1, 0, false),
            '-' => parse_numeric_zone(text, pos + 1, -1, 0, false),
            'G' | 'g' if region_matches(text, start, "GMT") => {
                let after = start + 3;
                match text.get(after) {
                    Some('+') => parse_numeric_zone(text, after + 1, 1, 0, true),
                    Some('-') => parse_numeric_zone(text, after + 1, -1, 0, true),
                    _ => Some((0, after)),
                }
            }
            _ => {
                let (name, minutes) = ZONE_NAMES
                    .iter()
                    .filter(|(name, _)| region_matches(text, pos, name))
                    .max_by_key(|(name, _)| name.len())?;
                Some((minutes * 60_000, pos + name.chars().count()))
            }
        }
    }

    /// Java's `subParseNumericZone`: `hh`, `hhmm` or `hh:mm` after the sign (one-digit hours
    /// only with a colon and no count). Returns the offset in milliseconds and the end.
    fn parse_numeric_zone(
        text: &[char],
        start: usize,
        sign: i64,
        count: usize,
        colon: bool,
    ) -> Option<(i64, usize)> {
        let digit = |pos: usize| text.get(pos).and_then(|c| c.to_digit(10));
        let mut pos = start;
        let mut hours = i64::from(digit(pos)?);
        pos += 1;
        match digit(pos) {
            Some(d) => {
                hours = hours * 10 + i64::from(d);
                pos += 1;
            }
            None => {
                if count > 0 || !colon {
                    return None;
                }
                // A missing character after one digit is a failure too, as in Java.
                text.get(pos)?;
            }
        }
        if hours > 23 {
            return None;
        }
        let mut minutes = 0;
        if count != 1 {
            if colon {
                if text.get(pos)? != &':' {
                    return None;
                }
                pos += 1;
            }
            let tens = i64::from(digit(pos)?);
            let units = i64::from(digit(pos + 1)?);
            minutes = tens * 10 + units;
            pos += 2;
            if minutes > 59 {
                return None;
            }
        }
        Some((sign * (hours * 60 + minutes) * 60_000, pos))
    }

    /// The calendar fields a parse sets, each with the order it was set in (Java's
    /// `CalendarBuilder` stamps; 0 = not set).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Field {
        Era,
        Year,
        Month,
        DayOfMonth,
        DayOfYear,
        DayOfWeek,
        AmPm,
        Hour,
        HourOfDay,
        Minute,
        Second,
        Millisecond,
        ZoneOffset,
    }

    const FIELD_COUNT: usize = 13;

    #[derive(Debug, Default)]
    struct Fields {
        stamps: [u32; FIELD_COUNT],
        values: [i64; FIELD_COUNT],
        next_stamp: u32,
        ambiguous_year: bool,
    }

    impl Fields {
        fn set(&mut self, field: Field, value: i64) {
            // Stamps start at 2 in Java (0 is unset, 1 is computed); only their order matters.
            self.next_stamp = self.next_stamp.max(1) + 1;
            self.stamps[field as usize] = self.next_stamp;
            self.values[field as usize] = value;
        }

        fn stamp(&self, field: Field) -> u32 {
            self.stamps[field as usize]
        }

        fn is_set(&self, field: Field) -> bool {
            self.stamp(field) != 0
        }

        fn value(&self, field: Field) -> i64 {
            self.values[field as usize]
        }

        fn add_years(&mut self, years: i64) {
            self.values[Field::Year as usize] += years;
        }

        /// The instant the fields describe, resolved like a lenient `GregorianCalendar` in UTC
        /// (Java's `selectFields` and `computeTime`, for the fields parsing sets).
        fn resolve(&self) -> Option<i64> {
            let mut year = if self.is_set(Field::Year) {
                self.value(Field::Year)
            } else {
                1970
            };
            if self.is_set(Field::Era) && self.value(Field::Era) == 0 {
                year = 1 - year;
            }
            // The date: a day of the month, a day of the year, or a day of the week in the
            // month, whichever was set last.
            let dom = self.stamp(Field::DayOfMonth);
            let doy = self.stamp(Field::DayOfYear);
            let dow = self.stamp(Field::DayOfWeek);
            let best = dom.max(doy);
            let day = if best == 0 || best == dom {
                let (first, _) = self.first_of_month(year)?;
                if self.is_set(Field::DayOfMonth) {
                    first.checked_add(self.value(Field::DayOfMonth) - 1)?
                } else if best == 0 && dow != 0 {
                    // The first such day of the week in the month.
                    day_of_week_on_or_before(first + 6, self.value(Field::DayOfWeek))
                } else {
                    first
                }
            } else {
                days_from_civil(year, 1, 1).checked_add(self.value(Field::DayOfYear) - 1)?
            };
            // The time of day: the hour of the day or the hour with AM/PM, whichever came last.
            let hour_of_day = self.stamp(Field::HourOfDay);
            let hour_with_am_pm = if self.is_set(Field::Hour) && self.is_set(Field::AmPm) {
                self.stamp(Field::Hour).max(self.stamp(Field::AmPm))
            } else {
                0
            };
            let mut best_hour = hour_of_day.max(hour_with_am_pm);
            if best_hour == 0 {
                best_hour = self.stamp(Field::Hour).max(self.stamp(Field::AmPm));
            }
            let hours = if best_hour == 0 {
                0
            } else if best_hour == hour_of_day {
                self.value(Field::HourOfDay)
            } else {
                self.value(Field::Hour)
                    + if self.is_set(Field::AmPm) {
                        12 * self.value(Field::AmPm)
                    } else {
                        0
                    }
            };
            let time_of_day =
                ((hours * 60 + self.value(Field::Minute)) * 60 + self.value(Field::Second)) * 1000
                    + self.value(Field::Millisecond);
            let offset = if self.is_set(Field::ZoneOffset) {
                self.value(Field::ZoneOffset)
            } else {
                0
            };
            day.checked_mul(MILLIS_PER_DAY)?
                .checked_add(time_of_day)?
                .checked_sub(offset)
        }

        /// The first day of the (lenient) month of `year`, and the year it falls in.
        fn first_of_month(&self, year: i64) -> Option<(i64, i64)> {
            let month0 = self.value(Field::Month);
            let year = year.checked_add(month0.div_euclid(12))?;
            let month = month0.rem_euclid(12) + 1;
            Some((days_from_civil(year, month, 1), year))
        }
    }

    /// The day (since the epoch) of Java day of week `day_of_week` (Sunday = 1, lenient) on or
    /// before `day` (Java's `getDayOfWeekDateOnOrBefore`).
    fn day_of_week_on_or_before(day: i64, day_of_week: i64) -> i64 {
        let fixed = day + EPOCH_FIXED_DATE;
        let fd = fixed - (day_of_week - 1);
        fixed - fd.rem_euclid(7) - EPOCH_FIXED_DATE
    }

    /// The day of the week of a day since the epoch, 0 = Sunday.
    fn weekday(day: i64) -> i64 {
        (day + 4).rem_euclid(7)
    }

    /// The day of week `first_day` (0 = Sunday) on or before `day`.
    fn weekday_on_or_before(day: i64, first_day: i64) -> i64 {
        day - (weekday(day) - first_day).rem_euclid(7)
    }

    /// Java's `getWeekNumber`: the week of `day` in the period (year or month) starting on
    /// `period_start`, with the locale's first day of week and minimal days.
    fn week_number(period_start: i64, day: i64) -> i64 {
        let mut first_week_start = weekday_on_or_before(period_start + 6, FIRST_DAY_OF_WEEK);
        if first_week_start - period_start >= MINIMAL_DAYS_IN_FIRST_WEEK {
            first_week_start -= 7;
        }
        (day - first_week_start).div_euclid(7) + 1
    }

    /// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (year 0 = 1 BC).
    pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The year, month (1-12) and day (1-31) of a day since 1970-01-01.
    pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
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
        (year_of_era + era * 400 + i64::from(month <= 2), month, day)
    }

    fn is_leap_year(year: i64) -> bool {
        year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
    }

    fn days_in_month(year: i64, month: i64) -> i64 {
        match month {
            2 if is_leap_year(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The calendar fields of an instant in UTC.
    struct Instant {
        day: i64,
        year: i64,
        month: i64,
        day_of_month: i64,
        hour: i64,
        minute: i64,
        second: i64,
        millisecond: i64,
    }

    impl Instant {
        fn of(millis: i64) -> Self {
            let day = millis.div_euclid(MILLIS_PER_DAY);
            let time = millis.rem_euclid(MILLIS_PER_DAY);
            let (year, month, day_of_month) = civil_from_days(day);
            Self {
                day,
                year,
                month,
                day_of_month,
                hour: time / 3_600_000,
                minute: time / 60_000 % 60,
                second: time / 1000 % 60,
                millisecond: time % 1000,
            }
        }

        fn day_of_year(&self) -> i64 {
            self.day - days_from_civil(self.year, 1, 1) + 1
        }

        /// Java's `WEEK_OF_YEAR`, with the last days of December in week 1 of the next year
        /// and the first days of January in the last week of the previous one, as the locale's
        /// week rules say.
        fn week_of_year(&self) -> i64 {
            let jan1 = days_from_civil(self.year, 1, 1);
            let week = week_number(jan1, self.day);
            if week == 0 {
                return week_number(days_from_civil(self.year - 1, 1, 1), jan1 - 1);
            }
            if week >= 52 {
                let next_jan1 = days_from_civil(self.year + 1, 1, 1);
                let next_first_week = weekday_on_or_before(next_jan1 + 6, FIRST_DAY_OF_WEEK);
                if next_first_week - next_jan1 >= MINIMAL_DAYS_IN_FIRST_WEEK
                    && self.day >= next_first_week - 7
                {
                    return 1;
                }
            }
            week
        }

        /// Java's `getWeekYear()`: the year the week of the year belongs to.
        fn week_year(&self) -> i64 {
            let week = self.week_of_year();
            if self.month == 1 && week >= 52 {
                self.year - 1
            } else if self.month != 1 && week == 1 {
                self.year + 1
            } else {
                self.year
            }
        }
    }

    /// Writes `value` with at least `min_digits` digits, like Java's `zeroPaddingNumber`.
    fn pad(out: &mut String, value: i64, min_digits: usize) {
        if value < 0 {
            out.push('-');
        }
        let _ = write!(out, "{:0min_digits$}", value.unsigned_abs());
    }

    /// A year as `y`/`Y` write it: the last two digits for a count of 2, else padded to the
    /// count.
    fn pad_year(out: &mut String, value: i64, count: usize) {
        if count == 2 {
            pad(out, value % 100, 2);
        } else {
            pad(out, value, count);
        }
    }

    fn format_field(out: &mut String, letter: Letter, count: usize, at: &Instant) {
        match letter {
            Letter::Era => {
                let eras = if count >= 4 { LONG_ERAS } else { ERAS };
                out.push_str(eras[usize::from(at.year > 0)]);
            }
            // Years before 1 AD count backwards from 1 BC.
            Letter::Year => pad_year(out, if at.year > 0 { at.year } else { 1 - at.year }, count),
            Letter::WeekYear => pad_year(out, at.week_year(), count),
            Letter::Month | Letter::StandaloneMonth => {
                let index = (at.month - 1).clamp(0, 11) as usize;
                match count {
                    4.. => out.push_str(MONTHS[index]),
                    3 => out.push_str(SHORT_MONTHS[index]),
                    _ => pad(out, at.month, count),
                }
            }
            Letter::WeekOfYear => pad(out, at.week_of_year(), count),
            Letter::WeekOfMonth => pad(
                out,
                week_number(at.day - at.day_of_month + 1, at.day),
                count,
            ),
            Letter::DayOfYear => pad(out, at.day_of_year(), count),
            Letter::DayOfMonth => pad(out, at.day_of_month, count),
            Letter::DayOfWeekInMonth => pad(out, (at.day_of_month - 1) / 7 + 1, count),
            Letter::DayName => {
                let index = weekday(at.day) as usize;
                out.push_str(if count >= 4 {
                    WEEKDAYS[index]
                } else {
                    SHORT_WEEKDAYS[index]
                });
            }
            Letter::IsoDayOfWeek => {
                let day = weekday(at.day);
                pad(out, if day == 0 { 7 } else { day }, count);
            }
            Letter::AmPm => out.push_str(AM_PM[usize::from(at.hour >= 12)]),
            Letter::HourOfDay0 => pad(out, at.hour, count),
            Letter::HourOfDay1 => pad(out, if at.hour == 0 { 24 } else { at.hour }, count),
            Letter::Hour0 => pad(out, at.hour % 12, count),
            Letter::Hour1 => pad(
                out,
                if at.hour % 12 == 0 { 12 } else { at.hour % 12 },
                count,
            ),
            Letter::Minute => pad(out, at.minute, count),
            Letter::Second => pad(out, at.second, count),
            Letter::Millisecond => pad(out, at.millisecond, count),
            Letter::ZoneName => out.push_str(if count >= 4 {
                "Coordinated Universal Time"
            } else {
                "UTC"
            }),
            Letter::ZoneValue => out.push_str("+0000"),
            Letter::IsoZone => out.push('Z'),
        }
    }

    #[cfg(test)]
    mod tests {
        #![allow(clippy::unwrap_used)]

        use super::*;

        /// 2023-11-14T22:13:20.123Z, a Tuesday.
        const INSTANT: i64 = 1_700_000_000_123;

        fn millis(
            year: i64,
            month: i64,
            day: i64,
            hour: i64,
            minute: i64,
            second: i64,
            milli: i64,
        ) -> i64 {
            days_from_civil(year, month, day) * MILLIS_PER_DAY
                + ((hour * 60 + minute) * 60 + second) * 1000
                + milli
        }

        fn format(pattern: &str, at: i64) -> String {
            JavaDateFormat::new(pattern).unwrap().format(at)
        }

        /// A format made on 2024-06-01, so that two-digit years cover 1944-06-01 to 2044-05-31.
        fn parser(pattern: &str) -> JavaDateFormat {
            JavaDateFormat::with_now(pattern, millis(2024, 6, 1, 12, 0, 0, 0)).unwrap()
        }

        fn parse(pattern: &str, text: &str) -> Option<i64> {
            parser(pattern).parse(text)
        }

        #[test]
        fn civil_dates_round_trip() {
            assert_eq!(days_from_civil(1970, 1, 1), 0);
            assert_eq!(days_from_civil(2000, 3, 1), 11_017);
            assert_eq!(civil_from_days(-1), (1969, 12, 31));
            for day in [-800_000, -1, 0, 59, 11_016, 19_782, 2_932_896] {
                let (y, m, d) = civil_from_days(day);
                assert_eq!(days_from_civil(y, m, d), day);
            }
            assert_eq!(INSTANT, millis(2023, 11, 14, 22, 13, 20, 123));
        }

        #[test]
        fn patterns_compile_like_java() {
            let error = |pattern: &str| JavaDateFormat::new(pattern).unwrap_err().to_string();
            assert_eq!(error("yyyy-qq"), "Illegal pattern character 'q'");
            assert_eq!(error("bad-format"), "Illegal pattern character 'b'");
            assert_eq!(error("yyyy'T"), "Unterminated quote");
            assert_eq!(error("XXXX"), "invalid ISO 8601 format: length=4");
            let format = JavaDateFormat::new("yyyy-MM-dd'T'HH").unwrap();
            assert_eq!(format.pattern(), "yyyy-MM-dd'T'HH");
            assert!(format.can_parse());
            assert!(!JavaDateFormat::new("YYYY").unwrap().can_parse());
            assert!(!JavaDateFormat::new("yyyy 'w' W").unwrap().can_parse());
            assert!(JavaDateFormat::new("yyyy 'wWYF'").unwrap().can_parse());
        }

        #[test]
        fn formats_every_letter() {
            let cases = [
                ("yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2023-11-14T22:13:20.123+0000"),
                (
                    "EEE, d MMM yyyy HH:mm:ss z",
                    "Tue, 14 Nov 2023 22:13:20 UTC",
                ),
                ("EEEE MMMM dd yy hh:mm a", "Tuesday November 14 23 10:13 PM"),
                ("G y yyy yyyyy", "AD 2023 2023 02023"),
                ("GGGG", "Anno Domini"),
                ("M MM MMM MMMM L LLL", "11 11 Nov November 11 Nov"),
                ("D DDDD F u W w", "318 0318 2 2 3 46"),
                ("k K h H", "22 10 10 22"),
                ("S SS SSSS", "123 123 0123"),
                ("X XX XXX zzzz Z", "Z Z Z Coordinated Universal Time +0000"),
                ("'o''clock' '' h", "o'clock ' 10"),
                ("yyyy年MM月dd日", "2023年11月14日"),
                ("yyyyMMdd", "20231114"),
            ];
            for (pattern, expected) in cases {
                assert_eq!(format(pattern, INSTANT), expected, "{pattern}");
            }
        }

        #[test]
        fn formats_edges() {
            let midnight = millis(2024, 3, 1, 0, 5, 0, 7);
            assert_eq!(format("k K h a", midnight), "24 0 12 AM");
            let noon = millis(2024, 3, 1, 12, 0, 0, 0);
            assert_eq!(format("k K h a", noon), "12 0 12 PM");
            assert_eq!(format("D F u E", midnight), "61 1 5 Fri");
            assert_eq!(
                format("yyyy-MM-dd HH:mm:ss.SSS", -1),
                "1969-12-31 23:59:59.999"
            );
            assert_eq!(format("G yyyy", millis(0, 6, 1, 0, 0, 0, 0)), "BC 0001");
            assert_eq!(format("GGGG", millis(0, 6, 1, 0, 0, 0, 0)), "Before Christ");
            // US weeks: Sunday first, one day is enough for the first week.
            let dec_29_2024 = millis(2024, 12, 29, 0, 0, 0, 0);
            assert_eq!(format("YYYY w W", dec_29_2024), "2025 1 5");
            assert_eq!(
                format("YYYY-ww", millis(2021, 12, 31, 0, 0, 0, 0)),
                "2022-01"
            );
            assert_eq!(format("YYYY-ww", millis(2021, 1, 1, 0, 0, 0, 0)), "2021-01");
            assert_eq!(format("YYYY-ww", millis(2022, 1, 2, 0, 0, 0, 0)), "2022-02");
            assert_eq!(format("YY", millis(2009, 6, 1, 0, 0, 0, 0)), "09");
        }

        #[test]
        fn parses_numbers_leniently() {
            let pattern = "yyyy MM dd HH mm ss SSS z";
            assert_eq!(
                parse(pattern, "1970 01 02 00 00 01 234 UTC"),
                Some(86_401_234)
            );
            assert_eq!(
                parse("yyyyMMdd", "20240131"),
                Some(millis(2024, 1, 31, 0, 0, 0, 0))
            );
            // The last field is not abutted by another, so it takes what digits there are.
            assert_eq!(
                parse("yyyyMMdd", "2024013"),
                Some(millis(2024, 1, 3, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyyMMddHHmm", "202401311530"),
                Some(millis(2024, 1, 31, 15, 30, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024-1-5"),
                Some(millis(2024, 1, 5, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024-13-01"),
                Some(millis(2025, 1, 1, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024-02-30"),
                Some(millis(2024, 3, 1, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024-00-01"),
                Some(millis(2023, 12, 1, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024--1-01"),
                Some(millis(2023, 11, 1, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("HH:mm:ss", "25:61:61"),
                Some(millis(1970, 1, 2, 2, 2, 1, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", " 2024-01-05"),
                Some(millis(2024, 1, 5, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024-01- \t5"),
                Some(millis(2024, 1, 5, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM-dd", "2024-01-05 and more"),
                Some(millis(2024, 1, 5, 0, 0, 0, 0))
            );
            assert_eq!(parse("ss.S", "01.5"), Some(1005));
            assert_eq!(
                parse("yyyy-DDD", "2024-060"),
                Some(millis(2024, 2, 29, 0, 0, 0, 0))
            );
            assert_eq!(parse("MM", "06"), Some(millis(1970, 6, 1, 0, 0, 0, 0)));
            assert_eq!(
                parse("dd MM yyyy", "05 01 2024"),
                Some(millis(2024, 1, 5, 0, 0, 0, 0))
            );
            // The day of the year set after the day of the month wins.
            assert_eq!(
                parse("MM-dd DDD", "05-05 2"),
                Some(millis(1970, 1, 2, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("DDD MM-dd", "2 05-05"),
                Some(millis(1970, 5, 5, 0, 0, 0, 0))
            );
        }

        #[test]
        fn rejects_what_java_rejects() {
            for (pattern, text) in [
                ("yyyy-MM-dd", "2024/01/05"),
                ("yyyy-MM-dd", ""),
                ("yyyy-MM-dd", "   "),
                ("yyyy-MM-dd", "2024-01-"),
                ("yyyyMMdd", "202401"),
                ("yyyyMMdd", "2024x1x3"),
                ("yyyy", "+2024"),
                ("dd MMM yyyy", "05 Foo 2024"),
                ("dd MM", "05 Jan"),
                ("HH:mm a", "10:00 XM"),
                ("HH:mmX", "10:00 z"),
                ("HH:mmXX", "10:00+05"),
                ("HH:mmXXX", "10:00+0530"),
                ("HH:mm Z", "10:00 +05:30"),
                ("HH:mm Z", "10:00 +2400"),
                ("HH:mm z", "10:00 Mars"),
                ("G yyyy", "XY 2024"),
                ("YYYY-ww", "2024-01"),
            ] {
                assert_eq!(parse(pattern, text), None, "{pattern} {text}");
            }
        }

        #[test]
        fn parses_text_fields() {
            let jan_5 = millis(2024, 1, 5, 0, 0, 0, 0);
            assert_eq!(parse("dd MMM yyyy", "05 jan 2024"), Some(jan_5));
            assert_eq!(parse("dd MMM yyyy", "05 January 2024"), Some(jan_5));
            assert_eq!(parse("dd MMMM yyyy", "05 JAN 2024"), Some(jan_5));
            assert_eq!(
                parse(
                    "EEE, dd MMM yyyy HH:mm:ss Z",
                    "Mon, 05 Jan 2024 10:00:00 +0200"
                ),
                Some(millis(2024, 1, 5, 8, 0, 0, 0))
            );
            // Without a day of the month, the first such day of the week in the month.
            assert_eq!(
                parse("yyyy-MM EEE", "2024-01 Wed"),
                Some(millis(2024, 1, 3, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM u", "2024-01 7"),
                Some(millis(2024, 1, 7, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy-MM EEEE", "2024-02 thursday"),
                Some(millis(2024, 2, 1, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("hh:mm a", "12:30 AM"),
                Some(millis(1970, 1, 1, 0, 30, 0, 0))
            );
            assert_eq!(
                parse("hh:mm a", "12:30 pm"),
                Some(millis(1970, 1, 1, 12, 30, 0, 0))
            );
            assert_eq!(
                parse("hh:mm a", "01:00 PM"),
                Some(millis(1970, 1, 1, 13, 0, 0, 0))
            );
            assert_eq!(
                parse("hh:mm", "12:30"),
                Some(millis(1970, 1, 1, 0, 30, 0, 0))
            );
            assert_eq!(
                parse("KK:mm a", "11:00 PM"),
                Some(millis(1970, 1, 1, 23, 0, 0, 0))
            );
            assert_eq!(parse("kk:mm", "24:00"), Some(0));
            // The hour of the day set after the hour with AM/PM wins.
            assert_eq!(
                parse("hh a HH", "01 PM 05"),
                Some(millis(1970, 1, 1, 5, 0, 0, 0))
            );
            assert_eq!(
                parse("HH hh a", "05 01 PM"),
                Some(millis(1970, 1, 1, 13, 0, 0, 0))
            );
            assert_eq!(
                parse("G yyyy", "BC 0001"),
                Some(millis(0, 1, 1, 0, 0, 0, 0))
            );
            assert_eq!(
                parse("yyyy G", "2024 ad"),
                Some(millis(2024, 1, 1, 0, 0, 0, 0))
            );
        }

        #[test]
        fn parses_zones() {
            let at = |hour, minute| Some(millis(2024, 1, 5, hour, minute, 0, 0));
            let iso = "yyyy-MM-dd'T'HH:mmXXX";
            assert_eq!(parse(iso, "2024-01-05T10:00Z"), at(10, 0));
            assert_eq!(parse(iso, "2024-01-05T10:00+05:30"), at(4, 30));
            assert_eq!(parse(iso, "2024-01-05T10:00-01:00"), at(11, 0));
            assert_eq!(
                parse("yyyy-MM-dd'T'HH:mmXX", "2024-01-05T10:00+0530"),
                at(4, 30)
            );
            assert_eq!(
                parse("yyyy-MM-dd'T'HH:mmX", "2024-01-05T10:00+05"),
                at(5, 0)
            );
            let rfc = "yyyy-MM-dd HH:mm Z";
            assert_eq!(parse(rfc, "2024-01-05 10:00 -0800"), at(18, 0));
            assert_eq!(parse(rfc, "2024-01-05 10:00 GMT"), at(10, 0));
            assert_eq!(parse(rfc, "2024-01-05 10:00 GMT+01:00"), at(9, 0));
            assert_eq!(parse(rfc, "2024-01-05 10:00 GMT-1:30"), at(11, 30));
            let named = "yyyy-MM-dd HH:mm z";
            assert_eq!(parse(named, "2024-01-05 10:00 UTC"), at(10, 0));
            assert_eq!(parse(named, "2024-01-05 10:00 PST"), at(18, 0));
            assert_eq!(parse(named, "2024-01-05 10:00 cest"), at(8, 0));
            assert_eq!(
                parse(named, "2024-01-05 10:00 Central European Summer Time"),
                at(8, 0)
            );
            assert_eq!(
                parse(named, "2024-01-05 10:00 Coordinated Universal Time"),
                at(10, 0)
            );
        }

        #[test]
        fn two_digit_years_follow_the_century_window() {
            let year = |text: &str| {
                parse("yy-MM-dd", text).map(|m| civil_from_days(m.div_euclid(MILLIS_PER_DAY)))
            };
            assert_eq!(year("24-01-01"), Some((2024, 1, 1)));
            assert_eq!(year("50-01-01"), Some((1950, 1, 1)));
            assert_eq!(year("43-01-01"), Some((2043, 1, 1)));
            // 44 is ambiguous: before 1944-06-01 it means 2044.
            assert_eq!(year("44-01-01"), Some((2044, 1, 1)));
            assert_eq!(year("44-12-01"), Some((1944, 12, 1)));
            // Three digits, or a four-letter pattern, are taken literally.
            assert_eq!(year("124-01-01"), Some((124, 1, 1)));
            assert_eq!(
                parse("yyyy-MM-dd", "24-01-01")
                    .map(|m| civil_from_days(m.div_euclid(MILLIS_PER_DAY))),
                Some((24, 1, 1))
            );
            // The window moves with the time the format is made.
            let now = JavaDateFormat::new("yy").unwrap();
            assert!(now.century_start_year >= 1944);
        }

        #[test]
        fn formatting_round_trips_through_parsing() {
            let pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
            let format = parser(pattern);
            for instant in [0, -1, INSTANT, -62_135_596_800_000, 253_402_300_799_999] {
                assert_eq!(
                    format.parse(&format.format(instant)),
                    Some(instant),
                    "{instant}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use connect_api::config::ConfigValue;
    use connect_api::data::Struct;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    use super::*;

    const STRING_DATE_FMT: &str = "yyyy MM dd HH mm ss SSS z";
    /// 1970-01-02 00:00:01.234 UTC.
    const DATE_PLUS_TIME: i64 = MILLIS_PER_DAY + 1234;
    const DATE_PLUS_TIME_STRING: &str = "1970 01 02 00 00 01 234 UTC";
    const DATE_PLUS_TIME_UNIX_MICROS: i64 = DATE_PLUS_TIME * 1000 + 123;
    const DATE_PLUS_TIME_UNIX_NANOS: i64 = DATE_PLUS_TIME_UNIX_MICROS * 1000 + 456;
    const DATE_PLUS_TIME_UNIX_SECONDS: i64 = DATE_PLUS_TIME / 1000;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn value_converter(pairs: &[(&str, &str)]) -> TimestampConverter {
        let mut converter = TimestampConverter::value();
        Transform::<SourceRecord>::configure(&mut converter, &props(pairs)).unwrap();
        converter
    }

    fn configure_error(pairs: &[(&str, &str)]) -> String {
        let mut converter = TimestampConverter::value();
        let err = Transform::<SourceRecord>::configure(&mut converter, &props(pairs)).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)), "{err:?}");
        err.to_string()
    }

    fn record(schema: Option<Schema>, value: Value) -> SourceRecord {
        SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "test", schema, value)
            .with_partition(0)
    }

    fn convert(
        converter: &mut TimestampConverter,
        schema: Option<Schema>,
        value: Value,
    ) -> (Option<Schema>, Value) {
        let out = converter.apply(record(schema, value)).unwrap().unwrap();
        (out.value_schema.clone(), out.value.clone())
    }

    fn convert_err(
        converter: &mut TimestampConverter,
        schema: Option<Schema>,
        value: Value,
    ) -> ConnectError {
        converter.apply(record(schema, value)).unwrap_err()
    }

    fn optional(representation: Representation) -> Schema {
        representation.schema(true).unwrap()
    }

    #[test]
    fn config_errors() {
        assert_eq!(
            configure_error(&[]),
            "Missing required configuration \"target.type\" which has no default value."
        );
        assert_eq!(
            configure_error(&[("target.type", "invalid")]),
            "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
        assert_eq!(
            configure_error(&[("target.type", "unix"), ("unix.precision", "invalid")]),
            "Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"
        );
        let missing = "TimestampConverter requires format option to be specified when using string timestamps";
        assert_eq!(configure_error(&[("target.type", "string")]), missing);
        assert_eq!(
            configure_error(&[("target.type", "string"), ("format", "   ")]),
            missing
        );
        assert_eq!(
            configure_error(&[("target.type", "string"), ("format", "bad-format")]),
            "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format"
        );
        assert_eq!(
            configure_error(&[("target.type", "Timestamp"), ("format", "yyyy'")]),
            "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: yyyy'"
        );
        assert_eq!(
            configure_error(&[("target.type", "Date"), ("replace.null.with.default", "x")]),
            "Invalid value x for configuration replace.null.with.default: Expected value to be either true or false"
        );
        let mut converter = TimestampConverter::value();
        for precision in ["seconds", "milliseconds", "microseconds", "nanoseconds"] {
            Transform::<SourceRecord>::configure(
                &mut converter,
                &props(&[("target.type", "unix"), ("unix.precision", precision)]),
            )
            .unwrap();
        }
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&TimestampConverter::key());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            [
                "field",
                "target.type",
                "format",
                "unix.precision",
                "replace.null.with.default"
            ]
        );
        assert_eq!(
            def.key("field").unwrap().default_value(),
            Some(&ConfigValue::from(""))
        );
        assert!(def.key("target.type").unwrap().is_required());
        assert_eq!(
            def.key("format").unwrap().default_value(),
            Some(&ConfigValue::from(""))
        );
        assert_eq!(
            def.key("unix.precision").unwrap().default_value(),
            Some(&ConfigValue::from("milliseconds"))
        );
        assert_eq!(
            def.key("replace.null.with.default")
                .unwrap()
                .default_value(),
            Some(&ConfigValue::Boolean(true))
        );
        assert_eq!(
            def.key("unix.precision").unwrap().importance(),
            Importance::Low
        );
    }

    #[test]
    fn unconfigured_apply_is_an_error() {
        let mut converter = TimestampConverter::value();
        assert!(converter.apply(record(None, Value::Timestamp(0))).is_err());
    }

    #[test]
    fn schemaless_whole_value_conversions() {
        let cases = [
            (
                "Timestamp",
                Value::Timestamp(DATE_PLUS_TIME),
                Value::Timestamp(DATE_PLUS_TIME),
            ),
            ("Date", Value::Timestamp(DATE_PLUS_TIME), Value::Date(1)),
            ("Time", Value::Timestamp(DATE_PLUS_TIME), Value::Time(1234)),
            (
                "unix",
                Value::Timestamp(DATE_PLUS_TIME),
                Value::Int64(DATE_PLUS_TIME),
            ),
            (
                "string",
                Value::Timestamp(DATE_PLUS_TIME),
                Value::from(DATE_PLUS_TIME_STRING),
            ),
            (
                "Timestamp",
                Value::Date(1),
                Value::Timestamp(MILLIS_PER_DAY),
            ),
            ("Timestamp", Value::Time(1234), Value::Timestamp(1234)),
            (
                "Timestamp",
                Value::Int64(DATE_PLUS_TIME),
                Value::Timestamp(DATE_PLUS_TIME),
            ),
            (
                "Timestamp",
                Value::from(DATE_PLUS_TIME_STRING),
                Value::Timestamp(DATE_PLUS_TIME),
            ),
            ("Date", Value::Timestamp(-1), Value::Date(-1)),
            ("Time", Value::Timestamp(-1), Value::Time(86_399_999)),
        ];
        for (target, input, expected) in cases {
            let mut converter =
                value_converter(&[("target.type", target), ("format", STRING_DATE_FMT)]);
            assert_eq!(
                convert(&mut converter, None, input.clone()),
                (None, expected),
                "{target} {input:?}"
            );
        }
    }

    #[test]
    fn schemaless_nulls_stay_null() {
        for target in Representation::NAMES {
            let mut converter =
                value_converter(&[("target.type", target), ("format", STRING_DATE_FMT)]);
            assert_eq!(
                convert(&mut converter, None, Value::Null),
                (None, Value::Null)
            );
            let mut field = value_converter(&[
                ("target.type", target),
                ("format", STRING_DATE_FMT),
                ("field", "ts"),
            ]);
            let map = Value::Map(vec![
                ("ts".into(), Value::Null),
                ("other".into(), "test".into()),
            ]);
            assert_eq!(convert(&mut field, None, map.clone()), (None, map));
            assert_eq!(convert(&mut field, None, Value::Null), (None, Value::Null));
        }
    }

    #[test]
    fn with_schema_whole_value_conversions() {
        let cases = [
            (
                "Timestamp",
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
            ),
            (
                "Date",
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
                logical::date_schema(),
                Value::Date(1),
            ),
            (
                "Time",
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
                logical::time_schema(),
                Value::Time(1234),
            ),
            (
                "unix",
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
                Schema::int64(),
                Value::Int64(DATE_PLUS_TIME),
            ),
            (
                "string",
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
                Schema::string(),
                Value::from(DATE_PLUS_TIME_STRING),
            ),
            (
                "Timestamp",
                logical::date_schema(),
                Value::Date(1),
                logical::timestamp_schema(),
                Value::Timestamp(MILLIS_PER_DAY),
            ),
            (
                "Timestamp",
                logical::time_schema(),
                Value::Time(1234),
                logical::timestamp_schema(),
                Value::Timestamp(1234),
            ),
            (
                "Timestamp",
                Schema::int64(),
                Value::Int64(DATE_PLUS_TIME),
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
            ),
            (
                "Timestamp",
                Schema::string(),
                Value::from(DATE_PLUS_TIME_STRING),
                logical::timestamp_schema(),
                Value::Timestamp(DATE_PLUS_TIME),
            ),
            (
                "Date",
                Schema::string(),
                Value::from(DATE_PLUS_TIME_STRING),
                logical::date_schema(),
                Value::Date(1),
            ),
        ];
        for (target, schema, input, out_schema, expected) in cases {
            let mut converter =
                value_converter(&[("target.type", target), ("format", STRING_DATE_FMT)]);
            assert_eq!(
                convert(&mut converter, Some(schema), input.clone()),
                (Some(out_schema), expected),
                "{target} {input:?}"
            );
        }
    }

    #[test]
    fn with_schema_null_values_and_fields() {
        let sources = [
            Schema::optional_int64(),
            optional(Representation::Time),
            optional(Representation::Date),
            Schema::optional_string(),
            optional(Representation::Timestamp),
        ];
        for target in Representation::NAMES {
            let expected = optional(Representation::from_name(target).unwrap());
            for source in &sources {
                let mut whole =
                    value_converter(&[("target.type", target), ("format", STRING_DATE_FMT)]);
                assert_eq!(
                    convert(&mut whole, Some(source.clone()), Value::Null),
                    (Some(expected.clone()), Value::Null),
                    "{target} {source:?}"
                );

                let mut field = value_converter(&[
                    ("target.type", target),
                    ("format", STRING_DATE_FMT),
                    ("field", "ts"),
                ]);
                let struct_schema = SchemaBuilder::struct_()
                    .field("ts", source.clone())
                    .field("other", Schema::string())
                    .build()
                    .unwrap();
                let expected_schema = SchemaBuilder::struct_()
                    .field("ts", expected.clone())
                    .field("other", Schema::string())
                    .build()
                    .unwrap();
                let original = Struct::new(struct_schema.clone())
                    .unwrap()
                    .with("other", "test")
                    .unwrap();
                let (schema, value) =
                    convert(&mut field, Some(struct_schema.clone()), original.into());
                assert_eq!(schema, Some(expected_schema.clone()));
                let Value::Struct(value) = value else {
                    panic!("struct")
                };
                assert_eq!(value.get("ts").unwrap(), &Value::Null);
                assert_eq!(value.get("other").unwrap(), &Value::from("test"));

                // The whole struct null.
                let optional_struct = SchemaBuilder::from_schema(&struct_schema)
                    .optional()
                    .build()
                    .unwrap();
                let expected_optional = SchemaBuilder::from_schema(&expected_schema)
                    .optional()
                    .build()
                    .unwrap();
                assert_eq!(
                    convert(&mut field, Some(optional_struct), Value::Null),
                    (Some(expected_optional), Value::Null)
                );
            }
        }
    }

    #[test]
    fn schemaless_field_conversion() {
        let mut converter = value_converter(&[("target.type", "Date"), ("field", "ts")]);
        let map = Value::Map(vec![
            ("ts".into(), Value::Timestamp(DATE_PLUS_TIME)),
            ("other".into(), 5.into()),
        ]);
        assert_eq!(
            convert(&mut converter, None, map),
            (
                None,
                Value::Map(vec![
                    ("ts".into(), Value::Date(1)),
                    ("other".into(), 5.into())
                ])
            )
        );
        // A missing field is added as null, as Kafka's `put(field, convert(null))` does.
        let map = Value::Map(vec![("other".into(), 5.into())]);
        assert_eq!(
            convert(&mut converter, None, map),
            (
                None,
                Value::Map(vec![("other".into(), 5.into()), ("ts".into(), Value::Null)])
            )
        );
        let err = convert_err(&mut converter, None, Value::Int64(5));
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [converting timestamp formats], found: java.lang.Long"
        );
    }

    #[test]
    fn with_schema_field_conversion() {
        let mut converter = value_converter(&[("target.type", "Timestamp"), ("field", "ts")]);
        let schema = SchemaBuilder::struct_()
            .name("com.example.Event")
            .version(2)
            .doc("an event")
            .field("ts", Schema::int64())
            .field("other", Schema::string())
            .build()
            .unwrap();
        let original = Struct::new(schema.clone())
            .unwrap()
            .with("ts", DATE_PLUS_TIME)
            .unwrap()
            .with("other", "test")
            .unwrap();
        let (out_schema, value) = convert(
            &mut converter,
            Some(schema.clone()),
            original.clone().into(),
        );
        let expected_schema = SchemaBuilder::struct_()
            .name("com.example.Event")
            .version(2)
            .doc("an event")
            .field("ts", logical::timestamp_schema())
            .field("other", Schema::string())
            .build()
            .unwrap();
        assert_eq!(out_schema.as_ref(), Some(&expected_schema));
        let Value::Struct(value) = value else {
            panic!("struct")
        };
        assert_eq!(value.get("ts").unwrap(), &Value::Timestamp(DATE_PLUS_TIME));
        assert_eq!(value.get("other").unwrap(), &Value::from("test"));
        // The derived schema is cached.
        let (again, _) = convert(&mut converter, Some(schema.clone()), original.into());
        assert!(again.unwrap().ptr_eq(&out_schema.unwrap()));
        // Not a struct.
        let err = convert_err(&mut converter, Some(schema), Value::Int64(1));
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [converting timestamp formats], found: java.lang.Long"
        );
        let err = convert_err(&mut converter, Some(Schema::optional_int64()), Value::Null);
        assert_eq!(err.to_string(), "Cannot list fields on non-struct type");
    }

    #[test]
    fn replace_null_with_default() {
        let schema = SchemaBuilder::struct_()
            .field(
                "ts",
                SchemaBuilder::int64()
                    .optional()
                    .default_value(0i64)
                    .build()
                    .unwrap(),
            )
            .field("other", Schema::string())
            .build()
            .unwrap();
        let expected_schema = SchemaBuilder::struct_()
            .field("ts", optional(Representation::Timestamp))
            .field("other", Schema::string())
            .build()
            .unwrap();
        let original = Struct::new(schema.clone())
            .unwrap()
            .with("other", "test")
            .unwrap();
        for (replace, expected) in [("false", Value::Null), ("true", Value::Timestamp(0))] {
            let mut converter = value_converter(&[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("replace.null.with.default", replace),
            ]);
            let (out_schema, value) = convert(
                &mut converter,
                Some(schema.clone()),
                original.clone().into(),
            );
            assert_eq!(out_schema.as_ref(), Some(&expected_schema));
            let Value::Struct(value) = value else {
                panic!("struct")
            };
            assert_eq!(value.get("ts").unwrap(), &expected, "{replace}");
            assert_eq!(value.get("other").unwrap(), &Value::from("test"));
        }
    }

    #[test]
    fn struct_defaults_are_converted() {
        let base = SchemaBuilder::struct_()
            .field("ts", Schema::int64())
            .build()
            .unwrap();
        let default = Struct::new(base.clone())
            .unwrap()
            .with("ts", 86_400_000i64)
            .unwrap();
        let schema = SchemaBuilder::from_schema(&base)
            .optional()
            .default_value(default)
            .build()
            .unwrap();
        let mut converter = value_converter(&[("target.type", "Date"), ("field", "ts")]);
        let (out_schema, value) = convert(&mut converter, Some(schema), Value::Null);
        assert_eq!(value, Value::Null);
        let out_schema = out_schema.unwrap();
        assert!(out_schema.is_optional());
        let Some(Value::Struct(default)) = out_schema.default_value() else {
            panic!("default")
        };
        assert_eq!(default.get("ts").unwrap(), &Value::Date(1));
        assert_eq!(
            out_schema.field("ts").unwrap().schema(),
            &logical::date_schema()
        );
    }

    #[test]
    fn unix_precisions() {
        let struct_of = |v: i64| {
            let schema = SchemaBuilder::struct_()
                .field("ts", Schema::int64())
                .build()
                .unwrap();
            (
                schema.clone(),
                Struct::new(schema).unwrap().with("ts", v).unwrap(),
            )
        };
        for (precision, input, expected) in [
            ("microseconds", DATE_PLUS_TIME_UNIX_MICROS, DATE_PLUS_TIME),
            ("nanoseconds", DATE_PLUS_TIME_UNIX_NANOS, DATE_PLUS_TIME),
            (
                "seconds",
                DATE_PLUS_TIME_UNIX_SECONDS,
                MILLIS_PER_DAY + 1000,
            ),
            ("milliseconds", DATE_PLUS_TIME, DATE_PLUS_TIME),
        ] {
            let mut converter = value_converter(&[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("unix.precision", precision),
            ]);
            let (schema, value) = struct_of(input);
            let (out_schema, out) = convert(&mut converter, Some(schema), value.into());
            assert_eq!(
                out_schema.unwrap().field("ts").unwrap().schema(),
                &logical::timestamp_schema()
            );
            let Value::Struct(out) = out else {
                panic!("struct")
            };
            assert_eq!(
                out.get("ts").unwrap(),
                &Value::Timestamp(expected),
                "{precision}"
            );
        }
        for (precision, expected) in [
            ("microseconds", DATE_PLUS_TIME * 1000),
            ("nanoseconds", DATE_PLUS_TIME * 1_000_000),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS),
            ("milliseconds", DATE_PLUS_TIME),
        ] {
            let mut converter = value_converter(&[
                ("target.type", "unix"),
                ("unix.precision", precision),
                ("format", STRING_DATE_FMT),
            ]);
            assert_eq!(
                convert(&mut converter, None, DATE_PLUS_TIME_STRING.into()),
                (None, Value::Int64(expected)),
                "{precision}"
            );
        }
        // Seconds truncate toward zero; coarse units saturate.
        assert_eq!(UnixPrecision::Seconds.of_millis(-1500), -1);
        assert_eq!(
            UnixPrecision::Nanoseconds.of_millis(i64::MAX / 10),
            i64::MAX
        );
        assert_eq!(UnixPrecision::Seconds.to_millis(i64::MIN), i64::MIN);
        assert_eq!(UnixPrecision::Microseconds.to_millis(-1999), -1);
    }

    #[test]
    fn key_variant_and_sink_records() {
        let mut converter = TimestampConverter::key();
        Transform::<SinkRecord>::configure(&mut converter, &props(&[("target.type", "Timestamp")]))
            .unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("test", Some(Schema::string()), "v".into())
                .with_key(None, Value::Timestamp(DATE_PLUS_TIME)),
            1,
            5,
            TimestampType::CreateTime,
        );
        let out = converter.apply(record).unwrap().unwrap();
        assert_eq!(out.key, Value::Timestamp(DATE_PLUS_TIME));
        assert_eq!(out.key_schema, None);
        assert_eq!(out.value, Value::from("v"));
        let mut to_unix = TimestampConverter::key();
        Transform::<SinkRecord>::configure(&mut to_unix, &props(&[("target.type", "unix")]))
            .unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("test", None, Value::Null)
                .with_key(Some(logical::date_schema()), Value::Date(2)),
            1,
            5,
            TimestampType::CreateTime,
        );
        let out = to_unix.apply(record).unwrap().unwrap();
        assert_eq!(out.key, Value::Int64(2 * MILLIS_PER_DAY));
        assert_eq!(out.key_schema, Some(Schema::int64()));
    }

    #[test]
    fn data_errors() {
        let mut converter = value_converter(&[("target.type", "Timestamp")]);
        let err = convert_err(&mut converter, Some(Schema::int32()), 5.into());
        assert!(!err.is_data());
        assert_eq!(
            err.to_string(),
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        // Decided by the schema before the null check, as in Kafka.
        let err = convert_err(&mut converter, Some(Schema::optional_int32()), Value::Null);
        assert_eq!(
            err.to_string(),
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        let cases = [
            (
                None,
                Value::Int32(5),
                "TimestampConverter does not support class java.lang.Integer objects as timestamps",
            ),
            (
                Some(logical::timestamp_schema()),
                Value::Int64(5),
                "Expected Timestamp to be a java.util.Date, but found class java.lang.Long",
            ),
            (
                Some(logical::date_schema()),
                Value::Int32(5),
                "Expected Date to be a java.util.Date, but found class java.lang.Integer",
            ),
            (
                Some(logical::time_schema()),
                Value::Int32(5),
                "Expected Time to be a java.util.Date, but found class java.lang.Integer",
            ),
            (
                Some(Schema::int64()),
                Value::from("5"),
                "Expected Unix timestamp to be a Long, but found class java.lang.String",
            ),
            (
                Some(Schema::string()),
                Value::Int64(5),
                "Expected string timestamp to be a String, but found class java.lang.Long",
            ),
            (
                Some(Schema::string()),
                Value::from("5"),
                "TimestampConverter requires format option to be specified when converting string timestamps",
            ),
        ];
        for (schema, value, message) in cases {
            let err = convert_err(&mut converter, schema, value);
            assert!(err.is_data(), "{err:?}");
            assert_eq!(err.to_string(), message);
        }
        let mut parsing = value_converter(&[("target.type", "unix"), ("format", STRING_DATE_FMT)]);
        let err = convert_err(&mut parsing, None, "nope".into());
        assert_eq!(
            err.to_string(),
            "Could not parse timestamp: value (nope) does not match pattern (yyyy MM dd HH mm ss SSS z)"
        );
        let mut weekly = value_converter(&[("target.type", "unix"), ("format", "YYYY-ww")]);
        let err = convert_err(&mut weekly, Some(Schema::string()), "2024-01".into());
        assert_eq!(
            err.to_string(),
            "Could not parse timestamp: value (2024-01) does not match pattern (YYYY-ww): the week-based \
             pattern letters Y, w, W and F cannot be parsed"
        );
        // Formatting with week-based letters works.
        let mut to_week = value_converter(&[("target.type", "string"), ("format", "YYYY-'W'ww")]);
        let dec_31_2021 = java_date_format::days_from_civil(2021, 12, 31) * MILLIS_PER_DAY;
        assert_eq!(
            convert(&mut to_week, None, Value::Timestamp(dec_31_2021)).1,
            Value::from("2022-W01")
        );
    }
}
