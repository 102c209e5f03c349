//! `WorkerConfig`: the settings of one worker process (Kafka's `WorkerConfig` and
//! `StandaloneConfig`).

use std::path::PathBuf;
use std::time::Duration;

use connect_api::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigKey, ConfigKeyBuilder, ConfigMap, ConfigValue,
    Importance, LambdaValidator, ParsedConfig, Range, invalid_value,
};
use connect_api::error::ConfigError;

/// The header converter Kafka Connect uses when `header.converter` is not set.
pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// The `offset.storage.partitions` default, Kafka Connect's.
const DEFAULT_OFFSET_STORAGE_PARTITIONS: i32 = 25;
/// The `status.storage.partitions` default, Kafka Connect's.
const DEFAULT_STATUS_STORAGE_PARTITIONS: i32 = 5;
/// The default replication factor of the three internal topics, Kafka Connect's.
const DEFAULT_REPLICATION_FACTOR: i16 = 3;
/// The `worker.sync.timeout.ms` default, Kafka Connect's.
const DEFAULT_WORKER_SYNC_TIMEOUT_MS: i32 = 3000;
/// The `bootstrap.servers` default of a distributed worker, Kafka's.
const DEFAULT_BOOTSTRAP_SERVERS: &str = "localhost:9092";
/// The only `exactly.once.source.support` this runtime runs with.
const EXACTLY_ONCE_DISABLED: &str = "disabled";
/// The default inter-worker key and signature algorithm, Kafka Connect's.
const DEFAULT_INTER_WORKER_ALGORITHM: &str = "HmacSHA256";

const GROUP_ID: &str = "group.id";
const CONFIG_STORAGE_TOPIC: &str = "config.storage.topic";
const OFFSET_STORAGE_TOPIC: &str = "offset.storage.topic";
const STATUS_STORAGE_TOPIC: &str = "status.storage.topic";
const OFFSET_STORAGE_PARTITIONS: &str = "offset.storage.partitions";
const STATUS_STORAGE_PARTITIONS: &str = "status.storage.partitions";
const CONFIG_STORAGE_REPLICATION_FACTOR: &str = "config.storage.replication.factor";
const OFFSET_STORAGE_REPLICATION_FACTOR: &str = "offset.storage.replication.factor";
const STATUS_STORAGE_REPLICATION_FACTOR: &str = "status.storage.replication.factor";
const HEARTBEAT_INTERVAL_MS: &str = "heartbeat.interval.ms";
const SESSION_TIMEOUT_MS: &str = "session.timeout.ms";
const WORKER_SYNC_TIMEOUT_MS: &str = "worker.sync.timeout.ms";
const EXACTLY_ONCE_SOURCE_SUPPORT: &str = "exactly.once.source.support";
const CONNECT_PROTOCOL: &str = "connect.protocol";
const INTER_WORKER_SIGNATURE_ALGORITHM: &str = "inter.worker.signature.algorithm";
const INTER_WORKER_KEY_GENERATION_ALGORITHM: &str = "inter.worker.key.generation.algorithm";
const INTER_WORKER_KEY_SIZE: &str = "inter.worker.key.size";
const INTER_WORKER_VERIFICATION_ALGORITHMS: &str = "inter.worker.verification.algorithms";

/// A parsed worker configuration, of a standalone worker ([`WorkerConfig::standalone`]) or of a
/// distributed one ([`WorkerConfig::distributed`]).
///
/// For a standalone worker `bootstrap.servers` chooses the log: when it is set the worker runs
/// on that Kafka cluster; when it is absent the worker runs on the embedded log in
/// `embedded.log.dir` and needs no broker at all (Kafka defaults it to `localhost:9092`
/// instead). A distributed worker always runs on Kafka, so there it defaults to
/// `localhost:9092` as in Kafka.
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
    /// Whether [`WorkerConfig::distributed`] parsed it, with [`WorkerConfig::distributed_def`].
    distributed: bool,
}

