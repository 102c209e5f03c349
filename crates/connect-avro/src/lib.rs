//! Kafka Connect data in Avro: Confluent's `io.confluent.connect.avro.AvroData`, the one
//! mapping between Connect schemas and values and Avro schemas and values in this codebase.
//! File formats (the HDFS connector's Avro files) and converters (the Confluent wire format)
//! build on it, so that what they write is what Confluent's Java code writes and reads.
//!
//! The mapping, in short:
//! - INT8 and INT16 become Avro `int` with `"connect.type": "int8"`/`"int16"`; INT32 `int`,
//!   INT64 `long`, FLOAT32 `float`, FLOAT64 `double`, BOOLEAN, STRING, BYTES the same.
//! - Optional schemas become `["null", T]` unions (`[T, "null"]` when they have a default), and
//!   optional struct fields get the default `null`.
//! - Structs become records named after the schema (split into namespace and name), or
//!   `io.confluent.connect.avro.ConnectDefault` (then `ConnectDefault2`, ...) when unnamed.
//! - Maps with required string keys become Avro maps; other maps become arrays of
//!   `io.confluent.connect.avro.MapEntry` records with `key` and `value` fields.
//! - Decimal becomes `bytes` with `logicalType: decimal`, `scale` and `precision` (the
//!   `connect.decimal.precision` parameter, 64 by default); Date `int`/`date`, Time
//!   `int`/`time-millis`, Timestamp `long`/`timestamp-millis`.
//! - With [`AvroDataConfig::connect_meta_data`], `connect.name`, `connect.version`,
//!   `connect.doc`, `connect.parameters` and `connect.default` keep everything else.
//! - With [`AvroDataConfig::enhanced_avro_schema_support`], strings carrying the
//!   `io.confluent.connect.avro.Enum` parameter become Avro enums.
//!
//! [`AvroData::encode`] (or an [`AvroEncoder`] kept per schema) writes Connect values straight
//! as Avro binary data, byte for byte what apache-avro writes for [`AvroData::from_connect_data`]
//! but without building Avro values. [`AvroData::decode`] (or an [`AvroDecoder`] kept per
//! schema) is the way back: Avro binary data straight to the Connect value
//! [`AvroData::to_connect_data`] gives for what apache-avro decodes.
//!
//! Avro schemas are handled as [`AvroSchema`], which keeps the JSON text next to
//! apache-avro's parsed form, because apache-avro drops properties of primitive types.
//!
//! Not supported: schemaless data (Confluent's `io.confluent.connect.avro.Anything`
//! record), recursive Avro records, and the `generalized.sum.type.support`,
//! `discard.type.doc.default` and `allow.optional.map.keys` options.

mod cache;
mod config;
mod decode;
mod encode;
mod error;
mod from_connect;
mod names;
mod schema;
mod to_connect;

use std::sync::Arc;

use apache_avro::types::Value as AvroValue;
use connect_api::data::{Schema, SchemaAndValue, Value};

pub use config::{
    AvroDataConfig, CONNECT_META_DATA_CONFIG, ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
    SCHEMAS_CACHE_SIZE_CONFIG, SCRUB_INVALID_NAMES_CONFIG,
};
pub use decode::AvroDecoder;
pub use encode::AvroEncoder;
pub use error::AvroDataError;
pub use schema::AvroSchema;

