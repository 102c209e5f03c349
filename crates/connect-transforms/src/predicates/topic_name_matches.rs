//! `TopicNameMatches`: true for records whose whole topic name matches a regular expression.

use std::fmt;

use connect_api::config::{
    CompositeValidator, ConfigDef, ConfigKey, ConfigMap, Importance, NonEmptyString,
};
use connect_api::error::{ConfigError, Result};
use connect_api::record::Record;
use connect_api::transform::Predicate;

use crate::transforms::regex_router::{JavaRegex, RegexValidator};

const PATTERN_CONFIG: &str = "pattern";

/// A predicate which is true for records with a topic name that matches the configured regular
/// expression (Kafka's `TopicNameMatches`).
///
/// The pattern must match the *whole* topic name, like Java's `Matcher.matches()`: `orders`
/// does not match `orders-eu`, `orders.*` does. Patterns are compiled with the `regex` crate;
/// the Java syntax it does not support (look-around, backreferences, possessive quantifiers…)
/// is rejected with a configuration error, as described in the
/// [`regex_router`](crate::transforms::regex_router) module. Before it is configured the
/// predicate matches no record.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Predicate;
/// use connect_transforms::predicates::topic_name_matches::TopicNameMatches;
///
/// let mut is_orders = TopicNameMatches::new();
/// Predicate::<SinkRecord>::configure(&mut is_orders, &ConfigMap::from([("pattern".to_owned(), "orders-.*".to_owned())]))?;
///
/// let record = |topic: &str| SinkRecord::new(ConnectRecord::new(topic, None, "v".into()), 0, 1, TimestampType::CreateTime);
/// assert!(is_orders.test(&record("orders-eu")));
/// assert!(!is_orders.test(&record("all-orders-eu")));
/// assert_eq!(is_orders.to_string(), "TopicNameMatches{pattern=orders-.*}");
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct TopicNameMatches {
    /// `None` until configured.
    pattern: Option<JavaRegex>,
}

impl TopicNameMatches {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches";

    /// Kafka's description of the predicate.
    pub const OVERVIEW_DOC: &str = "A predicate which is true for records with a topic name that matches the configured regular expression.";

    /// An unconfigured predicate, which matches nothing until configured.
    pub fn new() -> Self {
        Self::default()
    }

    fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::string(PATTERN_CONFIG)
                .validator(
                    CompositeValidator::of([])
                        .and(NonEmptyString)
                        .and(RegexValidator),
                )
                .importance(Importance::Medium)
                .documentation(
                    "A Java regular expression for matching against the name of a record's topic.",
                ),
        )
    }
}

impl<R: Record> Predicate<R> for TopicNameMatches {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let pattern = parsed.get_string(PATTERN_CONFIG)?;
        let regex = JavaRegex::compile(pattern).map_err(|message| {
            ConfigError::invalid(
                PATTERN_CONFIG,
                pattern,
                format!("entry must be a Java-compatible regular expression: {message}"),
            )
        })?;
        self.pattern = Some(regex);
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        self.pattern
            .as_ref()
            .is_some_and(|pattern| pattern.matches(&record.topic))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

/// Kafka's `toString`: `TopicNameMatches{pattern=<pattern>}` (`null` before configuration).
impl fmt::Display for TopicNameMatches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pattern {
            Some(pattern) => write!(f, "TopicNameMatches{{pattern={}}}", pattern.as_str()),
            None => f.write_str("TopicNameMatches{pattern=null}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::data::Value;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn configured(pattern: &str) -> TopicNameMatches {
        let mut p = TopicNameMatches::new();
        Predicate::<SinkRecord>::configure(&mut p, &props(pattern)).unwrap();
        p
    }

    fn props(pattern: &str) -> ConfigMap {
        ConfigMap::from([("pattern".to_owned(), pattern.to_owned())])
    }

    fn sink(topic: &str) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new(topic, None, "v".into()),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    fn config_error(pattern: &str) -> String {
        let mut p = TopicNameMatches::new();
        Predicate::<SinkRecord>::configure(&mut p, &props(pattern))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn matches_the_whole_topic_name() {
        let p = configured("my-prefix-.*");
        assert!(p.test(&sink("my-prefix-")));
        assert!(p.test(&sink("my-prefix-foo")));
        assert!(!p.test(&sink("x-my-prefix-")));
        assert!(!p.test(&sink("x-my-prefix-foo")));
        assert!(!p.test(&sink("your-prefix-")));
        assert!(!p.test(&sink("your-prefix-foo")));
        let p = configured("orders");
        assert!(p.test(&sink("orders")));
        assert!(!p.test(&sink("orders2")));
        assert!(!p.test(&sink("my-orders")));
        // Alternation is anchored as a whole.
        let p = configured("a|ab");
        assert!(p.test(&sink("ab")) && p.test(&sink("a")));
        assert!(!p.test(&sink("abc")));
        let p = configured("(?i)ORDERS\\.\\d+");
        assert!(p.test(&sink("orders.12")));
        assert!(!p.test(&sink("orders.")));
    }

    #[test]
    fn works_on_source_records() {
        let mut p = TopicNameMatches::new();
        Predicate::<SourceRecord>::configure(&mut p, &props("lines")).unwrap();
        let record = |topic: &str| {
            SourceRecord::new(OffsetMap::new(), OffsetMap::new(), topic, None, Value::Null)
        };
        assert!(p.test(&record("lines")));
        assert!(!p.test(&record("other")));
    }

    #[test]
    fn pattern_must_be_a_non_empty_valid_regex() {
        assert_eq!(
            config_error(""),
            "Invalid value  for configuration pattern: String must be non-empty"
        );
        let err = config_error("[");
        assert!(
            err.starts_with("Invalid value [ for configuration pattern: Invalid regex: "),
            "{err}"
        );
        assert!(err.contains("unclosed character class"), "{err}");
        assert_eq!(
            config_error_missing(),
            "Missing required configuration \"pattern\" which has no default value."
        );
    }

    fn config_error_missing() -> String {
        let mut p = TopicNameMatches::new();
        Predicate::<SinkRecord>::configure(&mut p, &ConfigMap::new())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unsupported_java_syntax_is_a_clear_config_error() {
        let err = config_error("(?!internal).*");
        assert!(
            err.starts_with(
                "Invalid value (?!internal).* for configuration pattern: Invalid regex: "
            ),
            "{err}"
        );
        assert!(err.contains("look-around"), "{err}");
        let err = config_error("a++");
        assert!(err.contains("possessive quantifiers"), "{err}");
    }

    #[test]
    fn unconfigured_matches_nothing() {
        let p = TopicNameMatches::new();
        assert!(!p.test(&sink("anything")));
        assert_eq!(p.to_string(), "TopicNameMatches{pattern=null}");
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Predicate::<SinkRecord>::config(&TopicNameMatches::new());
        assert_eq!(def.names().collect::<Vec<_>>(), ["pattern"]);
        let key = def.key("pattern").unwrap();
        assert!(key.is_required());
        assert_eq!(key.importance(), Importance::Medium);
        assert_eq!(
            key.validator().unwrap().to_string(),
            "non-empty string, valid regex"
        );
        assert_eq!(
            key.documentation(),
            Some("A Java regular expression for matching against the name of a record's topic.")
        );
        assert_eq!(
            configured("a.*").to_string(),
            "TopicNameMatches{pattern=a.*}"
        );
    }
}
