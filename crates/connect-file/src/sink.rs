//! The sink connector and its task: records of topics appended to a file (or standard output).

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use connect_api::config::{ConfigDef, ConfigMap, ConnectConfig};
use connect_api::connector::{Connector, SinkConnector, SinkConnectorContext};
use connect_api::data::Value;
use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetAndMetadata, SinkRecord, TopicPartition};
use connect_api::task::SinkTask;
use tokio::io::AsyncWriteExt;

use crate::config::FileStreamSinkConfig;

/// The initial capacity of the buffer a batch is formatted into.
const WRITE_BUFFER_SIZE: usize = 256 * 1024;

/// Appends the value of every record to a file, or writes it to standard output, one line per
/// record (Kafka's `org.apache.kafka.connect.file.FileStreamSinkConnector`).
///
/// It returns `max_tasks` identical task configurations.
///
/// | key | type | default | |
/// |---|---|---|---|
/// | `file` | string | null | the file to append to; unset or empty writes standard output |
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::connector::Connector;
/// use connect_file::FileStreamSinkConnector;
///
/// let props = ConfigMap::from([
///     ("connector.class".to_owned(), FileStreamSinkConnector::CLASS.to_owned()),
///     ("topics".to_owned(), "app-log".to_owned()),
///     ("file".to_owned(), "/tmp/app-log.txt".to_owned()),
/// ]);
/// let mut connector = FileStreamSinkConnector::new();
/// assert!(connector.validate(&props).iter().all(|key| key.errors.is_empty()));
///
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// runtime.block_on(connector.start(&props))?;
/// let task_configs = connector.task_configs(3)?;
/// assert_eq!(task_configs, vec![props.clone(), props.clone(), props]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct FileStreamSinkConnector {
    props: ConfigMap,
}

impl FileStreamSinkConnector {
    /// The Java class name, which configurations name in `connector.class`.
    pub const CLASS: &'static str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

    /// A connector, to be started.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Connector for FileStreamSinkConnector {
    fn version(&self) -> String {
        connect_api::VERSION.to_owned()
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = FileStreamSinkConfig::from_props(props)?;
        self.props = props.clone();
        tracing::info!(
            "Starting file sink connector writing to {}",
            config.file_name().unwrap_or("standard output")
        );
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        Ok(vec![self.props.clone(); max_tasks])
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        FileStreamSinkConfig::config_def()
    }
}

#[async_trait]
impl SinkConnector for FileStreamSinkConnector {
    fn initialize(&mut self, _context: Arc<dyn SinkConnectorContext>) {}

    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(FileStreamSinkTask::new())
    }

    /// Accepts every change: the connector keeps no offsets of its own.
    async fn alter_offsets(
        &self,
        _connector_config: &ConfigMap,
        _offsets: &HashMap<TopicPartition, Option<i64>>,
    ) -> Result<bool> {
        Ok(true)
    }
}

/// Where the task writes.
enum Output {
    File(tokio::fs::File),
    Stdout(tokio::io::Stdout),
}

/// The task of [`FileStreamSinkConnector`] (Kafka's
/// `org.apache.kafka.connect.file.FileStreamSinkTask`).
///
/// `start` opens the file in create-and-append mode. `put` appends each record's value as Java's
/// `String.valueOf` prints it (the [`Value`] `Display`: `null` for a null value, `Struct{a=1}`
/// for a struct) followed by `\n`, into a buffer that goes to the file whenever it holds 256 KiB.
/// `flush` (and so each offset commit) writes the buffer out and waits until the operating
/// system has the bytes, so they survive a crash of the process; it does not `fsync`, as
/// Kafka's does not. `stop` flushes and closes the file (standard output stays open).
///
/// `put` and `flush` are cancel-safe: the buffer and how much of it was written live in the
/// task, so a dropped call leaves the rest for the next one.
#[derive(Default)]
pub struct FileStreamSinkTask {
    /// The file as configured, or `None` for standard output.
    file: Option<String>,
    output: Option<Output>,
    /// Formatted records not yet handed to the output; `buffer[written..]` remains.
    buffer: Vec<u8>,
    written: usize,
}

