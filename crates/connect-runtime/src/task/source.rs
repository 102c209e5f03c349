//! Driving a source task: poll, transform, convert, produce; commit offsets once written
//! (Kafka's `WorkerSourceTask` and `SourceTaskOffsetCommitter`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use connect_api::config::ConfigMap;
use connect_api::error::ConnectError;
use connect_api::record::{OffsetMap, SourceRecord};
use connect_api::task::{OffsetStorageReader, RecordMetadata, SourceTask, SourceTaskContext};
use connect_log::{LogRecord, Partition};
use tokio::time::Instant;

use super::{Control, TaskEnv};
use crate::convert::Converters;
use crate::errors::{Origin, RetryWithTolerance, Stage, now_millis};
use crate::offsets::{ConnectorOffsetReader, SubmittedId, SubmittedRecords, canonical};
use crate::producer::{Ack, MAX_BATCH_RECORDS, Producer, record_size};
use crate::transforms::TransformationChain;
use crate::worker::TargetState;

/// Bytes of records written but not yet acknowledged before polling pauses (Kafka's producer
/// `buffer.memory`).
const DEFAULT_BUFFER_BYTES: usize = 32 << 20;

struct Context {
    configs: ConfigMap,
    reader: Arc<dyn OffsetStorageReader>,
}

impl SourceTaskContext for Context {
    fn configs(&self) -> ConfigMap {
        self.configs.clone()
    }

    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        self.reader.clone()
    }
}

struct InFlight {
    id: SubmittedId,
    record: SourceRecord,
    bytes: usize,
}

/// Records sent and not yet acknowledged, by sequence number. Acknowledgements come in order
/// per partition, so the oldest slots empty first and the deque stays short.
#[derive(Default)]
struct InFlightRecords {
    first: u64,
    slots: std::collections::VecDeque<Option<InFlight>>,
    count: usize,
}

impl InFlightRecords {
    fn insert(&mut self, sequence: u64, record: InFlight) {
        debug_assert_eq!(sequence, self.first + self.slots.len() as u64);
        self.slots.push_back(Some(record));
        self.count += 1;
    }

