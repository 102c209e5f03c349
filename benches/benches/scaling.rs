//! How the pipeline's throughput grows with tasks and partitions, on the embedded log and on the
//! broker.
//!
//! The workload is written here so that it can use any number of tasks: a source connector whose
//! tasks generate `SCALING_RECORDS` records between them (one source partition per task, ~60-byte
//! string values, each task writing its own share of the topic's partitions), into a topic
//! created up front with P partitions, and a sink connector whose tasks only count what they are
//! given. Both run with `tasks.max` = T. A run times from creating the source (the sink's tasks
//! are running and hold all P partitions by then) until the sinks have counted every record.
//!
//! Two series, each on the embedded log and, when nisshi can start (see docs/testing.md), on the
//! broker (its rows are skipped with a note otherwise):
//!
//! * T = 1, 2, 4, 8 tasks on a topic of P = T partitions;
//! * P = 1, 4, 16, 64 partitions with T = 1 task.
//!
//! Rows are in k records/s (median of `SCALING_RUNS` runs), with no target: the baseline is the
//! same backend's 1-task, 1-partition figure, so the ratio column shows the speed-up.
//!
//! Run: `cargo bench -p connect-benches --bench scaling`. Knobs: `SCALING_RECORDS` (records per
//! run, default 200000), `SCALING_RUNS` (runs per point, default 3), `SCALING_BROKER=0` to skip
//! the broker.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use connect_api::config::{ConfigDef, ConfigMap};
use connect_api::connector::{
    Connector, SinkConnector, SinkConnectorContext, SourceConnector, SourceConnectorContext,
};
use connect_api::data::{Schema, Value};
use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetMap, SinkRecord, SourceRecord, TopicPartition};
use connect_api::task::{SinkTask, SourceTask};
use connect_benches::{BenchResult, Target, env_usize, props};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_runtime::plugins::Plugins;
use connect_testkit::{Broker, Storage};

const GROUP: &str = "scaling";
/// Records a source task returns from one `poll`.
const POLL_BATCH: usize = 1000;
const TASKS: [usize; 4] = [1, 2, 4, 8];
const PARTITIONS: [usize; 4] = [1, 4, 16, 64];

/// Records the sink tasks of the current run have been given.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// Partitions the sink tasks of the current run hold open.
static OPENED: AtomicI64 = AtomicI64::new(0);

fn get<T: std::str::FromStr>(props: &ConfigMap, key: &str) -> Result<T> {
    props
        .get(key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ConnectError::other(format!("missing or invalid '{key}'")))
}

// ---------------------------------------------------------------------------------------------
// The generating source
// ---------------------------------------------------------------------------------------------

/// Splits `records` across its tasks; task k of T writes partitions k, k + T, k + 2T, … of the
/// topic's `partitions` (all of them when T > partitions, modulo).
#[derive(Default)]
struct GeneratingSource {
    props: ConfigMap,
}

#[async_trait]
impl Connector for GeneratingSource {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }
    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        self.props = props.clone();
        Ok(())
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        Ok((0..max_tasks)
            .map(|index| {
                let mut props = self.props.clone();
                props.insert("task.index".into(), index.to_string());
                props.insert("task.count".into(), max_tasks.to_string());
                props
            })
            .collect())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

impl SourceConnector for GeneratingSource {
    fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(GeneratingTask::default())
    }
}

#[derive(Default)]
struct GeneratingTask {
    topic: Arc<str>,
    source_partition: Arc<OffsetMap>,
    index: usize,
    count: usize,
    partitions: usize,
    /// Records generated so far, and how many this task generates.
    next: usize,
    total: usize,
}