impl WorkerConfig {
    /// The configuration definition of a standalone worker.
    ///
    /// ```
    /// use connect_runtime::config::WorkerConfig;
    ///
    /// let def = WorkerConfig::standalone_def();
    /// assert!(def.contains("offset.storage.file.filename"));
    /// assert!(!def.contains("group.id"));
    /// ```
    pub fn standalone_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::list("bootstrap.servers")
                    .default_null()
                    .importance(Importance::High)
                    .documentation(
                        "A list of host/port pairs of the Kafka cluster. When absent the worker \
                         runs on the embedded log in embedded.log.dir.",
                    ),
            )
            .with_def(&base_def())
            .define(
                ConfigKey::string("offset.storage.file.filename")
                    .importance(Importance::High)
                    .documentation("File to store source connector offsets in."),
            )
            .define(
                ConfigKey::string(OFFSET_STORAGE_TOPIC)
                    .default_null()
                    .importance(Importance::Medium)
                    .documentation(
                        "Kafka topic to store source connector offsets in, in Kafka Connect's \
                         format, instead of the offset file. Needs bootstrap.servers.",
                    ),
            )
            .define(offset_storage_partitions_key())
            .define(replication_factor_key(
                OFFSET_STORAGE_REPLICATION_FACTOR,
                "the offset storage topic",
            ))
    }

    /// Parses a standalone worker's properties, reporting every invalid key.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming each missing or invalid key.
    pub fn standalone(props: ConfigMap) -> Result<Self, ConfigError> {
        let parsed = Self::standalone_def().parse(&props)?;
        let config = Self {
            parsed,
            distributed: false,
        };
        if config.offset_storage_topic().is_some() && config.bootstrap_servers().is_none() {
            return Err(ConfigError::invalid(
                OFFSET_STORAGE_TOPIC,
                config.offset_storage_topic().unwrap_or_default().to_owned(),
                "an offsets topic needs a Kafka cluster: set bootstrap.servers",
            ));
        }
        Ok(config)
    }

    /// The configuration definition of a distributed worker (Kafka's `DistributedConfig`): the
    /// keys every worker takes, with `bootstrap.servers` defaulting to `localhost:9092`, and
    /// those of the worker group and its three internal topics. It has no
    /// `offset.storage.file.filename`.
    ///
    /// ```
    /// use connect_runtime::config::WorkerConfig;
    ///
    /// let def = WorkerConfig::distributed_def();
    /// assert!(def.key("group.id").unwrap().is_required());
    /// assert!(def.contains("status.storage.partitions"));
    /// assert!(!def.contains("offset.storage.file.filename"));
    /// ```
    pub fn distributed_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::list("bootstrap.servers")
                    .default_value(DEFAULT_BOOTSTRAP_SERVERS)
                    .importance(Importance::High)
                    .documentation(
                        "A list of host/port pairs of the Kafka cluster that holds the worker \
                         group and its internal topics. A distributed worker always runs on \
                         Kafka: the embedded log has no group coordinator.",
                    ),
            )
            .with_def(&base_def())
            .define(
                ConfigKey::string(GROUP_ID)
                    .importance(Importance::High)
                    .documentation(
                        "A unique string that identifies the Connect cluster group this worker \
                         belongs to.",
                    ),
            )
            .define(
                ConfigKey::int(SESSION_TIMEOUT_MS)
                    .default_value(10_000)
                    .importance(Importance::High)
                    .documentation(
                        "The timeout used to detect worker failures. The worker sends periodic \
                         heartbeats to show the broker it is alive; when the broker receives \
                         none before this timeout expires, it removes the worker from the group \
                         and starts a rebalance. The value must be within the range the broker \
                         allows with group.min.session.timeout.ms and \
                         group.max.session.timeout.ms.",
                    ),
            )
            .define(
                ConfigKey::int("rebalance.timeout.ms")
                    .default_value(60_000)
                    .importance(Importance::High)
                    .documentation(
                        "The longest time each worker may take to join the group once a \
                         rebalance has begun: in effect a limit on the time all tasks need to \
                         flush pending data and commit offsets. A worker that exceeds it is \
                         removed from the group, and its offset commits fail.",
                    ),
            )
            .define(
                ConfigKey::int(HEARTBEAT_INTERVAL_MS)
                    .default_value(3000)
                    .importance(Importance::High)
                    .documentation(
                        "The expected time between heartbeats to the group coordinator. \
                         Heartbeats keep the worker's session alive and let a rebalance start \
                         promptly when workers join or leave the group. The value must be lower \
                         than session.timeout.ms, and typically no higher than a third of it; \
                         lower values make normal rebalances faster.",
                    ),
            )
            .define(
                ConfigKey::string(EXACTLY_ONCE_SOURCE_SUPPORT)
                    .default_value(EXACTLY_ONCE_DISABLED)
                    .validator(CaseInsensitiveValidString::in_([
                        EXACTLY_ONCE_DISABLED,
                        "preparing",
                        "enabled",
                    ]))
                    .importance(Importance::High)
                    .documentation(
                        "Whether source connectors write their records and source offsets in \
                         transactions, with old task generations fenced out before new ones \
                         start (exactly-once source support, KIP-618). Only disabled is \
                         supported: this runtime does not implement exactly-once source \
                         support, delivers source records at least once, and rejects preparing \
                         and enabled.",
                    ),
            )
            .define(
                ConfigKey::long("metadata.max.age.ms")
                    .default_value(300_000i64)
                    .validator(Range::at_least(0))
                    .importance(Importance::Low)
                    .documentation(
                        "The period after which metadata is refreshed even without leadership \
                         changes, to discover new brokers or partitions. Accepted for \
                         compatibility: the worker's Kafka client looks metadata up when it \
                         needs it, and a sink connector's topics.regex follows \
                         consumer.metadata.max.age.ms.",
                    ),
            )
            .define(
                ConfigKey::long("retry.backoff.ms")
                    .default_value(100i64)
                    .validator(Range::at_least(0))
                    .importance(Importance::Low)
                    .documentation(
                        "The time to wait before retrying a failed request, and the first wait \
                         after a failure in the group; repeated failures wait exponentially \
                         longer, up to retry.backoff.max.ms.",
                    ),
            )
            .define(
                ConfigKey::long("retry.backoff.max.ms")
                    .default_value(1000i64)
                    .validator(Range::at_least(0))
                    .importance(Importance::Low)
                    .documentation(
                        "The longest wait between retries of a request that keeps failing; the \
                         waits grow exponentially from retry.backoff.ms.",
                    ),
            )
            .define(
                ConfigKey::int("request.timeout.ms")
                    .default_value(40_000)
                    .validator(Range::at_least(0))
                    .importance(Importance::Medium)
                    .documentation(
                        "The longest time the worker's Kafka client waits for the response to a \
                         request before it retries the request or fails.",
                    ),
            )
            .define(
                ConfigKey::int(WORKER_SYNC_TIMEOUT_MS)
                    .default_value(DEFAULT_WORKER_SYNC_TIMEOUT_MS)
                    .importance(Importance::Medium)
                    .documentation(
                        "When the worker is out of sync with the other workers and must read the \
                         configurations again, how long it waits to catch up before giving up, \
                         leaving the group, and waiting worker.unsync.backoff.ms before \
                         rejoining.",
                    ),
            )
            .define(
                ConfigKey::int("worker.unsync.backoff.ms")
                    .default_value(300_000)
                    .importance(Importance::Medium)
                    .documentation(
                        "When the worker is out of sync with the other workers and does not \
                         catch up within worker.sync.timeout.ms, how long it stays out of the \
                         Connect cluster before rejoining.",
                    ),
            )
            .define(
                ConfigKey::string(OFFSET_STORAGE_TOPIC)
                    .importance(Importance::High)
                    .documentation(
                        "The name of the Kafka topic in which connector offsets are stored.",
                    ),
            )
            .define(offset_storage_partitions_key())
            .define(replication_factor_key(
                OFFSET_STORAGE_REPLICATION_FACTOR,
                "the offset storage topic",
            ))
            .define(
                ConfigKey::string(CONFIG_STORAGE_TOPIC)
                    .importance(Importance::High)
                    .documentation(
                        "The name of the Kafka topic in which connector configurations are \
                         stored. It has one partition.",
                    ),
            )
            .define(replication_factor_key(
                CONFIG_STORAGE_REPLICATION_FACTOR,
                "the configuration storage topic",
            ))
            .define(
                ConfigKey::string(STATUS_STORAGE_TOPIC)
                    .importance(Importance::High)
                    .documentation(
                        "The name of the Kafka topic in which connector and task statuses are \
                         stored.",
                    ),
            )
            .define(
                ConfigKey::int(STATUS_STORAGE_PARTITIONS)
                    .default_value(DEFAULT_STATUS_STORAGE_PARTITIONS)
                    .validator(Range::at_least(1))
                    .importance(Importance::Low)
                    .documentation(
                        "The number of partitions of the status storage topic when it is \
                         created.",
                    ),
            )
            .define(replication_factor_key(
                STATUS_STORAGE_REPLICATION_FACTOR,
                "the status storage topic",
            ))
            .define(
                ConfigKey::string(CONNECT_PROTOCOL)
                    .default_value("sessioned")
                    .validator(connect_protocol_validator())
                    .importance(Importance::Low)
                    .documentation(
                        "Compatibility mode of the Kafka Connect group protocol: eager (every \
                         rebalance stops and reassigns all connectors and tasks), compatible \
                         (incremental cooperative rebalancing, KIP-415) or sessioned \
                         (compatible, with requests between workers signed, KIP-507). The group \
                         uses the highest mode all its workers support.",
                    ),
            )
            .define(
                ConfigKey::int("scheduled.rebalance.max.delay.ms")
                    .default_value(300_000)
                    .validator(Range::at_least(0))
                    .importance(Importance::Low)
                    .documentation(
                        "The longest delay the leader schedules to wait for departed workers to \
                         return before it reassigns their connectors and tasks to the group. \
                         Meanwhile those connectors and tasks stay unassigned.",
                    ),
            )
            .define(
                ConfigKey::int("inter.worker.key.ttl.ms")
                    .default_value(3_600_000)
                    .validator(Range::at_least(0))
                    .importance(Importance::Low)
                    .documentation(
                        "How long the leader's session key, which signs requests between \
                         workers under the sessioned protocol, is used before the leader writes \
                         a new one to the config topic.",
                    ),
            )
            .define(
                ConfigKey::string(INTER_WORKER_KEY_GENERATION_ALGORITHM)
                    .default_value(DEFAULT_INTER_WORKER_ALGORITHM)
                    .importance(Importance::Low)
                    .documentation(
                        "The algorithm that generates the session keys signing requests between \
                         workers. Only HmacSHA256 is supported.",
                    ),
            )
            .define(
                ConfigKey::int(INTER_WORKER_KEY_SIZE)
                    .default_null()
                    .importance(Importance::Low)
                    .documentation(
                        "The size in bits of the session keys (a multiple of 8); null for the \
                         default size of the key generation algorithm, 256 bits.",
                    ),
            )
            .define(
                ConfigKey::string(INTER_WORKER_SIGNATURE_ALGORITHM)
                    .default_value(DEFAULT_INTER_WORKER_ALGORITHM)
                    .importance(Importance::Low)
                    .documentation(
                        "The algorithm that signs requests between workers; it must be one of \
                         inter.worker.verification.algorithms. Only HmacSHA256 is supported.",
                    ),
            )
            .define(
                ConfigKey::list(INTER_WORKER_VERIFICATION_ALGORITHMS)
                    .default_value(DEFAULT_INTER_WORKER_ALGORITHM)
                    .importance(Importance::Low)
                    .documentation(
                        "The algorithms accepted when verifying requests from other workers, \
                         including the one of inter.worker.signature.algorithm. Requests are \
                         verified with HmacSHA256.",
                    ),
            )
    }

    /// Parses a distributed worker's properties, reporting every invalid key.
    ///
    /// Besides each key's own checks: `group.id` and the three topics must not be blank, the
    /// three topics must be different, `heartbeat.interval.ms` must be lower than
    /// `session.timeout.ms`, `exactly.once.source.support` must be `disabled`, and
    /// `inter.worker.verification.algorithms` must include `inter.worker.signature.algorithm`.
    ///
    /// ```
    /// use connect_api::config::ConfigMap;
    /// use connect_runtime::config::WorkerConfig;
    ///
    /// let props = ConfigMap::from([
    ///     ("key.converter".into(), "org.apache.kafka.connect.json.JsonConverter".into()),
    ///     ("value.converter".into(), "org.apache.kafka.connect.json.JsonConverter".into()),
    ///     ("group.id".into(), "connect-cluster".into()),
    ///     ("config.storage.topic".into(), "connect-configs".into()),
    ///     ("offset.storage.topic".into(), "connect-offsets".into()),
    ///     ("status.storage.topic".into(), "connect-status".into()),
    ///     ("listeners".into(), "http://0.0.0.0:8083".into()),
    ///     ("rest.advertised.host.name".into(), "worker-1".into()),
    /// ]);
    /// let config = WorkerConfig::distributed(props)?;
    /// assert!(config.is_distributed());
    /// assert_eq!(config.bootstrap_servers(), Some(&["localhost:9092".to_owned()][..]));
    /// assert_eq!(config.group_id(), Some("connect-cluster"));
    /// assert_eq!(config.offset_storage_partitions(), 25);
    /// assert_eq!(config.rest_advertised_url(), "http://worker-1:8083/");
    /// # Ok::<(), connect_api::error::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming each missing or invalid key: one, or a
    /// [`ConfigError::Multiple`] of them.
    pub fn distributed(props: ConfigMap) -> Result<Self, ConfigError> {
        let parsed = Self::distributed_def().parse(&props)?;
        let config = Self {
            parsed,
            distributed: true,
        };
        let mut errors = Vec::new();
        if config.bootstrap_servers().is_none() {
            errors.push(ConfigError::invalid(
                "bootstrap.servers",
                props.get("bootstrap.servers").map_or("", String::as_str),
                "a distributed worker needs a Kafka cluster",
            ));
        }
        let text = |key: &str| config.parsed.get_string(key).unwrap_or_default();
        for key in [
            GROUP_ID,
            CONFIG_STORAGE_TOPIC,
            OFFSET_STORAGE_TOPIC,
            STATUS_STORAGE_TOPIC,
        ] {
            if text(key).trim().is_empty() {
                errors.push(ConfigError::invalid(key, text(key), "must not be empty"));
            }
        }
        let topics = [
            CONFIG_STORAGE_TOPIC,
            OFFSET_STORAGE_TOPIC,
            STATUS_STORAGE_TOPIC,
        ];
        for (i, later) in topics.iter().enumerate() {
            if let Some(earlier) = topics[..i]
                .iter()
                .find(|earlier| !text(later).is_empty() && text(earlier) == text(later))
            {
                errors.push(ConfigError::invalid(
                    *later,
                    text(later),
                    format!("{later} and {earlier} must be different topics"),
                ));
            }
        }
        let heartbeat = config.parsed.get_int(HEARTBEAT_INTERVAL_MS).unwrap_or(0);
        let session = config.parsed.get_int(SESSION_TIMEOUT_MS).unwrap_or(0);
        if heartbeat >= session {
            errors.push(ConfigError::invalid(
                HEARTBEAT_INTERVAL_MS,
                heartbeat,
                format!("must be lower than {SESSION_TIMEOUT_MS} ({session})"),
            ));
        }
        let exactly_once = text(EXACTLY_ONCE_SOURCE_SUPPORT);
        if !exactly_once.eq_ignore_ascii_case(EXACTLY_ONCE_DISABLED) {
            errors.push(ConfigError::invalid(
                EXACTLY_ONCE_SOURCE_SUPPORT,
                exactly_once,
                "only disabled is supported: this runtime does not implement exactly-once \
                 source support",
            ));
        }
        for key in [
            INTER_WORKER_KEY_GENERATION_ALGORITHM,
            INTER_WORKER_SIGNATURE_ALGORITHM,
        ] {
            let algorithm = text(key);
            if algorithm != DEFAULT_INTER_WORKER_ALGORITHM {
                errors.push(ConfigError::invalid(
                    key,
                    algorithm,
                    format!("only {DEFAULT_INTER_WORKER_ALGORITHM} is supported"),
                ));
            }
        }
        if let Ok(Some(bits)) = config.parsed.get_opt_int(INTER_WORKER_KEY_SIZE)
            && (bits <= 0 || bits % 8 != 0)
        {
            errors.push(ConfigError::invalid(
                INTER_WORKER_KEY_SIZE,
                bits,
                "must be a positive multiple of 8",
            ));
        }
        let signature = text(INTER_WORKER_SIGNATURE_ALGORITHM);
        let verification = config
            .parsed
            .get_list(INTER_WORKER_VERIFICATION_ALGORITHMS)
            .unwrap_or_default();
        if !verification.iter().any(|algorithm| algorithm == signature) {
            errors.push(ConfigError::invalid(
                INTER_WORKER_SIGNATURE_ALGORITHM,
                signature,
                format!(
                    "Signature algorithm must be present in {INTER_WORKER_VERIFICATION_ALGORITHMS} list"
                ),
            ));
        }
        match errors.len() {
            0 => Ok(config),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Multiple(errors)),
        }
    }

    /// Whether this is a distributed worker's configuration (parsed by
    /// [`WorkerConfig::distributed`]).
    ///
    /// ```
    /// use connect_api::config::ConfigMap;
    /// use connect_runtime::config::WorkerConfig;
    ///
    /// let props = ConfigMap::from([
    ///     ("key.converter".into(), "StringConverter".into()),
    ///     ("value.converter".into(), "StringConverter".into()),
    ///     ("offset.storage.file.filename".into(), "/tmp/connect.offsets".into()),
    /// ]);
    /// assert!(!WorkerConfig::standalone(props)?.is_distributed());
    /// # Ok::<(), connect_api::error::ConfigError>(())
    /// ```
    pub fn is_distributed(&self) -> bool {
        self.distributed
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

    /// `offset.storage.topic`: optional for a standalone worker, required for a distributed
    /// one.
    pub fn offset_storage_topic(&self) -> Option<&str> {
        self.non_empty_string(OFFSET_STORAGE_TOPIC)
    }

    /// `group.id`; `None` for a standalone worker.
    pub fn group_id(&self) -> Option<&str> {
        self.non_empty_string(GROUP_ID)
    }

    /// `config.storage.topic`; `None` for a standalone worker.
    pub fn config_storage_topic(&self) -> Option<&str> {
        self.non_empty_string(CONFIG_STORAGE_TOPIC)
    }

    /// `status.storage.topic`; `None` for a standalone worker.
    pub fn status_storage_topic(&self) -> Option<&str> {
        self.non_empty_string(STATUS_STORAGE_TOPIC)
    }

    /// `config.storage.replication.factor` (-1: the broker's default); 3 for a standalone
    /// worker.
    pub fn config_storage_replication_factor(&self) -> i16 {
        self.short_or(
            CONFIG_STORAGE_REPLICATION_FACTOR,
            DEFAULT_REPLICATION_FACTOR,
        )
    }

    /// `offset.storage.replication.factor` (-1: the broker's default), by default 3.
    pub fn offset_storage_replication_factor(&self) -> i16 {
        self.short_or(
            OFFSET_STORAGE_REPLICATION_FACTOR,
            DEFAULT_REPLICATION_FACTOR,
        )
    }

    /// `status.storage.replication.factor` (-1: the broker's default); 3 for a standalone
    /// worker.
    pub fn status_storage_replication_factor(&self) -> i16 {
        self.short_or(
            STATUS_STORAGE_REPLICATION_FACTOR,
            DEFAULT_REPLICATION_FACTOR,
        )
    }

    /// `offset.storage.partitions`, by default 25.
    pub fn offset_storage_partitions(&self) -> i32 {
        self.int_or(OFFSET_STORAGE_PARTITIONS, DEFAULT_OFFSET_STORAGE_PARTITIONS)
    }

    /// `status.storage.partitions`, by default 5 (also for a standalone worker).
    pub fn status_storage_partitions(&self) -> i32 {
        self.int_or(STATUS_STORAGE_PARTITIONS, DEFAULT_STATUS_STORAGE_PARTITIONS)
    }

    /// `worker.sync.timeout.ms`, by default 3 s (also for a standalone worker).
    pub fn worker_sync_timeout(&self) -> Duration {
        let ms = self.int_or(WORKER_SYNC_TIMEOUT_MS, DEFAULT_WORKER_SYNC_TIMEOUT_MS);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
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
        let (host, port) = self.advertised_host_port();
        format!("{host}:{port}")
    }

    /// The URL other workers reach this worker's REST API at (Kafka's advertised URL), as
    /// `<scheme>://<host>:<port>/`: the scheme of `rest.advertised.listener` (`http` or
    /// `https`) if set, else that of the first listener; the host and port of
    /// [`worker_id`](WorkerConfig::worker_id), an IPv6 host in brackets.
    ///
    /// ```
    /// use connect_api::config::ConfigMap;
    /// use connect_runtime::config::WorkerConfig;
    ///
    /// let props = ConfigMap::from([
    ///     ("key.converter".into(), "StringConverter".into()),
    ///     ("value.converter".into(), "StringConverter".into()),
    ///     ("offset.storage.file.filename".into(), "/tmp/connect.offsets".into()),
    ///     ("listeners".into(), "http://127.0.0.1:18083".into()),
    /// ]);
    /// let config = WorkerConfig::standalone(props)?;
    /// assert_eq!(config.rest_advertised_url(), "http://127.0.0.1:18083/");
    /// # Ok::<(), connect_api::error::ConfigError>(())
    /// ```
    pub fn rest_advertised_url(&self) -> String {
        let scheme = self
            .non_empty_string("rest.advertised.listener")
            .or_else(|| {
                self.first_listener()
                    .and_then(|listener| listener.split_once("://"))
                    .map(|(scheme, _)| scheme)
            })
            .filter(|scheme| !scheme.is_empty())
            .unwrap_or("http")
            .to_ascii_lowercase();
        let (host, port) = self.advertised_host_port();
        if host.contains(':') {
            format!("{scheme}://[{host}]:{port}/")
        } else {
            format!("{scheme}://{host}:{port}/")
        }
    }

    /// The first of `listeners`.
    fn first_listener(&self) -> Option<&str> {
        self.parsed
            .get_opt_list("listeners")
            .ok()
            .flatten()
            .and_then(|listeners| listeners.first())
            .map(String::as_str)
    }

    /// The advertised REST host (without brackets) and port.
    fn advertised_host_port(&self) -> (String, String) {
        let listener = self
            .first_listener()
            .map(|l| {
                l.split_once("://")
                    .map_or(l, |(_, rest)| rest)
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
        (host, port)
    }

    /// A string key's value, `None` when undefined, null or empty.
    fn non_empty_string(&self, key: &str) -> Option<&str> {
        self.parsed
            .get_opt_string(key)
            .ok()
            .flatten()
            .filter(|value| !value.is_empty())
    }

    /// A `SHORT` key's value, `default` when the definition has no such key.
    fn short_or(&self, key: &str, default: i16) -> i16 {
        self.parsed.get_short(key).unwrap_or(default)
    }

    /// An `INT` key's value, `default` when the definition has no such key.
    fn int_or(&self, key: &str, default: i32) -> i32 {
        self.parsed.get_int(key).unwrap_or(default)
    }

    fn millis(&self, key: &str) -> Duration {
        let ms = self.parsed.get_long(key).unwrap_or(0);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }
}

/// `offset.storage.partitions`, which both kinds of worker take.
fn offset_storage_partitions_key() -> ConfigKeyBuilder {
    ConfigKey::int(OFFSET_STORAGE_PARTITIONS)
        .default_value(DEFAULT_OFFSET_STORAGE_PARTITIONS)
        .validator(Range::at_least(1))
        .importance(Importance::Low)
        .documentation("The number of partitions of the offset storage topic when it is created.")
}

/// The replication factor of the internal topic `topic` (described as such), -1 or at least 1.
fn replication_factor_key(name: &str, topic: &str) -> ConfigKeyBuilder {
    ConfigKey::short(name)
        .default_value(DEFAULT_REPLICATION_FACTOR)
        .validator(LambdaValidator::with(
            |name, value| match value.and_then(ConfigValue::as_short) {
                Some(factor) if factor == -1 || factor >= 1 => Ok(()),
                _ => Err(invalid_value(name, value, "Value must be -1 or at least 1")),
            },
            "-1 or [1,...]",
        ))
        .importance(Importance::Low)
        .documentation(format!(
            "The replication factor of {topic} when it is created; -1 for the broker's default. \
             It must not be larger than the number of brokers."
        ))
}

/// `connect.protocol`: `eager`, `compatible` or `sessioned`, in any case as Kafka accepts them.
fn connect_protocol_validator() -> LambdaValidator {
    const PROTOCOLS: [&str; 3] = ["eager", "compatible", "sessioned"];
    LambdaValidator::with(
        |name, value| match value.and_then(ConfigValue::as_str) {
            Some(protocol) if PROTOCOLS.iter().any(|p| p.eq_ignore_ascii_case(protocol)) => Ok(()),
            _ => Err(invalid_value(
                name,
                value,
                "Invalid Connect protocol compatibility",
            )),
        },
        format!("[{}]", PROTOCOLS.join(", ")),
    )
}

/// The keys every worker accepts, but `bootstrap.servers`, whose default differs.
fn base_def() -> ConfigDef {
    ConfigDef::new()
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
        .define(ConfigKey::string("rest.advertised.listener").default_null().importance(Importance::Low).documentation("The protocol (http or https) in the URL given to other workers, when it differs from the first listener's. A standalone worker has no other workers."))
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

    fn distributed_props(extra: &[(&str, &str)]) -> ConfigMap {
        let mut all = props(&[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("group.id", "connect-cluster"),
            ("config.storage.topic", "connect-configs"),
            ("offset.storage.topic", "connect-offsets"),
            ("status.storage.topic", "connect-status"),
        ]);
        all.extend(props(extra));
        all
    }

    #[test]
    fn distributed_required_keys_are_reported_together() {
        let message = WorkerConfig::distributed(props(&[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
        ]))
        .unwrap_err()
        .to_string();
        for key in [
            "group.id",
            "config.storage.topic",
            "offset.storage.topic",
            "status.storage.topic",
        ] {
            assert!(
                message.contains(&format!("Missing required configuration \"{key}\"")),
                "{message}"
            );
        }
        assert!(
            !message.contains("offset.storage.file.filename"),
            "{message}"
        );
    }

    #[test]
    fn distributed_defaults_are_kafkas() {
        let config = WorkerConfig::distributed(distributed_props(&[])).unwrap();
        assert!(config.is_distributed());
        assert_eq!(
            config.bootstrap_servers(),
            Some(&["localhost:9092".to_owned()][..])
        );
        assert_eq!(config.group_id(), Some("connect-cluster"));
        assert_eq!(config.config_storage_topic(), Some("connect-configs"));
        assert_eq!(config.offset_storage_topic(), Some("connect-offsets"));
        assert_eq!(config.status_storage_topic(), Some("connect-status"));
        assert_eq!(config.config_storage_replication_factor(), 3);
        assert_eq!(config.offset_storage_replication_factor(), 3);
        assert_eq!(config.status_storage_replication_factor(), 3);
        assert_eq!(config.offset_storage_partitions(), 25);
        assert_eq!(config.status_storage_partitions(), 5);
        assert_eq!(config.worker_sync_timeout(), Duration::from_secs(3));
        assert_eq!(config.offset_storage_file(), None);
        let parsed = config.parsed();
        assert_eq!(parsed.get_int("heartbeat.interval.ms").unwrap(), 3000);
        assert_eq!(parsed.get_int("session.timeout.ms").unwrap(), 10_000);
        assert_eq!(parsed.get_int("rebalance.timeout.ms").unwrap(), 60_000);
        assert_eq!(parsed.get_int("worker.unsync.backoff.ms").unwrap(), 300_000);
        assert_eq!(
            parsed.get_int("scheduled.rebalance.max.delay.ms").unwrap(),
            300_000
        );
        assert_eq!(parsed.get_string("connect.protocol").unwrap(), "sessioned");
        assert_eq!(parsed.get_long("retry.backoff.ms").unwrap(), 100);
        assert_eq!(parsed.get_long("retry.backoff.max.ms").unwrap(), 1000);
        assert_eq!(parsed.get_int("request.timeout.ms").unwrap(), 40_000);
        assert_eq!(parsed.get_long("metadata.max.age.ms").unwrap(), 300_000);
        assert_eq!(parsed.get_opt_int("inter.worker.key.size").unwrap(), None);
        assert_eq!(
            parsed.get_int("inter.worker.key.ttl.ms").unwrap(),
            3_600_000
        );
        assert_eq!(
            parsed
                .get_list("inter.worker.verification.algorithms")
                .unwrap(),
            ["HmacSHA256"]
        );
        assert_eq!(
            parsed.get_string("exactly.once.source.support").unwrap(),
            "disabled"
        );
    }

    #[test]
    fn distributed_settings_are_read() {
        let config = WorkerConfig::distributed(distributed_props(&[
            ("bootstrap.servers", "kafka-1:9092,kafka-2:9092"),
            ("config.storage.replication.factor", "1"),
            ("offset.storage.replication.factor", "-1"),
            ("status.storage.replication.factor", "2"),
            ("offset.storage.partitions", "50"),
            ("status.storage.partitions", "10"),
            ("worker.sync.timeout.ms", "5000"),
        ]))
        .unwrap();
        assert_eq!(
            config.bootstrap_servers(),
            Some(&["kafka-1:9092".to_owned(), "kafka-2:9092".to_owned()][..])
        );
        assert_eq!(config.config_storage_replication_factor(), 1);
        assert_eq!(config.offset_storage_replication_factor(), -1);
        assert_eq!(config.status_storage_replication_factor(), 2);
        assert_eq!(config.offset_storage_partitions(), 50);
        assert_eq!(config.status_storage_partitions(), 10);
        assert_eq!(config.worker_sync_timeout(), Duration::from_secs(5));
    }

    #[test]
    fn distributed_bounds_are_checked() {
        let err = WorkerConfig::distributed(distributed_props(&[
            ("config.storage.replication.factor", "0"),
            ("status.storage.partitions", "0"),
            ("scheduled.rebalance.max.delay.ms", "-1"),
        ]))
        .unwrap_err();
        let message = err.to_string();
        for expected in [
            "Invalid value 0 for configuration config.storage.replication.factor: Value must be -1 or at least 1",
            "Invalid value 0 for configuration status.storage.partitions: Value must be at least 1",
            "Invalid value -1 for configuration scheduled.rebalance.max.delay.ms: Value must be at least 0",
        ] {
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn connect_protocol_is_one_of_three() {
        for protocol in ["eager", "compatible", "sessioned", "EAGER"] {
            let config =
                WorkerConfig::distributed(distributed_props(&[("connect.protocol", protocol)]))
                    .unwrap();
            assert_eq!(
                config.parsed().get_string("connect.protocol").unwrap(),
                protocol
            );
        }
        let err = WorkerConfig::distributed(distributed_props(&[("connect.protocol", "default")]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value default for configuration connect.protocol: Invalid Connect protocol compatibility"
        );
    }

    #[test]
    fn heartbeat_must_be_below_session_timeout() {
        let err = WorkerConfig::distributed(distributed_props(&[
            ("heartbeat.interval.ms", "10000"),
            ("session.timeout.ms", "10000"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value 10000 for configuration heartbeat.interval.ms: must be lower than session.timeout.ms (10000)"
        );
        assert!(
            WorkerConfig::distributed(distributed_props(&[
                ("heartbeat.interval.ms", "1000"),
                ("session.timeout.ms", "6000"),
            ]))
            .is_ok()
        );
    }

    #[test]
    fn internal_topics_must_differ() {
        let err = WorkerConfig::distributed(distributed_props(&[(
            "status.storage.topic",
            "connect-configs",
        )]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value connect-configs for configuration status.storage.topic: status.storage.topic and config.storage.topic must be different topics"
        );
        let err = WorkerConfig::distributed(distributed_props(&[
            ("offset.storage.topic", "connect"),
            ("status.storage.topic", "connect"),
            ("group.id", " "),
        ]))
        .unwrap_err();
        let ConfigError::Multiple(errors) = &err else {
            panic!("{err}");
        };
        assert_eq!(errors.len(), 2, "{err}");
        assert!(
            err.to_string()
                .contains("configuration group.id: must not be empty"),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("status.storage.topic and offset.storage.topic must be different"),
            "{err}"
        );
    }

    #[test]
    fn only_disabled_exactly_once_source_support_is_accepted() {
        assert!(
            WorkerConfig::distributed(distributed_props(&[(
                "exactly.once.source.support",
                "DISABLED"
            )]))
            .is_ok()
        );
        for value in ["preparing", "enabled"] {
            let err = WorkerConfig::distributed(distributed_props(&[(
                "exactly.once.source.support",
                value,
            )]))
            .unwrap_err();
            assert!(
                err.to_string().starts_with(&format!(
                    "Invalid value {value} for configuration exactly.once.source.support: only disabled is supported"
                )),
                "{err}"
            );
        }
        let err = WorkerConfig::distributed(distributed_props(&[(
            "exactly.once.source.support",
            "sometimes",
        )]))
        .unwrap_err();
        assert!(
            err.to_string().contains("exactly.once.source.support"),
            "{err}"
        );
    }

    #[test]
    fn signature_algorithm_must_be_verified() {
        let err = WorkerConfig::distributed(distributed_props(&[(
            "inter.worker.verification.algorithms",
            "HmacSHA512",
        )]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value HmacSHA256 for configuration inter.worker.signature.algorithm: Signature algorithm must be present in inter.worker.verification.algorithms list"
        );
    }

    #[test]
    fn distributed_def_has_no_offset_file() {
        let def = WorkerConfig::distributed_def();
        assert!(!def.contains("offset.storage.file.filename"));
        def.check().unwrap();
        WorkerConfig::standalone_def().check().unwrap();
        let err =
            WorkerConfig::distributed(distributed_props(&[("bootstrap.servers", "")])).unwrap_err();
        assert!(err.to_string().contains("bootstrap.servers"), "{err}");
    }

    #[test]
    fn rest_advertised_url_takes_scheme_host_and_port() {
        let url = |extra: &[(&str, &str)]| {
            WorkerConfig::distributed(distributed_props(extra))
                .unwrap()
                .rest_advertised_url()
        };
        assert_eq!(url(&[]), "http://127.0.0.1:8083/");
        assert_eq!(
            url(&[("listeners", "http://127.0.0.1:18083")]),
            "http://127.0.0.1:18083/"
        );
        assert_eq!(
            url(&[("listeners", "HTTPS://worker-1:8443,http://worker-1:8083")]),
            "https://worker-1:8443/"
        );
        assert_eq!(
            url(&[
                ("listeners", "http://0.0.0.0:8083"),
                ("rest.advertised.listener", "https"),
                ("rest.advertised.host.name", "connect-1.example.com"),
                ("rest.advertised.port", "443"),
            ]),
            "https://connect-1.example.com:443/"
        );
        assert_eq!(
            url(&[("listeners", "http://:8083")]),
            "http://localhost:8083/"
        );
        assert_eq!(
            url(&[("listeners", "http://[::1]:8083")]),
            "http://[::1]:8083/"
        );
    }

    #[test]
    fn standalone_accessors_keep_their_values() {
        let base = [
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("offset.storage.file.filename", "offsets"),
        ];
        let config = WorkerConfig::standalone(props(&base)).unwrap();
        assert!(!config.is_distributed());
        assert_eq!(config.group_id(), None);
        assert_eq!(config.config_storage_topic(), None);
        assert_eq!(config.status_storage_topic(), None);
        assert_eq!(config.offset_storage_topic(), None);
        assert_eq!(config.offset_storage_partitions(), 25);
        assert_eq!(config.offset_storage_replication_factor(), 3);
        assert_eq!(config.config_storage_replication_factor(), 3);
        assert_eq!(config.status_storage_replication_factor(), 3);
        assert_eq!(config.status_storage_partitions(), 5);
        assert_eq!(config.worker_sync_timeout(), Duration::from_secs(3));
        assert_eq!(config.rest_advertised_url(), "http://127.0.0.1:8083/");

        let mut with_topic = props(&base);
        with_topic.extend(props(&[
            ("bootstrap.servers", "localhost:9092"),
            ("offset.storage.topic", "connect-offsets"),
            ("offset.storage.partitions", "3"),
            ("offset.storage.replication.factor", "1"),
        ]));
        let config = WorkerConfig::standalone(with_topic.clone()).unwrap();
        assert_eq!(config.offset_storage_topic(), Some("connect-offsets"));
        assert_eq!(config.offset_storage_partitions(), 3);
        assert_eq!(config.offset_storage_replication_factor(), 1);

        with_topic.insert("offset.storage.partitions".into(), "0".into());
        let err = WorkerConfig::standalone(with_topic).unwrap_err();
        assert!(
            err.to_string().contains("offset.storage.partitions"),
            "{err}"
        );
    }
}
