//! The partitioner's configuration keys (Confluent's `PartitionerConfig`, plus `directory.delim`
//! from `StorageCommonConfig`), and how `partitioner.class` names resolve.

use std::fmt;

use connect_api::config::{
    ConfigValue, ConnectConfig, ParsedConfig, Recommender, Validator, invalid_value,
};
use connect_api::error::ConfigError;

use super::Partitioner;
use super::default::DefaultPartitioner;
use super::field::FieldPartitioner;
use super::time::TimeBasedPartitioner;
use super::zone::JodaZone;

/// The key of the partitioner class.
pub const PARTITIONER_CLASS_CONFIG: &str = "partitioner.class";
/// The default of [`PARTITIONER_CLASS_CONFIG`].
pub const DEFAULT_PARTITIONER_CLASS: &str =
    "io.confluent.connect.storage.partitioner.DefaultPartitioner";
/// The key of the time zone of time-based partitioners.
pub const TIMEZONE_CONFIG: &str = "timezone";
/// The key of the locale of time-based partitioners.
pub const LOCALE_CONFIG: &str = "locale";
/// The key of the bucket size of `TimeBasedPartitioner`.
pub const PARTITION_DURATION_MS_CONFIG: &str = "partition.duration.ms";
/// The key of the Joda-Time directory pattern of `TimeBasedPartitioner`.
pub const PATH_FORMAT_CONFIG: &str = "path.format";
/// The key of the directory delimiter.
pub const DIRECTORY_DELIM_CONFIG: &str = "directory.delim";

const STORAGE_PACKAGE: &str = "io.confluent.connect.storage.partitioner.";
const HDFS_PACKAGE: &str = "io.confluent.connect.hdfs.partitioner.";

/// The built-in partitioners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartitionerKind {
    /// `DefaultPartitioner`: `partition=<n>`.
    Default,
    /// `FieldPartitioner`: `<field>=<value>/...`.
    Field,
    /// `TimeBasedPartitioner`: `path.format` buckets of `partition.duration.ms`.
    TimeBased,
    /// `HourlyPartitioner`: `'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`, one hour.
    Hourly,
    /// `DailyPartitioner`: `'year'=YYYY/'month'=MM/'day'=dd`, one day.
    Daily,
}

impl PartitionerKind {
    /// Every built-in partitioner.
    pub const ALL: [PartitionerKind; 5] = [
        PartitionerKind::Default,
        PartitionerKind::Field,
        PartitionerKind::TimeBased,
        PartitionerKind::Hourly,
        PartitionerKind::Daily,
    ];

    /// The simple class name, e.g. `HourlyPartitioner`.
    pub fn simple_name(self) -> &'static str {
        match self {
            PartitionerKind::Default => "DefaultPartitioner",
            PartitionerKind::Field => "FieldPartitioner",
            PartitionerKind::TimeBased => "TimeBasedPartitioner",
            PartitionerKind::Hourly => "HourlyPartitioner",
            PartitionerKind::Daily => "DailyPartitioner",
        }
    }

    /// The storage-common class name, e.g.
    /// `io.confluent.connect.storage.partitioner.HourlyPartitioner`.
    pub fn class_name(self) -> String {
        format!("{STORAGE_PACKAGE}{}", self.simple_name())
    }

    /// The partitioner named `class`: a storage-common class name, its deprecated
    /// `io.confluent.connect.hdfs.partitioner.*` alias, the simple class name
    /// (`HourlyPartitioner`) or the short name (`Hourly`); simple and short names ignore case.
    pub fn from_class(class: &str) -> Option<Self> {
        let class = class.trim();
        if let Some(simple) = class
            .strip_prefix(STORAGE_PACKAGE)
            .or_else(|| class.strip_prefix(HDFS_PACKAGE))
        {
            return Self::ALL
                .into_iter()
                .find(|kind| kind.simple_name() == simple);
        }
        Self::ALL.into_iter().find(|kind| {
            let simple = kind.simple_name();
            let short = simple.trim_end_matches("Partitioner");
            class.eq_ignore_ascii_case(simple) || class.eq_ignore_ascii_case(short)
        })
    }

    /// Whether the key `name` matters for this partitioner (Confluent's
    /// `PartitionerClassDependentsRecommender.visible`).
    pub fn shows(self, name: &str) -> bool {
        match self {
            PartitionerKind::Default => false,
            PartitionerKind::Field => name == "partition.field.name",
            PartitionerKind::Hourly | PartitionerKind::Daily => {
                name == LOCALE_CONFIG || name == TIMEZONE_CONFIG
            }
            PartitionerKind::TimeBased => [
                PARTITION_DURATION_MS_CONFIG,
                PATH_FORMAT_CONFIG,
                LOCALE_CONFIG,
                TIMEZONE_CONFIG,
            ]
            .contains(&name),
        }
    }
}

