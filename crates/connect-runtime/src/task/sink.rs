//! Driving a sink task: consume, convert, transform, put; flush and commit the consumer group
//! `connect-<connector>` (Kafka's `WorkerSinkTask`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_api::config::ConfigMap;
use connect_api::error::ConnectError;
use connect_api::header::Headers;
use connect_api::record::{
    ConnectRecord, OffsetAndMetadata, SinkRecord, TimestampType, TopicPartition,
};
use connect_api::task::{ErrantRecordReporter, SinkTask, SinkTaskContext};
use connect_log::{LogRecord, Partition, StoredRecord};
use futures::future::BoxFuture;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::consumer::{Consumer, ResetPolicy};
use super::{Control, TaskEnv};
use crate::config::SinkTopics;
use crate::convert::Converters;
use crate::errors::{Origin, RetryWithTolerance, Stage};
use crate::transforms::TransformationChain;
use crate::worker::TargetState;

/// Kafka's consumer default `max.poll.records`.
const DEFAULT_MAX_POLL_RECORDS: usize = 500;
/// Kafka's consumer default `max.partition.fetch.bytes`.
const DEFAULT_FETCH_BYTES: usize = 1 << 20;
/// How often the partitions of `topics.regex` are looked up again (the consumer's
/// `metadata.max.age.ms`), and how soon when a listed topic is still missing.
const DEFAULT_METADATA_MAX_AGE: Duration = Duration::from_secs(300);
const MISSING_TOPIC_RECHECK: Duration = Duration::from_secs(1);
/// How long a batch whose `put` failed with a retriable error waits before it is handed over
/// again, when the task set no `SinkTaskContext::timeout`, rather than at once, which would put
/// in a tight loop against a system that is down (Kafka waits until its next offset commit).
const DEFAULT_RETRY_WAIT: Duration = Duration::from_millis(500);

type Batch = Arc<Vec<(Partition, Vec<StoredRecord>)>>;

/// What the task asked for through its context, applied by the driver between calls.
#[derive(Default)]
struct Requests {
    offsets: HashMap<TopicPartition, i64>,
    timeout: Option<Duration>,
    paused: HashSet<TopicPartition>,
    commit: bool,
    assignment: Vec<TopicPartition>,
    reports: Vec<JoinHandle<Result<(), ConnectError>>>,
    batch: Option<Batch>,
}

struct Context {
    configs: ConfigMap,
    requests: Arc<Mutex<Requests>>,
    reporter: Arc<dyn ErrantRecordReporter>,
}

fn lock(requests: &Mutex<Requests>) -> std::sync::MutexGuard<'_, Requests> {
    requests
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SinkTaskContext for Context {
    fn configs(&self) -> ConfigMap {
        self.configs.clone()
    }

    fn offsets(&self, offsets: HashMap<TopicPartition, i64>) {
        lock(&self.requests).offsets.extend(offsets);
    }

    fn timeout(&self, timeout: Duration) {
        lock(&self.requests).timeout = Some(timeout);
    }

    fn assignment(&self) -> Vec<TopicPartition> {
        lock(&self.requests).assignment.clone()
    }

    fn pause(&self, partitions: &[TopicPartition]) -> connect_api::error::Result<()> {
        let mut requests = lock(&self.requests);
        check_assigned(&requests.assignment, partitions, "pause")?;
        requests.paused.extend(partitions.iter().cloned());
        Ok(())
    }

    fn resume(&self, partitions: &[TopicPartition]) -> connect_api::error::Result<()> {
        let mut requests = lock(&self.requests);
        check_assigned(&requests.assignment, partitions, "resume")?;
        for partition in partitions {
            requests.paused.remove(partition);
        }
        Ok(())
    }

    fn request_commit(&self) {
        lock(&self.requests).commit = true;
    }

    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        Some(self.reporter.clone())
    }
}

fn check_assigned(
    assignment: &[TopicPartition],
    partitions: &[TopicPartition],
    verb: &str,
) -> connect_api::error::Result<()> {
    match partitions.iter().find(|p| !assignment.contains(p)) {
        Some(partition) => Err(ConnectError::IllegalWorkerState(format!(
            "SinkTasks may not {verb} partitions that are not currently assigned to them ({partition})."
        ))),
        None => Ok(()),
    }
}

