//! The writer of one Kafka partition: buffers its records, writes them into one temporary file
//! per encoded partition, and commits those files through the write-ahead log.
//!
//! A commit (Confluent's protocol, spec'd step by step in docs/hdfs.md):
//! 1. finish and close every open temporary file;
//! 2. append one block `BEGIN, (temp, committed)..., END` to the WAL and sync it;
//! 3. rename each temporary file to its committed name (never overwriting);
//! 4. advance the partition's offset to the last committed offset + 1, and truncate the WAL.
//!
//! A crash anywhere is repaired by [`TopicPartitionWriter::recover`]: complete WAL blocks are
//! replayed (renames that did not happen yet are done), the offset comes from the WAL or else
//! from the committed file names, and the consumer is sent back to it. Records are only ever in
//! one committed file.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use connect_api::data::Schema;
use connect_api::error::{ConnectError, DataError};
use connect_api::record::{SinkRecord, TopicPartition};
use connect_api::task::SinkTaskContext;
use indexmap::IndexMap;

use crate::compatibility::SchemaCompatibility;
use crate::format::{Format, FormatError, RecordWriter};
use crate::naming::{self, CommittedFile, TEMP_DIR};
use crate::partitioner::{JodaZone, PartitionError, Partitioner};
use crate::storage::{Storage, StorageError, StorageErrorKind, StorageFile};
use crate::wal::{Wal, WalError};

/// Encoded bytes a file holds in memory before they are written to its temporary file.
const WRITE_THRESHOLD: usize = 1 << 20;

/// What every partition writer of a task shares.
#[derive(Debug)]
pub(crate) struct WriterSettings {
    pub storage: Arc<dyn Storage>,
    pub format: Arc<dyn Format>,
    pub partitioner: Arc<dyn Partitioner>,
    pub compatibility: SchemaCompatibility,
    pub flush_size: usize,
    pub rotate_interval_ms: i64,
    pub rotate_schedule_interval_ms: i64,
    pub timezone: Option<JodaZone>,
    pub zero_pad_width: usize,
    pub retry_backoff: Duration,
    pub fail_on_null_values: bool,
    pub tolerate_bad_records: bool,
}

/// Why writing stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// Bad input that the task cannot get past: the error names the record.
    #[error(transparent)]
    Fatal(ConnectError),
    /// Storage trouble: the writer backs off and resumes from where it stopped.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The write-ahead log failed.
    #[error(transparent)]
    Wal(#[from] WalError),
    /// Records accepted into a file were lost on their way into it: the files are given up and
    /// their records read again.
    #[error("{0}")]
    FileLost(String),
}

/// Why a record did not go into its file.
enum RecordFailure {
    /// The record cannot be written (it goes to the dead letter queue, or fails the task).
    Rejected(ConnectError),
    /// The file lost records it had accepted.
    FileLost(String),
}

/// What a record needs.
enum Plan {
    /// Nothing more: skipped or rejected.
    Done,
    /// Writing into the file of its encoded partition; `Some(previous)` when the record
    /// brought a new schema for the file, to restore if it is rejected after all.
    Write(Encoded, Option<Option<Schema>>),
    /// The open files commit first (`triggered`: by the rotation rules, with this record as
    /// the trigger; otherwise by its new schema).
    Commit { triggered: bool },
}

/// An encoded partition.
enum Encoded {
    /// The partition's only one, kept by the writer.
    Constant,
    /// Computed for the record.
    Computed(String),
}

/// What became of a record.
enum Step {
    /// Skipped or rejected.
    Done,
    /// Written into its file.
    Written,
    /// Files were committed first: the record is to be dealt with again.
    Again,
}

/// A record the sink cannot write, and why.
#[derive(Debug)]
pub(crate) struct BadRecord {
    pub record: SinkRecord,
    pub error: ConnectError,
}

/// A file being written for one encoded partition.
struct OpenFile {
    encoded_partition: String,
    /// The value schema of the file's records.
    schema: Option<Schema>,
    temp_path: String,
    writer: Box<dyn RecordWriter>,
    /// The temporary file, created when the first bytes are written out.
    file: Option<Box<dyn StorageFile>>,
    start_offset: i64,
    end_offset: i64,
    out: Vec<u8>,
}

