//! The write-ahead log of a topic partition, in Confluent's `WALFile` format.
//!
//! A commit of several files is made atomic by logging, before any rename, one block of
//! `(temp path, committed path)` entries between a `("BEGIN", "")` and an `("END", "")` record.
//! After a crash, [`Wal::apply`] finishes the renames of every complete block; an incomplete
//! block means the renames never started.
//!
//! # File format
//!
//! Byte-compatible with `io.confluent.connect.hdfs.wal.WALFile`, so a log written by Confluent's
//! connector is replayed here and the other way round:
//!
//! - header: `'W' 'A' 'L' 0x00`, then a 16-byte sync marker chosen at random per file;
//! - record: `int32 recordLength`, `int32 keyLength`, then key and value, each a Hadoop
//!   `Text.writeString` (Hadoop variable-length int byte count, then UTF-8). `keyLength` is the
//!   length of the serialized key, `recordLength` that of key and value together. Ints are big
//!   endian;
//! - sync escape: `int32 -1` and the 16 sync bytes, written before a record once 2000 bytes
//!   (`SYNC_INTERVAL`) have passed since the last one (the header counts as position 0).
//!   Confluent's writer also writes one whenever it reopens a log for appending, so a reader
//!   accepts one before any record.
//!
//! # How this log is written
//!
//! Confluent's writer keeps `log` open (and its HDFS lease held) between commits and appends a
//! block per commit; another task, or the same task after a crash, then waits for the lease.
//! Here no file is ever held open between calls and nothing is appended to:
//! [`Wal::append_block`] writes the block as a complete new file `log.tmp` (header + block,
//! `hsync`, close), then rotates `log` to `log.1` and renames `log.tmp` to `log`. So `log` holds
//! the latest block and `log.1` the one before, which is all that recovery reads: the blocks
//! before the latest are already applied when the next one is written, and the latest offset is
//! taken from the last block. Every step leaves a state recovery handles (see
//! [`Wal::append_block`]); a file whose writer died is read only after its lease is recovered.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::naming::{CommittedFile, OLD_WAL_FILE, WAL_FILE};
use crate::storage::{Storage, StorageError};

/// The key of the record that opens a block.
pub const BEGIN_MARKER: &str = "BEGIN";

/// The key of the record that closes a block.
pub const END_MARKER: &str = "END";

/// The name of the file a new block is written to before it replaces `log`.
pub const NEW_WAL_FILE: &str = "log.tmp";

/// The first four bytes of a WAL file: `WAL` and format version 0.
const MAGIC: [u8; 4] = *b"WAL\0";

/// The length of the sync marker.
pub const SYNC_SIZE: usize = 16;

/// The "record length" announcing a sync marker.
const SYNC_ESCAPE: i32 = -1;

/// Bytes between sync markers (`100 * (4 + SYNC_SIZE)` in `WALFile`).
pub const SYNC_INTERVAL: usize = 2000;

/// The length of the header: magic and sync marker.
const HEADER_SIZE: usize = MAGIC.len() + SYNC_SIZE;

/// How long to wait for the recovery of a dead writer's lease on a log before giving up.
const LEASE_RECOVERY_TIMEOUT: Duration = Duration::from_secs(60);

/// A failed operation on a write-ahead log.
#[derive(Debug, thiserror::Error)]
pub enum WalError {
    /// The store failed.
    #[error("write-ahead log {path}: {source}")]
    Storage {
        /// The full path of the log file.
        path: String,
        /// The storage failure.
        #[source]
        source: StorageError,
    },
    /// The lease of the writer that last had the log open could not be recovered in time.
    #[error(
        "write-ahead log {path}: the previous writer's lease was not recovered within {seconds} s"
    )]
    LeaseRecovery {
        /// The full path of the log file.
        path: String,
        /// How long recovery was waited for.
        seconds: u64,
    },
}

/// One (key, value) record of a WAL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalRecord {
    /// The key: a temp file's path, or [`BEGIN_MARKER`] / [`END_MARKER`].
    pub key: String,
    /// The value: the committed file's path, or empty for a marker.
    pub value: String,
}

/// How the decoded part of a WAL file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalTail {
    /// At the end of the file, after a complete record (or the header).
    Clean,
    /// The file ends inside the header or a record: a write was cut short.
    Torn {
        /// Where the incomplete part starts.
        offset: usize,
    },
    /// The bytes at `offset` are not a WAL record (bad magic, sync marker or lengths).
    Corrupt {
        /// Where decoding stopped.
        offset: usize,
        /// What was wrong.
        reason: String,
    },
}

/// The records of a WAL file, up to the first torn or corrupt one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalContents {
    /// The records read, in order.
    pub records: Vec<WalRecord>,
    /// How the file ended.
    pub tail: WalTail,
}

impl WalContents {
    /// The entries of every complete BEGIN..END block, in order. Entries outside a block and
    /// a block without END (cut short, or followed by another BEGIN) are left out.
    pub fn complete_blocks(&self) -> Vec<Vec<(String, String)>> {
        let mut blocks = Vec::new();
        let mut pending: Option<Vec<(String, String)>> = None;
        for record in &self.records {
            if record.key == BEGIN_MARKER {
                pending = Some(Vec::new());
            } else if record.key == END_MARKER {
                if let Some(block) = pending.take() {
                    blocks.push(block);
                }
            } else if let Some(block) = pending.as_mut() {
                block.push((record.key.clone(), record.value.clone()));
            }
        }
        blocks
    }

