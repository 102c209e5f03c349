//! A durable log in a local directory, for running workers without a broker.
//!
//! [`EmbeddedLog`] keeps each partition as a sequence of segment files, laid out as Kafka lays
//! out its log directories:
//!
//! ```text
//! <dir>/
//!   .lock                          held (flock) while a process has the log open
//!   embedded-log.properties        format.version=1
//!   topics/<topic>.json            partition count and topic configs
//!   groups/group-<name>.json       a consumer group's committed offsets (name percent-encoded)
//!   <topic>-<partition>/
//!     00000000000000000000.log     segment: batch frames, named by the first offset
//!     00000000000000000000.index   sparse index of a closed segment (rebuilt when missing)
//!     00000000000000004000.log     the active segment
//! ```
//!
//! Each append is one frame (length, CRC-32, records) written with one `write` before the append
//! returns, so acknowledged records survive the process being killed; whether they survive a
//! power loss depends on the [`FsyncPolicy`]. Opening the log truncates the last segment of
//! each partition at its first incomplete or corrupt frame. See `docs/embedded-log.md` for the
//! frame format, the guarantees and the measurements behind this design.

mod format;
mod meta;
mod partition;
mod segment;

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};
use std::time::Duration;

use async_trait::async_trait;

use self::meta::{GroupFile, GroupOffset, TopicMeta, TopicSettings};
use self::partition::PartitionLog;
use crate::{Fetched, Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition, Result};

/// When the embedded log calls `fsync` (`fdatasync`) on its segment files.
///
/// Every append is written to its segment file with `write(2)` before it is acknowledged, so it
/// survives a crash or `kill -9` of the process under every policy: the data is in the
/// operating system's page cache. The policy decides what survives a power loss or a kernel
/// crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// Never sync explicitly; the operating system writes pages back on its own schedule
    /// (typically within 30 s on Linux). Fastest; a power loss can lose recent appends.
    Never,
    /// Sync every append before acknowledging it. Nothing acknowledged is lost to a power loss,
    /// at the cost of one `fdatasync` per append.
    Always,
    /// Sync partitions with unsynced appends every interval, in the background, and segments
    /// when they are closed. A power loss loses at most about one interval of appends.
    Interval(Duration),
}

impl Default for FsyncPolicy {
    /// `Interval(1 s)`: the cost of `Never` for throughput, with a bounded loss on power failure.
    fn default() -> Self {
        FsyncPolicy::Interval(Duration::from_secs(1))
    }
}

/// Settings of an [`EmbeddedLog`]. A topic's own configs (`segment.bytes`, `retention.ms`,
/// `retention.bytes`, `cleanup.policy`) override these for that topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedLogOptions {
    /// Partitions of a topic created with `partitions: -1`. Default 1.
    pub default_partitions: i32,
    /// A segment is closed and a new one started when an append would take it beyond this many
    /// bytes (a larger batch gets a segment of its own). Default 64 MiB.
    pub segment_bytes: u64,
    /// Delete the oldest closed segments while a partition is larger than this. Default `None`
    /// (no limit), as Kafka's `log.retention.bytes=-1`.
    pub retention_bytes: Option<u64>,
    /// Delete closed segments whose newest record is older than this. Default 7 days, as
    /// Kafka's `log.retention.hours=168`; `None` keeps records forever.
    pub retention: Option<Duration>,
    /// When to `fsync`. Default [`FsyncPolicy::Interval`] of 1 s.
    pub fsync: FsyncPolicy,
    /// How often retention is checked in the background (it is also checked whenever a
    /// partition rolls to a new segment). Default 5 minutes, as Kafka's
    /// `log.retention.check.interval.ms`.
    pub retention_check_interval: Duration,
}

impl Default for EmbeddedLogOptions {
    fn default() -> Self {
        EmbeddedLogOptions {
            default_partitions: 1,
            segment_bytes: 64 << 20,
            retention_bytes: None,
            retention: Some(Duration::from_secs(7 * 24 * 3600)),
            fsync: FsyncPolicy::default(),
            retention_check_interval: Duration::from_secs(300),
        }
    }
}