/// Reports records the task hands back to the dead letter queue and the error log.
struct ErrantReporter {
    errors: Arc<RetryWithTolerance>,
    requests: Arc<Mutex<Requests>>,
    class: String,
}

impl ErrantRecordReporter for ErrantReporter {
    fn report(
        &self,
        record: SinkRecord,
        error: ConnectError,
    ) -> BoxFuture<'static, connect_api::error::Result<()>> {
        let errors = self.errors.clone();
        let class = self.class.clone();
        let batch = lock(&self.requests).batch.clone();
        let tolerated = errors.tolerates();
        let handling = async move {
            let partition =
                Partition::new(record.original_topic(), record.original_kafka_partition());
            let offset = record.original_kafka_offset();
            let raw = batch
                .as_deref()
                .map(|b| raw_record(b, &partition, offset))
                .unwrap_or_default();
            let origin = Origin::Consumed {
                partition: &partition,
                offset,
                raw: &raw,
            };
            let mut attempt = errors.begin_errant(Stage::TaskPut, class);
            errors.failed(&mut attempt, error, origin).await.map(|_| ())
        };
        if !tolerated {
            // As Kafka's reporter throws with errors.tolerance=none: the error reaches the task,
            // whose `put` fails, and the record is not skipped.
            return Box::pin(handling);
        }
        let handle = tokio::spawn(handling);
        let abort = handle.abort_handle();
        lock(&self.requests).reports.push(handle);
        Box::pin(async move {
            let _keep = abort;
            Ok(())
        })
    }
}

struct Driver {
    env: TaskEnv,
    task: Box<dyn SinkTask>,
    converters: Converters,
    chain: TransformationChain<SinkRecord>,
    errors: Arc<RetryWithTolerance>,
    consumer: Consumer,
    requests: Arc<Mutex<Requests>>,
    topics: SinkTopics,
    group: String,
    task_count: usize,
    max_poll_records: usize,
    metadata_max_age: Duration,
    /// Offsets delivered to the task: the next offset per partition.
    current: HashMap<TopicPartition, OffsetAndMetadata>,
    last_committed: HashMap<TopicPartition, OffsetAndMetadata>,
    /// A batch `put` refused with a retriable error, to hand over again.
    retry: Option<(Batch, Vec<SinkRecord>)>,
    retry_at: Option<Instant>,
    paused_for_retry: bool,
}

/// Runs a sink task until it is told to stop or fails; its partitions are closed and committed
/// at the end either way.
pub(crate) async fn run_sink_task(
    env: TaskEnv,
    task_count: usize,
    mut task: Box<dyn SinkTask>,
) -> Result<(), ConnectError> {
    let converters = Converters::build(&env.plugins, &env.worker, &env.connector_config)?;
    let chain = TransformationChain::build(&env.plugins, &env.connector_config)?;
    let topics = env
        .connector_config
        .sink_topics()
        .map_err(ConnectError::Config)?;
    let errors = Arc::new(env.error_handler());
    let requests = Arc::new(Mutex::new(Requests::default()));
    let class = env.connector_config.class().to_owned();
    let reporter = Arc::new(ErrantReporter {
        errors: errors.clone(),
        requests: requests.clone(),
        class,
    });
    task.initialize(Arc::new(Context {
        configs: env.task_config.clone(),
        requests: requests.clone(),
        reporter,
    }));
    task.start(&env.task_config)
        .await
        .map_err(|e| e.context(format!("starting task {}", env.id)))?;
    let setting = |key: &str| env.client_setting("consumer", key);
    let reset = match setting("auto.offset.reset").as_deref().map(str::trim) {
        Some("latest") => ResetPolicy::Latest,
        _ => ResetPolicy::Earliest,
    };
    let max_poll_records = setting("max.poll.records")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_POLL_RECORDS)
        .max(1);
    let fetch_bytes = setting("max.partition.fetch.bytes")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_FETCH_BYTES);
    let metadata_max_age = setting("metadata.max.age.ms")
        .and_then(|v| v.trim().parse().ok())
        .map_or(DEFAULT_METADATA_MAX_AGE, Duration::from_millis);
    let consumer = Consumer::new(env.log.clone(), fetch_bytes, reset);
    let group = format!("connect-{}", env.id.connector);
    let mut driver = Driver {
        env,
        task,
        converters,
        chain,
        errors,
        consumer,
        requests,
        topics,
        group,
        task_count: task_count.max(1),
        max_poll_records,
        metadata_max_age,
        current: HashMap::new(),
        last_committed: HashMap::new(),
        retry: None,
        retry_at: None,
        paused_for_retry: false,
    };
    let outcome = driver.execute().await;
    let assigned = driver.consumer.assignment();
    if outcome.is_ok() {
        driver.close_partitions(&assigned).await;
    } else if let Err(error) = driver.task.close(&to_topic_partitions(&assigned)).await {
        tracing::warn!(task = %driver.env.id, %error, "closing partitions failed");
    }
    if let Err(error) = driver.task.stop().await {
        tracing::warn!(task = %driver.env.id, %error, "the task failed to stop cleanly");
    }
    driver.consumer.close().await;
    outcome
}