    /// The largest end offset named by the committed paths of the last complete block that has
    /// entries, if any names one.
    pub fn latest_offset(&self) -> Option<i64> {
        self.complete_blocks()
            .iter()
            .rev()
            .find(|block| !block.is_empty())?
            .iter()
            .filter_map(|(_, committed)| CommittedFile::parse(committed))
            .map(|file| file.end_offset)
            .max()
    }
}

/// Appends Hadoop's variable-length encoding of `value` (`WritableUtils.writeVLong`).
fn write_vlong(out: &mut Vec<u8>, value: i64) {
    if (-112..=127).contains(&value) {
        out.push(value as u8);
        return;
    }
    let (magnitude, mut len) = if value < 0 {
        (!value, -120i64)
    } else {
        (value, -112i64)
    };
    let mut rest = magnitude;
    while rest != 0 {
        rest >>= 8;
        len -= 1;
    }
    out.push(len as u8);
    let bytes = if len < -120 {
        -(len + 120)
    } else {
        -(len + 112)
    };
    for index in (0..bytes).rev() {
        out.push((magnitude >> (index * 8)) as u8);
    }
}

/// Reads a Hadoop variable-length number at `*pos` of `data`.
fn read_vlong(data: &[u8], pos: &mut usize) -> Option<i64> {
    let first = *data.get(*pos)? as i8;
    *pos += 1;
    let size = if first >= -112 {
        1
    } else if first < -120 {
        -119 - i32::from(first)
    } else {
        -111 - i32::from(first)
    };
    if size == 1 {
        return Some(i64::from(first));
    }
    let mut value: i64 = 0;
    for _ in 1..size {
        value = (value << 8) | i64::from(*data.get(*pos)?);
        *pos += 1;
    }
    let negative = first < -120 || (-112..0).contains(&first);
    Some(if negative { !value } else { value })
}

/// Appends `text` as Hadoop's `Text.writeString` does.
fn write_text(out: &mut Vec<u8>, text: &str) {
    write_vlong(out, text.len() as i64);
    out.extend_from_slice(text.as_bytes());
}

/// Reads a `Text.writeString` string that must fill `data` exactly.
fn read_text(data: &[u8]) -> Option<String> {
    let mut pos = 0;
    let len = usize::try_from(read_vlong(data, &mut pos)?).ok()?;
    let bytes = data.get(pos..)?;
    (bytes.len() == len).then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// Encodes a complete WAL file: the header with `sync`, then `records` with sync escapes every
/// [`SYNC_INTERVAL`] bytes, exactly as `WALFile.Writer` lays out a new file.
pub fn encode(sync: &[u8; SYNC_SIZE], records: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_SIZE + records.len() * 64);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(sync);
    let mut last_sync = 0;
    let mut body = Vec::new();
    for (key, value) in records {
        body.clear();
        write_text(&mut body, key);
        let key_len = body.len();
        write_text(&mut body, value);
        if out.len() >= last_sync + SYNC_INTERVAL && out.len() != last_sync {
            out.extend_from_slice(&SYNC_ESCAPE.to_be_bytes());
            out.extend_from_slice(sync);
            last_sync = out.len();
        }
        out.extend_from_slice(&(body.len() as i32).to_be_bytes());
        out.extend_from_slice(&(key_len as i32).to_be_bytes());
        out.extend_from_slice(&body);
    }
    out
}

/// Reads a big-endian `int32` at `pos`, `None` past the end.
fn read_i32(data: &[u8], pos: usize) -> Option<i32> {
    let bytes: [u8; 4] = data.get(pos..pos + 4)?.try_into().ok()?;
    Some(i32::from_be_bytes(bytes))
}

/// Decodes a WAL file, stopping at the first torn or corrupt record. A file too short for the
/// header is torn; one with another magic is corrupt.
pub fn decode(data: &[u8]) -> WalContents {
    let mut records = Vec::new();
    let corrupt = |records, offset, reason: &str| WalContents {
        records,
        tail: WalTail::Corrupt {
            offset,
            reason: reason.to_owned(),
        },
    };
    let torn = |records, offset| WalContents {
        records,
        tail: WalTail::Torn { offset },
    };
    if data.len() >= 3 && data[..3] != MAGIC[..3] {
        return corrupt(records, 0, "not a WAL file");
    }
    if data.len() < HEADER_SIZE {
        return torn(records, 0);
    }
    if data[3] > MAGIC[3] {
        return corrupt(records, 3, "unsupported WAL version");
    }
    let sync = &data[MAGIC.len()..HEADER_SIZE];
    let mut pos = HEADER_SIZE;
    loop {
        if pos == data.len() {
            return WalContents {
                records,
                tail: WalTail::Clean,
            };
        }
        let Some(length) = read_i32(data, pos) else {
            return torn(records, pos);
        };
        if length == SYNC_ESCAPE {
            let Some(marker) = data.get(pos + 4..pos + 4 + SYNC_SIZE) else {
                return torn(records, pos);
            };
            if marker != sync {
                return corrupt(records, pos, "sync marker does not match the header's");
            }
            pos += 4 + SYNC_SIZE;
            continue;
        }
        let Ok(length) = usize::try_from(length) else {
            return corrupt(records, pos, "negative record length");
        };
        let Some(key_length) = read_i32(data, pos + 4) else {
            return torn(records, pos);
        };
        let Some(key_length) = usize::try_from(key_length).ok().filter(|k| *k <= length) else {
            return corrupt(records, pos, "key length out of range");
        };
        let start = pos + 8;
        let Some(body) = data.get(start..start + length) else {
            return torn(records, pos);
        };
        let (Some(key), Some(value)) = (
            read_text(&body[..key_length]),
            read_text(&body[key_length..]),
        ) else {
            return corrupt(records, pos, "key or value does not fill its length");
        };
        records.push(WalRecord { key, value });
        pos = start + length;
    }
}

