//! [`ByteArrayConverter`]: raw bytes passed through (Kafka's
//! `org.apache.kafka.connect.converters.ByteArrayConverter`).

use ::bytes::Bytes;
use async_trait::async_trait;

use super::{Converter, HeaderConverter};
use crate::config::{ConfigDef, ConfigMap};
use crate::data::{Schema, SchemaAndValue, Type, Value, values};
use crate::error::{DataError, Result};
use crate::header::Headers;

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

    fn serialize(schema: Option<&Schema>, value: &Value) -> Result<Option<Bytes>> {
        if let Some(schema) = schema
            && schema.type_() != Type::Bytes
        {
            return Err(DataError::new(format!(
                "Invalid schema type for ByteArrayConverter: {}",
                schema.type_()
            ))
            .into());
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(bytes) => Ok(Some(bytes.clone())),
            other => Err(DataError::new(format!(
                "ByteArrayConverter is not compatible with objects of type class {}",
                values::java_class_name(other)
            ))
            .into()),
        }
    }

    fn deserialize(data: Option<&[u8]>) -> SchemaAndValue {
        let value = data.map_or(Value::Null, |d| Value::Bytes(Bytes::copy_from_slice(d)));
        SchemaAndValue::new(Some(Schema::optional_bytes()), value)
    }
}

#[async_trait]
impl Converter for ByteArrayConverter {
    fn configure(&mut self, _configs: &ConfigMap, _is_key: bool) -> Result<()> {
        Ok(())
    }

    async fn from_connect_data(
        &self,
        _topic: &str,
        _headers: &mut Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>> {
        Self::serialize(schema, value)
    }

    async fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(Self::deserialize(data))
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

impl HeaderConverter for ByteArrayConverter {
    fn configure(&mut self, _configs: &ConfigMap) -> Result<()> {
        Ok(())
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(Self::deserialize(value))
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>> {
        Self::serialize(schema, value)
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}
