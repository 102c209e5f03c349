//! Converting a value to another type: [`convert_to`] and the `convert_to_*` functions (Kafka's
//! `Values.convertTo…`).

use std::fmt;

use bigdecimal::BigDecimal;

use super::format::{convert_to_string, java_class_name};
use super::number::{decimal_long_value, decimal_to_f64, parse_java_decimal};
use super::parse::parse_string;
use super::temporal::{
    MILLIS_PER_DAY, checked_time, date_of_instant, logical_millis, time_of_instant,
};
use crate::data::logical::{self, DATE_NAME, TIME_NAME, TIMESTAMP_NAME};
use crate::data::{Schema, Struct, Type, Value};
use crate::error::DataError;
use crate::java;

fn null_error() -> DataError {
    DataError::new("Unable to convert a null value to a schema that requires a value")
}

/// Kafka's `Unable to convert <value> (class <class>) to <target>`.
fn unable_to_convert(value: &Value, target: impl fmt::Display) -> DataError {
    if value.is_null() {
        return null_error();
    }
    DataError::new(format!(
        "Unable to convert {value} (class {}) to {target}",
        java_class_name(value)
    ))
}

/// Converts `value`, described by `from` if known, to a value of schema `to` (Kafka's
/// `Values.convertTo`): dispatches to the `convert_to_*` function of `to`'s type or logical type.
/// Null converts to null only when `to` is optional.
///
/// ```
/// use connect_api::data::{values, logical, Schema, Value};
///
/// let date = values::convert_to(&logical::date_schema(), None, &"2024-01-31".into())?;
/// assert_eq!(date, Value::Date(19_753));
/// let narrowed = values::convert_to(&Schema::int8(), None, &Value::Int32(300))?;
/// assert_eq!(narrowed, Value::Int8(44)); // narrowing wraps, as a Java cast does
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to(to: &Schema, from: Option<&Schema>, value: &Value) -> Result<Value, DataError> {
    if value.is_null() {
        return if to.is_optional() {
            Ok(Value::Null)
        } else {
            Err(null_error())
        };
    }
    let logical = logical::LogicalType::of(to);
    Ok(match to.type_() {
        Type::Bytes if logical == Some(logical::LogicalType::Decimal) => {
            Value::Decimal(decimal_for_schema(to, value)?)
        }
        Type::Bytes => match value {
            Value::Bytes(bytes) => Value::Bytes(bytes.clone()),
            Value::Decimal(decimal) => Value::Bytes(logical::decimal_to_bytes(to, decimal)?),
            other => return Err(unable_to_convert(other, to)),
        },
        Type::String => Value::from(convert_to_string(from, value)),
        Type::Boolean => Value::from(convert_to_boolean(from, value)?),
        Type::Int8 => Value::from(convert_to_byte(from, value)?),
        Type::Int16 => Value::from(convert_to_short(from, value)?),
        Type::Int32 => match logical {
            Some(logical::LogicalType::Date) => Value::Date(date_from(from, value)?),
            Some(logical::LogicalType::Time) => Value::Time(time_from(from, value)?),
            _ => Value::from(convert_to_integer(from, value)?),
        },
        Type::Int64 => match logical {
            Some(logical::LogicalType::Timestamp) => Value::Timestamp(timestamp_from(from, value)?),
            _ => Value::from(convert_to_long(from, value)?),
        },
        Type::Float32 => Value::from(convert_to_float(from, value)?),
        Type::Float64 => Value::from(convert_to_double(from, value)?),
        Type::Array => Value::Array(list_from(value, to)?),
        Type::Map => Value::Map(map_from(value, to)?),
        Type::Struct => Value::Struct(struct_from(value, to)?),
    })
}

