//! [`Value`]: the data that flows through connectors, converters and transforms.

use std::fmt;

use bigdecimal::BigDecimal;
use bytes::Bytes;

use super::structs::Struct;
use super::values;
use crate::java;

/// A Connect value: one variant per schema type, one per logical type, and `Null`.
///
/// Logical values have their own variants, so that a `Date` is never mistaken for an `INT32`:
/// a schema named `org.apache.kafka.connect.data.Date` takes [`Value::Date`], and so on.
///
/// Equality follows Java's `equals`: floats compare by bits (so `NaN == NaN`), decimals compare
/// value *and* scale (`1.50 != 1.5`), and maps compare as sets of entries, whatever their order.
///
/// ```
/// use connect_api::data::Value;
/// let v: Value = "hello".into();
/// assert_eq!(v.as_str(), Some("hello"));
/// assert_eq!(Value::from(7i64).kind(), "int64");
/// assert_eq!(Value::from(None::<i32>), Value::Null);
/// ```
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// No value (Java `null`).
    #[default]
    Null,
    /// An `int8`.
    Int8(i8),
    /// An `int16`.
    Int16(i16),
    /// An `int32`.
    Int32(i32),
    /// An `int64`.
    Int64(i64),
    /// A `float32`.
    Float32(f32),
    /// A `float64`.
    Float64(f64),
    /// A `boolean`.
    Boolean(bool),
    /// A `string`.
    String(String),
    /// `bytes`.
    Bytes(Bytes),
    /// An `array`.
    Array(Vec<Value>),
    /// A `map`, as key/value pairs in insertion order (keys may be any value, even structs).
    Map(Vec<(Value, Value)>),
    /// A `struct`.
    Struct(Struct),
    /// The `Decimal` logical type (`bytes` underneath).
    Decimal(BigDecimal),
    /// The `Date` logical type: days since 1970-01-01 (`int32` underneath).
    Date(i32),
    /// The `Time` logical type: milliseconds since midnight (`int32` underneath).
    Time(i32),
    /// The `Timestamp` logical type: milliseconds since the epoch (`int64` underneath).
    Timestamp(i64),
}

impl Value {
    /// The name of the variant, as used in error messages: the schema type name for physical
    /// values (`"int32"`), `"null"`, or `"decimal"`, `"date"`, `"time"`, `"timestamp"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int8(_) => "int8",
            Value::Int16(_) => "int16",
            Value::Int32(_) => "int32",
            Value::Int64(_) => "int64",
            Value::Float32(_) => "float32",
            Value::Float64(_) => "float64",
            Value::Boolean(_) => "boolean",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Struct(_) => "struct",
            Value::Decimal(_) => "decimal",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::Timestamp(_) => "timestamp",
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Any integer value widened to `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int8(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) => Some(v),
            _ => None,
        }
    }

    /// Any numeric value as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float32(v) => Some(v.into()),
            Value::Float64(v) => Some(v),
            _ => self.as_i64().map(|v| v as f64),
        }
    }

    /// A boolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The bytes of a bytes value.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// A struct value.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of an array value.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries of a map value.
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value stored under `key` in a map value.
    pub fn map_get(&self, key: &Value) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

fn float32_eq(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn float64_eq(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Int8(a), Int8(b)) => a == b,
            (Int16(a), Int16(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (Int64(a), Int64(b)) => a == b,
            (Float32(a), Float32(b)) => float32_eq(*a, *b),
            (Float64(a), Float64(b)) => float64_eq(*a, *b),
            (Boolean(a), Boolean(b)) => a == b,
            (String(a), String(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => {
                let contains = |all: &[(Value, Value)], (k, v): &(Value, Value)| {
                    all.iter().any(|(k2, v2)| k == k2 && v == v2)
                };
                // Both ways, so that maps holding a repeated entry still compare symmetrically.
                a.len() == b.len()
                    && a.iter().all(|e| contains(b, e))
                    && b.iter().all(|e| contains(a, e))
            }
            (Struct(a), Struct(b)) => a == b,
            (Decimal(a), Decimal(b)) => a.as_bigint_and_exponent() == b.as_bigint_and_exponent(),
            (Date(a), Date(b)) | (Time(a), Time(b)) => a == b,
            (Timestamp(a), Timestamp(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Java's `String.valueOf(value)`, the text Kafka shows values with in error messages and that
/// the string converter writes: `null`, numbers as Java prints them (`1.5`, `1.0E10`, `NaN`,
/// decimals as `BigDecimal.toString`, e.g. `1E+3`), strings as they are, `[a, b]`, `{k=v}`,
/// `Struct{a=1}`, and dates, times and timestamps as `java.util.Date` prints them in UTC
/// (`Thu Jan 01 00:00:00 UTC 1970`). Bytes, which Java prints as an identity hash, are shown as
/// their Rust debug form.
///
/// ```
/// use connect_api::data::Value;
/// assert_eq!(Value::Float64(1e10).to_string(), "1.0E10");
/// assert_eq!(Value::Array(vec![1.into(), Value::Null, "x".into()]).to_string(), "[1, null, x]");
/// assert_eq!(Value::Date(0).to_string(), "Thu Jan 01 00:00:00 UTC 1970");
/// ```
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Int8(v) => write!(f, "{v}"),
            Value::Int16(v) => write!(f, "{v}"),
            Value::Int32(v) => write!(f, "{v}"),
            Value::Int64(v) => write!(f, "{v}"),
            Value::Float32(v) => write!(f, "{}", java::Float(*v)),
            Value::Float64(v) => write!(f, "{}", java::Double(*v)),
            Value::Boolean(v) => write!(f, "{v}"),
            Value::String(v) => f.write_str(v),
            Value::Bytes(v) => write!(f, "{v:?}"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={v}")?;
                }
                f.write_str("}")
            }
            Value::Struct(s) => write!(f, "{s}"),
            Value::Decimal(d) => f.write_str(&java::big_decimal_to_string(d)),
            Value::Date(days) => {
                values::write_java_date(f, i64::from(*days) * values::MILLIS_PER_DAY)
            }
            Value::Time(millis) => values::write_java_date(f, i64::from(*millis)),
            Value::Timestamp(millis) => values::write_java_date(f, *millis),
        }
    }
}

