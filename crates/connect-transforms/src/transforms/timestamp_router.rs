//! `TimestampRouter`: routes a record to a topic named after its topic and its timestamp
//! (Kafka's `org.apache.kafka.connect.transforms.TimestampRouter`).

use std::any::Any;
use std::fmt::Write as _;

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::data::Schema;
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::{OffsetMap, Record, SinkRecord, SourceRecord};
use connect_api::transform::Transform;

use super::timestamp_converter::java_date_format::JavaDateFormat;
use crate::common::data_error;

const TOPIC_FORMAT_CONFIG: &str = "topic.format";
const TIMESTAMP_FORMAT_CONFIG: &str = "timestamp.format";
const TOPIC_FORMAT_DEFAULT: &str = "${topic}-${timestamp}";
const TIMESTAMP_FORMAT_DEFAULT: &str = "yyyyMMdd";

/// Sets the topic from the record's topic and timestamp (Kafka's `TimestampRouter`), mainly for
/// sink connectors that name tables or indexes after topics.
///
/// `topic.format` (default `${topic}-${timestamp}`) has `${topic}` replaced by the topic and
/// `${timestamp}` by the record timestamp written with `timestamp.format` (a
/// `java.text.SimpleDateFormat` pattern, default `yyyyMMdd`, in UTC). A record without a
/// timestamp is an error.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::timestamp_router::TimestampRouter;
///
/// let mut router = TimestampRouter::new();
/// let props = ConfigMap::from([("timestamp.format".to_owned(), "yyyy-MM".to_owned())]);
/// Transform::<SinkRecord>::configure(&mut router, &props)?;
/// let record = SinkRecord::new(
///     ConnectRecord::new("orders", None, "v".into()).with_timestamp(1_483_425_001_864),
///     0,
///     42,
///     TimestampType::CreateTime,
/// );
/// let topic = router.apply(record)?.map(|r| r.topic.to_string());
/// assert_eq!(topic.as_deref(), Some("orders-2017-01"));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TimestampRouter {
    topic_format: String,
    timestamp_format: Option<JavaDateFormat>,
}

impl TimestampRouter {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.TimestampRouter";

    /// A router with the default formats (`${topic}-${timestamp}` and `yyyyMMdd`).
    pub fn new() -> Self {
        Self {
            topic_format: TOPIC_FORMAT_DEFAULT.to_owned(),
            timestamp_format: JavaDateFormat::new(TIMESTAMP_FORMAT_DEFAULT).ok(),
        }
    }
}

impl Default for TimestampRouter {
    fn default() -> Self {
        Self::new()
    }
}

/// The configuration definition (Kafka's `TimestampRouter.CONFIG_DEF`).
fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::string(TOPIC_FORMAT_CONFIG)
                .default_value(TOPIC_FORMAT_DEFAULT)
                .importance(Importance::High)
                .documentation(
                    "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as \
                     placeholders for the topic and timestamp, respectively.",
                ),
        )
        .define(
            ConfigKey::string(TIMESTAMP_FORMAT_CONFIG)
                .default_value(TIMESTAMP_FORMAT_DEFAULT)
                .importance(Importance::High)
                .documentation(
                    "Format string for the timestamp that is compatible with \
                     <code>java.text.SimpleDateFormat</code>.",
                ),
        )
}

