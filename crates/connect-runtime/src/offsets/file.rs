//! The standalone offset file (`offset.storage.file.filename`).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use connect_api::error::{ConnectError, Result};
use connect_api::record::OffsetMap;
use tokio::sync::Mutex;

use super::java_serialized::{self, Entry};
use super::{
    OffsetEntry, OffsetStore, canonical, offset_key, parse_offset_key, parse_offset_value,
};

struct Stored {
    connector: String,
    partition: OffsetMap,
    key: Vec<u8>,
    value: Vec<u8>,
}

#[derive(Default)]
struct Contents {
    offsets: HashMap<String, Stored>,
    /// Entries whose key is not Kafka Connect's shape: kept as they were.
    foreign: Vec<Entry>,
}

/// Offsets in a file, in the format of Kafka's `FileOffsetBackingStore` (a Java-serialized
/// `HashMap<byte[], byte[]>` of the offset keys and values), rewritten whole and atomically on
/// every commit. A file written by Apache Kafka Connect is resumed, and the other way round.
///
/// ```
/// use connect_runtime::offsets::{FileOffsetStore, OffsetStore};
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("connect.offsets");
/// let partition = json!({"filename": "in.txt"}).as_object().cloned().unwrap_or_default();
/// let offset = json!({"position": 42}).as_object().cloned().unwrap_or_default();
///
/// let store = FileOffsetStore::open(&path).await?; // no file yet: starts empty
/// store.set("local-file-source", vec![(partition.clone(), Some(offset.clone()))]).await?;
///
/// let reopened = FileOffsetStore::open(&path).await?;
/// let found = reopened.get("local-file-source", &[partition.clone()]).await?;
/// assert_eq!(found, [(partition, offset)]);
/// # Ok(())
/// # }
/// ```
pub struct FileOffsetStore {
    path: PathBuf,
    contents: Mutex<Contents>,
}