    fn remove(&mut self, sequence: u64) -> Option<InFlight> {
        let index = usize::try_from(sequence.checked_sub(self.first)?).ok()?;
        let record = self.slots.get_mut(index)?.take()?;
        self.count -= 1;
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(record)
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn len(&self) -> usize {
        self.count
    }
}

struct Driver {
    env: TaskEnv,
    task: Box<dyn SourceTask>,
    converters: Converters,
    chain: TransformationChain<SourceRecord>,
    errors: RetryWithTolerance,
    producer: Producer<u64>,
    acks: tokio::sync::mpsc::UnboundedReceiver<Ack<u64>>,
    submitted: SubmittedRecords,
    in_flight: InFlightRecords,
    in_flight_bytes: usize,
    buffer_bytes: usize,
    next_sequence: u64,
    /// Offsets taken from `submitted` but not yet stored.
    unflushed: HashMap<String, (OffsetMap, OffsetMap)>,
    /// Records handed to the producer since this task last let other tasks run.
    unyielded_records: usize,
}

/// Records per partition sender that the driver hands over before it lets the senders run: one
/// full append each.
///
/// A sender woken by the driver waits in the driver's worker thread (tokio's LIFO slot, which
/// other threads cannot steal) until the driver yields, and a source whose `poll` never waits
/// would otherwise fill the whole producer buffer first. Yielding after every poll overlaps
/// appends with polling but shrinks each append to a sender's share of one poll when records are
/// spread over many partitions; yielding once every sender has a full append's worth does both
/// (as a producer's `linger`, counted in records rather than time).
const RECORDS_PER_SENDER_BEFORE_YIELD: usize = MAX_BATCH_RECORDS;

/// Runs a source task until it is told to stop or fails. Offsets are committed at the end either
/// way.
pub(crate) async fn run_source_task(
    env: TaskEnv,
    mut task: Box<dyn SourceTask>,
) -> Result<(), ConnectError> {
    let converters = Converters::build(&env.plugins, &env.worker, &env.connector_config)?;
    let chain = TransformationChain::build(&env.plugins, &env.connector_config)?;
    let errors = env.error_handler();
    let reader = Arc::new(ConnectorOffsetReader {
        connector: env.id.connector.clone(),
        store: env.offsets.clone(),
    });
    task.initialize(Arc::new(Context {
        configs: env.task_config.clone(),
        reader,
    }));
    task.start(&env.task_config)
        .await
        .map_err(|e| e.context(format!("starting task {}", env.id)))?;
    let settings = env.connector_config.originals();
    let partitions = settings
        .get("topic.creation.default.partitions")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(-1);
    let replication = settings
        .get("topic.creation.default.replication.factor")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(-1);
    let buffer_bytes = env
        .client_setting("producer", "buffer.memory")
        .and_then(|b| b.trim().parse().ok())
        .unwrap_or(DEFAULT_BUFFER_BYTES);
    let client = format!("connector-producer-{}", env.id);
    let (stop_sender, stopping) = tokio::sync::watch::channel(false);
    let (topics, connector) = (env.topics.clone(), env.id.connector.clone());
    let on_new_topic = Box::new(move |topic: &str| topics.record(&connector, topic));
    let (producer, acks) = Producer::new(
        env.log.clone(),
        client,
        stopping,
        partitions,
        replication,
        on_new_topic,
    );
    let mut driver = Driver {
        env,
        task,
        converters,
        chain,
        errors,
        producer,
        acks,
        submitted: SubmittedRecords::default(),
        in_flight: InFlightRecords::default(),
        in_flight_bytes: 0,
        buffer_bytes,
        next_sequence: 0,
        unflushed: HashMap::new(),
        unyielded_records: 0,
    };
    let outcome = driver.execute().await;
    // Whatever happened, write what was acknowledged, then stop the task.
    driver.drain_acks_until_done(outcome.is_ok()).await;
    driver.commit_offsets().await;
    let _ = stop_sender.send(true);
    driver.producer.close().await;
    if let Err(error) = driver.task.stop().await {
        tracing::warn!(task = %driver.env.id, %error, "the task failed to stop cleanly");
    }
    outcome
}

impl Driver {
    async fn execute(&mut self) -> Result<(), ConnectError> {
        let interval = self.env.worker.offset_flush_interval();
        let mut next_commit = Instant::now() + interval;
        let mut control = self.env.control.clone();
        loop {
            self.process_ready_acks().await?;
            let Control { target, stop } = *control.borrow_and_update();
            if stop {
                return Ok(());
            }
            if Instant::now() >= next_commit {
                self.commit_offsets().await;
                next_commit = Instant::now() + interval;
            }
            if target != TargetState::Started || self.in_flight_bytes > self.buffer_bytes {
                // Paused, or too much unacknowledged: wait for a change or an acknowledgement.
                tokio::select! {
                    _ = control.changed() => {}
                    ack = self.acks.recv(), if !self.in_flight.is_empty() => {
                        if let Some(ack) = ack {
                            self.handle_ack(ack).await?;
                        }
                    }
                    () = tokio::time::sleep_until(next_commit) => {}
                }
                continue;
            }
            let polled = tokio::select! {
                biased;
                _ = control.changed() => continue,
                () = tokio::time::sleep_until(next_commit) => continue,
                polled = self.task.poll() => polled,
            };
            match polled {
                Ok(records) => {
                    self.env.metrics.polled(records.len());
                    self.send_records(records).await?;
                }
                Err(error) if error.is_retriable() => {
                    tracing::warn!(task = %self.env.id, %error, "poll failed with a retriable error; polling again");
                }
                Err(error) => {
                    return Err(
                        error.context(format!("task {} failed in stage TASK_POLL", self.env.id))
                    );
                }
            }
        }
    }