impl fmt::Debug for FileStreamSinkTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStreamSinkTask")
            .field("file", &self.file)
            .field("open", &self.output.is_some())
            .field("buffered", &(self.buffer.len() - self.written))
            .finish()
    }
}

impl FileStreamSinkTask {
    /// The Java class name.
    pub const CLASS: &'static str = "org.apache.kafka.connect.file.FileStreamSinkTask";

    /// A task, to be started.
    pub fn new() -> Self {
        Self::default()
    }

    fn log_name(&self) -> &str {
        self.file.as_deref().unwrap_or("stdout")
    }

    fn write_error(&self, e: std::io::Error) -> ConnectError {
        tracing::error!("Error while writing to {}: {e}", self.log_name());
        ConnectError::other_from(format!("Error while writing to {}", self.log_name()), e)
    }

    /// Hands the whole buffer to the output.
    async fn drain(&mut self) -> Result<()> {
        while self.written < self.buffer.len() {
            let pending = &self.buffer[self.written..];
            let written = match &mut self.output {
                Some(Output::File(file)) => file.write(pending).await,
                Some(Output::Stdout(stdout)) => stdout.write(pending).await,
                None => {
                    return Err(ConnectError::other(
                        "FileStreamSinkTask has not been started",
                    ));
                }
            };
            match written {
                Ok(0) => {
                    return Err(self.write_error(std::io::ErrorKind::WriteZero.into()));
                }
                Ok(n) => self.written += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.write_error(e)),
            }
        }
        self.buffer.clear();
        self.written = 0;
        Ok(())
    }

    /// Hands the buffer to the output and waits until the output has written it.
    async fn flush_output(&mut self) -> Result<()> {
        self.drain().await?;
        let flushed = match &mut self.output {
            Some(Output::File(file)) => file.flush().await,
            Some(Output::Stdout(stdout)) => stdout.flush().await,
            None => Ok(()),
        };
        flushed.map_err(|e| self.write_error(e))
    }
}

/// Appends `value` as Java's `String.valueOf` prints it.
fn write_value(buffer: &mut Vec<u8>, value: &Value) {
    match value {
        Value::String(text) => buffer.extend_from_slice(text.as_bytes()),
        Value::Null => buffer.extend_from_slice(b"null"),
        // Writing to a `Vec` cannot fail.
        other => {
            let _ = write!(buffer, "{other}");
        }
    }
}

#[async_trait]
impl SinkTask for FileStreamSinkTask {
    fn version(&self) -> String {
        connect_api::VERSION.to_owned()
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = FileStreamSinkConfig::from_props(props)?;
        let file = config.file_name().map(str::to_owned);
        let output = match &file {
            None => Output::Stdout(tokio::io::stdout()),
            Some(name) => {
                let opened = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(name)
                    .await
                    .map_err(|e| {
                        ConnectError::other_from(
                            format!("Couldn't find or create file '{name}' for FileStreamSinkTask"),
                            e,
                        )
                    })?;
                Output::File(opened)
            }
        };
        self.file = file;
        self.output = Some(output);
        self.buffer = Vec::with_capacity(WRITE_BUFFER_SIZE);
        self.written = 0;
        Ok(())
    }

    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        if self.output.is_none() {
            return Err(ConnectError::other(
                "FileStreamSinkTask has not been started",
            ));
        }
        if tracing::enabled!(tracing::Level::TRACE) {
            for record in records {
                tracing::trace!("Writing line to {}: {}", self.log_name(), record.value);
            }
        }
        for record in records {
            write_value(&mut self.buffer, &record.value);
            self.buffer.push(b'\n');
        }
        // Each batch reaches the file before `put` returns, with one write: lines show up as they
        // arrive, as with Kafka's sink (which writes every record straight through).
        self.flush_output().await
    }

    async fn flush(&mut self, _offsets: &HashMap<TopicPartition, OffsetAndMetadata>) -> Result<()> {
        tracing::trace!("Flushing output stream for {}", self.log_name());
        self.flush_output().await
    }

    async fn stop(&mut self) -> Result<()> {
        let flushed = self.flush_output().await;
        // Dropping the file closes it; standard output stays open.
        self.output = None;
        self.buffer = Vec::new();
        self.written = 0;
        flushed
    }
}