/// Namespace of the records AvroData invents (`ConnectDefault`, `MapEntry`, ...).
pub const NAMESPACE: &str = "io.confluent.connect.avro";
/// Name of records for unnamed structs.
pub const DEFAULT_SCHEMA_NAME: &str = "ConnectDefault";
/// Full name of records for unnamed structs.
pub const DEFAULT_SCHEMA_FULL_NAME: &str = "io.confluent.connect.avro.ConnectDefault";
/// Name of the key/value records of maps whose keys are not strings.
pub const MAP_ENTRY_TYPE_NAME: &str = "MapEntry";
/// The key field of a map entry record.
pub const KEY_FIELD: &str = "key";
/// The value field of a map entry record.
pub const VALUE_FIELD: &str = "value";
/// Property holding the Connect schema name.
pub const CONNECT_NAME_PROP: &str = "connect.name";
/// Property holding the Connect schema doc.
pub const CONNECT_DOC_PROP: &str = "connect.doc";
/// Property holding the Connect schema version.
pub const CONNECT_VERSION_PROP: &str = "connect.version";
/// Property holding the Connect default value.
pub const CONNECT_DEFAULT_VALUE_PROP: &str = "connect.default";
/// Property holding the Connect schema parameters.
pub const CONNECT_PARAMETERS_PROP: &str = "connect.parameters";
/// Property marking a named map entry record.
pub const CONNECT_INTERNAL_TYPE_NAME: &str = "connect.internal.type";
/// Property holding the Connect type Avro cannot express (`int8`, `int16`).
pub const CONNECT_TYPE_PROP: &str = "connect.type";
/// `connect.type` of INT8.
pub const CONNECT_TYPE_INT8: &str = "int8";
/// `connect.type` of INT16.
pub const CONNECT_TYPE_INT16: &str = "int16";
/// Parameter holding an Avro record's doc.
pub const AVRO_RECORD_DOC_PROP: &str = "io.confluent.connect.avro.record.doc";
/// Prefix of the parameters holding Avro field docs.
pub const AVRO_FIELD_DOC_PREFIX_PROP: &str = "io.confluent.connect.avro.field.doc.";
/// Parameter marking a default that came from an Avro field default.
pub const AVRO_FIELD_DEFAULT_FLAG_PROP: &str = "io.confluent.connect.avro.field.default";
/// Prefix of the parameters holding Avro enum docs.
pub const AVRO_ENUM_DOC_PREFIX_PROP: &str = "io.confluent.connect.avro.enum.doc.";
/// Prefix of the parameters holding Avro enum defaults.
pub const AVRO_ENUM_DEFAULT_PREFIX_PROP: &str = "io.confluent.connect.avro.enum.default.";
/// Name of the Connect struct standing for an Avro union.
pub const AVRO_TYPE_UNION: &str = "io.confluent.connect.avro.Union";
/// Parameter marking a Connect string as an Avro enum (its value is the enum's full name;
/// `<this>.<symbol>` parameters list the symbols).
pub const AVRO_TYPE_ENUM: &str = "io.confluent.connect.avro.Enum";
/// Parameter holding the size of an Avro fixed.
pub const CONNECT_AVRO_FIXED_SIZE_PROP: &str = "connect.fixed.size";
/// Decimal parameter holding the Avro precision.
pub const CONNECT_AVRO_DECIMAL_PRECISION_PROP: &str = "connect.decimal.precision";
/// Avro precision of Decimals without `connect.decimal.precision`.
pub const CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT: i64 = 64;

pub(crate) const AVRO_PROP: &str = "avro";
pub(crate) const AVRO_LOGICAL_TYPE_PROP: &str = "logicalType";
pub(crate) const AVRO_LOGICAL_TIMESTAMP_MILLIS: &str = "timestamp-millis";
pub(crate) const AVRO_LOGICAL_TIME_MILLIS: &str = "time-millis";
pub(crate) const AVRO_LOGICAL_DATE: &str = "date";
pub(crate) const AVRO_LOGICAL_DECIMAL: &str = "decimal";
pub(crate) const AVRO_LOGICAL_DECIMAL_SCALE_PROP: &str = "scale";
pub(crate) const AVRO_LOGICAL_DECIMAL_PRECISION_PROP: &str = "precision";

