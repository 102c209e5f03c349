//! The logical types Decimal, Date, Time and Timestamp, with Kafka's names and encodings.
//!
//! A logical type is a physical schema (bytes, int32, int64) with a well-known name. Values of
//! such schemas are held as [`Value::Decimal`], [`Value::Date`], [`Value::Time`] and
//! [`Value::Timestamp`]; the functions here convert between those and the physical encoding.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::schema::{Schema, SchemaBuilder, Type};
use super::value::Value;
use crate::error::DataError;

/// Schema name of the Decimal logical type.
pub const DECIMAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
/// Schema name of the Date logical type.
pub const DATE_NAME: &str = "org.apache.kafka.connect.data.Date";
/// Schema name of the Time logical type.
pub const TIME_NAME: &str = "org.apache.kafka.connect.data.Time";
/// Schema name of the Timestamp logical type.
pub const TIMESTAMP_NAME: &str = "org.apache.kafka.connect.data.Timestamp";
/// The Decimal schema parameter that holds the scale.
pub const SCALE_FIELD: &str = "scale";

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Which logical type a schema denotes, if any.
///
/// ```
/// use connect_api::data::logical::{self, LogicalType};
/// use connect_api::data::{Type, Value};
///
/// let schema = logical::date_schema();
/// let date = LogicalType::of(&schema).expect("a Date schema");
/// assert_eq!(date, LogicalType::Date);
/// assert_eq!(date.physical_type(), Type::Int32);
/// assert_eq!(date.schema_name(), logical::DATE_NAME);
/// assert_eq!(Value::Date(19_723).kind(), date.value_kind());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicalType {
    /// `org.apache.kafka.connect.data.Decimal` on `bytes`.
    Decimal,
    /// `org.apache.kafka.connect.data.Date` on `int32`.
    Date,
    /// `org.apache.kafka.connect.data.Time` on `int32`.
    Time,
    /// `org.apache.kafka.connect.data.Timestamp` on `int64`.
    Timestamp,
}

impl LogicalType {
    /// The logical type named by `schema`, when its name and physical type match one.
    ///
    /// ```
    /// use connect_api::data::logical::{self, LogicalType};
    /// assert_eq!(LogicalType::of(&logical::date_schema()), Some(LogicalType::Date));
    /// assert_eq!(LogicalType::of(&connect_api::data::Schema::int32()), None);
    /// ```
    pub fn of(schema: &Schema) -> Option<LogicalType> {
        // Only these physical types carry a logical type: the common case skips the name.
        if !matches!(schema.type_(), Type::Bytes | Type::Int32 | Type::Int64) {
            return None;
        }
        let logical = match schema.name()? {
            DECIMAL_NAME => LogicalType::Decimal,
            DATE_NAME => LogicalType::Date,
            TIME_NAME => LogicalType::Time,
            TIMESTAMP_NAME => LogicalType::Timestamp,
            _ => return None,
        };
        (schema.type_() == logical.physical_type()).then_some(logical)
    }

    /// The physical type underneath.
    pub fn physical_type(self) -> Type {
        match self {
            LogicalType::Decimal => Type::Bytes,
            LogicalType::Date | LogicalType::Time => Type::Int32,
            LogicalType::Timestamp => Type::Int64,
        }
    }

    /// The schema name.
    pub fn schema_name(self) -> &'static str {
        match self {
            LogicalType::Decimal => DECIMAL_NAME,
            LogicalType::Date => DATE_NAME,
            LogicalType::Time => TIME_NAME,
            LogicalType::Timestamp => TIMESTAMP_NAME,
        }
    }

    /// The [`Value::kind`] of values of this logical type.
    pub fn value_kind(self) -> &'static str {
        match self {
            LogicalType::Decimal => "decimal",
            LogicalType::Date => "date",
            LogicalType::Time => "time",
            LogicalType::Timestamp => "timestamp",
        }
    }
}

/// A Decimal schema builder with `scale` (Kafka's `Decimal.builder(scale)`).
pub fn decimal_builder(scale: i32) -> SchemaBuilder {
    SchemaBuilder::bytes()
        .name(DECIMAL_NAME)
        .parameter(SCALE_FIELD, scale.to_string())
        .version(1)
}

/// A required Decimal schema with `scale`.
///
/// ```
/// use connect_api::data::logical;
/// let schema = logical::decimal_schema(2);
/// assert_eq!(schema.parameter("scale"), Some("2"));
/// ```
pub fn decimal_schema(scale: i32) -> Schema {
    build_logical(decimal_builder(scale))
}

/// A Date schema builder (Kafka's `Date.builder()`).
pub fn date_builder() -> SchemaBuilder {
    SchemaBuilder::int32().name(DATE_NAME).version(1)
}

/// A required Date schema.
pub fn date_schema() -> Schema {
    build_logical(date_builder())
}

/// A Time schema builder (Kafka's `Time.builder()`).
pub fn time_builder() -> SchemaBuilder {
    SchemaBuilder::int32().name(TIME_NAME).version(1)
}

/// A required Time schema.
pub fn time_schema() -> Schema {
    build_logical(time_builder())
}

/// A Timestamp schema builder (Kafka's `Timestamp.builder()`).
pub fn timestamp_builder() -> SchemaBuilder {
    SchemaBuilder::int64().name(TIMESTAMP_NAME).version(1)
}

/// A required Timestamp schema.
pub fn timestamp_schema() -> Schema {
    build_logical(timestamp_builder())
}