#[async_trait]
impl SourceTask for GeneratingTask {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }
    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let records: usize = get(props, "records")?;
        self.topic = Arc::from(props.get("topic").map_or("scaling", String::as_str));
        self.index = get(props, "task.index")?;
        self.count = get(props, "task.count")?;
        self.partitions = get(props, "partitions")?;
        self.total = records / self.count + usize::from(self.index < records % self.count);
        let mut partition = OffsetMap::new();
        partition.insert("task".into(), self.index.into());
        self.source_partition = Arc::new(partition);
        Ok(())
    }
    /// Cancel-safe: the only wait comes before any state changes.
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        if self.next >= self.total {
            tokio::time::sleep(Duration::from_millis(20)).await;
            return Ok(Vec::new());
        }
        let end = (self.next + POLL_BATCH).min(self.total);
        let records = (self.next..end)
            .map(|i| {
                let mut offset = OffsetMap::new();
                offset.insert("n".into(), (i + 1).into());
                let partition = (self.index + self.count * i) % self.partitions;
                SourceRecord::new(
                    self.source_partition.clone(),
                    offset,
                    self.topic.clone(),
                    Some(Schema::string()),
                    Value::String(format!(
                        "{:02}-{i:010} the quick brown fox jumps over the lazy dog",
                        self.index
                    )),
                )
                .with_partition(partition as i32)
            })
            .collect();
        self.next = end;
        Ok(records)
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The counting sink
// ---------------------------------------------------------------------------------------------

/// Counts what its tasks are given in [`RECEIVED`], and the partitions they hold in [`OPENED`].
#[derive(Default)]
struct CountingSink {
    props: ConfigMap,
}

#[async_trait]
impl Connector for CountingSink {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }
    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        self.props = props.clone();
        Ok(())
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        Ok(vec![self.props.clone(); max_tasks])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

impl SinkConnector for CountingSink {
    fn initialize(&mut self, _context: Arc<dyn SinkConnectorContext>) {}
    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(CountingTask)
    }
}

struct CountingTask;