/// Kafka's `Values.asLong`: numbers truncated toward zero (the low 64 bits of decimals, floats
/// saturating), strings read as Java `BigDecimal`s, and logical values by what `from` says they
/// are.
fn as_long(value: &Value, from: Option<&Schema>) -> Result<i64, DataError> {
    match value {
        Value::Null => return Err(null_error()),
        Value::Int8(v) => return Ok(i64::from(*v)),
        Value::Int16(v) => return Ok(i64::from(*v)),
        Value::Int32(v) => return Ok(i64::from(*v)),
        Value::Int64(v) => return Ok(*v),
        Value::Float32(v) => return Ok(*v as i64),
        Value::Float64(v) => return Ok(*v as i64),
        Value::Decimal(d) => return Ok(decimal_long_value(d)),
        Value::String(text) => {
            if let Some(decimal) = parse_java_decimal(text) {
                return Ok(decimal_long_value(&decimal));
            }
        }
        _ => {}
    }
    let Some(schema) = from else {
        return Err(unable_to_convert(value, "a number"));
    };
    if let Some(millis) = logical_millis(value) {
        match schema.name() {
            Some(DATE_NAME) => return date_of_instant(millis).map(i64::from),
            Some(TIME_NAME) => return time_of_instant(millis).map(i64::from),
            Some(TIMESTAMP_NAME) => return Ok(millis),
            _ => {}
        }
    }
    Err(unable_to_convert(value, schema))
}

/// Kafka's `Values.asDouble`.
fn as_double(value: &Value, from: Option<&Schema>) -> Result<f64, DataError> {
    match value {
        Value::Int8(v) => Ok(f64::from(*v)),
        Value::Int16(v) => Ok(f64::from(*v)),
        Value::Int32(v) => Ok(f64::from(*v)),
        Value::Int64(v) => Ok(*v as f64),
        Value::Float32(v) => Ok(f64::from(*v)),
        Value::Float64(v) => Ok(*v),
        Value::Decimal(d) => Ok(decimal_to_f64(d)),
        Value::String(text) => match parse_java_decimal(text) {
            Some(decimal) => Ok(decimal_to_f64(&decimal)),
            None => as_long(value, from).map(|v| v as f64),
        },
        _ => as_long(value, from).map(|v| v as f64),
    }
}

/// Replaces a string by the value [`parse_string`] reads from it, as Kafka's temporal, list and
/// map conversions do first.
fn parsed_if_string(value: &Value) -> std::borrow::Cow<'_, Value> {
    match value {
        Value::String(text) => std::borrow::Cow::Owned(parse_string(text).value),
        other => std::borrow::Cow::Borrowed(other),
    }
}

/// Converts a value to a boolean (Kafka's `Values.convertToBoolean`); `None` for null.
///
/// Booleans stay, strings `true`/`false` are read, and anything else that converts to a number is
/// `false` when that number (truncated to an integer) is 0 and `true` otherwise.
///
/// ```
/// use connect_api::data::{values, Value};
/// assert_eq!(values::convert_to_boolean(None, &"true".into())?, Some(true));
/// assert_eq!(values::convert_to_boolean(None, &Value::Int32(0))?, Some(false));
/// assert!(values::convert_to_boolean(None, &"green".into()).is_err());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_boolean(
    schema: Option<&Schema>,
    value: &Value,
) -> Result<Option<bool>, DataError> {
    match value {
        Value::Null => Ok(None),
        Value::Boolean(b) => Ok(Some(*b)),
        Value::String(text) => match parse_string(text).value {
            Value::Boolean(b) => Ok(Some(b)),
            _ => Ok(Some(as_long(value, schema)? != 0)),
        },
        other => Ok(Some(as_long(other, schema)? != 0)),
    }
}

macro_rules! integer_converters {
    ($($(#[$doc:meta])* $name:ident => $variant:ident, $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(schema: Option<&Schema>, value: &Value) -> Result<Option<$ty>, DataError> {
                match value {
                    Value::Null => Ok(None),
                    Value::$variant(v) => Ok(Some(*v)),
                    // Like a Java cast, narrowing keeps the low bits.
                    other => Ok(Some(as_long(other, schema)? as $ty)),
                }
            }
        )*
    };
}

