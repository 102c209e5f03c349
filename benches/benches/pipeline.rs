//! The runtime end to end against hand-written baselines doing the same work, measured in the
//! same run (medians of several runs; the machines are shared and noisy):
//!
//! 1. FileStreamSource → embedded log → FileStreamSink, against a loop that reads the file line by
//!    line and writes it out. Target ratio ≥ 0.5.
//! 2. FileStreamSource into the broker, against rskafka's `BatchProducer` sending the same lines.
//!    Target ≥ 0.9.
//! 3. The broker into FileStreamSink, against rskafka's `StreamConsumer` reading the same topic
//!    and writing the lines. Target ≥ 0.9.
//!
//! The idle worker's memory and start-up time are in `resources.rs`.
//!
//! Broker cases need nisshi (see docs/testing.md) and are skipped with a note without it.
//! Run: `cargo bench -p connect-benches --bench pipeline` (`PIPELINE_LINES`, `PIPELINE_RUNS`
//! override the size and the number of runs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_benches::{BenchResult, Target, env_usize, median, props};
use connect_log::{Log, Partition};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_testkit::{Broker, Storage};
use futures::StreamExt;
use rskafka::client::ClientBuilder;
use rskafka::client::consumer::{StartOffset, StreamConsumerBuilder};
use rskafka::client::partition::{Compression, UnknownTopicHandling};
use rskafka::client::producer::BatchProducerBuilder;
use rskafka::client::producer::aggregator::RecordAggregator;
use rskafka::record::Record;

