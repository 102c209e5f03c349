//! Source offsets: where they are stored (the standalone offset file or a Kafka offsets topic,
//! both in Kafka Connect's key and value format) and when they become committable.

mod file;
mod java_serialized;
mod submitted;
mod topic;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use connect_api::error::{ConnectError, Result};
use connect_api::record::OffsetMap;
use connect_api::task::OffsetStorageReader;
use serde_json::Value as Json;

pub use file::FileOffsetStore;
pub use submitted::{SubmittedId, SubmittedRecords};
pub use topic::TopicOffsetStore;

/// One stored offset: the source partition and its offset (`None` once reset).
pub type OffsetEntry = (OffsetMap, Option<OffsetMap>);

/// Where source offsets are kept. Keys and values are Kafka Connect's:
/// `["<connector>",{<partition>}]` and `{<offset>}` as JSON.
///
/// The runtime uses a [`FileOffsetStore`] or a [`TopicOffsetStore`], as the worker config says;
/// another store can be given to [`RuntimeBuilder::offset_store`](crate::RuntimeBuilder::offset_store):
///
/// ```
/// use std::sync::Mutex;
/// use async_trait::async_trait;
/// use connect_api::error::Result;
/// use connect_api::record::OffsetMap;
/// use connect_runtime::offsets::{OffsetEntry, OffsetStore};
/// use serde_json::json;
///
/// /// Offsets in memory: connector, partition, offset.
/// #[derive(Default)]
/// struct InMemory(Mutex<Vec<(String, OffsetMap, OffsetMap)>>);
///
/// #[async_trait]
/// impl OffsetStore for InMemory {
///     async fn get(&self, connector: &str, partitions: &[OffsetMap]) -> Result<Vec<(OffsetMap, OffsetMap)>> {
///         let stored = self.0.lock().unwrap();
///         Ok(stored
///             .iter()
///             .filter(|(c, p, _)| c == connector && partitions.contains(p))
///             .map(|(_, p, o)| (p.clone(), o.clone()))
///             .collect())
///     }
///     async fn connector_offsets(&self, connector: &str) -> Result<Vec<(OffsetMap, OffsetMap)>> {
///         let stored = self.0.lock().unwrap();
///         Ok(stored.iter().filter(|(c, _, _)| c == connector).map(|(_, p, o)| (p.clone(), o.clone())).collect())
///     }
///     async fn set(&self, connector: &str, offsets: Vec<OffsetEntry>) -> Result<()> {
///         let mut stored = self.0.lock().unwrap();
///         for (partition, offset) in offsets {
///             stored.retain(|(c, p, _)| !(c == connector && *p == partition));
///             if let Some(offset) = offset {
///                 stored.push((connector.to_owned(), partition, offset));
///             }
///         }
///         Ok(())
///     }
/// }
///
/// let map = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
/// let (partition, offset) = (map(json!({"file": "a.txt"})), map(json!({"position": 42})));
/// let store = InMemory::default();
/// futures::executor::block_on(async {
///     store.set("source", vec![(partition.clone(), Some(offset.clone()))]).await?;
///     assert_eq!(store.get("source", &[partition.clone()]).await?, [(partition.clone(), offset)]);
///     store.set("source", vec![(partition, None)]).await?; // a reset
///     assert!(store.connector_offsets("source").await?.is_empty());
///     Ok::<(), connect_api::error::ConnectError>(())
/// })?;
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[async_trait]
pub trait OffsetStore: Send + Sync + 'static {
    /// The offsets of these partitions of a connector; partitions without one are absent.
    async fn get(
        &self,
        connector: &str,
        partitions: &[OffsetMap],
    ) -> Result<Vec<(OffsetMap, OffsetMap)>>;

    /// Every offset of a connector.
    async fn connector_offsets(&self, connector: &str) -> Result<Vec<(OffsetMap, OffsetMap)>>;

    /// Writes offsets durably; a `None` offset removes the partition's offset.
    async fn set(&self, connector: &str, offsets: Vec<OffsetEntry>) -> Result<()>;
}

/// The key of an offset: `["<connector>",{<partition>}]`, compact JSON as Kafka Connect's
/// JsonConverter writes it.
pub fn offset_key(connector: &str, partition: &OffsetMap) -> Vec<u8> {
    let key = Json::Array(vec![
        Json::String(connector.to_owned()),
        Json::Object(partition.clone()),
    ]);
    serde_json::to_vec(&key).unwrap_or_default()
}

