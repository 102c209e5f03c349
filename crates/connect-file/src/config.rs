//! The configurations of the two connectors, key for key as Kafka defines them.

use connect_api::config::{ConnectConfig, NonEmptyString, Range};

/// The key of the file to read or write; unset or empty means standard input or output.
pub const FILE_CONFIG: &str = "file";
/// The key of the topic the source writes to.
pub const TOPIC_CONFIG: &str = "topic";
/// The key of the maximum number of records one source poll returns.
pub const TASK_BATCH_SIZE_CONFIG: &str = "batch.size";
/// The default of [`TASK_BATCH_SIZE_CONFIG`].
pub const DEFAULT_TASK_BATCH_SIZE: i32 = 2000;
/// The source partition's key, whose value is the file name as configured.
pub const FILENAME_FIELD: &str = "filename";
/// The source offset's key, whose value is the number of bytes consumed.
pub const POSITION_FIELD: &str = "position";

/// The configuration of [`FileStreamSourceConnector`](crate::FileStreamSourceConnector) and its
/// task (Kafka's `FileStreamSourceConnector.CONFIG_DEF`).
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig};
/// use connect_file::FileStreamSourceConfig;
///
/// let props = ConfigMap::from([("topic".to_owned(), "lines".to_owned())]);
/// let config = FileStreamSourceConfig::from_props(&props)?;
/// assert_eq!(config.file, None);
/// assert_eq!(config.topic, "lines");
/// assert_eq!(config.batch_size, 2000);
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, ConnectConfig)]
pub struct FileStreamSourceConfig {
    /// `file`: the file to read; `None` (or empty) reads standard input.
    #[config(
        importance = "high",
        doc = "Source filename. If not specified, the standard input will be used"
    )]
    pub file: Option<String>,
    /// `topic`: the topic to write the lines to; required and non-empty.
    #[config(
        importance = "high",
        validator = NonEmptyString,
        doc = "The topic to publish data to"
    )]
    pub topic: String,
    /// `batch.size`: the most records one poll returns; at least 1, 2000 by default.
    #[config(
        name = "batch.size",
        default = 2000,
        importance = "low",
        validator = Range::at_least(1),
        doc = "The maximum number of records the source task can read from the file each time it is polled"
    )]
    pub batch_size: i32,
}

impl FileStreamSourceConfig {
    /// The file to read, or `None` for standard input (unset or empty, as in Kafka).
    pub fn file_name(&self) -> Option<&str> {
        self.file.as_deref().filter(|file| !file.is_empty())
    }
}

/// The configuration of [`FileStreamSinkConnector`](crate::FileStreamSinkConnector) and its task
/// (Kafka's `FileStreamSinkConnector.CONFIG_DEF`). The runtime adds `topics` or `topics.regex`.
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig};
/// use connect_file::FileStreamSinkConfig;
///
/// let props = ConfigMap::from([("file".to_owned(), "/tmp/out.txt".to_owned())]);
/// let config = FileStreamSinkConfig::from_props(&props)?;
/// assert_eq!(config.file_name(), Some("/tmp/out.txt"));
/// # Ok::<(), connect_api::error::ConfigError>(())
/// ```
#[derive(Debug, Clone, ConnectConfig)]
pub struct FileStreamSinkConfig {
    /// `file`: the file to append to; `None` (or empty) writes standard output.
    #[config(
        importance = "high",
        doc = "Destination filename. If not specified, the standard output will be used"
    )]
    pub file: Option<String>,
}

impl FileStreamSinkConfig {
    /// The file to append to, or `None` for standard output (unset or empty, as in Kafka).
    pub fn file_name(&self) -> Option<&str> {
        self.file.as_deref().filter(|file| !file.is_empty())
    }
}

/// Java's `String.trim`: strips every character up to and including the space.
pub(crate) fn java_trim(value: &str) -> &str {
    value.trim_matches(|c: char| c <= ' ')
}
