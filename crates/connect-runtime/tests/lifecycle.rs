//! Embedding the runtime: connector lifecycle (pause, resume, stop, restart, delete), automatic
//! restarts of failed tasks, panics kept inside their task, the source dead letter queue, and
//! offsets resumed from an offsets topic written in Kafka Connect's format.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use common::{eventually, lines, props, wait_for_task_state, wait_until};
use connect_api::config::{ConfigDef, ConfigMap};
use connect_api::connector::{
    Connector, SinkConnector, SinkConnectorContext, SourceConnector, SourceConnectorContext,
};
use connect_api::data::Schema;
use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetMap, SinkRecord, SourceRecord};
use connect_api::task::{SinkTask, SourceTask};
use connect_log::Partition;
use connect_runtime::config::WorkerConfig;
use connect_runtime::plugins::Plugins;
use connect_runtime::worker::State;
use connect_runtime::{Runtime, TargetState};
use connect_testkit::kafka_python::{self, ProduceRecord};
use connect_testkit::{Storage, require_broker};

fn worker(dir: &std::path::Path, extra: &[(&str, &str)]) -> WorkerConfig {
    let offsets = dir.join("connect.offsets");
    let mut map = props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
        ("offset.flush.interval.ms", "200"),
    ]);
    map.extend(props(extra));
    WorkerConfig::standalone(map).unwrap()
}

/// A runtime on the embedded log in `dir` with `plugins`.
async fn runtime_with(dir: &std::path::Path, extra: &[(&str, &str)], plugins: Plugins) -> Runtime {
    Runtime::builder(worker(dir, extra))
        .plugins(plugins)
        .build()
        .await
        .unwrap()
}

/// Creates the FileStreamSource `src`, copying a file of `text` into the topic `t`.
async fn file_source_into_t(runtime: &Runtime, dir: &std::path::Path, text: &str) {
    let input = dir.join("in.txt");
    std::fs::write(&input, text).unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "src"),
                ("connector.class", "FileStreamSource"),
                ("topic", "t"),
                ("file", input.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
}

/// A connector of one task, a clone of the task value it holds, with no configuration of its
/// own: what the tests below need to run their tasks.
#[derive(Clone)]
struct OneTask<T>(T);

#[async_trait]
impl<T: Clone + Send + Sync + 'static> Connector for OneTask<T> {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }
    fn task_configs(&self, _max: usize) -> Result<Vec<ConfigMap>> {
        Ok(vec![ConfigMap::new()])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

impl<T: SourceTask + Clone + Sync + 'static> SourceConnector for OneTask<T> {
    fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(self.0.clone())
    }
}

impl<T: SinkTask + Clone + Sync + 'static> SinkConnector for OneTask<T> {
    fn initialize(&mut self, _context: Arc<dyn SinkConnectorContext>) {}
    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(self.0.clone())
    }
}

/// A source whose task fails (or panics) on its first `failures` polls, then emits one record
/// per poll.
#[derive(Clone)]
struct Flaky {
    polls: Arc<AtomicUsize>,
    failures: usize,
    panic: bool,
}

