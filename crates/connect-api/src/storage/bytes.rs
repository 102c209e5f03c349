//! [`ByteArrayConverter`]: raw bytes passed through (Kafka's
//! `org.apache.kafka.connect.converters.ByteArrayConverter`).

use ::bytes::Bytes;

use super::codec::{self, Codec};
use crate::config::{ConfigDef, ConfigMap};
use crate::data::{Schema, SchemaAndValue, Type, Value};
use crate::error::Result;

/// Passes bytes through unchanged (Kafka's `ByteArrayConverter`), also as a header converter.
///
/// Writing accepts only bytes (or null) with no schema or a `BYTES` schema; reading gives an
/// optional bytes schema.
///
/// ```
/// use connect_api::data::{Schema, Value};
/// use connect_api::storage::{ByteArrayConverter, HeaderConverter};
///
/// let converter = ByteArrayConverter::new();
/// let bytes = converter.from_connect_header("t", "h", None, &Value::from(vec![1u8, 2]))?;
/// assert_eq!(bytes.as_deref(), Some(&[1u8, 2][..]));
/// let err = converter.from_connect_header("t", "h", Some(&Schema::string()), &"x".into());
/// assert_eq!(err.unwrap_err().to_string(), "Invalid schema type for ByteArrayConverter: STRING");
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ByteArrayConverter;

impl ByteArrayConverter {
    /// A byte array converter.
    pub fn new() -> Self {
        Self
    }
}

impl Codec for ByteArrayConverter {
    fn definition() -> ConfigDef {
        codec::converter_config_def()
    }

    /// Like Kafka's, the converter has nothing to configure and checks nothing.
    fn apply_config(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }

    fn write(&self, _topic: &str, schema: Option<&Schema>, value: &Value) -> Result<Option<Bytes>> {
        codec::expect_schema_type("ByteArrayConverter", schema, Type::Bytes)?;
        match value {
            Value::Null => Ok(None),
            Value::Bytes(bytes) => Ok(Some(bytes.clone())),
            other => Err(codec::not_compatible("ByteArrayConverter", other).into()),
        }
    }

    fn read(&self, _topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue> {
        let value = data.map_or(Value::Null, |d| Value::Bytes(Bytes::copy_from_slice(d)));
        Ok(SchemaAndValue::new(Some(Schema::optional_bytes()), value))
    }
}

codec::converter_traits!(impl for ByteArrayConverter);
