//! `DropHeaders`: removes every header with one of the configured keys.

use crate::common::NonEmptyList;
use std::collections::HashSet;

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;

const HEADERS_FIELD: &str = "headers";

/// Removes one or more headers from each record (Kafka's `DropHeaders`).
///
/// Every header whose key is one of `headers` is removed, whatever its position and however
/// often the key repeats; the other headers keep their order.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::header::Headers;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::drop_headers::DropHeaders;
///
/// let mut drop = DropHeaders::new();
/// let props = ConfigMap::from([("headers".to_owned(), "trace, debug".to_owned())]);
/// Transform::<SinkRecord>::configure(&mut drop, &props)?;
///
/// let mut headers = Headers::new();
/// headers.add_string("trace", "a").add_string("keep", "b").add_string("trace", "c");
/// let record = ConnectRecord::new("orders", None, "v".into()).with_headers(headers);
/// let record = SinkRecord::new(record, 0, 42, TimestampType::CreateTime);
///
/// let out = drop.apply(record)?.expect("DropHeaders never drops a record");
/// let keys: Vec<&str> = out.headers.iter().map(|h| h.key()).collect();
/// assert_eq!(keys, ["keep"]);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Default)]
pub struct DropHeaders {
    /// The keys to remove; `None` until configured.
    headers: Option<HashSet<String>>,
}

impl DropHeaders {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.DropHeaders";

    /// Kafka's description of the transform.
    pub const OVERVIEW_DOC: &str = "Removes one or more headers from each record.";

    /// An unconfigured transform; `apply` fails until it is configured.
    pub fn new() -> Self {
        Self::default()
    }

    fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::list(HEADERS_FIELD)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .documentation("The name of the headers to be removed."),
        )
    }
}

impl<R: Record> Transform<R> for DropHeaders {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let headers = parsed.get_list(HEADERS_FIELD)?;
        self.headers = Some(headers.iter().cloned().collect());
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(headers) = &self.headers else {
            return Err(ConnectError::Config(ConfigError::missing(HEADERS_FIELD)));
        };
        if record.headers.iter().any(|h| headers.contains(h.key())) {
            record
                .headers
                .apply(|h| (!headers.contains(h.key())).then_some(h));
        }
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::data::{Schema, Value};
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configured(headers: &str) -> DropHeaders {
        let mut t = DropHeaders::new();
        Transform::<SinkRecord>::configure(&mut t, &props(&[("headers", headers)])).unwrap();
        t
    }

    fn headers() -> Headers {
        let mut h = Headers::new();
        h.add_string("a", "1")
            .add_int32("b", 2)
            .add_string("a", "3")
            .add_boolean("c", true)
            .add_string("d", "4");
        h
    }

    fn keys(h: &Headers) -> Vec<String> {
        h.iter().map(|h| h.key().to_owned()).collect()
    }

    #[test]
    fn removes_every_header_with_a_configured_key_keeping_the_rest_in_order() {
        let mut t = configured("a,c");
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into())
                .with_key(Some(Schema::int32()), 5.into())
                .with_timestamp(7)
                .with_headers(headers()),
            2,
            9,
            TimestampType::CreateTime,
        );
        let out = t.apply(record.clone()).unwrap().unwrap();
        assert_eq!(keys(&out.headers), ["b", "d"]);
        assert_eq!(
            out.headers.last_with_name("b").unwrap().value(),
            &Value::Int32(2)
        );
        // Everything else is untouched.
        assert_eq!(out.record().value, record.value);
        assert_eq!(out.record().key, record.key);
        assert_eq!(out.timestamp, Some(7));
        assert_eq!(out.kafka_offset, 9);
        assert_eq!(out.kafka_partition(), 2);
    }

    #[test]
    fn works_on_source_records_and_when_nothing_matches() {
        let mut t = configured("zzz");
        let record = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null)
            .with_headers(headers());
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(keys(&out.headers), ["a", "b", "a", "c", "d"]);

        let mut t = configured("d, b");
        let record = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null)
            .with_headers(headers());
        let out = t.apply(record).unwrap().unwrap();
        assert_eq!(keys(&out.headers), ["a", "a", "c"]);
    }

    #[test]
    fn records_without_headers_pass_through() {
        let mut t = configured("a");
        let record = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Null),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        let out = t.apply(record.clone()).unwrap().unwrap();
        assert_eq!(out, record);
    }

    #[test]
    fn headers_must_be_a_non_empty_list() {
        let mut t = DropHeaders::new();
        let err = Transform::<SinkRecord>::configure(&mut t, &props(&[("headers", "")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Invalid value [] for configuration headers: Empty list"
        );
        let err = Transform::<SinkRecord>::configure(&mut t, &ConfigMap::new())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Missing required configuration \"headers\" which has no default value."
        );
    }

    #[test]
    fn apply_before_configure_is_an_error() {
        let mut t = DropHeaders::new();
        let record = SinkRecord::new(
            ConnectRecord::new("t", None, Value::Null).with_headers(headers()),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        let err = t.apply(record).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)), "{err:?}");
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&DropHeaders::new());
        let key = def.key("headers").unwrap();
        assert_eq!(key.type_(), connect_api::config::ConfigType::List);
        assert!(key.is_required());
        assert_eq!(key.importance(), Importance::High);
        assert_eq!(
            key.documentation(),
            Some("The name of the headers to be removed.")
        );
        assert_eq!(key.validator().unwrap().to_string(), "non-empty list");
        assert_eq!(def.len(), 1);
    }

    #[test]
    fn non_empty_list_validator() {
        use connect_api::config::{ConfigValue, Validator};
        let list = ConfigValue::from(vec!["a"]);
        assert!(NonEmptyList.ensure_valid("x", Some(&list)).is_ok());
        assert_eq!(
            NonEmptyList
                .ensure_valid("x", None)
                .unwrap_err()
                .to_string(),
            "Invalid value null for configuration x: Empty list"
        );
    }
}
