//! Exactly-once file commits: the task is stopped dead at every storage operation of a run in
//! turn (temporary file writes, closes, the WAL block, each rename, the WAL truncation), a new
//! task is started on what is left, and every offset must then be in exactly one committed file.
//! The same holds when one operation fails and the same task goes on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use connect_api::data::{Schema, Value};
use connect_hdfs::storage::{
    FileStatus, Storage, StorageError, StorageErrorKind, StorageFile, StorageOptions, open_storage,
};
use support::{Harness, name_offsets};

const RECORDS: i64 = 40;
const PARTITIONS: i32 = 2;

/// A store that fails every operation from the `crash_at`-th on, as if the process died there
/// (or, when `transient`, only that one operation, as a network blip would). A write that fails
/// writes half of its bytes first (a torn write).
#[derive(Debug)]
struct CrashingStorage {
    inner: Arc<dyn Storage>,
    operations: AtomicUsize,
    crash_at: usize,
    crashed: AtomicBool,
    transient: bool,
}

impl CrashingStorage {
    fn new(inner: Arc<dyn Storage>, crash_at: usize) -> Arc<Self> {
        Arc::new(Self {
            inner,
            operations: AtomicUsize::new(0),
            crash_at,
            crashed: AtomicBool::new(false),
            transient: false,
        })
    }

    fn failing_once(inner: Arc<dyn Storage>, fail_at: usize) -> Arc<Self> {
        Arc::new(Self {
            inner,
            operations: AtomicUsize::new(0),
            crash_at: fail_at,
            crashed: AtomicBool::new(false),
            transient: true,
        })
    }

    fn crashed(&self) -> bool {
        self.crashed.load(Ordering::SeqCst)
    }

    /// Counts an operation; `Err` once the crash point is reached.
    fn operation(&self, name: &'static str, path: &str) -> Result<(), StorageError> {
        let n = self.operations.fetch_add(1, Ordering::SeqCst);
        if (self.crashed() && !self.transient) || n == self.crash_at {
            self.crashed.store(true, Ordering::SeqCst);
            return Err(StorageError {
                operation: name,
                path: path.to_owned(),
                message: "the process died".into(),
                kind: StorageErrorKind::Other,
            });
        }
        Ok(())
    }
}

struct CrashingFile {
    inner: Box<dyn StorageFile>,
    storage: Arc<CrashingStorage>,
    path: String,
}

#[async_trait]
impl StorageFile for CrashingFile {
    async fn write(&mut self, data: Bytes) -> Result<(), StorageError> {
        if let Err(error) = self.storage.operation("write", &self.path) {
            let half = data.slice(..data.len() / 2);
            let _ = self.inner.write(half).await;
            return Err(error);
        }
        self.inner.write(data).await
    }

    async fn hsync(&mut self) -> Result<(), StorageError> {
        self.storage.operation("hsync", &self.path)?;
        self.inner.hsync().await
    }

    async fn close(self: Box<Self>) -> Result<(), StorageError> {
        self.storage.operation("close", &self.path)?;
        self.inner.close().await
    }
}

/// The crash-injecting store, shared by the files it opens.
#[derive(Debug, Clone)]
struct Crashing(Arc<CrashingStorage>);

#[async_trait]
impl Storage for Crashing {
    fn url(&self) -> &str {
        self.0.inner.url()
    }

    async fn exists(&self, path: &str) -> Result<bool, StorageError> {
        self.0.operation("exists", path)?;
        self.0.inner.exists(path).await
    }

    async fn mkdirs(&self, path: &str) -> Result<(), StorageError> {
        self.0.operation("mkdirs", path)?;
        self.0.inner.mkdirs(path).await
    }

    async fn create(&self, path: &str) -> Result<Box<dyn StorageFile>, StorageError> {
        self.0.operation("create", path)?;
        let inner = self.0.inner.create(path).await?;
        Ok(Box::new(CrashingFile {
            inner,
            storage: self.0.clone(),
            path: path.to_owned(),
        }))
    }

    async fn read(&self, path: &str) -> Result<Bytes, StorageError> {
        self.0.operation("read", path)?;
        self.0.inner.read(path).await
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), StorageError> {
        self.0.operation("rename", from)?;
        self.0.inner.rename(from, to).await
    }

    async fn delete(&self, path: &str) -> Result<(), StorageError> {
        self.0.operation("delete", path)?;
        self.0.inner.delete(path).await
    }

    async fn list(&self, path: &str, recursive: bool) -> Result<Vec<FileStatus>, StorageError> {
        self.0.operation("list", path)?;
        self.0.inner.list(path, recursive).await
    }
}

fn harness(format: &str) -> Harness {
    let mut harness = Harness::new(&[
        ("topics", "events"),
        ("format.class", format),
        ("flush.size", "10"),
        ("retry.backoff.ms", "0"),
    ]);
    for partition in 0..PARTITIONS {
        for offset in 0..RECORDS {
            harness.add(
                "events",
                partition,
                Some(Schema::int64()),
                Value::Int64(offset),
                None,
            );
        }
    }
    harness
}

fn json_harness() -> Harness {
    harness("JsonFormat")
}

