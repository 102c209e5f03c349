//! The source connector and its task: lines of a file (or standard input) to a topic.

use std::fmt;
use std::io::{ErrorKind, SeekFrom};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use connect_api::config::{ConfigDef, ConfigMap, ConnectConfig};
use connect_api::connector::{
    Connector, ConnectorTransactionBoundaries, ExactlyOnceSupport, SourceConnector,
    SourceConnectorContext,
};
use connect_api::data::{Schema, Value};
use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetMap, SourceRecord};
use connect_api::task::{SourceTask, SourceTaskContext};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

use crate::config::{
    FILE_CONFIG, FILENAME_FIELD, FileStreamSourceConfig, POSITION_FIELD, java_trim,
};
use crate::lines::LineBuffer;

/// How long a poll waits when there is no data, or no file yet (Kafka's `wait(1000)`).
const IDLE_WAIT: Duration = Duration::from_secs(1);
/// The initial size of the read buffer, and so the most read at once until a longer line
/// makes it grow.
const READ_BUFFER_SIZE: usize = 256 * 1024;
/// The most records a poll makes room for up front (more only when that many lines come).
const MAX_PREALLOCATED_RECORDS: usize = 4096;

/// Reads lines from a file, or standard input, into a topic (Kafka's
/// `org.apache.kafka.connect.file.FileStreamSourceConnector`).
///
/// It always returns exactly one task configuration: one input makes sense for one task.
///
/// | key | type | default | |
/// |---|---|---|---|
/// | `file` | string | null | the file to read; unset or empty reads standard input |
/// | `topic` | string | required | the topic to write to, non-empty |
/// | `batch.size` | int | 2000 | the most records one poll returns, at least 1 |
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::connector::{Connector, ExactlyOnceSupport, SourceConnector};
/// use connect_file::FileStreamSourceConnector;
///
/// let props = ConfigMap::from([
///     ("connector.class".to_owned(), FileStreamSourceConnector::CLASS.to_owned()),
///     ("file".to_owned(), "/var/log/app.log".to_owned()),
///     ("topic".to_owned(), "app-log".to_owned()),
///     ("batch.size".to_owned(), "500".to_owned()),
/// ]);
/// let mut connector = FileStreamSourceConnector::new();
/// assert!(connector.validate(&props).iter().all(|key| key.errors.is_empty()));
/// assert_eq!(connector.exactly_once_support(&props), Some(ExactlyOnceSupport::Supported));
///
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// runtime.block_on(connector.start(&props))?;
/// let task_configs = connector.task_configs(4)?;
/// assert_eq!(task_configs, vec![props]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct FileStreamSourceConnector {
    props: ConfigMap,
}

impl FileStreamSourceConnector {
    /// The Java class name, which configurations name in `connector.class`.
    pub const CLASS: &'static str = "org.apache.kafka.connect.file.FileStreamSourceConnector";

    /// A connector, to be started.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Connector for FileStreamSourceConnector {
    fn version(&self) -> String {
        connect_api::VERSION.to_owned()
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = FileStreamSourceConfig::from_props(props)?;
        self.props = props.clone();
        tracing::info!(
            "Starting file source connector reading from {}",
            config.file_name().unwrap_or("standard input")
        );
        Ok(())
    }

    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<ConfigMap>> {
        // Only one input stream makes sense.
        Ok(vec![self.props.clone()])
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        FileStreamSourceConfig::config_def()
    }
}