#[async_trait]
impl SinkTask for CountingTask {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }
    async fn open(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        OPENED.fetch_add(partitions.len() as i64, Ordering::SeqCst);
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        RECEIVED.fetch_add(records.len(), Ordering::Relaxed);
        Ok(())
    }
    async fn close(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        OPENED.fetch_sub(partitions.len() as i64, Ordering::SeqCst);
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

async fn runtime(dir: &Path, bootstrap: Option<&str>) -> Runtime {
    let mut worker = props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        (
            "offset.storage.file.filename",
            dir.join("offsets").to_str().unwrap(),
        ),
    ]);
    if let Some(bootstrap) = bootstrap {
        worker.insert("bootstrap.servers".into(), bootstrap.into());
    }
    let plugins = Plugins::builtin()
        .with_source_connector("GeneratingSource", || Box::new(GeneratingSource::default()))
        .with_sink_connector("CountingSink", || Box::new(CountingSink::default()));
    Runtime::builder(WorkerConfig::standalone(worker).unwrap())
        .plugins(plugins)
        .build()
        .await
        .unwrap()
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One run: `records` records from `tasks` source tasks through a topic of `partitions`
/// partitions to `tasks` sink tasks; the time from creating the source to the last record.
async fn run(
    bootstrap: Option<&str>,
    id: &str,
    records: usize,
    tasks: usize,
    partitions: usize,
) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime(dir.path(), bootstrap).await;
    let topic = format!("scaling-{id}");
    runtime
        .log()
        .create_topic(&connect_log::NewTopic::new(
            topic.clone(),
            partitions as i32,
        ))
        .await
        .unwrap();
    RECEIVED.store(0, Ordering::SeqCst);
    OPENED.store(0, Ordering::SeqCst);
    let (tasks_max, partition_count, total) = (
        tasks.to_string(),
        partitions.to_string(),
        records.to_string(),
    );
    runtime
        .create_connector(
            props(&[
                ("name", &format!("count-{id}")),
                ("connector.class", "CountingSink"),
                ("tasks.max", &tasks_max),
                ("topics", &topic),
            ]),
            None,
        )
        .await
        .unwrap();
    // Every partition is assigned before the clock starts: this measures throughput, not the
    // consumer group's joining.
    wait_until("the sink's partitions are assigned", || {
        OPENED.load(Ordering::SeqCst) == partitions as i64
    })
    .await;
    let started = Instant::now();
    runtime
        .create_connector(
            props(&[
                ("name", &format!("generate-{id}")),
                ("connector.class", "GeneratingSource"),
                ("tasks.max", &tasks_max),
                ("topic", &topic),
                ("records", &total),
                ("partitions", &partition_count),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_until("every record reached the sink", || {
        RECEIVED.load(Ordering::Relaxed) >= records
    })
    .await;
    let elapsed = started.elapsed();
    runtime.shutdown().await;
    assert_eq!(
        RECEIVED.load(Ordering::SeqCst),
        records,
        "no record is delivered twice"
    );
    elapsed
}

/// The median throughput in k records/s of `runs` runs of one point.
async fn point(
    bootstrap: Option<&str>,
    label: &str,
    records: usize,
    runs: usize,
    tasks: usize,
    partitions: usize,
) -> f64 {
    let mut rates = Vec::new();
    for r in 0..runs {
        let id = format!("{label}-t{tasks}-p{partitions}-{r}");
        let elapsed = run(bootstrap, &id, records, tasks, partitions).await;
        rates.push(records as f64 / elapsed.as_secs_f64() / 1e3);
    }
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Both series on one backend.
async fn series(
    bootstrap: Option<&str>,
    backend: &str,
    records: usize,
    runs: usize,
) -> Vec<BenchResult> {
    let label = if bootstrap.is_some() {
        "broker"
    } else {
        "embedded"
    };
    // (tasks, partitions): T tasks on T partitions, then 1 task on P partitions.
    let mut points: Vec<(usize, usize)> = TASKS.iter().map(|&t| (t, t)).collect();
    points.extend(PARTITIONS.iter().filter(|&&p| p > 1).map(|&p| (1, p)));
    let mut rates = Vec::new();
    for &(tasks, partitions) in &points {
        rates.push(point(bootstrap, label, records, runs, tasks, partitions).await);
    }
    let base = rates[0];
    points
        .iter()
        .zip(rates)
        .map(|(&(tasks, partitions), rate)| BenchResult {
            group: GROUP,
            workload: format!(
                "{backend}, {tasks} task{}, {partitions} partition{}",
                if tasks == 1 { "" } else { "s" },
                if partitions == 1 { "" } else { "s" },
            ),
            unit: "k rec/s",
            ours: rate,
            baseline: Some((base, "1 task")),
            target: Target::None,
        })
        .collect()
}

fn main() {
    // `cargo test --benches` runs benches once without `--bench`: nothing heavy then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let records = env_usize("SCALING_RECORDS", 200_000).max(1);
    let runs = env_usize("SCALING_RUNS", 3).max(1);
    let broker_wanted = env_usize("SCALING_BROKER", 1) != 0;
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut results = tokio.block_on(series(None, "embedded log", records, runs));
    tokio.block_on(async {
        if !broker_wanted {
            println!("(broker rows skipped: SCALING_BROKER=0)");
            return;
        }
        match Broker::try_start(Storage::Memory).await {
            Ok(broker) => {
                let bootstrap = broker.bootstrap();
                results.extend(series(Some(&bootstrap), "broker", records, runs).await);
            }
            Err(_) => {
                println!("(broker rows skipped: nisshi is not installed; see docs/testing.md)")
            }
        }
    });

    println!(
        "scaling, {records} records per run, median of {runs} runs, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<40} {:>12} {:>12} {:>8}",
        "workload", "k rec/s", "1 task", "speed-up"
    );
    for result in &results {
        println!(
            "{:<40} {:>12.0} {:>12.0} {:>8.2}",
            result.workload,
            result.ours,
            result.baseline.map_or(f64::NAN, |(b, _)| b),
            result.ratio().unwrap_or(f64::NAN)
        );
    }
    for result in &results {
        result.print();
    }
}
