//! Records: what source tasks produce ([`SourceRecord`]) and sink tasks consume ([`SinkRecord`]).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::data::{Schema, Value};
use crate::header::Headers;

/// A source partition or source offset: string keys to JSON primitives, as Kafka Connect stores
/// them in the offsets topic (`{"filename": "a.txt"}`, `{"position": 42}`).
pub type OffsetMap = serde_json::Map<String, serde_json::Value>;

/// A topic and partition.
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::record::{OffsetAndMetadata, TopicPartition};
///
/// let partition = TopicPartition::new("orders", 3);
/// assert_eq!(partition.to_string(), "orders-3");
/// assert!(TopicPartition::new("orders", 1) < partition);
///
/// // Keys the offsets a sink task commits.
/// let offsets = HashMap::from([(partition.clone(), OffsetAndMetadata::new(42))]);
/// assert_eq!(offsets[&partition].offset, 42);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition.
    pub partition: i32,
}

impl TopicPartition {
    /// A topic-partition.
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

/// `topic-partition`, as Kafka prints it.
impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// An offset to commit for a partition, with optional metadata (Kafka's `OffsetAndMetadata`).
///
/// The offset is that of the next record to consume: one past the last record written.
///
/// ```
/// use connect_api::record::{ConnectRecord, OffsetAndMetadata, SinkRecord, TimestampType};
///
/// let last = SinkRecord::new(ConnectRecord::new("orders", None, "o-9".into()), 0, 41, TimestampType::CreateTime);
/// let commit = OffsetAndMetadata::new(last.original_kafka_offset() + 1);
/// assert_eq!(commit.offset, 42);
/// assert!(commit.metadata.is_empty());
///
/// let with_note = OffsetAndMetadata { metadata: "file-0007.parquet".into(), ..commit };
/// assert_eq!(with_note.metadata, "file-0007.parquet");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OffsetAndMetadata {
    /// The offset of the next record to consume.
    pub offset: i64,
    /// Free-form metadata stored with the commit.
    pub metadata: String,
}

impl OffsetAndMetadata {
    /// An offset with empty metadata.
    pub fn new(offset: i64) -> Self {
        Self {
            offset,
            metadata: String::new(),
        }
    }
}

/// How a record's timestamp was set.
///
/// `Display` gives Kafka's name.
///
/// ```
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
///
/// let record = SinkRecord::new(
///     ConnectRecord::new("orders", None, "o-1".into()).with_timestamp(1_700_000_000_000),
///     0,
///     7,
///     TimestampType::LogAppendTime,
/// );
/// assert_eq!(record.timestamp_type.to_string(), "LogAppendTime");
/// assert_eq!(TimestampType::default(), TimestampType::NoTimestampType);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampType {
    /// The record has no timestamp.
    #[default]
    NoTimestampType,
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when it appended the record.
    LogAppendTime,
}

impl fmt::Display for TimestampType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampType::NoTimestampType => "NoTimestampType",
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        })
    }
}

/// What every record has: topic, partition, key and value with their schemas, timestamp and
/// headers (Kafka's `ConnectRecord`). [`SourceRecord`] and [`SinkRecord`] dereference to it, so
/// `record.value` and `record.topic` work on both.
///
/// ```
/// use connect_api::data::Schema;
/// use connect_api::record::ConnectRecord;
///
/// let record = ConnectRecord::new("orders", Some(Schema::string()), "created".into())
///     .with_key(Some(Schema::int64()), 7i64.into())
///     .with_timestamp(1_700_000_000_000);
/// assert_eq!(&*record.topic, "orders");
/// assert_eq!(record.kafka_partition, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRecord {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition, or `None` to let the producer choose.
    pub kafka_partition: Option<i32>,
    /// The key schema.
    pub key_schema: Option<Schema>,
    /// The key.
    pub key: Value,
    /// The value schema.
    pub value_schema: Option<Schema>,
    /// The value; `Value::Null` with no schema is a tombstone.
    pub value: Value,
    /// Milliseconds since the epoch.
    pub timestamp: Option<i64>,
    /// The headers.
    pub headers: Headers,
}

