//! [`AvroConverterConfig`]: the settings of Confluent's `AvroConverter`, under Confluent's keys
//! and with Confluent's defaults (`AbstractKafkaSchemaSerDeConfig` and `AvroDataConfig`), so that
//! existing worker and connector configurations keep working.

use std::fmt;
use std::time::Duration;

use apache_avro::Schema as ApacheSchema;
use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValue, Importance, LambdaValidator, ParsedConfig,
    Password, Range, ValidString, invalid_value,
};
use connect_api::error::ConfigError;
use connect_avro::{
    AvroDataConfig, AvroSchema, CONNECT_META_DATA_CONFIG, ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
    SCHEMAS_CACHE_SIZE_CONFIG, SCRUB_INVALID_NAMES_CONFIG,
};

/// `schema.registry.url`: comma-separated base URLs of the registry, tried in turn.
pub const SCHEMA_REGISTRY_URL_CONFIG: &str = "schema.registry.url";
/// `auto.register.schemas`: register the schema of every record written (default `true`).
pub const AUTO_REGISTER_SCHEMAS_CONFIG: &str = "auto.register.schemas";
/// `use.latest.version`: write with the subject's latest schema (default `false`).
pub const USE_LATEST_VERSION_CONFIG: &str = "use.latest.version";
/// `normalize.schemas`: ask the registry to normalize schemas on register and lookup.
pub const NORMALIZE_SCHEMAS_CONFIG: &str = "normalize.schemas";
/// `max.schemas.per.subject`: how many schemas are cached per subject (default 1000).
pub const MAX_SCHEMAS_PER_SUBJECT_CONFIG: &str = "max.schemas.per.subject";
/// `key.subject.name.strategy`: how the subject of key schemas is named.
pub const KEY_SUBJECT_NAME_STRATEGY_CONFIG: &str = "key.subject.name.strategy";
/// `value.subject.name.strategy`: how the subject of value schemas is named.
pub const VALUE_SUBJECT_NAME_STRATEGY_CONFIG: &str = "value.subject.name.strategy";
/// `basic.auth.credentials.source`: where basic authentication credentials come from.
pub const BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG: &str = "basic.auth.credentials.source";
/// `basic.auth.user.info`: `user:password` for `basic.auth.credentials.source=USER_INFO`.
pub const BASIC_AUTH_USER_INFO_CONFIG: &str = "basic.auth.user.info";
/// `schema.registry.basic.auth.user.info`: the deprecated name of `basic.auth.user.info`,
/// which it wins over when set (as in Confluent).
pub const SCHEMA_REGISTRY_USER_INFO_CONFIG: &str = "schema.registry.basic.auth.user.info";
/// `bearer.auth.credentials.source`: where a bearer token comes from (`STATIC_TOKEN` only).
pub const BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG: &str = "bearer.auth.credentials.source";
/// `bearer.auth.token`: the token for `bearer.auth.credentials.source=STATIC_TOKEN`.
pub const BEARER_AUTH_TOKEN_CONFIG: &str = "bearer.auth.token";
/// `http.connect.timeout.ms`: how long connecting to the registry may take (default 60 s).
pub const HTTP_CONNECT_TIMEOUT_MS_CONFIG: &str = "http.connect.timeout.ms";
/// `http.read.timeout.ms`: how long the registry may take to answer (default 60 s).
pub const HTTP_READ_TIMEOUT_MS_CONFIG: &str = "http.read.timeout.ms";
/// `max.retries`: retries of a registry request that failed in a retriable way (default 3).
pub const MAX_RETRIES_CONFIG: &str = "max.retries";
/// `retries.wait.ms`: the longest wait before the first retry (default 1000 ms).
pub const RETRIES_WAIT_MS_CONFIG: &str = "retries.wait.ms";
/// `retries.max.wait.ms`: the longest wait before any retry (default 20000 ms).
pub const RETRIES_MAX_WAIT_MS_CONFIG: &str = "retries.max.wait.ms";
/// Prefix of settings that become HTTP headers of every registry request
/// (`request.header.X-Tenant=acme`).
pub const REQUEST_HEADER_PREFIX: &str = "request.header.";

