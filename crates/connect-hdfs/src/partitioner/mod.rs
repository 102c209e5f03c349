//! Partitioners: the directory (encoded partition) each record is written to, as Confluent's
//! storage-common partitioners name them.
//!
//! [`partitioner_from_config`] reads `partitioner.class` and the other [`PartitionerConfig`]
//! keys and builds one of:
//! - [`DefaultPartitioner`]: `partition=<kafka partition>`;
//! - [`FieldPartitioner`]: `<field>=<value>/...` from fields of a Struct value;
//! - [`TimeBasedPartitioner`]: time buckets printed with a Joda-Time `path.format`, also as
//!   `HourlyPartitioner` and `DailyPartitioner`, with the timestamp taken from the wall clock,
//!   the Kafka record or a field of the value ([`TimestampExtractorKind`]).
//!
//! The Joda-Time pieces they need are here too: [`JodaZone`] (time zone IDs and local/UTC
//! conversions) and [`JodaFormatter`] (printing patterns).

use std::fmt;

use connect_api::config::{ConfigMap, ConnectConfig};
use connect_api::error::ConfigError;
use connect_api::record::SinkRecord;

mod config;
mod default;
mod field;
mod joda;
mod time;
mod timestamp;
mod zone;

pub use config::{
    DEFAULT_PARTITIONER_CLASS, DIRECTORY_DELIM_CONFIG, LOCALE_CONFIG, PARTITION_DURATION_MS_CONFIG,
    PARTITIONER_CLASS_CONFIG, PATH_FORMAT_CONFIG, PartitionerConfig, PartitionerKind,
    PartitionerRecommender, TIMEZONE_CONFIG, TimezoneValidator,
};
pub use default::{DefaultPartitioner, PARTITION_FIELD};
pub use field::{FieldPartitioner, PARTITION_FIELD_NAME_CONFIG};
pub use joda::{DateNames, JodaFormatter, PatternError, resolve_locale};
pub use time::{DAY_MS, HOUR_MS, TimeBasedPartitioner};
pub use timestamp::{
    RecordFieldTimestampExtractor, RecordTimestampExtractor, TIMESTAMP_EXTRACTOR_CONFIG,
    TIMESTAMP_FIELD_CONFIG, TimestampExtractorKind, WallclockTimestampExtractor,
    parse_timestamp_string,
};
pub use zone::{JodaZone, UnknownZoneError};

/// A record that cannot be partitioned (Confluent's `PartitionException`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PartitionError(pub String);

/// Chooses the encoded partition of each record.
pub trait Partitioner: Send + Sync + fmt::Debug {
    /// The encoded partition of `record` (`partition=3`, `year=2024/month=02/day=01`, ...), with
    /// `now_ms` the wall clock for partitioners that use it.
    fn encode_partition(&self, record: &SinkRecord, now_ms: i64) -> Result<String, PartitionError>;

    /// The directory of an encoded partition under `topics.dir`: `<topic><delim><encoded>`.
    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String;

    /// The names of the partition columns (`partition`, the fields, or the time units).
    fn partition_fields(&self) -> Vec<String>;

    /// The record-time clock `rotate.interval.ms` is measured on; `None` means the wall clock.
    fn timestamp_extractor(&self) -> Option<&dyn TimestampExtractor>;

    /// Whether every record of a Kafka partition gets the same encoded partition, so that it
    /// needs computing only once per partition.
    fn depends_only_on_kafka_partition(&self) -> bool {
        false
    }
}

/// Reads the time of a record (Confluent's `TimestampExtractor`).
pub trait TimestampExtractor: Send + Sync + fmt::Debug {
    /// The time of `record` in milliseconds since the epoch.
    fn extract(&self, record: &SinkRecord, now_ms: i64) -> Result<i64, PartitionError>;
}

/// The partitioner a connector configuration asks for: `partitioner.class` (a storage-common
/// class name, its deprecated `io.confluent.connect.hdfs.partitioner.*` alias, or a short name
/// such as `Hourly`) with the keys of [`PartitionerConfig`].
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_hdfs::partitioner::partitioner_from_config;
///
/// let props = ConfigMap::from([
///     ("partitioner.class".to_owned(),
///      "io.confluent.connect.storage.partitioner.HourlyPartitioner".to_owned()),
///     ("locale".to_owned(), "en-US".to_owned()),
///     ("timezone".to_owned(), "UTC".to_owned()),
///     ("timestamp.extractor".to_owned(), "Record".to_owned()),
/// ]);
/// let partitioner = partitioner_from_config(&props)?;
/// let record = SinkRecord::new(
///     // 2014-02-01T03:04:05Z
///     ConnectRecord::new("logs", None, "line".into()).with_timestamp(1_391_223_845_000),
///     0,
///     42,
///     TimestampType::CreateTime,
/// );
/// let encoded = partitioner.encode_partition(&record, 0)?;
/// assert_eq!(encoded, "year=2014/month=02/day=01/hour=03");
/// assert_eq!(
///     partitioner.partitioned_path("logs", &encoded),
///     "logs/year=2014/month=02/day=01/hour=03"
/// );
/// assert_eq!(partitioner.partition_fields(), ["year", "month", "day", "hour"]);
/// assert!(partitioner.timestamp_extractor().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// A key that does not parse, an unknown `partitioner.class` (the message lists the known
/// ones), or a setting the chosen partitioner rejects, with Confluent's messages.
pub fn partitioner_from_config(props: &ConfigMap) -> Result<Box<dyn Partitioner>, ConfigError> {
    PartitionerConfig::from_props(props)?.partitioner()
}
