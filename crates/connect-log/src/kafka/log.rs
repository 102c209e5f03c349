//! [`KafkaLog`]: the [`Log`] on a Kafka cluster.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use rskafka::BackoffConfig;
use rskafka::chrono::{TimeZone, Utc};
use rskafka::client::error::{Error as RsError, ProtocolError, RequestError, ServerErrorResponse};
use rskafka::client::partition::{Compression, OffsetAt, PartitionClient, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder, Credentials, SaslConfig as RsSaslConfig};
use rskafka::record::{Record, RecordAndOffset};
use tokio::sync::OnceCell;

use super::config::{CompressionType, KafkaConfig};
use super::protocol::{
    ClientError, Cluster, CommitAs, ConnectionConfig, ErrorCode, GroupCoordinator, RetryPolicy,
    SaslMechanism, TopicPartition, upper_snake,
};
use crate::{
    Fetched, Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition, Result, StoredRecord,
};

/// The [`Log`] on a Kafka cluster.
///
/// Produce, fetch, list offsets and metadata go through rskafka (one cached
/// `PartitionClient` per partition); topic creation (with configs), committed offsets and
/// topic configs go through this crate's [protocol client](super::protocol), whose
/// [`Cluster`] is shared with callers through [`KafkaLog::cluster`] (for group membership).
///
/// Transient failures (connection lost, broker restarting, leader or coordinator moving,
/// request timed out) are retried for up to [`KafkaConfig::api_timeout`], then returned as
/// [`LogError::Retriable`]; later calls reconnect. Appends are not idempotent: a retried
/// produce may store a batch twice (at-least-once), as Kafka Connect's non-idempotent
/// producer may.
///
/// # Limitation: headers
///
/// rskafka's record model keeps headers in a `BTreeMap<String, Vec<u8>>`, so on this log:
/// * appended headers are written sorted by key, a repeated key keeps only its **last**
///   value, and a null header value is written as an **empty** value;
/// * fetched headers come back sorted by key, with the last value of a repeated key, and a
///   record carrying a null header value (written by another client) cannot be decoded by
///   rskafka 0.6: the fetch fails.
///
/// Keys and values are exact: `None` is a null key or value, and `Some` empty bytes stay
/// empty.
pub struct KafkaLog {
    config: KafkaConfig,
    client: Client,
    cluster: Arc<Cluster>,
    partitions: Mutex<HashMap<Partition, Arc<OnceCell<Arc<PartitionClient>>>>>,
    groups: Mutex<HashMap<String, Arc<GroupCoordinator>>>,
    compression: Compression,
}

impl std::fmt::Debug for KafkaLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaLog")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The shortest fetch wait: nisshi 0.6.0 answers a fetch with no wait at all with an empty
/// response (no topic), which rskafka rejects.
const MIN_FETCH_WAIT: Duration = Duration::from_millis(10);

/// The size asked for when a broker returned nothing for a small `max_bytes` although records
/// are there.
const LARGE_FETCH: i32 = 64 * 1024 * 1024;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `fut` for at most `limit`; a timeout is retriable.
async fn within<T>(
    limit: Duration,
    what: impl FnOnce() -> String,
    fut: impl Future<Output = std::result::Result<T, RsError>>,
) -> std::result::Result<std::result::Result<T, RsError>, LogError> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| LogError::Retriable(format!("{}: no answer within {limit:?}", what())))
}