integer_converters! {
    /// Converts a value to an `INT8` (Kafka's `Values.convertToByte`); `None` for null.
    ///
    /// Numbers are truncated toward zero and narrowed like a Java cast (300 becomes 44), strings
    /// are read as decimal numbers, and logical values convert to their encoding when `schema`
    /// names their logical type.
    ///
    /// ```
    /// use connect_api::data::{values, Value};
    /// assert_eq!(values::convert_to_byte(None, &"12.7".into())?, Some(12));
    /// assert_eq!(values::convert_to_byte(None, &Value::Int32(300))?, Some(44));
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    convert_to_byte => Int8, i8;
    /// Converts a value to an `INT16` (Kafka's `Values.convertToShort`); `None` for null. Same
    /// rules as [`convert_to_byte`].
    convert_to_short => Int16, i16;
    /// Converts a value to an `INT32` (Kafka's `Values.convertToInteger`); `None` for null. Same
    /// rules as [`convert_to_byte`].
    convert_to_integer => Int32, i32;
    /// Converts a value to an `INT64` (Kafka's `Values.convertToLong`); `None` for null. Same
    /// rules as [`convert_to_byte`]; a `Timestamp` with a Timestamp schema gives its milliseconds.
    ///
    /// ```
    /// use connect_api::data::{values, logical, Value};
    /// let ts = Value::Timestamp(1_700_000_000_000);
    /// assert_eq!(values::convert_to_long(Some(&logical::timestamp_schema()), &ts)?, Some(1_700_000_000_000));
    /// assert!(values::convert_to_long(None, &ts).is_err()); // Kafka needs the schema
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    convert_to_long => Int64, i64;
}

/// Converts a value to a `FLOAT32` (Kafka's `Values.convertToFloat`); `None` for null.
///
/// Numbers and numeric strings are converted to the nearest `f64` and then to `f32`, as Kafka
/// does.
pub fn convert_to_float(schema: Option<&Schema>, value: &Value) -> Result<Option<f32>, DataError> {
    match value {
        Value::Null => Ok(None),
        Value::Float32(v) => Ok(Some(*v)),
        other => Ok(Some(as_double(other, schema)? as f32)),
    }
}

/// Converts a value to a `FLOAT64` (Kafka's `Values.convertToDouble`); `None` for null.
///
/// ```
/// use connect_api::data::values;
/// assert_eq!(values::convert_to_double(None, &"3.141592653589793".into())?, Some(std::f64::consts::PI));
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_double(schema: Option<&Schema>, value: &Value) -> Result<Option<f64>, DataError> {
    match value {
        Value::Null => Ok(None),
        Value::Float64(v) => Ok(Some(*v)),
        other => Ok(Some(as_double(other, schema)?)),
    }
}

/// Converts a value to an array (Kafka's `Values.convertToList`): arrays stay, strings are parsed
/// with [`parse_string`] and must give an array. Null is an error, as in Kafka.
///
/// ```
/// use connect_api::data::{values, Value};
/// let list = values::convert_to_list(None, &"[1, 2, 32768]".into())?;
/// assert_eq!(list, vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)]);
/// assert!(values::convert_to_list(None, &"[1, 2, 3,,,]".into()).is_err());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_list(schema: Option<&Schema>, value: &Value) -> Result<Vec<Value>, DataError> {
    let _ = schema;
    list_from(value, "Schema{ARRAY}")
}

fn list_from(value: &Value, target: impl fmt::Display) -> Result<Vec<Value>, DataError> {
    match &*parsed_if_string(value) {
        Value::Array(items) => Ok(items.clone()),
        other => Err(unable_to_convert(other, target)),
    }
}

