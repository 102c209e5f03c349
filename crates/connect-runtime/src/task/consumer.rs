//! Reading assigned partitions for a sink task: one prefetching reader per partition, feeding a
//! bounded channel, with seek, pause and resume.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use connect_log::{Log, LogError, OffsetSpec, Partition, StoredRecord};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How long one fetch waits for new records.
const FETCH_WAIT: Duration = Duration::from_millis(500);
/// Fetched batches waiting for the task at most; past this, readers wait.
const PREFETCHED_BATCHES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReaderControl {
    epoch: u64,
    position: i64,
    paused: bool,
}

struct Reader {
    control: watch::Sender<ReaderControl>,
    handle: JoinHandle<()>,
}

type Fetch = (Partition, u64, Result<Vec<StoredRecord>, LogError>);

/// Where to start reading a partition that has no committed offset (`auto.offset.reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResetPolicy {
    Earliest,
    Latest,
}

/// A sink task's view of its partitions.
pub(crate) struct Consumer {
    log: Arc<dyn Log>,
    readers: HashMap<Partition, Reader>,
    /// The position of each partition: the offset of the next record to hand to the task.
    positions: HashMap<Partition, i64>,
    epochs: HashMap<Partition, u64>,
    paused: HashMap<Partition, bool>,
    buffered: VecDeque<(Partition, VecDeque<StoredRecord>)>,
    sender: mpsc::Sender<Fetch>,
    receiver: mpsc::Receiver<Fetch>,
    max_bytes: usize,
    reset: ResetPolicy,
}

impl Consumer {
    pub(crate) fn new(log: Arc<dyn Log>, max_bytes: usize, reset: ResetPolicy) -> Self {
        let (sender, receiver) = mpsc::channel(PREFETCHED_BATCHES);
        Self {
            log,
            readers: HashMap::new(),
            positions: HashMap::new(),
            epochs: HashMap::new(),
            paused: HashMap::new(),
            buffered: VecDeque::new(),
            sender,
            receiver,
            max_bytes,
            reset,
        }
    }

    /// The assigned partitions.
    pub(crate) fn assignment(&self) -> Vec<Partition> {
        let mut partitions: Vec<Partition> = self.positions.keys().cloned().collect();
        partitions.sort();
        partitions
    }

    /// The position of a partition.
    pub(crate) fn position(&self, partition: &Partition) -> Option<i64> {
        self.positions.get(partition).copied()
    }

    /// Starts reading `partition` at `position` (or per the reset policy when `None`).
    pub(crate) async fn assign(
        &mut self,
        partition: Partition,
        position: Option<i64>,
    ) -> Result<(), LogError> {
        let position = match position {
            Some(position) => position,
            None => self.reset_position(&partition).await?,
        };
        let control = ReaderControl {
            epoch: 0,
            position,
            paused: false,
        };
        let (sender, receiver) = watch::channel(control);
        let handle = tokio::spawn(read_partition(
            self.log.clone(),
            partition.clone(),
            receiver,
            self.sender.clone(),
            self.max_bytes,
        ));
        self.readers.insert(
            partition.clone(),
            Reader {
                control: sender,
                handle,
            },
        );
        self.positions.insert(partition.clone(), position);
        self.epochs.insert(partition.clone(), 0);
        self.paused.insert(partition, false);
        Ok(())
    }

    async fn reset_position(&self, partition: &Partition) -> Result<i64, LogError> {
        let spec = match self.reset {
            ResetPolicy::Earliest => OffsetSpec::Earliest,
            ResetPolicy::Latest => OffsetSpec::Latest,
        };
        self.log.offset(partition, spec).await
    }

    /// Stops reading `partition`.
    pub(crate) fn unassign(&mut self, partition: &Partition) {
        if let Some(reader) = self.readers.remove(partition) {
            reader.handle.abort();
        }
        self.positions.remove(partition);
        self.epochs.remove(partition);
        self.paused.remove(partition);
        self.buffered.retain(|(p, _)| p != partition);
    }

    /// Moves a partition's position; records already fetched from the old one are dropped.
    pub(crate) fn seek(&mut self, partition: &Partition, position: i64) {
        let Some(reader) = self.readers.get(partition) else {
            return;
        };
        let epoch = self.epochs.get(partition).copied().unwrap_or(0) + 1;
        self.epochs.insert(partition.clone(), epoch);
        self.positions.insert(partition.clone(), position);
        self.buffered.retain(|(p, _)| p != partition);
        let paused = self.paused.get(partition).copied().unwrap_or(false);
        reader.control.send_replace(ReaderControl {
            epoch,
            position,
            paused,
        });
    }

    /// Pauses or resumes a partition: a paused partition hands out nothing.
    pub(crate) fn set_paused(&mut self, partition: &Partition, paused: bool) {
        let Some(reader) = self.readers.get(partition) else {
            return;
        };
        self.paused.insert(partition.clone(), paused);
        reader.control.send_modify(|c| c.paused = paused);
    }

    /// Whether a partition is paused.
    pub(crate) fn is_paused(&self, partition: &Partition) -> bool {
        self.paused.get(partition).copied().unwrap_or(false)
    }

