//! Kafka Connect's distributed mode: workers that share connectors and tasks through Kafka's
//! group coordinator, joining one group and letting its leader assign the work.
//!
//! The parts so far, each byte for byte or rule for rule as Apache Kafka Connect:
//!
//! * [`protocol`]: the metadata a worker sends when it joins the group and the assignments the
//!   leader hands back (sub-protocols `default`, `compatible` and `sessioned`);
//! * [`assignor`]: the leader's incremental cooperative assignment (KIP-415): only moved work is
//!   revoked, and the work of a vanished worker waits `scheduled.rebalance.max.delay.ms`;
//! * [`records`]: the records of the config and status topics;
//! * [`config_store`]: the config topic read into a snapshot, and the leader's writes to it;
//! * [`status_store`]: the status topic, written by each worker for what it runs, read by all;
//! * [`member`]: a worker's membership of the group (join, sync, heartbeats, rebalances).

pub mod assignor;
pub mod config_store;
pub mod member;
pub mod protocol;
pub mod records;
pub mod status_store;