impl ConnectRecord {
    /// A record with a value and nothing else.
    pub fn new(topic: impl Into<Arc<str>>, value_schema: Option<Schema>, value: Value) -> Self {
        Self {
            topic: topic.into(),
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp: None,
            headers: Headers::new(),
        }
    }

    /// Sets the key and its schema.
    #[must_use]
    pub fn with_key(mut self, key_schema: Option<Schema>, key: Value) -> Self {
        self.key_schema = key_schema;
        self.key = key;
        self
    }

    /// Sets the partition.
    #[must_use]
    pub fn with_partition(mut self, partition: i32) -> Self {
        self.kafka_partition = Some(partition);
        self
    }

    /// Sets the timestamp (milliseconds since the epoch).
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Sets the headers.
    #[must_use]
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

/// A record produced by a source task, with the source partition and offset the runtime commits
/// once the record is written.
///
/// ```
/// use connect_api::data::Schema;
/// use connect_api::record::{OffsetMap, SourceRecord};
/// use serde_json::json;
///
/// let partition: OffsetMap = json!({"filename": "in.txt"}).as_object().cloned().unwrap_or_default();
/// let offset: OffsetMap = json!({"position": 12}).as_object().cloned().unwrap_or_default();
/// let record = SourceRecord::new(partition, offset, "lines", Some(Schema::string()), "hello".into());
/// assert_eq!(record.value.as_str(), Some("hello"));
/// assert_eq!(record.source_offset["position"], 12);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    /// Where in the source system the record came from (shared by the records of one partition).
    pub source_partition: Arc<OffsetMap>,
    /// The position in the source partition after this record.
    pub source_offset: OffsetMap,
    record: ConnectRecord,
}

impl SourceRecord {
    /// A source record with a value.
    pub fn new(
        source_partition: impl Into<Arc<OffsetMap>>,
        source_offset: OffsetMap,
        topic: impl Into<Arc<str>>,
        value_schema: Option<Schema>,
        value: Value,
    ) -> Self {
        Self::from_record(
            source_partition,
            source_offset,
            ConnectRecord::new(topic, value_schema, value),
        )
    }

    /// A source record from a complete [`ConnectRecord`].
    pub fn from_record(
        source_partition: impl Into<Arc<OffsetMap>>,
        source_offset: OffsetMap,
        record: ConnectRecord,
    ) -> Self {
        Self {
            source_partition: source_partition.into(),
            source_offset,
            record,
        }
    }

    /// The common record fields.
    pub fn record(&self) -> &ConnectRecord {
        &self.record
    }

    /// Sets the key and its schema.
    #[must_use]
    pub fn with_key(mut self, key_schema: Option<Schema>, key: Value) -> Self {
        self.record = self.record.with_key(key_schema, key);
        self
    }

    /// Sets the partition.
    #[must_use]
    pub fn with_partition(mut self, partition: i32) -> Self {
        self.record.kafka_partition = Some(partition);
        self
    }

    /// Sets the timestamp.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.record.timestamp = Some(timestamp);
        self
    }

    /// Sets the headers.
    #[must_use]
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.record.headers = headers;
        self
    }
}

/// A record read from Kafka and handed to a sink task.
///
/// The `original_*` coordinates are those the record had when it was read, before any transform
/// changed its topic or partition (KIP-793); commit offsets against them.
///
/// ```
/// use connect_api::data::Schema;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType, TopicPartition};
///
/// let read = ConnectRecord::new("orders", Some(Schema::string()), "o-1".into());
/// let mut record = SinkRecord::new(read, 3, 42, TimestampType::CreateTime);
/// assert_eq!(record.kafka_partition(), 3);
///
/// record.topic = "orders-archive".into(); // as a routing transform would
/// assert_eq!(&*record.topic, "orders-archive");
/// assert_eq!(record.original_topic_partition(), TopicPartition::new("orders", 3));
/// assert_eq!(record.original_kafka_offset(), 42);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkRecord {
    /// The offset of the record in its partition.
    pub kafka_offset: i64,
    /// How the timestamp was set.
    pub timestamp_type: TimestampType,
    original_topic: Arc<str>,
    original_kafka_partition: i32,
    original_kafka_offset: i64,
    record: ConnectRecord,
}