    async fn send_records(&mut self, records: Vec<SourceRecord>) -> Result<(), ConnectError> {
        if records.is_empty() {
            return Ok(());
        }
        self.producer.next_batch();
        let mut batches: Vec<(Partition, Vec<(LogRecord, u64)>)> = Vec::new();
        let mut processed = 0;
        for record in records {
            let id = self.submitted.submit(&record.source_partition);
            let original = if self.chain.is_empty() {
                None
            } else {
                Some(record.clone())
            };
            let transformed = self.transform(record).await?;
            let Some(transformed) = transformed else {
                match original {
                    Some(original) => self.done(id, original, None).await,
                    None => self.submitted.ack(id, None),
                }
                continue;
            };
            match self.convert(&transformed).await? {
                None => self.done(id, original.unwrap_or(transformed), None).await,
                Some((partition, log_record)) => {
                    processed += 1;
                    let bytes = record_size(&log_record);
                    let sequence = self.next_sequence;
                    self.next_sequence += 1;
                    match batches.iter_mut().find(|(p, _)| *p == partition) {
                        Some((_, batch)) => batch.push((log_record, sequence)),
                        None => batches.push((partition, vec![(log_record, sequence)])),
                    }
                    self.in_flight_bytes += bytes;
                    let record = original.unwrap_or(transformed);
                    self.in_flight
                        .insert(sequence, InFlight { id, record, bytes });
                }
            }
        }
        self.env.metrics.processed(processed);
        for (partition, batch) in batches {
            self.producer.send(partition, batch);
        }
        self.unyielded_records += processed;
        if self.unyielded_records >= RECORDS_PER_SENDER_BEFORE_YIELD * self.producer.senders() {
            self.unyielded_records = 0;
            tokio::task::yield_now().await;
        }
        Ok(())
    }

    async fn transform(
        &mut self,
        record: SourceRecord,
    ) -> Result<Option<SourceRecord>, ConnectError> {
        // A copy is kept only when a failure could need it: to retry, or to report the record.
        let config = self.errors.config();
        let keep = config.retry_timeout != Some(Duration::ZERO)
            || config.dlq_topic.is_some()
            || config.log_include_messages;
        self.chain
            .transform(record, &self.errors, keep, Origin::None)
            .await
    }

    /// Converts a record to bytes and picks its partition; `None` when a tolerated error
    /// skipped it.
    async fn convert(
        &mut self,
        record: &SourceRecord,
    ) -> Result<Option<(Partition, LogRecord)>, ConnectError> {
        let (errors, converters, producer) = (&self.errors, &self.converters, &mut self.producer);
        let (topic, origin) = (&record.topic, Origin::Source(record));
        let mut headers = record.headers.clone();
        let (key_schema, value_schema) = (record.key_schema.as_ref(), record.value_schema.as_ref());
        let key = tolerate!(
            errors,
            Stage::KeyConverter,
            converters.key.class.clone(),
            origin,
            {
                let key = &converters.key.converter;
                key.from_connect_data(topic, &mut headers, key_schema, &record.key)
                    .await
            }
        );
        let value = tolerate!(
            errors,
            Stage::ValueConverter,
            converters.value.class.clone(),
            origin,
            {
                let value = &converters.value.converter;
                value
                    .from_connect_data(topic, &mut headers, value_schema, &record.value)
                    .await
            }
        );
        // Converters may add headers, so headers are converted last.
        let header_bytes = tolerate!(
            errors,
            Stage::HeaderConverter,
            converters.header.class.clone(),
            origin,
            {
                let converter = &converters.header.converter;
                headers
                    .iter()
                    .map(|h| {
                        let bytes =
                            converter.from_connect_header(topic, h.key(), h.schema(), h.value())?;
                        Ok((h.key().to_owned(), bytes))
                    })
                    .collect::<Result<Vec<_>, ConnectError>>()
            }
        );
        let partition = tolerate!(errors, Stage::KafkaProduce, "producer", origin, {
            producer
                .choose_partition(topic, record.kafka_partition, key.as_deref())
                .await
                .map_err(|error| log_error(error, topic))
        });
        let log_record = LogRecord {
            key,
            value,
            headers: header_bytes,
            timestamp: record.timestamp.unwrap_or_else(now_millis),
        };
        Ok(Some((partition, log_record)))
    }

    async fn process_ready_acks(&mut self) -> Result<(), ConnectError> {
        while let Ok(ack) = self.acks.try_recv() {
            self.handle_ack(ack).await?;
        }
        Ok(())
    }