/// A closed temporary file on its way to its committed name.
#[derive(Debug, Clone)]
struct ClosedFile {
    temp_path: String,
    committed_path: String,
    end_offset: i64,
}

/// Where a commit stands, so that a retry after a storage failure resumes there.
#[derive(Debug)]
enum Commit {
    /// Temporary files closed; the WAL block still has to be written.
    Closed(Vec<ClosedFile>, Option<Schema>),
    /// The WAL block is durable; renames remain.
    Logged(Vec<ClosedFile>, Option<Schema>),
}

/// The writer of one topic partition.
pub(crate) struct TopicPartitionWriter {
    tp: TopicPartition,
    settings: Arc<WriterSettings>,
    context: Arc<dyn SinkTaskContext>,
    topics_dir: String,
    wal: Wal,
    recovered: bool,
    buffer: VecDeque<SinkRecord>,
    files: IndexMap<String, OpenFile>,
    commit: Option<Commit>,
    /// Records written since the last commit, across encoded partitions.
    record_count: usize,
    /// The next offset after the last commit, or -1 when not known yet.
    offset: i64,
    /// The offset the next record must have at least.
    expected_offset: i64,
    /// Whether the consumer was sent back during this `put`, so its records come again.
    sought: bool,
    /// The encoded partition, when the partitioner gives every record of the partition the same.
    constant_partition: Option<String>,
    current_schema: Option<Schema>,
    /// The schema of the last committed files, which a rewind goes back to.
    committed_schema: Option<Schema>,
    /// Whether the schema of the newest committed file has been looked up.
    schema_loaded: bool,
    /// `rotate.interval.ms`: when the clock last started a file.
    last_rotate: Option<i64>,
    /// `rotate.schedule.interval.ms`: the next wall-clock commit.
    next_scheduled_rotate: Option<i64>,
    /// After a storage failure, when to try again.
    retry_at: Option<Instant>,
    paused: bool,
}

impl TopicPartitionWriter {
    pub(crate) fn new(
        tp: TopicPartition,
        settings: Arc<WriterSettings>,
        context: Arc<dyn SinkTaskContext>,
        topics_dir: String,
        logs_dir: &str,
    ) -> Self {
        let wal = Wal::new(
            settings.storage.clone(),
            format!("{logs_dir}/{}/{}", tp.topic, tp.partition),
        );
        Self {
            tp,
            settings,
            context,
            topics_dir,
            wal,
            recovered: false,
            buffer: VecDeque::new(),
            files: IndexMap::new(),
            commit: None,
            record_count: 0,
            offset: -1,
            expected_offset: 0,
            sought: false,
            constant_partition: None,
            current_schema: None,
            committed_schema: None,
            schema_loaded: false,
            last_rotate: None,
            next_scheduled_rotate: None,
            retry_at: None,
            paused: false,
        }
    }

    /// The offset to commit to the consumer group: the last committed offset + 1 (or the first
    /// written one before any commit); `None` while unknown.
    pub(crate) fn committable_offset(&self) -> Option<i64> {
        (self.offset >= 0).then_some(self.offset)
    }

    /// Starts a `put`: seeks asked for in the previous one have been applied.
    pub(crate) fn begin_put(&mut self) {
        self.sought = false;
    }

    /// Whether `record` is new: records before the next expected offset were taken already or
    /// are in committed files (the consumer was sent back).
    fn accept(&mut self, record: &SinkRecord) -> bool {
        if record.kafka_offset < self.expected_offset {
            return false;
        }
        self.expected_offset = record.kafka_offset + 1;
        true
    }

    /// Sends the consumer back to `offset`, forgetting what was buffered and what this call was
    /// handed: the records come again.
    fn seek(&mut self, offset: i64) {
        self.buffer.clear();
        self.sought = true;
        self.expected_offset = offset;
        self.context.offset(self.tp.clone(), offset);
    }