fn write_input(path: &Path, lines: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..lines {
        writeln!(
            out,
            "{i:010} the quick brown fox jumps over the lazy dog {}",
            i % 97
        )
        .unwrap();
    }
    out.flush().unwrap();
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

async fn wait_for_len(path: &Path, len: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while file_len(path) < len {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

async fn runtime(dir: &Path, bootstrap: Option<&str>) -> Runtime {
    let offsets = dir.join("offsets");
    let mut worker = props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
    ]);
    if let Some(bootstrap) = bootstrap {
        worker.insert("bootstrap.servers".into(), bootstrap.into());
    }
    Runtime::builder(WorkerConfig::standalone(worker).unwrap())
        .build()
        .await
        .unwrap()
}

fn baseline_copy(input: &Path, output: &Path) {
    let reader = std::io::BufReader::new(std::fs::File::open(input).unwrap());
    let mut writer = std::io::BufWriter::new(std::fs::File::create(output).unwrap());
    for line in reader.lines() {
        let line = line.unwrap();
        writer.write_all(line.as_bytes()).unwrap();
        writer.write_all(b"\n").unwrap();
    }
    writer.flush().unwrap();
}

async fn ours_embedded(input: &Path, len: u64) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.txt");
    let runtime = runtime(dir.path(), None).await;
    // Created up front so that the sink finds it at once: this measures throughput, not discovery.
    runtime
        .log()
        .create_topic(&connect_log::NewTopic::new("lines", 1))
        .await
        .unwrap();
    let started = Instant::now();
    runtime
        .create_connector(
            props(&[
                ("name", "src"),
                ("connector.class", "FileStreamSource"),
                ("topic", "lines"),
                ("file", input.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("topics", "lines"),
                ("file", output.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_for_len(&output, len, "file → embedded log → file").await;
    let elapsed = started.elapsed();
    runtime.shutdown().await;
    elapsed
}

/// The topic's end offset, from a fetch's high watermark (nisshi's ListOffsets Latest is wrong
/// on memory://).
async fn end_offset(log: &Arc<dyn Log>, topic: &str) -> i64 {
    match log
        .fetch(&Partition::new(topic, 0), 0, 1, Duration::ZERO)
        .await
    {
        Ok(fetched) => fetched.high_watermark,
        Err(_) => 0,
    }
}

async fn ours_produce(bootstrap: &str, input: &Path, topic: &str, lines: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime(dir.path(), Some(bootstrap)).await;
    let log = runtime.log();
    log.create_topic(&connect_log::NewTopic::new(topic, 1))
        .await
        .unwrap();
    let started = Instant::now();
    runtime
        .create_connector(
            props(&[
                ("name", "src"),
                ("connector.class", "FileStreamSource"),
                ("topic", topic),
                ("file", input.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    while end_offset(&log, topic).await < lines as i64 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = started.elapsed();
    runtime.shutdown().await;
    elapsed
}

async fn baseline_produce(bootstrap: &str, input: &Path, topic: &str) -> Duration {
    let client = ClientBuilder::new(vec![bootstrap.to_owned()])
        .build()
        .await
        .unwrap();
    client
        .controller_client()
        .unwrap()
        .create_topic(topic, 1, 1, 5_000)
        .await
        .unwrap();
    let partition = Arc::new(
        client
            .partition_client(topic, 0, UnknownTopicHandling::Retry)
            .await
            .unwrap(),
    );
    let producer = BatchProducerBuilder::new(partition)
        .with_linger(Duration::from_millis(5))
        .with_compression(Compression::NoCompression)
        .build(RecordAggregator::new(1 << 20));
    let started = Instant::now();
    let lines = std::io::BufReader::new(std::fs::File::open(input).unwrap()).lines();
    let mut sends = futures::stream::FuturesUnordered::new();
    for line in lines {
        let record = Record {
            key: None,
            value: Some(line.unwrap().into_bytes()),
            headers: Default::default(),
            timestamp: chrono::Utc::now(),
        };
        sends.push(producer.produce(record));
        if sends.len() >= 20_000 {
            sends.next().await.unwrap().unwrap();
        }
    }
    while let Some(sent) = sends.next().await {
        sent.unwrap();
    }
    started.elapsed()
}

async fn baseline_consume(bootstrap: &str, topic: &str, lines: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let client = ClientBuilder::new(vec![bootstrap.to_owned()])
        .build()
        .await
        .unwrap();
    let partition = Arc::new(
        client
            .partition_client(topic, 0, UnknownTopicHandling::Retry)
            .await
            .unwrap(),
    );
    let started = Instant::now();
    let mut stream = StreamConsumerBuilder::new(partition, StartOffset::Earliest)
        .with_max_wait_ms(100)
        .build();
    let mut out = tokio::io::BufWriter::new(
        tokio::fs::File::create(dir.path().join("out.txt"))
            .await
            .unwrap(),
    );
    let mut seen = 0;
    while seen < lines {
        let (record, _) = stream.next().await.unwrap().unwrap();
        use tokio::io::AsyncWriteExt;
        out.write_all(record.record.value.as_deref().unwrap_or_default())
            .await
            .unwrap();
        out.write_all(b"\n").await.unwrap();
        seen += 1;
    }
    use tokio::io::AsyncWriteExt;
    out.flush().await.unwrap();
    started.elapsed()
}

async fn ours_consume(bootstrap: &str, topic: &str, len: u64) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.txt");
    let runtime = runtime(dir.path(), Some(bootstrap)).await;
    let started = Instant::now();
    runtime
        .create_connector(
            props(&[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("topics", topic),
                ("file", output.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_for_len(&output, len, "broker → file").await;
    let elapsed = started.elapsed();
    runtime.shutdown().await;
    elapsed
}

/// What one row of the table compares, for its `BENCH-RESULT` line.
struct Workload {
    name: &'static str,
    baseline: &'static str,
    min_ratio: f64,
}

const EMBEDDED: Workload = Workload {
    name: "file → embedded log → file",
    baseline: "line copy, BufReader → BufWriter",
    min_ratio: 0.5,
};
const PRODUCE: Workload = Workload {
    name: "file → broker",
    baseline: "rskafka BatchProducer",
    min_ratio: 0.9,
};
const CONSUME: Workload = Workload {
    name: "broker → file",
    baseline: "rskafka StreamConsumer",
    min_ratio: 0.9,
};

fn row(
    name: &str,
    workload: &Workload,
    lines: usize,
    baseline: &[Duration],
    ours: &[Duration],
    target: &str,
) {
    let (b, o) = (median(baseline.to_vec()), median(ours.to_vec()));
    let rate = |d: Duration| lines as f64 / d.as_secs_f64() / 1e3;
    println!(
        "{name:<44} {:>10.0} k/s {:>10.0} k/s {:>7.2} {target:>7}",
        rate(b),
        rate(o),
        b.as_secs_f64() / o.as_secs_f64()
    );
    BenchResult {
        group: "pipeline",
        workload: workload.name.to_owned(),
        unit: "k rec/s",
        ours: rate(o),
        baseline: Some((rate(b), workload.baseline)),
        target: Target::MinRatio(workload.min_ratio),
    }
    .print();
}

/// Prints the `BENCH-SKIPPED {json}` line `cargo xtask bench` lists under its table for a
/// workload that could not be measured.
fn skipped(group: &str, workload: &str, reason: &str) {
    println!(
        "BENCH-SKIPPED {}",
        serde_json::json!({ "group": group, "workload": workload, "reason": reason })
    );
}

fn main() {
    // `cargo test --benches` runs benches once without `--bench`: nothing heavy then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let lines = env_usize("PIPELINE_LINES", 500_000);
    let runs = env_usize("PIPELINE_RUNS", 5).max(1);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    write_input(&input, lines);
    let len = file_len(&input);
    println!(
        "{lines} lines of ~{} bytes, {runs} runs each, medians",
        len / lines as u64
    );
    println!(
        "{:<44} {:>14} {:>14} {:>7} {:>7}",
        "pipeline", "baseline", "ours", "ratio", "target"
    );

    let (mut base, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let out = dir.path().join("copy.txt");
        let started = Instant::now();
        baseline_copy(&input, &out);
        base.push(started.elapsed());
        ours.push(tokio.block_on(ours_embedded(&input, len)));
    }
    row(
        "file → embedded log → file (vs line copy)",
        &EMBEDDED,
        lines,
        &base,
        &ours,
        "≥ 0.5",
    );

    tokio.block_on(async {
        let broker = match Broker::try_start(Storage::Memory).await {
            Ok(broker) => broker,
            Err(error) => {
                println!("(broker cases skipped: nisshi is not installed; see docs/testing.md)");
                for workload in [&PRODUCE, &CONSUME] {
                    skipped("pipeline", workload.name, &error.to_string());
                }
                return;
            }
        };
        let bootstrap = broker.bootstrap();
        let (mut base_p, mut ours_p, mut base_c, mut ours_c) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            let topic = format!("baseline-{run}");
            base_p.push(baseline_produce(&bootstrap, &input, &topic).await);
            ours_p.push(ours_produce(&bootstrap, &input, &format!("ours-{run}"), lines).await);
            base_c.push(baseline_consume(&bootstrap, &topic, lines).await);
            ours_c.push(ours_consume(&bootstrap, &topic, len).await);
        }
        row(
            "file → broker (vs rskafka BatchProducer)",
            &PRODUCE,
            lines,
            &base_p,
            &ours_p,
            "≥ 0.9",
        );
        row(
            "broker → file (vs rskafka StreamConsumer)",
            &CONSUME,
            lines,
            &base_c,
            &ours_c,
            "≥ 0.9",
        );
    });
}
