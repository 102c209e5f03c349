//! [`SimpleHeaderConverter`]: the default header converter, header values as text whose type is
//! inferred on reading (Kafka's `org.apache.kafka.connect.storage.SimpleHeaderConverter`).

use ::bytes::Bytes;

use super::codec::{self, Codec};
use crate::config::ConfigDef;
use crate::data::{Schema, SchemaAndValue, Value, values};
use crate::error::Result;

/// Writes header values as UTF-8 text with [`values::convert_to_string`] and reads them back
/// with [`values::parse_string`], so a header keeps a useful type without its schema being
/// stored (Kafka's `SimpleHeaderConverter`, the default header converter).
///
/// Bytes that are not UTF-8 are read as a `BYTES` value, the fallback Kafka uses for header
/// values it cannot read (Java itself would decode them lossily, with U+FFFD).
///
/// ```
/// use connect_api::data::{Schema, Value};
/// use connect_api::storage::{HeaderConverter, SimpleHeaderConverter};
///
/// let converter = SimpleHeaderConverter::new();
/// let list = Value::Array(vec![Value::Int32(1), Value::Int32(70_000)]);
/// let bytes = converter.from_connect_header("t", "h", None, &list)?;
/// assert_eq!(bytes.as_deref(), Some(&b"[1,70000]"[..]));
/// let back = converter.to_connect_header("t", "h", bytes.as_deref())?;
/// assert_eq!(back.value, list);
/// assert_eq!(converter.to_connect_header("t", "h", Some(b"12345"))?.schema, Some(Schema::int16()));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SimpleHeaderConverter;

impl SimpleHeaderConverter {
    /// A simple header converter.
    pub fn new() -> Self {
        Self
    }
}

impl Codec for SimpleHeaderConverter {
    /// Empty, as Kafka's: the converter has no settings, not even `converter.type`.
    fn definition() -> ConfigDef {
        ConfigDef::new()
    }

    fn write(&self, _topic: &str, schema: Option<&Schema>, value: &Value) -> Result<Option<Bytes>> {
        Ok(values::convert_to_string(schema, value).map(Bytes::from))
    }

    fn read(&self, _topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue> {
        let Some(bytes) = data else {
            return Ok(SchemaAndValue::NULL);
        };
        Ok(match std::str::from_utf8(bytes) {
            Ok(text) => values::parse_string(text),
            Err(_) => SchemaAndValue::new(
                Some(Schema::bytes()),
                Value::Bytes(Bytes::copy_from_slice(bytes)),
            ),
        })
    }
}

codec::header_converter_trait!(impl for SimpleHeaderConverter);