/// Confluent's default subject name strategy class.
pub const TOPIC_NAME_STRATEGY_CLASS: &str =
    "io.confluent.kafka.serializers.subject.TopicNameStrategy";
/// Confluent's record name strategy class.
pub const RECORD_NAME_STRATEGY_CLASS: &str =
    "io.confluent.kafka.serializers.subject.RecordNameStrategy";
/// Confluent's topic-and-record name strategy class.
pub const TOPIC_RECORD_NAME_STRATEGY_CLASS: &str =
    "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy";

const MAX_SCHEMAS_PER_SUBJECT_DEFAULT: i32 = 1000;
const HTTP_TIMEOUT_MS_DEFAULT: i32 = 60_000;
const MAX_RETRIES_DEFAULT: i32 = 3;
const RETRIES_WAIT_MS_DEFAULT: i32 = 1000;
const RETRIES_MAX_WAIT_MS_DEFAULT: i32 = 20_000;

/// How the subject a schema is registered under is named (Confluent's `SubjectNameStrategy`
/// implementations). Configured by class name or simple name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SubjectNameStrategy {
    /// `<topic>-key` or `<topic>-value` (Confluent's default).
    #[default]
    TopicName,
    /// The full name of the record, whatever the topic: one record type shared by many topics.
    RecordName,
    /// `<topic>-<record full name>`: several record types in one topic.
    TopicRecordName,
}

impl SubjectNameStrategy {
    /// Every strategy.
    pub const ALL: [SubjectNameStrategy; 3] = [
        SubjectNameStrategy::TopicName,
        SubjectNameStrategy::RecordName,
        SubjectNameStrategy::TopicRecordName,
    ];

    /// The Java class name, e.g. `io.confluent.kafka.serializers.subject.TopicNameStrategy`.
    pub fn class(self) -> &'static str {
        match self {
            SubjectNameStrategy::TopicName => TOPIC_NAME_STRATEGY_CLASS,
            SubjectNameStrategy::RecordName => RECORD_NAME_STRATEGY_CLASS,
            SubjectNameStrategy::TopicRecordName => TOPIC_RECORD_NAME_STRATEGY_CLASS,
        }
    }

    /// The class name without its package, e.g. `TopicNameStrategy`.
    pub fn simple_name(self) -> &'static str {
        let class = self.class();
        class.rsplit('.').next().unwrap_or(class)
    }

    /// The strategy named by its class name or simple name (case-sensitive, as Java classes).
    ///
    /// ```
    /// use connect_schema_registry::SubjectNameStrategy;
    /// assert_eq!(
    ///     SubjectNameStrategy::from_name("RecordNameStrategy"),
    ///     Some(SubjectNameStrategy::RecordName)
    /// );
    /// assert_eq!(SubjectNameStrategy::from_name("com.example.Mine"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.class() == name || s.simple_name() == name)
    }

    /// The subject of `schema`, written to `topic` as a key or a value.
    ///
    /// The record strategies need an Avro record schema; anything else is an error, worded as
    /// Confluent's.
    pub fn subject(self, topic: &str, is_key: bool, schema: &AvroSchema) -> Result<String, String> {
        match self {
            SubjectNameStrategy::TopicName => Ok(topic_subject(topic, is_key)),
            SubjectNameStrategy::RecordName => self.record_name(is_key, schema),
            SubjectNameStrategy::TopicRecordName => {
                Ok(format!("{topic}-{}", self.record_name(is_key, schema)?))
            }
        }
    }

    fn record_name(self, is_key: bool, schema: &AvroSchema) -> Result<String, String> {
        match schema.schema() {
            ApacheSchema::Record(record) => Ok(record.name.fullname(None)),
            _ => {
                let (config, part) = if is_key {
                    (KEY_SUBJECT_NAME_STRATEGY_CONFIG, "key")
                } else {
                    (VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "value")
                };
                Err(format!(
                    "In configuration {config} = {}, the message {part} must only be an Avro \
                     record schema",
                    self.class()
                ))
            }
        }
    }
}

impl fmt::Display for SubjectNameStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.class())
    }
}

/// `<topic>-key` or `<topic>-value`.
pub(crate) fn topic_subject(topic: &str, is_key: bool) -> String {
    format!("{topic}-{}", if is_key { "key" } else { "value" })
}