impl SinkRecord {
    /// A sink record read at `partition` / `kafka_offset` of `record.topic`.
    pub fn new(
        record: ConnectRecord,
        partition: i32,
        kafka_offset: i64,
        timestamp_type: TimestampType,
    ) -> Self {
        let mut record = record;
        record.kafka_partition = Some(partition);
        Self {
            kafka_offset,
            timestamp_type,
            original_topic: record.topic.clone(),
            original_kafka_partition: partition,
            original_kafka_offset: kafka_offset,
            record,
        }
    }

    /// The common record fields.
    pub fn record(&self) -> &ConnectRecord {
        &self.record
    }

    /// The partition (always set for sink records).
    pub fn kafka_partition(&self) -> i32 {
        self.record
            .kafka_partition
            .unwrap_or(self.original_kafka_partition)
    }

    /// The topic the record was read from.
    pub fn original_topic(&self) -> &str {
        &self.original_topic
    }

    /// The partition the record was read from.
    pub fn original_kafka_partition(&self) -> i32 {
        self.original_kafka_partition
    }

    /// The offset the record was read at.
    pub fn original_kafka_offset(&self) -> i64 {
        self.original_kafka_offset
    }

    /// The topic-partition the record was read from.
    pub fn original_topic_partition(&self) -> TopicPartition {
        TopicPartition::new(self.original_topic.clone(), self.original_kafka_partition)
    }
}

macro_rules! deref_to_record {
    ($($t:ty),*) => {$(
        impl Deref for $t {
            type Target = ConnectRecord;
            fn deref(&self) -> &ConnectRecord {
                &self.record
            }
        }
        impl DerefMut for $t {
            fn deref_mut(&mut self) -> &mut ConnectRecord {
                &mut self.record
            }
        }
        impl Record for $t {}
    )*};
}

/// A record a transform or predicate can work on: [`SourceRecord`] or [`SinkRecord`].
///
/// Code generic over `Record` reaches the common fields of [`ConnectRecord`] through `Deref`:
///
/// ```
/// use connect_api::record::{ConnectRecord, OffsetMap, Record, SinkRecord, SourceRecord, TimestampType};
///
/// fn with_prefix<R: Record>(mut record: R, prefix: &str) -> R {
///     record.topic = format!("{prefix}{}", record.topic).into();
///     record
/// }
///
/// let source = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "orders", None, "o-1".into());
/// assert_eq!(&*with_prefix(source, "dc1.").topic, "dc1.orders");
/// let sink = SinkRecord::new(ConnectRecord::new("orders", None, "o-1".into()), 0, 7, TimestampType::CreateTime);
/// assert_eq!(&*with_prefix(sink, "dc1.").topic, "dc1.orders");
/// ```
pub trait Record:
    Deref<Target = ConnectRecord> + DerefMut + Clone + fmt::Debug + Send + Sync + 'static
{
}

deref_to_record!(SourceRecord, SinkRecord);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_record_keeps_original_coordinates() {
        let mut r = SinkRecord::new(
            ConnectRecord::new("in", None, "v".into()),
            3,
            42,
            TimestampType::CreateTime,
        );
        r.topic = "routed".into();
        r.kafka_partition = Some(0);
        assert_eq!(r.original_topic(), "in");
        assert_eq!(r.original_kafka_partition(), 3);
        assert_eq!(r.original_kafka_offset(), 42);
        assert_eq!(r.kafka_partition(), 0);
        assert_eq!(r.original_topic_partition().to_string(), "in-3");
    }
}