/// Maps an rskafka error. `partition` names the partition for `UnknownPartition`.
fn map_error(err: RsError, what: &str, partition: Option<&Partition>) -> LogError {
    match err {
        RsError::ServerError {
            protocol_error,
            error_message,
            ..
        } => {
            let name = upper_snake(&protocol_error.to_string());
            let text = match &error_message {
                Some(m) => format!("{what}: {name}: {m}"),
                None => format!("{what}: {name}"),
            };
            match protocol_error {
                ProtocolError::UnknownTopicOrPartition => LogError::UnknownPartition(
                    partition.map_or_else(|| text.clone(), ToString::to_string),
                ),
                ProtocolError::LeaderNotAvailable
                | ProtocolError::NotLeaderOrFollower
                | ProtocolError::RequestTimedOut
                | ProtocolError::NetworkException
                | ProtocolError::ReplicaNotAvailable
                | ProtocolError::NotEnoughReplicas
                | ProtocolError::NotEnoughReplicasAfterAppend
                | ProtocolError::CoordinatorLoadInProgress
                | ProtocolError::CoordinatorNotAvailable
                | ProtocolError::NotCoordinator
                | ProtocolError::NotController
                | ProtocolError::KafkaStorageError
                | ProtocolError::OffsetNotAvailable
                | ProtocolError::FencedLeaderEpoch
                | ProtocolError::UnknownLeaderEpoch
                | ProtocolError::ThrottlingQuotaExceeded => LogError::Retriable(text),
                ProtocolError::MessageTooLarge
                | ProtocolError::RecordListTooLarge
                | ProtocolError::InvalidTopicException
                | ProtocolError::InvalidPartitions
                | ProtocolError::InvalidReplicationFactor
                | ProtocolError::InvalidConfig
                | ProtocolError::InvalidRequest
                | ProtocolError::InvalidRecord
                | ProtocolError::InvalidTimestamp
                | ProtocolError::CorruptMessage
                | ProtocolError::PolicyViolation => LogError::Invalid(text),
                _ => LogError::Other(text),
            }
        }
        RsError::Connection(_)
        | RsError::Request(RequestError::IO(_) | RequestError::Poisoned(_))
        | RsError::RetryFailed(_)
        | RsError::Timeout => LogError::Retriable(format!("{what}: {err}")),
        other => LogError::Other(format!("{what}: {other}")),
    }
}

fn to_record(record: LogRecord) -> Result<Record> {
    let timestamp = Utc
        .timestamp_millis_opt(record.timestamp)
        .single()
        .ok_or_else(|| {
            LogError::Invalid(format!("invalid record timestamp {}", record.timestamp))
        })?;
    Ok(Record {
        key: record.key.map(|k| k.to_vec()),
        value: record.value.map(|v| v.to_vec()),
        // Last value of a repeated key wins; null becomes empty (see the type's docs).
        headers: record
            .headers
            .into_iter()
            .map(|(k, v)| (k, v.map(|v| v.to_vec()).unwrap_or_default()))
            .collect(),
        timestamp,
    })
}

fn from_record(offset: i64, record: Record) -> StoredRecord {
    StoredRecord {
        offset,
        record: LogRecord {
            key: record.key.map(Bytes::from),
            value: record.value.map(Bytes::from),
            headers: record
                .headers
                .into_iter()
                .map(|(k, v)| (k, Some(Bytes::from(v))))
                .collect(),
            timestamp: record.timestamp.timestamp_millis(),
        },
    }
}