fn to_topic_partition(partition: &Partition) -> TopicPartition {
    TopicPartition::new(partition.topic.clone(), partition.partition)
}

fn to_topic_partitions(partitions: &[Partition]) -> Vec<TopicPartition> {
    partitions.iter().map(to_topic_partition).collect()
}

fn to_partition(partition: &TopicPartition) -> Partition {
    Partition::new(partition.topic.clone(), partition.partition)
}

impl Driver {
    async fn execute(&mut self) -> Result<(), ConnectError> {
        let interval = self.env.worker.offset_flush_interval();
        let mut next_commit = Instant::now() + interval;
        let mut next_refresh = Instant::now();
        let mut control = self.env.control.clone();
        loop {
            let Control { target, stop } = *control.borrow_and_update();
            if stop {
                return Ok(());
            }
            if Instant::now() >= next_refresh {
                let complete = self.refresh_assignment().await?;
                next_refresh = Instant::now()
                    + if complete {
                        self.metadata_max_age
                    } else {
                        MISSING_TOPIC_RECHECK
                    };
            }
            let commit_requested = std::mem::take(&mut lock(&self.requests).commit);
            if commit_requested || Instant::now() >= next_commit {
                self.commit(None).await;
                next_commit = Instant::now() + interval;
            }
            self.apply_requests(target);
            if target != TargetState::Started {
                tokio::select! {
                    _ = control.changed() => {}
                    () = tokio::time::sleep_until(next_commit.min(next_refresh)) => {}
                }
                continue;
            }
            if let Some(at) = self.retry_at
                && Instant::now() < at
            {
                tokio::select! {
                    _ = control.changed() => {}
                    () = tokio::time::sleep_until(at) => {}
                }
                continue;
            }
            if let Some((batch, records)) = self.retry.take() {
                self.deliver(batch, records).await?;
                continue;
            }
            let wait = next_commit
                .min(next_refresh)
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(500));
            let fetched = tokio::select! {
                biased;
                _ = control.changed() => continue,
                fetched = self.consumer.poll(self.max_poll_records, wait) => fetched,
            };
            let batch: Batch = Arc::new(fetched);
            self.env
                .metrics
                .read(batch.iter().map(|(_, r)| r.len()).sum());
            let records = self.convert_batch(&batch).await?;
            self.deliver(batch, records).await?;
        }
    }

    /// Hands a batch to `put`; on a retriable error keeps it and pauses consumption.
    async fn deliver(
        &mut self,
        batch: Batch,
        records: Vec<SinkRecord>,
    ) -> Result<(), ConnectError> {
        lock(&self.requests).batch = Some(batch.clone());
        let result = self.task.put(&records).await;
        match result {
            Ok(()) => {
                self.env.metrics.written(records.len());
                self.delivered(&batch);
            }
            Err(error) if error.is_retriable() => {
                let timeout = lock(&self.requests)
                    .timeout
                    .take()
                    .unwrap_or(DEFAULT_RETRY_WAIT);
                tracing::warn!(task = %self.env.id, %error, ?timeout, "put failed with a retriable error; the batch will be handed over again");
                self.paused_for_retry = true;
                self.retry_at = Some(Instant::now() + timeout);
                self.retry = Some((batch, records));
                return Ok(());
            }
            Err(error) if self.errors.tolerates() && !lock(&self.requests).offsets.is_empty() => {
                // The task sent the consumer back: these records come again, and putting them
                // one by one now would hand it records from before its rewind.
                tracing::warn!(task = %self.env.id, %error, "put failed and the task asked to rewind; its records will be read again");
                self.delivered(&batch);
            }
            Err(error) if self.errors.tolerates() && records.len() > 1 => {
                // Find the poison pill: put one record at a time, reporting the ones that fail.
                tracing::warn!(task = %self.env.id, %error, "put failed; retrying its records one by one to isolate the failing ones");
                for record in &records {
                    match self.task.put(std::slice::from_ref(record)).await {
                        Ok(()) => self.env.metrics.written(1),
                        Err(error) => self.report_put_failure(&batch, record, error).await?,
                    }
                }
                self.delivered(&batch);
            }
            Err(error) if self.errors.tolerates() => {
                if let Some(record) = records.first() {
                    self.report_put_failure(&batch, record, error).await?;
                }
                self.delivered(&batch);
            }
            Err(error) => {
                return Err(ConnectError::other_from(
                    format!(
                        "Exiting WorkerSinkTask due to unrecoverable exception: task {} failed in stage TASK_PUT: {error}",
                        self.env.id
                    ),
                    error,
                ));
            }
        }
        self.retry_at = None;
        self.paused_for_retry = false;
        Ok(())
    }

    fn report_put_failure(
        &self,
        batch: &Batch,
        record: &SinkRecord,
        error: ConnectError,
    ) -> impl Future<Output = Result<(), ConnectError>> + Send + 'static {
        let errors = self.errors.clone();
        let class = self.env.connector_config.class().to_owned();
        report_put_failure(
            errors,
            class,
            batch.clone(),
            record.original_topic_partition(),
            record.original_kafka_offset(),
            error,
        )
    }
}

