//! Where failures are reported: the error log (`errors.log.enable`) and the dead letter queue
//! (`errors.deadletterqueue.topic.name`).

use std::sync::Arc;

use bytes::Bytes;
use connect_api::error::ConnectError;
use connect_log::{Log, LogRecord, NewTopic, Partition};
use tokio::sync::OnceCell;

use super::operator::Origin;
use super::{Stage, error_trace, exception_class};
use crate::metrics::TaskMetrics;

/// One failure, as reporters see it.
///
/// ```
/// use connect_api::error::{ConnectError, DataError};
/// use connect_runtime::errors::{ErrorReport, Origin, Stage, exception_class};
///
/// let error = ConnectError::from(DataError::new("Unknown magic byte!"));
/// let report = ErrorReport {
///     connector: "orders-sink",
///     task: 0,
///     stage: Stage::ValueConverter,
///     class: "io.confluent.connect.avro.AvroConverter",
///     error: &error,
///     origin: Origin::None,
/// };
/// assert_eq!(report.stage.name(), "VALUE_CONVERTER");
/// assert!(report.stage.tolerates_any_error()); // skipped when errors.tolerance=all
/// assert_eq!(exception_class(report.error), "org.apache.kafka.connect.errors.DataException");
/// ```
#[derive(Debug)]
pub struct ErrorReport<'a> {
    /// The connector's name.
    pub connector: &'a str,
    /// The task's id.
    pub task: u32,
    /// Where it failed.
    pub stage: Stage,
    /// The class (converter, transform, task) that failed.
    pub class: &'a str,
    /// The error.
    pub error: &'a ConnectError,
    /// The record concerned.
    pub origin: Origin<'a>,
}

/// The reporters of one task.
pub(crate) struct Reporters {
    log_enable: bool,
    include_messages: bool,
    dlq: Option<DeadLetterQueue>,
    metrics: Option<TaskMetrics>,
}

impl Reporters {
    pub(crate) fn new(
        log_enable: bool,
        include_messages: bool,
        dlq: Option<DeadLetterQueue>,
    ) -> Self {
        Self {
            log_enable,
            include_messages,
            dlq,
            metrics: None,
        }
    }