#[async_trait]
impl SourceTask for Flaky {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let n = self.polls.fetch_add(1, Ordering::SeqCst);
        if n < self.failures {
            if self.panic {
                panic!("flaky task panics on poll {n}");
            }
            return Err(ConnectError::other(format!("flaky task fails on poll {n}")));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(vec![SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "flaky",
            Some(Schema::string()),
            format!("poll {n}").into(),
        )])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A source connector whose `start()` panics.
struct PanicsOnStart;

#[async_trait]
impl Connector for PanicsOnStart {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        panic!("start is broken");
    }
    fn task_configs(&self, _max: usize) -> Result<Vec<ConfigMap>> {
        Ok(Vec::new())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

impl SourceConnector for PanicsOnStart {
    fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
    fn create_task(&self) -> Box<dyn SourceTask> {
        unreachable!("never started")
    }
}

fn flaky_plugins(flaky: Flaky) -> Plugins {
    Plugins::builtin().with_source_connector("com.example.FlakySourceConnector", move || {
        Box::new(OneTask(flaky.clone()))
    })
}

#[tokio::test]
async fn failed_tasks_restart_with_backoff_when_enabled_and_panics_stay_in_their_task() {
    let dir = tempfile::tempdir().unwrap();
    let flaky = Flaky {
        polls: Arc::new(AtomicUsize::new(0)),
        failures: 2,
        panic: false,
    };
    let panicky = Flaky {
        polls: Arc::new(AtomicUsize::new(0)),
        failures: usize::MAX,
        panic: true,
    };
    let plugins = flaky_plugins(flaky.clone())
        .with_source_connector("com.example.PanicsOnStartConnector", || {
            Box::new(PanicsOnStart)
        })
        .with_source_connector("com.example.PanickySource", move || {
            Box::new(OneTask(panicky.clone()))
        });
    let runtime = Runtime::builder(worker(dir.path(), &[]))
        .plugins(plugins)
        .build()
        .await
        .unwrap();

    // A connector whose start() panics is FAILED, with the panic as its trace.
    runtime
        .create_connector(
            props(&[
                ("name", "broken-start"),
                ("connector.class", "PanicsOnStart"),
            ]),
            None,
        )
        .await
        .unwrap();
    let status = runtime.connector_status("broken-start").await.unwrap();
    assert_eq!(status.connector.state, State::Failed);
    let trace = status.connector.trace.unwrap();
    assert!(
        trace.contains("the connector's start() panicked: start is broken"),
        "{trace}"
    );

    runtime
        .create_connector(
            props(&[("name", "panicky"), ("connector.class", "PanickySource")]),
            None,
        )
        .await
        .unwrap();
    let trace = wait_for_task_state(&runtime, "panicky", 0, State::Failed)
        .await
        .unwrap();
    assert!(
        trace.contains("panicked") && trace.contains("flaky task panics on poll 0"),
        "{trace}"
    );

    // Off by default, as in Kafka: the task stays failed.
    runtime
        .create_connector(
            props(&[("name", "stays-failed"), ("connector.class", "FlakySource")]),
            None,
        )
        .await
        .unwrap();
    let trace = wait_for_task_state(&runtime, "stays-failed", 0, State::Failed)
        .await
        .unwrap();
    assert!(trace.contains("flaky task fails on poll 0"), "{trace}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        runtime
            .connector_status("stays-failed")
            .await
            .unwrap()
            .tasks[0]
            .state,
        State::Failed
    );
    runtime.delete_connector("stays-failed").await.unwrap();

    // Enabled: restarted after 50 ms, then 100 ms; the third run works.
    flaky.polls.store(0, Ordering::SeqCst);
    runtime
        .create_connector(
            props(&[
                ("name", "restarts"),
                ("connector.class", "com.example.FlakySourceConnector"),
                ("errors.restart.enable", "true"),
                ("errors.restart.backoff.initial.ms", "50"),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_until(
        "records flow after two restarts",
        Duration::from_secs(10),
        None,
        || flaky.polls.load(Ordering::SeqCst) > 5,
    )
    .await;
    assert_eq!(
        runtime.connector_status("restarts").await.unwrap().tasks[0].state,
        State::Running
    );
    let log = runtime.log();
    let fetched = log
        .fetch(
            &Partition::new("flaky", 0),
            0,
            1 << 20,
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(
        fetched.records[0].record.value.as_deref(),
        Some(&b"poll 2"[..])
    );
    runtime.shutdown().await;
}

#[tokio::test]
async fn pause_resume_stop_restart_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::builder(worker(dir.path(), &[]))
        .build()
        .await
        .unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    std::fs::write(&input, "1\n").unwrap();
    let append = |line: &str| {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&input)
            .unwrap();
        writeln!(file, "{line}").unwrap();
    };
    let source = props(&[
        ("name", "src"),
        ("connector.class", "FileStreamSource"),
        ("topic", "t"),
        ("file", input.to_str().unwrap()),
    ]);
    runtime
        .create_connector(source.clone(), None)
        .await
        .unwrap();
    let sink = props(&[
        ("name", "sink"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
        ("file", output.to_str().unwrap()),
    ]);
    let info = runtime
        .create_connector(sink, Some(TargetState::Paused))
        .await
        .unwrap();
    assert_eq!(info.kind, "sink");
    assert_eq!(info.tasks.len(), 1);
    assert_eq!(
        runtime
            .connector_status("sink")
            .await
            .unwrap()
            .connector
            .state,
        State::Paused
    );
    assert_eq!(
        runtime.connector_status("sink").await.unwrap().tasks[0].state,
        State::Paused
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(lines(&output).is_empty(), "a paused sink consumes nothing");
    runtime.resume_connector("sink").await.unwrap();
    wait_until("the sink resumes", Duration::from_secs(10), None, || {
        lines(&output) == ["1"]
    })
    .await;

    runtime.pause_connector("src").await.unwrap();
    append("2");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(lines(&output), ["1"], "a paused source polls nothing");
    runtime.resume_connector("src").await.unwrap();
    wait_until("the source resumes", Duration::from_secs(10), None, || {
        lines(&output) == ["1", "2"]
    })
    .await;

    runtime.stop_connector("src").await.unwrap();
    let status = runtime.connector_status("src").await.unwrap();
    assert_eq!(status.connector.state, State::Stopped);
    assert!(status.tasks.is_empty());
    assert!(runtime.task_configs("src").await.unwrap().is_empty());
    append("3");
    runtime.resume_connector("src").await.unwrap();
    wait_until(
        "a stopped source resumes from its offset",
        Duration::from_secs(10),
        None,
        || lines(&output) == ["1", "2", "3"],
    )
    .await;

    let restarted = runtime.restart_connector("src", true, false).await.unwrap();
    assert_eq!(restarted.connector.state, State::Restarting);
    assert_eq!(restarted.tasks[0].state, State::Restarting);
    append("4");
    wait_until(
        "the restarted source goes on",
        Duration::from_secs(10),
        None,
        || lines(&output).len() == 4,
    )
    .await;
    assert_eq!(
        lines(&output),
        ["1", "2", "3", "4"],
        "a restart re-reads nothing"
    );
    runtime.restart_task("sink", 0).await.unwrap();
    assert!(
        runtime
            .restart_task("sink", 5)
            .await
            .unwrap_err()
            .to_string()
            .contains("not found")
    );

    // Offsets as the REST API will show them.
    let end = std::fs::metadata(&input).unwrap().len();
    eventually(
        "the source offset is committed",
        Duration::from_secs(10),
        || async {
            let offsets = runtime.connector_offsets("src").await.unwrap();
            if offsets.len() == 1 && offsets[0].1["position"] == end {
                Ok(())
            } else {
                Err(offsets)
            }
        },
    )
    .await;
    let sink_offsets = runtime.connector_offsets("sink").await.unwrap();
    assert_eq!(sink_offsets[0].0["kafka_topic"], "t");

    assert!(matches!(
        runtime.create_connector(source, None).await.unwrap_err(),
        ConnectError::AlreadyExists(_)
    ));
    runtime.delete_connector("src").await.unwrap();
    assert_eq!(runtime.connectors().await, ["sink"]);
    assert!(matches!(
        runtime.connector_status("src").await.unwrap_err(),
        ConnectError::NotFound(_)
    ));
    runtime.shutdown().await;
}

#[tokio::test]
async fn source_records_that_fail_conversion_go_to_the_dead_letter_queue() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::builder(worker(dir.path(), &[]))
        .build()
        .await
        .unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "12\nnot a number\n34\n").unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "numbers"),
                ("connector.class", "FileStreamSource"),
                ("topic", "numbers"),
                ("file", input.to_str().unwrap()),
                (
                    "value.converter",
                    "org.apache.kafka.connect.converters.LongConverter",
                ),
                ("errors.tolerance", "all"),
                ("errors.deadletterqueue.topic.name", "numbers-dlq"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
            ]),
            None,
        )
        .await
        .unwrap();
    let log = runtime.log();
    let mut dlq = Vec::new();
    for _ in 0..100 {
        if let Ok(fetched) = log
            .fetch(
                &Partition::new("numbers-dlq", 0),
                0,
                1 << 20,
                Duration::from_millis(100),
            )
            .await
        {
            dlq = fetched.records;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A string is not a Long: every line fails conversion and goes to the queue as text.
    assert_eq!(dlq.len(), 3, "{dlq:?}");
    let record = &dlq[1].record;
    assert_eq!(record.value.as_deref(), Some(&b"not a number"[..]));
    let header = |key: &str| {
        record
            .headers
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    assert_eq!(
        header("__connect.errors.stage").as_deref(),
        Some("VALUE_CONVERTER")
    );
    assert_eq!(
        header("__connect.errors.connector.name").as_deref(),
        Some("numbers")
    );
    assert_eq!(
        header("__connect.errors.source.partition"),
        Some(format!(r#"{{"filename":"{}"}}"#, input.display()))
    );
    assert_eq!(
        header("__connect.errors.source.offset").as_deref(),
        Some(r#"{"position":16}"#)
    );
    // Skipped records still move the offset on.
    eventually(
        "the offset passes the skipped records",
        Duration::from_secs(10),
        || async {
            let offsets = runtime.connector_offsets("numbers").await.unwrap();
            if offsets.first().is_some_and(|(_, o)| o["position"] == 19) {
                Ok(())
            } else {
                Err(offsets)
            }
        },
    )
    .await;
    runtime.shutdown().await;
}

#[tokio::test]
async fn offsets_written_by_kafka_connect_in_the_offsets_topic_are_resumed() {
    let broker = require_broker!(Storage::Sqlite);
    let bootstrap = broker.bootstrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "seen\nalso seen\nnew\n").unwrap();
    broker.create_topic("connect-offsets", 1).await.unwrap();
    // What Apache Kafka Connect wrote for this file after its first two lines (15 bytes).
    let key = format!(r#"["file-source",{{"filename":"{}"}}]"#, input.display());
    kafka_python::produce(
        &bootstrap,
        "connect-offsets",
        &[ProduceRecord::new(r#"{"position":15}"#).key(key.clone())],
    )
    .await
    .unwrap();
    let worker = worker(
        dir.path(),
        &[
            ("bootstrap.servers", &bootstrap),
            ("offset.storage.topic", "connect-offsets"),
            ("offset.storage.replication.factor", "1"),
        ],
    );
    let runtime = Runtime::builder(worker).build().await.unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "file-source"),
                ("connector.class", "FileStreamSource"),
                ("topic", "lines"),
                ("file", input.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    // The topic gets the broker's default partition count: read it all from outside.
    let records = kafka_python::consume_all(&bootstrap, "lines", kafka_python::Expect::Count(1))
        .await
        .unwrap();
    let values: Vec<&[u8]> = records.iter().filter_map(|r| r.value.as_deref()).collect();
    assert_eq!(
        values,
        [&b"new"[..]],
        "only the line after the stored position is read"
    );
    runtime.shutdown().await;
    // The new offset is in the topic, in the same format.
    let records = kafka_python::consume_all(
        &bootstrap,
        "connect-offsets",
        kafka_python::Expect::Count(2),
    )
    .await
    .unwrap();
    let last = records.last().unwrap();
    assert_eq!(last.key.as_deref(), Some(key.as_bytes()));
    assert_eq!(last.value.as_deref(), Some(&br#"{"position":19}"#[..]));
}

#[tokio::test]
async fn offsets_of_a_stopped_connector_can_be_altered_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::builder(worker(dir.path(), &[]))
        .build()
        .await
        .unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    std::fs::write(&input, "one\ntwo\nthree\n").unwrap();
    let source = props(&[
        ("name", "src"),
        ("connector.class", "FileStreamSource"),
        ("topic", "t"),
        ("file", input.to_str().unwrap()),
    ]);
    runtime.create_connector(source, None).await.unwrap();
    let sink = props(&[
        ("name", "sink"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
        ("file", output.to_str().unwrap()),
    ]);
    runtime.create_connector(sink, None).await.unwrap();
    wait_until(
        "the lines are copied",
        Duration::from_secs(10),
        None,
        || lines(&output).len() == 3,
    )
    .await;
    assert_eq!(
        runtime
            .connector_topics("src")
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["t"]
    );
    assert_eq!(
        runtime
            .connector_topics("sink")
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["t"]
    );

    // Only a stopped connector's offsets may change.
    let partition: OffsetMap = serde_json::json!({"filename": input.to_str().unwrap()})
        .as_object()
        .cloned()
        .unwrap();
    let position = |p: i64| {
        serde_json::json!({"position": p})
            .as_object()
            .cloned()
            .unwrap()
    };
    let err = runtime
        .alter_connector_offsets("src", vec![(partition.clone(), Some(position(4)))])
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Connectors must be in the STOPPED state"),
        "{err}"
    );

    // Rewind the source to after "one": "two" and "three" are read again.
    runtime.stop_connector("src").await.unwrap();
    let altered = runtime
        .alter_connector_offsets("src", vec![(partition.clone(), Some(position(4)))])
        .await
        .unwrap();
    assert_eq!(
        altered.message(false),
        "The offsets for this connector have been altered successfully"
    );
    runtime.resume_connector("src").await.unwrap();
    wait_until(
        "the rewound lines are copied again",
        Duration::from_secs(10),
        None,
        || lines(&output).len() == 5,
    )
    .await;
    assert_eq!(lines(&output), ["one", "two", "three", "two", "three"]);

    // Reset the sink's group: it starts again from the beginning of the topic.
    runtime.stop_connector("sink").await.unwrap();
    let reset = runtime.reset_connector_offsets("sink").await.unwrap();
    assert!(
        reset.message(true).contains("have been reset successfully"),
        "{}",
        reset.message(true)
    );
    assert!(runtime.connector_offsets("sink").await.unwrap().is_empty());
    runtime.resume_connector("sink").await.unwrap();
    wait_until(
        "the sink reads the topic again",
        Duration::from_secs(10),
        None,
        || lines(&output).len() == 10,
    )
    .await;
    runtime.reset_connector_topics("sink").await.unwrap();
    assert!(runtime.connector_topics("sink").await.unwrap().is_empty());
    runtime.shutdown().await;
}

/// A source whose tasks count how many copies of themselves run at once, and stop slowly.
#[derive(Clone, Default)]
struct CountsCopies {
    starts: Arc<AtomicUsize>,
    live: Arc<AtomicUsize>,
    most_live: Arc<AtomicUsize>,
}

#[async_trait]
impl SourceTask for CountsCopies {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_live.fetch_max(live, Ordering::SeqCst);
        self.starts.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(Vec::new())
    }
    async fn stop(&mut self) -> Result<()> {
        // Slow enough that a replacement started alongside would be seen.
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.live.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn a_restarted_task_stops_before_its_replacement_starts() {
    let dir = tempfile::tempdir().unwrap();
    let copies = CountsCopies::default();
    let plugins = {
        let copies = copies.clone();
        Plugins::builtin().with_source_connector("com.example.CountsCopies", move || {
            Box::new(OneTask(copies.clone()))
        })
    };
    let runtime = runtime_with(dir.path(), &[], plugins).await;
    runtime
        .create_connector(
            props(&[("name", "copies"), ("connector.class", "CountsCopies")]),
            None,
        )
        .await
        .unwrap();
    wait_until("the task starts", Duration::from_secs(10), None, || {
        copies.starts.load(Ordering::SeqCst) == 1
    })
    .await;

    runtime.restart_task("copies", 0).await.unwrap();
    wait_until(
        "the restart starts a task",
        Duration::from_secs(10),
        None,
        || copies.starts.load(Ordering::SeqCst) == 2,
    )
    .await;
    let restarted = runtime
        .restart_connector("copies", true, false)
        .await
        .unwrap();
    assert_eq!(restarted.tasks.len(), 1);
    wait_until(
        "both restarts start a task",
        Duration::from_secs(10),
        None,
        || copies.starts.load(Ordering::SeqCst) == 3,
    )
    .await;
    assert_eq!(
        copies.most_live.load(Ordering::SeqCst),
        1,
        "two copies of task 0 ran at once"
    );
    runtime.shutdown().await;
    assert_eq!(copies.live.load(Ordering::SeqCst), 0);
}

/// A sink whose system is down for its first two puts of records: they fail with a retriable
/// error.
#[derive(Clone, Default)]
struct DownAtFirst {
    failed_at: Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
    written: Arc<std::sync::Mutex<Vec<connect_api::data::Value>>>,
}

#[async_trait]
impl SinkTask for DownAtFirst {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut failed_at = self.failed_at.lock().unwrap();
        if failed_at.len() < 2 {
            failed_at.push(std::time::Instant::now());
            return Err(ConnectError::retriable("the database is down"));
        }
        let mut written = self.written.lock().unwrap();
        written.extend(records.iter().map(|record| record.value.clone()));
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_retriable_put_failure_is_handed_over_again_after_a_wait() {
    let dir = tempfile::tempdir().unwrap();
    let sink = DownAtFirst::default();
    let plugins = {
        let sink = sink.clone();
        Plugins::builtin().with_sink_connector("com.example.DownAtFirst", move || {
            Box::new(OneTask(sink.clone()))
        })
    };
    let runtime = runtime_with(dir.path(), &[], plugins).await;
    file_source_into_t(&runtime, dir.path(), "a\nb\nc\n").await;
    runtime
        .create_connector(
            props(&[
                ("name", "down"),
                ("connector.class", "DownAtFirst"),
                ("topics", "t"),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_until(
        "the records are written once the system is back",
        Duration::from_secs(20),
        None,
        || sink.written.lock().unwrap().len() == 3,
    )
    .await;
    let failed_at = sink.failed_at.lock().unwrap().clone();
    assert_eq!(failed_at.len(), 2);
    // Not at once, which would hammer a system that is down: the task set no timeout, so the
    // batch waits as long as a poll of paused partitions does.
    assert!(
        failed_at[1] - failed_at[0] >= Duration::from_millis(400),
        "retried after {:?}",
        failed_at[1] - failed_at[0]
    );
    let status = runtime.connector_status("down").await.unwrap();
    assert_eq!(status.tasks[0].state, State::Running);
    runtime.shutdown().await;
}

/// A sink whose first put hangs for a long time, then records that it finished.
#[derive(Clone, Default)]
struct HangsInPut {
    puts: Arc<AtomicUsize>,
    hung_put_finished: Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait]
impl SinkTask for HangsInPut {
    fn version(&self) -> String {
        "1".into()
    }
    async fn start(&mut self, _props: &ConfigMap) -> Result<()> {
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        if !records.is_empty() && self.puts.fetch_add(1, Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_secs(3)).await;
            self.hung_put_finished.store(true, Ordering::SeqCst);
        }
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_task_that_does_not_stop_in_time_is_abandoned_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let sink = HangsInPut::default();
    let plugins = {
        let sink = sink.clone();
        Plugins::builtin().with_sink_connector("com.example.HangsInPut", move || {
            Box::new(OneTask(sink.clone()))
        })
    };
    let graceful = [("task.shutdown.graceful.timeout.ms", "200")];
    let runtime = runtime_with(dir.path(), &graceful, plugins).await;
    file_source_into_t(&runtime, dir.path(), "a\n").await;
    runtime
        .create_connector(
            props(&[
                ("name", "hangs"),
                ("connector.class", "HangsInPut"),
                ("topics", "t"),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_until("the first put hangs", Duration::from_secs(10), None, || {
        sink.puts.load(Ordering::SeqCst) == 1
    })
    .await;

    // The hung copy does not stop within 200 ms: it is abandoned, and its put is dropped where
    // it waits rather than left running beside its replacement.
    runtime.restart_task("hangs", 0).await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        !sink.hung_put_finished.load(Ordering::SeqCst),
        "the abandoned copy's put ran on to its end"
    );
    let status = runtime.connector_status("hangs").await.unwrap();
    assert_eq!(status.tasks[0].state, State::Running);
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_that_has_shut_down_releases_the_embedded_log_at_once() {
    // An application that restarts its pipeline in the same process reopens the embedded log
    // right after `shutdown`: no partition reader or sender of the old runtime may still hold it.
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.txt");
    for run in 1..=20 {
        let runtime = Runtime::builder(worker(dir.path(), &[]))
            .build()
            .await
            .unwrap_or_else(|e| panic!("run {run}: {e}"));
        // One more line each run; the source resumes after the lines it read before.
        let text: String = (1..=run).map(|i| format!("line {i}\n")).collect();
        file_source_into_t(&runtime, dir.path(), &text).await;
        runtime
            .create_connector(
                props(&[
                    ("name", "sink"),
                    ("connector.class", "FileStreamSink"),
                    ("topics", "t"),
                    ("file", output.to_str().unwrap()),
                ]),
                None,
            )
            .await
            .unwrap();
        wait_until("the sink's output", Duration::from_secs(30), None, || {
            lines(&output).len() >= run
        })
        .await;
        runtime.shutdown().await;
    }
    let expected: Vec<String> = (1..=20).map(|i| format!("line {i}")).collect();
    assert_eq!(lines(&output), expected);
}
