//! `ConnectorConfig`: the keys every connector accepts (Kafka's `ConnectorConfig`,
//! `SinkConnectorConfig` and `SourceConnectorConfig`), with the per-alias keys of its
//! transforms and predicates.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValueInfo, Importance,
    NonEmptyStringWithoutControlChars, ParsedConfig, Range, ValidString,
};
use connect_api::error::ConfigError;
use connect_log::Partition;
use regex::Regex;

/// Whether a connector reads into Kafka or writes out of it.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::{ConnectorConfig, ConnectorType};
/// use connect_runtime::plugins::Plugins;
///
/// let (_, factory) = Plugins::builtin().connector("FileStreamSource")?;
/// assert_eq!(factory.kind(), ConnectorType::Source);
/// assert_eq!(ConnectorType::Sink.name(), "sink");
/// // The kind decides the common keys: only sinks have `topics`.
/// assert!(ConnectorConfig::def(ConnectorType::Sink, &ConfigMap::new()).contains("topics"));
/// assert!(!ConnectorConfig::def(ConnectorType::Source, &ConfigMap::new()).contains("topics"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorType {
    /// A source connector.
    Source,
    /// A sink connector.
    Sink,
}

impl ConnectorType {
    /// `source` or `sink`, as the REST API names them.
    pub fn name(self) -> &'static str {
        match self {
            ConnectorType::Source => "source",
            ConnectorType::Sink => "sink",
        }
    }
}

/// `errors.tolerance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToleranceType {
    /// The first error fails the task.
    None,
    /// Bad records are skipped (and reported).
    All,
}

/// The `errors.*` settings of a connector, from [`ConnectorConfig::errors`].
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::{ConnectorConfig, ConnectorType, ToleranceType};
///
/// let props: ConfigMap = [
///     ("name", "orders-sink"),
///     ("connector.class", "FileStreamSink"),
///     ("topics", "orders"),
///     ("errors.tolerance", "all"),
///     ("errors.retry.timeout", "-1"),
///     ("errors.deadletterqueue.topic.name", "orders-dlq"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_owned(), v.to_owned()))
/// .collect();
/// let errors = ConnectorConfig::parse(&props, ConnectorType::Sink)?.errors();
/// assert_eq!(errors.tolerance, ToleranceType::All);
/// assert_eq!(errors.retry_timeout, None); // -1: retry forever
/// assert_eq!(errors.dlq_topic.as_deref(), Some("orders-dlq"));
/// assert_eq!(errors.dlq_replication_factor, 3);
/// assert!(!errors.log_enable);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorsConfig {
    /// `errors.retry.timeout`: `None` retries forever (-1), zero never retries.
    pub retry_timeout: Option<Duration>,
    /// `errors.retry.delay.max.ms`.
    pub retry_delay_max: Duration,
    /// `errors.tolerance`.
    pub tolerance: ToleranceType,
    /// `errors.log.enable`.
    pub log_enable: bool,
    /// `errors.log.include.messages`.
    pub log_include_messages: bool,
    /// `errors.deadletterqueue.topic.name`, `None` when empty.
    pub dlq_topic: Option<String>,
    /// `errors.deadletterqueue.topic.replication.factor`.
    pub dlq_replication_factor: i16,
    /// `errors.deadletterqueue.context.headers.enable`.
    pub dlq_context_headers: bool,
}