    /// Replays the WAL, removes this partition's orphaned temporary files, finds the offset to
    /// resume from and sends the consumer there.
    pub(crate) async fn recover(&mut self) -> Result<(), WriteError> {
        self.wal.apply().await?;
        self.delete_orphaned_temp_files().await?;
        let latest = match self.wal.extract_latest_offset().await? {
            Some(latest) => Some(latest),
            None => self
                .latest_committed_file()
                .await?
                .map(|(_, f)| f.end_offset),
        };
        if let Some(latest) = latest {
            self.offset = latest + 1;
            self.seek(self.offset);
        }
        self.wal.truncate().await?;
        self.recovered = true;
        let now = now_ms();
        self.last_rotate = None;
        self.next_scheduled_rotate = self.next_schedule(now);
        tracing::info!(
            topic = %self.tp.topic,
            partition = self.tp.partition,
            offset = self.offset,
            "recovered; resuming from the offset after the last committed file (the WAL and the files decide, not the consumer group)"
        );
        Ok(())
    }

    /// Writes `records` (after any kept from earlier calls), committing files as the rotation
    /// rules say; an empty slice still lets time-based rotation commit. Bad records are returned
    /// for the dead letter queue when tolerated. After a storage failure the records not written
    /// are kept, the partition is paused, and a later call resumes after the backoff.
    pub(crate) async fn write(
        &mut self,
        records: &[SinkRecord],
        bad: &mut Vec<BadRecord>,
    ) -> Result<(), ConnectError> {
        let mut taken = 0;
        if self.sought {
            // Sent back earlier in this `put`: these records come again after the seek.
            return Ok(());
        }
        if self.retry_at.is_some_and(|at| Instant::now() < at) {
            // Backing off (the partition is paused): keep what still arrives.
            for record in records {
                if self.accept(record) {
                    self.buffer.push_back(record.clone());
                }
            }
            return Ok(());
        }
        let result = self.try_write(records, &mut taken, bad).await;
        if !self.sought {
            for record in &records[taken..] {
                if self.accept(record) {
                    self.buffer.push_back(record.clone());
                }
            }
        }
        match result {
            Ok(()) => {
                self.retry_at = None;
                if self.paused {
                    self.context.resume(std::slice::from_ref(&self.tp))?;
                    self.paused = false;
                }
                Ok(())
            }
            Err(WriteError::Fatal(error)) => Err(error),
            Err(error) => {
                tracing::warn!(
                    topic = %self.tp.topic,
                    partition = self.tp.partition,
                    %error,
                    backoff_ms = self.settings.retry_backoff.as_millis() as u64,
                    "writing failed; retrying after the backoff"
                );
                let now = Instant::now();
                self.retry_at = Some(
                    now.checked_add(self.settings.retry_backoff)
                        .unwrap_or(now + Duration::from_secs(86_400)),
                );
                self.context.timeout(self.settings.retry_backoff);
                if !self.paused {
                    self.context.pause(std::slice::from_ref(&self.tp))?;
                    self.paused = true;
                }
                Ok(())
            }
        }
    }