/// How requests to the registry authenticate.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum RegistryAuth {
    /// `basic.auth.credentials.source=URL` (the default): basic authentication with the
    /// `user:password@` of each URL that has one, none for the others.
    #[default]
    Url,
    /// `basic.auth.credentials.source=USER_INFO`: basic authentication with
    /// `basic.auth.user.info` (`user:password`) on every URL.
    UserInfo(Password),
    /// `bearer.auth.credentials.source=STATIC_TOKEN`: `Authorization: Bearer <bearer.auth.token>`.
    BearerToken(Password),
}

impl fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryAuth::Url => f.write_str("Url"),
            RegistryAuth::UserInfo(p) => f.debug_tuple("UserInfo").field(p).finish(),
            RegistryAuth::BearerToken(p) => f.debug_tuple("BearerToken").field(p).finish(),
        }
    }
}

/// When and how registry requests are retried: Confluent's exponential backoff with full jitter
/// (`max.retries`, `retries.wait.ms`, `retries.max.wait.ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The longest wait before the first retry; it doubles for each further retry.
    pub initial_wait: Duration,
    /// The longest wait before any retry.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: MAX_RETRIES_DEFAULT.unsigned_abs(),
            initial_wait: Duration::from_millis(u64::from(RETRIES_WAIT_MS_DEFAULT.unsigned_abs())),
            max_wait: Duration::from_millis(u64::from(RETRIES_MAX_WAIT_MS_DEFAULT.unsigned_abs())),
        }
    }
}

impl RetryPolicy {
    /// The ceiling of the wait before retry number `retry` (0 for the first):
    /// `initial_wait * 2^retry`, at most `max_wait`. The actual wait is drawn between 1 ms and
    /// this ceiling.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.min(30);
        self.initial_wait
            .checked_mul(factor)
            .unwrap_or(self.max_wait)
            .min(self.max_wait)
    }
}

/// The settings of an [`AvroConverter`](crate::AvroConverter).
///
/// [`AvroConverterConfig::from_props`] reads them from converter properties (the worker's or
/// connector's `key.converter.*` / `value.converter.*` with the prefix removed);
/// [`AvroConverterConfig::new`] gives the defaults for a list of registry URLs.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_schema_registry::{AvroConverterConfig, SubjectNameStrategy};
///
/// let props = ConfigMap::from([
///     ("schema.registry.url".to_owned(), "http://registry-1:8081, http://registry-2:8081".to_owned()),
///     ("value.subject.name.strategy".to_owned(), "RecordNameStrategy".to_owned()),
/// ]);
/// let config = AvroConverterConfig::from_props(&props)?;
/// assert_eq!(config.urls, ["http://registry-1:8081", "http://registry-2:8081"]);
/// assert!(config.auto_register_schemas);
/// assert_eq!(config.value_subject_name_strategy, SubjectNameStrategy::RecordName);
/// assert!(!config.avro_data.enhanced_avro_schema_support);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvroConverterConfig {
    /// `schema.registry.url`: the registry's base URLs, tried in turn.
    pub urls: Vec<String>,
    /// `auto.register.schemas`: register schemas on write (`POST /subjects/{s}/versions`).
    pub auto_register_schemas: bool,
    /// `use.latest.version`: without auto-registration, write with the id of the subject's
    /// latest schema (`GET /subjects/{s}/versions/latest`).
    pub use_latest_version: bool,
    /// `normalize.schemas`: pass `normalize=true` when registering and looking up schemas.
    pub normalize_schemas: bool,
    /// `max.schemas.per.subject`: the size of each subject's schema-to-id cache.
    pub max_schemas_per_subject: usize,
    /// `key.subject.name.strategy`.
    pub key_subject_name_strategy: SubjectNameStrategy,
    /// `value.subject.name.strategy`.
    pub value_subject_name_strategy: SubjectNameStrategy,
    /// How requests authenticate.
    pub auth: RegistryAuth,
    /// `http.connect.timeout.ms`.
    pub connect_timeout: Duration,
    /// `http.read.timeout.ms`.
    pub read_timeout: Duration,
    /// `max.retries`, `retries.wait.ms`, `retries.max.wait.ms`.
    pub retry: RetryPolicy,
    /// `request.header.*`: extra HTTP headers of every request.
    pub request_headers: Vec<(String, String)>,
    /// AvroData's options (`connect.meta.data`, `enhanced.avro.schema.support`,
    /// `schemas.cache.config`, `scrub.invalid.names`), with the converter's defaults.
    pub avro_data: AvroDataConfig,
}