    /// Counts failures and dead-lettered records in these task metrics.
    pub(crate) fn with_metrics(mut self, metrics: TaskMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Reports to the log and the dead letter queue. A record goes to the dead letter queue only
    /// when it is skipped, so that a failing task does not leave a copy behind.
    pub(crate) async fn report(&self, report: &ErrorReport<'_>, skipped: bool) {
        if self.log_enable {
            tracing::error!(
                error = %report.error,
                "Error encountered in task {}-{}. Executing stage '{}' with class '{}'{}.",
                report.connector,
                report.task,
                report.stage.name(),
                report.class,
                self.describe_record(report.origin),
            );
        }
        if let Some(metrics) = &self.metrics {
            metrics.failed();
        }
        if skipped && let Some(dlq) = &self.dlq {
            match dlq.send(report).await {
                Ok(()) => {
                    if let Some(metrics) = &self.metrics {
                        metrics.dead_lettered();
                    }
                }
                Err(error) => tracing::error!(
                    connector = report.connector, task = report.task, topic = %dlq.topic,
                    %error, "could not write a failed record to the dead letter queue"
                ),
            }
        }
    }

    fn describe_record(&self, origin: Origin<'_>) -> String {
        match origin {
            Origin::Consumed {
                partition,
                offset,
                raw,
            } if self.include_messages => format!(
                ", where consumed record is {{topic='{}', partition={}, offset={offset}, timestamp={}, timestampType=CreateTime}}",
                partition.topic, partition.partition, raw.timestamp
            ),
            Origin::Consumed {
                partition, offset, ..
            } => format!(
                ", where consumed record is {{topic='{}', partition={}, offset={offset}}}",
                partition.topic, partition.partition
            ),
            Origin::Source(record) if self.include_messages => {
                format!(", where source record is = {record:?}")
            }
            Origin::Source(record) => {
                format!(", where source record is for topic '{}'", record.topic)
            }
            Origin::None => String::new(),
        }
    }
}

/// Writes failed records to a topic, with `__connect.errors.*` headers when enabled.
///
/// Consumed records are written as they were read (raw key, value, headers and timestamp), as
/// Kafka Connect does. Records of source tasks, which never had bytes, are written with their key
/// and value as text.
///
/// The runtime makes one for each task of a connector with
/// `errors.deadletterqueue.topic.name` set, from its [`ErrorsConfig`](crate::config::ErrorsConfig):
///
/// ```
/// use std::sync::Arc;
/// use connect_api::config::ConfigMap;
/// use connect_log::Log;
/// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
/// use connect_runtime::config::{ConnectorConfig, ConnectorType};
/// use connect_runtime::errors::DeadLetterQueue;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let props: ConfigMap = [
///     ("name", "orders-sink"),
///     ("connector.class", "FileStreamSink"),
///     ("topics", "orders"),
///     ("errors.tolerance", "all"),
///     ("errors.deadletterqueue.topic.name", "orders-dlq"),
///     ("errors.deadletterqueue.context.headers.enable", "true"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_owned(), v.to_owned()))
/// .collect();
/// let errors = ConnectorConfig::parse(&props, ConnectorType::Sink)?.errors();
/// let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
/// let dlq = errors.dlq_topic.map(|topic| {
///     DeadLetterQueue::new(log.clone(), topic, errors.dlq_replication_factor, errors.dlq_context_headers)
/// });
/// assert!(dlq.is_some());
/// // The topic is created when the first failed record is written.
/// assert_eq!(log.partition_count("orders-dlq").await?, None);
/// # Ok(())
/// # }
/// ```
pub struct DeadLetterQueue {
    log: Arc<dyn Log>,
    topic: String,
    replication_factor: i16,
    context_headers: bool,
    created: OnceCell<()>,
}

impl DeadLetterQueue {
    /// A dead letter queue on `topic`, created with one partition when it does not exist.
    pub fn new(
        log: Arc<dyn Log>,
        topic: impl Into<String>,
        replication_factor: i16,
        context_headers: bool,
    ) -> Self {
        Self {
            log,
            topic: topic.into(),
            replication_factor,
            context_headers,
            created: OnceCell::new(),
        }
    }

    async fn send(&self, report: &ErrorReport<'_>) -> Result<(), connect_log::LogError> {
        self.created
            .get_or_try_init(|| async {
                let topic =
                    NewTopic::new(&self.topic, 1).with_replication_factor(self.replication_factor);
                self.log.create_topic(&topic).await.map(|_| ())
            })
            .await?;
        let mut record = match report.origin {
            Origin::Consumed { raw, .. } => raw.clone(),
            Origin::Source(source) => LogRecord {
                key: (!source.key.is_null()).then(|| Bytes::from(source.key.to_string())),
                value: (!source.value.is_null()).then(|| Bytes::from(source.value.to_string())),
                headers: Vec::new(),
                timestamp: source.timestamp.unwrap_or_else(now_millis),
            },
            Origin::None => LogRecord {
                timestamp: now_millis(),
                ..LogRecord::default()
            },
        };
        if self.context_headers {
            let mut add = |key: &str, value: String| {
                record
                    .headers
                    .push((format!("__connect.errors.{key}"), Some(Bytes::from(value))));
            };
            match report.origin {
                Origin::Consumed {
                    partition, offset, ..
                } => {
                    add("topic", partition.topic.to_string());
                    add("partition", partition.partition.to_string());
                    add("offset", offset.to_string());
                }
                Origin::Source(source) => {
                    add("topic", source.topic.to_string());
                    add(
                        "source.partition",
                        serde_json::Value::Object((*source.source_partition).clone()).to_string(),
                    );
                    add(
                        "source.offset",
                        serde_json::Value::Object(source.source_offset.clone()).to_string(),
                    );
                }
                Origin::None => {}
            }
            add("connector.name", report.connector.to_owned());
            add("task.id", report.task.to_string());
            add("stage", report.stage.name().to_owned());
            add("class.name", report.class.to_owned());
            add(
                "exception.class.name",
                exception_class(report.error).to_owned(),
            );
            add("exception.message", report.error.to_string());
            add("exception.stacktrace", error_trace(report.error));
        }
        self.log
            .append(&Partition::new(self.topic.as_str(), 0), vec![record])
            .await
            .map(|_| ())
    }
}

pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