impl fmt::Display for PartitionerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.class_name())
    }
}

/// Recommends the built-in classes for `partitioner.class`, and shows each key that depends on
/// it only when the chosen partitioner uses it (all of them for an unknown class).
#[derive(Debug, Clone, Copy, Default)]
pub struct PartitionerRecommender;

impl Recommender for PartitionerRecommender {
    fn valid_values(&self, name: &str, _parsed: &ParsedConfig) -> Vec<ConfigValue> {
        if name == PARTITIONER_CLASS_CONFIG {
            PartitionerKind::ALL
                .into_iter()
                .map(|kind| ConfigValue::Class(kind.class_name()))
                .collect()
        } else {
            Vec::new()
        }
    }

    fn visible(&self, name: &str, parsed: &ParsedConfig) -> bool {
        if name == PARTITIONER_CLASS_CONFIG {
            return true;
        }
        parsed
            .get(PARTITIONER_CLASS_CONFIG)
            .and_then(ConfigValue::as_class)
            .and_then(PartitionerKind::from_class)
            .is_none_or(|kind| kind.shows(name))
    }
}

/// Accepts a blank time zone or any ID Joda-Time's `DateTimeZone.forID` accepts (see
/// [`JodaZone::for_id`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct TimezoneValidator;

impl Validator for TimezoneValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        let zone = value
            .and_then(ConfigValue::as_str)
            .unwrap_or_default()
            .trim();
        if zone.is_empty() {
            return Ok(());
        }
        JodaZone::for_id(zone)
            .map(|_| ())
            .map_err(|error| invalid_value(name, value, error.to_string()))
    }
}

impl fmt::Display for TimezoneValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Any timezone accepted by: class org.joda.time.DateTimeZone")
    }
}