/// Converts between Connect and Avro, caching converted schemas; share one per connector or
/// converter (it is `Send + Sync`).
///
/// ```
/// use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
/// use connect_avro::{AvroData, AvroDataConfig};
///
/// let avro_data = AvroData::new(AvroDataConfig::default());
/// let schema = SchemaBuilder::struct_()
///     .name("com.example.User")
///     .field("id", Schema::int64())
///     .field("email", Schema::optional_string())
///     .build()?;
/// let avro_schema = avro_data.from_connect_schema(&schema)?;
/// assert_eq!(avro_schema.json()["name"], "User");
/// assert_eq!(avro_schema.json()["namespace"], "com.example");
///
/// let user = Struct::new(schema.clone())?.with("id", 7i64)?;
/// let avro_value = avro_data.from_connect_data(&schema, &Value::Struct(user.clone()))?;
/// let back = avro_data.to_connect_data(&schema, avro_value)?;
/// assert_eq!(back, Value::Struct(user));
/// assert_eq!(avro_data.to_connect_schema(&avro_schema)?, schema);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AvroData {
    config: AvroDataConfig,
    from_connect_cache: cache::BoundedCache<Schema, Arc<AvroSchema>>,
    from_connect_recent: cache::RecentByPointer<Arc<AvroSchema>>,
    encoders_recent: cache::RecentByPointer<Arc<AvroEncoder>>,
    to_connect_cache: cache::BoundedCache<(String, Option<i32>), Schema>,
}

impl std::fmt::Debug for AvroData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvroData")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for AvroData {
    fn default() -> Self {
        Self::new(AvroDataConfig::default())
    }
}

impl AvroData {
    /// A converter with its own schema caches.
    pub fn new(config: AvroDataConfig) -> Self {
        Self {
            from_connect_cache: cache::BoundedCache::new(config.schemas_cache_size),
            from_connect_recent: cache::RecentByPointer::new(),
            encoders_recent: cache::RecentByPointer::new(),
            to_connect_cache: cache::BoundedCache::new(config.schemas_cache_size),
            config,
        }
    }

    /// The options this converter was built with.
    pub fn config(&self) -> &AvroDataConfig {
        &self.config
    }

    /// The Avro schema of a Connect schema (Confluent's `fromConnectSchema`), from the cache
    /// when the same (or an equal) schema was converted before.
    pub fn from_connect_schema(&self, schema: &Schema) -> Result<Arc<AvroSchema>, AvroDataError> {
        if let Some(hit) = self.from_connect_recent.get(schema) {
            return Ok(hit);
        }
        if let Some(hit) = self.from_connect_cache.get(schema) {
            self.from_connect_recent.put(schema, hit.clone());
            return Ok(hit);
        }
        let converted = Arc::new(from_connect::SchemaGen::new(&self.config).generate(schema)?);
        self.from_connect_cache
            .put(schema.clone(), converted.clone());
        self.from_connect_recent.put(schema, converted.clone());
        Ok(converted)
    }

    /// The Avro value of a Connect value of `schema` (Confluent's `fromConnectData`), ready to
    /// be encoded with [`AvroSchema::schema`] of [`AvroData::from_connect_schema`].
    pub fn from_connect_data(
        &self,
        schema: &Schema,
        value: &Value,
    ) -> Result<AvroValue, AvroDataError> {
        let avro = self.from_connect_schema(schema)?;
        self.from_connect_data_with(schema, &avro, value)
    }

    /// Like [`AvroData::from_connect_data`], with the Avro schema already at hand.
    pub fn from_connect_data_with(
        &self,
        schema: &Schema,
        avro: &AvroSchema,
        value: &Value,
    ) -> Result<AvroValue, AvroDataError> {
        from_connect::value_to_avro(avro, schema, avro.schema(), value)
    }

    /// The encoder of values of `schema` straight to Avro binary data of
    /// [`AvroData::from_connect_schema`]; cached, like the Avro schema. Keep it when encoding
    /// many values of one schema: [`AvroEncoder::encode`] does no lookup at all.
    pub fn encoder(&self, schema: &Schema) -> Result<Arc<AvroEncoder>, AvroDataError> {
        if let Some(hit) = self.encoders_recent.get(schema) {
            return Ok(hit);
        }
        let encoder = self.from_connect_schema(schema)?.encoder(schema)?;
        self.encoders_recent.put(schema, encoder.clone());
        Ok(encoder)
    }