impl AvroConverterConfig {
    /// Confluent's defaults for the given registry URLs.
    pub fn new(urls: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            urls: urls.into_iter().map(Into::into).collect(),
            auto_register_schemas: true,
            use_latest_version: false,
            normalize_schemas: false,
            max_schemas_per_subject: MAX_SCHEMAS_PER_SUBJECT_DEFAULT.unsigned_abs() as usize,
            key_subject_name_strategy: SubjectNameStrategy::TopicName,
            value_subject_name_strategy: SubjectNameStrategy::TopicName,
            auth: RegistryAuth::Url,
            connect_timeout: Duration::from_millis(HTTP_TIMEOUT_MS_DEFAULT.unsigned_abs().into()),
            read_timeout: Duration::from_millis(HTTP_TIMEOUT_MS_DEFAULT.unsigned_abs().into()),
            retry: RetryPolicy::default(),
            request_headers: Vec::new(),
            avro_data: converter_avro_data_defaults(),
        }
    }

    /// The subject name strategy of keys or of values.
    pub fn subject_name_strategy(&self, is_key: bool) -> SubjectNameStrategy {
        if is_key {
            self.key_subject_name_strategy
        } else {
            self.value_subject_name_strategy
        }
    }

    /// The configuration definition, as `GET /connector-plugins/AvroConverter/config` and
    /// validation show it.
    pub fn definition() -> ConfigDef {
        let strategy_validator = || {
            LambdaValidator::with(
                |name, value| match value.and_then(ConfigValue::as_class) {
                    Some(class) if SubjectNameStrategy::from_name(class).is_some() => Ok(()),
                    Some(class) => Err(invalid_value(
                        name,
                        value,
                        format!(
                            "Class {class} could not be found; supported: {}",
                            SubjectNameStrategy::ALL
                                .map(SubjectNameStrategy::class)
                                .join(", ")
                        ),
                    )),
                    None => Ok(()),
                },
                "TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy",
            )
        };
        let millis = |name: &str, default: i32, doc: &str| {
            ConfigKey::int(name)
                .default_value(default)
                .validator(Range::at_least(0))
                .importance(Importance::Low)
                .documentation(doc)
        };
        ConfigDef::new()
            .define(
                ConfigKey::list(SCHEMA_REGISTRY_URL_CONFIG)
                    .validator(LambdaValidator::with(
                        |name, value| {
                            // A missing value is reported as missing already.
                            let Some(urls) = value.and_then(ConfigValue::as_list) else {
                                return Ok(());
                            };
                            // The value may hold credentials: show it redacted.
                            let shown =
                                || urls.iter().map(|u| redact(u)).collect::<Vec<_>>().join(",");
                            if urls.is_empty() {
                                return Err(ConfigError::invalid(
                                    name,
                                    shown(),
                                    "At least one Schema Registry URL is needed",
                                ));
                            }
                            for url in urls {
                                check_url(url)
                                    .map_err(|msg| ConfigError::invalid(name, shown(), msg))?;
                            }
                            Ok(())
                        },
                        "a comma-separated list of http:// or https:// URLs",
                    ))
                    .importance(Importance::High)
                    .documentation(
                        "Comma-separated list of URLs for Schema Registry instances that can be \
                         used to register or look up schemas; they are tried in turn when one \
                         cannot be reached.",
                    ),
            )
            .define(
                ConfigKey::int(MAX_SCHEMAS_PER_SUBJECT_CONFIG)
                    .default_value(MAX_SCHEMAS_PER_SUBJECT_DEFAULT)
                    .validator(Range::at_least(1))
                    .importance(Importance::Low)
                    .documentation("Maximum number of schemas to create or cache locally."),
            )
            .define(
                ConfigKey::boolean(NORMALIZE_SCHEMAS_CONFIG)
                    .default_value(false)
                    .importance(Importance::Medium)
                    .documentation(
                        "Whether to normalize schemas, which generally ignores ordering when it \
                         is not significant",
                    ),
            )
            .define(
                ConfigKey::boolean(AUTO_REGISTER_SCHEMAS_CONFIG)
                    .default_value(true)
                    .importance(Importance::Medium)
                    .documentation(
                        "Specify if the Serializer should attempt to register the Schema with \
                         Schema Registry",
                    ),
            )
            .define(
                ConfigKey::boolean(USE_LATEST_VERSION_CONFIG)
                    .default_value(false)
                    .importance(Importance::Low)
                    .documentation(
                        "Specify if the Serializer should use the latest subject version for \
                         serialization (when auto.register.schemas is false); the latest \
                         schema must have the record schema's binary layout.",
                    ),
            )
            .define(
                ConfigKey::string(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG)
                    .default_value("URL")
                    .validator(ValidString::in_(["URL", "USER_INFO", "SASL_INHERIT"]))
                    .importance(Importance::Medium)
                    .documentation(
                        "Specify how to pick the credentials for Basic Auth header. The \
                         supported values are URL and USER_INFO; SASL_INHERIT is not supported \
                         by this converter.",
                    ),
            )
            .define(
                ConfigKey::string(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG)
                    .default_value("STATIC_TOKEN")
                    .validator(ValidString::in_(["STATIC_TOKEN"]))
                    .importance(Importance::Medium)
                    .documentation(
                        "Specify how to pick the credentials for Bearer Auth header; only \
                         STATIC_TOKEN (bearer.auth.token) is supported. Used only when set.",
                    ),
            )
            .define(
                ConfigKey::password(SCHEMA_REGISTRY_USER_INFO_CONFIG)
                    .default_value(Password::new(""))
                    .importance(Importance::Medium)
                    .documentation(
                        "Deprecated: use basic.auth.user.info. Specify the user info for Basic \
                         Auth in the form of {username}:{password}",
                    ),
            )
            .define(
                ConfigKey::password(BASIC_AUTH_USER_INFO_CONFIG)
                    .default_value(Password::new(""))
                    .importance(Importance::Medium)
                    .documentation(
                        "Specify the user info for Basic Auth in the form of \
                         {username}:{password}",
                    ),
            )
            .define(
                ConfigKey::password(BEARER_AUTH_TOKEN_CONFIG)
                    .default_value(Password::new(""))
                    .importance(Importance::Medium)
                    .documentation("Specify the Bearer token to be used for authentication"),
            )
            .define(
                ConfigKey::class(KEY_SUBJECT_NAME_STRATEGY_CONFIG)
                    .default_value(TOPIC_NAME_STRATEGY_CLASS)
                    .validator(strategy_validator())
                    .importance(Importance::Medium)
                    .documentation(
                        "Determines how to construct the subject name under which the key \
                         schema is registered with the schema registry. By default, <topic>-key \
                         is used as subject.",
                    ),
            )
            .define(
                ConfigKey::class(VALUE_SUBJECT_NAME_STRATEGY_CONFIG)
                    .default_value(TOPIC_NAME_STRATEGY_CLASS)
                    .validator(strategy_validator())
                    .importance(Importance::Medium)
                    .documentation(
                        "Determines how to construct the subject name under which the value \
                         schema is registered with the schema registry. By default, \
                         <topic>-value is used as subject.",
                    ),
            )
            .define(millis(
                HTTP_CONNECT_TIMEOUT_MS_CONFIG,
                HTTP_TIMEOUT_MS_DEFAULT,
                "Specify the http connection timeout in milliseconds for schema registry client",
            ))
            .define(millis(
                HTTP_READ_TIMEOUT_MS_CONFIG,
                HTTP_TIMEOUT_MS_DEFAULT,
                "Specify the http read timeout in milliseconds for schema registry client",
            ))
            .define(millis(
                MAX_RETRIES_CONFIG,
                MAX_RETRIES_DEFAULT,
                "The maximum number of retries for a request",
            ))
            .define(millis(
                RETRIES_WAIT_MS_CONFIG,
                RETRIES_WAIT_MS_DEFAULT,
                "The maximum time to wait for the first retry. When jitter is applied, the \
                 actual wait may be less.",
            ))
            .define(millis(
                RETRIES_MAX_WAIT_MS_CONFIG,
                RETRIES_MAX_WAIT_MS_DEFAULT,
                "The maximum time to wait for any retry.",
            ))
            .define(
                ConfigKey::boolean(ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG)
                    .default_value(false)
                    .importance(Importance::Medium)
                    .documentation(
                        "Toggle for enabling/disabling enhanced avro schema support: Enum \
                         symbol preservation and Package Name awareness",
                    ),
            )
            .define(
                ConfigKey::boolean(CONNECT_META_DATA_CONFIG)
                    .default_value(true)
                    .importance(Importance::Low)
                    .documentation(
                        "Toggle for enabling/disabling connect converter to add its meta data \
                         to the output schema or not",
                    ),
            )
            .define(
                ConfigKey::int(SCHEMAS_CACHE_SIZE_CONFIG)
                    .default_value(1000)
                    .importance(Importance::Low)
                    .documentation("Size of the converted schemas cache"),
            )
            .define(
                ConfigKey::boolean(SCRUB_INVALID_NAMES_CONFIG)
                    .default_value(false)
                    .importance(Importance::Low)
                    .documentation(
                        "Whether to scrub invalid names by replacing invalid characters with \
                         valid ones",
                    ),
            )
    }

    /// Reads the settings from converter properties; unknown keys are ignored, as Kafka's
    /// configurations do.
    ///
    /// # Errors
    ///
    /// The first problem found, in definition order: a missing `schema.registry.url`, a value
    /// of the wrong type, an unknown subject name strategy, `SASL_INHERIT`, `USER_INFO` without
    /// `basic.auth.user.info`, both basic and bearer authentication set.
    pub fn from_props(props: &ConfigMap) -> Result<Self, ConfigError> {
        let parsed = Self::definition().parse(props).map_err(first_error)?;
        let millis = |key: &str| -> Result<Duration, ConfigError> {
            Ok(Duration::from_millis(
                parsed.get_int(key)?.unsigned_abs().into(),
            ))
        };
        let strategy = |key: &str| -> Result<SubjectNameStrategy, ConfigError> {
            let class = parsed.get_class(key)?;
            SubjectNameStrategy::from_name(class)
                .ok_or_else(|| ConfigError::invalid(key, class, "Class could not be found."))
        };
        let cache_size = parsed.get_int(SCHEMAS_CACHE_SIZE_CONFIG)?;
        Ok(Self {
            urls: parsed.get_list(SCHEMA_REGISTRY_URL_CONFIG)?.to_vec(),
            auto_register_schemas: parsed.get_bool(AUTO_REGISTER_SCHEMAS_CONFIG)?,
            use_latest_version: parsed.get_bool(USE_LATEST_VERSION_CONFIG)?,
            normalize_schemas: parsed.get_bool(NORMALIZE_SCHEMAS_CONFIG)?,
            max_schemas_per_subject: parsed
                .get_int(MAX_SCHEMAS_PER_SUBJECT_CONFIG)?
                .unsigned_abs()
                .max(1) as usize,
            key_subject_name_strategy: strategy(KEY_SUBJECT_NAME_STRATEGY_CONFIG)?,
            value_subject_name_strategy: strategy(VALUE_SUBJECT_NAME_STRATEGY_CONFIG)?,
            auth: auth(&parsed, props)?,
            connect_timeout: millis(HTTP_CONNECT_TIMEOUT_MS_CONFIG)?,
            read_timeout: millis(HTTP_READ_TIMEOUT_MS_CONFIG)?,
            retry: RetryPolicy {
                max_retries: parsed.get_int(MAX_RETRIES_CONFIG)?.unsigned_abs(),
                initial_wait: millis(RETRIES_WAIT_MS_CONFIG)?,
                max_wait: millis(RETRIES_MAX_WAIT_MS_CONFIG)?,
            },
            request_headers: props
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix(REQUEST_HEADER_PREFIX)
                        .filter(|name| !name.is_empty())
                        .map(|name| (name.to_owned(), v.clone()))
                })
                .collect(),
            avro_data: AvroDataConfig {
                connect_meta_data: parsed.get_bool(CONNECT_META_DATA_CONFIG)?,
                enhanced_avro_schema_support: parsed
                    .get_bool(ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG)?,
                scrub_invalid_names: parsed.get_bool(SCRUB_INVALID_NAMES_CONFIG)?,
                // Confluent keeps at least one entry whatever the setting.
                schemas_cache_size: cache_size.max(1).unsigned_abs() as usize,
            },
        })
    }
}

