//! The numeric converters ([`ShortConverter`], [`IntegerConverter`], [`LongConverter`],
//! [`FloatConverter`], [`DoubleConverter`]) and [`BooleanConverter`], in the formats of Kafka's
//! serializers (`org.apache.kafka.connect.converters`).

use std::fmt;
use std::marker::PhantomData;

use ::bytes::Bytes;

use super::codec::{self, Codec};
use crate::config::ConfigDef;
use crate::data::{Schema, SchemaAndValue, Type, Value, values};
use crate::error::{DataError, Result};

mod sealed {
    pub trait Sealed {}
}

/// A number type with a Kafka serializer format: `i16`, `i32`, `i64` (two's complement), `f32`
/// and `f64` (IEEE 754), all big-endian. Sealed: implemented for those five types only.
pub trait NumberFormat: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The name Kafka's converter uses in messages, e.g. `short`.
    const TYPE_NAME: &'static str;
    /// The Java class of values of this type, e.g. `java.lang.Short`.
    const JAVA_CLASS: &'static str;
    /// The Kafka deserializer named in its size error (Kafka's float and double deserializers
    /// call themselves just `Deserializer`).
    const DESERIALIZER: &'static str;

    /// The optional schema of deserialized values.
    fn schema() -> Schema;
    /// The number held by `value`, if it is of this type.
    fn from_value(value: &Value) -> Option<Self>;
    /// The number as a value.
    fn into_value(self) -> Value;
    /// The serialized form.
    fn encode(self) -> Bytes;
    /// Reads the serialized form; `None` if `data` has the wrong length.
    fn decode(data: &[u8]) -> Option<Self>;
}

macro_rules! number_formats {
    ($($ty:ty => $variant:ident, $name:literal, $java:literal, $deserializer:literal, $schema:ident;)*) => {
        $(
            impl sealed::Sealed for $ty {}

            impl NumberFormat for $ty {
                const TYPE_NAME: &'static str = $name;
                const JAVA_CLASS: &'static str = $java;
                const DESERIALIZER: &'static str = $deserializer;

                fn schema() -> Schema {
                    Schema::$schema()
                }

                fn from_value(value: &Value) -> Option<Self> {
                    match value {
                        Value::$variant(v) => Some(*v),
                        _ => None,
                    }
                }

                fn into_value(self) -> Value {
                    Value::$variant(self)
                }

                fn encode(self) -> Bytes {
                    Bytes::copy_from_slice(&self.to_be_bytes())
                }

                fn decode(data: &[u8]) -> Option<Self> {
                    data.try_into().ok().map(<$ty>::from_be_bytes)
                }
            }
        )*
    };
}

number_formats! {
    i16 => Int16, "short", "java.lang.Short", "ShortDeserializer", optional_int16;
    i32 => Int32, "integer", "java.lang.Integer", "IntegerDeserializer", optional_int32;
    i64 => Int64, "long", "java.lang.Long", "LongDeserializer", optional_int64;
    f32 => Float32, "float", "java.lang.Float", "Deserializer", optional_float32;
    f64 => Float64, "double", "java.lang.Double", "Deserializer", optional_float64;
}

/// Converts one number type to and from its Kafka serializer format (Kafka's `NumberConverter`
/// and its subclasses), also as a header converter.
///
/// Writing accepts only values of exactly that type (or null) and ignores the schema, as Kafka
/// does; reading gives the type's optional schema and requires exactly the type's size.
///
/// ```
/// use connect_api::data::{Schema, Value};
/// use connect_api::storage::{HeaderConverter, ShortConverter};
///
/// let converter = ShortConverter::new();
/// let bytes = converter.from_connect_header("t", "h", None, &Value::Int16(258))?;
/// assert_eq!(bytes.as_deref(), Some(&[1u8, 2][..]));
/// let back = converter.to_connect_header("t", "h", Some(&[1, 2]))?;
/// assert_eq!(back.schema, Some(Schema::optional_int16()));
/// assert_eq!(back.value, Value::Int16(258));
/// let err = converter.to_connect_header("t", "h", Some(&[1])).unwrap_err();
/// assert_eq!(err.to_string(), "Failed to deserialize short: Size of data received by ShortDeserializer is not 2");
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
pub struct NumberConverter<T> {
    number: PhantomData<fn() -> T>,
}

