//! `Filter`: drops every record; meant to be used with a predicate.

use connect_api::config::{ConfigDef, ConfigMap};
use connect_api::error::Result;
use connect_api::record::Record;
use connect_api::transform::Transform;

/// Drops all records, filtering them from subsequent transformations in the chain (Kafka's
/// `Filter`).
///
/// It has no configuration. On its own it drops everything; it is meant to be applied
/// conditionally, with `transforms.<alias>.predicate` (and optionally `negate`), to filter out
/// the records matching (or not matching) a predicate.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::filter::Filter;
///
/// let mut filter = Filter::new();
/// Transform::<SinkRecord>::configure(&mut filter, &ConfigMap::new())?;
/// let record = SinkRecord::new(ConnectRecord::new("orders", None, "v".into()), 0, 1, TimestampType::CreateTime);
/// assert!(filter.apply(record)?.is_none());
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter;

impl Filter {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.Filter";

    /// Kafka's description of the transform.
    pub const OVERVIEW_DOC: &str = "Drops all records, filtering them from subsequent transformations in the chain. \
         This is intended to be used conditionally to filter out records matching (or not matching) \
         a particular Predicate.";

    /// The transform (it needs no configuration).
    pub fn new() -> Self {
        Self
    }
}

impl<R: Record> Transform<R> for Filter {
    fn configure(&mut self, _configs: &ConfigMap) -> Result<()> {
        Ok(())
    }

    fn apply(&mut self, _record: R) -> Result<Option<R>> {
        Ok(None)
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::data::{Schema, Value};
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    #[test]
    fn drops_sink_and_source_records_even_unconfigured() {
        let mut filter = Filter::new();
        let sink = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into()),
            0,
            1,
            TimestampType::CreateTime,
        );
        assert!(filter.apply(sink.clone()).unwrap().is_none());
        Transform::<SinkRecord>::configure(
            &mut filter,
            &ConfigMap::from([("ignored".to_owned(), "x".to_owned())]),
        )
        .unwrap();
        assert!(filter.apply(sink).unwrap().is_none());
        let source = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null);
        assert!(filter.apply(source).unwrap().is_none());
    }

    #[test]
    fn has_no_config_keys() {
        assert!(Transform::<SinkRecord>::config(&Filter::new()).is_empty());
        assert_eq!(Filter::CLASS, "org.apache.kafka.connect.transforms.Filter");
        assert!(Filter::OVERVIEW_DOC.ends_with("a particular Predicate."));
    }
}