macro_rules! from_impls {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v.into())
            }
        })*
    };
}

from_impls! {
    i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
    f32 => Float32, f64 => Float64, bool => Boolean,
    String => String, &str => String,
    Bytes => Bytes, Vec<u8> => Bytes, &'static [u8] => Bytes,
    Vec<Value> => Array, Struct => Struct, BigDecimal => Decimal,
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn java_equality() {
        assert_eq!(Value::Float64(f64::NAN), Value::Float64(f64::NAN));
        assert_ne!(Value::Float64(0.0), Value::Float64(-0.0));
        let a = Value::Decimal(BigDecimal::from_str("1.50").unwrap());
        let b = Value::Decimal(BigDecimal::from_str("1.5").unwrap());
        assert_ne!(a, b);
        let m1 = Value::Map(vec![("a".into(), 1.into()), ("b".into(), 2.into())]);
        let m2 = Value::Map(vec![("b".into(), 2.into()), ("a".into(), 1.into())]);
        assert_eq!(m1, m2);
        let repeated = Value::Map(vec![("a".into(), 1.into()), ("a".into(), 1.into())]);
        let distinct = Value::Map(vec![("a".into(), 1.into()), ("b".into(), 2.into())]);
        assert_ne!(repeated, distinct);
        assert_ne!(distinct, repeated);
        assert_ne!(Value::Int32(1), Value::Int64(1));
        assert_ne!(Value::Int32(1), Value::Date(1));
    }

    #[test]
    fn display_is_java_like() {
        let v = Value::Array(vec![1.into(), Value::Null, "x".into()]);
        assert_eq!(v.to_string(), "[1, null, x]");
        let m = Value::Map(vec![("k".into(), 1.5f64.into())]);
        assert_eq!(m.to_string(), "{k=1.5}");
    }

    #[test]
    fn display_is_javas_to_string() {
        let cases = [
            (Value::Float64(1e10), "1.0E10"),
            (Value::Float64(f64::NEG_INFINITY), "-Infinity"),
            (Value::Float32(0.1), "0.1"),
            (Value::Float32(f32::NAN), "NaN"),
            (
                Value::Decimal(BigDecimal::from_str("1E+3").unwrap()),
                "1E+3",
            ),
            (
                Value::Decimal(BigDecimal::from_str("0.0000001").unwrap()),
                "1E-7",
            ),
            (Value::Date(19_753), "Wed Jan 31 00:00:00 UTC 2024"),
            (Value::Time(45_296_789), "Thu Jan 01 12:34:56 UTC 1970"),
            (Value::Timestamp(-1), "Wed Dec 31 23:59:59 UTC 1969"),
            (
                Value::Map(vec![(Value::Int8(1), Value::Float32(2.0))]),
                "{1=2.0}",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(value.to_string(), want, "{value:?}");
        }
    }
}
