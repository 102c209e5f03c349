//! Writing records to the log: one ordered sender per partition, so that a partition's records
//! are appended in order with one append in flight (Kafka Connect's
//! `max.in.flight.requests.per.connection=1`), while the task goes on polling and the next batch
//! accumulates.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use connect_log::{Log, LogError, LogRecord, NewTopic, Partition};
use tokio::sync::{mpsc, watch};

/// Records per append at most; more wait for the next one.
pub(crate) const MAX_BATCH_RECORDS: usize = 10_000;
/// Bytes per append at most (about Kafka's default `max.request.size` of 1 MiB).
const MAX_BATCH_BYTES: usize = 1 << 20;
/// The pause before an append that failed with a retriable error is tried again.
const RETRY_BACKOFF: Duration = Duration::from_millis(100);

/// Kafka's default partitioner for a keyed record: murmur2 of the key bytes, made positive,
/// modulo the partition count.
pub fn partition_for_key(key: &[u8], partitions: i32) -> i32 {
    let hash = murmur2::murmur2(key, murmur2::KAFKA_SEED) & 0x7fff_ffff;
    i32::try_from(hash % u32::try_from(partitions.max(1)).unwrap_or(1)).unwrap_or(0)
}

/// The outcome of one append: the records' tags and, in the same order, their offsets and
/// timestamps, or why none of them could be written.
#[derive(Debug)]
pub struct Ack<T> {
    /// The tags given with the records.
    pub tags: Vec<T>,
    /// Where they were written.
    pub partition: Partition,
    /// Offset and timestamp of each record, or why they could not be written.
    pub result: Result<Vec<(i64, i64)>, Arc<LogError>>,
}

type Pending<T> = Vec<(LogRecord, T)>;

/// A partition's queue and the task appending from it.
struct Sender<T> {
    queue: mpsc::UnboundedSender<Pending<T>>,
    task: tokio::task::JoinHandle<()>,
}

/// Sends records to the log and reports each one's outcome on the ack channel.
pub struct Producer<T> {
    log: Arc<dyn Log>,
    senders: HashMap<Partition, Sender<T>>,
    partition_counts: HashMap<Arc<str>, i32>,
    acks: mpsc::UnboundedSender<Ack<T>>,
    stopping: watch::Receiver<bool>,
    new_topic_partitions: i32,
    new_topic_replication: i16,
    round_robin: u32,
    client: String,
    on_new_topic: Box<dyn Fn(&str) + Send + Sync>,
}

impl<T: Send + 'static> Producer<T> {
    /// A producer whose acknowledgements arrive on the returned receiver. Topics that do not exist
    /// are created with `new_topic_partitions` and `new_topic_replication` (-1: the log's
    /// defaults); `on_new_topic` hears of each topic the first time it is written to.
    pub fn new(
        log: Arc<dyn Log>,
        client: String,
        stopping: watch::Receiver<bool>,
        new_topic_partitions: i32,
        new_topic_replication: i16,
        on_new_topic: Box<dyn Fn(&str) + Send + Sync>,
    ) -> (Self, mpsc::UnboundedReceiver<Ack<T>>) {
        let (acks, receiver) = mpsc::unbounded_channel();
        let producer = Self {
            log,
            senders: HashMap::new(),
            partition_counts: HashMap::new(),
            acks,
            stopping,
            new_topic_partitions,
            new_topic_replication,
            round_robin: 0,
            client,
            on_new_topic,
        };
        (producer, receiver)
    }

    /// Moves the partition chosen for keyless records on, once per batch (Kafka's sticky
    /// partitioning).
    pub fn next_batch(&mut self) {
        self.round_robin = self.round_robin.wrapping_add(1);
    }

    /// The number of partitions of `topic`, creating it when it does not exist.
    ///
    /// # Errors
    ///
    /// When the log cannot be asked or the topic cannot be created.
    pub async fn partition_count(&mut self, topic: &Arc<str>) -> Result<i32, LogError> {
        if let Some(count) = self.partition_counts.get(topic) {
            return Ok(*count);
        }
        let count = match self.log.partition_count(topic).await? {
            Some(count) => count,
            None => {
                let new = NewTopic::new(topic.to_string(), self.new_topic_partitions)
                    .with_replication_factor(self.new_topic_replication);
                if self.log.create_topic(&new).await? {
                    tracing::info!(client = %self.client, %topic, "created topic");
                }
                self.log
                    .partition_count(topic)
                    .await?
                    .ok_or_else(|| LogError::UnknownPartition(topic.to_string()))?
            }
        };
        self.partition_counts.insert(topic.clone(), count);
        (self.on_new_topic)(topic);
        Ok(count)
    }

    /// Chooses the partition of a record: the one it names, else by key, else sticky.
    ///
    /// # Errors
    ///
    /// When the topic's partitions cannot be learned, or the record names one that does not
    /// exist.
    pub async fn choose_partition(
        &mut self,
        topic: &Arc<str>,
        requested: Option<i32>,
        key: Option<&[u8]>,
    ) -> Result<Partition, LogError> {
        let count = self.partition_count(topic).await?;
        let number = match (requested, key) {
            (Some(number), _) if (0..count).contains(&number) => number,
            (Some(number), _) => {
                return Err(LogError::UnknownPartition(format!("{topic}-{number}")));
            }
            (None, Some(key)) => partition_for_key(key, count),
            (None, None) => {
                i32::try_from(self.round_robin % u32::try_from(count.max(1)).unwrap_or(1))
                    .unwrap_or(0)
            }
        };
        Ok(Partition::new(topic.clone(), number))
    }

    /// The number of partitions written to so far (one sender each).
    pub fn senders(&self) -> usize {
        self.senders.len()
    }

    /// Queues records for `partition`, in order; their ack arrives later on the ack channel.
    pub fn send(&mut self, partition: Partition, records: Vec<(LogRecord, T)>) {
        if records.is_empty() {
            return;
        }
        let sender = self.senders.entry(partition.clone()).or_insert_with(|| {
            let (queue, receiver) = mpsc::unbounded_channel();
            let task = tokio::spawn(send_loop(
                self.log.clone(),
                partition.clone(),
                receiver,
                self.acks.clone(),
                self.stopping.clone(),
            ));
            Sender { queue, task }
        });
        if let Err(mpsc::error::SendError(records)) = sender.queue.send(records) {
            // The sender task ended (the runtime is shutting down): report the records unwritten.
            let _ = self.acks.send(Ack {
                tags: records.into_iter().map(|(_, tag)| tag).collect(),
                partition,
                result: Err(Arc::new(LogError::Retriable(
                    "the producer is stopping".into(),
                ))),
            });
        }
    }

    /// Waits for what was queued to be appended (or to fail) and for the partitions' senders to
    /// end, so that nothing of this producer holds the log afterwards: a runtime that has shut
    /// down releases an embedded log to the next one opened in the same process.
    pub async fn close(&mut self) {
        for (_, sender) in self.senders.drain() {
            drop(sender.queue);
            let _ = sender.task.await;
        }
    }
}