/// Parses an offset key, `None` when it is not the `[string, map]` shape (such keys are ignored,
/// as Kafka Connect ignores them).
pub fn parse_offset_key(key: &[u8]) -> Option<(String, OffsetMap)> {
    match serde_json::from_slice::<Json>(key).ok()? {
        Json::Array(mut parts) if parts.len() == 2 => {
            let partition = match parts.pop()? {
                Json::Object(map) => map,
                Json::Null => OffsetMap::new(),
                _ => return None,
            };
            match parts.pop()? {
                Json::String(name) => Some((name, partition)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Parses an offset value: a JSON object, or null.
pub fn parse_offset_value(value: Option<&[u8]>) -> Option<OffsetMap> {
    match serde_json::from_slice::<Json>(value?).ok()? {
        Json::Object(map) => Some(map),
        _ => None,
    }
}

/// The same partition written by another serializer may order its fields differently: this
/// identity ignores order.
pub(crate) fn canonical(connector: &str, partition: &OffsetMap) -> String {
    fn write(value: &Json, out: &mut String) {
        match value {
            Json::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Json::String(key.clone()).to_string());
                    out.push(':');
                    if let Some(v) = map.get(key) {
                        write(v, out);
                    }
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = Json::String(connector.to_owned()).to_string();
    out.push('|');
    write(&Json::Object(partition.clone()), &mut out);
    out
}

/// Checks Kafka Connect's rules for offsets: string keys (always, in JSON) and primitive values.
///
/// # Errors
///
/// Kafka's messages for a nested value.
pub fn validate_offset(partition: &OffsetMap, offset: Option<&OffsetMap>) -> Result<()> {
    for (what, map) in [("partitions", Some(partition)), ("offsets", offset)] {
        let Some(map) = map else { continue };
        for (key, value) in map {
            if value.is_object() || value.is_array() {
                let kind = if what == "partitions" {
                    "Partition"
                } else {
                    "Offsets"
                };
                return Err(ConnectError::Config(
                    connect_api::error::ConfigError::other(format!(
                        "{kind} may only contain primitive types as values, but field {key} contains {value}"
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// The offset reader a source task or connector gets: offsets of one connector.
pub(crate) struct ConnectorOffsetReader {
    pub(crate) connector: Arc<str>,
    pub(crate) store: Arc<dyn OffsetStore>,
}

#[async_trait]
impl OffsetStorageReader for ConnectorOffsetReader {
    async fn offset(&self, partition: &OffsetMap) -> Result<Option<OffsetMap>> {
        let found = self
            .store
            .get(&self.connector, std::slice::from_ref(partition))
            .await?;
        Ok(found.into_iter().next().map(|(_, offset)| offset))
    }

    async fn offsets(
        &self,
        partitions: &[OffsetMap],
    ) -> Result<Vec<(OffsetMap, Option<OffsetMap>)>> {
        let found = self.store.get(&self.connector, partitions).await?;
        let mut by_key: HashMap<String, OffsetMap> = found
            .into_iter()
            .map(|(partition, offset)| (canonical(&self.connector, &partition), offset))
            .collect();
        Ok(partitions
            .iter()
            .map(|p| (p.clone(), by_key.remove(&canonical(&self.connector, p))))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Json) -> OffsetMap {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn keys_are_kafka_connect_json() {
        let key = offset_key(
            "local-file-source",
            &map(json!({"filename": "/data/test.txt"})),
        );
        assert_eq!(
            key,
            br#"["local-file-source",{"filename":"/data/test.txt"}]"#
        );
        let (name, partition) = parse_offset_key(&key).unwrap();
        assert_eq!(name, "local-file-source");
        assert_eq!(partition["filename"], "/data/test.txt");
        assert_eq!(parse_offset_key(br#"{"a":1}"#), None);
        assert_eq!(parse_offset_key(br#"[1,{}]"#), None);
        assert_eq!(
            parse_offset_key(br#"["c",null]"#).unwrap().1,
            OffsetMap::new()
        );
    }

    #[test]
    fn identity_ignores_field_order() {
        let a = map(json!({"db": "x", "table": "y"}));
        let b: OffsetMap = serde_json::from_str(r#"{"table":"y","db":"x"}"#).unwrap();
        assert_eq!(canonical("c", &a), canonical("c", &b));
        assert_ne!(canonical("c", &a), canonical("d", &a));
    }

    #[test]
    fn nested_values_are_rejected_with_kafka_messages() {
        let err = validate_offset(
            &map(json!({"f": "a"})),
            Some(&map(json!({"position": [1]}))),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Offsets may only contain primitive types as values, but field position contains [1]"
        );
        assert!(validate_offset(&map(json!({"f": "a"})), None).is_ok());
    }
}