    /// Up to `max_records` records, waiting up to `timeout` for the first.
    pub(crate) async fn poll(
        &mut self,
        max_records: usize,
        timeout: Duration,
    ) -> Vec<(Partition, Vec<StoredRecord>)> {
        if !self.has_ready()
            && let Ok(Some(fetch)) = tokio::time::timeout(timeout, self.receiver.recv()).await
        {
            self.accept(fetch).await;
        }
        while let Ok(fetch) = self.receiver.try_recv() {
            self.accept(fetch).await;
        }
        let mut out: Vec<(Partition, Vec<StoredRecord>)> = Vec::new();
        let mut left = max_records;
        let mut kept = VecDeque::new();
        while let Some((partition, mut records)) = self.buffered.pop_front() {
            if left == 0 || self.is_paused(&partition) {
                kept.push_back((partition, records));
                continue;
            }
            let take = left.min(records.len());
            let batch: Vec<StoredRecord> = records.drain(..take).collect();
            left -= take;
            if let Some(last) = batch.last() {
                self.positions.insert(partition.clone(), last.offset + 1);
            }
            out.push((partition.clone(), batch));
            if !records.is_empty() {
                kept.push_back((partition, records));
            }
        }
        self.buffered = kept;
        out
    }

    fn has_ready(&self) -> bool {
        self.buffered.iter().any(|(p, _)| !self.is_paused(p))
    }

    async fn accept(&mut self, (partition, epoch, result): Fetch) {
        if self.epochs.get(&partition) != Some(&epoch) {
            return;
        }
        match result {
            Ok(records) => {
                let position = self.positions.get(&partition).copied().unwrap_or(0);
                let buffered_end = self
                    .buffered
                    .iter()
                    .filter(|(p, _)| *p == partition)
                    .filter_map(|(_, r)| r.back().map(|s| s.offset + 1))
                    .max()
                    .unwrap_or(position);
                let records: VecDeque<StoredRecord> = records
                    .into_iter()
                    .filter(|r| r.offset >= buffered_end)
                    .collect();
                if !records.is_empty() {
                    self.buffered.push_back((partition, records));
                }
            }
            Err(LogError::OffsetOutOfRange {
                earliest, latest, ..
            }) => {
                let position = match self.reset {
                    ResetPolicy::Earliest => earliest,
                    ResetPolicy::Latest => latest,
                };
                tracing::warn!(%partition, position, "offset out of range; resetting per auto.offset.reset");
                self.seek(&partition, position);
            }
            Err(error) => {
                tracing::warn!(%partition, %error, "reading failed");
            }
        }
    }
}

impl Consumer {
    /// Stops every partition reader and waits for them to end, so that nothing of this consumer
    /// holds the log afterwards.
    pub(crate) async fn close(&mut self) {
        for (_, reader) in self.readers.drain() {
            reader.handle.abort();
            let _ = reader.handle.await;
        }
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        for reader in self.readers.values() {
            reader.handle.abort();
        }
    }
}

/// Where a partition reader is: the control it follows and the next offset to fetch.
struct Cursor {
    control: ReaderControl,
    position: i64,
}

impl Cursor {
    /// Takes a new control; a new epoch is a seek to its position.
    fn follow(&mut self, next: ReaderControl) {
        if next.epoch != self.control.epoch {
            self.position = next.position;
        }
        self.control = next;
    }
}

/// Reads one partition ahead of the task, following seeks and pauses.
async fn read_partition(
    log: Arc<dyn Log>,
    partition: Partition,
    mut control: watch::Receiver<ReaderControl>,
    out: mpsc::Sender<Fetch>,
    max_bytes: usize,
) {
    let first = *control.borrow_and_update();
    let mut cursor = Cursor {
        control: first,
        position: first.position,
    };
    let mut failures = 0u32;
    loop {
        if cursor.control.paused {
            if control.changed().await.is_err() {
                return;
            }
            cursor.follow(*control.borrow_and_update());
            continue;
        }
        let fetched = tokio::select! {
            changed = control.changed() => {
                if changed.is_err() {
                    return;
                }
                cursor.follow(*control.borrow_and_update());
                continue;
            }
            fetched = log.fetch(&partition, cursor.position, max_bytes, FETCH_WAIT) => fetched,
        };
        let epoch = cursor.control.epoch;
        match fetched {
            Ok(fetched) => {
                failures = 0;
                if let Some(last) = fetched.records.last() {
                    cursor.position = last.offset + 1;
                    if out
                        .send((partition.clone(), epoch, Ok(fetched.records)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            }
            Err(error) => {
                let out_of_range = matches!(error, LogError::OffsetOutOfRange { .. });
                if out
                    .send((partition.clone(), epoch, Err(error)))
                    .await
                    .is_err()
                {
                    return;
                }
                if out_of_range {
                    // Wait for the consumer's seek.
                    if control.changed().await.is_err() {
                        return;
                    }
                    cursor.follow(*control.borrow_and_update());
                } else {
                    failures = failures.saturating_add(1);
                    let backoff =
                        Duration::from_millis(100u64.saturating_mul(1 << failures.min(5)));
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }
}