/// Appends a partition's queued records in batches until the producer is dropped.
async fn send_loop<T>(
    log: Arc<dyn Log>,
    partition: Partition,
    mut queue: mpsc::UnboundedReceiver<Pending<T>>,
    acks: mpsc::UnboundedSender<Ack<T>>,
    mut stopping: watch::Receiver<bool>,
) {
    while let Some(mut batch) = queue.recv().await {
        let mut bytes: usize = batch.iter().map(|(r, _)| record_size(r)).sum();
        while batch.len() < MAX_BATCH_RECORDS && bytes < MAX_BATCH_BYTES {
            match queue.try_recv() {
                Ok(more) => {
                    bytes += more.iter().map(|(r, _)| record_size(r)).sum::<usize>();
                    batch.extend(more);
                }
                Err(_) => break,
            }
        }
        let (records, tags): (Vec<LogRecord>, Vec<T>) = batch.into_iter().unzip();
        let timestamps: Vec<i64> = records.iter().map(|r| r.timestamp).collect();
        let result = loop {
            // Records hold `Bytes`: a copy for a retry is cheap.
            match log.append(&partition, records.clone()).await {
                Err(error) if error.is_retriable() && !*stopping.borrow() => {
                    tracing::warn!(%partition, %error, "append failed, retrying");
                    tokio::select! {
                        () = tokio::time::sleep(RETRY_BACKOFF) => {}
                        _ = stopping.wait_for(|stop| *stop) => {}
                    }
                }
                other => break other,
            }
        };
        let result = result
            .map(|offsets| offsets.into_iter().zip(timestamps).collect())
            .map_err(Arc::new);
        if acks
            .send(Ack {
                tags,
                partition: partition.clone(),
                result,
            })
            .is_err()
        {
            return;
        }
    }
}

/// The approximate size of a record in a batch.
pub(crate) fn record_size(record: &LogRecord) -> usize {
    let field = |b: &Option<bytes::Bytes>| b.as_ref().map_or(0, bytes::Bytes::len);
    32 + field(&record.key)
        + field(&record.value)
        + record
            .headers
            .iter()
            .map(|(k, v)| k.len() + field(v) + 8)
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_records_land_where_kafkas_partitioner_puts_them() {
        // Values computed with Kafka's Utils.murmur2 (toPositive(murmur2(key)) % partitions).
        assert_eq!(
            murmur2::murmur2(b"21", murmur2::KAFKA_SEED) as i32,
            -973932308
        );
        assert_eq!(
            murmur2::murmur2(b"foobar", murmur2::KAFKA_SEED) as i32,
            -790332482
        );
        assert_eq!(
            partition_for_key(b"foobar", 3),
            (0x7fff_ffff & -790332482i32) % 3
        );
        for partitions in 1..10 {
            assert!((0..partitions).contains(&partition_for_key(b"any key", partitions)));
        }
    }
}
