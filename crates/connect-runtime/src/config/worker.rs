//! `WorkerConfig`: the settings of one worker process (Kafka's `WorkerConfig` and
//! `StandaloneConfig`).

use std::path::PathBuf;
use std::time::Duration;

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, ParsedConfig, Range};
use connect_api::error::ConfigError;

/// The header converter Kafka Connect uses when `header.converter` is not set.
pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// A parsed worker configuration.
///
/// `bootstrap.servers` chooses the log: when it is set the worker runs on that Kafka cluster;
/// when it is absent the worker runs on the embedded log in `embedded.log.dir` and needs no
/// broker at all (Kafka defaults it to `localhost:9092` instead).
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_runtime::config::WorkerConfig;
///
/// let props = ConfigMap::from([
///     ("key.converter".into(), "org.apache.kafka.connect.json.JsonConverter".into()),
///     ("value.converter".into(), "org.apache.kafka.connect.json.JsonConverter".into()),
///     ("key.converter.schemas.enable".into(), "false".into()),
///     ("offset.storage.file.filename".into(), "/tmp/connect.offsets".into()),
/// ]);
/// let config = WorkerConfig::standalone(props)?;
/// assert_eq!(config.bootstrap_servers(), None);
/// assert_eq!(config.offset_flush_interval().as_millis(), 60_000);
/// assert_eq!(config.converter_config("key.converter")["schemas.enable"], "false");
/// assert_eq!(config.embedded_log_dir().to_str(), Some("/tmp/connect-log"));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    parsed: ParsedConfig,
}

impl WorkerConfig {
    /// The configuration definition of a standalone worker.
    pub fn standalone_def() -> ConfigDef {
        base_def()
            .define(
                ConfigKey::string("offset.storage.file.filename")
                    .importance(Importance::High)
                    .documentation("File to store source connector offsets in."),
            )
            .define(
                ConfigKey::string("offset.storage.topic")
                    .default_null()
                    .importance(Importance::Medium)
                    .documentation(
                        "Kafka topic to store source connector offsets in, in Kafka Connect's \
                         format, instead of the offset file. Needs bootstrap.servers.",
                    ),
            )
    }

    /// Parses a standalone worker's properties, reporting every invalid key.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming each missing or invalid key.
    pub fn standalone(props: ConfigMap) -> Result<Self, ConfigError> {
        let parsed = Self::standalone_def().parse(&props)?;
        let config = Self { parsed };
        if config.offset_storage_topic().is_some() && config.bootstrap_servers().is_none() {
            return Err(ConfigError::invalid(
                "offset.storage.topic",
                config.offset_storage_topic().unwrap_or_default().to_owned(),
                "an offsets topic needs a Kafka cluster: set bootstrap.servers",
            ));
        }
        Ok(config)
    }

    /// The parsed values.
    pub fn parsed(&self) -> &ParsedConfig {
        &self.parsed
    }

    /// The properties as given.
    pub fn originals(&self) -> &ConfigMap {
        self.parsed.originals()
    }

    /// `bootstrap.servers`, or `None` to run on the embedded log.
    pub fn bootstrap_servers(&self) -> Option<&[String]> {
        self.parsed
            .get_opt_list("bootstrap.servers")
            .ok()
            .flatten()
            .filter(|servers| !servers.is_empty())
    }

    /// `key.converter`, `value.converter` or `header.converter`.
    pub fn converter_class(&self, key: &str) -> Option<&str> {
        self.parsed.get_opt_class(key).ok().flatten()
    }

    /// The settings under a converter's prefix (`key.converter.schemas.enable` gives
    /// `schemas.enable` for `key.converter`).
    pub fn converter_config(&self, converter_key: &str) -> ConfigMap {
        self.parsed
            .originals_with_prefix(&format!("{converter_key}."), true)
    }

    /// `offset.flush.interval.ms`.
    pub fn offset_flush_interval(&self) -> Duration {
        self.millis("offset.flush.interval.ms")
    }

    /// `offset.flush.timeout.ms`.
    pub fn offset_flush_timeout(&self) -> Duration {
        self.millis("offset.flush.timeout.ms")
    }

    /// `task.shutdown.graceful.timeout.ms`.
    pub fn task_shutdown_graceful_timeout(&self) -> Duration {
        self.millis("task.shutdown.graceful.timeout.ms")
    }

    /// `offset.storage.file.filename`.
    pub fn offset_storage_file(&self) -> Option<PathBuf> {
        self.parsed
            .get_opt_string("offset.storage.file.filename")
            .ok()
            .flatten()
            .map(PathBuf::from)
    }

    /// `offset.storage.topic`.
    pub fn offset_storage_topic(&self) -> Option<&str> {
        self.parsed
            .get_opt_string("offset.storage.topic")
            .ok()
            .flatten()
            .filter(|topic| !topic.is_empty())
    }

