//! Kafka Connect's distributed mode: workers that share connectors and tasks through Kafka's
//! group coordinator, joining one group and letting its leader assign the work.
//!
//! The parts so far, each byte for byte or rule for rule as Apache Kafka Connect:
//!
//! * [`protocol`]: the metadata a worker sends when it joins the group and the assignments the
//!   leader hands back (sub-protocols `default`, `compatible` and `sessioned`);
//! * [`assignor`]: the leader's incremental cooperative assignment (KIP-415): only moved work is
//!   revoked, and the work of a vanished worker waits `scheduled.rebalance.max.delay.ms`;
//! * [`records`]: the records of the config and status topics.

pub mod assignor;
pub mod protocol;
pub mod records;