fn build_logical(builder: SchemaBuilder) -> Schema {
    let ty = builder.type_();
    // These builders set each property once and no default, so building cannot fail; fall back to
    // the plain physical schema rather than panic if that ever changes.
    builder
        .build()
        .ok()
        .or_else(|| Schema::of_type(ty, false))
        .unwrap_or_else(Schema::bytes)
}

/// The scale of a Decimal schema, from its `scale` parameter (a 32-bit integer, as in Java).
pub fn decimal_scale(schema: &Schema) -> Result<i64, DataError> {
    let text = schema
        .parameter(SCALE_FIELD)
        .ok_or_else(|| DataError::new("Invalid Decimal schema: scale parameter not found."))?;
    text.trim().parse::<i32>().map(i64::from).map_err(|_| {
        DataError::new(format!(
            "Invalid scale parameter found in Decimal schema: {text}"
        ))
    })
}

/// Encodes a decimal for a Decimal schema: the unscaled value as big-endian two's complement.
///
/// ```
/// use bigdecimal::BigDecimal;
/// use connect_api::data::logical;
/// use std::str::FromStr;
/// let bytes = logical::decimal_to_bytes(&logical::decimal_schema(2), &BigDecimal::from_str("-1.56")?)?;
/// assert_eq!(&bytes[..], &[0xFF, 0x64]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decimal_to_bytes(schema: &Schema, value: &BigDecimal) -> Result<Bytes, DataError> {
    let scale = decimal_scale(schema)?;
    let (unscaled, value_scale) = value.as_bigint_and_exponent();
    if value_scale != scale {
        return Err(DataError::new(format!(
            "Decimal value has mismatching scale for given Decimal schema: value scale {value_scale}, schema scale {scale}"
        )));
    }
    Ok(Bytes::from(unscaled.to_signed_bytes_be()))
}

/// Decodes the bytes of a Decimal schema.
pub fn decimal_from_bytes(schema: &Schema, bytes: &[u8]) -> Result<BigDecimal, DataError> {
    let scale = decimal_scale(schema)?;
    if bytes.is_empty() {
        return Err(DataError::new(
            "Invalid Decimal value: zero-length byte array",
        ));
    }
    Ok(BigDecimal::new(BigInt::from_signed_bytes_be(bytes), scale))
}

/// Checks that a Time value is within one day: 0 to 86,400,000 milliseconds inclusive, as Kafka
/// accepts.
pub fn check_time(millis: i64) -> Result<i32, DataError> {
    if (0..=MILLIS_PER_DAY).contains(&millis) {
        Ok(millis as i32)
    } else {
        Err(DataError::new(format!(
            "Time values must use number of milliseconds greater than 0 and less than 86400000, got {millis}"
        )))
    }
}

/// The day number (since 1970-01-01) of a calendar date.
pub fn date_to_days(date: NaiveDate) -> i32 {
    (date - NaiveDate::default()).num_days() as i32
}

/// The calendar date of a day number, if representable.
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::default().checked_add_signed(chrono::Duration::days(days.into()))
}

/// Milliseconds since midnight of a time of day.
pub fn time_to_millis(time: NaiveTime) -> i32 {
    (time - NaiveTime::MIN).num_milliseconds() as i32
}

/// The UTC instant of a Timestamp value, if representable.
pub fn timestamp_to_datetime(millis: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(millis)
}

/// Converts a logical value to its physical representation (`Decimal` → bytes, `Date`/`Time` →
/// int32, `Timestamp` → int64); any other value is returned unchanged.
pub fn to_physical(schema: &Schema, value: &Value) -> Result<Value, DataError> {
    Ok(match value {
        Value::Decimal(d) => Value::Bytes(decimal_to_bytes(schema, d)?),
        Value::Date(v) | Value::Time(v) => Value::Int32(*v),
        Value::Timestamp(v) => Value::Int64(*v),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimal_encoding_matches_kafka() {
        let schema = decimal_schema(2);
        let pos = decimal_to_bytes(&schema, &BigDecimal::from_str("1.56").unwrap()).unwrap();
        assert_eq!(&pos[..], &[0x00, 0x9C]);
        let back = decimal_from_bytes(&schema, &pos).unwrap();
        assert_eq!(
            Value::Decimal(back),
            Value::Decimal(BigDecimal::from_str("1.56").unwrap())
        );
        let wrong = decimal_to_bytes(&schema, &BigDecimal::from_str("1.5").unwrap());
        assert!(wrong.is_err());
        assert!(decimal_from_bytes(&schema, &[]).is_err());
        assert!(decimal_scale(&Schema::bytes()).is_err());
    }

    #[test]
    fn logical_type_needs_matching_physical_type() {
        let wrong = SchemaBuilder::int64().name(DATE_NAME).build().unwrap();
        assert_eq!(LogicalType::of(&wrong), None);
        assert_eq!(
            LogicalType::of(&timestamp_schema()),
            Some(LogicalType::Timestamp)
        );
        assert_eq!(time_schema().version(), Some(1));
    }

    #[test]
    fn dates_and_times() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(days_to_date(date_to_days(d)), Some(d));
        assert_eq!(
            date_to_days(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()),
            -1
        );
        assert_eq!(check_time(86_400_000).unwrap(), 86_400_000);
        assert!(check_time(86_400_001).is_err());
        assert!(check_time(-1).is_err());
        let t = NaiveTime::from_hms_milli_opt(1, 0, 0, 5).unwrap();
        assert_eq!(time_to_millis(t), 3_600_005);
    }
}
