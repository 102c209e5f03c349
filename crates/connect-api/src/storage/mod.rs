//! Converters: how keys, values and headers become bytes and back (Kafka's
//! `org.apache.kafka.connect.storage` and `connect-json`).
//!
//! The built-in converters are usable by plugins without the runtime, and each resolves by its
//! short name and by its Java class name through [`builtin_converter`] and
//! [`builtin_header_converter`], so that existing configurations keep working.

mod bytes;
mod catalog;
mod codec;
pub mod json;
mod number;
mod simple_header;
mod string;

pub use bytes::ByteArrayConverter;
pub use catalog::{
    ConverterPlugin, builtin_converter, builtin_converters, builtin_header_converter,
};
pub use number::{
    BooleanConverter, DoubleConverter, FloatConverter, IntegerConverter, LongConverter,
    NumberConverter, NumberFormat, ShortConverter,
};
pub use simple_header::SimpleHeaderConverter;
pub use string::{ENCODING_CONFIG, ENCODING_DEFAULT, StringConverter};

use ::bytes::Bytes;
use async_trait::async_trait;

use crate::config::{ConfigDef, ConfigMap};
use crate::data::{Schema, SchemaAndValue, Value};
use crate::error::Result;
use crate::header::Headers;

/// The configuration key that tells a converter which part of the record it handles.
pub const CONVERTER_TYPE_CONFIG: &str = "converter.type";

/// Which part of a record a converter handles (`converter.type`).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::storage::json::JsonConverterConfig;
/// use connect_api::storage::{CONVERTER_TYPE_CONFIG, ConverterType};
///
/// let props = ConfigMap::from([(CONVERTER_TYPE_CONFIG.to_owned(), ConverterType::Header.name().to_owned())]);
/// assert_eq!(props[CONVERTER_TYPE_CONFIG], "header");
/// assert_eq!(JsonConverterConfig::from_props(&props)?.converter_type, ConverterType::Header);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConverterType {
    /// Record keys.
    Key,
    /// Record values.
    Value,
    /// Record headers.
    Header,
}

impl ConverterType {
    /// The configuration value: `key`, `value` or `header`.
    pub fn name(self) -> &'static str {
        match self {
            ConverterType::Key => "key",
            ConverterType::Value => "value",
            ConverterType::Header => "header",
        }
    }
}

/// Converts record keys or values between Connect data and bytes.
///
/// Async because some converters look schemas up over the network (a schema registry); the
/// built-in ones never wait.
///
/// ```
/// use async_trait::async_trait;
/// use bytes::Bytes;
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::data::{Schema, SchemaAndValue, Value};
/// use connect_api::error::{DataError, Result};
/// use connect_api::header::Headers;
/// use connect_api::storage::Converter;
///
/// /// Values as UTF-8 text, read back as optional strings.
/// struct Utf8;
///
/// #[async_trait]
/// impl Converter for Utf8 {
///     fn configure(&mut self, _configs: &ConfigMap, _is_key: bool) -> Result<()> { Ok(()) }
///     async fn from_connect_data(
///         &self,
///         _topic: &str,
///         _headers: &mut Headers,
///         _schema: Option<&Schema>,
///         value: &Value,
///     ) -> Result<Option<Bytes>> {
///         Ok((!value.is_null()).then(|| Bytes::from(value.to_string())))
///     }
///     async fn to_connect_data(&self, topic: &str, _headers: &Headers, data: Option<&[u8]>) -> Result<SchemaAndValue> {
///         let Some(data) = data else { return Ok(SchemaAndValue::NULL) };
///         let text = std::str::from_utf8(data).map_err(|e| DataError::new(format!("{topic}: {e}")))?;
///         Ok(SchemaAndValue::new(Some(Schema::optional_string()), text.into()))
///     }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
///
/// let mut headers = Headers::new();
/// futures::executor::block_on(async {
///     let bytes = Utf8.from_connect_data("orders", &mut headers, None, &Value::Int32(7)).await?;
///     assert_eq!(bytes.as_deref(), Some(&b"7"[..]));
///     let back = Utf8.to_connect_data("orders", &headers, bytes.as_deref()).await?;
///     assert_eq!(back.value.as_str(), Some("7"));
///     assert!(Utf8.to_connect_data("orders", &headers, Some(&[0xff])).await.is_err());
///     Ok::<(), connect_api::error::ConnectError>(())
/// })?;
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[async_trait]
pub trait Converter: Send + Sync {
    /// Configures the converter; `is_key` tells whether it handles keys or values.
    fn configure(&mut self, configs: &ConfigMap, is_key: bool) -> Result<()>;

    /// Serializes a value; `Ok(None)` is a null (a tombstone for values).
    #[allow(clippy::wrong_self_convention)] // Kafka's name, kept for recognisability
    async fn from_connect_data(
        &self,
        topic: &str,
        headers: &mut Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>>;

    /// Deserializes bytes; `None` data gives [`SchemaAndValue::NULL`] or the converter's null.
    async fn to_connect_data(
        &self,
        topic: &str,
        headers: &Headers,
        data: Option<&[u8]>,
    ) -> Result<SchemaAndValue>;

    /// The converter's configuration definition.
    fn config(&self) -> ConfigDef;

    /// The converter's version.
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }
}

/// Converts header values between Connect data and bytes.
///
/// Called once per header, with the header's key; unlike [`Converter`] it is not async.
///
/// ```
/// use bytes::Bytes;
/// use connect_api::config::{ConfigDef, ConfigMap};
/// use connect_api::data::{Schema, SchemaAndValue, Value};
/// use connect_api::error::{DataError, Result};
/// use connect_api::storage::HeaderConverter;
///
/// /// Header values as UTF-8 text.
/// struct TextHeaders;
///
/// impl HeaderConverter for TextHeaders {
///     fn configure(&mut self, _configs: &ConfigMap) -> Result<()> { Ok(()) }
///     fn to_connect_header(&self, _topic: &str, key: &str, value: Option<&[u8]>) -> Result<SchemaAndValue> {
///         let Some(value) = value else { return Ok(SchemaAndValue::NULL) };
///         let text = std::str::from_utf8(value).map_err(|e| DataError::new(format!("header {key}: {e}")))?;
///         Ok(SchemaAndValue::new(Some(Schema::optional_string()), text.into()))
///     }
///     fn from_connect_header(
///         &self,
///         _topic: &str,
///         _key: &str,
///         _schema: Option<&Schema>,
///         value: &Value,
///     ) -> Result<Option<Bytes>> {
///         Ok((!value.is_null()).then(|| Bytes::from(value.to_string())))
///     }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
///
/// let bytes = TextHeaders.from_connect_header("orders", "retries", None, &Value::Int32(3))?;
/// assert_eq!(bytes.as_deref(), Some(&b"3"[..]));
/// let back = TextHeaders.to_connect_header("orders", "retries", bytes.as_deref())?;
/// assert_eq!(back.value.as_str(), Some("3"));
/// assert_eq!(TextHeaders.to_connect_header("orders", "retries", None)?, SchemaAndValue::NULL);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
pub trait HeaderConverter: Send + Sync {
    /// Configures the converter.
    fn configure(&mut self, configs: &ConfigMap) -> Result<()>;

    /// Deserializes one header value.
    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue>;

    /// Serializes one header value; `Ok(None)` is a null header value.
    #[allow(clippy::wrong_self_convention)] // Kafka's name, kept for recognisability
    fn from_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>>;

    /// The converter's configuration definition.
    fn config(&self) -> ConfigDef;

    /// The converter's version.
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }
}