/// Records of about 300 KB, so that files are written out in several pieces before they are
/// complete: `<offset>:xxx...`.
fn large_records_harness() -> Harness {
    let mut harness = Harness::new(&[
        ("topics", "events"),
        ("format.class", "StringFormat"),
        ("flush.size", "10"),
        ("retry.backoff.ms", "0"),
    ]);
    let padding = "x".repeat(300_000);
    for partition in 0..PARTITIONS {
        for offset in 0..RECORDS {
            let value = Value::String(format!("{offset}:{padding}"));
            harness.add("events", partition, Some(Schema::string()), value, None);
        }
    }
    harness
}

/// The offsets in the committed JSON files of each partition, in file order.
fn committed_offsets(harness: &Harness) -> BTreeMap<i32, Vec<i64>> {
    let mut found: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for partition in 0..PARTITIONS {
        for path in harness.files(&format!("topics/events/partition={partition}")) {
            let contents = std::fs::read_to_string(harness.root().join(&path)).unwrap();
            let offsets: Vec<i64> = contents
                .lines()
                .map(|l| l.split(':').next().unwrap().parse().unwrap())
                .collect();
            let (start, end) = name_offsets(&path);
            assert_eq!(offsets.first(), Some(&start), "{path}: {offsets:?}");
            assert_eq!(offsets.last(), Some(&end), "{path}: {offsets:?}");
            found.entry(partition).or_default().extend(offsets);
        }
    }
    found
}

fn assert_exactly_once(harness: &Harness, context: &str) {
    let found = committed_offsets(harness);
    for partition in 0..PARTITIONS {
        let mut offsets = found.get(&partition).cloned().unwrap_or_default();
        offsets.sort_unstable();
        assert_eq!(
            offsets,
            (0..RECORDS).collect::<Vec<_>>(),
            "{context}: partition {partition} must hold every offset exactly once"
        );
    }
    let leftovers = harness.files("topics/+tmp");
    assert!(
        leftovers.is_empty(),
        "{context}: temporary files left: {leftovers:?}"
    );
}

/// A run without a crash, counting the storage operations it makes.
async fn clean_run_operations(make: fn() -> Harness) -> usize {
    let mut harness = make();
    let url = format!("file://{}", harness.root().display());
    let local = open_storage(&url, &StorageOptions::default()).unwrap();
    let counting = CrashingStorage::new(local, usize::MAX);
    let mut running = harness
        .start(Some(Arc::new(Crashing(counting.clone()))))
        .await
        .unwrap();
    harness.run(&mut running, 2).await.unwrap();
    assert_exactly_once(&harness, "clean run");
    counting.operations.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_offset_exactly_once_after_a_crash_at_any_storage_operation() {
    let operations = clean_run_operations(json_harness).await;
    assert!(
        operations > 40,
        "a run makes {operations} storage operations"
    );
    eprintln!("crashing at each of the {operations} storage operations of a run");
    for crash_at in 0..operations {
        let mut harness = harness("JsonFormat");
        let url = format!("file://{}", harness.root().display());
        let local = open_storage(&url, &StorageOptions::default()).unwrap();
        let crashing = CrashingStorage::new(local, crash_at);
        let mut running = harness
            .start(Some(Arc::new(Crashing(crashing.clone()))))
            .await
            .unwrap();
        while !crashing.crashed() {
            if harness.step(&mut running).await.unwrap() == 0 {
                break;
            }
        }
        // A couple more cycles against the dead store, then the process is gone: no close, no
        // stop, nothing cleaned up.
        for _ in 0..2 {
            harness.step(&mut running).await.unwrap();
        }
        drop(running);

        let mut restarted = harness.start(None).await.unwrap();
        harness.run(&mut restarted, 2).await.unwrap();
        assert_exactly_once(
            &harness,
            &format!("crash at storage operation {crash_at} of {operations}"),
        );
    }
}

/// Each storage operation of a run fails once, in turn, while the same task goes on.
async fn fail_each_operation_once(make: fn() -> Harness, interleave: bool) {
    let operations = clean_run_operations(make).await;
    for fail_at in 0..operations {
        let mut harness = make();
        harness.interleave = interleave;
        let url = format!("file://{}", harness.root().display());
        let local = open_storage(&url, &StorageOptions::default()).unwrap();
        let failing = CrashingStorage::failing_once(local, fail_at);
        let mut running = harness
            .start(Some(Arc::new(Crashing(failing.clone()))))
            .await
            .unwrap();
        harness.run(&mut running, 3).await.unwrap();
        assert!(
            failing.crashed(),
            "operation {fail_at} of {operations} was reached"
        );
        assert_exactly_once(
            &harness,
            &format!("storage operation {fail_at} of {operations} failed once"),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_offset_exactly_once_when_any_storage_operation_fails_once() {
    fail_each_operation_once(json_harness, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_when_a_partition_comes_in_several_runs_of_one_put() {
    fail_each_operation_once(json_harness, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_when_a_file_written_in_pieces_fails_midway() {
    let operations = clean_run_operations(large_records_harness).await;
    // Files of ten 300 KB records are written out in several pieces each.
    assert!(
        operations > 60,
        "a run makes {operations} storage operations"
    );
    fail_each_operation_once(large_records_harness, false).await;
}
