//! The connector's configuration: the keys of Confluent's `HdfsSinkConnectorConfig`,
//! `StorageSinkConnectorConfig`, `StorageCommonConfig`, `PartitionerConfig` and `HiveConfig`,
//! with their defaults.

use connect_api::config::{CaseInsensitiveValidString, ConfigDef, ConfigMap, ConnectConfig, Range};

use connect_api::error::ConfigError;

use crate::compatibility::SchemaCompatibility;
use crate::partitioner::PartitionerConfig;

/// The key of the number of records per Kafka partition that makes a file commit.
pub const FLUSH_SIZE_CONFIG: &str = "flush.size";
/// The key of the record-time interval after which a file commits.
pub const ROTATE_INTERVAL_MS_CONFIG: &str = "rotate.interval.ms";
/// The key of the wall-clock schedule on which open files commit.
pub const ROTATE_SCHEDULE_INTERVAL_MS_CONFIG: &str = "rotate.schedule.interval.ms";
/// The key of what a null record value does.
pub const BEHAVIOR_ON_NULL_VALUES_CONFIG: &str = "behavior.on.null.values";

/// Confluent's default `format.class`.
pub const DEFAULT_FORMAT_CLASS: &str = "io.confluent.connect.hdfs.avro.AvroFormat";

/// The configuration of [`HdfsSinkConnector`](crate::HdfsSinkConnector) and its tasks.
///
/// The partitioner's keys (`partitioner.class`, `path.format`, ...) are defined by
/// [`PartitionerConfig`] and merged into [`HdfsSinkConfig::full_config_def`].
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig};
/// use connect_hdfs::HdfsSinkConfig;
///
/// let props = ConfigMap::from([
///     ("hdfs.url".to_owned(), "file:///tmp/hdfs".to_owned()),
///     ("flush.size".to_owned(), "3".to_owned()),
/// ]);
/// let config = HdfsSinkConfig::from_props(&props)?;
/// assert_eq!(config.url()?, "file:///tmp/hdfs");
/// assert_eq!(config.topics_dir, "topics");
/// assert_eq!(config.format_class, "io.confluent.connect.hdfs.avro.AvroFormat");
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, ConnectConfig)]
pub struct HdfsSinkConfig {
    /// `hdfs.url`: the file system URL when `store.url` is not set (deprecated in Confluent's
    /// connector, still the key most configurations use).
    #[config(
        name = "hdfs.url",
        importance = "high",
        doc = "The HDFS connection URL. This configuration has the format of hdfs://hostname:port and specifies the HDFS to export data to. This property is deprecated and will be removed in future releases. Use ``store.url`` instead."
    )]
    pub hdfs_url: Option<String>,
    /// `store.url`: the file system URL (`hdfs://nn:8020`, `file:///data`).
    #[config(
        name = "store.url",
        importance = "high",
        doc = "Store's connection URL, if applicable."
    )]
    pub store_url: Option<String>,
    /// `hadoop.conf.dir`: a directory with `core-site.xml` and `hdfs-site.xml`.
    #[config(
        name = "hadoop.conf.dir",
        default = "",
        importance = "high",
        doc = "The Hadoop configuration directory."
    )]
    pub hadoop_conf_dir: String,
    /// `hadoop.home`: accepted for compatibility; nothing here needs a Hadoop installation.
    #[config(
        name = "hadoop.home",
        default = "",
        importance = "high",
        doc = "The Hadoop home directory. Accepted for compatibility: no Hadoop installation is needed."
    )]
    pub hadoop_home: String,
    /// `topics.dir`: the directory of committed (and temporary) files.
    #[config(
        name = "topics.dir",
        default = "topics",
        importance = "high",
        doc = "Top level directory to store the data ingested from Kafka."
    )]
    pub topics_dir: String,
    /// `logs.dir`: the directory of the write-ahead logs.
    #[config(
        name = "logs.dir",
        default = "logs",
        importance = "high",
        doc = "Top level directory to store the write ahead logs."
    )]
    pub logs_dir: String,
    /// `format.class`: the file format.
    #[config(
        name = "format.class",
        type = "class",
        default = "io.confluent.connect.hdfs.avro.AvroFormat",
        importance = "high",
        doc = "The format class to use when writing data to the store. Format classes implement the io.confluent.connect.storage.format.Format interface: io.confluent.connect.hdfs.avro.AvroFormat, io.confluent.connect.hdfs.parquet.ParquetFormat, io.confluent.connect.hdfs.json.JsonFormat, io.confluent.connect.hdfs.string.StringFormat (or AvroFormat, ParquetFormat, JsonFormat, StringFormat)."
    )]
    pub format_class: String,
    /// `flush.size`: records per Kafka partition before a commit; at least 1.
    #[config(
        name = "flush.size",
        importance = "high",
        validator = Range::at_least(1),
        doc = "Number of records written to store before invoking file commits."
    )]
    pub flush_size: i32,
    /// `rotate.interval.ms`: commit once records span this long on the partitioner's clock.
    #[config(
        name = "rotate.interval.ms",
        default = -1i64,
        importance = "high",
        doc = "The time interval in milliseconds to invoke file commits. This configuration ensures that file commits are invoked every configured interval. The timestamp of each record is taken from the partitioner's timestamp extractor (the wall clock by default). -1 disables it."
    )]
    pub rotate_interval_ms: i64,
    /// `rotate.schedule.interval.ms`: commit open files on this wall-clock schedule.
    #[config(
        name = "rotate.schedule.interval.ms",
        default = -1i64,
        importance = "medium",
        doc = "The time interval in milliseconds to periodically invoke file commits. This configuration ensures that file commits are invoked every configured interval, aligned to midnight in ``timezone``, even when a partition receives no records. -1 disables it."
    )]
    pub rotate_schedule_interval_ms: i64,
    /// `retry.backoff.ms`: the pause after a retriable storage failure.
    #[config(
        name = "retry.backoff.ms",
        default = 5000i64,
        importance = "low",
        validator = Range::at_least(0),
        doc = "The retry backoff in milliseconds. This config is used to notify Kafka connect to retry delivering a message batch or performing recovery in case of transient exceptions."
    )]
    pub retry_backoff_ms: i64,
    /// `shutdown.timeout.ms`: accepted for compatibility (it bounds Hive work in Confluent's).
    #[config(
        name = "shutdown.timeout.ms",
        default = 3000i64,
        importance = "medium",
        doc = "Clean shutdown timeout. This makes sure that asynchronous Hive metastore updates are completed during connector shutdown."
    )]
    pub shutdown_timeout_ms: i64,
    /// `filename.offset.zero.pad.width`: digits of the offsets in file names.
    #[config(
        name = "filename.offset.zero.pad.width",
        default = 10,
        importance = "low",
        validator = Range::at_least(0),
        doc = "Width to zero pad offsets in store's filenames if offsets are too short in order to provide fixed width filenames that can be ordered by simple lexicographic sorting."
    )]
    pub filename_offset_zero_pad_width: i32,
    /// `schema.compatibility`: NONE, BACKWARD, FORWARD or FULL.
    #[config(
        name = "schema.compatibility",
        default = "NONE",
        importance = "high",
        validator = CaseInsensitiveValidString::in_(["NONE", "BACKWARD", "FORWARD", "FULL"]),
        doc = "The schema compatibility rule to use when the connector is observing schema changes. The supported configurations are NONE, BACKWARD, FORWARD and FULL."
    )]
    pub schema_compatibility: String,
    /// `avro.codec`: the Avro container compression.
    #[config(
        name = "avro.codec",
        default = "null",
        importance = "low",
        validator = CaseInsensitiveValidString::in_(["null", "deflate", "snappy", "bzip2"]),
        doc = "The Avro compression codec to be used for output files. Available values: null, deflate, snappy and bzip2 (CodecSource is org.apache.avro.file.CodecFactory)"
    )]
    pub avro_codec: String,
    /// `parquet.codec`: the Parquet compression (Confluent's S3 sink has it; its HDFS sink is
    /// fixed to snappy).
    #[config(
        name = "parquet.codec",
        default = "snappy",
        importance = "low",
        validator = CaseInsensitiveValidString::in_(["none", "uncompressed", "snappy", "gzip", "zstd", "lz4"]),
        doc = "The Parquet compression codec to be used for output files. Available values: none, snappy, gzip, zstd and lz4."
    )]
    pub parquet_codec: String,
    /// `parquet.row.group.size.bytes`: the Parquet data one open file holds in memory before it
    /// writes a row group, which bounds memory per open file.
    #[config(
        name = "parquet.row.group.size.bytes",
        default = 33554432i64,
        importance = "low",
        validator = Range::at_least(1024),
        doc = "The encoded size in bytes at which an open Parquet file writes out a row group. It bounds the memory each open file holds."
    )]
    pub parquet_row_group_size_bytes: i64,
    /// `behavior.on.null.values`: what a record with a null value (a tombstone) does.
    #[config(
        name = "behavior.on.null.values",
        default = "ignore",
        importance = "low",
        validator = CaseInsensitiveValidString::in_(["ignore", "fail"]),
        doc = "How to handle records with a null value (i.e. Kafka tombstone records). Valid options are 'ignore' (skip the record) and 'fail' (an error: the task fails, or with errors.tolerance=all the record goes to the dead letter queue)."
    )]
    pub behavior_on_null_values: String,
    /// `schemas.cache.config`: the size of the Avro schema cache.
    #[config(
        name = "schemas.cache.config",
        default = 1000,
        importance = "low",
        validator = Range::at_least(1),
        doc = "The size of the schema cache used in the Avro converter."
    )]
    pub schemas_cache_config: i32,
    /// `enhanced.avro.schema.support`: keep enum symbols and package names in Avro schemas.
    #[config(
        name = "enhanced.avro.schema.support",
        default = true,
        importance = "low",
        doc = "Enable enhanced schema support to preserve package information and Enums."
    )]
    pub enhanced_avro_schema_support: bool,
    /// `connect.meta.data`: add `connect.*` properties to Avro schemas.
    #[config(
        name = "connect.meta.data",
        default = true,
        importance = "low",
        doc = "Allow connect converter to add its meta data to the output schema."
    )]
    pub connect_meta_data: bool,
    /// `storage.class`: accepted for compatibility; the URL's scheme chooses the storage.
    #[config(
        name = "storage.class",
        type = "class",
        default = "io.confluent.connect.hdfs.storage.HdfsStorage",
        importance = "high",
        doc = "The underlying storage layer. The scheme of the store URL chooses it: hdfs:// and viewfs:// (HDFS) or file:// (the local file system)."
    )]
    pub storage_class: String,
    /// `topic.capture.groups.regex`: groups of the topic name usable as `${n}` in directories.
    #[config(
        name = "topic.capture.groups.regex",
        importance = "medium",
        doc = "A Java regular expression that must match the whole topic name. Its capture groups can be referenced with ${0}, ${1}, ... in topics.dir and logs.dir."
    )]
    pub topic_capture_groups_regex: Option<String>,
    /// `hdfs.authentication.kerberos`: authenticate to HDFS with Kerberos.
    #[config(
        name = "hdfs.authentication.kerberos",
        default = false,
        importance = "high",
        doc = "Configuration indicating whether HDFS is using Kerberos for authentication."
    )]
    pub hdfs_authentication_kerberos: bool,
    /// `connect.hdfs.principal`: the Kerberos principal.
    #[config(
        name = "connect.hdfs.principal",
        default = "",
        importance = "high",
        doc = "The principal to use when HDFS is using Kerberos to for authentication."
    )]
    pub connect_hdfs_principal: String,
    /// `connect.hdfs.keytab`: the keytab of the principal.
    #[config(
        name = "connect.hdfs.keytab",
        default = "",
        importance = "high",
        doc = "The path to the keytab file for the HDFS connector principal. This keytab file should only be readable by the connector user."
    )]
    pub connect_hdfs_keytab: String,
    /// `hdfs.namenode.principal`: the namenode's principal.
    #[config(
        name = "hdfs.namenode.principal",
        default = "",
        importance = "high",
        doc = "The principal for HDFS Namenode."
    )]
    pub hdfs_namenode_principal: String,
    /// `kerberos.ticket.renew.period.ms`: how often the Kerberos login is renewed.
    #[config(
        name = "kerberos.ticket.renew.period.ms",
        default = 3600000i64,
        importance = "low",
        doc = "The period in milliseconds to renew the Kerberos ticket."
    )]
    pub kerberos_ticket_renew_period_ms: i64,
    /// `hive.integration`: not supported; `true` is a configuration error.
    #[config(
        name = "hive.integration",
        default = false,
        importance = "high",
        doc = "Configuration indicating whether to integrate with Hive when running the connector. Hive integration is not supported: true is rejected."
    )]
    pub hive_integration: bool,
    /// `hive.metastore.uris`: accepted for compatibility.
    #[config(
        name = "hive.metastore.uris",
        default = "",
        importance = "high",
        doc = "The Hive metastore URIs (unused: Hive integration is not supported)."
    )]
    pub hive_metastore_uris: String,
    /// `hive.conf.dir`: accepted for compatibility.
    #[config(
        name = "hive.conf.dir",
        default = "",
        importance = "high",
        doc = "Hive configuration directory (unused: Hive integration is not supported)."
    )]
    pub hive_conf_dir: String,
    /// `hive.home`: accepted for compatibility.
    #[config(
        name = "hive.home",
        default = "",
        importance = "high",
        doc = "Hive home directory (unused: Hive integration is not supported)."
    )]
    pub hive_home: String,
    /// `hive.database`: accepted for compatibility.
    #[config(
        name = "hive.database",
        default = "default",
        importance = "high",
        doc = "The database to use when the connector creates tables in Hive (unused: Hive integration is not supported)."
    )]
    pub hive_database: String,
    /// `hive.table.name`: accepted for compatibility.
    #[config(
        name = "hive.table.name",
        default = "${topic}",
        importance = "low",
        doc = "The hive table name to use (unused: Hive integration is not supported)."
    )]
    pub hive_table_name: String,
}