/// Automatic restart of failed tasks (`errors.restart.*`; Kafka Connect leaves failed tasks
/// failed until someone restarts them), from [`ConnectorConfig::restart_policy`].
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::{ConnectorConfig, ConnectorType};
///
/// let props: ConfigMap = [
///     ("name", "local-file-source"),
///     ("connector.class", "FileStreamSource"),
///     ("errors.restart.enable", "true"),
///     ("errors.restart.backoff.initial.ms", "500"),
///     ("errors.restart.backoff.max.ms", "4000"),
///     ("errors.restart.max.attempts", "5"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_owned(), v.to_owned()))
/// .collect();
/// let policy = ConnectorConfig::parse(&props, ConnectorType::Source)?.restart_policy();
/// assert!(policy.enabled);
/// assert_eq!(policy.max_attempts, Some(5));
/// let delays: Vec<u128> = (1..=5).map(|attempt| policy.backoff(attempt).as_millis()).collect();
/// assert_eq!(delays, [500, 1000, 2000, 4000, 4000]);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartPolicy {
    /// `errors.restart.enable`.
    pub enabled: bool,
    /// `errors.restart.backoff.initial.ms`: the delay before the first restart.
    pub initial_backoff: Duration,
    /// `errors.restart.backoff.max.ms`: the cap of the doubling delay.
    pub max_backoff: Duration,
    /// `errors.restart.max.attempts`: consecutive restarts before giving up; `None` for no limit.
    pub max_attempts: Option<u32>,
}

impl RestartPolicy {
    /// The delay before restart number `attempt` (1-based): initial × 2^(attempt-1), capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// What a sink connector consumes, from [`ConnectorConfig::sink_topics`].
///
/// A regular expression must match the whole topic name, as in Kafka.
///
/// ```
/// use std::collections::BTreeMap;
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::{ConnectorConfig, ConnectorType, SinkTopics};
///
/// let props: ConfigMap = [
///     ("name", "orders-sink"),
///     ("connector.class", "FileStreamSink"),
///     ("topics.regex", "orders-.*"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_owned(), v.to_owned()))
/// .collect();
/// let topics = ConnectorConfig::parse(&props, ConnectorType::Sink)?.sink_topics()?;
/// assert!(topics.matches("orders-eu") && !topics.matches("old-orders-eu"));
///
/// let existing = BTreeMap::from([("orders-eu".to_owned(), 2), ("payments".to_owned(), 1)]);
/// let partitions: Vec<String> = topics.partitions(&existing).iter().map(ToString::to_string).collect();
/// assert_eq!(partitions, ["orders-eu-0", "orders-eu-1"]);
/// assert!(SinkTopics::List(vec!["payments".into()]).matches("payments"));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub enum SinkTopics {
    /// `topics`.
    List(Vec<String>),
    /// `topics.regex`.
    Regex(Regex),
}

impl SinkTopics {
    /// Whether `topic` is consumed.
    pub fn matches(&self, topic: &str) -> bool {
        match self {
            SinkTopics::List(topics) => topics.iter().any(|t| t == topic),
            SinkTopics::Regex(regex) => regex.is_match(topic),
        }
    }

    /// The consumed partitions among `topics` (name → partition count), in order.
    pub fn partitions(&self, topics: &BTreeMap<String, i32>) -> Vec<Partition> {
        topics
            .iter()
            .filter(|(topic, _)| self.matches(topic))
            .flat_map(|(topic, count)| (0..*count).map(move |p| Partition::new(topic.as_str(), p)))
            .collect()
    }
}

/// A connector's parsed configuration.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::{ConnectorConfig, ConnectorType};
///
/// let props: ConfigMap = [
///     ("name", "local-file-sink"),
///     ("connector.class", "FileStreamSink"),
///     ("topics", "lines"),
///     ("transforms", "upper"),
///     ("transforms.upper.type", "org.example.Upper"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_owned(), v.to_owned()))
/// .collect();
/// let config = ConnectorConfig::parse(&props, ConnectorType::Sink)?;
/// assert_eq!(config.name(), "local-file-sink");
/// assert_eq!(config.tasks_max(), 1);
/// assert_eq!(config.transforms()[0].0, "upper");
/// assert!(config.sink_topics()?.matches("lines"));
///
/// let err = ConnectorConfig::parse(&ConfigMap::new(), ConnectorType::Sink).unwrap_err();
/// assert!(err.to_string().contains("Missing required configuration \"name\""));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    parsed: ParsedConfig,
    kind: ConnectorType,
}