impl<R: Record> Transform<R> for TimestampRouter {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = config_def().parse(configs)?;
        let topic_format = parsed.get_string(TOPIC_FORMAT_CONFIG)?.to_owned();
        let pattern = parsed.get_string(TIMESTAMP_FORMAT_CONFIG)?;
        // Kafka only finds a bad pattern when the first record comes; it is reported here.
        let timestamp_format = JavaDateFormat::new(pattern)
            .map_err(|e| ConfigError::invalid(TIMESTAMP_FORMAT_CONFIG, pattern, e.to_string()))?;
        self.topic_format = topic_format;
        self.timestamp_format = Some(timestamp_format);
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(timestamp) = record.timestamp else {
            return Err(data_error(format!(
                "Timestamp missing on record: {}",
                java_record_text(&record)
            )));
        };
        let format = self
            .timestamp_format
            .as_ref()
            .ok_or_else(|| ConnectError::other("TimestampRouter has no usable timestamp.format"))?;
        let formatted = format.format(timestamp);
        let topic = self
            .topic_format
            .replace("${topic}", &record.topic)
            .replace("${timestamp}", &formatted);
        record.topic = topic.into();
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

/// Java's `toString()` of a record, as Kafka puts it in messages: `SinkRecord{…} ConnectRecord{…}`
/// or `SourceRecord{…} ConnectRecord{…}`.
fn java_record_text<R: Record>(record: &R) -> String {
    let any = record as &dyn Any;
    let mut out = String::new();
    if let Some(sink) = any.downcast_ref::<SinkRecord>() {
        let _ = write!(
            out,
            "SinkRecord{{kafkaOffset={}, timestampType={}, originalTopic={}, originalKafkaPartition={}, \
             originalKafkaOffset={}}} ",
            sink.kafka_offset,
            sink.timestamp_type,
            sink.original_topic(),
            sink.original_kafka_partition(),
            sink.original_kafka_offset()
        );
    } else if let Some(source) = any.downcast_ref::<SourceRecord>() {
        let _ = write!(
            out,
            "SourceRecord{{sourcePartition={}, sourceOffset={}}} ",
            java_map_text(&source.source_partition),
            java_map_text(&source.source_offset)
        );
    }
    let schema_text =
        |schema: Option<&Schema>| schema.map_or_else(|| "null".to_owned(), ToString::to_string);
    let _ = write!(
        out,
        "ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, valueSchema={}, \
         timestamp={}, headers=ConnectHeaders(headers=",
        record.topic,
        record
            .kafka_partition
            .map_or_else(|| "null".to_owned(), |p| p.to_string()),
        record.key,
        schema_text(record.key_schema.as_ref()),
        record.value,
        schema_text(record.value_schema.as_ref()),
        record
            .timestamp
            .map_or_else(|| "null".to_owned(), |t| t.to_string()),
    );
    if !record.headers.is_empty() {
        out.push('[');
        for (i, header) in record.headers.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(
                out,
                "ConnectHeader(key={}, value={}, schema={})",
                header.key(),
                header.value(),
                schema_text(header.schema())
            );
        }
        out.push(']');
    }
    out.push_str(")}");
    out
}