/// The record as consumed at `partition`/`offset` in `batch` (empty if it is not there), for the
/// dead letter queue.
fn raw_record(
    batch: &[(Partition, Vec<StoredRecord>)],
    partition: &Partition,
    offset: i64,
) -> LogRecord {
    batch
        .iter()
        .filter(|(p, _)| p == partition)
        .flat_map(|(_, records)| records.iter())
        .find(|stored| stored.offset == offset)
        .map(|stored| stored.record.clone())
        .unwrap_or_default()
}

/// Reports a record `put` refused; a free function so that no borrow of the driver is held
/// across the write.
async fn report_put_failure(
    errors: Arc<RetryWithTolerance>,
    class: String,
    batch: Batch,
    partition: TopicPartition,
    offset: i64,
    error: ConnectError,
) -> Result<(), ConnectError> {
    {
        let partition = to_partition(&partition);
        let raw = raw_record(&batch, &partition, offset);
        let mut attempt = errors.begin(Stage::TaskPut, class);
        errors
            .failed(
                &mut attempt,
                error,
                Origin::Consumed {
                    partition: &partition,
                    offset,
                    raw: &raw,
                },
            )
            .await
            .map(|_| ())
    }
}

impl Driver {
    /// Moves the delivered positions on after a successful `put`.
    fn delivered(&mut self, batch: &Batch) {
        for (partition, records) in batch.iter() {
            if let Some(last) = records.last() {
                self.current.insert(
                    to_topic_partition(partition),
                    OffsetAndMetadata::new(last.offset + 1),
                );
            }
        }
    }

    async fn convert_batch(&mut self, batch: &Batch) -> Result<Vec<SinkRecord>, ConnectError> {
        let mut out = Vec::with_capacity(batch.iter().map(|(_, r)| r.len()).sum());
        for (partition, records) in batch.iter() {
            for stored in records {
                let origin = Origin::Consumed {
                    partition,
                    offset: stored.offset,
                    raw: &stored.record,
                };
                let Some(record) = self.convert(partition, stored, origin).await? else {
                    continue;
                };
                if let Some(record) = self.transform(record, origin).await? {
                    out.push(record);
                }
            }
        }
        self.env.metrics.processed(out.len());
        Ok(out)
    }

