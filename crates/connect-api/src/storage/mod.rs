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
