//! Offsets in a Kafka topic (`offset.storage.topic`), record for record as Kafka Connect's
//! `KafkaOffsetBackingStore` writes them, so offsets written by Apache Kafka Connect are resumed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use connect_api::error::{ConnectError, Result};
use connect_api::record::OffsetMap;
use connect_log::{Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition, StoredRecord};
use tokio::sync::{Mutex, MutexGuard};

use super::{
    OffsetEntry, OffsetStore, canonical, offset_key, parse_offset_key, parse_offset_value,
};
use crate::producer::partition_for_key;
use crate::topic_reader::{self, ReadFailure};

/// Offsets kept in a compacted topic: key `["<connector>",{partition}]`, value `{offset}` or null.
///
/// Several workers may share the topic: [`get`](OffsetStore::get) and
/// [`connector_offsets`](OffsetStore::connector_offsets) first read what was written since the
/// store last looked, so a task that moves between workers resumes from its latest offset.
///
/// ```no_run
/// use std::sync::Arc;
/// use connect_log::kafka::{KafkaConfig, KafkaLog};
/// use connect_runtime::offsets::{OffsetStore, TopicOffsetStore};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let log = KafkaLog::connect(KafkaConfig::new(["localhost:9092"])).await?;
/// // 25 partitions and replication factor 3, Kafka Connect's defaults.
/// let store = TopicOffsetStore::open(Arc::new(log), "connect-offsets", 25, 3).await?;
/// for (partition, offset) in store.connector_offsets("local-file-source").await? {
///     println!("{partition:?}: {offset:?}");
/// }
/// # Ok(())
/// # }
/// ```
pub struct TopicOffsetStore {
    log: Arc<dyn Log>,
    topic: Arc<str>,
    partitions: i32,
    state: Mutex<State>,
}

/// What the store knows of the topic, and how far it has read it.
///
/// Other workers of a distributed cluster write to the same topic (a task moves here from a
/// worker that was stopped or killed), so [`get`](OffsetStore::get) and
/// [`connector_offsets`](OffsetStore::connector_offsets) first read each partition from `next`
/// to its end, as Kafka Connect's `KafkaOffsetBackingStore.get` reads to the end first.
///
/// The store's own writes are applied when [`set`](OffsetStore::set) has appended them, and read
/// back later like any other record. Each known offset remembers the position (partition and
/// offset) of the record that set it, and a record is applied only if it is not older than that
/// position: a key always goes to the same partition, whose order is the order of the writes,
/// so the newest record wins whatever order records reach memory in. Reading back an own record
/// re-applies the same value; reading an older record of another worker, appended before the
/// own write but not read yet, leaves the own newer value in place. Removals (tombstones) are
/// kept with their position for the same reason.
struct State {
    /// By [`canonical`] id of connector and source partition.
    entries: HashMap<String, Entry>,
    /// Per partition of the topic, the offset to read from next.
    next: Vec<i64>,
}

/// One source partition's offset as the topic last said it.
struct Entry {
    connector: String,
    partition: OffsetMap,
    /// `None` once removed by a tombstone.
    offset: Option<OffsetMap>,
    /// The partition of the topic and the offset in it of the record that set it.
    position: (i32, i64),
}

impl State {
    /// Applies one record read from partition `number` of `topic`.
    fn apply(&mut self, topic: &str, number: i32, stored: &StoredRecord) {
        let Some((connector, source_partition)) =
            stored.record.key.as_deref().and_then(parse_offset_key)
        else {
            tracing::warn!(
                topic,
                partition = number,
                offset = stored.offset,
                "ignoring an offsets record whose key is not [connector, partition]"
            );
            return;
        };
        let offset = parse_offset_value(stored.record.value.as_deref());
        self.put(connector, source_partition, offset, (number, stored.offset));
    }

    /// Records `offset` for a source partition unless what is known comes from a later record
    /// of the same partition of the topic.
    fn put(
        &mut self,
        connector: String,
        partition: OffsetMap,
        offset: Option<OffsetMap>,
        position: (i32, i64),
    ) {
        let id = canonical(&connector, &partition);
        if let Some(known) = self.entries.get(&id)
            && known.position.0 == position.0
            && known.position.1 > position.1
        {
            return;
        }
        self.entries.insert(
            id,
            Entry {
                connector,
                partition,
                offset,
                position,
            },
        );
    }

    /// Reads partition `number` of `topic` from where the store stopped to its end. After a
    /// failure the records before the failed fetch stay applied, and the next read goes on
    /// from there.
    async fn read(&mut self, log: &dyn Log, topic: &str, number: i32) -> Result<(), ReadFailure> {
        let Some(slot) = usize::try_from(number)
            .ok()
            .filter(|&slot| slot < self.next.len())
        else {
            return Ok(());
        };
        let partition = Partition::new(topic, number);
        let from = self.next[slot];
        match topic_reader::read_to_end(log, &partition, from, |stored| {
            self.apply(topic, number, stored);
        })
        .await
        {
            Ok(next) => {
                self.next[slot] = next;
                Ok(())
            }
            Err(failure) => {
                self.next[slot] = failure.offset;
                Err(failure)
            }
        }
    }
}

