//! Helpers shared by the unit tests of several modules.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
use connect_log::{Fetched, Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition};
use tokio::sync::{Notify, Semaphore};

/// An embedded log in a new temporary directory (removed when the directory is dropped).
pub(crate) async fn embedded_log() -> (tempfile::TempDir, Arc<EmbeddedLog>) {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default())
        .await
        .unwrap();
    (dir, Arc::new(log))
}

/// A log that passes every call on to another one, except the failures it is told to inject:
///
/// * [`fail_appends`](Self::fail_appends): the next appends fail, with a retriable error
///   (`LogError::Retriable`) or not (`LogError::Invalid`);
/// * [`fail_fetches`](Self::fail_fetches): fetches fail with a retriable error until told
///   otherwise;
/// * [`holding`](Self::holding): a failing append first announces itself and waits for a
///   permit, so that a test can act while the append is in flight (see [`hold`](Self::hold)).
pub(crate) struct FaultyLog {
    inner: Arc<dyn Log>,
    /// How many of the next appends fail.
    append_failures: AtomicU32,
    /// Whether those failures are retriable.
    retriable: AtomicBool,
    /// Whether fetches fail.
    failing_fetches: AtomicBool,
    /// When set, a failing append notifies the first and waits for a permit of the second.
    hold: Option<(Notify, Semaphore)>,
}

impl FaultyLog {
    /// Wraps `inner`, injecting no failures until told to.
    pub(crate) fn new(inner: Arc<dyn Log>) -> Self {
        Self {
            inner,
            append_failures: AtomicU32::new(0),
            retriable: AtomicBool::new(true),
            failing_fetches: AtomicBool::new(false),
            hold: None,
        }
    }

    /// Makes failing appends wait before they fail: see [`hold`](Self::hold).
    pub(crate) fn holding(mut self) -> Self {
        self.hold = Some((Notify::new(), Semaphore::new(0)));
        self
    }

    /// Makes the next `count` appends fail, with a retriable error or not.
    pub(crate) fn fail_appends(&self, count: u32, retriable: bool) {
        self.retriable.store(retriable, Ordering::SeqCst);
        self.append_failures.store(count, Ordering::SeqCst);
    }

    /// Makes fetches fail with a retriable error (`true`) or go through again (`false`).
    pub(crate) fn fail_fetches(&self, failing: bool) {
        self.failing_fetches.store(failing, Ordering::SeqCst);
    }

    /// For a log made [`holding`](Self::holding): the `Notify` each failing append signals when
    /// it starts, and the `Semaphore` it then takes a permit of before failing.
    pub(crate) fn hold(&self) -> (&Notify, &Semaphore) {
        let (entered, permits) = self.hold.as_ref().unwrap();
        (entered, permits)
    }
}

#[async_trait]
impl Log for FaultyLog {
    fn describe(&self) -> String {
        format!("faulty {}", self.inner.describe())
    }

    async fn create_topic(&self, topic: &NewTopic) -> connect_log::Result<bool> {
        self.inner.create_topic(topic).await
    }

    async fn partition_count(&self, topic: &str) -> connect_log::Result<Option<i32>> {
        self.inner.partition_count(topic).await
    }

    async fn list_topics(&self) -> connect_log::Result<BTreeMap<String, i32>> {
        self.inner.list_topics().await
    }

    async fn append(
        &self,
        partition: &Partition,
        records: Vec<LogRecord>,
    ) -> connect_log::Result<Vec<i64>> {
        let fail = self
            .append_failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if !fail {
            return self.inner.append(partition, records).await;
        }
        if let Some((entered, permits)) = &self.hold {
            entered.notify_one();
            permits.acquire().await.unwrap().forget();
        }
        Err(if self.retriable.load(Ordering::SeqCst) {
            LogError::Retriable("leader moving".into())
        } else {
            LogError::Invalid("record too large".into())
        })
    }

    async fn fetch(
        &self,
        partition: &Partition,
        offset: i64,
        max_bytes: usize,
        max_wait: Duration,
    ) -> connect_log::Result<Fetched> {
        if self.failing_fetches.load(Ordering::SeqCst) {
            return Err(LogError::Retriable("broker unavailable".into()));
        }
        self.inner
            .fetch(partition, offset, max_bytes, max_wait)
            .await
    }

    async fn offset(&self, partition: &Partition, at: OffsetSpec) -> connect_log::Result<i64> {
        self.inner.offset(partition, at).await
    }

    async fn commit_offsets(
        &self,
        group: &str,
        offsets: &[(Partition, i64)],
    ) -> connect_log::Result<()> {
        self.inner.commit_offsets(group, offsets).await
    }

    async fn committed_offsets(
        &self,
        group: &str,
        partitions: &[Partition],
    ) -> connect_log::Result<HashMap<Partition, i64>> {
        self.inner.committed_offsets(group, partitions).await
    }

    async fn delete_committed_offsets(
        &self,
        group: &str,
        partitions: &[Partition],
    ) -> connect_log::Result<()> {
        self.inner.delete_committed_offsets(group, partitions).await
    }
}