/// Kafka's `ShortConverter`: `INT16` as 2 bytes.
pub type ShortConverter = NumberConverter<i16>;
/// Kafka's `IntegerConverter`: `INT32` as 4 bytes.
pub type IntegerConverter = NumberConverter<i32>;
/// Kafka's `LongConverter`: `INT64` as 8 bytes.
pub type LongConverter = NumberConverter<i64>;
/// Kafka's `FloatConverter`: `FLOAT32` as 4 bytes.
pub type FloatConverter = NumberConverter<f32>;
/// Kafka's `DoubleConverter`: `FLOAT64` as 8 bytes.
pub type DoubleConverter = NumberConverter<f64>;

impl<T: NumberFormat> NumberConverter<T> {
    /// A converter for `T`.
    pub fn new() -> Self {
        Self {
            number: PhantomData,
        }
    }
}

impl<T: NumberFormat> Codec for NumberConverter<T> {
    fn definition() -> ConfigDef {
        codec::converter_config_def()
    }

    /// Ignores the schema, as Kafka does.
    fn write(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>> {
        if value.is_null() {
            return Ok(None);
        }
        let number = T::from_value(value).ok_or_else(|| {
            let class = values::java_class_name(value);
            DataError::new(format!(
                "Failed to serialize to {} (was class {class}): class {class} cannot be cast to class {}",
                T::TYPE_NAME,
                T::JAVA_CLASS
            ))
        })?;
        Ok(Some(number.encode()))
    }

    fn read(&self, _topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue> {
        let value = match data {
            None => Value::Null,
            Some(bytes) => T::decode(bytes)
                .ok_or_else(|| {
                    DataError::new(format!(
                        "Failed to deserialize {}: Size of data received by {} is not {}",
                        T::TYPE_NAME,
                        T::DESERIALIZER,
                        size_of::<T>()
                    ))
                })?
                .into_value(),
        };
        Ok(SchemaAndValue::new(Some(T::schema()), value))
    }
}

codec::converter_traits!(impl[T: NumberFormat] for NumberConverter<T>);

impl<T: NumberFormat> Default for NumberConverter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for NumberConverter<T> {
    fn clone(&self) -> Self {
        Self {
            number: PhantomData,
        }
    }
}

impl<T: NumberFormat> fmt::Debug for NumberConverter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NumberConverter<{}>", T::TYPE_NAME)
    }
}

/// Converts booleans to and from one byte, `1` or `0` (Kafka's `BooleanConverter`), also as a
/// header converter.
///
/// Writing accepts only booleans (or null) with no schema or a `BOOLEAN` schema; reading gives an
/// optional boolean schema and accepts only the bytes `0` and `1`.
///
/// ```
/// use connect_api::data::Value;
/// use connect_api::storage::{BooleanConverter, HeaderConverter};
///
/// let converter = BooleanConverter::new();
/// assert_eq!(converter.from_connect_header("t", "h", None, &true.into())?.as_deref(), Some(&[1u8][..]));
/// assert_eq!(converter.to_connect_header("t", "h", Some(&[0]))?.value, Value::Boolean(false));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BooleanConverter;

impl BooleanConverter {
    /// A boolean converter.
    pub fn new() -> Self {
        Self
    }
}

impl Codec for BooleanConverter {
    fn definition() -> ConfigDef {
        codec::converter_config_def()
    }

    fn write(&self, _topic: &str, schema: Option<&Schema>, value: &Value) -> Result<Option<Bytes>> {
        codec::expect_schema_type("BooleanConverter", schema, Type::Boolean)?;
        match value {
            Value::Null => Ok(None),
            Value::Boolean(b) => Ok(Some(Bytes::from(vec![u8::from(*b)]))),
            other => Err(codec::not_compatible("BooleanConverter", other).into()),
        }
    }

    fn read(&self, _topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue> {
        let value = match data {
            None => Value::Null,
            Some([0]) => Value::Boolean(false),
            Some([1]) => Value::Boolean(true),
            Some(&[other]) => {
                return Err(DataError::new(format!(
                    // Java prints the byte signed.
                    "Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: {}",
                    other as i8
                ))
                .into());
            }
            Some(_) => {
                return Err(DataError::new(
                    "Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1",
                )
                .into());
            }
        };
        Ok(SchemaAndValue::new(Some(Schema::optional_boolean()), value))
    }
}

codec::converter_traits!(impl for BooleanConverter);