    /// The write loop: the kept records first, then `records` from `taken` on, advancing
    /// `taken` past each record dealt with.
    async fn try_write(
        &mut self,
        records: &[SinkRecord],
        taken: &mut usize,
        bad: &mut Vec<BadRecord>,
    ) -> Result<(), WriteError> {
        if !self.recovered {
            self.recover().await?;
        }
        if self.commit.is_some() {
            self.finish_commit().await?;
        }
        if !self.schema_loaded {
            self.load_schema().await?;
        }
        let now = now_ms();
        loop {
            if self.sought {
                return Ok(());
            }
            let kept = self.buffer.pop_front();
            let record = match &kept {
                Some(record) => record,
                None => match records.get(*taken) {
                    Some(record) if !self.accept(record) => {
                        *taken += 1;
                        continue;
                    }
                    Some(record) => record,
                    None => break,
                },
            };
            let offset = record.kafka_offset;
            // The common case (the record goes into an open file) stays synchronous.
            let step = match self.plan(record, now, bad) {
                Ok(Plan::Done) => Ok(Step::Done),
                Ok(Plan::Commit { triggered }) => self
                    .rotate(triggered.then_some(record))
                    .await
                    .map(|()| Step::Again),
                Ok(Plan::Write(encoded, replaced)) => match self.write_record(record, encoded) {
                    Ok(Some(full)) => match self.files.get_index_mut(full) {
                        Some((_, file)) => match write_out(&*self.settings.storage, file).await {
                            Ok(()) => Ok(Step::Written),
                            Err(error) => {
                                self.give_up_files().await;
                                Err(error.into())
                            }
                        },
                        None => Ok(Step::Written),
                    },
                    Ok(None) => Ok(Step::Written),
                    Err(RecordFailure::Rejected(error)) => {
                        if let Some(previous) = replaced {
                            // The record that brought the schema is not written: neither is it.
                            self.current_schema = previous;
                        }
                        self.reject(record, bad, error).map(|()| Step::Done)
                    }
                    Err(RecordFailure::FileLost(message)) => {
                        self.give_up_files().await;
                        Err(WriteError::FileLost(message))
                    }
                },
                Err(error) => Err(error),
            };
            // A record not done with goes back where it came from: the kept queue, or (by
            // making it expected again) the caller's slice.
            // (Unless the consumer was sent back: then everything comes again anyway.)
            match (step, kept) {
                (Ok(Step::Done | Step::Written), None) => *taken += 1,
                (Ok(Step::Done | Step::Written), Some(_)) => {}
                (Ok(Step::Again), None) => self.expected_offset = offset,
                (Ok(Step::Again), Some(record)) => self.buffer.push_front(record),
                (Err(error), kept) => {
                    match kept {
                        Some(record) if !self.sought => self.buffer.push_front(record),
                        None if !self.sought => self.expected_offset = offset,
                        _ => {}
                    }
                    return Err(error);
                }
            }
            // A full file commits at once, whatever the next record turns out to be.
            if self.record_count >= self.settings.flush_size {
                self.rotate(None).await?;
            }
        }
        if self.should_rotate(now, None) {
            self.rotate(None).await?;
        }
        self.flush_buffers().await?;
        Ok(())
    }

    /// What to do with one record: nothing more (skipped or rejected), write it, or commit the
    /// open files first. A record that is rejected never changes the file's schema, so that it
    /// leaves no trace in files: every check comes before the schema may change.
    fn plan(
        &mut self,
        record: &SinkRecord,
        now: i64,
        bad: &mut Vec<BadRecord>,
    ) -> Result<Plan, WriteError> {
        if record.value.is_null() {
            if self.settings.fail_on_null_values {
                let error = DataError::new(
                    "the record has a null value (a tombstone) and behavior.on.null.values=fail",
                );
                self.reject(record, bad, error.into())?;
            }
            return Ok(Plan::Done);
        }
        let encoded = match self.encode_partition(record, now) {
            Ok(encoded) => encoded,
            Err(error) => {
                self.reject(record, bad, DataError::new(error.0).into())?;
                return Ok(Plan::Done);
            }
        };
        let record_schema = record.value_schema.as_ref();
        let change =
            if self.record_count == 0 && self.current_schema.is_none() && record_schema.is_some() {
                Ok(true)
            } else {
                self.settings
                    .compatibility
                    .should_change_schema(record_schema, self.current_schema.as_ref())
            };
        match change {
            Err(error) => {
                self.reject(record, bad, error.into())?;
                Ok(Plan::Done)
            }
            Ok(true) => {
                if let Err(error) = self.settings.format.new_writer(record_schema) {
                    self.reject(record, bad, format_error(error))?;
                    return Ok(Plan::Done);
                }
                let previous = std::mem::replace(&mut self.current_schema, record_schema.cloned());
                if self.record_count > 0 {
                    return Ok(Plan::Commit { triggered: false });
                }
                Ok(self.write_or_commit(record, now, encoded, Some(previous)))
            }
            Ok(false) => Ok(self.write_or_commit(record, now, encoded, None)),
        }
    }

