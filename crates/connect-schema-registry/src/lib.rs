//! Confluent Schema Registry converters for Kafka Connect.
//!
//! [`AvroConverter`] is Confluent's `io.confluent.connect.avro.AvroConverter`: Connect data as
//! Avro in Confluent's wire format, a magic byte `0`, the 4-byte big-endian id of the writer
//! schema in a Schema Registry, then the Avro binary body. What it writes, Confluent's
//! deserializers and converters read, and the other way round: the Avro schemas come from
//! connect-avro's [`AvroData`](connect_avro::AvroData), the one Connect↔Avro mapping of the
//! codebase, which follows Confluent's.
//!
//! * [`config`]: the settings under Confluent's keys and defaults ([`AvroConverterConfig`]), and
//!   the subject name strategies ([`SubjectNameStrategy`]).
//! * [`client`]: the registry's REST calls with failover across URLs, retries with backoff,
//!   basic or bearer authentication, and errors carrying the registry's `error_code`
//!   ([`RegistryClient`], [`RegistryError`]).
//! * [`AvroConverter`] caches schema ids and writer schemas, so that converting records of
//!   schemas it has seen makes no HTTP call.
//!
//! The registry's REST API is reached through the `schema_registry_converter` crate's async
//! client (`perform_sr_call`, one `SrSettings` per URL); [`client`] adds what that client does
//! not do: retries with backoff, Confluent's failover order, `normalize=true` (a reqwest
//! middleware), and errors typed by HTTP status and `error_code`, read back from its errors.
//!
//! Not supported: schemaless values (Confluent's `io.confluent.connect.avro.Anything`), schema
//! references, client-side compatibility checks (`latest.compatibility.strict`), `use.schema.id`,
//! `use.latest.with.metadata`, data contracts and rules, `SASL_INHERIT` credentials, bearer
//! credential sources other than `STATIC_TOKEN`, TLS key and trust stores (the system's root
//! certificates are trusted), proxies, and the JSON Schema and Protobuf converters.

#![warn(missing_docs)]

pub mod client;
pub mod config;
mod converter;
mod error;

pub use client::{RegistryClient, RegistryError, RegistryRequest};
pub use config::{AvroConverterConfig, RegistryAuth, RetryPolicy, SubjectNameStrategy};
pub use converter::{AvroConverter, HEADER_LEN, MAGIC_BYTE};
pub use error::AvroConverterError;