/// Converts a value to a map (Kafka's `Values.convertToMap`): maps stay, strings are parsed with
/// [`parse_string`] and must give a map. Null is an error, as in Kafka.
///
/// ```
/// use connect_api::data::{values, Value};
/// let map = values::convert_to_map(None, &r#"{"a": 1, "b": 2}"#.into())?;
/// assert_eq!(map, vec![("a".into(), Value::Int8(1)), ("b".into(), Value::Int8(2))]);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_map(
    schema: Option<&Schema>,
    value: &Value,
) -> Result<Vec<(Value, Value)>, DataError> {
    let _ = schema;
    map_from(value, "Schema{MAP}")
}

fn map_from(value: &Value, target: impl fmt::Display) -> Result<Vec<(Value, Value)>, DataError> {
    match &*parsed_if_string(value) {
        Value::Map(entries) => Ok(entries.clone()),
        other => Err(unable_to_convert(other, target)),
    }
}

/// Converts a value to a struct (Kafka's `Values.convertToStruct`): only a struct converts; null
/// is an error.
pub fn convert_to_struct(schema: Option<&Schema>, value: &Value) -> Result<Struct, DataError> {
    let _ = schema;
    struct_from(value, "Schema{STRUCT}")
}

fn struct_from(value: &Value, target: impl fmt::Display) -> Result<Struct, DataError> {
    match value {
        Value::Struct(s) => Ok(s.clone()),
        other => Err(unable_to_convert(other, target)),
    }
}

/// Converts a value to a decimal (Kafka's `Values.convertToDecimal`); null is an error.
///
/// Decimals are returned as they are (whatever their scale), bytes are read as the unscaled value
/// with `scale`, other numbers go through their nearest `f64` written as Java does (so `5` gives
/// `5.0`), and strings are read as Java `BigDecimal`s.
///
/// ```
/// use connect_api::data::{values, Value};
/// use bigdecimal::BigDecimal;
/// use std::str::FromStr;
/// assert_eq!(values::convert_to_decimal(None, &Value::Float32(1.0), 1)?, BigDecimal::from_str("1.0")?);
/// assert_eq!(values::convert_to_decimal(None, &"12.50".into(), 2)?, BigDecimal::from_str("12.50")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn convert_to_decimal(
    schema: Option<&Schema>,
    value: &Value,
    scale: i32,
) -> Result<BigDecimal, DataError> {
    let _ = schema;
    if value.is_null() {
        return Err(null_error());
    }
    decimal_for_schema(&logical::decimal_schema(scale), value)
}

fn decimal_for_schema(to: &Schema, value: &Value) -> Result<BigDecimal, DataError> {
    let from_double = |v: f64| parse_java_decimal(&java::Double(v).to_string());
    let converted = match value {
        Value::Bytes(bytes) => return logical::decimal_from_bytes(to, bytes),
        Value::Decimal(decimal) => Some(decimal.clone()),
        Value::String(text) => parse_java_decimal(text),
        Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_) => {
            value.as_f64().and_then(from_double)
        }
        Value::Float32(v) => from_double(f64::from(*v)),
        Value::Float64(v) => from_double(*v),
        _ => None,
    };
    converted.ok_or_else(|| unable_to_convert(value, to))
}

/// Converts a value to a `Date`, as days since the epoch (Kafka's `Values.convertToDate`); null
/// is an error.
///
/// Strings are parsed first. A date stays; a timestamp (known as one by `schema`) keeps its day,
/// truncated toward the epoch as in Kafka; anything else converts like
/// [`convert_to_integer`] and is taken as a number of days. As in Kafka, a logical value whose
/// `schema` names a different, non-temporal type fails: a string `2024-01-31` given with a
/// string schema is an error, while with no schema it converts.
///
/// ```
/// use connect_api::data::{values, Schema, Value};
/// assert_eq!(values::convert_to_date(None, &"2024-01-31".into())?, 19_753);
/// assert_eq!(values::convert_to_date(None, &Value::Int64(19_753))?, 19_753);
/// assert!(values::convert_to_date(Some(&Schema::string()), &"2024-01-31".into()).is_err());
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_date(schema: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    if value.is_null() {
        return Err(null_error());
    }
    date_from(schema, value)
}