impl TopicOffsetStore {
    /// Creates the topic (compacted) when missing and reads it to its end.
    ///
    /// # Errors
    ///
    /// When the topic cannot be created or read.
    pub async fn open(
        log: Arc<dyn Log>,
        topic: &str,
        partitions: i32,
        replication_factor: i16,
    ) -> Result<Self> {
        let context =
            |e: LogError| ConnectError::other_from(format!("offsets topic {topic}: {e}"), e);
        let new = NewTopic::new(topic, partitions)
            .compacted()
            .with_replication_factor(replication_factor);
        log.create_topic(&new).await.map_err(context)?;
        let count = log
            .partition_count(topic)
            .await
            .map_err(context)?
            .ok_or_else(|| ConnectError::other(format!("offsets topic {topic} does not exist")))?;
        let mut state = State {
            entries: HashMap::new(),
            next: Vec::new(),
        };
        for number in 0..count {
            let earliest = log
                .offset(&Partition::new(topic, number), OffsetSpec::Earliest)
                .await
                .map_err(context)?;
            state.next.push(earliest);
        }
        for number in 0..count {
            state
                .read(&*log, topic, number)
                .await
                .map_err(|failure| context(failure.source))?;
        }
        Ok(Self {
            log,
            topic: topic.into(),
            partitions: count,
            state: Mutex::new(state),
        })
    }

    /// Locks the state after reading every partition to its end.
    ///
    /// A partition that cannot be read is logged and skipped: the offsets read so far are
    /// served. An offset another worker committed since is then missed, and the task resumes
    /// from an older offset and produces some records again, which at-least-once delivery
    /// allows; failing instead would stop tasks from starting while the topic is briefly
    /// unavailable.
    async fn read_to_end(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().await;
        for number in 0..self.partitions {
            if let Err(failure) = state.read(&*self.log, &self.topic, number).await {
                tracing::warn!(
                    topic = %self.topic,
                    partition = number,
                    offset = failure.offset,
                    error = %failure.source,
                    "could not read the offsets topic to its end; using the offsets read so far"
                );
            }
        }
        state
    }
}

