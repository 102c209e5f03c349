//! Test doubles of the runtime's source task context and offset storage.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use connect_api::config::ConfigMap;
use connect_api::error::Result;
use connect_api::record::{OffsetMap, SourceRecord};
use connect_api::task::{OffsetStorageReader, SourceTaskContext};

/// Committed offsets, looked up by source partition.
#[derive(Default)]
pub struct MemoryOffsets {
    offsets: Mutex<Vec<(OffsetMap, OffsetMap)>>,
    reads: Mutex<Vec<OffsetMap>>,
}

impl MemoryOffsets {
    /// Stores `offset` (a JSON object) for `partition` (a JSON object).
    pub fn store(&self, partition: serde_json::Value, offset: serde_json::Value) {
        let (Some(partition), Some(offset)) = (partition.as_object(), offset.as_object()) else {
            panic!("partition and offset must be JSON objects");
        };
        self.offsets
            .lock()
            .unwrap()
            .push((partition.clone(), offset.clone()));
    }

    /// The partitions looked up so far.
    pub fn reads(&self) -> Vec<OffsetMap> {
        self.reads.lock().unwrap().clone()
    }
}

#[async_trait]
impl OffsetStorageReader for MemoryOffsets {
    async fn offset(&self, partition: &OffsetMap) -> Result<Option<OffsetMap>> {
        self.reads.lock().unwrap().push(partition.clone());
        Ok(self
            .offsets
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(p, _)| p == partition)
            .map(|(_, o)| o.clone()))
    }
}

/// A source task context over [`MemoryOffsets`].
pub struct Context {
    pub props: ConfigMap,
    pub offsets: Arc<MemoryOffsets>,
}

impl SourceTaskContext for Context {
    fn configs(&self) -> ConfigMap {
        self.props.clone()
    }

    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        self.offsets.clone()
    }
}

/// A configuration map from pairs.
pub fn props(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The values of records, as strings.
pub fn values(records: &[SourceRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| r.value.as_str().expect("string value").to_owned())
        .collect()
}

/// The `position` of each record's source offset.
pub fn positions(records: &[SourceRecord]) -> Vec<i64> {
    records
        .iter()
        .map(|r| {
            r.source_offset["position"]
                .as_i64()
                .expect("integer position")
        })
        .collect()
}
