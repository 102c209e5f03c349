//! What the runtime costs in memory and start-up time:
//!
//! 1. Resident memory (VmRSS) of an idle `connect-standalone` (release build, embedded log,
//!    REST on a free port of 127.0.0.1) with no connector. Target ≤ 20 MiB.
//! 2. The same with 100 connectors (50 FileStreamSource → topic → FileStreamSink pairs on
//!    two-line files) created through the REST API, once every sink has written its file and the
//!    process has settled; and the increment per connector over (1). No target.
//! 3. Start-up time, from spawning `connect-standalone` until `GET /` answers 200. Target
//!    ≤ 100 ms.
//! 4. Memory per partition the HDFS sink holds open: an `HdfsSinkTask` writing Parquet and Avro to
//!    a temporary `file://` directory with N = 1, 16, 64, 256 partitions, each with an open
//!    (uncommitted) file of a few records; the RSS growth divided by N. Each measurement runs in
//!    a child process (this bench started again) so that memory freed by an earlier measurement
//!    is not reused by a later one. No target.
//!
//! There is no baseline: these are absolute figures. Each is the median of several runs.
//!
//! Run: `cargo bench -p connect-benches --bench resources`. Knobs: `RESOURCES_RUNS` (runs of the
//! memory figures, default 3), `RESOURCES_STARTS` (start-up samples, default 7),
//! `RESOURCES_SETTLE_MS` (how long a process idles before its RSS is read, default 3000),
//! `RESOURCES_CONNECTOR_PAIRS` (source/sink pairs, default 50), `RESOURCES_HDFS_RECORDS`
//! (records per open HDFS partition, default 5).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::config::ConfigMap;
use connect_api::record::{ConnectRecord, SinkRecord, TimestampType, TopicPartition};
use connect_api::task::SinkTask;
use connect_benches::{
    BenchResult, BenchSinkContext, Target, customer, customer_schema, env_usize, median,
};
use connect_hdfs::HdfsSinkTask;

const GROUP: &str = "resources";
/// Set in the child processes that measure the HDFS sink: `<format>:<partitions>`.
const HDFS_CHILD: &str = "RESOURCES_HDFS_CHILD";
const PARTITION_COUNTS: [usize; 4] = [1, 16, 64, 256];

/// VmRSS of a process in KiB.
fn rss_kib(pid: &str) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

// ---------------------------------------------------------------------------------------------
// connect-standalone
// ---------------------------------------------------------------------------------------------

/// Builds the release `connect-standalone` and returns its path.
fn standalone_binary() -> Option<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "connect-runtime",
            "--bin",
            "connect-standalone",
        ])
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            std::env::current_exe()
                .unwrap()
                .ancestors()
                .nth(3)
                .unwrap()
                .to_path_buf()
        });
    let binary = target.join("release/connect-standalone");
    binary.exists().then_some(binary)
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `connect-standalone`, killed when dropped.
struct Standalone {
    child: Child,
    address: SocketAddr,
    state: tempfile::TempDir,
}

impl Standalone {
    /// Starts it on the embedded log in a new temporary directory, with no connector.
    fn spawn(binary: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let worker = dir.path().join("worker.properties");
        std::fs::write(
            &worker,
            format!(
                "key.converter=StringConverter\nvalue.converter=StringConverter\n\
                 listeners=http://127.0.0.1:{port}\noffset.storage.file.filename={}\n",
                dir.path().join("offsets").display()
            ),
        )
        .unwrap();
        let child = Command::new(binary)
            .arg(&worker)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            state: dir,
        }
    }

    fn dir(&self) -> &Path {
        self.state.path()
    }

    fn rss_mib(&self) -> f64 {
        rss_kib(&self.child.id().to_string()).expect("connect-standalone is running") / 1024.0
    }

    /// Waits until `GET /` answers 200.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, _)) = http(self.address, "GET", "/", None) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("connect-standalone exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "connect-standalone did not start"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request with `Connection: close`; the status code and the body.
fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    Ok((status, body))
}

/// Idle RSS of a started process with no connector, after `settle`.
fn idle_rss(binary: &Path, settle: Duration) -> f64 {
    let mut process = Standalone::spawn(binary);
    process.wait_ready();
    std::thread::sleep(settle);
    process.rss_mib()
}

