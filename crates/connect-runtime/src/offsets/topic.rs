//! Offsets in a Kafka topic (`offset.storage.topic`), record for record as Kafka Connect's
//! `KafkaOffsetBackingStore` writes them, so offsets written by Apache Kafka Connect are resumed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use connect_api::error::{ConnectError, Result};
use connect_api::record::OffsetMap;
use connect_log::{Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition};
use tokio::sync::Mutex;

use super::{
    OffsetEntry, OffsetStore, canonical, offset_key, parse_offset_key, parse_offset_value,
};
use crate::producer::partition_for_key;
use crate::topic_reader;

/// Offsets kept in a compacted topic: key `["<connector>",{partition}]`, value `{offset}` or null.
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
    offsets: Mutex<HashMap<String, (String, OffsetMap, OffsetMap)>>,
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
        let mut offsets = HashMap::new();
        for number in 0..count {
            let partition = Partition::new(topic, number);
            let earliest = log
                .offset(&partition, OffsetSpec::Earliest)
                .await
                .map_err(context)?;
            topic_reader::read_to_end(&*log, &partition, earliest, |stored| {
                let Some((connector, source_partition)) =
                    stored.record.key.as_deref().and_then(parse_offset_key)
                else {
                    tracing::warn!(
                        topic,
                        offset = stored.offset,
                        "ignoring an offsets record whose key is not [connector, partition]"
                    );
                    return;
                };
                let id = canonical(&connector, &source_partition);
                match parse_offset_value(stored.record.value.as_deref()) {
                    Some(offset) => {
                        offsets.insert(id, (connector, source_partition, offset));
                    }
                    None => {
                        offsets.remove(&id);
                    }
                }
            })
            .await
            .map_err(|failure| context(failure.source))?;
        }
        Ok(Self {
            log,
            topic: topic.into(),
            partitions: count,
            offsets: Mutex::new(offsets),
        })
    }
}

#[async_trait]
impl OffsetStore for TopicOffsetStore {
    async fn get(
        &self,
        connector: &str,
        partitions: &[OffsetMap],
    ) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let offsets = self.offsets.lock().await;
        Ok(partitions
            .iter()
            .filter_map(|p| {
                offsets
                    .get(&canonical(connector, p))
                    .map(|(_, _, o)| (p.clone(), o.clone()))
            })
            .collect())
    }

    async fn connector_offsets(&self, connector: &str) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let offsets = self.offsets.lock().await;
        Ok(offsets
            .values()
            .filter(|(c, _, _)| c == connector)
            .map(|(_, p, o)| (p.clone(), o.clone()))
            .collect())
    }

    async fn set(&self, connector: &str, entries: Vec<OffsetEntry>) -> Result<()> {
        let mut batches: BTreeMap<i32, Vec<LogRecord>> = BTreeMap::new();
        let timestamp = crate::errors::now_millis();
        for (partition, offset) in &entries {
            let key = offset_key(connector, partition);
            let number = partition_for_key(&key, self.partitions);
            let value = offset
                .as_ref()
                .map(|o| Bytes::from(serde_json::to_vec(o).unwrap_or_default()));
            batches.entry(number).or_default().push(LogRecord {
                key: Some(Bytes::from(key)),
                value,
                headers: Vec::new(),
                timestamp,
            });
        }
        for (number, records) in batches {
            self.log
                .append(&Partition::new(self.topic.clone(), number), records)
                .await
                .map_err(|e| {
                    ConnectError::other_from(
                        format!("writing offsets to topic {}: {e}", self.topic),
                        e,
                    )
                })?;
        }
        let mut offsets = self.offsets.lock().await;
        for (partition, offset) in entries {
            let id = canonical(connector, &partition);
            match offset {
                Some(offset) => {
                    offsets.insert(id, (connector.to_owned(), partition, offset));
                }
                None => {
                    offsets.remove(&id);
                }
            }
        }
        Ok(())
    }
}
