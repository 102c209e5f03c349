//! File and directory names, exactly as Confluent's HDFS connector writes them.

use std::sync::LazyLock;

use regex::Regex;

/// The directory under `topics.dir` that holds files being written (`+tmp` is not a valid topic
/// name, so it cannot collide with one).
pub const TEMP_DIR: &str = "+tmp";

/// The name of a partition's write-ahead log under `logs.dir/<topic>/<partition>/`.
pub const WAL_FILE: &str = "log";

/// The name of the previous write-ahead log, kept by truncation.
pub const OLD_WAL_FILE: &str = "log.1";

/// Confluent's `COMMITTED_FILENAME_PATTERN`: topic, partition, start offset, end offset and
/// extension, matched against the whole file name.
static COMMITTED_FILE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([a-zA-Z0-9\._\-]+)\+(\d+)\+(\d+)\+(\d+)(.\w+)?$").ok());

/// The name of a committed data file: `<topic>+<partition>+<start>+<end><extension>`, offsets
/// zero-padded to `width` digits (never truncated).
///
/// ```
/// use connect_hdfs::naming::committed_file_name;
///
/// assert_eq!(committed_file_name("orders", 3, 0, 99, ".parquet", 10), "orders+3+0000000000+0000000099.parquet");
/// ```
pub fn committed_file_name(
    topic: &str,
    partition: i32,
    start_offset: i64,
    end_offset: i64,
    extension: &str,
    width: usize,
) -> String {
    format!("{topic}+{partition}+{start_offset:0width$}+{end_offset:0width$}{extension}")
}

/// What the name of a committed data file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedFile {
    /// The topic.
    pub topic: String,
    /// The Kafka partition.
    pub partition: i32,
    /// The offset of the first record in the file.
    pub start_offset: i64,
    /// The offset of the last record in the file.
    pub end_offset: i64,
}

impl CommittedFile {
    /// Parses the last path segment of `path`; `None` if it is not a committed file's name.
    ///
    /// ```
    /// use connect_hdfs::naming::CommittedFile;
    ///
    /// let file = CommittedFile::parse("hdfs://nn/topics/orders/partition=3/orders+3+0000000000+0000000099.avro").unwrap();
    /// assert_eq!((file.topic.as_str(), file.partition, file.start_offset, file.end_offset), ("orders", 3, 0, 99));
    /// assert!(CommittedFile::parse("topics/+tmp/orders/partition=3/5b0c_tmp.avro").is_none());
    /// ```
    pub fn parse(path: &str) -> Option<CommittedFile> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let captures = COMMITTED_FILE.as_ref()?.captures(name)?;
        Some(CommittedFile {
            topic: captures.get(1)?.as_str().to_owned(),
            partition: captures.get(2)?.as_str().parse().ok()?,
            start_offset: captures.get(3)?.as_str().parse().ok()?,
            end_offset: captures.get(4)?.as_str().parse().ok()?,
        })
    }
}

/// The name of a new temporary file: a random UUID, `_tmp` and the extension.
pub fn temp_file_name(extension: &str) -> String {
    format!("{}_tmp{extension}", uuid::Uuid::new_v4())
}