    /// Writing the record, unless the rotation rules commit the open files first.
    fn write_or_commit(
        &mut self,
        record: &SinkRecord,
        now: i64,
        encoded: Encoded,
        replaced: Option<Option<Schema>>,
    ) -> Plan {
        if self.should_rotate(now, Some(record)) {
            Plan::Commit { triggered: true }
        } else {
            Plan::Write(encoded, replaced)
        }
    }

    /// The encoded partition of `record`; the default partitioner's is the same for every
    /// record of the partition, so it is computed once.
    fn encode_partition(
        &mut self,
        record: &SinkRecord,
        now: i64,
    ) -> Result<Encoded, PartitionError> {
        if self.constant_partition.is_some() {
            return Ok(Encoded::Constant);
        }
        let encoded = self.settings.partitioner.encode_partition(record, now)?;
        if self.settings.partitioner.depends_only_on_kafka_partition() {
            self.constant_partition = Some(encoded);
            return Ok(Encoded::Constant);
        }
        Ok(Encoded::Computed(encoded))
    }

    /// Writes `record` into the file of its encoded partition (opened if needed). `Ok(Some(i))`
    /// when file `i` has enough encoded bytes to be written out; `Err` when the record itself
    /// cannot be written.
    fn write_record(
        &mut self,
        record: &SinkRecord,
        encoded: Encoded,
    ) -> Result<Option<usize>, RecordFailure> {
        let projected = self
            .settings
            .compatibility
            .project(
                record.value_schema.as_ref(),
                &record.value,
                self.current_schema.as_ref(),
            )
            .map_err(|error| RecordFailure::Rejected(error.into()))?;
        let key = match &encoded {
            Encoded::Computed(key) => key.as_str(),
            Encoded::Constant => self.constant_partition.as_deref().unwrap_or_default(),
        };
        let index = match self.files.get_index_of(key) {
            Some(index) => index,
            None => {
                let file = open_file(
                    &self.settings,
                    &self.tp,
                    &self.topics_dir,
                    key,
                    self.current_schema.as_ref(),
                )
                .map_err(|error| RecordFailure::Rejected(format_error(error)))?;
                self.files.insert_full(key.to_owned(), file).0
            }
        };
        let Some((_, file)) = self.files.get_index_mut(index) else {
            return Ok(None);
        };
        let value = projected.as_ref().unwrap_or(&record.value);
        if let Err(error) = file.writer.write(value) {
            if let FormatError::FileLost(message) = error {
                return Err(RecordFailure::FileLost(message));
            }
            if file.start_offset < 0 {
                self.files.shift_remove_index(index);
            }
            return Err(RecordFailure::Rejected(format_error(error)));
        }
        let offset = record.kafka_offset;
        if file.start_offset < 0 {
            file.start_offset = offset;
        }
        file.end_offset = offset;
        self.record_count += 1;
        if self.offset < 0 {
            self.offset = offset;
        }
        Ok((file.writer.output_bytes() >= WRITE_THRESHOLD).then_some(index))
    }

    /// A record that cannot be written: handed back for the dead letter queue when bad records
    /// are tolerated, otherwise a fatal error naming it.
    fn reject(
        &self,
        record: &SinkRecord,
        bad: &mut Vec<BadRecord>,
        error: ConnectError,
    ) -> Result<(), WriteError> {
        let message = format!(
            "HDFS sink cannot write the record at topic={} partition={} offset={}: {error}",
            record.topic,
            record.kafka_partition(),
            record.kafka_offset
        );
        if !self.settings.tolerate_bad_records {
            return Err(WriteError::Fatal(ConnectError::other(message)));
        }
        tracing::warn!("{message}; reporting it to the errant record reporter");
        bad.push(BadRecord {
            record: record.clone(),
            error: ConnectError::other(message),
        });
        Ok(())
    }