    /// `embedded.log.dir`, by default `connect-log` beside the offset file.
    pub fn embedded_log_dir(&self) -> PathBuf {
        if let Ok(Some(dir)) = self.parsed.get_opt_string("embedded.log.dir") {
            return PathBuf::from(dir);
        }
        let parent = self
            .offset_storage_file()
            .and_then(|file| file.parent().map(PathBuf::from))
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        parent.join("connect-log")
    }

    /// `embedded.log.retention.ms` (-1: keep forever).
    pub fn embedded_log_retention(&self) -> Option<Duration> {
        let ms = self
            .parsed
            .get_long("embedded.log.retention.ms")
            .unwrap_or(-1);
        u64::try_from(ms).ok().map(Duration::from_millis)
    }

    /// `embedded.log.retention.bytes` per partition (-1: no limit).
    pub fn embedded_log_retention_bytes(&self) -> Option<u64> {
        let bytes = self
            .parsed
            .get_long("embedded.log.retention.bytes")
            .unwrap_or(-1);
        u64::try_from(bytes).ok()
    }

    /// `topic.tracking.enable`.
    pub fn topic_tracking_enabled(&self) -> bool {
        self.parsed
            .get_bool("topic.tracking.enable")
            .unwrap_or(true)
    }

    /// `topic.tracking.allow.reset`.
    pub fn topic_tracking_reset_allowed(&self) -> bool {
        self.parsed
            .get_bool("topic.tracking.allow.reset")
            .unwrap_or(true)
    }

    /// The worker id shown in statuses: the advertised REST host and port
    /// (`rest.advertised.host.name`, `rest.advertised.port`), else those of the first listener.
    pub fn worker_id(&self) -> String {
        let listener = self
            .parsed
            .get_opt_list("listeners")
            .ok()
            .flatten()
            .and_then(|listeners| listeners.first())
            .map(|l| {
                l.split_once("://")
                    .map_or(l.as_str(), |(_, rest)| rest)
                    .trim_end_matches('/')
            })
            .and_then(|hostport| hostport.rsplit_once(':'))
            .map(|(host, port)| (host.trim_matches(['[', ']']).to_owned(), port.to_owned()));
        let host = match self
            .parsed
            .get_opt_string("rest.advertised.host.name")
            .ok()
            .flatten()
        {
            Some(host) => host.to_owned(),
            None => match &listener {
                Some((host, _)) if !host.is_empty() => host.clone(),
                _ => "localhost".to_owned(),
            },
        };
        let port = match self
            .parsed
            .get_opt_int("rest.advertised.port")
            .ok()
            .flatten()
        {
            Some(port) => port.to_string(),
            None => listener.map_or_else(|| "8083".to_owned(), |(_, port)| port),
        };
        format!("{host}:{port}")
    }

    fn millis(&self, key: &str) -> Duration {
        let ms = self.parsed.get_long(key).unwrap_or(0);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }
}