    /// Appends the Avro binary encoding of `value` (of `schema`) to `out`: the bytes apache-avro
    /// writes for [`AvroData::from_connect_data`] with [`AvroData::from_connect_schema`], without
    /// building an Avro value. On error `out` is left as it was.
    pub fn encode(
        &self,
        schema: &Schema,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<(), AvroDataError> {
        self.encoder(schema)?.encode(value, out)
    }

    /// Like [`AvroData::encode`], with the Avro schema already at hand (one of the shape
    /// [`AvroData::from_connect_schema`] gives `schema`).
    pub fn encode_with(
        &self,
        schema: &Schema,
        avro: &AvroSchema,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<(), AvroDataError> {
        avro.encoder(schema)?.encode(value, out)
    }

    /// The Connect schema of an Avro schema (Confluent's `toConnectSchema`).
    pub fn to_connect_schema(&self, avro: &AvroSchema) -> Result<Schema, AvroDataError> {
        self.to_connect_schema_versioned(avro, None)
    }

    /// Like [`AvroData::to_connect_schema`]; `version` (a Schema Registry version) is used for
    /// the top-level schema when the Avro schema has no `connect.version`.
    pub fn to_connect_schema_versioned(
        &self,
        avro: &AvroSchema,
        version: Option<i32>,
    ) -> Result<Schema, AvroDataError> {
        let key = (avro.text().to_string(), version);
        if let Some(hit) = self.to_connect_cache.get(&key) {
            return Ok(hit);
        }
        let schema = to_connect::SchemaReader::new(&self.config, version).read(avro.json())?;
        self.to_connect_cache.put(key, schema.clone());
        Ok(schema)
    }

    /// The Connect value of an Avro value, read with a Connect schema from
    /// [`AvroData::to_connect_schema`] (Confluent's `toConnectData` without the schema step).
    ///
    /// Members of general Avro unions (Connect's `io.confluent.connect.avro.Union` structs)
    /// are matched to fields by type, as Confluent does.
    pub fn to_connect_data(
        &self,
        schema: &Schema,
        value: AvroValue,
    ) -> Result<Value, AvroDataError> {
        to_connect::value_to_connect(&self.config, schema, value)
    }

    /// The decoder of Avro binary data written with `avro` into Connect values of
    /// [`AvroData::to_connect_schema`]; cached, like the Connect schema. Keep it when decoding
    /// many values of one schema: [`AvroDecoder::decode`] does no lookup at all.
    pub fn decoder(&self, avro: &AvroSchema) -> Result<Arc<AvroDecoder>, AvroDataError> {
        let schema = self.to_connect_schema(avro)?;
        avro.decoder(&schema)
    }

    /// Decodes one datum of Avro binary data written with `avro` (bytes after it are ignored):
    /// the schema and value [`AvroData::to_connect`] gives for what apache-avro decodes, without
    /// building an Avro value.
    pub fn decode(&self, avro: &AvroSchema, bytes: &[u8]) -> Result<SchemaAndValue, AvroDataError> {
        let decoder = self.decoder(avro)?;
        let value = decoder.decode(bytes)?;
        Ok(SchemaAndValue::new(Some(decoder.schema().clone()), value))
    }

    /// Schema and value together (Confluent's `toConnectData(avroSchema, value)`).
    pub fn to_connect(
        &self,
        avro: &AvroSchema,
        value: AvroValue,
    ) -> Result<SchemaAndValue, AvroDataError> {
        let schema = self.to_connect_schema(avro)?;
        let value = self.to_connect_data(&schema, value)?;
        Ok(SchemaAndValue::new(Some(schema), value))
    }
}

#[cfg(test)]
mod decode_tests;
#[cfg(test)]
mod encode_tests;
#[cfg(test)]
mod test_cases;
#[cfg(test)]
mod tests;