impl HdfsSinkConfig {
    /// Every key of the connector: these and the partitioner's.
    pub fn full_config_def() -> ConfigDef {
        Self::config_def().with_def(&PartitionerConfig::config_def())
    }

    /// Reads and checks the whole configuration, including the rules between keys.
    pub fn from_connector_props(props: &ConfigMap) -> Result<Self, ConfigError> {
        let config = Self::from_props(props)?;
        let partitioner = PartitionerConfig::from_props(props)?;
        config.url()?;
        if config.hive_integration {
            return Err(ConfigError::invalid(
                "hive.integration",
                true,
                "Hive integration is not supported by this connector",
            ));
        }
        if config.rotate_schedule_interval_ms > 0 && partitioner.timezone.is_empty() {
            return Err(ConfigError::invalid(
                "timezone",
                "",
                "timezone configuration must be set when using rotate.schedule.interval.ms",
            ));
        }
        if config.topic_capture_groups_regex.is_none()
            && [&config.topics_dir, &config.logs_dir]
                .iter()
                .any(|dir| has_group_reference(dir))
        {
            let dir = if has_group_reference(&config.topics_dir) {
                ("topics.dir", &config.topics_dir)
            } else {
                ("logs.dir", &config.logs_dir)
            };
            return Err(ConfigError::invalid(
                dir.0,
                dir.1,
                "topics.dir and logs.dir may only reference ${n} capture groups when topic.capture.groups.regex is set",
            ));
        }
        if let Some(regex) = &config.topic_capture_groups_regex {
            regex::Regex::new(regex).map_err(|error| {
                ConfigError::invalid("topic.capture.groups.regex", regex, error.to_string())
            })?;
        }
        Ok(config)
    }