impl KafkaLog {
    /// Connects to the cluster (fetching its metadata once); fails if no bootstrap broker
    /// answers within [`KafkaConfig::api_timeout`].
    ///
    /// ```no_run
    /// use std::collections::BTreeMap;
    /// use connect_log::kafka::{KafkaConfig, KafkaLog};
    /// use connect_log::{Log, LogRecord, NewTopic, Partition};
    ///
    /// # async fn run() -> connect_log::Result<()> {
    /// let props = BTreeMap::from([("bootstrap.servers".to_owned(), "localhost:9092".to_owned())]);
    /// let log = KafkaLog::connect(KafkaConfig::from_properties(&props)?).await?;
    /// log.create_topic(&NewTopic::new("connect-offsets", 25).compacted()).await?;
    /// let record = LogRecord { value: Some("hello".into()), ..LogRecord::default() };
    /// let offsets = log.append(&Partition::new("connect-offsets", 0), vec![record]).await?;
    /// # let _ = offsets; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`LogError::Invalid`] for unusable TLS files, [`LogError::Retriable`] when the cluster
    /// cannot be reached, [`LogError::Other`] when authentication fails.
    pub async fn connect(config: KafkaConfig) -> Result<KafkaLog> {
        let tls = config.rustls_config().await?;
        let backoff = BackoffConfig {
            init_backoff: config.retry_backoff,
            max_backoff: config.retry_backoff_max,
            base: 2.0,
            deadline: Some(config.api_timeout),
        };
        let mut builder = ClientBuilder::new(config.bootstrap_servers.clone())
            .client_id(config.client_id.clone())
            .backoff_config(backoff);
        if let Some(tls) = &tls {
            builder = builder.tls_config(Arc::clone(tls));
        }
        if let Some(sasl) = &config.sasl {
            let credentials = Credentials::new(sasl.username.clone(), sasl.password.clone());
            builder = builder.sasl_config(match sasl.mechanism {
                SaslMechanism::Plain => RsSaslConfig::Plain(credentials),
                SaslMechanism::ScramSha256 => RsSaslConfig::ScramSha256(credentials),
                SaslMechanism::ScramSha512 => RsSaslConfig::ScramSha512(credentials),
            });
        }
        let what = || format!("connecting to {}", config.describe());
        let client = within(
            config.api_timeout + config.request_timeout,
            what,
            builder.build(),
        )
        .await?
        .map_err(|e| match e {
            RsError::Connection(rskafka::ConnectionError::SaslFailed(sasl)) => {
                LogError::Other(format!("{}: SASL authentication failed: {sasl}", what()))
            }
            other => map_error(other, &what(), None),
        })?;
        let connection = ConnectionConfig {
            client_id: config.client_id.clone(),
            tls,
            sasl: config.sasl.clone(),
            request_timeout: config.request_timeout,
        };
        let retry = RetryPolicy {
            deadline: config.api_timeout,
            initial_backoff: config.retry_backoff,
            max_backoff: config.retry_backoff_max,
        };
        let cluster = Arc::new(Cluster::new(
            config.bootstrap_servers.clone(),
            connection,
            retry,
        ));
        let compression = match config.compression {
            CompressionType::None => Compression::NoCompression,
            CompressionType::Gzip => Compression::Gzip,
            CompressionType::Snappy => Compression::Snappy,
            CompressionType::Lz4 => Compression::Lz4,
            CompressionType::Zstd => Compression::Zstd,
        };
        Ok(KafkaLog {
            config,
            client,
            cluster,
            partitions: Mutex::new(HashMap::new()),
            groups: Mutex::new(HashMap::new()),
            compression,
        })
    }

    /// The configuration this log was connected with.
    pub fn config(&self) -> &KafkaConfig {
        &self.config
    }