/// AvroData's options as Confluent's converter defaults them: unlike the HDFS connector's,
/// enhanced schema support is off.
fn converter_avro_data_defaults() -> AvroDataConfig {
    AvroDataConfig {
        enhanced_avro_schema_support: false,
        ..AvroDataConfig::default()
    }
}

/// The first of several errors, as Kafka's `AbstractConfig` reports.
fn first_error(error: ConfigError) -> ConfigError {
    match error {
        ConfigError::Multiple(mut errors) if !errors.is_empty() => errors.swap_remove(0),
        error => error,
    }
}

/// Checks one registry URL: `http` or `https`, with a host.
pub(crate) fn check_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| format!("{} is not a valid URL: {e}", redact(url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{} is not an http:// or https:// URL", redact(url)));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{} has no host", redact(url)));
    }
    Ok(parsed)
}

/// A URL with any `user:password@` replaced, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}[hidden]@{}", &url[..scheme_end + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Authentication from the basic and bearer settings, as Confluent's `RestService.configure`:
/// each counts only when set explicitly, and not both.
fn auth(parsed: &ParsedConfig, props: &ConfigMap) -> Result<RegistryAuth, ConfigError> {
    let explicit = |key: &str| props.get(key).is_some_and(|v| !v.trim().is_empty());
    let basic_set = explicit(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG);
    let bearer_set = explicit(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG);
    if basic_set && bearer_set {
        return Err(ConfigError::other(format!(
            "Only one of '{BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG}' and \
             '{BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG}' may be specified"
        )));
    }
    if bearer_set {
        let token = parsed.get_password(BEARER_AUTH_TOKEN_CONFIG)?;
        if token.value().is_empty() {
            return Err(ConfigError::other(format!(
                "{BEARER_AUTH_TOKEN_CONFIG} must be provided when \
                 {BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG} is set to STATIC_TOKEN"
            )));
        }
        return Ok(RegistryAuth::BearerToken(token.clone()));
    }
    match parsed.get_string(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG)? {
        "USER_INFO" => {
            let deprecated = parsed.get_password(SCHEMA_REGISTRY_USER_INFO_CONFIG)?;
            let user_info = if deprecated.value().is_empty() {
                parsed.get_password(BASIC_AUTH_USER_INFO_CONFIG)?
            } else {
                deprecated
            };
            if user_info.value().is_empty() {
                return Err(ConfigError::other(format!(
                    "{BASIC_AUTH_USER_INFO_CONFIG} must be provided when \
                     {BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG} is set to USER_INFO"
                )));
            }
            if !user_info.value().contains(':') {
                return Err(ConfigError::invalid(
                    BASIC_AUTH_USER_INFO_CONFIG,
                    user_info,
                    "Expected <user>:<password>",
                ));
            }
            Ok(RegistryAuth::UserInfo(user_info.clone()))
        }
        "SASL_INHERIT" => Err(ConfigError::invalid(
            BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
            "SASL_INHERIT",
            "SASL_INHERIT (credentials from the worker's SASL JAAS configuration) is not \
             supported by this converter; use USER_INFO with basic.auth.user.info=<user>:<password>, \
             or URL with http://<user>:<password>@<host> in schema.registry.url",
        )),
        _ => Ok(RegistryAuth::Url),
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

    #[test]
    fn defaults_are_confluents() {
        let config =
            AvroConverterConfig::from_props(&props(&[("schema.registry.url", "http://r:8081")]))
                .unwrap();
        assert_eq!(config, AvroConverterConfig::new(["http://r:8081"]));
        assert_eq!(config.retry.max_retries, 3);
        assert_eq!(config.read_timeout, Duration::from_secs(60));
        assert!(config.avro_data.connect_meta_data);
        assert_eq!(config.avro_data.schemas_cache_size, 1000);
    }

    #[test]
    fn url_is_required_and_checked() {
        let err = AvroConverterConfig::from_props(&ConfigMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"schema.registry.url\" which has no default value."
        );
        let err = AvroConverterConfig::from_props(&props(&[("schema.registry.url", "ftp://x")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("not an http:// or https:// URL"),
            "{err}"
        );
        let err =
            AvroConverterConfig::from_props(&props(&[("schema.registry.url", "http://u:secret@")]))
                .unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn strategies_by_class_or_simple_name() {
        let config = AvroConverterConfig::from_props(&props(&[
            ("schema.registry.url", "http://r"),
            ("key.subject.name.strategy", "TopicRecordNameStrategy"),
            (
                "value.subject.name.strategy",
                "io.confluent.kafka.serializers.subject.RecordNameStrategy",
            ),
        ]))
        .unwrap();
        assert_eq!(
            config.subject_name_strategy(true),
            SubjectNameStrategy::TopicRecordName
        );
        assert_eq!(
            config.subject_name_strategy(false),
            SubjectNameStrategy::RecordName
        );
        let err = AvroConverterConfig::from_props(&props(&[
            ("schema.registry.url", "http://r"),
            ("value.subject.name.strategy", "com.example.Custom"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("com.example.Custom could not be found"),
            "{err}"
        );
    }

    #[test]
    fn authentication_sources() {
        let base = [("schema.registry.url", "http://r")];
        let with = |extra: &[(&str, &str)]| {
            let mut p = props(&base);
            p.extend(props(extra));
            AvroConverterConfig::from_props(&p)
        };
        assert_eq!(
            with(&[
                ("basic.auth.credentials.source", "USER_INFO"),
                ("basic.auth.user.info", "ann:pw")
            ])
            .unwrap()
            .auth,
            RegistryAuth::UserInfo(Password::new("ann:pw"))
        );
        let missing = with(&[("basic.auth.credentials.source", "USER_INFO")]).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("basic.auth.user.info must be provided")
        );
        let sasl = with(&[("basic.auth.credentials.source", "SASL_INHERIT")]).unwrap_err();
        assert!(sasl.to_string().contains("not supported"), "{sasl}");
        let both = with(&[
            ("basic.auth.credentials.source", "URL"),
            ("bearer.auth.credentials.source", "STATIC_TOKEN"),
        ])
        .unwrap_err();
        assert!(both.to_string().contains("Only one of"), "{both}");
        let bearer = with(&[
            ("bearer.auth.credentials.source", "STATIC_TOKEN"),
            ("bearer.auth.token", "t0k"),
        ])
        .unwrap();
        assert_eq!(bearer.auth, RegistryAuth::BearerToken(Password::new("t0k")));
        assert!(!format!("{bearer:?}").contains("t0k"));
    }

    #[test]
    fn avro_data_keys_and_headers() {
        let config = AvroConverterConfig::from_props(&props(&[
            ("schema.registry.url", "http://r"),
            ("enhanced.avro.schema.support", "true"),
            ("connect.meta.data", "false"),
            ("schemas.cache.config", "0"),
            ("request.header.X-Tenant", "acme"),
        ]))
        .unwrap();
        assert!(config.avro_data.enhanced_avro_schema_support);
        assert!(!config.avro_data.connect_meta_data);
        assert_eq!(config.avro_data.schemas_cache_size, 1);
        assert_eq!(
            config.request_headers,
            [("X-Tenant".to_owned(), "acme".to_owned())]
        );
    }

    #[test]
    fn retry_ceiling_doubles_up_to_the_maximum() {
        let policy = RetryPolicy {
            max_retries: 5,
            initial_wait: Duration::from_millis(100),
            max_wait: Duration::from_millis(350),
        };
        let ceilings: Vec<u128> = (0..4).map(|r| policy.ceiling(r).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 350, 350]);
        assert_eq!(policy.ceiling(40), Duration::from_millis(350));
    }

    #[test]
    fn redaction_hides_credentials() {
        assert_eq!(redact("http://u:p@h:1/x"), "http://[hidden]@h:1/x");
        assert_eq!(redact("http://h:1"), "http://h:1");
    }
}