    /// The store's URL: `store.url`, else `hdfs.url`, without a trailing `/`.
    pub fn url(&self) -> Result<&str, ConfigError> {
        [&self.store_url, &self.hdfs_url]
            .into_iter()
            .flatten()
            .map(|url| url.trim().trim_end_matches('/'))
            .find(|url| !url.is_empty())
            .ok_or_else(|| ConfigError::other("Configuration store.url cannot be empty."))
    }

    /// `schema.compatibility` as its enum (validated by the definition).
    pub fn compatibility(&self) -> SchemaCompatibility {
        SchemaCompatibility::from_name(&self.schema_compatibility).unwrap_or_default()
    }

    /// Whether null values fail instead of being skipped.
    pub fn fail_on_null_values(&self) -> bool {
        self.behavior_on_null_values.eq_ignore_ascii_case("fail")
    }
}

/// Whether a directory template references a capture group (`${0}`, `${1}`, ...).
fn has_group_reference(dir: &str) -> bool {
    dir.match_indices("${")
        .any(|(at, _)| dir[at + 2..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Expands `${topic}` and the capture groups `${n}` of `topic.capture.groups.regex` in
/// `topics.dir` or `logs.dir` for one topic.
///
/// ```
/// use connect_hdfs::config::resolve_directory;
///
/// assert_eq!(resolve_directory("data/${topic}", "orders", None)?, "data/orders");
/// let regex = regex::Regex::new(r"(\w+)\.(\w+)").unwrap();
/// assert_eq!(resolve_directory("${1}/raw", "sales.orders", Some(&regex))?, "sales/raw");
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
pub fn resolve_directory(
    template: &str,
    topic: &str,
    groups: Option<&regex::Regex>,
) -> Result<String, ConfigError> {
    let mut dir = template.replace("${topic}", topic);
    let Some(regex) = groups else {
        return Ok(dir);
    };
    // The regex is anchored by its user (the task compiles `^(?:...)$`), so a match is a
    // match of the whole topic, as Java's `Matcher.matches`.
    let captures = regex
        .captures(topic)
        .filter(|c| c.get(0).is_some_and(|m| m.as_str().len() == topic.len()))
        .ok_or_else(|| {
            ConfigError::other(format!(
                "Topic {topic} does not match topic.capture.groups.regex {}",
                regex.as_str()
            ))
        })?;
    while let Some(start) = dir.find("${") {
        let Some(len) = dir[start..].find('}') else {
            break;
        };
        let reference = &dir[start + 2..start + len];
        let Ok(index) = reference.parse::<usize>() else {
            break;
        };
        let group = captures.get(index).ok_or_else(|| {
            ConfigError::other(format!(
                "Directory template {template} references group ${{{index}}}, but topic.capture.groups.regex {} has only {} groups",
                regex.as_str(),
                captures.len() - 1
            ))
        })?;
        dir.replace_range(start..start + len + 1, group.as_str());
    }
    Ok(dir)
}