    async fn convert(
        &mut self,
        partition: &Partition,
        stored: &StoredRecord,
        origin: Origin<'_>,
    ) -> Result<Option<SinkRecord>, ConnectError> {
        let (errors, converters) = (&self.errors, &self.converters);
        let topic = &*partition.topic;
        let raw = &stored.record;
        let headers = tolerate!(
            errors,
            Stage::HeaderConverter,
            converters.header.class.clone(),
            origin,
            {
                let mut headers = Headers::new();
                raw.headers
                    .iter()
                    .try_for_each(|(key, value)| {
                        let data = converters.header.converter.to_connect_header(
                            topic,
                            key,
                            value.as_deref(),
                        )?;
                        headers
                            .add(key.clone(), data)
                            .map(|_| ())
                            .map_err(ConnectError::from)
                    })
                    .map(|()| headers)
            }
        );
        let key = tolerate!(
            errors,
            Stage::KeyConverter,
            converters.key.class.clone(),
            origin,
            {
                converters
                    .key
                    .converter
                    .to_connect_data(topic, &headers, raw.key.as_deref())
                    .await
            }
        );
        let value = tolerate!(
            errors,
            Stage::ValueConverter,
            converters.value.class.clone(),
            origin,
            {
                converters
                    .value
                    .converter
                    .to_connect_data(topic, &headers, raw.value.as_deref())
                    .await
            }
        );
        let record = ConnectRecord {
            topic: partition.topic.clone(),
            kafka_partition: Some(partition.partition),
            key_schema: key.schema,
            key: key.value,
            value_schema: value.schema,
            value: value.value,
            timestamp: Some(raw.timestamp),
            headers,
        };
        Ok(Some(SinkRecord::new(
            record,
            partition.partition,
            stored.offset,
            TimestampType::CreateTime,
        )))
    }

    async fn transform(
        &mut self,
        record: SinkRecord,
        origin: Origin<'_>,
    ) -> Result<Option<SinkRecord>, ConnectError> {
        // The consumed bytes are the report; a copy is needed only to retry.
        let retries = self.errors.config().retry_timeout != Some(Duration::ZERO);
        self.chain
            .transform(record, &self.errors, retries, origin)
            .await
    }

    /// Applies the task's offset resets and pauses, and the runtime's pause.
    fn apply_requests(&mut self, target: TargetState) {
        let (offsets, paused) = {
            let mut requests = lock(&self.requests);
            (
                std::mem::take(&mut requests.offsets),
                requests.paused.clone(),
            )
        };
        for (partition, offset) in offsets {
            let log_partition = to_partition(&partition);
            if self.consumer.position(&log_partition).is_some() {
                tracing::debug!(task = %self.env.id, %partition, offset, "rewinding at the task's request");
                self.consumer.seek(&log_partition, offset);
                self.current
                    .insert(partition, OffsetAndMetadata::new(offset));
            }
        }
        let pause_all = target != TargetState::Started || self.paused_for_retry;
        for partition in self.consumer.assignment() {
            let pause = pause_all || paused.contains(&to_topic_partition(&partition));
            if self.consumer.is_paused(&partition) != pause {
                self.consumer.set_paused(&partition, pause);
            }
        }
    }