/// The write-ahead log of one topic partition: `log` and `log.1` in
/// `<logs.dir>/<topic>/<partition>/`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use connect_hdfs::storage::{LocalStorage, Storage};
/// use connect_hdfs::wal::Wal;
///
/// let dir = tempfile::tempdir().unwrap();
/// let storage = Arc::new(LocalStorage::new(dir.path().to_str().unwrap()).unwrap());
/// let mut file = storage.create("topics/+tmp/t/partition=0/a_tmp.txt").await.unwrap();
/// file.close().await.unwrap();
///
/// let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
/// let committed = "topics/t/partition=0/t+0+0000000000+0000000009.txt";
/// wal.append_block(&[(
///     storage.full_path("topics/+tmp/t/partition=0/a_tmp.txt"),
///     storage.full_path(committed),
/// )])
/// .await
/// .unwrap();
///
/// // After a crash before the rename: recovery completes it.
/// wal.apply().await.unwrap();
/// assert!(storage.exists(committed).await.unwrap());
/// assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(9));
/// wal.truncate().await.unwrap();
/// assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(9)); // from log.1
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Wal {
    storage: Arc<dyn Storage>,
    log_path: String,
    old_log_path: String,
    new_log_path: String,
}

impl Wal {
    /// The log of a partition whose directory is `log_dir`, relative to the store's root:
    /// `<logs.dir>/<topic>/<partition>`.
    pub fn new(storage: Arc<dyn Storage>, log_dir: String) -> Wal {
        let dir = log_dir.trim_end_matches('/');
        Wal {
            log_path: format!("{dir}/{WAL_FILE}"),
            old_log_path: format!("{dir}/{OLD_WAL_FILE}"),
            new_log_path: format!("{dir}/{NEW_WAL_FILE}"),
            storage,
        }
    }

    /// The path of `log`, relative to the store's root.
    pub fn log_path(&self) -> &str {
        &self.log_path
    }

    /// The full URL of `log`, as Confluent's connector names it in its messages.
    pub fn log_file(&self) -> String {
        self.storage.full_path(&self.log_path)
    }

    /// A storage error on `path`, naming the log.
    fn error(&self, path: &str, source: StorageError) -> WalError {
        WalError::Storage {
            path: self.storage.full_path(path),
            source,
        }
    }

    /// Durably logs one commit: `BEGIN`, the `(temp, committed)` full paths, `END`. Returns once
    /// the block is synced and is what [`Wal::apply`] will find in `log`. An empty block commits
    /// nothing and is not written.
    ///
    /// Every block logged before must have been applied (its renames done), as the commit
    /// protocol guarantees: the previous `log` becomes `log.1`. The steps, and what a crash
    /// after each leaves:
    /// 1. write `log.tmp` (header + block), `hsync`, close: `log` is untouched, so recovery
    ///    resumes from the previous block and this commit's temp files are orphaned;
    /// 2. if `log` exists, delete `log.1` and rename `log` to `log.1`: recovery finds no `log`
    ///    and takes the offset from `log.1`, the previous block;
    /// 3. rename `log.tmp` to `log`: the block is logged.
    ///
    /// A retry after a failure at any step starts again from step 1 and reaches the same state.
    pub async fn append_block(&mut self, entries: &[(String, String)]) -> Result<(), WalError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut records: Vec<(&str, &str)> = Vec::with_capacity(entries.len() + 2);
        records.push((BEGIN_MARKER, ""));
        records.extend(
            entries
                .iter()
                .map(|(temp, committed)| (temp.as_str(), committed.as_str())),
        );
        records.push((END_MARKER, ""));
        let sync = *uuid::Uuid::new_v4().as_bytes();
        let data = Bytes::from(encode(&sync, &records));

        let storage = &self.storage;
        let new_log = &self.new_log_path;
        let mut file = storage
            .create(new_log)
            .await
            .map_err(|e| self.error(new_log, e))?;
        file.write(data).await.map_err(|e| self.error(new_log, e))?;
        file.hsync().await.map_err(|e| self.error(new_log, e))?;
        file.close().await.map_err(|e| self.error(new_log, e))?;

