//! A small Kafka protocol client for the APIs rskafka lacks: group membership, committed
//! offsets, and topic administration with configs.
//!
//! It is the only place in the project that handles raw Kafka protocol, on the
//! `kafka-protocol` crate's message codecs. Layers:
//!
//! * [`BrokerConnection`]: one connection to one broker over TCP, optionally TLS (rustls) and
//!   SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); 4-byte length framing, correlation ids,
//!   request/response header versions, and ApiVersions negotiation (every request uses the
//!   highest version that the broker and this client both support). One request at a time
//!   per connection. Its methods send one request each: [`BrokerConnection::find_coordinator`],
//!   [`join_group`](BrokerConnection::join_group), [`sync_group`](BrokerConnection::sync_group),
//!   [`heartbeat`](BrokerConnection::heartbeat), [`leave_group`](BrokerConnection::leave_group),
//!   [`offset_commit`](BrokerConnection::offset_commit),
//!   [`offset_fetch`](BrokerConnection::offset_fetch),
//!   [`offset_delete`](BrokerConnection::offset_delete),
//!   [`create_topic`](BrokerConnection::create_topic),
//!   [`describe_topic_configs`](BrokerConnection::describe_topic_configs) and
//!   [`controller`](BrokerConnection::controller) (Metadata).
//! * [`Cluster`]: the bootstrap brokers, with a cached connection, topic creation on the
//!   controller, and retries with backoff within a [`RetryPolicy`].
//! * [`GroupCoordinator`]: one group's coordinator, found through FindCoordinator and found
//!   again when it moves (`NOT_COORDINATOR`, `COORDINATOR_NOT_AVAILABLE`), waited for while it
//!   loads (`COORDINATOR_LOAD_IN_PROGRESS`), reconnected after a connection failure.
//!
//! Requests and results are this module's own types ([`JoinGroup`], [`JoinGroupResult`],
//! [`SyncGroup`], ...); Kafka error codes are [`ErrorCode`]s inside [`ClientError::Broker`].

mod admin;
mod client;
mod connection;
mod error;
mod group;
mod offsets;
mod sasl;

pub use client::{Cluster, GroupCoordinator, RetryPolicy};
pub use connection::{ApiRequest, BrokerConnection, ConnectionConfig};
pub use error::{ClientError, ErrorCode};
pub use group::{BrokerAddress, GroupMember, GroupProtocol, JoinGroup, JoinGroupResult, SyncGroup};
pub use offsets::{CommitAs, TopicPartition};
pub use sasl::{SaslConfig, SaslMechanism};

pub(crate) use connection::split_host_port;
pub(crate) use error::upper_snake;