/// The partitioner's configuration: Confluent's `PartitionerConfig` keys, defaults and
/// documentation, plus `directory.delim`.
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig};
/// use connect_hdfs::partitioner::{PartitionerConfig, PartitionerKind};
///
/// let props = ConfigMap::from([
///     ("partitioner.class".to_owned(), "Hourly".to_owned()),
///     ("timezone".to_owned(), "Europe/Paris".to_owned()),
/// ]);
/// let config = PartitionerConfig::from_props(&props)?;
/// assert_eq!(config.kind()?, PartitionerKind::Hourly);
/// assert_eq!(config.timestamp_extractor, "Wallclock");
/// assert_eq!(config.directory_delim, "/");
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, ConnectConfig)]
pub struct PartitionerConfig {
    /// `partitioner.class`: the partitioner (see [`PartitionerKind::from_class`]).
    #[config(
        name = "partitioner.class",
        type = "class",
        default = DEFAULT_PARTITIONER_CLASS,
        importance = "high",
        group = "Partitioner",
        order = 1,
        width = "long",
        display_name = "Partitioner Class",
        dependents = ["partition.field.name", "partition.duration.ms", "path.format", "locale", "timezone"],
        recommender = PartitionerRecommender,
        doc = "The partitioner to use when writing data to the store. You can use ``DefaultPartitioner``, which preserves the Kafka partitions; ``FieldPartitioner``, which partitions the data to different directories according to the value of the partitioning field specified in ``partition.field.name``; ``TimeBasedPartitioner``, which partitions data according to ingestion time."
    )]
    pub partitioner_class: String,
    /// `partition.field.name`: the fields of `FieldPartitioner`.
    #[config(
        name = "partition.field.name",
        default = "",
        importance = "medium",
        group = "Partitioner",
        order = 2,
        width = "none",
        display_name = "Partition Field Name",
        recommender = PartitionerRecommender,
        doc = "The name of the partitioning field when FieldPartitioner is used."
    )]
    pub partition_field_name: Vec<String>,
    /// `partition.duration.ms`: the bucket size of `TimeBasedPartitioner`.
    #[config(
        name = "partition.duration.ms",
        default = -1_i64,
        importance = "medium",
        group = "Partitioner",
        order = 3,
        width = "long",
        display_name = "Partition Duration (ms)",
        recommender = PartitionerRecommender,
        doc = "The duration of a partition milliseconds used by ``TimeBasedPartitioner``. The default value -1 means that we are not using ``TimeBasedPartitioner``."
    )]
    pub partition_duration_ms: i64,
    /// `path.format`: the Joda-Time pattern of `TimeBasedPartitioner` directories.
    #[config(
        name = "path.format",
        default = "",
        importance = "medium",
        group = "Partitioner",
        order = 4,
        width = "long",
        display_name = "Path Format",
        recommender = PartitionerRecommender,
        doc = "This configuration is used to set the format of the data directories when partitioning with ``TimeBasedPartitioner``. The format set in this configuration converts the Unix timestamp to proper directories strings. For example, if you set ``path.format='year'=YYYY/'month'=MM/'day'=dd/'hour'=HH``, the data directories will have the format ``/year=2015/month=12/day=07/hour=15/``."
    )]
    pub path_format: String,
    /// `locale`: the locale of month and day names in time-based directories.
    #[config(
        name = "locale",
        default = "",
        importance = "medium",
        group = "Partitioner",
        order = 5,
        width = "long",
        display_name = "Locale",
        recommender = PartitionerRecommender,
        doc = "The locale to use when partitioning with ``TimeBasedPartitioner``. Used to format dates and times. For example, use ``en-US`` for US English, ``en-GB`` for UK English, or ``fr-FR`` for French (in France). These may vary by Java version. See the `available locales <http://www.localeplanet.com/java/>`__."
    )]
    pub locale: String,
    /// `timezone`: the zone time-based directories are computed in.
    #[config(
        name = "timezone",
        default = "",
        importance = "medium",
        group = "Partitioner",
        order = 6,
        width = "long",
        display_name = "Timezone",
        validator = TimezoneValidator,
        recommender = PartitionerRecommender,
        doc = "The timezone to use when partitioning with ``TimeBasedPartitioner``. Used to format and compute dates and times. All timezone IDs must be specified in the long format, such as ``America/Los_Angeles``, ``America/New_York``, and ``Europe/Paris``, or ``UTC``. Alternatively a locale independent, fixed offset, datetime zone can be specified in form ``[+-]hh:mm``. Support for these timezones may vary by Java version. See the `available timezones within each locale <http://www.localeplanet.com/java/>`__, such as `those within the US English locale <http://www.localeplanet.com/java/en-US/index.html>`__."
    )]
    pub timezone: String,
    /// `timestamp.extractor`: `Wallclock`, `Record` or `RecordField`.
    #[config(
        name = "timestamp.extractor",
        default = "Wallclock",
        importance = "medium",
        group = "Partitioner",
        order = 7,
        width = "long",
        display_name = "Timestamp Extractor",
        doc = "The extractor that gets the timestamp for records when partitioning with ``TimeBasedPartitioner``. It can be set to ``Wallclock``, ``Record`` or ``RecordField`` in order to use one of the built-in timestamp extractors or be given the fully-qualified class name of a user-defined class that extends the ``TimestampExtractor`` interface."
    )]
    pub timestamp_extractor: String,
    /// `timestamp.field`: the field read by the `RecordField` extractor.
    #[config(
        name = "timestamp.field",
        default = "timestamp",
        importance = "medium",
        group = "Partitioner",
        order = 8,
        width = "long",
        display_name = "Record Field for Timestamp Extractor",
        doc = "The record field to be used as timestamp by the timestamp extractor."
    )]
    pub timestamp_field: String,
    /// `directory.delim`: what separates the parts of a partition path.
    #[config(
        name = "directory.delim",
        default = "/",
        importance = "medium",
        group = "Storage",
        width = "long",
        display_name = "Directory Delimiter",
        doc = "Directory delimiter pattern"
    )]
    pub directory_delim: String,
}

