//! Kafka Connect's distributed mode: workers that share connectors and tasks through Kafka's
//! group coordinator, joining one group and letting its leader assign the work.
//!
//! Its parts, each byte for byte or rule for rule as Apache Kafka Connect:
//!
//! * [`protocol`]: the metadata a worker sends when it joins the group and the assignments the
//!   leader hands back (sub-protocols `default`, `compatible` and `sessioned`);
//! * [`assignor`]: the leader's incremental cooperative assignment (KIP-415): only moved work is
//!   revoked, and the work of a vanished worker waits `scheduled.rebalance.max.delay.ms`;
//! * [`records`]: the records of the config and status topics;
//! * [`config_store`]: the config topic read into a snapshot, and the leader's writes to it;
//! * [`status_store`]: the status topic, written by each worker for what it runs, read by all;
//! * [`member`]: a worker's membership of the group (join, sync, heartbeats, rebalances);
//! * [`signature`]: the session keys and signatures of requests between workers (KIP-507);
//! * the herder, which runs what the group assigns this worker with the runtime's connectors
//!   and tasks and answers the [`Runtime`](crate::Runtime)'s operations for the cluster:
//!   reads from the config and status topics, writes through the leader.
//!
//! A distributed worker is a [`Runtime`](crate::Runtime) built from
//! [`WorkerConfig::distributed`](crate::config::WorkerConfig::distributed), or the
//! `connect-distributed` binary.

pub mod assignor;
pub mod config_store;
pub(crate) mod herder;
pub mod member;
pub mod protocol;
pub mod records;
pub mod signature;
pub mod status_store;

pub use herder::ClusterRedirect;