#[async_trait]
impl SourceConnector for FileStreamSourceConnector {
    fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}

    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(FileStreamSourceTask::new())
    }

    /// Supported when reading a file (as long as it is only appended to), unsupported for
    /// standard input, whose offsets are not tracked.
    fn exactly_once_support(&self, connector_config: &ConfigMap) -> Option<ExactlyOnceSupport> {
        let reads_file = connector_config
            .get(FILE_CONFIG)
            .is_some_and(|file| !java_trim(file).is_empty());
        Some(if reads_file {
            ExactlyOnceSupport::Supported
        } else {
            ExactlyOnceSupport::Unsupported
        })
    }

    fn can_define_transaction_boundaries(
        &self,
        _connector_config: &ConfigMap,
    ) -> ConnectorTransactionBoundaries {
        ConnectorTransactionBoundaries::Unsupported
    }

    /// Accepts resets of any partition, and offsets `{"position": <integer ≥ 0>}` of
    /// partitions with a `filename`; rejects everything when reading standard input. Whether
    /// a position fits the file is left to the task.
    async fn alter_offsets(
        &self,
        connector_config: &ConfigMap,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> Result<bool> {
        let config = FileStreamSourceConfig::from_props(connector_config)?;
        if config.file_name().is_none() {
            return Err(ConnectError::other(format!(
                "Offsets cannot be modified if the '{FILE_CONFIG}' configuration is unspecified. \
                 This is because stdin is used for input and offsets are not tracked."
            )));
        }
        // One partition is in use at a time, but partitions of earlier configurations may
        // exist too.
        for (partition, offset) in offsets {
            let Some(offset) = offset else {
                // Tombstones are allowed for anything, so that garbage can be cleaned up.
                continue;
            };
            let Some(position) = offset.get(POSITION_FIELD) else {
                return Err(ConnectError::other(format!(
                    "Offset objects should either be null or contain the key '{POSITION_FIELD}'"
                )));
            };
            let Some(position) = position.as_i64() else {
                return Err(ConnectError::other(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset is expected to be a Long value"
                )));
            };
            if position < 0 {
                return Err(ConnectError::other(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset should be a non-negative value"
                )));
            }
            if !partition.contains_key(FILENAME_FIELD) {
                return Err(ConnectError::other(format!(
                    "Partition objects should contain the key '{FILENAME_FIELD}'"
                )));
            }
        }
        Ok(true)
    }
}

/// Where the task reads from.
enum Input {
    /// The configured file, positioned after the committed offset.
    File(tokio::fs::File),
    /// Standard input (or, in tests, another stream), whose reads may wait indefinitely.
    Stream(Box<dyn AsyncRead + Send + Unpin>),
}

/// What a started task reads and writes.
struct Started {
    /// The file as configured, or `None` for standard input.
    file: Option<String>,
    topic: Arc<str>,
    batch_size: usize,
    /// `{"filename": <file as configured>}`, shared by every record.
    partition: Arc<OffsetMap>,
    /// The records' value schema: a required string.
    value_schema: Schema,
    /// The open input; `None` until the file exists.
    input: Option<Input>,
    lines: LineBuffer,
    /// Bytes consumed up to the end of the last line taken; `None` for standard input.
    position: Option<i64>,
    /// Records taken from `lines` and not yet returned, kept here so that a cancelled poll
    /// loses nothing.
    ready: Vec<SourceRecord>,
}

/// The task of [`FileStreamSourceConnector`] (Kafka's
/// `org.apache.kafka.connect.file.FileStreamSourceTask`).
///
/// Each record has the configured topic, no partition, no key, a required `STRING` value
/// schema, the line (without its terminator) as value and the time it was read as timestamp.
/// Its source partition is `{"filename": <file as configured>}` and its source offset
/// `{"position": <bytes consumed up to and including the line's terminator>}`; when reading
/// standard input the offset is `{"position": null}`, as in Kafka.
///
/// The first poll opens the file and skips the committed position; while the file does not
/// exist, each poll logs a warning, waits a second and returns nothing. A poll returns up to
/// `batch.size` records, or waits a second and returns nothing when there is no complete line.
/// A last line without terminator is returned once it is terminated.
///
/// Polls are cancel-safe: the buffered bytes and the records taken from them live in the task,
/// so a poll dropped halfway leaves them for the next one.
#[derive(Default)]
pub struct FileStreamSourceTask {
    context: Option<Arc<dyn SourceTaskContext>>,
    started: Option<Started>,
}