fn date_from(from: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    let value = parsed_if_string(value);
    if let Some(millis) = logical_millis(&value) {
        match from.map(Schema::name) {
            None | Some(Some(DATE_NAME)) => return date_as_is(&value, millis),
            Some(Some(TIMESTAMP_NAME)) => return Ok((millis / MILLIS_PER_DAY) as i32),
            Some(_) => {}
        }
    }
    Ok(as_long(&value, from)? as i32)
}

fn date_as_is(value: &Value, millis: i64) -> Result<i32, DataError> {
    match *value {
        Value::Date(days) => Ok(days),
        _ => date_of_instant(millis),
    }
}

/// Converts a value to a `Time`, as milliseconds since midnight (Kafka's
/// `Values.convertToTime`); null is an error.
///
/// Strings are parsed first. A time stays; a timestamp (known as one by `schema`) keeps its time
/// of day (UTC); anything else converts like [`convert_to_integer`] and must be within a day.
///
/// ```
/// use connect_api::data::{values, logical, Value};
/// assert_eq!(values::convert_to_time(None, &"12:34:56.789Z".into())?, 45_296_789);
/// let ts = Value::Timestamp(1_706_704_496_789);
/// assert_eq!(values::convert_to_time(Some(&logical::timestamp_schema()), &ts)?, 45_296_789);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_time(schema: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    if value.is_null() {
        return Err(null_error());
    }
    time_from(schema, value)
}

fn time_from(from: Option<&Schema>, value: &Value) -> Result<i32, DataError> {
    let value = parsed_if_string(value);
    if let Some(millis) = logical_millis(&value) {
        match from.map(Schema::name) {
            None | Some(Some(TIME_NAME)) => {
                return match *value {
                    Value::Time(t) => Ok(t),
                    _ => time_of_instant(millis),
                };
            }
            Some(Some(TIMESTAMP_NAME)) => {
                return checked_time(millis.rem_euclid(MILLIS_PER_DAY) as i32);
            }
            Some(_) => {}
        }
    }
    checked_time(as_long(&value, from)? as i32)
}

/// Converts a value to a `Timestamp`, as milliseconds since the epoch (Kafka's
/// `Values.convertToTimestamp`); null is an error.
///
/// Strings are parsed first. A timestamp stays; a date or time (known as one by `schema`) gives
/// its instant; anything else converts like [`convert_to_long`].
///
/// ```
/// use connect_api::data::{values, logical, Value};
/// assert_eq!(values::convert_to_timestamp(None, &"2024-01-31T12:34:56.789Z".into())?, 1_706_704_496_789);
/// let date = Value::Date(1);
/// assert_eq!(values::convert_to_timestamp(Some(&logical::date_schema()), &date)?, 86_400_000);
/// # Ok::<(), connect_api::error::DataError>(())
/// ```
pub fn convert_to_timestamp(schema: Option<&Schema>, value: &Value) -> Result<i64, DataError> {
    if value.is_null() {
        return Err(null_error());
    }
    timestamp_from(schema, value)
}

fn timestamp_from(from: Option<&Schema>, value: &Value) -> Result<i64, DataError> {
    let value = parsed_if_string(value);
    if let Some(millis) = logical_millis(&value) {
        match from.map(Schema::name) {
            None | Some(Some(TIMESTAMP_NAME)) => return Ok(millis),
            Some(Some(DATE_NAME)) => {
                return Ok(i64::from(date_of_instant(millis)?) * MILLIS_PER_DAY);
            }
            Some(Some(TIME_NAME)) => return time_of_instant(millis).map(i64::from),
            Some(_) => {}
        }
    }
    as_long(&value, from)
}