/// A partitioned log stored in a local directory; see the [module documentation](self).
///
/// Cloning is cheap: clones share the open log. One process at a time may open a directory;
/// the directory is released when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct EmbeddedLog {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    options: EmbeddedLogOptions,
    topics: RwLock<BTreeMap<String, Arc<Topic>>>,
    /// Serialises topic creation.
    create: tokio::sync::Mutex<()>,
    /// Committed offsets by group; each group's lock is held while its file is rewritten.
    groups: Mutex<HashMap<String, Arc<GroupOffsets>>>,
    recovered_bytes: AtomicU64,
    /// Holds the directory's lock for as long as the log is open.
    _lock: File,
}

/// The offsets a consumer group committed.
type GroupOffsets = tokio::sync::Mutex<BTreeMap<Partition, i64>>;

#[derive(Debug)]
struct Topic {
    partitions: Vec<Arc<PartitionLog>>,
}

const FORMAT_FILE: &str = "embedded-log.properties";
const FORMAT_VERSION: &str = "format.version=1";

impl EmbeddedLog {
    /// Opens the log in `dir`, creating the directory if needed, and recovers every partition:
    /// the last segment of each is truncated at its first incomplete or corrupt frame.
    ///
    /// Fails when another process (or another `EmbeddedLog` in this process) has the directory
    /// open: to reopen a log in the same process, drop every clone of it first (and let calls
    /// in flight finish). Must be called within a Tokio runtime: a background task syncs segments (with
    /// [`FsyncPolicy::Interval`]) and applies retention; it ends when the log is dropped.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// use connect_log::{Log, LogRecord, NewTopic, OffsetSpec, Partition};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?;
    /// assert!(log.create_topic(&NewTopic::new("events", 2)).await?);
    ///
    /// let partition = Partition::new("events", 1);
    /// let record = LogRecord { value: Some("hello".into()), timestamp: 1, ..Default::default() };
    /// assert_eq!(log.append(&partition, vec![record.clone(), record.clone()]).await?, [0, 1]);
    ///
    /// let fetched = log.fetch(&partition, 1, 1 << 20, Duration::from_millis(10)).await?;
    /// assert_eq!(fetched.high_watermark, 2);
    /// assert_eq!(fetched.records[0].offset, 1);
    /// assert_eq!(fetched.records[0].record, record);
    ///
    /// // Everything is still there after reopening.
    /// drop(log);
    /// let log = EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?;
    /// assert_eq!(log.offset(&partition, OffsetSpec::Latest).await?, 2);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open(dir: impl Into<PathBuf>, options: EmbeddedLogOptions) -> Result<EmbeddedLog> {
        let dir = dir.into();
        validate_options(&options)?;
        let fsync = options.fsync;
        let retention_check = options.retention_check_interval;
        let inner = blocking(move || Inner::open(dir, options)).await?;
        let inner = Arc::new(inner);
        let fsync_every = match fsync {
            FsyncPolicy::Interval(every) => Some(every),
            FsyncPolicy::Never | FsyncPolicy::Always => None,
        };
        tokio::spawn(maintain(
            Arc::downgrade(&inner),
            fsync_every,
            retention_check,
        ));
        Ok(EmbeddedLog { inner })
    }

    /// The directory of the log.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The options the log was opened with.
    pub fn options(&self) -> &EmbeddedLogOptions {
        &self.inner.options
    }

    /// Bytes that recovery dropped when the log was opened: torn or corrupt tails of segments
    /// (and, after a corrupt frame in a closed segment, the segments that followed it).
    /// 0 after a clean shutdown.
    pub fn recovered_bytes(&self) -> u64 {
        self.inner.recovered_bytes.load(Ordering::Relaxed)
    }

    /// Syncs every partition's active segment to disk now, whatever the [`FsyncPolicy`].
    pub async fn flush(&self) -> Result<()> {
        let partitions = self.inner.all_partitions();
        blocking(move || partitions.iter().try_for_each(|p| p.sync(true))).await
    }

    /// Applies retention now (it also runs every
    /// [`retention_check_interval`](EmbeddedLogOptions::retention_check_interval) and whenever a
    /// partition rolls to a new segment). Returns the number of segments deleted.
    pub async fn enforce_retention(&self) -> Result<usize> {
        enforce_retention(self.inner.all_partitions()).await
    }

    fn partition(&self, partition: &Partition) -> Result<Arc<PartitionLog>> {
        let topics = self
            .inner
            .topics
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        usize::try_from(partition.partition)
            .ok()
            .and_then(|i| topics.get(&*partition.topic)?.partitions.get(i).cloned())
            .ok_or_else(|| LogError::UnknownPartition(partition.to_string()))
    }

    fn group(&self, group: &str) -> Arc<GroupOffsets> {
        lock(&self.inner.groups)
            .entry(group.to_owned())
            .or_default()
            .clone()
    }

    /// Rewrites a group's file (atomically) with `offsets`; the caller holds the group's lock.
    async fn store_group(&self, group: &str, offsets: &BTreeMap<Partition, i64>) -> Result<()> {
        let file = GroupFile {
            group: group.to_owned(),
            offsets: offsets
                .iter()
                .map(|(p, offset)| GroupOffset {
                    topic: p.topic.to_string(),
                    partition: p.partition,
                    offset: *offset,
                })
                .collect(),
        };
        let dir = self.inner.dir.clone();
        let sync = self.sync_metadata();
        blocking(move || meta::store_group(&dir, &file, sync)).await
    }

    fn sync_metadata(&self) -> bool {
        self.inner.options.fsync != FsyncPolicy::Never
    }
}