impl fmt::Debug for FileStreamSourceTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("FileStreamSourceTask");
        if let Some(task) = &self.started {
            debug
                .field("file", &task.file)
                .field("topic", &task.topic)
                .field("batch_size", &task.batch_size)
                .field("position", &task.position)
                .field("open", &task.input.is_some());
        }
        debug.finish_non_exhaustive()
    }
}

impl FileStreamSourceTask {
    /// The Java class name.
    pub const CLASS: &'static str = "org.apache.kafka.connect.file.FileStreamSourceTask";

    /// A task, to be initialized and started.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Started {
    fn log_name(&self) -> &str {
        self.file.as_deref().unwrap_or("stdin")
    }

    /// Opens the file and moves to the committed position, or returns `None` when the file does
    /// not exist. Changes nothing in `self`, so that a cancelled call leaves no trace.
    async fn open(
        file: &str,
        partition: &OffsetMap,
        context: Option<&Arc<dyn SourceTaskContext>>,
    ) -> Result<Option<(tokio::fs::File, i64)>> {
        let mut input = match tokio::fs::File::open(file).await {
            Ok(input) => input,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                tracing::error!("Error while trying to open file {file}: {e}");
                return Err(ConnectError::other_from(
                    format!("Error while trying to open file {file}"),
                    e,
                ));
            }
        };
        let stored = match context {
            Some(context) => context.offset_storage_reader().offset(partition).await?,
            None => None,
        };
        let position = match stored
            .as_ref()
            .and_then(|offset| offset.get(POSITION_FIELD))
        {
            None | Some(serde_json::Value::Null) => 0,
            Some(position) => position
                .as_i64()
                .ok_or_else(|| ConnectError::other("Offset position is the incorrect type"))?,
        };
        if position < 0 {
            tracing::warn!(
                "Ignoring the negative offset position {position} of file {file}, reading it from the start"
            );
            return Ok(Some((input, 0)));
        }
        if position > 0 {
            tracing::debug!("Found previous offset, trying to skip to file offset {position}");
            let length = input.metadata().await.map(|m| m.len()).unwrap_or(u64::MAX);
            let target = position.unsigned_abs();
            if length < target {
                tracing::warn!(
                    "File {file} has {length} bytes, fewer than the offset position {position}; \
                     waiting for it to grow past that position"
                );
            }
            input.seek(SeekFrom::Start(target)).await.map_err(|e| {
                tracing::error!(
                    "Error while trying to seek to previous offset in file {file}: {e}"
                );
                ConnectError::other_from(
                    format!("Error while trying to seek to previous offset in file {file}"),
                    e,
                )
            })?;
            tracing::debug!("Skipped to offset {position}");
        }
        Ok(Some((input, position)))
    }

    /// Takes complete lines from the buffer into `ready`, up to `batch_size` records.
    fn take_lines(&mut self) {
        let mut timestamp = None;
        while self.ready.len() < self.batch_size {
            let Some(line) = self.lines.next_line() else {
                break;
            };
            if self.ready.capacity() == 0 {
                self.ready
                    .reserve_exact(self.batch_size.min(MAX_PREALLOCATED_RECORDS));
            }
            let offset = match &mut self.position {
                Some(position) => {
                    *position = position.saturating_add(line.consumed as i64);
                    serde_json::Value::from(*position)
                }
                None => serde_json::Value::Null,
            };
            let mut source_offset = OffsetMap::new();
            source_offset.insert(POSITION_FIELD.to_owned(), offset);
            let timestamp = *timestamp.get_or_insert_with(now_millis);
            self.ready.push(
                SourceRecord::new(
                    self.partition.clone(),
                    source_offset,
                    self.topic.clone(),
                    Some(self.value_schema.clone()),
                    Value::String(line.text),
                )
                .with_timestamp(timestamp),
            );
        }
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[async_trait]
impl SourceTask for FileStreamSourceTask {
    fn version(&self) -> String {
        connect_api::VERSION.to_owned()
    }

    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        self.context = Some(context);
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = FileStreamSourceConfig::from_props(props)?;
        let file = config.file_name().map(str::to_owned);
        let mut partition = OffsetMap::new();
        partition.insert(
            FILENAME_FIELD.to_owned(),
            config
                .file
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        let stdin = file.is_none();
        self.started = Some(Started {
            file,
            topic: config.topic.into(),
            batch_size: usize::try_from(config.batch_size).unwrap_or(1).max(1),
            partition: Arc::new(partition),
            value_schema: Schema::string(),
            // Offsets of standard input are not tracked.
            input: stdin.then(|| Input::Stream(Box::new(tokio::io::stdin()))),
            lines: LineBuffer::new(READ_BUFFER_SIZE),
            position: None,
            ready: Vec::new(),
        });
        Ok(())
    }

    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let Some(task) = self.started.as_mut() else {
            return Err(ConnectError::other(
                "FileStreamSourceTask has not been started",
            ));
        };
        if task.input.is_none() {
            let Some(file) = task.file.clone() else {
                return Ok(Vec::new());
            };
            match Started::open(&file, &task.partition, self.context.as_ref()).await? {
                Some((input, position)) => {
                    task.input = Some(Input::File(input));
                    task.position = Some(position);
                    tracing::debug!("Opened {file} for reading");
                }
                None => {
                    tracing::warn!(
                        "Couldn't find file {file} for FileStreamSourceTask, sleeping to wait for it to be created"
                    );
                    tokio::time::sleep(IDLE_WAIT).await;
                    return Ok(Vec::new());
                }
            }
        }
        loop {
            task.take_lines();
            if task.ready.len() >= task.batch_size {
                return Ok(std::mem::take(&mut task.ready));
            }
            let spare = task.lines.spare();
            let read = match &mut task.input {
                Some(Input::File(file)) => file.read(spare).await,
                Some(Input::Stream(stdin)) => {
                    if !task.ready.is_empty() {
                        // Do not wait on standard input with records in hand.
                        return Ok(std::mem::take(&mut task.ready));
                    }
                    match tokio::time::timeout(IDLE_WAIT, stdin.read(spare)).await {
                        Ok(read) => read,
                        // The read stays pending inside `Stdin`; the next poll picks it up.
                        Err(_) => return Ok(Vec::new()),
                    }
                }
                None => return Ok(Vec::new()),
            };
            match read {
                Ok(0) => {
                    if task.ready.is_empty() {
                        tokio::time::sleep(IDLE_WAIT).await;
                    }
                    return Ok(std::mem::take(&mut task.ready));
                }
                Ok(n) => {
                    tracing::trace!("Read {n} bytes from {}", task.log_name());
                    task.lines.filled(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::error!("Error while reading from {}: {e}", task.log_name());
                    return Err(ConnectError::other_from(
                        format!("Error while reading from {}", task.log_name()),
                        e,
                    ));
                }
            }
        }
    }

    async fn stop(&mut self) -> Result<()> {
        tracing::trace!("Stopping");
        // Dropping the input closes the file; standard input stays open.
        self.started = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    impl FileStreamSourceTask {
        /// Reads from `reader` instead of standard input.
        fn read_stdin_from(&mut self, reader: impl AsyncRead + Send + Unpin + 'static) {
            if let Some(task) = self.started.as_mut() {
                task.input = Some(Input::Stream(Box::new(reader)));
            }
        }
    }

    fn stdin_props(extra: &[(&str, &str)]) -> ConfigMap {
        let mut props = ConfigMap::from([("topic".to_owned(), "stdin-lines".to_owned())]);
        for (k, v) in extra {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        props
    }

    fn values(records: &[SourceRecord]) -> Vec<&str> {
        records.iter().filter_map(|r| r.value.as_str()).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn stdin_records_have_a_null_filename_and_position() {
        let mut task = FileStreamSourceTask::new();
        task.start(&stdin_props(&[])).await.unwrap();
        let (mut writer, reader) = tokio::io::duplex(64);
        task.read_stdin_from(reader);
        writer.write_all(b"one\r\ntwo\n").await.unwrap();

        let records = task.poll().await.unwrap();
        assert_eq!(values(&records), ["one", "two"]);
        for record in &records {
            assert_eq!(
                serde_json::Value::Object((*record.source_partition).clone()),
                serde_json::json!({"filename": null})
            );
            assert_eq!(
                serde_json::Value::Object(record.source_offset.clone()),
                serde_json::json!({"position": null})
            );
            assert_eq!(&*record.topic, "stdin-lines");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_file_setting_reads_stdin_with_an_empty_filename() {
        let mut task = FileStreamSourceTask::new();
        task.start(&stdin_props(&[("file", "")])).await.unwrap();
        let (mut writer, reader) = tokio::io::duplex(64);
        task.read_stdin_from(reader);
        writer.write_all(b"x\n").await.unwrap();
        let records = task.poll().await.unwrap();
        assert_eq!(values(&records), ["x"]);
        assert_eq!(
            serde_json::Value::Object((*records[0].source_partition).clone()),
            serde_json::json!({"filename": ""})
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stdin_without_data_returns_nothing_after_a_second() {
        let mut task = FileStreamSourceTask::new();
        task.start(&stdin_props(&[])).await.unwrap();
        let (mut writer, reader) = tokio::io::duplex(64);
        task.read_stdin_from(reader);

        let before = tokio::time::Instant::now();
        assert!(task.poll().await.unwrap().is_empty());
        assert_eq!(before.elapsed(), IDLE_WAIT);

        // A partial line is kept across polls that time out.
        writer.write_all(b"par").await.unwrap();
        assert!(task.poll().await.unwrap().is_empty());
        writer.write_all(b"tial\nnext").await.unwrap();
        assert_eq!(values(&task.poll().await.unwrap()), ["partial"]);
        writer.write_all(b"\n").await.unwrap();
        assert_eq!(values(&task.poll().await.unwrap()), ["next"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_stdin_poll_loses_nothing() {
        let mut task = FileStreamSourceTask::new();
        task.start(&stdin_props(&[])).await.unwrap();
        let (mut writer, reader) = tokio::io::duplex(64);
        task.read_stdin_from(reader);
        writer.write_all(b"abc").await.unwrap();

        // Reads "abc", finds no line and waits for more: cancel it there.
        let cancelled = tokio::time::timeout(Duration::from_millis(100), task.poll()).await;
        assert!(cancelled.is_err(), "the poll should still be waiting");

        writer.write_all(b"def\n").await.unwrap();
        assert_eq!(values(&task.poll().await.unwrap()), ["abcdef"]);
    }

    #[tokio::test(start_paused = true)]
    async fn stdin_returns_what_it_has_without_waiting_for_more() {
        let mut task = FileStreamSourceTask::new();
        task.start(&stdin_props(&[("batch.size", "10")]))
            .await
            .unwrap();
        let (mut writer, reader) = tokio::io::duplex(64);
        task.read_stdin_from(reader);
        writer.write_all(b"a\nb\n").await.unwrap();
        let before = tokio::time::Instant::now();
        assert_eq!(values(&task.poll().await.unwrap()), ["a", "b"]);
        assert_eq!(before.elapsed(), Duration::ZERO);
    }

    #[tokio::test]
    async fn polling_an_unstarted_task_fails() {
        let mut task = FileStreamSourceTask::new();
        let err = task.poll().await.unwrap_err();
        assert_eq!(err.to_string(), "FileStreamSourceTask has not been started");
    }
}
