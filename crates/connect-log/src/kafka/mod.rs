//! The Kafka log: [`KafkaLog`] implements [`Log`](crate::Log) on a Kafka cluster.
//!
//! * [`KafkaConfig`] reads the Kafka client config keys (`bootstrap.servers`,
//!   `security.protocol`, `sasl.*`, `ssl.*`, timeouts, `compression.type`).
//! * [`KafkaLog`] uses rskafka for produce, fetch, offsets and metadata, and
//!   [`protocol`] for what rskafka lacks.
//! * [`protocol`] is a small Kafka protocol client (on the `kafka-protocol` codecs) for group
//!   membership, committed offsets and topic administration; distributed mode builds on its
//!   [`GroupCoordinator`](protocol::GroupCoordinator).

mod config;
mod log;
pub mod protocol;
mod tls;

pub use config::{
    ClientIdentity, CompressionType, KafkaConfig, PemSource, SecurityProtocol, TlsConfig,
    TrustStore,
};
pub use log::KafkaLog;
pub use protocol::{SaslConfig, SaslMechanism};