    async fn handle_ack(&mut self, ack: Ack<u64>) -> Result<(), ConnectError> {
        match ack.result {
            Ok(written) => {
                self.env.metrics.written(written.len().min(ack.tags.len()));
                for (sequence, (offset, timestamp)) in ack.tags.into_iter().zip(written) {
                    let Some(in_flight) = self.in_flight.remove(sequence) else {
                        continue;
                    };
                    self.in_flight_bytes = self.in_flight_bytes.saturating_sub(in_flight.bytes);
                    let metadata = RecordMetadata {
                        topic: ack.partition.topic.clone(),
                        partition: ack.partition.partition,
                        offset,
                        timestamp: Some(timestamp),
                    };
                    self.done(in_flight.id, in_flight.record, Some(&metadata))
                        .await;
                }
                Ok(())
            }
            Err(error) => {
                for sequence in ack.tags {
                    let Some(in_flight) = self.in_flight.remove(sequence) else {
                        continue;
                    };
                    self.in_flight_bytes = self.in_flight_bytes.saturating_sub(in_flight.bytes);
                    let failure = format!("writing to {} failed: {error}", ack.partition);
                    // Never written: with tolerance, a retriable failure, so the offset moves on.
                    let failure = if self.errors.tolerates() {
                        ConnectError::retriable(failure)
                    } else {
                        ConnectError::other(failure)
                    };
                    let mut attempt = self.errors.begin(Stage::KafkaProduce, "producer");
                    self.errors
                        .failed(&mut attempt, failure, Origin::Source(&in_flight.record))
                        .await?;
                    self.done(in_flight.id, in_flight.record, None).await;
                }
                Ok(())
            }
        }
    }

    /// A record is finished with (written, dropped or skipped): `commit_record()`, then its
    /// offset moves to `submitted`.
    async fn done(
        &mut self,
        id: SubmittedId,
        mut record: SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) {
        if let Err(error) = self.task.commit_record(&record, metadata).await {
            tracing::warn!(task = %self.env.id, %error, "Exception thrown while calling task.commitRecord()");
        }
        let has_offset = !record.source_partition.is_empty() || !record.source_offset.is_empty();
        self.submitted.ack(
            id,
            has_offset.then(|| std::mem::take(&mut record.source_offset)),
        );
    }

    /// At shutdown: waits up to `offset.flush.timeout.ms` for records in flight.
    async fn drain_acks_until_done(&mut self, clean: bool) {
        let deadline = Instant::now() + self.env.worker.offset_flush_timeout();
        while !self.in_flight.is_empty() {
            match tokio::time::timeout_at(deadline, self.acks.recv()).await {
                Ok(Some(ack)) => {
                    if let Err(error) = self.handle_ack(ack).await
                        && clean
                    {
                        tracing::error!(task = %self.env.id, %error, "a record failed while stopping");
                    }
                }
                Ok(None) | Err(_) => {
                    tracing::warn!(
                        task = %self.env.id, pending = self.in_flight.len(),
                        "records still unacknowledged after offset.flush.timeout.ms; their offsets are not committed"
                    );
                    return;
                }
            }
        }
    }

    /// Writes the committable offsets, then calls the task's `commit`.
    async fn commit_offsets(&mut self) {
        for (partition, offset) in self.submitted.committable() {
            self.unflushed.insert(
                canonical(&self.env.id.connector, &partition),
                ((*partition).clone(), offset),
            );
        }
        if !self.unflushed.is_empty() {
            let entries: Vec<_> = self
                .unflushed
                .values()
                .map(|(p, o)| (p.clone(), Some(o.clone())))
                .collect();
            let count = entries.len();
            let write = self.env.offsets.set(&self.env.id.connector, entries);
            let started = Instant::now();
            let written = tokio::time::timeout(self.env.worker.offset_flush_timeout(), write).await;
            self.env
                .metrics
                .committed(matches!(written, Ok(Ok(()))), started.elapsed());
            match written {
                Ok(Ok(())) => {
                    self.unflushed.clear();
                    tracing::debug!(task = %self.env.id, partitions = count, "committed offsets");
                }
                Ok(Err(error)) => {
                    tracing::error!(task = %self.env.id, %error, "Failed to commit offsets; they will be retried at the next commit");
                    return;
                }
                Err(_) => {
                    tracing::error!(task = %self.env.id, "Timed out committing offsets (offset.flush.timeout.ms); they will be retried at the next commit");
                    return;
                }
            }
        }
        if let Err(error) = self.task.commit().await {
            tracing::warn!(task = %self.env.id, %error, "Exception thrown while calling task.commit()");
        }
    }
}

fn log_error(error: connect_log::LogError, topic: &str) -> ConnectError {
    let message = format!("topic {topic}: {error}");
    if error.is_retriable() {
        ConnectError::retriable_from(message, error)
    } else {
        ConnectError::other_from(message, error)
    }
}