    /// The protocol client's view of the cluster (same bootstrap servers, security and
    /// retry policy), for group membership: `log.cluster().group("connect-cluster")`.
    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.cluster
    }

    /// A topic's configs as the broker reports them (DescribeConfigs; defaults included).
    ///
    /// # Errors
    ///
    /// [`LogError::UnknownPartition`] when the topic does not exist; see [`LogError`].
    pub async fn topic_configs(&self, topic: &str) -> Result<BTreeMap<String, String>> {
        Ok(self.cluster.describe_topic_configs(topic).await?)
    }

    /// The longest a call may take: retries up to the API timeout, plus one request.
    fn limit(&self) -> Duration {
        self.config.api_timeout + self.config.request_timeout
    }

    fn group(&self, group: &str) -> Arc<GroupCoordinator> {
        Arc::clone(
            lock(&self.groups)
                .entry(group.to_owned())
                .or_insert_with(|| Arc::new(self.cluster.group(group))),
        )
    }

    fn forget(&self, partition: &Partition) {
        lock(&self.partitions).remove(partition);
    }

    /// The cached `PartitionClient`, created on first use (once, even when called
    /// concurrently).
    async fn partition_client(&self, partition: &Partition) -> Result<Arc<PartitionClient>> {
        if partition.partition < 0 {
            return Err(LogError::UnknownPartition(partition.to_string()));
        }
        let cell = Arc::clone(lock(&self.partitions).entry(partition.clone()).or_default());
        let created = cell
            .get_or_try_init(|| async {
                // rskafka's leader lookup asks the broker to auto-create a missing topic
                // (Metadata allow_auto_topic_creation); check first that the partition exists,
                // with a Metadata request for all topics, which creates nothing.
                let exists = self
                    .partition_count(&partition.topic)
                    .await?
                    .is_some_and(|n| partition.partition < n);
                if !exists {
                    return Err(LogError::UnknownPartition(partition.to_string()));
                }
                let what = || {
                    format!(
                        "connecting to the leader of {partition} on {}",
                        self.describe()
                    )
                };
                let client = within(
                    self.limit(),
                    what,
                    self.client.partition_client(
                        partition.topic.to_string(),
                        partition.partition,
                        UnknownTopicHandling::Error,
                    ),
                )
                .await?
                .map_err(|e| map_error(e, &what(), Some(partition)))?;
                Ok(Arc::new(client))
            })
            .await
            .cloned();
        if created.is_err() {
            self.forget(partition);
        }
        created
    }

    /// Runs one rskafka call on the partition's client; any failure drops the cached client
    /// so that the next call starts afresh.
    async fn on_partition<T, F, Fut>(&self, partition: &Partition, what: &str, op: F) -> Result<T>
    where
        F: FnOnce(Arc<PartitionClient>) -> Fut,
        Fut: Future<Output = std::result::Result<T, RsError>>,
    {
        let client = self.partition_client(partition).await?;
        let describe = || format!("{what} {partition} on {}", self.describe());
        let result = within(self.limit(), describe, op(client)).await;
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                self.forget(partition);
                Err(map_error(e, &describe(), Some(partition)))
            }
            Err(e) => {
                self.forget(partition);
                Err(e)
            }
        }
    }

    async fn list_offset(&self, partition: &Partition, at: OffsetAt) -> Result<i64> {
        self.on_partition(partition, "listing offsets of", move |c| async move {
            c.get_offset(at).await
        })
        .await
    }
}

#[async_trait]
impl Log for KafkaLog {
    fn describe(&self) -> String {
        self.config.describe()
    }

    async fn create_topic(&self, topic: &NewTopic) -> Result<bool> {
        Ok(self
            .cluster
            .create_topic(topic, self.config.request_timeout)
            .await?)
    }

    async fn partition_count(&self, topic: &str) -> Result<Option<i32>> {
        Ok(self.list_topics().await?.get(topic).copied())
    }

    async fn list_topics(&self) -> Result<BTreeMap<String, i32>> {
        let what = || format!("listing the topics of {}", self.describe());
        let topics = within(self.limit(), what, self.client.list_topics())
            .await?
            .map_err(|e| map_error(e, &what(), None))?;
        Ok(topics
            .into_iter()
            .map(|t| {
                (
                    t.name,
                    i32::try_from(t.partitions.len()).unwrap_or(i32::MAX),
                )
            })
            .collect())
    }