impl PartitionerConfig {
    /// The partitioner `partitioner.class` names.
    ///
    /// # Errors
    ///
    /// An unknown class, naming `partitioner.class` and listing the known ones.
    pub fn kind(&self) -> Result<PartitionerKind, ConfigError> {
        PartitionerKind::from_class(&self.partitioner_class).ok_or_else(|| {
            let known: Vec<String> = PartitionerKind::ALL
                .into_iter()
                .map(PartitionerKind::class_name)
                .collect();
            ConfigError::invalid(
                PARTITIONER_CLASS_CONFIG,
                &self.partitioner_class,
                format!(
                    "Unknown partitioner class. Known partitioners: {} (also under \
                     io.confluent.connect.hdfs.partitioner, or by their short names \
                     Default, Field, TimeBased, Hourly and Daily)",
                    known.join(", ")
                ),
            )
        })
    }

    /// The configured partitioner, its settings checked.
    ///
    /// # Errors
    ///
    /// An unknown class, or a setting the partitioner rejects, with Confluent's message.
    pub fn partitioner(&self) -> Result<Box<dyn Partitioner>, ConfigError> {
        Ok(match self.kind()? {
            PartitionerKind::Default => Box::new(DefaultPartitioner::new(&self.directory_delim)),
            PartitionerKind::Field => Box::new(FieldPartitioner::new(
                self.partition_field_name.clone(),
                &self.directory_delim,
            )?),
            PartitionerKind::TimeBased => Box::new(TimeBasedPartitioner::new(self)?),
            PartitionerKind::Hourly => Box::new(TimeBasedPartitioner::hourly(self)?),
            PartitionerKind::Daily => Box::new(TimeBasedPartitioner::daily(self)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use connect_api::config::{ConfigMap, ConfigType, Importance};

    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn keys_and_defaults() {
        let def = PartitionerConfig::config_def();
        let expected = [
            ("partitioner.class", ConfigType::Class, Importance::High),
            ("partition.field.name", ConfigType::List, Importance::Medium),
            (
                "partition.duration.ms",
                ConfigType::Long,
                Importance::Medium,
            ),
            ("path.format", ConfigType::String, Importance::Medium),
            ("locale", ConfigType::String, Importance::Medium),
            ("timezone", ConfigType::String, Importance::Medium),
            (
                "timestamp.extractor",
                ConfigType::String,
                Importance::Medium,
            ),
            ("timestamp.field", ConfigType::String, Importance::Medium),
            ("directory.delim", ConfigType::String, Importance::Medium),
        ];
        assert_eq!(def.len(), expected.len());
        for (name, type_, importance) in expected {
            let key = def.key(name).unwrap();
            assert_eq!(key.type_(), type_, "{name}");
            assert_eq!(key.importance(), importance, "{name}");
        }
        let config = PartitionerConfig::from_props(&ConfigMap::new()).unwrap();
        assert_eq!(config.partitioner_class, DEFAULT_PARTITIONER_CLASS);
        assert!(config.partition_field_name.is_empty());
        assert_eq!(config.partition_duration_ms, -1);
        assert_eq!(config.path_format, "");
        assert_eq!(config.locale, "");
        assert_eq!(config.timezone, "");
        assert_eq!(config.timestamp_extractor, "Wallclock");
        assert_eq!(config.timestamp_field, "timestamp");
        assert_eq!(config.directory_delim, "/");
        assert_eq!(config.kind().unwrap(), PartitionerKind::Default);
    }

    #[test]
    fn class_names_resolve() {
        for kind in PartitionerKind::ALL {
            let simple = kind.simple_name();
            let short = simple.trim_end_matches("Partitioner");
            for name in [
                kind.class_name(),
                format!("io.confluent.connect.hdfs.partitioner.{simple}"),
                simple.to_owned(),
                short.to_owned(),
                short.to_ascii_lowercase(),
            ] {
                assert_eq!(PartitionerKind::from_class(&name), Some(kind), "{name}");
            }
        }
        assert_eq!(
            PartitionerKind::from_class("com.example.MyPartitioner"),
            None
        );
        assert_eq!(
            PartitionerKind::from_class("io.confluent.connect.storage.partitioner.Hourly"),
            None
        );
    }

    #[test]
    fn unknown_class() {
        let config =
            PartitionerConfig::from_props(&props(&[("partitioner.class", "com.example.Mine")]))
                .unwrap();
        let err = config.kind().unwrap_err().to_string();
        assert!(
            err.starts_with(
                "Invalid value com.example.Mine for configuration partitioner.class: \
                 Unknown partitioner class. Known partitioners: \
                 io.confluent.connect.storage.partitioner.DefaultPartitioner, "
            ),
            "{err}"
        );
        assert!(
            err.contains("io.confluent.connect.storage.partitioner.DailyPartitioner"),
            "{err}"
        );
    }

    #[test]
    fn timezone_is_validated_when_parsed() {
        let err =
            PartitionerConfig::from_props(&props(&[("timezone", "Mars/Olympus")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value Mars/Olympus for configuration timezone: \
             The datetime zone id 'Mars/Olympus' is not recognised"
        );
        for zone in ["UTC", "America/Los_Angeles", "+02:00", "-0530", ""] {
            assert!(
                PartitionerConfig::from_props(&props(&[("timezone", zone)])).is_ok(),
                "{zone}"
            );
        }
    }

    #[test]
    fn visibility_follows_the_partitioner() {
        let visible = |class: &str| -> Vec<String> {
            PartitionerConfig::validate(&props(&[("partitioner.class", class)]))
                .into_iter()
                .filter(|info| info.visible)
                .map(|info| info.name.clone())
                .filter(|name| {
                    PartitionerConfig::config_def()
                        .key(PARTITIONER_CLASS_CONFIG)
                        .is_some_and(|key| key.dependents().iter().any(|d| d == name))
                })
                .collect()
        };
        assert!(visible(DEFAULT_PARTITIONER_CLASS).is_empty());
        assert_eq!(visible("FieldPartitioner"), ["partition.field.name"]);
        assert_eq!(
            visible("io.confluent.connect.storage.partitioner.HourlyPartitioner"),
            ["locale", "timezone"]
        );
        assert_eq!(visible("Daily"), ["locale", "timezone"]);
        assert_eq!(
            visible("TimeBasedPartitioner"),
            ["partition.duration.ms", "path.format", "locale", "timezone"]
        );
        assert_eq!(visible("com.example.Custom").len(), 5);
    }

    #[test]
    fn recommends_the_built_in_classes() {
        let infos = PartitionerConfig::validate(&ConfigMap::new());
        let class = infos
            .iter()
            .find(|info| info.name == PARTITIONER_CLASS_CONFIG)
            .unwrap();
        assert_eq!(class.recommended_values.len(), 5);
        assert!(class.recommended_values.contains(&ConfigValue::Class(
            "io.confluent.connect.storage.partitioner.TimeBasedPartitioner".to_owned()
        )));
    }
}
