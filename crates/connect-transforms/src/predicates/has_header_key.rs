//! `HasHeaderKey`: true for records with at least one header with the configured key.

use std::fmt;

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, NonEmptyString};
use connect_api::error::Result;
use connect_api::record::Record;
use connect_api::transform::Predicate;

const NAME_CONFIG: &str = "name";

/// A predicate which is true for records with at least one header with the configured name
/// (Kafka's `HasHeaderKey`).
///
/// Before it is configured it matches no record.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::header::Headers;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Predicate;
/// use connect_transforms::predicates::has_header_key::HasHeaderKey;
///
/// let mut has_trace = HasHeaderKey::new();
/// Predicate::<SinkRecord>::configure(&mut has_trace, &ConfigMap::from([("name".to_owned(), "trace".to_owned())]))?;
///
/// let mut headers = Headers::new();
/// headers.add_string("trace", "abc");
/// let traced = SinkRecord::new(ConnectRecord::new("t", None, "v".into()).with_headers(headers), 0, 1, TimestampType::CreateTime);
/// let plain = SinkRecord::new(ConnectRecord::new("t", None, "v".into()), 0, 2, TimestampType::CreateTime);
/// assert!(has_trace.test(&traced));
/// assert!(!has_trace.test(&plain));
/// assert_eq!(has_trace.to_string(), "HasHeaderKey{name='trace'}");
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct HasHeaderKey {
    /// The header key; `None` until configured.
    name: Option<String>,
}

impl HasHeaderKey {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey";

    /// Kafka's description of the predicate.
    pub const OVERVIEW_DOC: &str =
        "A predicate which is true for records with at least one header with the configured name.";

    /// An unconfigured predicate, which matches nothing until configured.
    pub fn new() -> Self {
        Self::default()
    }

    fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::string(NAME_CONFIG)
                .validator(NonEmptyString)
                .importance(Importance::Medium)
                .documentation("The header name."),
        )
    }
}

impl<R: Record> Predicate<R> for HasHeaderKey {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        self.name = Some(parsed.get_string(NAME_CONFIG)?.to_owned());
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        self.name
            .as_deref()
            .is_some_and(|name| record.headers.all_with_name(name).next().is_some())
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

/// Kafka's `toString`: `HasHeaderKey{name='<name>'}` (`null` before configuration).
impl fmt::Display for HasHeaderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "HasHeaderKey{{name='{name}'}}"),
            None => f.write_str("HasHeaderKey{name='null'}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::data::{Schema, Value};
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn configured(name: &str) -> HasHeaderKey {
        let mut p = HasHeaderKey::new();
        Predicate::<SinkRecord>::configure(
            &mut p,
            &ConfigMap::from([("name".to_owned(), name.to_owned())]),
        )
        .unwrap();
        p
    }

    fn sink(headers: Headers) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into()).with_headers(headers),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    #[test]
    fn true_when_at_least_one_header_has_the_key() {
        let p = configured("foo");
        let mut one = Headers::new();
        one.add_string("foo", "a");
        let mut several = Headers::new();
        several
            .add_string("bar", "x")
            .add_string("foo", "a")
            .add_int32("foo", 1);
        assert!(p.test(&sink(one)));
        assert!(p.test(&sink(several)));
        // A null-valued header counts too.
        let mut null = Headers::new();
        null.add(
            "foo",
            connect_api::data::SchemaAndValue::new(None, Value::Null),
        )
        .unwrap();
        assert!(p.test(&sink(null)));
    }

    #[test]
    fn false_without_a_header_with_the_key() {
        let p = configured("foo");
        assert!(!p.test(&sink(Headers::new())));
        let mut others = Headers::new();
        others
            .add_string("bar", "a")
            .add_string("Foo", "b")
            .add_string("foo2", "c");
        assert!(!p.test(&sink(others)));
    }

    #[test]
    fn works_on_source_records() {
        let mut p = HasHeaderKey::new();
        Predicate::<SourceRecord>::configure(
            &mut p,
            &ConfigMap::from([("name".to_owned(), "k".to_owned())]),
        )
        .unwrap();
        let mut headers = Headers::new();
        headers.add_string("k", "v");
        let with = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null)
            .with_headers(headers);
        let without = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null);
        assert!(p.test(&with));
        assert!(!p.test(&without));
    }

    #[test]
    fn name_is_required_and_non_empty() {
        let mut p = HasHeaderKey::new();
        let err = Predicate::<SinkRecord>::configure(&mut p, &ConfigMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"name\" which has no default value."
        );
        let err = Predicate::<SinkRecord>::configure(
            &mut p,
            &ConfigMap::from([("name".to_owned(), String::new())]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value  for configuration name: String must be non-empty"
        );
    }

    #[test]
    fn unconfigured_matches_nothing() {
        let p = HasHeaderKey::new();
        let mut headers = Headers::new();
        headers.add_string("", "a");
        assert!(!p.test(&sink(headers)));
        assert_eq!(p.to_string(), "HasHeaderKey{name='null'}");
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Predicate::<SinkRecord>::config(&HasHeaderKey::new());
        assert_eq!(def.names().collect::<Vec<_>>(), ["name"]);
        let key = def.key("name").unwrap();
        assert!(key.is_required());
        assert_eq!(key.importance(), Importance::Medium);
        assert_eq!(key.documentation(), Some("The header name."));
        assert_eq!(key.validator().unwrap().to_string(), "non-empty string");
        assert_eq!(configured("x").to_string(), "HasHeaderKey{name='x'}");
    }
}