    async fn append(&self, partition: &Partition, records: Vec<LogRecord>) -> Result<Vec<i64>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let records = records
            .into_iter()
            .map(to_record)
            .collect::<Result<Vec<_>>>()?;
        let compression = self.compression;
        self.on_partition(partition, "appending to", move |c| async move {
            c.produce(records, compression).await
        })
        .await
    }

    async fn fetch(
        &self,
        partition: &Partition,
        offset: i64,
        max_bytes: usize,
        max_wait: Duration,
    ) -> Result<Fetched> {
        let max_bytes = i32::try_from(max_bytes).unwrap_or(i32::MAX - 1).max(1);
        let client = self.partition_client(partition).await?;
        let wait = max_wait.max(MIN_FETCH_WAIT);
        let (mut records, high_watermark) = self
            .fetch_once(partition, &client, offset, max_bytes, wait)
            .await?;
        if high_watermark >= 0 && (offset < 0 || (records.is_empty() && offset > high_watermark)) {
            // Kafka answers OFFSET_OUT_OF_RANGE here; some brokers (nisshi) answer with records
            // from the start for a negative offset, or with nothing past the end.
            return Err(self.out_of_range(partition, offset, high_watermark).await);
        }
        if records.is_empty() && offset < high_watermark && max_bytes < LARGE_FETCH {
            // Kafka returns the first batch even when it is larger than max_bytes (KIP-74);
            // brokers that do not (nisshi) are asked again for more, and the answer trimmed.
            let (more, _) = self
                .fetch_once(partition, &client, offset, LARGE_FETCH, MIN_FETCH_WAIT)
                .await?;
            let mut size = 0usize;
            records = more
                .into_iter()
                .filter(|r| r.offset >= offset)
                .take_while(|r| {
                    let first = size == 0;
                    size = size.saturating_add(r.record.approximate_size().max(1));
                    first || size <= usize::try_from(max_bytes).unwrap_or(usize::MAX)
                })
                .collect();
        }
        Ok(Fetched {
            records: records
                .into_iter()
                .filter(|r| r.offset >= offset)
                .map(|r| from_record(r.offset, r.record))
                .collect(),
            high_watermark,
        })
    }

    async fn offset(&self, partition: &Partition, at: OffsetSpec) -> Result<i64> {
        let at = match at {
            OffsetSpec::Earliest => OffsetAt::Earliest,
            OffsetSpec::Latest => OffsetAt::Latest,
        };
        self.list_offset(partition, at).await
    }

    async fn commit_offsets(&self, group: &str, offsets: &[(Partition, i64)]) -> Result<()> {
        let offsets: Vec<_> = offsets
            .iter()
            .map(|(p, offset)| ((p.topic.to_string(), p.partition), *offset))
            .collect();
        Ok(self
            .group(group)
            .commit_offsets(&CommitAs::simple(), &offsets)
            .await?)
    }

    async fn committed_offsets(
        &self,
        group: &str,
        partitions: &[Partition],
    ) -> Result<HashMap<Partition, i64>> {
        let wanted: Vec<_> = partitions
            .iter()
            .map(|p| (p.topic.to_string(), p.partition))
            .collect();
        let found = self.group(group).fetch_offsets(&wanted).await?;
        Ok(partitions
            .iter()
            .filter_map(|p| {
                found
                    .get(&(p.topic.to_string(), p.partition))
                    .map(|&offset| (p.clone(), offset))
            })
            .collect())
    }

    async fn delete_committed_offsets(&self, group: &str, partitions: &[Partition]) -> Result<()> {
        let wanted: Vec<_> = partitions
            .iter()
            .map(|p| (p.topic.to_string(), p.partition))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let coordinator = self.group(group);
        if !coordinator.supports_offset_delete().await? {
            return self
                .delete_offsets_by_commit(group, &coordinator, &wanted)
                .await;
        }
        delete_result(
            group,
            &self.describe(),
            coordinator.delete_offsets(&wanted).await,
        )
    }
}

/// What OffsetDelete's outcome means for [`Log::delete_committed_offsets`].
fn delete_result(group: &str, describe: &str, result: Result<(), ClientError>) -> Result<()> {
    match result {
        Ok(()) => Ok(()),
        // The group does not exist (it never committed, or its offsets expired): nothing to
        // delete.
        Err(e) if e.code() == Some(ErrorCode::GROUP_ID_NOT_FOUND) => Ok(()),
        Err(e) if e.code().is_some_and(is_active_group_error) => {
            Err(active_group(group, describe, &e))
        }
        Err(e) => Err(e.into()),
    }
}

/// Errors meaning that the group has active members, whose offsets cannot be deleted (by
/// OffsetDelete, or by a commit outside any generation).
fn is_active_group_error(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::NON_EMPTY_GROUP
            | ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC
            | ErrorCode::UNKNOWN_MEMBER_ID
            | ErrorCode::ILLEGAL_GENERATION
            | ErrorCode::REBALANCE_IN_PROGRESS
    )
}

fn active_group(group: &str, describe: &str, e: &ClientError) -> LogError {
    LogError::Invalid(format!(
        "cannot delete the committed offsets of consumer group {group:?} on {describe}: the \
         group has active members; stop them first ({e})"
    ))
}

