//! [`AvroConverterError`]: why a record could not be converted, and how that maps onto Connect's
//! error kinds (data, configuration, retriable).

use connect_api::error::{ConfigError, ConnectError, DataError};
use connect_avro::AvroDataError;

use crate::client::RegistryError;
use crate::converter::AvroConverter;

/// What went wrong converting one key or value, or configuring the converter.
#[derive(Debug, thiserror::Error)]
pub enum AvroConverterError {
    /// A conversion was asked of a converter that was never configured.
    #[error("{} is not configured: call configure() first", AvroConverter::CLASS)]
    NotConfigured,
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A non-null value came without a schema; Avro needs one.
    #[error(
        "a value without a schema cannot be written as Avro (schemaless data is not supported); \
         give the record a schema or use a schemaless converter such as JsonConverter with \
         schemas.enable=false"
    )]
    SchemaRequired,
    /// The Connect data has no Avro form, or Avro data has no Connect form.
    #[error(transparent)]
    AvroData(#[from] AvroDataError),
    /// The bytes do not start with Confluent's wire format header.
    #[error(
        "the data is not in Confluent's Schema Registry wire format (magic byte 0, then a 4-byte \
         big-endian schema id, then the Avro body): found {found}; the converter configured is \
         {class}, so the topic must have been written by a Schema Registry Avro serializer or \
         converter, not by another converter such as JsonConverter or StringConverter",
        class = AvroConverter::CLASS
    )]
    WireFormat {
        /// What the bytes look like, e.g. `magic byte 0x7b in 42 bytes`.
        found: String,
    },
    /// The schema id of the data is not in the registry.
    #[error("schema id {id} is not in the Schema Registry: {source}")]
    UnknownSchemaId {
        /// The id from the data.
        id: u32,
        /// The registry's answer.
        source: RegistryError,
    },
    /// The registry's schema cannot be used by this converter (not Avro, references).
    #[error("schema id {id} cannot be used: {reason}")]
    UnsupportedSchema {
        /// The schema id.
        id: u32,
        /// Why.
        reason: String,
    },
    /// The Avro body does not decode with the schema its header names.
    #[error(
        "the Avro body ({length} bytes after the 5-byte header) does not match schema id {id}: \
         {message}"
    )]
    Decode {
        /// The schema id from the header.
        id: u32,
        /// The length of the body.
        length: usize,
        /// the decoder's message.
        message: String,
    },
    /// The subject name strategy cannot name a subject for this schema.
    #[error("{0}")]
    Subject(String),
    /// `use.latest.version`: the subject's latest schema cannot encode the data.
    #[error(
        "use.latest.version: the latest schema of subject '{subject}' (id {id}, version \
         {version}) does not have the binary layout of the record's schema, so the record \
         cannot be written with it; the latest schema is {latest}, the record's is {ours}"
    )]
    LatestMismatch {
        /// The subject.
        subject: String,
        /// The latest schema's id.
        id: u32,
        /// The latest version.
        version: i32,
        /// The latest schema's text.
        latest: String,
        /// The record's Avro schema text.
        ours: String,
    },
    /// A registry call failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl AvroConverterError {
    /// Whether the same conversion may pass later: the registry could not be used.
    pub fn is_retriable(&self) -> bool {
        match self {
            AvroConverterError::Registry(e)
            | AvroConverterError::UnknownSchemaId { source: e, .. } => e.is_retriable(),
            _ => false,
        }
    }

    /// The Connect error, its message prefixed with what was being converted (as Confluent's
    /// `Failed to serialize Avro data from topic ...`): retriable when the registry could not be
    /// used, a configuration error for configuration problems, a data error otherwise.
    pub fn into_connect(self, context: &str) -> ConnectError {
        let message = match self {
            AvroConverterError::Config(error) => return ConnectError::Config(error),
            AvroConverterError::NotConfigured => {
                return ConnectError::other(format!("{context}: {self}"));
            }
            _ => format!("{context}: {self}"),
        };
        if self.is_retriable() {
            ConnectError::retriable_from(message, self)
        } else {
            ConnectError::Data(DataError::new(message))
        }
    }
}