        self.rotate().await?;
        storage
            .rename(new_log, &self.log_path)
            .await
            .map_err(|e| self.error(&self.log_path, e))
    }

    /// If `log` exists: deletes `log.1` and renames `log` to `log.1`.
    async fn rotate(&self) -> Result<(), WalError> {
        let storage = &self.storage;
        let exists = storage
            .exists(&self.log_path)
            .await
            .map_err(|e| self.error(&self.log_path, e))?;
        if !exists {
            return Ok(());
        }
        storage
            .delete(&self.old_log_path)
            .await
            .map_err(|e| self.error(&self.old_log_path, e))?;
        match storage.rename(&self.log_path, &self.old_log_path).await {
            Ok(()) => Ok(()),
            // Gone since checked: nothing to rotate.
            Err(error) if error.is_not_found() => Ok(()),
            Err(error) => Err(self.error(&self.log_path, error)),
        }
    }

    /// Reads the log file `path` once no writer holds it open; `None` if it does not exist.
    async fn read_log(&self, path: &str) -> Result<Option<Bytes>, WalError> {
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            match self.storage.recover_lease(path).await {
                Ok(true) => break,
                Ok(false) => {
                    if started.elapsed() >= LEASE_RECOVERY_TIMEOUT {
                        return Err(WalError::LeaseRecovery {
                            path: self.storage.full_path(path),
                            seconds: LEASE_RECOVERY_TIMEOUT.as_secs(),
                        });
                    }
                    tracing::info!(
                        wal = %self.storage.full_path(path),
                        "waiting for the recovery of the previous writer's lease"
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                Err(error) if error.is_not_found() => return Ok(None),
                Err(error) => return Err(self.error(path, error)),
            }
        }
        match self.storage.read(path).await {
            Ok(data) => Ok(Some(data)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(self.error(path, error)),
        }
    }

    /// Reads and decodes the log file `path`, logging a torn or corrupt tail.
    async fn contents(&self, path: &str) -> Result<Option<WalContents>, WalError> {
        let Some(data) = self.read_log(path).await? else {
            return Ok(None);
        };
        let contents = decode(&data);
        match &contents.tail {
            WalTail::Clean => {}
            WalTail::Torn { offset } => tracing::info!(
                wal = %self.storage.full_path(path),
                offset,
                "ignoring the incomplete record at the end of the write-ahead log"
            ),
            WalTail::Corrupt { offset, reason } => tracing::warn!(
                wal = %self.storage.full_path(path),
                offset,
                reason = %reason,
                "the write-ahead log is corrupt; ignoring it from this offset on"
            ),
        }
        Ok(Some(contents))
    }

    /// Finishes the commits logged in `log`: for every complete block, renames each temp file
    /// to its committed path unless the committed file exists (creating its directory first).
    /// A missing temp file is skipped, an incomplete last block is ignored, and a corrupt log
    /// is logged and applied only up to the corruption. Paths not on this store are skipped with
    /// a warning.
    pub async fn apply(&mut self) -> Result<(), WalError> {
        let Some(contents) = self.contents(&self.log_path).await? else {
            return Ok(());
        };
        for block in contents.complete_blocks() {
            for (temp, committed) in &block {
                self.commit(temp, committed).await?;
            }
        }
        Ok(())
    }

    /// Renames `temp` to `committed` (full paths from the log) unless that is done.
    async fn commit(&self, temp: &str, committed: &str) -> Result<(), WalError> {
        let storage = &self.storage;
        let temp = storage.relative_path(temp);
        let committed = storage.relative_path(committed);
        match storage.exists(committed).await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(error) if error.operation == "resolve" => {
                tracing::warn!(
                    wal = %self.log_file(),
                    committed,
                    "skipping a logged file that is not on this store: {error}"
                );
                return Ok(());
            }
            Err(error) => return Err(self.error(&self.log_path, error)),
        }
        if let Some((dir, _)) = committed.rsplit_once('/') {
            storage
                .mkdirs(dir)
                .await
                .map_err(|e| self.error(&self.log_path, e))?;
        }
        match storage.rename(temp, committed).await {
            Ok(()) => Ok(()),
            // The temp file is gone (already committed, or deleted) or the target appeared.
            Err(error) if error.is_not_found() || error.is_already_exists() => Ok(()),
            Err(error) if error.operation == "resolve" => {
                tracing::warn!(
                    wal = %self.log_file(),
                    temp,
                    "skipping a logged file that is not on this store: {error}"
                );
                Ok(())
            }
            Err(error) => Err(self.error(&self.log_path, error)),
        }
    }

    /// The end offset of the last committed file: the largest end offset in the last complete
    /// block with entries of `log`, else of `log.1`. `None` when neither names one, or when
    /// `log` is corrupt (`log.1` would be older than the files `log` committed, so the caller
    /// falls back to scanning file names). Failures of the store are errors.
    pub async fn extract_latest_offset(&self) -> Result<Option<i64>, WalError> {
        if let Some(contents) = self.contents(&self.log_path).await? {
            if matches!(contents.tail, WalTail::Corrupt { .. }) {
                return Ok(None);
            }
            if let Some(offset) = contents.latest_offset() {
                return Ok(Some(offset));
            }
        }
        Ok(self
            .contents(&self.old_log_path)
            .await?
            .filter(|contents| !matches!(contents.tail, WalTail::Corrupt { .. }))
            .and_then(|contents| contents.latest_offset()))
    }

    /// Ends a recovery: if `log` exists, deletes `log.1` and renames `log` to `log.1`.
    pub async fn truncate(&mut self) -> Result<(), WalError> {
        self.rotate().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::LocalStorage;

    const SYNC: [u8; 16] = [
        0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe,
        0x0f,
    ];

    fn setup() -> (tempfile::TempDir, Arc<dyn Storage>) {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(LocalStorage::new(&format!("file://{}", dir.path().display())).unwrap());
        (dir, storage)
    }

    async fn put(storage: &Arc<dyn Storage>, path: &str, data: &[u8]) {
        let mut file = storage.create(path).await.unwrap();
        file.write(Bytes::copy_from_slice(data)).await.unwrap();
        file.close().await.unwrap();
    }

    async fn read(storage: &Arc<dyn Storage>, full_path: &str) -> Bytes {
        storage
            .read(storage.relative_path(full_path))
            .await
            .unwrap()
    }

    fn entry(storage: &Arc<dyn Storage>, name: &str, start: i64, end: i64) -> (String, String) {
        (
            storage.full_path(&format!("topics/+tmp/t/partition=0/{name}_tmp.avro")),
            storage.full_path(&format!(
                "topics/t/partition=0/t+0+{start:010}+{end:010}.avro"
            )),
        )
    }

    /// A raw record: record length, key length, key and value bytes.
    type RawRecord = (i32, i32, Vec<u8>);

    /// A decoder written from `WALFile.Reader`, independent of [`decode`]: the sync marker, the
    /// raw records and the offsets of the sync escapes.
    fn decode_by_hand(data: &[u8]) -> (Vec<u8>, Vec<RawRecord>, Vec<usize>) {
        assert_eq!(&data[..4], b"WAL\0");
        let sync = data[4..20].to_vec();
        let mut pos = 20;
        let mut records = Vec::new();
        let mut syncs = Vec::new();
        while pos < data.len() {
            let len = i32::from_be_bytes(data[pos..pos + 4].try_into().unwrap());
            if len == -1 {
                assert_eq!(&data[pos + 4..pos + 20], &sync[..]);
                syncs.push(pos);
                pos += 20;
                continue;
            }
            let key_len = i32::from_be_bytes(data[pos + 4..pos + 8].try_into().unwrap());
            let body = data[pos + 8..pos + 8 + len as usize].to_vec();
            records.push((len, key_len, body));
            pos += 8 + len as usize;
        }
        (sync, records, syncs)
    }

    #[test]
    fn vlong_matches_hadoop() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (5, &[0x05]),
            (127, &[0x7f]),
            (-112, &[0x90]),
            (128, &[0x8f, 0x80]),
            (200, &[0x8f, 0xc8]),
            (300, &[0x8e, 0x01, 0x2c]),
            (70000, &[0x8d, 0x01, 0x11, 0x70]),
            (-113, &[0x87, 0x70]),
            (-1000, &[0x86, 0x03, 0xe7]),
        ];
        for (value, bytes) in cases {
            let mut out = Vec::new();
            write_vlong(&mut out, *value);
            assert_eq!(&out[..], *bytes, "encoding {value}");
            let mut pos = 0;
            assert_eq!(read_vlong(&out, &mut pos), Some(*value), "decoding {value}");
            assert_eq!(pos, out.len());
        }
    }

    #[test]
    fn markers_encode_like_walfile() {
        let data = encode(&SYNC, &[(BEGIN_MARKER, ""), (END_MARKER, "")]);
        let mut expected = b"WAL\0".to_vec();
        expected.extend_from_slice(&SYNC);
        // recordLen 7 = Text("BEGIN") 6 + Text("") 1, keyLen 6.
        expected.extend_from_slice(&[0, 0, 0, 7, 0, 0, 0, 6, 5, b'B', b'E', b'G', b'I', b'N', 0]);
        expected.extend_from_slice(&[0, 0, 0, 5, 0, 0, 0, 4, 3, b'E', b'N', b'D', 0]);
        assert_eq!(data, expected);
    }

    #[tokio::test]
    async fn block_layout_decoded_by_hand() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let entries: Vec<_> = (0..40)
            .map(|i| entry(&storage, &format!("{i:03}"), i * 10, i * 10 + 9))
            .collect();
        wal.append_block(&entries).await.unwrap();
        let data = storage.read("logs/t/0/log").await.unwrap();
        let (sync, records, syncs) = decode_by_hand(&data);
        assert_eq!(sync.len(), 16);
        assert_eq!(records.len(), 42);
        let mut strings = Vec::new();
        for (len, key_len, body) in &records {
            let key_len = *key_len as usize;
            assert_eq!(*len as usize, body.len());
            // Each path is shorter than 128 bytes: a one-byte length prefix.
            assert_eq!(body[0] as usize, key_len - 1);
            assert_eq!(body[key_len] as usize, body.len() - key_len - 1);
            let key = String::from_utf8(body[1..key_len].to_vec()).unwrap();
            let value = String::from_utf8(body[key_len + 1..].to_vec()).unwrap();
            strings.push((key, value));
        }
        assert_eq!(strings[0], ("BEGIN".to_owned(), String::new()));
        assert_eq!(strings[41], ("END".to_owned(), String::new()));
        assert_eq!(&strings[1..41], &entries[..]);
        // Sync escapes: before the first record starting at or after 2000 bytes, then every
        // 2000 bytes after the previous one.
        assert!(!syncs.is_empty());
        let mut last = 0;
        let mut pos = 20;
        let mut expected = Vec::new();
        for (len, _, _) in &records {
            if pos >= last + SYNC_INTERVAL {
                expected.push(pos);
                pos += 20;
                last = pos;
            }
            pos += 8 + *len as usize;
        }
        assert_eq!(syncs, expected);
        assert_eq!(pos, data.len());
    }

    #[test]
    fn long_paths_use_multi_byte_lengths() {
        let long = format!("hdfs://nn:8020/{}", "x".repeat(300));
        let data = encode(&SYNC, &[(long.as_str(), "v")]);
        // Text(long): 0x8e, 0x01, 0x3b (315) then the bytes.
        assert_eq!(&data[28..31], &[0x8e, 0x01, 0x3b]);
        let contents = decode(&data);
        assert_eq!(contents.tail, WalTail::Clean);
        assert_eq!(contents.records[0].key, long);
        assert_eq!(contents.records[0].value, "v");
    }

    /// A log as Confluent's `FSWAL` leaves it, built byte by byte from `WALFile.Writer`: a new
    /// file with one block, reopened for append (a sync escape first) with a second block, then
    /// reopened by `apply()` (another sync escape) and closed.
    fn confluent_log() -> Vec<u8> {
        let url = "hdfs://namenode:8020";
        let mut data = b"WAL\0".to_vec();
        data.extend_from_slice(&SYNC);
        let record = |data: &mut Vec<u8>, key: &str, value: &str| {
            let mut body = vec![key.len() as u8];
            body.extend_from_slice(key.as_bytes());
            let key_len = body.len() as i32;
            body.push(value.len() as u8);
            body.extend_from_slice(value.as_bytes());
            data.extend_from_slice(&(body.len() as i32).to_be_bytes());
            data.extend_from_slice(&key_len.to_be_bytes());
            data.extend_from_slice(&body);
        };
        let sync = |data: &mut Vec<u8>| {
            data.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
            data.extend_from_slice(&SYNC);
        };
        record(&mut data, "BEGIN", "");
        record(
            &mut data,
            &format!("{url}/topics/+tmp/t/partition=0/1b2c_tmp.avro"),
            &format!("{url}/topics/t/partition=0/t+0+0000000000+0000000004.avro"),
        );
        record(&mut data, "END", "");
        sync(&mut data);
        record(&mut data, "BEGIN", "");
        record(
            &mut data,
            &format!("{url}/topics/+tmp/t/partition=0/3d4e_tmp.avro"),
            &format!("{url}/topics/t/partition=0/t+0+0000000005+0000000009.avro"),
        );
        record(
            &mut data,
            &format!("{url}/topics/+tmp/t/partition=1/5f6a_tmp.avro"),
            &format!("{url}/topics/t/partition=0/t+0+0000000010+0000000012.avro"),
        );
        record(&mut data, "END", "");
        sync(&mut data);
        data
    }

    #[test]
    fn reads_a_log_written_by_confluents_connector() {
        let contents = decode(&confluent_log());
        assert_eq!(contents.tail, WalTail::Clean);
        assert_eq!(contents.records.len(), 7);
        let blocks = contents.complete_blocks();
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            blocks[1][1].1,
            "hdfs://namenode:8020/topics/t/partition=0/t+0+0000000010+0000000012.avro"
        );
        assert_eq!(contents.latest_offset(), Some(12));
        // Our encoding of the first block is the same bytes.
        let first: Vec<(&str, &str)> = contents.records[..3]
            .iter()
            .map(|r| (r.key.as_str(), r.value.as_str()))
            .collect();
        let ours = encode(&SYNC, &first);
        assert_eq!(&confluent_log()[..ours.len()], &ours[..]);
    }

    #[tokio::test]
    async fn apply_completes_renames() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let first = entry(&storage, "a", 0, 4);
        let second = entry(&storage, "b", 5, 9);
        let missing = entry(&storage, "c", 10, 14);
        let done = entry(&storage, "d", 15, 19);
        put(&storage, storage.relative_path(&first.0), b"first").await;
        put(&storage, storage.relative_path(&second.0), b"second").await;
        // Committed before the crash: the temp file is gone.
        put(&storage, storage.relative_path(&done.1), b"done").await;
        wal.append_block(&[first.clone(), second.clone(), missing.clone(), done.clone()])
            .await
            .unwrap();

        wal.apply().await.unwrap();
        assert_eq!(read(&storage, &first.1).await, Bytes::from_static(b"first"));
        assert_eq!(
            read(&storage, &second.1).await,
            Bytes::from_static(b"second")
        );
        assert_eq!(read(&storage, &done.1).await, Bytes::from_static(b"done"));
        assert!(
            !storage
                .exists(storage.relative_path(&first.0))
                .await
                .unwrap()
        );
        assert!(
            !storage
                .exists(storage.relative_path(&missing.1))
                .await
                .unwrap()
        );
        // Applying again changes nothing.
        wal.apply().await.unwrap();
        assert_eq!(read(&storage, &first.1).await, Bytes::from_static(b"first"));
    }

    #[tokio::test]
    async fn apply_never_overwrites_a_committed_file() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let e = entry(&storage, "a", 0, 4);
        put(&storage, storage.relative_path(&e.0), b"new").await;
        put(&storage, storage.relative_path(&e.1), b"old").await;
        wal.append_block(std::slice::from_ref(&e)).await.unwrap();
        wal.apply().await.unwrap();
        assert_eq!(
            storage.read(storage.relative_path(&e.1)).await.unwrap(),
            Bytes::from_static(b"old")
        );
    }

    #[tokio::test]
    async fn apply_without_a_log_does_nothing() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        wal.apply().await.unwrap();
        assert_eq!(wal.extract_latest_offset().await.unwrap(), None);
        wal.truncate().await.unwrap();
        assert!(!storage.exists("logs/t/0/log.1").await.unwrap());
    }

    /// Writes a log holding `records` (as paths relative to the store made full).
    async fn write_log(storage: &Arc<dyn Storage>, path: &str, records: &[(String, String)]) {
        let refs: Vec<(&str, &str)> = records
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        put(storage, path, &encode(&SYNC, &refs)).await;
    }

    fn marker(key: &str) -> (String, String) {
        (key.to_owned(), String::new())
    }

    #[tokio::test]
    async fn incomplete_block_is_ignored() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let complete = entry(&storage, "a", 0, 4);
        let incomplete = entry(&storage, "b", 5, 9);
        put(&storage, storage.relative_path(&complete.0), b"a").await;
        put(&storage, storage.relative_path(&incomplete.0), b"b").await;
        write_log(
            &storage,
            "logs/t/0/log",
            &[
                marker(BEGIN_MARKER),
                complete.clone(),
                marker(END_MARKER),
                marker(BEGIN_MARKER),
                incomplete.clone(),
            ],
        )
        .await;
        wal.apply().await.unwrap();
        assert!(
            storage
                .exists(storage.relative_path(&complete.1))
                .await
                .unwrap()
        );
        assert!(
            !storage
                .exists(storage.relative_path(&incomplete.1))
                .await
                .unwrap()
        );
        assert!(
            storage
                .exists(storage.relative_path(&incomplete.0))
                .await
                .unwrap()
        );
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(4));
    }

    #[tokio::test]
    async fn block_without_end_followed_by_begin_is_ignored() {
        let (_dir, storage) = setup();
        let first = entry(&storage, "a", 0, 4);
        let second = entry(&storage, "b", 5, 9);
        let stray = entry(&storage, "c", 10, 14);
        let contents = decode(&{
            let records = [
                marker(BEGIN_MARKER),
                first.clone(),
                marker(BEGIN_MARKER),
                second.clone(),
                marker(END_MARKER),
                stray.clone(),
                marker(END_MARKER),
            ];
            let refs: Vec<(&str, &str)> = records
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            encode(&SYNC, &refs)
        });
        assert_eq!(contents.complete_blocks(), vec![vec![second]]);
        assert_eq!(contents.latest_offset(), Some(9));
    }

    #[tokio::test]
    async fn torn_tail_is_ignored() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let complete = entry(&storage, "a", 0, 4);
        let torn = entry(&storage, "b", 5, 9);
        put(&storage, storage.relative_path(&complete.0), b"a").await;
        put(&storage, storage.relative_path(&torn.0), b"b").await;
        let records = [
            marker(BEGIN_MARKER),
            complete.clone(),
            marker(END_MARKER),
            marker(BEGIN_MARKER),
            torn.clone(),
            marker(END_MARKER),
        ];
        let refs: Vec<(&str, &str)> = records
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let full = encode(&SYNC, &refs);
        // Cut inside the final END record, and at every byte of the second block.
        let first_block_end = encode(&SYNC, &refs[..3]).len();
        for cut in first_block_end..full.len() {
            let contents = decode(&full[..cut]);
            assert_eq!(contents.complete_blocks().len(), 1, "cut at {cut}");
            assert!(
                !matches!(contents.tail, WalTail::Corrupt { .. }),
                "cut at {cut}"
            );
        }
        put(&storage, "logs/t/0/log", &full[..full.len() - 2]).await;
        wal.apply().await.unwrap();
        assert!(
            storage
                .exists(storage.relative_path(&complete.1))
                .await
                .unwrap()
        );
        assert!(
            !storage
                .exists(storage.relative_path(&torn.1))
                .await
                .unwrap()
        );
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(4));
        // A log cut inside its header holds nothing.
        assert_eq!(decode(&full[..10]).tail, WalTail::Torn { offset: 0 });
        assert!(decode(&[]).records.is_empty());
    }

    #[tokio::test]
    async fn corrupt_sync_marker_is_ignored() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let mut data = confluent_log();
        // Damage the sync escape between the two blocks.
        let first_block = encode(
            &SYNC,
            &decode(&data).records[..3]
                .iter()
                .map(|r| (r.key.as_str(), r.value.as_str()))
                .collect::<Vec<_>>(),
        )
        .len();
        data[first_block + 4] ^= 0xff;
        let contents = decode(&data);
        assert!(matches!(
            contents.tail,
            WalTail::Corrupt { offset, .. } if offset == first_block
        ));
        assert_eq!(contents.complete_blocks().len(), 1);

        put(&storage, "logs/t/0/log", &data).await;
        // Another store's paths: skipped with a warning, not an error.
        wal.apply().await.unwrap();
        // A corrupt log gives no offset, even with log.1 present.
        write_log(
            &storage,
            "logs/t/0/log.1",
            &[
                marker(BEGIN_MARKER),
                entry(&storage, "z", 0, 1),
                marker(END_MARKER),
            ],
        )
        .await;
        assert_eq!(wal.extract_latest_offset().await.unwrap(), None);
        // Not a WAL at all.
        put(&storage, "logs/t/0/log", b"PAR1 garbage garbage garbage").await;
        wal.apply().await.unwrap();
        assert_eq!(wal.extract_latest_offset().await.unwrap(), None);
    }

    #[tokio::test]
    async fn applies_a_corrupt_log_up_to_the_corruption() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        let first = entry(&storage, "a", 0, 4);
        let second = entry(&storage, "b", 5, 9);
        put(&storage, storage.relative_path(&first.0), b"a").await;
        put(&storage, storage.relative_path(&second.0), b"b").await;
        let records = [
            marker(BEGIN_MARKER),
            first.clone(),
            marker(END_MARKER),
            marker(BEGIN_MARKER),
            second.clone(),
            marker(END_MARKER),
        ];
        let refs: Vec<(&str, &str)> = records
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut data = encode(&SYNC, &refs[..3]);
        data.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        data.extend_from_slice(&[0u8; 16]);
        let rest = encode(&SYNC, &refs[3..]);
        data.extend_from_slice(&rest[20..]);
        put(&storage, "logs/t/0/log", &data).await;
        wal.apply().await.unwrap();
        assert!(
            storage
                .exists(storage.relative_path(&first.1))
                .await
                .unwrap()
        );
        assert!(
            !storage
                .exists(storage.relative_path(&second.1))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn latest_offset_from_log_then_log_1() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        assert_eq!(wal.extract_latest_offset().await.unwrap(), None);

        // Several entries: the largest end offset counts, whatever the order.
        wal.append_block(&[entry(&storage, "a", 10, 19), entry(&storage, "b", 0, 9)])
            .await
            .unwrap();
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(19));
        wal.append_block(&[entry(&storage, "c", 20, 29)])
            .await
            .unwrap();
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(29));
        // The previous block went to log.1.
        let old = decode(&storage.read("logs/t/0/log.1").await.unwrap());
        assert_eq!(old.latest_offset(), Some(19));

        // Empty blocks in log do not count: log.1 answers.
        wal.truncate().await.unwrap();
        assert!(!storage.exists("logs/t/0/log").await.unwrap());
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(29));
        write_log(
            &storage,
            "logs/t/0/log",
            &[
                marker(BEGIN_MARKER),
                marker(END_MARKER),
                marker(BEGIN_MARKER),
                marker(END_MARKER),
            ],
        )
        .await;
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(29));
        // A log cut inside its first block: log.1 answers too.
        put(&storage, "logs/t/0/log", b"WAL\0").await;
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(29));

        // Names that are not committed-file names give nothing.
        write_log(
            &storage,
            "logs/t/0/log",
            &[
                marker(BEGIN_MARKER),
                ("a".to_owned(), "not-a-committed-name.avro".to_owned()),
                marker(END_MARKER),
            ],
        )
        .await;
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(29));
    }

    #[tokio::test]
    async fn truncate_rotates_the_log() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0/".to_owned());
        assert_eq!(wal.log_path(), "logs/t/0/log");
        wal.append_block(&[entry(&storage, "a", 0, 4)])
            .await
            .unwrap();
        wal.append_block(&[entry(&storage, "b", 5, 9)])
            .await
            .unwrap();
        wal.truncate().await.unwrap();
        assert!(!storage.exists("logs/t/0/log").await.unwrap());
        let old = decode(&storage.read("logs/t/0/log.1").await.unwrap());
        assert_eq!(old.latest_offset(), Some(9));
        // Truncating again keeps log.1.
        wal.truncate().await.unwrap();
        assert!(storage.exists("logs/t/0/log.1").await.unwrap());
        // The next block leaves log.1 alone.
        wal.append_block(&[entry(&storage, "c", 10, 14)])
            .await
            .unwrap();
        let old = decode(&storage.read("logs/t/0/log.1").await.unwrap());
        assert_eq!(old.latest_offset(), Some(9));
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(14));
        assert_eq!(
            storage
                .list("logs/t/0", false)
                .await
                .unwrap()
                .iter()
                .map(|s| s.path.as_str())
                .collect::<Vec<_>>(),
            vec!["logs/t/0/log", "logs/t/0/log.1"]
        );
    }

    #[tokio::test]
    async fn crash_between_steps_of_an_append_recovers() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        wal.append_block(&[entry(&storage, "a", 0, 4)])
            .await
            .unwrap();
        // Step 1 done (log.tmp written), crash: log is the previous block.
        let next = entry(&storage, "b", 5, 9);
        put(&storage, storage.relative_path(&next.0), b"b").await;
        write_log(
            &storage,
            "logs/t/0/log.tmp",
            &[marker(BEGIN_MARKER), next.clone(), marker(END_MARKER)],
        )
        .await;
        wal.apply().await.unwrap();
        assert!(
            !storage
                .exists(storage.relative_path(&next.1))
                .await
                .unwrap()
        );
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(4));
        // Step 2 done (log rotated), crash: log.1 answers.
        storage
            .rename("logs/t/0/log", "logs/t/0/log.1")
            .await
            .unwrap();
        wal.apply().await.unwrap();
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(4));
        // The retry of the append completes.
        wal.append_block(std::slice::from_ref(&next)).await.unwrap();
        assert_eq!(wal.extract_latest_offset().await.unwrap(), Some(9));
        assert!(!storage.exists("logs/t/0/log.tmp").await.unwrap());
        wal.apply().await.unwrap();
        assert!(
            storage
                .exists(storage.relative_path(&next.1))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn empty_block_is_not_written() {
        let (_dir, storage) = setup();
        let mut wal = Wal::new(storage.clone(), "logs/t/0".to_owned());
        wal.append_block(&[]).await.unwrap();
        assert!(!storage.exists("logs/t/0/log").await.unwrap());
    }

    #[test]
    fn wal_error_names_the_log() {
        let error = WalError::LeaseRecovery {
            path: "hdfs://nn/logs/t/0/log".to_owned(),
            seconds: 60,
        };
        assert!(error.to_string().contains("hdfs://nn/logs/t/0/log"));
    }
}