impl KafkaLog {
    /// Deletes committed offsets on a coordinator without OffsetDelete (Kafka before 2.4,
    /// nisshi 0.6.0), by committing offset -1 (outside any generation) for the partitions
    /// that have one, then checking that they are gone.
    ///
    /// Observed on nisshi 0.6.0: its ApiVersions response does not list OffsetDelete (API key
    /// 47), and an OffsetDelete sent anyway makes it log `UnknownServiceFrame` and close the
    /// connection. It accepts a commit of offset -1, after which the partition has no
    /// committed offset both for this client (whose OffsetFetch ignores negative offsets) and
    /// for kafka-python (tested in `tests/kafka.rs`). Kafka's Java consumer likewise treats a
    /// negative committed offset as none (this path is not tested on Kafka before 2.4). A
    /// commit outside the generation is rejected while the group has members
    /// (`UNKNOWN_MEMBER_ID` on nisshi), as OffsetDelete is. The check afterwards makes a
    /// broker on which this does not work an error, not a silent success.
    async fn delete_offsets_by_commit(
        &self,
        group: &str,
        coordinator: &GroupCoordinator,
        wanted: &[TopicPartition],
    ) -> Result<()> {
        let mut present: Vec<TopicPartition> = coordinator
            .fetch_offsets(wanted)
            .await?
            .into_keys()
            .collect();
        if present.is_empty() {
            return Ok(());
        }
        present.sort();
        let reset: Vec<_> = present.into_iter().map(|tp| (tp, -1)).collect();
        if let Err(e) = coordinator
            .commit_offsets(&CommitAs::simple(), &reset)
            .await
        {
            return Err(if e.code().is_some_and(is_active_group_error) {
                active_group(group, &self.describe(), &e)
            } else {
                e.into()
            });
        }
        let left = coordinator.fetch_offsets(wanted).await?;
        if left.is_empty() {
            return Ok(());
        }
        let mut left: Vec<String> = left
            .into_iter()
            .map(|((topic, partition), offset)| format!("{topic}-{partition} at {offset}"))
            .collect();
        left.sort();
        Err(LogError::Other(format!(
            "cannot delete the committed offsets of consumer group {group:?} on {}: the \
             broker does not support OffsetDelete, and after committing offset -1 instead it \
             still reports {}",
            self.describe(),
            left.join(", ")
        )))
    }

    /// One Fetch; OFFSET_OUT_OF_RANGE becomes [`LogError::OffsetOutOfRange`].
    async fn fetch_once(
        &self,
        partition: &Partition,
        client: &PartitionClient,
        offset: i64,
        max_bytes: i32,
        wait: Duration,
    ) -> Result<(Vec<RecordAndOffset>, i64)> {
        let wait_ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
        let describe = || format!("fetching {partition} on {}", self.describe());
        let result = within(
            self.limit() + wait,
            describe,
            client.fetch_records(offset, 1..max_bytes.saturating_add(1), wait_ms),
        )
        .await;
        match result {
            Ok(Ok(fetched)) => Ok(fetched),
            Ok(Err(RsError::ServerError {
                protocol_error: ProtocolError::OffsetOutOfRange,
                response,
                ..
            })) => {
                let latest =
                    match response {
                        Some(ServerErrorResponse::PartitionFetchState {
                            high_watermark, ..
                        }) if high_watermark >= 0 => high_watermark,
                        _ => self.list_offset(partition, OffsetAt::Latest).await?,
                    };
                Err(self.out_of_range(partition, offset, latest).await)
            }
            Ok(Err(e)) => {
                self.forget(partition);
                Err(map_error(e, &describe(), Some(partition)))
            }
            Err(e) => {
                self.forget(partition);
                Err(e)
            }
        }
    }

