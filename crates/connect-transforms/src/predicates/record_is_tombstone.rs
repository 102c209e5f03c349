//! `RecordIsTombstone`: true for records whose value is null.

use std::fmt;

use connect_api::config::{ConfigDef, ConfigMap};
use connect_api::error::Result;
use connect_api::record::Record;
use connect_api::transform::Predicate;

/// A predicate which is true for records which are tombstones, i.e. have a null value (Kafka's
/// `RecordIsTombstone`). Only the value counts: its schema and the key are not looked at.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::Value;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Predicate;
/// use connect_transforms::predicates::record_is_tombstone::RecordIsTombstone;
///
/// let mut tombstone = RecordIsTombstone::new();
/// Predicate::<SinkRecord>::configure(&mut tombstone, &ConfigMap::new())?;
/// let deleted = SinkRecord::new(ConnectRecord::new("t", None, Value::Null), 0, 1, TimestampType::CreateTime);
/// let updated = SinkRecord::new(ConnectRecord::new("t", None, "v".into()), 0, 2, TimestampType::CreateTime);
/// assert!(tombstone.test(&deleted));
/// assert!(!tombstone.test(&updated));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordIsTombstone;

impl RecordIsTombstone {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone";

    /// Kafka's description of the predicate.
    pub const OVERVIEW_DOC: &str =
        "A predicate which is true for records which are tombstones (i.e. have null value).";

    /// The predicate (it needs no configuration).
    pub fn new() -> Self {
        Self
    }
}

impl<R: Record> Predicate<R> for RecordIsTombstone {
    fn configure(&mut self, _configs: &ConfigMap) -> Result<()> {
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        record.value.is_null()
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

/// Kafka's `toString`: `RecordIsTombstone{}`.
impl fmt::Display for RecordIsTombstone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecordIsTombstone{}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{Schema, SchemaBuilder, Value};
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn sink(schema: Option<Schema>, value: Value) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("t", schema, value),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    #[test]
    fn true_iff_the_value_is_null() {
        let p = RecordIsTombstone::new();
        assert!(p.test(&sink(None, Value::Null)));
        // A null value with a schema is still a tombstone, as in Kafka (`value() == null`).
        assert!(p.test(&sink(Some(Schema::optional_string()), Value::Null)));
        assert!(!p.test(&sink(None, "x".into())));
        assert!(!p.test(&sink(Some(Schema::string()), String::new().into())));
        assert!(!p.test(&sink(None, Value::Map(Vec::new()))));
        // The key does not matter.
        let keyed = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Null).with_key(Some(Schema::int32()), 1.into()),
            0,
            0,
            TimestampType::CreateTime,
        );
        assert!(p.test(&keyed));
        let optional_struct = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .optional()
            .build()
            .ok();
        assert!(p.test(&sink(optional_struct, Value::Null)));
    }

    #[test]
    fn works_on_source_records() {
        let p = RecordIsTombstone::new();
        let tombstone =
            SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null);
        let record = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, 1i32.into());
        assert!(p.test(&tombstone));
        assert!(!p.test(&record));
    }

    #[test]
    fn has_no_config() {
        let mut p = RecordIsTombstone::new();
        assert!(Predicate::<SinkRecord>::config(&p).is_empty());
        assert!(
            Predicate::<SinkRecord>::configure(
                &mut p,
                &ConfigMap::from([("ignored".to_owned(), "x".to_owned())])
            )
            .is_ok()
        );
        assert_eq!(p.to_string(), "RecordIsTombstone{}");
    }
}