fn validate_options(options: &EmbeddedLogOptions) -> Result<()> {
    if !(1..=meta::MAX_PARTITIONS).contains(&options.default_partitions) {
        return Err(LogError::Invalid(format!(
            "default_partitions must be between 1 and {}, not {}",
            meta::MAX_PARTITIONS,
            options.default_partitions
        )));
    }
    if options.segment_bytes == 0 {
        return Err(LogError::Invalid("segment_bytes must be at least 1".into()));
    }
    if options.fsync == FsyncPolicy::Interval(Duration::ZERO) {
        return Err(LogError::Invalid(
            "the fsync interval must not be zero".into(),
        ));
    }
    if options.retention_check_interval.is_zero() {
        return Err(LogError::Invalid(
            "retention_check_interval must not be zero".into(),
        ));
    }
    Ok(())
}

impl Inner {
    fn open(dir: PathBuf, options: EmbeddedLogOptions) -> Result<Inner> {
        fs::create_dir_all(&dir)
            .map_err(io_error(format!("creating directory {}", dir.display())))?;
        let lock_path = dir.join(".lock");
        let lock_file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(format!("opening {}", lock_path.display())))?;
        match lock_file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(LogError::Other(format!(
                    "the embedded log in {} is already open (locked through {})",
                    dir.display(),
                    lock_path.display()
                )));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(LogError::Io {
                    context: format!("locking {}", lock_path.display()),
                    source: e,
                });
            }
        }
        let sync = options.fsync != FsyncPolicy::Never;
        meta::remove_tmp_files(&dir)?;
        let format_path = dir.join(FORMAT_FILE);
        match fs::read_to_string(&format_path) {
            Ok(text) => {
                if text.lines().map(str::trim).all(|l| l != FORMAT_VERSION) {
                    return Err(LogError::Other(format!(
                        "{} does not say {FORMAT_VERSION}: not an embedded log this version can read",
                        format_path.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                meta::write_atomic(&format_path, format!("{FORMAT_VERSION}\n").as_bytes(), sync)?;
            }
            Err(e) => {
                return Err(LogError::Io {
                    context: format!("reading {}", format_path.display()),
                    source: e,
                });
            }
        }
        for sub in [meta::topics_dir(&dir), meta::groups_dir(&dir)] {
            fs::create_dir_all(&sub)
                .map_err(io_error(format!("creating directory {}", sub.display())))?;
        }

        let mut topics = BTreeMap::new();
        let mut recovered_bytes = 0;
        for topic in meta::load_topics(&dir)? {
            let settings = TopicSettings::resolve(&topic.configs, &options)?;
            let partitions =
                open_partitions(&dir, &topic, &settings, options.fsync, &mut recovered_bytes)?;
            topics.insert(topic.name.clone(), Arc::new(Topic { partitions }));
        }
        let mut groups = HashMap::new();
        for group in meta::load_groups(&dir)? {
            let offsets = group
                .offsets
                .into_iter()
                .map(|o| (Partition::new(o.topic, o.partition), o.offset))
                .collect();
            groups.insert(group.group, Arc::new(tokio::sync::Mutex::new(offsets)));
        }
        Ok(Inner {
            dir,
            options,
            topics: RwLock::new(topics),
            create: tokio::sync::Mutex::new(()),
            groups: Mutex::new(groups),
            recovered_bytes: AtomicU64::new(recovered_bytes),
            _lock: lock_file,
        })
    }

    fn all_partitions(&self) -> Vec<Arc<PartitionLog>> {
        let topics = self.topics.read().unwrap_or_else(PoisonError::into_inner);
        topics
            .values()
            .flat_map(|t| t.partitions.iter().cloned())
            .collect()
    }
}

fn open_partitions(
    dir: &Path,
    topic: &TopicMeta,
    settings: &TopicSettings,
    fsync: FsyncPolicy,
    recovered_bytes: &mut u64,
) -> Result<Vec<Arc<PartitionLog>>> {
    (0..topic.partitions)
        .map(|p| {
            let id = Partition::new(topic.name.as_str(), p);
            let path = dir.join(id.to_string());
            let (log, recovered) = PartitionLog::open(id, path, settings.clone(), fsync)?;
            *recovered_bytes += recovered;
            Ok(Arc::new(log))
        })
        .collect()
}

async fn enforce_retention(partitions: Vec<Arc<PartitionLog>>) -> Result<usize> {
    blocking(move || {
        let now = segment::now_ms();
        let mut deleted = 0;
        let mut first_error = None;
        for p in &partitions {
            match p.enforce_retention(now) {
                Ok(n) => deleted += n,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(deleted), Err)
    })
    .await
}

/// The background task: syncs dirty partitions and applies retention, until the log is dropped.
async fn maintain(inner: Weak<Inner>, fsync_every: Option<Duration>, retention_every: Duration) {
    use tokio::time::{MissedTickBehavior, interval};
    let mut fsync_tick = fsync_every.map(interval);
    if let Some(tick) = fsync_tick.as_mut() {
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    }
    let mut retention_tick = interval(retention_every);
    retention_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let fsync = async {
            match fsync_tick.as_mut() {
                Some(tick) => {
                    tick.tick().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = fsync => {
                // Hold only the partitions, not the log, so dropping the log releases it.
                let Some(partitions) = inner.upgrade().map(|i| i.all_partitions()) else { break };
                // Failures mark the partition failed; its appends then report them.
                let _ = blocking(move || {
                    for p in &partitions {
                        let _ = p.sync(false);
                    }
                    Ok(())
                })
                .await;
            }
            _ = retention_tick.tick() => {
                let Some(partitions) = inner.upgrade().map(|i| i.all_partitions()) else { break };
                // Best effort: retried on the next tick.
                let _ = enforce_retention(partitions).await;
            }
        }
    }
}

#[async_trait]
impl Log for EmbeddedLog {
    fn describe(&self) -> String {
        format!("embedded ({})", self.inner.dir.display())
    }

    async fn create_topic(&self, topic: &NewTopic) -> Result<bool> {
        meta::validate_topic_name(&topic.name)?;
        let partitions = match topic.partitions {
            -1 => self.inner.options.default_partitions,
            n if (1..=meta::MAX_PARTITIONS).contains(&n) => n,
            n => {
                return Err(LogError::Invalid(format!(
                    "cannot create topic {}: the number of partitions must be between 1 and {} \
                     (or -1 for the default), not {n}",
                    topic.name,
                    meta::MAX_PARTITIONS
                )));
            }
        };
        let settings = TopicSettings::resolve(&topic.configs, &self.inner.options)?;
        let _creating = self.inner.create.lock().await;
        if self.partition_count(&topic.name).await?.is_some() {
            return Ok(false);
        }
        let meta = TopicMeta {
            name: topic.name.clone(),
            partitions,
            configs: topic.configs.clone(),
        };
        let dir = self.inner.dir.clone();
        let fsync = self.inner.options.fsync;
        let sync = self.sync_metadata();
        let opened = blocking(move || {
            let mut recovered = 0;
            let partitions = open_partitions(&dir, &meta, &settings, fsync, &mut recovered)?;
            if sync {
                segment::sync_dir(&dir)?;
            }
            // The topic exists once its metadata file does.
            meta::store_topic(&dir, &meta, sync)?;
            Ok((meta.name, Topic { partitions }))
        })
        .await?;
        let mut topics = self
            .inner
            .topics
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        topics.insert(opened.0, Arc::new(opened.1));
        Ok(true)
    }

    async fn partition_count(&self, topic: &str) -> Result<Option<i32>> {
        let topics = self
            .inner
            .topics
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(topics.get(topic).map(|t| t.partitions.len() as i32))
    }

    async fn list_topics(&self) -> Result<BTreeMap<String, i32>> {
        let topics = self
            .inner
            .topics
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(topics
            .iter()
            .map(|(name, t)| (name.clone(), t.partitions.len() as i32))
            .collect())
    }

    async fn append(&self, partition: &Partition, records: Vec<LogRecord>) -> Result<Vec<i64>> {
        let log = self.partition(partition)?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let count = records.len() as i64;
        let base = blocking(move || log.append(&records)).await?;
        Ok((base..base + count).collect())
    }

    async fn fetch(
        &self,
        partition: &Partition,
        offset: i64,
        max_bytes: usize,
        max_wait: Duration,
    ) -> Result<Fetched> {
        let log = self.partition(partition)?;
        let mut high_watermark = log.subscribe();
        let (earliest, latest) = log.bounds();
        if offset < earliest || offset > latest {
            return Err(log.out_of_range(offset, earliest, latest));
        }
        if offset == latest && !max_wait.is_zero() {
            // The receiver has seen the value current when it subscribed, which is at most
            // `latest`: any later append wakes it.
            let _ =
                tokio::time::timeout(max_wait, high_watermark.wait_for(|hw| *hw > offset)).await;
        }
        let (_, latest) = log.bounds();
        if offset == latest {
            return Ok(Fetched {
                records: Vec::new(),
                high_watermark: latest,
            });
        }
        let (records, high_watermark) = blocking(move || log.read(offset, max_bytes)).await?;
        Ok(Fetched {
            records,
            high_watermark,
        })
    }

    async fn offset(&self, partition: &Partition, at: OffsetSpec) -> Result<i64> {
        let (earliest, latest) = self.partition(partition)?.bounds();
        Ok(match at {
            OffsetSpec::Earliest => earliest,
            OffsetSpec::Latest => latest,
        })
    }

    async fn commit_offsets(&self, group: &str, offsets: &[(Partition, i64)]) -> Result<()> {
        for (partition, _) in offsets {
            self.partition(partition)?;
        }
        if offsets.is_empty() {
            return Ok(());
        }
        let state = self.group(group);
        let mut committed = state.lock().await;
        let mut updated = committed.clone();
        updated.extend(offsets.iter().cloned());
        self.store_group(group, &updated).await?;
        *committed = updated;
        Ok(())
    }

    async fn committed_offsets(
        &self,
        group: &str,
        partitions: &[Partition],
    ) -> Result<HashMap<Partition, i64>> {
        let state = self.group(group);
        let committed = state.lock().await;
        Ok(partitions
            .iter()
            .filter_map(|p| committed.get(p).map(|offset| (p.clone(), *offset)))
            .collect())
    }

    async fn delete_committed_offsets(&self, group: &str, partitions: &[Partition]) -> Result<()> {
        for partition in partitions {
            self.partition(partition)?;
        }
        let state = self.group(group);
        let mut committed = state.lock().await;
        if !partitions.iter().any(|p| committed.contains_key(p)) {
            return Ok(());
        }
        let mut updated = committed.clone();
        for partition in partitions {
            updated.remove(partition);
        }
        self.store_group(group, &updated).await?;
        *committed = updated;
        Ok(())
    }
}

/// Runs blocking file I/O on Tokio's blocking threads.
async fn blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| LogError::Other(format!("embedded log I/O task failed: {e}")))?
}

/// Maps an I/O error to [`LogError::Io`] with a context naming the path.
fn io_error(context: String) -> impl FnOnce(std::io::Error) -> LogError {
    move |source| LogError::Io { context, source }
}

/// Locks a mutex, ignoring poisoning: the state behind every lock here stays consistent
/// between statements, and no code holding one panics.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