    /// The OffsetOutOfRange error, with the partition's earliest offset asked for.
    async fn out_of_range(&self, partition: &Partition, offset: i64, latest: i64) -> LogError {
        match self.list_offset(partition, OffsetAt::Earliest).await {
            Ok(earliest) => LogError::OffsetOutOfRange {
                partition: partition.clone(),
                offset,
                earliest,
                latest,
            },
            Err(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_delete_errors_map_to_log_errors() {
        let broker = |code| {
            Err(ClientError::Broker {
                api: "OffsetDelete",
                code,
                message: Some("group g".into()),
            })
        };
        assert!(delete_result("g", "kafka (b:1)", Ok(())).is_ok());
        assert!(delete_result("g", "kafka (b:1)", broker(ErrorCode::GROUP_ID_NOT_FOUND)).is_ok());
        for code in [
            ErrorCode::NON_EMPTY_GROUP,
            ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC,
        ] {
            let e = delete_result("connect-sink", "kafka (b:1)", broker(code)).unwrap_err();
            assert!(
                matches!(&e, LogError::Invalid(m)
                    if m.contains("\"connect-sink\"") && m.contains("active members")
                        && m.contains(&code.name())),
                "{e:?}"
            );
        }
        let e = delete_result("g", "k", broker(ErrorCode::NOT_COORDINATOR)).unwrap_err();
        assert!(e.is_retriable(), "{e:?}");
        let e = delete_result("g", "k", broker(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)).unwrap_err();
        assert!(matches!(e, LogError::UnknownPartition(_)), "{e:?}");
    }

    #[test]
    fn records_convert_with_the_documented_header_limits() {
        let record = LogRecord {
            key: None,
            value: Some(Bytes::from_static(b"")),
            headers: vec![
                ("b".into(), Some(Bytes::from_static(b"1"))),
                ("a".into(), None),
                ("b".into(), Some(Bytes::from_static(b"2"))),
            ],
            timestamp: 1_700_000_000_123,
        };
        let converted = to_record(record).unwrap();
        assert_eq!(converted.key, None);
        assert_eq!(converted.value, Some(Vec::new()));
        let headers: Vec<_> = converted
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        assert_eq!(headers, [("a", &b""[..]), ("b", &b"2"[..])]);
        assert_eq!(converted.timestamp.timestamp_millis(), 1_700_000_000_123);
        let back = from_record(7, converted);
        assert_eq!(back.offset, 7);
        assert_eq!(back.record.timestamp, 1_700_000_000_123);
        assert_eq!(
            back.record.headers[1],
            ("b".to_owned(), Some(Bytes::from_static(b"2")))
        );
        assert!(
            to_record(LogRecord {
                timestamp: i64::MAX,
                ..LogRecord::default()
            })
            .is_err()
        );
    }

    #[test]
    fn rskafka_errors_map_to_log_errors() {
        let server = |protocol_error, message: Option<&str>| RsError::ServerError {
            protocol_error,
            error_message: message.map(str::to_owned),
            request: rskafka::client::error::RequestContext::Partition("t".into(), 0),
            response: None,
            is_virtual: false,
        };
        let p = Partition::new("t", 0);
        let e = map_error(
            server(ProtocolError::UnknownTopicOrPartition, None),
            "x",
            Some(&p),
        );
        assert!(
            matches!(&e, LogError::UnknownPartition(s) if s == "t-0"),
            "{e:?}"
        );
        let e = map_error(
            server(ProtocolError::NotLeaderOrFollower, None),
            "appending to t-0",
            Some(&p),
        );
        assert!(e.is_retriable());
        assert_eq!(e.to_string(), "appending to t-0: NOT_LEADER_OR_FOLLOWER");
        let e = map_error(
            server(ProtocolError::MessageTooLarge, Some("too big")),
            "appending to t-0",
            Some(&p),
        );
        assert!(
            matches!(&e, LogError::Invalid(m) if m == "appending to t-0: MESSAGE_TOO_LARGE: too big"),
            "{e:?}"
        );
        let e = map_error(
            server(ProtocolError::TopicAuthorizationFailed, None),
            "f",
            Some(&p),
        );
        assert!(
            matches!(&e, LogError::Other(m) if m == "f: TOPIC_AUTHORIZATION_FAILED"),
            "{e:?}"
        );
        let e = map_error(RsError::Timeout, "f", None);
        assert!(e.is_retriable());
    }
}