/// Java's `Map.toString()` of a source partition or offset: `{key=value, …}`.
fn java_map_text(map: &OffsetMap) -> String {
    let entries: Vec<String> = map
        .iter()
        .map(|(key, value)| {
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            format!("{key}={value}")
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use connect_api::data::Value;
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, TimestampType};

    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn source(timestamp: Option<i64>) -> SourceRecord {
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "test",
            None,
            Value::Null,
        )
        .with_partition(0);
        match timestamp {
            Some(t) => record.with_timestamp(t),
            None => record,
        }
    }

    fn configured(pairs: &[(&str, &str)]) -> TimestampRouter {
        let mut router = TimestampRouter::new();
        Transform::<SourceRecord>::configure(&mut router, &props(pairs)).unwrap();
        router
    }

    #[test]
    fn default_configuration() {
        let mut router = configured(&[]);
        let out = router
            .apply(source(Some(1_483_425_001_864)))
            .unwrap()
            .unwrap();
        assert_eq!(&*out.topic, "test-20170103");
        // Unconfigured, the defaults apply too.
        let mut unconfigured = TimestampRouter::default();
        let out = unconfigured
            .apply(source(Some(1_483_425_001_864)))
            .unwrap()
            .unwrap();
        assert_eq!(&*out.topic, "test-20170103");
    }

    #[test]
    fn custom_formats() {
        let mut router = configured(&[
            ("topic.format", "logs_${timestamp}_${topic}_${topic}"),
            ("timestamp.format", "yyyy-MM-dd'T'HH"),
        ]);
        let out = router
            .apply(source(Some(1_483_425_001_864)))
            .unwrap()
            .unwrap();
        assert_eq!(&*out.topic, "logs_2017-01-03T06_test_test");
        let mut weekly = configured(&[("timestamp.format", "YYYY.ww")]);
        let out = weekly
            .apply(source(Some(1_483_425_001_864)))
            .unwrap()
            .unwrap();
        assert_eq!(&*out.topic, "test-2017.01");
        let mut fixed = configured(&[("topic.format", "archive")]);
        let out = fixed.apply(source(Some(0))).unwrap().unwrap();
        assert_eq!(&*out.topic, "archive");
        // `${topic}` is replaced first, so a topic holding `${timestamp}` has it replaced too.
        let mut router = configured(&[]);
        let mut record = source(Some(0));
        record.topic = "a${timestamp}".into();
        let out = router.apply(record).unwrap().unwrap();
        assert_eq!(&*out.topic, "a19700101-19700101");
    }

    #[test]
    fn keeps_everything_but_the_topic() {
        let mut router = configured(&[]);
        let record = SinkRecord::new(
            ConnectRecord::new("orders", Some(Schema::string()), "v".into())
                .with_key(Some(Schema::int32()), 5.into())
                .with_timestamp(-1),
            4,
            17,
            TimestampType::LogAppendTime,
        );
        let out = router.apply(record.clone()).unwrap().unwrap();
        assert_eq!(&*out.topic, "orders-19691231");
        assert_eq!(out.original_topic(), "orders");
        assert_eq!(out.kafka_offset, 17);
        assert_eq!(out.kafka_partition(), 4);
        assert_eq!(out.key, record.key);
        assert_eq!(out.value, record.value);
        assert_eq!(out.timestamp, Some(-1));
    }

    #[test]
    fn missing_timestamp_is_a_data_error() {
        let mut router = configured(&[]);
        let mut partition = OffsetMap::new();
        partition.insert("file".to_owned(), "a.txt".into());
        let mut offset = OffsetMap::new();
        offset.insert("position".to_owned(), 12.into());
        let record = SourceRecord::new(
            partition,
            offset,
            "test",
            Some(Schema::string()),
            "v".into(),
        )
        .with_partition(0);
        let err = router.apply(record).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Timestamp missing on record: SourceRecord{sourcePartition={file=a.txt}, sourceOffset={position=12}} \
             ConnectRecord{topic='test', kafkaPartition=0, key=null, keySchema=null, value=v, \
             valueSchema=Schema{STRING}, timestamp=null, headers=ConnectHeaders(headers=)}"
        );
        let mut headers = Headers::new();
        headers.add_string("h", "x");
        let record = SinkRecord::new(
            ConnectRecord::new("topic", None, Value::Null)
                .with_key(Some(Schema::int64()), 7i64.into())
                .with_headers(headers),
            2,
            40,
            TimestampType::NoTimestampType,
        );
        let err = router.apply(record).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Timestamp missing on record: SinkRecord{kafkaOffset=40, timestampType=NoTimestampType, \
             originalTopic=topic, originalKafkaPartition=2, originalKafkaOffset=40} \
             ConnectRecord{topic='topic', kafkaPartition=2, key=7, keySchema=Schema{INT64}, value=null, \
             valueSchema=null, timestamp=null, headers=ConnectHeaders(headers=[ConnectHeader(key=h, \
             value=x, schema=Schema{STRING})])}"
        );
    }

    #[test]
    fn invalid_timestamp_format_is_a_config_error() {
        let mut router = TimestampRouter::new();
        let err = Transform::<SourceRecord>::configure(
            &mut router,
            &props(&[("timestamp.format", "yyyyqq")]),
        )
        .unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
        assert_eq!(
            err.to_string(),
            "Invalid value yyyyqq for configuration timestamp.format: Illegal pattern character 'q'"
        );
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&TimestampRouter::new());
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["topic.format", "timestamp.format"]
        );
        assert_eq!(
            def.key("topic.format")
                .and_then(|k| k.default_value())
                .map(ToString::to_string),
            Some("${topic}-${timestamp}".to_owned())
        );
        assert_eq!(
            def.key("timestamp.format")
                .and_then(|k| k.default_value())
                .map(ToString::to_string),
            Some("yyyyMMdd".to_owned())
        );
        assert_eq!(
            def.key("timestamp.format").unwrap().importance(),
            Importance::High
        );
        assert_eq!(
            TimestampRouter::CLASS,
            "org.apache.kafka.connect.transforms.TimestampRouter"
        );
    }
}