/// RSS with `pairs` FileStreamSource → topic → FileStreamSink pairs created through REST, once
/// every sink wrote its file, after `settle`.
fn connectors_rss(binary: &Path, pairs: usize, settle: Duration) -> f64 {
    let mut process = Standalone::spawn(binary);
    process.wait_ready();
    let dir = process.dir().to_path_buf();
    let mut outputs = Vec::new();
    for i in 0..pairs {
        let (input, output) = (
            dir.join(format!("in-{i}.txt")),
            dir.join(format!("out-{i}.txt")),
        );
        std::fs::write(&input, format!("first line of {i}\nsecond line of {i}\n")).unwrap();
        let configs = [
            serde_json::json!({"name": format!("source-{i}"), "config": {
                "connector.class": "FileStreamSource",
                "topic": format!("lines-{i}"),
                "file": input.to_str().unwrap(),
            }}),
            serde_json::json!({"name": format!("sink-{i}"), "config": {
                "connector.class": "FileStreamSink",
                "topics": format!("lines-{i}"),
                "file": output.to_str().unwrap(),
            }}),
        ];
        for config in configs {
            let (status, body) = http(
                process.address,
                "POST",
                "/connectors",
                Some(&config.to_string()),
            )
            .unwrap();
            assert_eq!(status, 201, "creating a connector: {body}");
        }
        outputs.push((output, std::fs::metadata(&input).unwrap().len()));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    for (output, len) in &outputs {
        while std::fs::metadata(output).map_or(0, |m| m.len()) < *len {
            assert!(
                Instant::now() < deadline,
                "{} was not written",
                output.display()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let (status, body) = http(process.address, "GET", "/connectors", None).unwrap();
    assert_eq!(status, 200);
    let names: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(names.len(), pairs * 2);
    std::thread::sleep(settle);
    process.rss_mib()
}

/// Milliseconds from spawning the process until `GET /` answers 200.
fn start_up_ms(binary: &Path) -> f64 {
    let started = Instant::now();
    let mut process = Standalone::spawn(binary);
    process.wait_ready();
    started.elapsed().as_secs_f64() * 1e3
}

// ---------------------------------------------------------------------------------------------
// The HDFS sink's open partitions (in a child process per measurement)
// ---------------------------------------------------------------------------------------------

/// `per_partition` customer records in each of `partitions` partitions of `topic`.
fn hdfs_records(topic: &str, partitions: usize, per_partition: usize) -> Vec<SinkRecord> {
    let schema = customer_schema();
    let topic: Arc<str> = Arc::from(topic);
    let mut records = Vec::with_capacity(partitions * per_partition);
    for offset in 0..per_partition {
        for partition in 0..partitions {
            let value = customer(&schema, &format!("partition {partition}, offset {offset}"));
            let record = ConnectRecord::new(topic.clone(), Some(schema.clone()), value);
            records.push(SinkRecord::new(
                record,
                partition as i32,
                offset as i64,
                TimestampType::CreateTime,
            ));
        }
    }
    records
}

/// A started sink on `dir`, with every partition of `records` opened and their records put: each
/// partition then holds an open file (`flush.size` is far above what it gets).
async fn hdfs_task(dir: &Path, format: &str, topic: &str, records: &[SinkRecord]) -> HdfsSinkTask {
    let props: ConfigMap = [
        ("topics", topic.to_owned()),
        ("hdfs.url", format!("file://{}", dir.display())),
        ("format.class", format.to_owned()),
        ("flush.size", "1000000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut assignment: Vec<TopicPartition> = records
        .iter()
        .map(|r| TopicPartition::new(topic, r.kafka_partition()))
        .collect();
    assignment.sort();
    assignment.dedup();
    let mut task = HdfsSinkTask::new();
    task.initialize(Arc::new(BenchSinkContext(assignment.clone())));
    task.start(&props).await.unwrap();
    task.open(&assignment).await.unwrap();
    for batch in records.chunks(500) {
        task.put(batch).await.unwrap();
    }
    task
}

/// Files under `dir`, recursively.
fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|entry| {
                let path = entry.path();
                if path.is_dir() { count_files(&path) } else { 1 }
            })
            .sum()
    })
}

/// The child: prints `HDFS-KIB <growth in KiB>` for `partitions` open partitions.
///
/// The growth covers everything the task holds for its open partitions: each partition's writer
/// state, its format writer with the rows it buffers (Parquet keeps its row group in memory until
/// the file is committed) and the encoded bytes not yet written out (the sink creates the
/// temporary file only once 1 MiB is encoded or the file commits, so with a few records per
/// partition nothing is on disk yet and no file descriptor is held), the per-partition state of
/// the task, and any allocator slack those allocations leave. It excludes the records handed
/// to `put` (built before the first reading) and what the first use of the code costs (a warm-up
/// task with one partition of another topic runs first and stays open).
fn hdfs_child(spec: &str) {
    let (format, partitions) = spec.split_once(':').unwrap();
    let partitions: usize = partitions.parse().unwrap();
    let per_partition = env_usize("RESOURCES_HDFS_RECORDS", 5);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let warm_records = hdfs_records("warmup", 1, per_partition);
    let records = hdfs_records("customers", partitions, per_partition);
    let warm = runtime.block_on(hdfs_task(dir.path(), format, "warmup", &warm_records));
    let pid = std::process::id().to_string();
    let before = rss_kib(&pid).unwrap();
    let task = runtime.block_on(hdfs_task(dir.path(), format, "customers", &records));
    let after = rss_kib(&pid).unwrap();
    let committed = count_files(&dir.path().join("topics/customers"));
    assert_eq!(committed, 0, "every partition's file is still open");
    println!("HDFS-KIB {}", after - before);
    drop((task, warm));
}

/// Median growth per partition in KiB, over `runs` child processes.
fn hdfs_per_partition_kib(format: &str, partitions: usize, runs: usize) -> f64 {
    let exe = std::env::current_exe().unwrap();
    let samples = (0..runs)
        .map(|_| {
            let output = Command::new(&exe)
                .arg("--bench")
                .env(HDFS_CHILD, format!("{format}:{partitions}"))
                .stderr(Stdio::inherit())
                .output()
                .unwrap();
            assert!(output.status.success(), "the HDFS measurement failed");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let kib: f64 = stdout
                .lines()
                .find_map(|l| l.strip_prefix("HDFS-KIB "))
                .and_then(|v| v.trim().parse().ok())
                .expect("the child prints its figure");
            kib / partitions as f64
        })
        .collect();
    median(samples)
}

fn main() {
    // `cargo test --benches` runs benches once without `--bench`: nothing heavy then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if let Ok(spec) = std::env::var(HDFS_CHILD) {
        hdfs_child(&spec);
        return;
    }
    let runs = env_usize("RESOURCES_RUNS", 3).max(1);
    let starts = env_usize("RESOURCES_STARTS", 7).max(1);
    let settle = Duration::from_millis(env_usize("RESOURCES_SETTLE_MS", 3000) as u64);
    let pairs = env_usize("RESOURCES_CONNECTOR_PAIRS", 50).max(1);
    let mut results = Vec::new();

    match standalone_binary() {
        Some(binary) => {
            // One start first, so that the binary and its libraries are in the page cache.
            start_up_ms(&binary);
            let idle = median((0..runs).map(|_| idle_rss(&binary, settle)).collect());
            let loaded = median(
                (0..runs)
                    .map(|_| connectors_rss(&binary, pairs, settle))
                    .collect(),
            );
            let start_up = median((0..starts).map(|_| start_up_ms(&binary)).collect());
            let connectors = pairs * 2;
            results.push(BenchResult {
                group: GROUP,
                workload: "idle connect-standalone, no connector (RSS)".into(),
                unit: "MiB",
                ours: idle,
                baseline: None,
                target: Target::AtMost(20.0),
            });
            results.push(BenchResult {
                group: GROUP,
                workload: format!(
                    "connect-standalone, {connectors} file connectors ({pairs} source/sink pairs, RSS)"
                ),
                unit: "MiB",
                ours: loaded,
                baseline: None,
                target: Target::None,
            });
            results.push(BenchResult {
                group: GROUP,
                workload: "connect-standalone, RSS per file connector".into(),
                unit: "KiB",
                ours: (loaded - idle) * 1024.0 / connectors as f64,
                baseline: None,
                target: Target::None,
            });
            results.push(BenchResult {
                group: GROUP,
                workload: "connect-standalone start-up, spawn → GET / 200".into(),
                unit: "ms",
                ours: start_up,
                baseline: None,
                target: Target::AtMost(100.0),
            });
        }
        None => println!(
            "(connect-standalone rows skipped: connect-standalone could not be built or found)"
        ),
    }

    for (format, name) in [("ParquetFormat", "Parquet"), ("AvroFormat", "Avro")] {
        for partitions in PARTITION_COUNTS {
            results.push(BenchResult {
                group: GROUP,
                workload: format!("HDFS sink, {name}, RSS per open partition, N = {partitions}"),
                unit: "KiB",
                ours: hdfs_per_partition_kib(format, partitions, runs),
                baseline: None,
                target: Target::None,
            });
        }
    }

    println!("resources, medians of {runs} runs ({starts} for start-up)");
    println!(
        "{:<72} {:>10} {:<4} {:>8} {:>5}",
        "workload", "ours", "unit", "target", "met"
    );
    for result in &results {
        let target = match result.target {
            Target::AtMost(max) => format!("≤ {max}"),
            Target::MinRatio(min) => format!("≥ {min}"),
            Target::None => "-".into(),
        };
        let met = match result.meets_target() {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        println!(
            "{:<72} {:>10.1} {:<4} {target:>8} {met:>5}",
            result.workload, result.ours, result.unit
        );
    }
    for result in &results {
        result.print();
    }
}
