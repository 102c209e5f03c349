//! [`JsonConverter`]: Kafka's `org.apache.kafka.connect.json.JsonConverter`, byte for byte.
//!
//! With `schemas.enable=true` (the default) every message is an envelope
//! `{"schema":<schema>,"payload":<value>}`; otherwise the payload alone, read back without a
//! schema. The output bytes are the ones Kafka's converter produces (key order, number text,
//! escapes), so records written by either can be read by the other.
//!
//! The work is split by direction: `schema` translates schemas both ways, `write` streams a
//! value out as JSON, `read` parses JSON straight into a value, `format` holds Jackson's number
//! and escape formatting (the Java number text itself comes from the crate's `java` module),
//! `lexical` the number-token scanning, `cache` the schema caches, `trail` the error locations
//! and `dedupe` the handling of repeated map keys.

mod cache;
pub mod config;
mod dedupe;
mod format;
mod lexical;
mod read;
mod schema;
mod trail;
mod write;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

use self::cache::BoundedCache;
pub use self::config::{DecimalFormat, JsonConverterConfig};
use self::read::Reader;
use self::write::WriteCtx;
use crate::config::{ConfigDef, ConfigMap};
use crate::data::{Schema, SchemaAndValue, Value};
use crate::error::{DataError, Result};
use crate::storage::codec::{self, Codec};

/// Converts Connect data to and from JSON exactly as Kafka's `JsonConverter`, for keys, values
/// and headers.
///
/// The methods [`JsonConverter::encode`] and [`JsonConverter::decode`] do the work without the
/// async [`Converter`](crate::storage::Converter) signature; the trait methods call them. As a
/// header converter, each header value is one message (Kafka delegates the same way), and
/// `converter.type` defaults to `header` when absent.
///
/// ```
/// use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Struct};
/// use connect_api::storage::json::JsonConverter;
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", Schema::int64())
///     .field("name", Schema::optional_string())
///     .build()?;
/// let value = Struct::new(schema.clone())?.with("id", 7i64)?.with("name", "ada")?;
///
/// let converter = JsonConverter::new();
/// let bytes = converter.encode(Some(&schema), &value.clone().into())?.expect("not a tombstone");
/// assert_eq!(
///     std::str::from_utf8(&bytes)?,
///     concat!(
///         r#"{"schema":{"type":"struct","fields":["#,
///         r#"{"type":"int64","optional":false,"field":"id"},"#,
///         r#"{"type":"string","optional":true,"field":"name"}],"optional":false},"#,
///         r#""payload":{"id":7,"name":"ada"}}"#
///     )
/// );
/// assert_eq!(converter.decode(Some(&bytes))?, SchemaAndValue::new(Some(schema), value.into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct JsonConverter {
    config: JsonConverterConfig,
    /// Connect schema → its JSON text (`asJsonSchema`).
    to_json_schemas: BoundedCache<Schema, Arc<[u8]>>,
    /// JSON schema text → Connect schema (`asConnectSchema`).
    to_connect_schemas: BoundedCache<Arc<str>, Schema>,
    /// The size of the last message written, to size the next buffer.
    size_hint: AtomicUsize,
}

/// The largest buffer size carried over from one message to the next.
const MAX_SIZE_HINT: usize = 64 * 1024;

impl Default for JsonConverter {
    fn default() -> Self {
        Self::with_config(JsonConverterConfig::default())
    }
}

impl std::fmt::Debug for JsonConverter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonConverter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl JsonConverter {
    /// A converter with Kafka's defaults: schemas enabled, base64 decimals, nulls replaced by
    /// defaults, 1000 cached schemas each way.
    pub fn new() -> Self {
        Self::default()
    }

