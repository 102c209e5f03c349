//! `DefaultPartitioner`: one directory per Kafka partition, `partition=<n>`.

use connect_api::record::SinkRecord;

use super::{PartitionError, Partitioner, TimestampExtractor};

/// The name of the only partition column.
pub const PARTITION_FIELD: &str = "partition";

/// Keeps Kafka's partitioning: every record goes to `partition=<kafka partition>`.
///
/// ```
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_hdfs::partitioner::{DefaultPartitioner, Partitioner};
///
/// let partitioner = DefaultPartitioner::new("/");
/// let record = SinkRecord::new(
///     ConnectRecord::new("orders", None, "v".into()),
///     12,
///     0,
///     TimestampType::NoTimestampType,
/// );
/// let encoded = partitioner.encode_partition(&record, 0)?;
/// assert_eq!(encoded, "partition=12");
/// assert_eq!(partitioner.partitioned_path("orders", &encoded), "orders/partition=12");
/// # Ok::<(), connect_hdfs::partitioner::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPartitioner {
    delim: String,
}

impl DefaultPartitioner {
    /// A default partitioner joining paths with `delim` (`directory.delim`).
    pub fn new(delim: &str) -> Self {
        Self {
            delim: delim.to_owned(),
        }
    }
}

impl Partitioner for DefaultPartitioner {
    fn encode_partition(
        &self,
        record: &SinkRecord,
        _now_ms: i64,
    ) -> Result<String, PartitionError> {
        Ok(format!("{PARTITION_FIELD}={}", record.kafka_partition()))
    }

    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String {
        format!("{topic}{}{encoded_partition}", self.delim)
    }

    fn partition_fields(&self) -> Vec<String> {
        vec![PARTITION_FIELD.to_owned()]
    }

    fn timestamp_extractor(&self) -> Option<&dyn TimestampExtractor> {
        None
    }

    fn depends_only_on_kafka_partition(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use connect_api::data::{Schema, Value};
    use connect_api::record::{ConnectRecord, TimestampType};

    use super::*;

    #[test]
    fn encodes_the_kafka_partition() {
        let partitioner = DefaultPartitioner::new("/");
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into()),
            3,
            9,
            TimestampType::CreateTime,
        );
        assert_eq!(
            partitioner.encode_partition(&record, 0).unwrap(),
            "partition=3"
        );
        assert_eq!(
            partitioner.partitioned_path("t", "partition=3"),
            "t/partition=3"
        );
        assert_eq!(partitioner.partition_fields(), ["partition"]);
        assert!(partitioner.timestamp_extractor().is_none());
    }

    #[test]
    fn uses_the_partition_after_transforms_and_the_delimiter() {
        let partitioner = DefaultPartitioner::new("_");
        let mut record = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Null),
            3,
            9,
            TimestampType::NoTimestampType,
        );
        record.kafka_partition = Some(5);
        let encoded = partitioner.encode_partition(&record, 0).unwrap();
        assert_eq!(encoded, "partition=5");
        assert_eq!(partitioner.partitioned_path("t", &encoded), "t_partition=5");
    }
}