    /// Whether the files should commit now (`flush.size`, `rotate.interval.ms`,
    /// `rotate.schedule.interval.ms`) before `next`, the record about to be written, if any.
    fn should_rotate(&mut self, now: i64, next: Option<&SinkRecord>) -> bool {
        if self.settings.rotate_interval_ms > 0 {
            let time = match self.settings.partitioner.timestamp_extractor() {
                None => Some(now),
                Some(extractor) => next.and_then(|record| extractor.extract(record, now).ok()),
            };
            if let Some(time) = time {
                let last = *self.last_rotate.get_or_insert(time);
                if time - last >= self.settings.rotate_interval_ms {
                    if self.record_count > 0 {
                        return true;
                    }
                    // Nothing open: the interval starts again with the next file, as an
                    // empty rotation does in Confluent's connector.
                    self.last_rotate = Some(time);
                }
            }
        }
        if self.next_scheduled_rotate.is_some_and(|next| now >= next) {
            if self.record_count > 0 {
                return true;
            }
            self.next_scheduled_rotate = self.next_schedule(now);
        }
        self.record_count > 0 && self.record_count >= self.settings.flush_size
    }

    /// Commits every open file of this partition.
    async fn rotate(&mut self, trigger: Option<&SinkRecord>) -> Result<(), WriteError> {
        let now = now_ms();
        self.last_rotate = match (self.settings.partitioner.timestamp_extractor(), trigger) {
            (None, _) => Some(now),
            (Some(extractor), Some(record)) => extractor.extract(record, now).ok(),
            (Some(_), None) => None,
        };
        self.next_scheduled_rotate = self.next_schedule(now);
        if self.files.is_empty() {
            self.record_count = 0;
            return Ok(());
        }
        let mut closed = Vec::with_capacity(self.files.len());
        let files = std::mem::take(&mut self.files);
        let schema = files.first().and_then(|(_, file)| file.schema.clone());
        let mut failure = None;
        for (_, file) in files {
            let dir = self
                .settings
                .partitioner
                .partitioned_path(&self.tp.topic, &file.encoded_partition);
            let committed_path = format!(
                "{}/{dir}/{}",
                self.topics_dir,
                naming::committed_file_name(
                    &self.tp.topic,
                    self.tp.partition,
                    file.start_offset,
                    file.end_offset,
                    self.settings.format.extension(),
                    self.settings.zero_pad_width,
                )
            );
            let (temp_path, end_offset) = (file.temp_path.clone(), file.end_offset);
            match close_file(&*self.settings.storage, file).await {
                Ok(()) => closed.push(ClosedFile {
                    temp_path,
                    committed_path,
                    end_offset,
                }),
                Err(error) => {
                    closed.push(ClosedFile {
                        temp_path,
                        committed_path,
                        end_offset,
                    });
                    failure.get_or_insert(error);
                }
            }
        }
        if let Some(error) = failure {
            // A file could not be completed: drop this round and read the records again.
            for file in &closed {
                delete_temp_file(&*self.settings.storage, &file.temp_path).await;
            }
            self.rewind();
            return Err(error);
        }
        self.commit = Some(Commit::Closed(closed, schema));
        self.finish_commit().await
    }