impl FileOffsetStore {
    /// Opens the file, or starts empty when it does not exist.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not an offset file; the message names the path.
    pub async fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let read_path = path.clone();
        let data = tokio::task::spawn_blocking(move || match std::fs::read(&read_path) {
            Ok(data) => Ok(Some(data)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        })
        .await
        .map_err(|e| ConnectError::other(format!("reading offset file {}: {e}", path.display())))?
        .map_err(|e| {
            ConnectError::other(format!(
                "Could not read offset file {}: {e}",
                path.display()
            ))
        })?;
        let mut contents = Contents::default();
        if let Some(data) = data.filter(|d| !d.is_empty()) {
            let entries = java_serialized::read(&data).map_err(|e| {
                ConnectError::other(format!(
                    "Could not read offset file {}: {e}",
                    path.display()
                ))
            })?;
            for (key, value) in entries {
                let parsed = key.as_deref().and_then(parse_offset_key);
                match (parsed, value) {
                    (Some((connector, partition)), Some(value)) => {
                        let id = canonical(&connector, &partition);
                        let key = key.unwrap_or_default();
                        contents.offsets.insert(
                            id,
                            Stored {
                                connector,
                                partition,
                                key,
                                value,
                            },
                        );
                    }
                    (Some(_), None) => {}
                    (None, value) => {
                        tracing::warn!(path = %path.display(), "ignoring an offset entry whose key is not [connector, partition]");
                        contents.foreign.push((key, value));
                    }
                }
            }
        }
        Ok(Self {
            path,
            contents: Mutex::new(contents),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl OffsetStore for FileOffsetStore {
    async fn get(
        &self,
        connector: &str,
        partitions: &[OffsetMap],
    ) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let contents = self.contents.lock().await;
        Ok(partitions
            .iter()
            .filter_map(|partition| {
                let stored = contents.offsets.get(&canonical(connector, partition))?;
                Some((partition.clone(), parse_offset_value(Some(&stored.value))?))
            })
            .collect())
    }

    async fn connector_offsets(&self, connector: &str) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let contents = self.contents.lock().await;
        Ok(contents
            .offsets
            .values()
            .filter(|stored| stored.connector == connector)
            .filter_map(|stored| {
                Some((
                    stored.partition.clone(),
                    parse_offset_value(Some(&stored.value))?,
                ))
            })
            .collect())
    }

    async fn set(&self, connector: &str, offsets: Vec<OffsetEntry>) -> Result<()> {
        let mut contents = self.contents.lock().await;
        for (partition, offset) in offsets {
            let id = canonical(connector, &partition);
            match offset {
                None => {
                    contents.offsets.remove(&id);
                }
                Some(offset) => {
                    let key = match contents.offsets.get(&id) {
                        Some(stored) => stored.key.clone(),
                        None => offset_key(connector, &partition),
                    };
                    let value = serde_json::to_vec(&offset).unwrap_or_default();
                    let stored = Stored {
                        connector: connector.to_owned(),
                        partition,
                        key,
                        value,
                    };
                    contents.offsets.insert(id, stored);
                }
            }
        }
        let mut entries: Vec<Entry> = contents
            .offsets
            .values()
            .map(|s| (Some(s.key.clone()), Some(s.value.clone())))
            .collect();
        entries.extend(contents.foreign.iter().cloned());
        let bytes = java_serialized::write(&entries);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || replace_file(&path, &bytes))
            .await
            .map_err(|e| ConnectError::other(format!("writing offset file: {e}")))?
            .map_err(|e| {
                ConnectError::other(format!(
                    "Could not write offset file {}: {e}",
                    self.path.display()
                ))
            })
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`, so a
/// crash leaves either the old file or the new one.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: serde_json::Value) -> OffsetMap {
        value.as_object().cloned().unwrap()
    }

    #[tokio::test]
    async fn offsets_survive_reopening_and_resets_remove_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let store = FileOffsetStore::open(&path).await.unwrap();
        let a = map(json!({"filename": "a.txt"}));
        let b = map(json!({"filename": "b.txt"}));
        store
            .set(
                "src",
                vec![
                    (a.clone(), Some(map(json!({"position": 48})))),
                    (b.clone(), Some(map(json!({"position": 2})))),
                ],
            )
            .await
            .unwrap();
        store.set("src", vec![(b.clone(), None)]).await.unwrap();
        let reopened = FileOffsetStore::open(&path).await.unwrap();
        let found = reopened.get("src", &[a.clone(), b.clone()]).await.unwrap();
        assert_eq!(found, vec![(a.clone(), map(json!({"position": 48})))]);
        assert!(reopened.get("other", &[a]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_file_in_kafkas_format_with_other_field_order_is_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let entries = vec![(
            Some(br#"["jdbc",{"table":"t","db":"d"}]"#.to_vec()),
            Some(br#"{"id":7}"#.to_vec()),
        )];
        std::fs::write(&path, java_serialized::write(&entries)).unwrap();
        let store = FileOffsetStore::open(&path).await.unwrap();
        let partition = map(json!({"db": "d", "table": "t"}));
        assert_eq!(
            store
                .get("jdbc", std::slice::from_ref(&partition))
                .await
                .unwrap(),
            vec![(partition.clone(), map(json!({"id": 7})))]
        );
        // Rewriting keeps the original key bytes, so Kafka Connect finds its entry again.
        store
            .set("jdbc", vec![(partition, Some(map(json!({"id": 8}))))])
            .await
            .unwrap();
        let entries = java_serialized::read(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            entries[0].0.as_deref(),
            Some(&br#"["jdbc",{"table":"t","db":"d"}]"#[..])
        );
        assert_eq!(entries[0].1.as_deref(), Some(&br#"{"id":8}"#[..]));
    }

    #[tokio::test]
    async fn a_corrupt_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.offsets");
        std::fs::write(&path, b"garbage").unwrap();
        let err = FileOffsetStore::open(&path).await.err().unwrap();
        assert!(err.to_string().contains("bad.offsets"), "{err}");
    }
}
