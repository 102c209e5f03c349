//! Drives an `HdfsSinkTask` the way the runtime does (start, open, put, pre_commit with the
//! offsets committed to a group, seeks and pauses honoured) over in-memory partitions, so tests
//! can stop it at any point, as a crash would, and start a new one.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_api::config::ConfigMap;
use connect_api::data::{Schema, Value};
use connect_api::error::{ConnectError, Result};
use connect_api::record::{ConnectRecord, SinkRecord, TimestampType, TopicPartition};
use connect_api::task::{ErrantRecordReporter, SinkTask, SinkTaskContext};
use connect_hdfs::HdfsSinkTask;
use connect_hdfs::storage::Storage;
use futures::future::BoxFuture;

/// What the task asked of the runtime.
#[derive(Debug, Default)]
pub struct Requests {
    pub seeks: HashMap<TopicPartition, i64>,
    pub paused: HashSet<TopicPartition>,
    pub timeout: Option<Duration>,
}

/// The runtime side of a task: assignment, requests, reported records.
#[derive(Debug)]
pub struct Context {
    pub props: ConfigMap,
    pub assignment: Vec<TopicPartition>,
    pub requests: Mutex<Requests>,
    pub reporter: Arc<Reporter>,
}

/// Collects the records the task reports as bad.
#[derive(Debug, Default)]
pub struct Reporter {
    pub reported: Mutex<Vec<(SinkRecord, String)>>,
}

impl ErrantRecordReporter for Reporter {
    fn report(&self, record: SinkRecord, error: ConnectError) -> BoxFuture<'static, Result<()>> {
        self.reported
            .lock()
            .unwrap()
            .push((record, error.to_string()));
        Box::pin(async { Ok(()) })
    }
}

impl SinkTaskContext for Context {
    fn configs(&self) -> ConfigMap {
        self.props.clone()
    }

    fn offsets(&self, offsets: HashMap<TopicPartition, i64>) {
        self.requests.lock().unwrap().seeks.extend(offsets);
    }

    fn timeout(&self, timeout: Duration) {
        self.requests.lock().unwrap().timeout = Some(timeout);
    }

    fn assignment(&self) -> Vec<TopicPartition> {
        self.assignment.clone()
    }

    fn pause(&self, partitions: &[TopicPartition]) -> Result<()> {
        self.requests
            .lock()
            .unwrap()
            .paused
            .extend(partitions.iter().cloned());
        Ok(())
    }

    fn resume(&self, partitions: &[TopicPartition]) -> Result<()> {
        let mut requests = self.requests.lock().unwrap();
        for partition in partitions {
            requests.paused.remove(partition);
        }
        Ok(())
    }

    fn request_commit(&self) {}

    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        Some(self.reporter.clone())
    }
}

/// Partitions of records, a consumer position per partition and the group's committed offsets.
pub struct Harness {
    pub dir: tempfile::TempDir,
    pub props: ConfigMap,
    pub partitions: BTreeMap<TopicPartition, Vec<SinkRecord>>,
    pub position: HashMap<TopicPartition, i64>,
    pub committed: HashMap<TopicPartition, i64>,
    /// Records handed to one `put`, per partition.
    pub batch: usize,
    /// Whether each partition's records of a `put` come as two runs, interleaved with the
    /// other partitions' (as a consumer's fetch chunks can).
    pub interleave: bool,
}

/// A started task and its context.
pub struct Running {
    pub task: HdfsSinkTask,
    pub context: Arc<Context>,
}

impl Harness {
    /// A harness writing under a new temporary directory with `props` (plus `hdfs.url`).
    pub fn new(props: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut map: ConfigMap = props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        map.entry("hdfs.url".to_owned())
            .or_insert_with(|| format!("file://{}", dir.path().display()));
        Self {
            dir,
            props: map,
            partitions: BTreeMap::new(),
            position: HashMap::new(),
            committed: HashMap::new(),
            batch: 7,
            interleave: false,
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Appends a record to a partition, at the next offset.
    pub fn add(
        &mut self,
        topic: &str,
        partition: i32,
        schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
    ) {
        let tp = TopicPartition::new(topic, partition);
        let records = self.partitions.entry(tp).or_default();
        let offset = records.len() as i64;
        let mut record = ConnectRecord::new(topic, schema, value);
        if let Some(timestamp) = timestamp {
            record = record.with_timestamp(timestamp);
        }
        records.push(SinkRecord::new(
            record,
            partition,
            offset,
            TimestampType::CreateTime,
        ));
    }

    /// Starts a task (over `storage` if given) on every partition, positioned at the group's
    /// committed offsets as the runtime would.
    pub async fn start(&mut self, storage: Option<Arc<dyn Storage>>) -> Result<Running> {
        let context = Arc::new(Context {
            props: self.props.clone(),
            assignment: self.partitions.keys().cloned().collect(),
            requests: Mutex::new(Requests::default()),
            reporter: Arc::new(Reporter::default()),
        });
        let mut task = match storage {
            Some(storage) => HdfsSinkTask::with_storage(storage),
            None => HdfsSinkTask::new(),
        };
        task.initialize(context.clone());
        self.position = self
            .partitions
            .keys()
            .map(|tp| (tp.clone(), self.committed.get(tp).copied().unwrap_or(0)))
            .collect();
        task.start(&self.props).await?;
        task.open(&context.assignment).await?;
        Ok(Running { task, context })
    }

    /// One poll-and-put cycle, then a commit of what `pre_commit` returns; the number of
    /// records handed over.
    pub async fn step(&mut self, running: &mut Running) -> Result<usize> {
        let (seeks, paused) = {
            let mut requests = running.context.requests.lock().unwrap();
            (std::mem::take(&mut requests.seeks), requests.paused.clone())
        };
        self.position.extend(seeks);
        let (mut first, mut second) = (Vec::new(), Vec::new());
        for (tp, records) in &self.partitions {
            if paused.contains(tp) {
                continue;
            }
            let position = self.position.entry(tp.clone()).or_insert(0);
            let start = usize::try_from(*position).unwrap().min(records.len());
            let end = (start + self.batch).min(records.len());
            let middle = if self.interleave {
                start + (end - start) / 2
            } else {
                end
            };
            first.extend(records[start..middle].iter().cloned());
            second.extend(records[middle..end].iter().cloned());
            *position = end as i64;
        }
        let mut batch = first;
        batch.append(&mut second);
        running.task.put(&batch).await?;
        let offsets = running.task.pre_commit(HashMap::new()).await?;
        for (tp, offset) in offsets {
            self.committed.insert(tp, offset.offset);
        }
        Ok(batch.len())
    }

    /// Steps until every record was handed over, then `extra` more (empty) cycles.
    pub async fn run(&mut self, running: &mut Running, extra: usize) -> Result<()> {
        let mut idle = 0;
        while idle <= extra {
            if self.step(running).await? == 0 {
                idle += 1;
            } else {
                idle = 0;
            }
        }
        Ok(())
    }

    /// Every file under `dir` (relative to the root), sorted.
    pub fn files(&self, dir: &str) -> Vec<String> {
        let mut found = Vec::new();
        walk(&self.root().join(dir), &mut found);
        let mut names: Vec<String> = found
            .into_iter()
            .map(|p| p.strip_prefix(self.root()).unwrap().display().to_string())
            .collect();
        names.sort();
        names
    }
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, found);
        } else {
            found.push(path);
        }
    }
}

/// The offsets a committed file's name covers.
pub fn name_offsets(path: &str) -> (i64, i64) {
    let file = connect_hdfs::naming::CommittedFile::parse(path).unwrap();
    (file.start_offset, file.end_offset)
}