/// The keys every worker accepts.
fn base_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::list("bootstrap.servers")
                .default_null()
                .importance(Importance::High)
                .documentation(
                    "A list of host/port pairs of the Kafka cluster. When absent the worker runs \
                     on the embedded log in embedded.log.dir.",
                ),
        )
        .define(
            ConfigKey::class("key.converter")
                .importance(Importance::High)
                .documentation("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka."),
        )
        .define(
            ConfigKey::class("value.converter")
                .importance(Importance::High)
                .documentation("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka."),
        )
        .define(
            ConfigKey::class("header.converter")
                .default_value(DEFAULT_HEADER_CONVERTER)
                .importance(Importance::Low)
                .documentation("HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka."),
        )
        .define(
            ConfigKey::long("task.shutdown.graceful.timeout.ms")
                .default_value(5000i64)
                .importance(Importance::Low)
                .documentation("Amount of time to wait for tasks to shutdown gracefully."),
        )
        .define(
            ConfigKey::long("offset.flush.interval.ms")
                .default_value(60000i64)
                .importance(Importance::Low)
                .documentation("Interval at which to try committing offsets for tasks."),
        )
        .define(
            ConfigKey::long("offset.flush.timeout.ms")
                .default_value(5000i64)
                .importance(Importance::Low)
                .documentation("Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process and restoring the offset data to be committed in a future attempt."),
        )
        .define(
            ConfigKey::list("plugin.path")
                .default_null()
                .importance(Importance::Low)
                .documentation("Accepted for compatibility; plugins are linked into the binary."),
        )
        .define(ConfigKey::list("config.providers").default_value("").importance(Importance::Low).documentation("Aliases of the config providers that resolve ${alias:path:key} references in connector configurations; each is set up by config.providers.<alias>.class and its config.providers.<alias>.param.* keys."))
        .define(
            ConfigKey::string("connector.client.config.override.policy")
                .default_value("All")
                .importance(Importance::Medium)
                .documentation("Accepted for compatibility: connectors may always override their clients' settings with producer.override.* and consumer.override.*, as Kafka's All policy."),
        )
        .define(ConfigKey::boolean("topic.creation.enable").default_value(true).importance(Importance::Low).documentation("Whether source connectors may create the topics they write to, with their topic.creation.default.* settings. Accepted for compatibility: topics are always created when missing."))
        .define(ConfigKey::boolean("topic.tracking.enable").default_value(true).importance(Importance::Low).documentation("Enable tracking the set of active topics per connector during runtime (GET /connectors/{name}/topics)."))
        .define(ConfigKey::boolean("topic.tracking.allow.reset").default_value(true).importance(Importance::Low).documentation("If true, allow user requests to reset the set of active topics per connector (PUT /connectors/{name}/topics/reset)."))
        .define(
            ConfigKey::list("listeners")
                .default_value("http://127.0.0.1:8083")
                .importance(Importance::Low)
                .documentation("REST listeners; loopback unless configured."),
        )
        .define(ConfigKey::string("rest.advertised.host.name").default_null().importance(Importance::Low).documentation("The host name given to other workers and clients, when it differs from the one the listener binds; part of the worker id."))
        .define(ConfigKey::int("rest.advertised.port").default_null().importance(Importance::Low).documentation("The port given to other workers and clients, when it differs from the one the listener binds; part of the worker id."))
        .define(ConfigKey::string("rest.advertised.listener").default_null().importance(Importance::Low).documentation("Accepted for compatibility: the protocol (http or https) advertised to other workers, which a standalone worker has none of."))
        .define(
            ConfigKey::string("embedded.log.dir")
                .default_null()
                .importance(Importance::Medium)
                .documentation("Directory of the embedded log, used when bootstrap.servers is absent. Default: connect-log beside offset.storage.file.filename."),
        )
        .define(
            ConfigKey::long("embedded.log.retention.ms")
                .default_value(604_800_000i64)
                .validator(Range::at_least(-1))
                .importance(Importance::Medium)
                .documentation("How long the embedded log keeps records (-1: forever)."),
        )
        .define(
            ConfigKey::long("embedded.log.retention.bytes")
                .default_value(-1i64)
                .validator(Range::at_least(-1))
                .importance(Importance::Medium)
                .documentation("How many bytes the embedded log keeps per partition (-1: no limit)."),
        )
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

    #[test]
    fn missing_converters_and_offset_file_are_each_reported() {
        let message = WorkerConfig::standalone(ConfigMap::new())
            .unwrap_err()
            .to_string();
        for key in [
            "key.converter",
            "value.converter",
            "offset.storage.file.filename",
        ] {
            assert!(
                message.contains(&format!("Missing required configuration \"{key}\"")),
                "{message}"
            );
        }
    }

    #[test]
    fn kafka_defaults_apply() {
        let config = WorkerConfig::standalone(props(&[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("offset.storage.file.filename", "offsets"),
            ("bootstrap.servers", "a:9092,b:9092"),
        ]))
        .unwrap();
        assert_eq!(
            config.bootstrap_servers(),
            Some(&["a:9092".to_owned(), "b:9092".to_owned()][..])
        );
        assert_eq!(
            config.converter_class("header.converter"),
            Some(DEFAULT_HEADER_CONVERTER)
        );
        assert_eq!(config.offset_flush_timeout(), Duration::from_secs(5));
        assert_eq!(
            config.task_shutdown_graceful_timeout(),
            Duration::from_secs(5)
        );
        assert_eq!(config.embedded_log_dir(), PathBuf::from("./connect-log"));
        assert_eq!(config.worker_id(), "127.0.0.1:8083");
        let mut props = config.originals().clone();
        props.insert("listeners".into(), "http://:18083".into());
        assert_eq!(
            WorkerConfig::standalone(props.clone()).unwrap().worker_id(),
            "localhost:18083"
        );
        props.insert("rest.advertised.host.name".into(), "connect-1".into());
        assert_eq!(
            WorkerConfig::standalone(props).unwrap().worker_id(),
            "connect-1:18083"
        );
    }

    #[test]
    fn malformed_interval_names_the_key() {
        let err = WorkerConfig::standalone(props(&[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("offset.storage.file.filename", "offsets"),
            ("offset.flush.interval.ms", "soon"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value soon for configuration offset.flush.interval.ms: Not a number of type LONG"
        );
    }

    #[test]
    fn offsets_topic_needs_kafka() {
        let err = WorkerConfig::standalone(props(&[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("offset.storage.file.filename", "offsets"),
            ("offset.storage.topic", "connect-offsets"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("offset.storage.topic"), "{err}");
    }
}