impl ConnectorConfig {
    /// The definition of every connector's common keys.
    pub fn common_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::string("name")
                    .validator(NonEmptyStringWithoutControlChars)
                    .importance(Importance::High)
                    .group("Common")
                    .documentation("Globally unique name to use for this connector."),
            )
            .define(
                ConfigKey::string("connector.class")
                    .importance(Importance::High)
                    .group("Common")
                    .documentation("Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector."),
            )
            .define(
                ConfigKey::int("tasks.max")
                    .default_value(1)
                    .validator(Range::at_least(1))
                    .importance(Importance::High)
                    .group("Common")
                    .documentation("Maximum number of tasks to use for this connector."),
            )
            .define(ConfigKey::boolean("tasks.max.enforce").default_value(true).importance(Importance::Low).group("Common").documentation("Whether a connector that generates more task configurations than tasks.max fails (true) or runs them all (false), as Kafka's deprecated compatibility switch."))
            .define(ConfigKey::class("key.converter").default_null().importance(Importance::Low).group("Common").documentation("Converter class for this connector's record keys; overrides the worker's key.converter. Its settings are the key.converter.* keys of this configuration."))
            .define(ConfigKey::class("value.converter").default_null().importance(Importance::Low).group("Common").documentation("Converter class for this connector's record values; overrides the worker's value.converter. Its settings are the value.converter.* keys of this configuration."))
            .define(ConfigKey::class("header.converter").default_null().importance(Importance::Low).group("Common").documentation("HeaderConverter class for this connector's record headers; overrides the worker's header.converter. Its settings are the header.converter.* keys of this configuration."))
            .define(ConfigKey::list("transforms").default_value("").importance(Importance::Low).group("Transforms").documentation("Aliases for the transformations to be applied to records."))
            .define(ConfigKey::list("predicates").default_value("").importance(Importance::Low).group("Predicates").documentation("Aliases for the predicates used by transformations."))
            .define(
                ConfigKey::string("config.action.reload")
                    .default_value("restart")
                    .validator(ValidString::in_(["none", "restart"]))
                    .importance(Importance::Low)
                    .group("Common")
                    .documentation("Accepted for compatibility: Kafka restarts a connector when a config provider reports a changed value; this runtime reads provider values when a connector starts or restarts."),
            )
            .define(
                ConfigKey::long("errors.retry.timeout")
                    .default_value(0i64)
                    .importance(Importance::Medium)
                    .group("Error Handling")
                    .documentation("The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries."),
            )
            .define(
                ConfigKey::long("errors.retry.delay.max.ms")
                    .default_value(60000i64)
                    .importance(Importance::Medium)
                    .group("Error Handling")
                    .documentation("The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues."),
            )
            .define(
                ConfigKey::string("errors.tolerance")
                    .default_value("none")
                    .validator(ValidString::in_(["none", "all"]))
                    .importance(Importance::Medium)
                    .group("Error Handling")
                    .documentation("Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records."),
            )
            .define(ConfigKey::boolean("errors.log.enable").default_value(false).importance(Importance::Medium).group("Error Handling").documentation("If true, write each error and the details of the failed operation and problematic record to the worker's log, tolerated or not."))
            .define(ConfigKey::boolean("errors.log.include.messages").default_value(false).importance(Importance::Medium).group("Error Handling").documentation("Whether to include in the log the details of the record that caused a failure (for a consumed record, its timestamp besides its topic, partition and offset). Off by default."))
            .define(
                ConfigKey::string("errors.deadletterqueue.topic.name")
                    .default_value("")
                    .importance(Importance::Medium)
                    .group("Error Handling")
                    .documentation("The name of the topic to be used as the dead letter queue (DLQ) for records that fail; also used by source connectors here."),
            )
            .define(ConfigKey::short("errors.deadletterqueue.topic.replication.factor").default_value(3i16).importance(Importance::Medium).group("Error Handling").documentation("Replication factor used to create the dead letter queue topic when it doesn't already exist."))
            .define(ConfigKey::boolean("errors.deadletterqueue.context.headers.enable").default_value(false).importance(Importance::Medium).group("Error Handling").documentation("If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys start with __connect.errors."))
            .define(
                ConfigKey::boolean("errors.restart.enable")
                    .default_value(false)
                    .importance(Importance::Medium)
                    .group("Error Handling")
                    .documentation("Restart failed tasks automatically, with exponential backoff."),
            )
            .define(ConfigKey::long("errors.restart.backoff.initial.ms").default_value(1000i64).validator(Range::at_least(0)).importance(Importance::Low).group("Error Handling").documentation("Milliseconds before the first automatic restart of a failed task (errors.restart.enable); the delay doubles after each consecutive failure."))
            .define(ConfigKey::long("errors.restart.backoff.max.ms").default_value(60000i64).validator(Range::at_least(0)).importance(Importance::Low).group("Error Handling").documentation("The longest delay in milliseconds between automatic restarts of a failed task."))
            .define(
                ConfigKey::int("errors.restart.max.attempts")
                    .default_value(-1)
                    .validator(Range::at_least(-1))
                    .importance(Importance::Low)
                    .group("Error Handling")
                    .documentation("Consecutive automatic restarts before a task stays failed; -1 for no limit."),
            )
    }

    /// The definition for one kind of connector, with the per-alias keys of the transforms and
    /// predicates named in `props`.
    pub fn def(kind: ConnectorType, props: &ConfigMap) -> ConfigDef {
        let mut def = Self::common_def();
        match kind {
            ConnectorType::Sink => {
                def = def
                    .define(
                        ConfigKey::list("topics")
                            .default_value("")
                            .importance(Importance::High)
                            .group("Common")
                            .documentation("List of topics to consume, separated by commas"),
                    )
                    .define(
                        ConfigKey::string("topics.regex")
                            .default_value("")
                            .importance(Importance::High)
                            .group("Common")
                            .documentation("Regular expression giving topics to consume."),
                    );
            }
            ConnectorType::Source => {
                def = def
                    .define(
                        ConfigKey::list("topic.creation.groups")
                            .default_value("")
                            .importance(Importance::Low)
                            .group("Topic Creation")
                            .documentation("Groups of configurations for topics created by source connectors. Accepted for compatibility: topics are created with topic.creation.default.partitions and topic.creation.default.replication.factor."),
                    )
                    .define(
                        ConfigKey::string("exactly.once.support")
                            .default_value("requested")
                            .validator(ValidString::in_(["requested", "required"]))
                            .importance(Importance::Medium)
                            .group("Exactly Once Support")
                            .documentation("Permitted values are requested, required. Accepted for compatibility: exactly-once source support (KIP-618) is not implemented, so source records are delivered at least once."),
                    )
                    .define(
                        ConfigKey::string("transaction.boundary")
                            .default_value("poll")
                            .validator(ValidString::in_(["poll", "interval", "connector"]))
                            .importance(Importance::Medium)
                            .group("Exactly Once Support")
                            .documentation("Permitted values are poll, interval, connector. Accepted for compatibility; it applies to exactly-once source support, which is not implemented."),
                    )
                    .define(
                        ConfigKey::long("transaction.boundary.interval.ms")
                            .default_null()
                            .importance(Importance::Low)
                            .group("Exactly Once Support")
                            .documentation("If transaction.boundary is interval, the interval between transaction commits. Accepted for compatibility, as transaction.boundary."),
                    )
                    .define(
                        ConfigKey::string("offsets.storage.topic")
                            .default_null()
                            .importance(Importance::Low)
                            .group("Offsets Topic")
                            .documentation("The name of a separate offsets topic for this connector. Accepted for compatibility: the connector's offsets are kept in the worker's offset store."),
                    );
            }
        }
        for alias in aliases(props, "transforms") {
            let prefix = format!("transforms.{alias}.");
            def = def
                .define(
                    ConfigKey::class(format!("{prefix}type"))
                        .importance(Importance::High)
                        .group(format!("Transforms: {alias}"))
                        .documentation(format!("Class for the '{alias}' transformation.")),
                )
                .define(
                    ConfigKey::string(format!("{prefix}predicate"))
                        .default_null()
                        .importance(Importance::Medium)
                        .group(format!("Transforms: {alias}"))
                        .documentation("The alias of a predicate used to determine whether to apply this transformation."),
                )
                .define(
                    ConfigKey::boolean(format!("{prefix}negate"))
                        .default_value(false)
                        .importance(Importance::Medium)
                        .group(format!("Transforms: {alias}"))
                        .documentation("Whether the configured predicate should be negated."),
                );
        }
        for alias in aliases(props, "predicates") {
            def = def.define(
                ConfigKey::class(format!("predicates.{alias}.type"))
                    .importance(Importance::High)
                    .group(format!("Predicates: {alias}"))
                    .documentation("Class for the predicate."),
            );
        }
        def
    }

    /// Parses and checks a connector's properties.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming every missing or invalid key, and the cross-key rules of Kafka
    /// Connect (duplicate aliases, `topics` versus `topics.regex`, the dead letter queue topic).
    pub fn parse(props: &ConfigMap, kind: ConnectorType) -> Result<Self, ConfigError> {
        let parsed = Self::def(kind, props).parse(props)?;
        let config = Self { parsed, kind };
        let problems = config.cross_key_problems();
        match problems.len() {
            0 => Ok(config),
            1 => Err(problems
                .into_iter()
                .next()
                .unwrap_or_else(|| ConfigError::other(""))),
            _ => Err(ConfigError::Multiple(problems)),
        }
    }

    /// Validates without failing: every key's value and errors, as the REST validation endpoint
    /// reports them.
    pub fn validate(props: &ConfigMap, kind: ConnectorType) -> Vec<ConfigValueInfo> {
        let mut infos = Self::def(kind, props).validate(props);
        if let Ok(parsed) = Self::def(kind, props).parse(props) {
            let config = Self { parsed, kind };
            for problem in config.cross_key_problems() {
                let key = problem_key(&problem);
                if let Some(info) = infos.iter_mut().find(|info| info.name == key) {
                    info.errors.push(problem.to_string());
                }
            }
        }
        infos
    }

    /// The parsed values.
    pub fn parsed(&self) -> &ParsedConfig {
        &self.parsed
    }

    /// The properties as given.
    pub fn originals(&self) -> &ConfigMap {
        self.parsed.originals()
    }

    /// Source or sink.
    pub fn kind(&self) -> ConnectorType {
        self.kind
    }

    /// `name`.
    pub fn name(&self) -> &str {
        self.parsed.get_string("name").unwrap_or_default()
    }

    /// `connector.class`.
    pub fn class(&self) -> &str {
        self.parsed
            .get_string("connector.class")
            .unwrap_or_default()
    }

    /// `tasks.max`.
    pub fn tasks_max(&self) -> usize {
        usize::try_from(self.parsed.get_int("tasks.max").unwrap_or(1)).unwrap_or(1)
    }

    /// `tasks.max.enforce`.
    pub fn tasks_max_enforce(&self) -> bool {
        self.parsed.get_bool("tasks.max.enforce").unwrap_or(true)
    }

    /// The connector's `key.converter`, `value.converter` or `header.converter` override.
    pub fn converter_class(&self, key: &str) -> Option<&str> {
        self.parsed.get_opt_class(key).ok().flatten()
    }

    /// The settings of a converter override, under its prefix.
    pub fn converter_config(&self, converter_key: &str) -> ConfigMap {
        self.parsed
            .originals_with_prefix(&format!("{converter_key}."), true)
    }

    /// The transforms in order: alias, class, predicate alias, negate, own settings.
    pub fn transforms(&self) -> Vec<(String, String, Option<String>, bool, ConfigMap)> {
        self.parsed
            .get_list("transforms")
            .unwrap_or_default()
            .iter()
            .map(|alias| {
                let prefix = format!("transforms.{alias}.");
                let class = self
                    .parsed
                    .get_class(&format!("{prefix}type"))
                    .unwrap_or_default();
                let predicate = self
                    .parsed
                    .get_opt_string(&format!("{prefix}predicate"))
                    .ok()
                    .flatten()
                    .map(str::to_owned);
                let negate = self
                    .parsed
                    .get_bool(&format!("{prefix}negate"))
                    .unwrap_or(false);
                let mut own = self.parsed.originals_with_prefix(&prefix, true);
                for key in ["type", "predicate", "negate"] {
                    own.remove(key);
                }
                (alias.clone(), class.to_owned(), predicate, negate, own)
            })
            .collect()
    }

    /// The predicates: alias, class, own settings.
    pub fn predicates(&self) -> Vec<(String, String, ConfigMap)> {
        self.parsed
            .get_list("predicates")
            .unwrap_or_default()
            .iter()
            .map(|alias| {
                let prefix = format!("predicates.{alias}.");
                let class = self
                    .parsed
                    .get_class(&format!("{prefix}type"))
                    .unwrap_or_default();
                let mut own = self.parsed.originals_with_prefix(&prefix, true);
                own.remove("type");
                (alias.clone(), class.to_owned(), own)
            })
            .collect()
    }

    /// The `errors.*` settings.
    pub fn errors(&self) -> ErrorsConfig {
        let p = &self.parsed;
        let retry = p.get_long("errors.retry.timeout").unwrap_or(0);
        ErrorsConfig {
            retry_timeout: if retry < 0 {
                None
            } else {
                Some(Duration::from_millis(retry.unsigned_abs()))
            },
            retry_delay_max: Duration::from_millis(
                p.get_long("errors.retry.delay.max.ms")
                    .unwrap_or(60000)
                    .max(0)
                    .unsigned_abs(),
            ),
            tolerance: if p.get_string("errors.tolerance").unwrap_or("none") == "all" {
                ToleranceType::All
            } else {
                ToleranceType::None
            },
            log_enable: p.get_bool("errors.log.enable").unwrap_or(false),
            log_include_messages: p.get_bool("errors.log.include.messages").unwrap_or(false),
            dlq_topic: p
                .get_string("errors.deadletterqueue.topic.name")
                .ok()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            dlq_replication_factor: p
                .get_short("errors.deadletterqueue.topic.replication.factor")
                .unwrap_or(3),
            dlq_context_headers: p
                .get_bool("errors.deadletterqueue.context.headers.enable")
                .unwrap_or(false),
        }
    }

    /// The automatic restart settings.
    pub fn restart_policy(&self) -> RestartPolicy {
        let p = &self.parsed;
        let ms = |key: &str, default: i64| {
            Duration::from_millis(p.get_long(key).unwrap_or(default).max(0).unsigned_abs())
        };
        RestartPolicy {
            enabled: p.get_bool("errors.restart.enable").unwrap_or(false),
            initial_backoff: ms("errors.restart.backoff.initial.ms", 1000),
            max_backoff: ms("errors.restart.backoff.max.ms", 60000),
            max_attempts: u32::try_from(p.get_int("errors.restart.max.attempts").unwrap_or(-1))
                .ok(),
        }
    }

    /// What a sink connector consumes.
    ///
    /// # Errors
    ///
    /// Kafka's messages when neither or both of `topics` and `topics.regex` are set, or when the
    /// regular expression is invalid.
    pub fn sink_topics(&self) -> Result<SinkTopics, ConfigError> {
        let topics: Vec<String> = self
            .parsed
            .get_opt_list("topics")
            .ok()
            .flatten()
            .unwrap_or_default()
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        let regex = self
            .parsed
            .get_opt_string("topics.regex")
            .ok()
            .flatten()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        match (topics.is_empty(), regex) {
            (false, Some(_)) => Err(ConfigError::other(
                "topics and topics.regex are mutually exclusive options, but both are set.",
            )),
            (true, None) => Err(ConfigError::other(
                "Must configure one of topics or topics.regex",
            )),
            (false, None) => Ok(SinkTopics::List(topics)),
            (true, Some(pattern)) => Regex::new(&format!("^(?:{pattern})$"))
                .map(SinkTopics::Regex)
                .map_err(|e| {
                    ConfigError::invalid("topics.regex", pattern.to_owned(), e.to_string())
                }),
        }
    }

    fn cross_key_problems(&self) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        for key in ["transforms", "predicates"] {
            let list = self.parsed.get_list(key).unwrap_or_default();
            let unique: HashSet<&String> = list.iter().collect();
            if unique.len() != list.len() {
                problems.push(ConfigError::invalid(
                    key,
                    format!("[{}]", list.join(", ")),
                    "Duplicate alias provided.",
                ));
            }
        }
        let predicates = self
            .parsed
            .get_list("predicates")
            .unwrap_or_default()
            .to_vec();
        for (alias, _, predicate, _, _) in self.transforms() {
            let negate_key = format!("transforms.{alias}.negate");
            match predicate {
                Some(predicate) if !predicates.contains(&predicate) => {
                    problems.push(ConfigError::invalid(
                        format!("transforms.{alias}.predicate"),
                        predicate.clone(),
                        format!(
                            "undefined predicate '{predicate}'; defined predicates: [{}]",
                            predicates.join(", ")
                        ),
                    ));
                }
                None if self.originals().contains_key(&negate_key) => {
                    let value = self.originals()[&negate_key].clone();
                    problems.push(ConfigError::invalid(
                        negate_key,
                        value,
                        format!(
                            "there is no config 'transforms.{alias}.predicate' defining a predicate to be negated"
                        ),
                    ));
                }
                _ => {}
            }
        }
        if self.kind == ConnectorType::Sink {
            match self.sink_topics() {
                Err(problem) => problems.push(problem),
                Ok(topics) => {
                    if let Some(dlq) = self.errors().dlq_topic {
                        match &topics {
                            SinkTopics::List(list) if list.contains(&dlq) => {
                                problems.push(ConfigError::invalid(
                                    "errors.deadletterqueue.topic.name",
                                    dlq.clone(),
                                    format!(
                                        "The DLQ topic '{dlq}' may not be included in the list of topics ('topics={}') to be consumed.",
                                        list.join(",")
                                    ),
                                ));
                            }
                            SinkTopics::Regex(regex) if regex.is_match(&dlq) => {
                                problems.push(ConfigError::invalid(
                                    "errors.deadletterqueue.topic.name",
                                    dlq.clone(),
                                    format!(
                                        "The DLQ topic '{dlq}' may not be included in the regex matching the topics ('topics.regex={}') to be consumed.",
                                        self.parsed.get_string("topics.regex").unwrap_or_default()
                                    ),
                                ));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        problems
    }
}

/// The aliases listed under `transforms` or `predicates`, before parsing, without repeats.
pub(crate) fn aliases(props: &ConfigMap, key: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    props
        .get(key)
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|alias| !alias.is_empty() && seen.insert(*alias))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The key a cross-key problem belongs to, for validation reports.
fn problem_key(problem: &ConfigError) -> String {
    match problem {
        ConfigError::InvalidValue { name, .. } => name.clone(),
        _ => "topics".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn sink(extra: &[(&str, &str)]) -> Result<ConnectorConfig, ConfigError> {
        let mut map = props(&[("name", "s"), ("connector.class", "FileStreamSink")]);
        map.extend(props(extra));
        ConnectorConfig::parse(&map, ConnectorType::Sink)
    }

    #[test]
    fn sink_topics_rules_use_kafka_messages() {
        assert_eq!(
            sink(&[]).unwrap_err().to_string(),
            "Must configure one of topics or topics.regex"
        );
        assert_eq!(
            sink(&[("topics", "a"), ("topics.regex", "a.*")])
                .unwrap_err()
                .to_string(),
            "topics and topics.regex are mutually exclusive options, but both are set."
        );
        assert!(
            sink(&[("topics.regex", "a.*")])
                .unwrap()
                .sink_topics()
                .unwrap()
                .matches("abc")
        );
        assert!(
            !sink(&[("topics.regex", "a")])
                .unwrap()
                .sink_topics()
                .unwrap()
                .matches("ab")
        );
        assert_eq!(
            sink(&[
                ("topics", "a,dlq"),
                ("errors.deadletterqueue.topic.name", "dlq")
            ])
            .unwrap_err()
            .to_string(),
            "Invalid value dlq for configuration errors.deadletterqueue.topic.name: The DLQ topic \
             'dlq' may not be included in the list of topics ('topics=a,dlq') to be consumed."
        );
    }

    #[test]
    fn aliases_must_be_unique_and_predicates_defined() {
        let err = sink(&[
            ("topics", "a"),
            ("transforms", "x,x"),
            ("transforms.x.type", "T"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value [x, x] for configuration transforms: Duplicate alias provided."
        );
        let err = sink(&[
            ("topics", "a"),
            ("transforms", "x"),
            ("transforms.x.type", "T"),
            ("transforms.x.negate", "true"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().contains(
                "there is no config 'transforms.x.predicate' defining a predicate to be negated"
            ),
            "{err}"
        );
        let err = sink(&[("topics", "a"), ("transforms", "x")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("Missing required configuration \"transforms.x.type\""),
            "{err}"
        );
    }

    #[test]
    fn errors_settings_follow_kafka_defaults() {
        let config = sink(&[("topics", "a")]).unwrap();
        let errors = config.errors();
        assert_eq!(errors.retry_timeout, Some(Duration::ZERO));
        assert_eq!(errors.retry_delay_max, Duration::from_secs(60));
        assert_eq!(errors.tolerance, ToleranceType::None);
        assert_eq!(errors.dlq_topic, None);
        assert_eq!(errors.dlq_replication_factor, 3);
        let config = sink(&[
            ("topics", "a"),
            ("errors.retry.timeout", "-1"),
            ("errors.tolerance", "all"),
        ])
        .unwrap();
        assert_eq!(config.errors().retry_timeout, None);
        assert_eq!(config.errors().tolerance, ToleranceType::All);
        let err = sink(&[("topics", "a"), ("errors.tolerance", "some")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value some for configuration errors.tolerance: String must be one of: none, all"
        );
    }

    #[test]
    fn restart_backoff_doubles_and_caps() {
        let config = sink(&[
            ("topics", "a"),
            ("errors.restart.enable", "true"),
            ("errors.restart.backoff.initial.ms", "100"),
            ("errors.restart.backoff.max.ms", "350"),
        ])
        .unwrap();
        let policy = config.restart_policy();
        assert!(policy.enabled);
        let delays: Vec<u128> = (1..=4).map(|n| policy.backoff(n).as_millis()).collect();
        assert_eq!(delays, [100, 200, 350, 350]);
        assert_eq!(policy.max_attempts, None);
    }

    #[test]
    fn name_and_tasks_max_are_validated() {
        let err = ConnectorConfig::parse(
            &props(&[("name", ""), ("connector.class", "X"), ("tasks.max", "0")]),
            ConnectorType::Source,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("Invalid value  for configuration name: String may not be empty"),
            "{err}"
        );
        assert!(
            err.contains("Invalid value 0 for configuration tasks.max: Value must be at least 1"),
            "{err}"
        );
    }
}
