//! The sink task: one [`TopicPartitionWriter`] per assigned partition.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_api::config::{ConfigMap, ConnectConfig};
use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetAndMetadata, SinkRecord, TopicPartition};
use connect_api::task::{SinkTask, SinkTaskContext};

use crate::config::{HdfsSinkConfig, resolve_directory};
use crate::partitioner::{JodaZone, PartitionerConfig, partitioner_from_config};
use crate::storage::{KerberosOptions, Storage, StorageOptions, open_storage};
use crate::writer::{BadRecord, TopicPartitionWriter, WriterSettings};

/// The task of [`HdfsSinkConnector`](crate::HdfsSinkConnector) (Confluent's `HdfsSinkTask`).
///
/// `open` recovers each assigned partition (WAL replay, offset from the WAL or the committed
/// file names, consumer sent there); `put` writes and commits files; `pre_commit` reports the
/// offset after the last committed file of each partition, so the consumer group never runs
/// ahead of the files; `close` and `stop` discard files still being written.
#[derive(Default)]
pub struct HdfsSinkTask {
    context: Option<Arc<dyn SinkTaskContext>>,
    /// A store given by the embedding application instead of the one the URL names.
    storage: Option<Arc<dyn Storage>>,
    state: Option<Started>,
    writers: HashMap<TopicPartition, TopicPartitionWriter>,
}

/// What `start` builds from the configuration.
struct Started {
    settings: Arc<WriterSettings>,
    topics_dir: String,
    logs_dir: String,
    capture_groups: Option<regex::Regex>,
}

impl fmt::Debug for HdfsSinkTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HdfsSinkTask")
            .field("partitions", &self.writers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl HdfsSinkTask {
    /// A task, to be initialized and started by the runtime.
    pub fn new() -> Self {
        Self::default()
    }

    /// A task writing to `storage` instead of the store `store.url` names: another file system
    /// behind the [`Storage`] interface, which must keep its contract (atomic rename that never
    /// overwrites, durable `hsync`). Paths stay relative to its root.
    ///
    /// ```
    /// use connect_hdfs::HdfsSinkTask;
    /// use connect_hdfs::storage::{StorageOptions, open_storage};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let storage = open_storage(&format!("file://{}", dir.path().display()), &StorageOptions::default())?;
    /// let task = HdfsSinkTask::with_storage(storage);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_storage(storage: Arc<dyn Storage>) -> Self {
        Self {
            storage: Some(storage),
            ..Self::default()
        }
    }

    fn context(&self) -> Result<&Arc<dyn SinkTaskContext>> {
        self.context.as_ref().ok_or_else(|| {
            ConnectError::IllegalWorkerState("the HDFS sink task was not initialized".into())
        })
    }

    fn started(&self) -> Result<&Started> {
        self.state.as_ref().ok_or_else(|| {
            ConnectError::IllegalWorkerState("the HDFS sink task was not started".into())
        })
    }

    /// Creates and recovers the writer of each partition not open yet.
    async fn open_writers(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        let context = self.context()?.clone();
        let started = self.started()?;
        let mut opened = Vec::new();
        for tp in partitions {
            if self.writers.contains_key(tp) {
                continue;
            }
            let groups = started.capture_groups.as_ref();
            let topics_dir = resolve_directory(&started.topics_dir, &tp.topic, groups)?;
            let logs_dir = resolve_directory(&started.logs_dir, &tp.topic, groups)?;
            let mut writer = TopicPartitionWriter::new(
                tp.clone(),
                started.settings.clone(),
                context.clone(),
                topics_dir,
                &logs_dir,
            );
            if let Err(error) = writer.recover().await {
                // Retried by the next `put`, after the backoff.
                tracing::warn!(topic = %tp.topic, partition = tp.partition, %error, "recovery failed; it is retried when records arrive");
                context.timeout(started.settings.retry_backoff);
            }
            opened.push((tp.clone(), writer));
        }
        self.writers.extend(opened);
        Ok(())
    }
}

#[async_trait]
impl SinkTask for HdfsSinkTask {
    fn version(&self) -> String {
        crate::VERSION.to_owned()
    }

    fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
        self.context = Some(context);
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = HdfsSinkConfig::from_connector_props(props)?;
        let partitioner_config = PartitionerConfig::from_props(props)?;
        let url = config.url()?.to_owned();
        let non_empty = |value: &String| Some(value.clone()).filter(|v| !v.is_empty());
        let kerberos = config
            .hdfs_authentication_kerberos
            .then(|| KerberosOptions {
                principal: config.connect_hdfs_principal.clone(),
                keytab: non_empty(&config.connect_hdfs_keytab),
                namenode_principal: non_empty(&config.hdfs_namenode_principal),
            });
        let options = StorageOptions {
            hadoop_conf_dir: Some(config.hadoop_conf_dir.clone()).filter(|d| !d.is_empty()),
            kerberos,
        };
        let storage = match &self.storage {
            Some(storage) => storage.clone(),
            None => open_storage(&url, &options).map_err(|error| {
                ConnectError::other(format!("cannot open the store at {url}: {error}"))
            })?,
        };
        let format = crate::format::from_config(&config)?;
        let partitioner = partitioner_from_config(props)?;
        let timezone = match partitioner_config.timezone.as_str() {
            "" => None,
            zone => Some(JodaZone::for_id(zone).map_err(|error| {
                connect_api::error::ConfigError::invalid("timezone", zone, error.to_string())
            })?),
        };
        let tolerate_bad_records = props
            .get("errors.tolerance")
            .is_some_and(|tolerance| tolerance.trim().eq_ignore_ascii_case("all"));
        let settings = WriterSettings {
            storage,
            format,
            partitioner: partitioner.into(),
            compatibility: config.compatibility(),
            flush_size: usize::try_from(config.flush_size).unwrap_or(1).max(1),
            rotate_interval_ms: config.rotate_interval_ms,
            rotate_schedule_interval_ms: config.rotate_schedule_interval_ms,
            timezone,
            zero_pad_width: usize::try_from(config.filename_offset_zero_pad_width).unwrap_or(0),
            retry_backoff: Duration::from_millis(
                u64::try_from(config.retry_backoff_ms).unwrap_or(0),
            ),
            fail_on_null_values: config.fail_on_null_values(),
            tolerate_bad_records,
        };
        tracing::info!(%url, format = %config.format_class, "HDFS sink task started; offsets come from the write-ahead logs and committed file names, the consumer group offsets are used only where neither exists");
        self.state = Some(Started {
            settings: Arc::new(settings),
            topics_dir: config.topics_dir.trim_matches('/').to_owned(),
            logs_dir: config.logs_dir.trim_matches('/').to_owned(),
            capture_groups: config
                .topic_capture_groups_regex
                .as_deref()
                .map(|regex| regex::Regex::new(&format!("^(?:{regex})$")))
                .transpose()
                .map_err(|error| ConnectError::other(error.to_string()))?,
        });
        let assignment = self.context()?.assignment();
        self.open_writers(&assignment).await
    }

    async fn open(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        self.open_writers(partitions).await
    }

    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        let mut bad: Vec<BadRecord> = Vec::new();
        for writer in self.writers.values_mut() {
            writer.begin_put();
        }
        // Records come in runs of one partition; each run goes to its writer as a slice.
        let mut rest = records;
        let mut written: Vec<TopicPartition> = Vec::new();
        while let Some(first) = rest.first() {
            let (topic, partition) = (first.original_topic(), first.original_kafka_partition());
            let run = rest
                .iter()
                .position(|r| {
                    // Records of one topic share its name's allocation: compare pointers first.
                    let same_topic =
                        std::ptr::eq(r.original_topic(), topic) || r.original_topic() == topic;
                    r.original_kafka_partition() != partition || !same_topic
                })
                .unwrap_or(rest.len());
            let tp = first.original_topic_partition();
            let writer = self.writers.get_mut(&tp).ok_or_else(|| {
                ConnectError::IllegalWorkerState(format!(
                    "HDFS sink received a record of {tp}, which is not assigned to it (offset {})",
                    first.kafka_offset
                ))
            })?;
            writer.write(&rest[..run], &mut bad).await?;
            rest = &rest[run..];
            if !written.contains(&tp) {
                written.push(tp);
            }
        }
        // Every writer gets a turn, so time-based rotation commits idle partitions too.
        for (tp, writer) in &mut self.writers {
            if !written.contains(tp) {
                writer.write(&[], &mut bad).await?;
            }
        }
        if !bad.is_empty() {
            let reporter = self.context()?.errant_record_reporter().ok_or_else(|| {
                ConnectError::other(
                    "bad records were tolerated but no errant record reporter is available",
                )
            })?;
            for BadRecord { record, error } in bad {
                reporter.report(record, error).await?;
            }
        }
        Ok(())
    }

    async fn pre_commit(
        &mut self,
        _current_offsets: HashMap<TopicPartition, OffsetAndMetadata>,
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        Ok(self
            .writers
            .iter()
            .filter_map(|(tp, writer)| {
                writer
                    .committable_offset()
                    .map(|offset| (tp.clone(), OffsetAndMetadata::new(offset)))
            })
            .collect())
    }

    async fn close(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        for tp in partitions {
            if let Some(writer) = self.writers.remove(tp) {
                writer.close().await;
            }
        }
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        for (_, writer) in self.writers.drain() {
            writer.close().await;
        }
        Ok(())
    }
}