#[async_trait]
impl OffsetStore for TopicOffsetStore {
    async fn get(
        &self,
        connector: &str,
        partitions: &[OffsetMap],
    ) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let state = self.read_to_end().await;
        Ok(partitions
            .iter()
            .filter_map(|p| {
                let offset = state
                    .entries
                    .get(&canonical(connector, p))?
                    .offset
                    .as_ref()?;
                Some((p.clone(), offset.clone()))
            })
            .collect())
    }

    async fn connector_offsets(&self, connector: &str) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let state = self.read_to_end().await;
        Ok(state
            .entries
            .values()
            .filter(|entry| entry.connector == connector)
            .filter_map(|entry| Some((entry.partition.clone(), entry.offset.clone()?)))
            .collect())
    }

    async fn set(&self, connector: &str, entries: Vec<OffsetEntry>) -> Result<()> {
        let mut batches: BTreeMap<i32, (Vec<LogRecord>, Vec<OffsetEntry>)> = BTreeMap::new();
        let timestamp = crate::errors::now_millis();
        for (partition, offset) in entries {
            let key = offset_key(connector, &partition);
            let number = partition_for_key(&key, self.partitions);
            let value = offset
                .as_ref()
                .map(|o| Bytes::from(serde_json::to_vec(o).unwrap_or_default()));
            let (records, written) = batches.entry(number).or_default();
            records.push(LogRecord {
                key: Some(Bytes::from(key)),
                value,
                headers: Vec::new(),
                timestamp,
            });
            written.push((partition, offset));
        }
        for (number, (records, written)) in batches {
            let positions = self
                .log
                .append(&Partition::new(self.topic.clone(), number), records)
                .await
                .map_err(|e| {
                    ConnectError::other_from(
                        format!("writing offsets to topic {}: {e}", self.topic),
                        e,
                    )
                })?;
            // Applied at once, with their positions, so this worker sees its own writes even
            // before it reads them back (see `State`).
            let mut state = self.state.lock().await;
            for ((partition, offset), position) in written.into_iter().zip(positions) {
                state.put(connector.to_owned(), partition, offset, (number, position));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashMap;

    use serde_json::json;

    use super::*;
    use crate::test_support::FaultyLog;

    const TOPIC: &str = "connect-offsets";

    async fn open(log: Arc<dyn Log>) -> TopicOffsetStore {
        TopicOffsetStore::open(log, TOPIC, 5, 1).await.unwrap()
    }

    fn map(value: serde_json::Value) -> OffsetMap {
        match value {
            serde_json::Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn file(name: &str) -> OffsetMap {
        map(json!({ "filename": name }))
    }

    fn position(n: i64) -> OffsetMap {
        map(json!({ "position": n }))
    }

    async fn get(store: &TopicOffsetStore, partition: &OffsetMap) -> Option<OffsetMap> {
        store
            .get("source", std::slice::from_ref(partition))
            .await
            .unwrap()
            .pop()
            .map(|(_, offset)| offset)
    }

    #[tokio::test]
    async fn workers_see_each_others_offsets() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let first = open(log.clone()).await;
        let second = open(log.clone()).await;
        let (a, b) = (file("a.txt"), file("b.txt"));

        first
            .set("source", vec![(a.clone(), Some(position(10)))])
            .await
            .unwrap();
        assert_eq!(get(&second, &a).await, Some(position(10)));

        second
            .set(
                "source",
                vec![
                    (a.clone(), Some(position(20))),
                    (b.clone(), Some(position(5))),
                ],
            )
            .await
            .unwrap();
        assert_eq!(get(&first, &a).await, Some(position(20)));
        let mut all = first.connector_offsets("source").await.unwrap();
        all.sort_by_key(|(partition, _)| partition["filename"].to_string());
        assert_eq!(all, [(a.clone(), position(20)), (b.clone(), position(5))]);

        // A tombstone removes the offset for both.
        first.set("source", vec![(b.clone(), None)]).await.unwrap();
        assert_eq!(get(&first, &b).await, None);
        assert_eq!(get(&second, &b).await, None);
        assert_eq!(second.connector_offsets("source").await.unwrap().len(), 1);

        // A store opened later reads the same.
        let third = open(log).await;
        assert_eq!(get(&third, &a).await, Some(position(20)));
        assert_eq!(get(&third, &b).await, None);
    }

    #[tokio::test]
    async fn an_older_record_read_late_does_not_hide_a_newer_own_write() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let first = open(log.clone()).await;
        let second = open(log.clone()).await;
        let a = file("a.txt");

        // The second worker writes first, then the first worker writes the same partition
        // before it has read that record.
        second
            .set("source", vec![(a.clone(), Some(position(1)))])
            .await
            .unwrap();
        first
            .set("source", vec![(a.clone(), Some(position(2)))])
            .await
            .unwrap();
        assert_eq!(get(&first, &a).await, Some(position(2)));
        assert_eq!(get(&second, &a).await, Some(position(2)));

        // The same with a removal.
        second
            .set("source", vec![(a.clone(), Some(position(3)))])
            .await
            .unwrap();
        first.set("source", vec![(a.clone(), None)]).await.unwrap();
        assert_eq!(get(&first, &a).await, None);
        assert_eq!(get(&second, &a).await, None);
    }

    #[test]
    fn a_record_applies_only_if_not_older_than_what_is_known() {
        let mut state = State {
            entries: HashMap::new(),
            next: vec![0],
        };
        let a = file("a.txt");
        let record = |offset: i64, value: Option<OffsetMap>| StoredRecord {
            offset,
            record: LogRecord {
                key: Some(Bytes::from(offset_key("source", &a))),
                value: value.map(|v| Bytes::from(serde_json::to_vec(&v).unwrap())),
                headers: Vec::new(),
                timestamp: 0,
            },
        };
        let known = |state: &State| state.entries[&canonical("source", &a)].offset.clone();
        // An own write at offset 1, then the older record at offset 0 read back: kept.
        state.put("source".into(), a.clone(), Some(position(2)), (0, 1));
        state.apply(TOPIC, 0, &record(0, Some(position(1))));
        assert_eq!(known(&state), Some(position(2)));
        // Reading the own record back changes nothing; a later one applies, tombstone included.
        state.apply(TOPIC, 0, &record(1, Some(position(2))));
        assert_eq!(known(&state), Some(position(2)));
        state.apply(TOPIC, 0, &record(2, None));
        assert_eq!(known(&state), None);
        state.apply(TOPIC, 0, &record(1, Some(position(2))));
        assert_eq!(known(&state), None);
        // Another partition of the topic is not comparable: it applies.
        state.apply(TOPIC, 1, &record(0, Some(position(9))));
        assert_eq!(known(&state), Some(position(9)));
    }

    #[tokio::test]
    async fn an_unreadable_topic_serves_what_is_known() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let flaky = Arc::new(FaultyLog::new(log.clone()));
        let first = open(flaky.clone()).await;
        let second = open(log).await;
        let (a, b) = (file("a.txt"), file("b.txt"));

        first
            .set("source", vec![(a.clone(), Some(position(1)))])
            .await
            .unwrap();
        second
            .set("source", vec![(b.clone(), Some(position(7)))])
            .await
            .unwrap();
        flaky.fail_fetches(true);
        assert_eq!(get(&first, &a).await, Some(position(1)));
        assert_eq!(get(&first, &b).await, None);

        flaky.fail_fetches(false);
        assert_eq!(get(&first, &b).await, Some(position(7)));
        assert_eq!(get(&first, &a).await, Some(position(1)));
    }
}