    /// Looks the consumed topics up and applies this task's share of their partitions; `false`
    /// when a listed topic does not exist yet.
    async fn refresh_assignment(&mut self) -> Result<bool, ConnectError> {
        let topics = match self.env.log.list_topics().await {
            Ok(topics) => topics,
            Err(error) => {
                tracing::warn!(task = %self.env.id, %error, "could not list topics; keeping the current assignment");
                return Ok(false);
            }
        };
        // Sorted by topic and partition, so that every task deals the same way.
        let all = self.topics.partitions(&topics);
        let complete = match &self.topics {
            SinkTopics::List(list) => list.iter().all(|t| topics.contains_key(t)),
            SinkTopics::Regex(_) => true,
        };
        let task = self.env.id.task as usize;
        let mine: Vec<Partition> = all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.task_count == task)
            .map(|(_, p)| p)
            .collect();
        let current = self.consumer.assignment();
        let revoked: Vec<Partition> = current
            .iter()
            .filter(|p| !mine.contains(p))
            .cloned()
            .collect();
        let added: Vec<Partition> = mine
            .iter()
            .filter(|p| !current.contains(p))
            .cloned()
            .collect();
        if !revoked.is_empty() {
            self.close_partitions(&revoked).await;
            let mut requests = lock(&self.requests);
            for partition in &revoked {
                self.consumer.unassign(partition);
                let tp = to_topic_partition(partition);
                self.current.remove(&tp);
                self.last_committed.remove(&tp);
                // A partition that comes back starts unpaused, as with Kafka's consumer.
                requests.paused.remove(&tp);
                requests.offsets.remove(&tp);
            }
            drop(requests);
        }
        if !added.is_empty() {
            for partition in &added {
                self.env
                    .topics
                    .record(&self.env.id.connector, &partition.topic);
            }
            let committed = match self.env.log.committed_offsets(&self.group, &added).await {
                Ok(committed) => committed,
                Err(error) => {
                    tracing::warn!(task = %self.env.id, %error, "could not read committed offsets; will retry");
                    return Ok(false);
                }
            };
            for partition in &added {
                let position = committed.get(partition).copied();
                if let Err(error) = self.consumer.assign(partition.clone(), position).await {
                    tracing::warn!(task = %self.env.id, %partition, %error, "could not start reading; will retry");
                    return Ok(false);
                }
                if let Some(position) = position {
                    self.last_committed.insert(
                        to_topic_partition(partition),
                        OffsetAndMetadata::new(position),
                    );
                }
            }
            lock(&self.requests).assignment = to_topic_partitions(&self.consumer.assignment());
            tracing::info!(task = %self.env.id, partitions = ?added.iter().map(ToString::to_string).collect::<Vec<_>>(), "partitions assigned");
            self.task
                .open(&to_topic_partitions(&added))
                .await
                .map_err(|e| {
                    e.context(format!("task {} failed to open partitions", self.env.id))
                })?;
        }
        if !revoked.is_empty() {
            lock(&self.requests).assignment = to_topic_partitions(&self.consumer.assignment());
        }
        Ok(complete)
    }

    /// Commits and closes partitions that are taken away (or all, at the end).
    async fn close_partitions(&mut self, partitions: &[Partition]) {
        if partitions.is_empty() {
            return;
        }
        self.commit(Some(partitions)).await;
        if let Err(error) = self.task.close(&to_topic_partitions(partitions)).await {
            tracing::warn!(task = %self.env.id, %error, "closing partitions failed");
        }
    }

    /// `pre_commit`, then a commit of what it returns to the consumer group.
    async fn commit(&mut self, only: Option<&[Partition]>) {
        let reports = std::mem::take(&mut lock(&self.requests).reports);
        for report in reports {
            if let Ok(Err(error)) = report.await {
                tracing::error!(task = %self.env.id, %error, "an errant record report failed");
            }
        }
        let current: HashMap<TopicPartition, OffsetAndMetadata> = self
            .current
            .iter()
            .filter(|(tp, _)| only.is_none_or(|only| only.contains(&to_partition(tp))))
            .map(|(tp, o)| (tp.clone(), o.clone()))
            .collect();
        if current.is_empty() {
            return;
        }
        let started = Instant::now();
        let accepted = match self.task.pre_commit(current.clone()).await {
            Ok(offsets) => offsets,
            Err(error) => {
                self.env.metrics.committed(false, started.elapsed());
                tracing::error!(task = %self.env.id, %error, "Commit of offsets threw an unexpected exception; rewinding to the last committed offsets");
                for (tp, committed) in self.last_committed.clone() {
                    if current.contains_key(&tp) {
                        self.consumer.seek(&to_partition(&tp), committed.offset);
                        self.current.insert(tp, committed);
                    }
                }
                return;
            }
        };
        let to_commit: Vec<(Partition, i64)> = accepted
            .iter()
            .filter(|(tp, offset)| {
                current
                    .get(*tp)
                    .is_some_and(|delivered| offset.offset <= delivered.offset)
                    && self
                        .last_committed
                        .get(*tp)
                        .is_none_or(|last| last.offset != offset.offset)
            })
            .map(|(tp, offset)| (to_partition(tp), offset.offset))
            .collect();
        if to_commit.is_empty() {
            return;
        }
        let commit = self.env.log.commit_offsets(&self.group, &to_commit);
        let committed = tokio::time::timeout(self.env.worker.offset_flush_timeout(), commit).await;
        self.env
            .metrics
            .committed(matches!(committed, Ok(Ok(()))), started.elapsed());
        match committed {
            Ok(Ok(())) => {
                for (partition, offset) in to_commit {
                    self.last_committed.insert(
                        to_topic_partition(&partition),
                        OffsetAndMetadata::new(offset),
                    );
                }
                tracing::debug!(task = %self.env.id, group = %self.group, "committed offsets");
            }
            Ok(Err(error)) => {
                tracing::error!(task = %self.env.id, group = %self.group, %error, "Commit of offsets failed")
            }
            Err(_) => {
                tracing::error!(task = %self.env.id, group = %self.group, "Commit of offsets timed out (offset.flush.timeout.ms)")
            }
        }
    }
}