    /// Logs, renames and advances the offset, resuming a commit where it stopped.
    async fn finish_commit(&mut self) -> Result<(), WriteError> {
        if let Some(Commit::Closed(files, _)) = &self.commit {
            let entries: Vec<(String, String)> = files
                .iter()
                .map(|f| {
                    (
                        self.settings.storage.full_path(&f.temp_path),
                        self.settings.storage.full_path(&f.committed_path),
                    )
                })
                .collect();
            self.wal.append_block(&entries).await?;
            if let Some(Commit::Closed(files, schema)) = self.commit.take() {
                self.commit = Some(Commit::Logged(files, schema));
            }
        }
        let Some(Commit::Logged(files, schema)) = &self.commit else {
            return Ok(());
        };
        let schema = schema.clone();
        let storage = &self.settings.storage;
        for file in files {
            if let Some((dir, _)) = file.committed_path.rsplit_once('/') {
                storage.mkdirs(dir).await?;
            }
            match storage.rename(&file.temp_path, &file.committed_path).await {
                Ok(()) => {}
                Err(error) if error.kind == StorageErrorKind::AlreadyExists => {}
                Err(error) if error.kind == StorageErrorKind::NotFound => {
                    if !storage.exists(&file.committed_path).await? {
                        return Err(error.into());
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
        let end = files.iter().map(|f| f.end_offset).max().unwrap_or(-1);
        self.offset = self.offset.max(end + 1);
        self.record_count = 0;
        self.commit = None;
        self.committed_schema = schema;
        if let Err(error) = self.wal.truncate().await {
            tracing::warn!(topic = %self.tp.topic, partition = self.tp.partition, %error, "truncating the WAL after a commit failed; the next commit appends to it");
        }
        Ok(())
    }

    /// Gives up the files being written and sends the consumer back to the last committed
    /// offset, so the records are read and written again.
    fn rewind(&mut self) {
        let first = self.buffer.front().map(|r| r.kafka_offset);
        let offset = if self.offset >= 0 {
            Some(self.offset)
        } else {
            first
        };
        self.files.clear();
        self.buffer.clear();
        self.record_count = 0;
        self.current_schema = self.committed_schema.clone();
        if let Some(offset) = offset {
            self.seek(offset);
        }
    }

    /// Closes and deletes every open file (best effort: recovery deletes what is left), then
    /// rewinds.
    async fn give_up_files(&mut self) {
        self.discard_files().await;
        self.rewind();
    }

    /// Closes and deletes every open file (best effort: recovery deletes what is left).
    async fn discard_files(&mut self) {
        for (_, file) in std::mem::take(&mut self.files) {
            if let Some(handle) = file.file {
                let _ = handle.close().await;
            }
            delete_temp_file(&*self.settings.storage, &file.temp_path).await;
        }
    }

    /// Moves encoded bytes of the open files to storage.
    async fn flush_buffers(&mut self) -> Result<(), WriteError> {
        let mut failure = None;
        for file in self.files.values_mut() {
            if file.writer.output_bytes() >= WRITE_THRESHOLD
                && let Err(error) = write_out(&*self.settings.storage, file).await
            {
                failure = Some(error);
                break;
            }
        }
        if let Some(error) = failure {
            // Bytes that did not reach the file are gone from the writer: write it all again.
            self.give_up_files().await;
            return Err(error.into());
        }
        Ok(())
    }

    /// Under a compatibility mode, starts from the schema of the newest committed file, reading
    /// only the part of it that holds the schema.
    async fn load_schema(&mut self) -> Result<(), WriteError> {
        let Some(range) = self.settings.format.schema_range() else {
            self.schema_loaded = true;
            return Ok(());
        };
        if self.settings.compatibility == SchemaCompatibility::None
            || self.current_schema.is_some()
            || self.offset < 0
        {
            self.schema_loaded = true;
            return Ok(());
        }
        let Some((path, _)) = self.latest_committed_file().await? else {
            self.schema_loaded = true;
            return Ok(());
        };
        let storage = &self.settings.storage;
        let part = storage.read_range(&path, range).await?;
        let schema = match self.settings.format.read_schema(&part) {
            Ok(schema) => Ok(schema),
            // A schema larger than the part read: read the whole file.
            Err(_) => {
                let file = storage.read(&path).await?;
                self.settings.format.read_schema(&file)
            }
        };
        match schema {
            Ok(schema) => {
                self.current_schema = schema.clone();
                self.committed_schema = schema;
            }
            Err(error) => {
                tracing::warn!(%path, %error, "cannot read the schema of the newest committed file; starting with the next record's")
            }
        }
        self.schema_loaded = true;
        Ok(())
    }

    /// The committed file of this partition with the largest end offset.
    async fn latest_committed_file(
        &mut self,
    ) -> Result<Option<(String, CommittedFile)>, WriteError> {
        let dir = format!("{}/{}", self.topics_dir, self.tp.topic);
        let listing = self.settings.storage.list(&dir, true).await?;
        Ok(listing
            .into_iter()
            .filter(|status| !status.is_dir)
            .filter_map(|status| CommittedFile::parse(&status.path).map(|f| (status.path, f)))
            .filter(|(_, f)| *f.topic == *self.tp.topic && f.partition == self.tp.partition)
            .max_by_key(|(_, f)| f.end_offset))
    }

    /// Deletes temporary files of this partition that no writer owns any more (left by a crash).
    async fn delete_orphaned_temp_files(&mut self) -> Result<(), WriteError> {
        let dir = format!("{}/{TEMP_DIR}/{}", self.topics_dir, self.tp.topic);
        let prefix = format!("{}+", self.tp.partition);
        for status in self.settings.storage.list(&dir, true).await? {
            let name = status.path.rsplit('/').next().unwrap_or(&status.path);
            if !status.is_dir && name.starts_with(&prefix) {
                tracing::info!(path = %status.path, "deleting an orphaned temporary file");
                self.settings.storage.delete(&status.path).await?;
            }
        }
        Ok(())
    }

    /// The next `rotate.schedule.interval.ms` slot after `now`, slots aligned to midnight in the
    /// time zone and never crossing it.
    fn next_schedule(&self, now: i64) -> Option<i64> {
        const DAY_MS: i64 = 86_400_000;
        let interval = self.settings.rotate_schedule_interval_ms;
        let zone = self.settings.timezone.as_ref()?;
        if interval <= 0 {
            return None;
        }
        let local_midnight = zone.utc_to_local(now)?.div_euclid(DAY_MS) * DAY_MS;
        let start_of_day = zone.local_to_utc(local_midnight)?;
        let next_midnight = zone.local_to_utc(local_midnight + DAY_MS)?;
        let slot = start_of_day + ((now - start_of_day) / interval + 1) * interval;
        Some(slot.min(next_midnight))
    }

    /// Discards what is being written (on close or stop): temporary files are deleted, the
    /// records will be read again.
    pub(crate) async fn close(mut self) {
        self.discard_files().await;
    }
}

/// Deletes a temporary file; one that stays is deleted by the next recovery.
async fn delete_temp_file(storage: &dyn Storage, path: &str) {
    if let Err(error) = storage.delete(path).await {
        tracing::warn!(%path, %error, "cannot delete a temporary file; recovery deletes it later");
    }
}

/// A new file of `tp` for an encoded partition, its temporary path under `+tmp`.
fn open_file(
    settings: &WriterSettings,
    tp: &TopicPartition,
    topics_dir: &str,
    encoded: &str,
    schema: Option<&Schema>,
) -> Result<OpenFile, FormatError> {
    let writer = settings.format.new_writer(schema)?;
    let dir = settings.partitioner.partitioned_path(&tp.topic, encoded);
    let temp_path = format!(
        "{topics_dir}/{TEMP_DIR}/{dir}/{}+{}",
        tp.partition,
        naming::temp_file_name(settings.format.extension())
    );
    Ok(OpenFile {
        encoded_partition: encoded.to_owned(),
        schema: schema.cloned(),
        temp_path,
        writer,
        file: None,
        start_offset: -1,
        end_offset: -1,
        out: Vec::new(),
    })
}

/// Moves a file's encoded bytes to its temporary file, creating it first.
async fn write_out(storage: &dyn Storage, file: &mut OpenFile) -> Result<(), StorageError> {
    file.writer.take_output(&mut file.out);
    if file.out.is_empty() {
        return Ok(());
    }
    let handle = match &mut file.file {
        Some(handle) => handle,
        None => file.file.insert(storage.create(&file.temp_path).await?),
    };
    handle
        .write(Bytes::from(std::mem::take(&mut file.out)))
        .await
}

/// Finishes a file and closes its temporary file.
async fn close_file(storage: &dyn Storage, mut file: OpenFile) -> Result<(), WriteError> {
    let mut out = std::mem::take(&mut file.out);
    file.writer.take_output(&mut out);
    file.writer
        .finish(&mut out)
        .map_err(|error| WriteError::FileLost(error.to_string()))?;
    let mut handle = match file.file {
        Some(handle) => handle,
        None => storage.create(&file.temp_path).await?,
    };
    if !out.is_empty() {
        handle.write(Bytes::from(out)).await?;
    }
    handle.close().await?;
    Ok(())
}

fn format_error(error: FormatError) -> ConnectError {
    ConnectError::Data(DataError::new(error.to_string()))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