    /// A converter with the given settings.
    pub fn with_config(config: JsonConverterConfig) -> Self {
        let capacity = config.cache_capacity();
        Self {
            config,
            to_json_schemas: BoundedCache::new(capacity),
            to_connect_schemas: BoundedCache::new(capacity),
            size_hint: AtomicUsize::new(128),
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> &JsonConverterConfig {
        &self.config
    }

    /// Serializes a value (Kafka's `fromConnectData`). A null value without a schema is a
    /// tombstone: `Ok(None)`, whatever `schemas.enable` says.
    pub fn encode(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>, DataError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.size_hint.load(Ordering::Relaxed));
        let ctx = WriteCtx::new(
            self.config.decimal_format,
            self.config.replace_null_with_default,
            "value",
        );
        if self.config.schemas_enable {
            out.extend_from_slice(b"{\"schema\":");
            match schema {
                Some(schema) => out.extend_from_slice(&self.json_schema_bytes(schema)?),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
            write::write_value(&mut out, schema, value, &ctx)?;
            out.push(b'}');
        } else {
            write::write_value(&mut out, schema, value, &ctx)?;
        }
        self.size_hint
            .store(out.len().min(MAX_SIZE_HINT), Ordering::Relaxed);
        // `Bytes` keeps the whole allocation alive: give back a buffer that ended far larger
        // than its message, so that a burst of large records does not pin memory in batches.
        if out.capacity() > 2 * out.len() + 64 {
            out.shrink_to_fit();
        }
        Ok(Some(Bytes::from(out)))
    }

    /// Deserializes a message (Kafka's `toConnectData`). `None` gives
    /// [`SchemaAndValue::NULL`]; so do empty bytes when schemas are disabled.
    pub fn decode(&self, data: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let Some(data) = data else {
            return Ok(SchemaAndValue::NULL);
        };
        let lookup = |text: &str| self.connect_schema(text);
        Reader {
            schemas_enable: self.config.schemas_enable,
            replace_null_with_default: self.config.replace_null_with_default,
            lookup: &lookup,
        }
        .read(data)
    }

    /// The JSON schema Kafka writes for `schema` (`asJsonSchema`).
    ///
    /// ```
    /// use connect_api::data::logical;
    /// use connect_api::storage::json::JsonConverter;
    /// let json = JsonConverter::new().as_json_schema(&logical::date_schema())?;
    /// assert_eq!(
    ///     json,
    ///     r#"{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1}"#
    /// );
    /// # Ok::<(), connect_api::error::DataError>(())
    /// ```
    pub fn as_json_schema(&self, schema: &Schema) -> Result<String, DataError> {
        let bytes = self.json_schema_bytes(schema)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|e| DataError::new(format!("JSON schema is not UTF-8: {e}")))
    }

    /// The Connect schema of a JSON schema (`asConnectSchema`); `null` gives `None`.
    pub fn as_connect_schema(&self, json: &str) -> Result<Option<Schema>, DataError> {
        self.connect_schema(json.trim())
    }

    /// The number of cached schemas: (Connect → JSON, JSON → Connect).
    pub fn schema_cache_sizes(&self) -> (usize, usize) {
        (self.to_json_schemas.len(), self.to_connect_schemas.len())
    }

    fn json_schema_bytes(&self, schema: &Schema) -> Result<Arc<[u8]>, DataError> {
        if let Some(bytes) = self.to_json_schemas.get(schema, Schema::ptr_eq) {
            return Ok(bytes);
        }
        let ctx = WriteCtx::new(
            self.config.decimal_format,
            self.config.replace_null_with_default,
            "schema",
        );
        let bytes: Arc<[u8]> = schema::write_json_schema(schema, &ctx)?.into();
        self.to_json_schemas.insert(schema.clone(), bytes.clone());
        Ok(bytes)
    }

    fn connect_schema(&self, text: &str) -> Result<Option<Schema>, DataError> {
        if text == "null" {
            return Ok(None);
        }
        if let Some(schema) = self.to_connect_schemas.get(text, |k, q| **k == *q) {
            return Ok(Some(schema));
        }
        let parsed = schema::read_json_schema(text, self.config.replace_null_with_default)?;
        if let Some(schema) = &parsed {
            self.to_connect_schemas
                .insert(Arc::from(text), schema.clone());
        }
        Ok(parsed)
    }
}

impl Codec for JsonConverter {
    fn definition() -> ConfigDef {
        JsonConverterConfig::config_def()
    }

    fn apply_config(&mut self, props: &ConfigMap) -> Result<()> {
        *self = Self::with_config(JsonConverterConfig::from_props(props)?);
        Ok(())
    }

    fn write(&self, _topic: &str, schema: Option<&Schema>, value: &Value) -> Result<Option<Bytes>> {
        Ok(self.encode(schema, value)?)
    }

    fn read(&self, _topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue> {
        Ok(self.decode(data)?)
    }
}

codec::converter_traits!(impl for JsonConverter);
