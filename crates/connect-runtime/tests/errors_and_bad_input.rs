//! Error tolerance, the dead letter queue, and bad input: clear errors that name the key, path or
//! record, while the worker and other connectors keep running.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Standalone, lines, props, wait_for_task_state, wait_until, write_properties};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_runtime::worker::State;
use connect_testkit::kafka_python::{self, Expect, ProduceRecord};
use connect_testkit::require_broker;

async fn runtime(dir: &std::path::Path, bootstrap: Option<&str>) -> Runtime {
    let offsets = dir.join("connect.offsets");
    let mut worker = props(&[
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "false"),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
        ("offset.flush.interval.ms", "200"),
    ]);
    if let Some(bootstrap) = bootstrap {
        worker.insert("bootstrap.servers".into(), bootstrap.into());
    }
    Runtime::builder(WorkerConfig::standalone(worker).unwrap())
        .build()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_records_go_to_the_dead_letter_queue_and_good_ones_flow_on() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    broker.create_topic("orders", 1).await.unwrap();
    let values: [&[u8]; 5] = [br#"{"a":1}"#, b"not json", br#""x""#, b"{broken", b"42"];
    let records: Vec<ProduceRecord> = values
        .iter()
        .map(|v| ProduceRecord::new(v.to_vec()).header("trace", "t1"))
        .collect();
    kafka_python::produce(&bootstrap, "orders", &records)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime(dir.path(), Some(&bootstrap)).await;
    let output = dir.path().join("orders.txt");
    runtime
        .create_connector(
            props(&[
                ("name", "tolerant-sink"),
                ("connector.class", "FileStreamSink"),
                ("topics", "orders"),
                ("file", output.to_str().unwrap()),
                ("errors.tolerance", "all"),
                ("errors.log.enable", "true"),
                ("errors.deadletterqueue.topic.name", "orders-dlq"),
                ("errors.deadletterqueue.topic.replication.factor", "1"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_until(
        "the good records reach the sink",
        Duration::from_secs(30),
        None,
        || lines(&output).len() == 3,
    )
    .await;
    assert_eq!(lines(&output), ["{a=1}", "x", "42"]);
    let dlq = kafka_python::consume_all(&bootstrap, "orders-dlq", Expect::Count(2))
        .await
        .unwrap();
    assert_eq!(dlq.len(), 2);
    for (record, (offset, raw)) in dlq.iter().zip([(1, &b"not json"[..]), (3, b"{broken")]) {
        assert_eq!(record.value.as_deref(), Some(raw), "the original bytes");
        let header =
            |key: &str| String::from_utf8(record.header(key).flatten().unwrap().to_vec()).unwrap();
        assert_eq!(header("trace"), "t1", "original headers are kept");
        assert_eq!(header("__connect.errors.topic"), "orders");
        assert_eq!(header("__connect.errors.partition"), "0");
        assert_eq!(header("__connect.errors.offset"), offset.to_string());
        assert_eq!(header("__connect.errors.connector.name"), "tolerant-sink");
        assert_eq!(header("__connect.errors.task.id"), "0");
        assert_eq!(header("__connect.errors.stage"), "VALUE_CONVERTER");
        assert_eq!(
            header("__connect.errors.class.name"),
            "org.apache.kafka.connect.json.JsonConverter"
        );
        assert_eq!(
            header("__connect.errors.exception.class.name"),
            "org.apache.kafka.connect.errors.DataException"
        );
        assert!(!header("__connect.errors.exception.message").is_empty());
    }
    assert_eq!(
        runtime
            .connector_status("tolerant-sink")
            .await
            .unwrap()
            .tasks[0]
            .state,
        State::Running
    );

    // Without tolerance the task fails at the first bad record, and says where.
    let strict_output = dir.path().join("strict.txt");
    runtime
        .create_connector(
            props(&[
                ("name", "strict-sink"),
                ("connector.class", "FileStreamSink"),
                ("topics", "orders"),
                ("file", strict_output.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    let trace = wait_for_task_state(&runtime, "strict-sink", 0, State::Failed)
        .await
        .unwrap();
    for expected in [
        "strict-sink",
        "task 0",
        "topic=orders partition=0 offset=1",
        "VALUE_CONVERTER",
    ] {
        assert!(
            trace.contains(expected),
            "{expected:?} not in trace: {trace}"
        );
    }
    // The failing connector leaves the other one alone.
    assert_eq!(
        runtime
            .connector_status("tolerant-sink")
            .await
            .unwrap()
            .tasks[0]
            .state,
        State::Running
    );
    runtime.shutdown().await;
}

#[tokio::test]
async fn bad_configs_are_rejected_naming_the_key_and_the_worker_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime(dir.path(), None).await;
    let err = runtime
        .create_connector(
            props(&[("name", "x"), ("connector.class", "com.example.Missing")]),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("connector.class") && err.contains("FileStreamSourceConnector"),
        "{err}"
    );
    let err = runtime
        .create_connector(
            props(&[
                ("name", "x"),
                ("connector.class", "FileStreamSource"),
                ("tasks.max", "many"),
            ]),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("tasks.max"), "{err}");
    assert!(
        err.contains("topic"),
        "the missing topic is reported too: {err}"
    );
    // A converter override that names no converter is refused at creation, as Kafka's
    // validation does, rather than failing every task later.
    let err = runtime
        .create_connector(
            props(&[
                ("name", "x"),
                ("connector.class", "FileStreamSink"),
                ("topics", "t"),
                (
                    "value.converter",
                    "io.confluent.connect.protobuf.ProtobufConverter",
                ),
            ]),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "Invalid value io.confluent.connect.protobuf.ProtobufConverter for configuration value.converter"
        ) && err.contains("JsonConverter"),
        "{err}"
    );
    let err = runtime
        .create_connector(props(&[("connector.class", "FileStreamSink")]), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("name"), "{err}");
    assert!(runtime.connectors().await.is_empty());

    // An unreadable file fails that connector's task, naming the path; another pair still works.
    let unreadable = dir.path().join("a-directory");
    std::fs::create_dir(&unreadable).unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "broken"),
                ("connector.class", "FileStreamSource"),
                ("topic", "t1"),
                ("file", unreadable.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "one\ntwo\n").unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "good-source"),
                ("connector.class", "FileStreamSource"),
                ("topic", "t2"),
                ("file", input.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "good-sink"),
                ("connector.class", "FileStreamSink"),
                ("topics", "t2"),
                ("file", output.to_str().unwrap()),
            ]),
            None,
        )
        .await
        .unwrap();
    wait_until(
        "the good pair copies its file",
        Duration::from_secs(30),
        None,
        || lines(&output).len() == 2,
    )
    .await;
    let trace = wait_for_task_state(&runtime, "broken", 0, State::Failed)
        .await
        .unwrap();
    assert!(trace.contains(unreadable.to_str().unwrap()), "{trace}");
    runtime.shutdown().await;
}

#[tokio::test]
async fn a_bad_connector_file_is_reported_and_the_others_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "kept\n").unwrap();
    let worker = write_properties(
        &dir.path().join("worker.properties"),
        &[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            (
                "offset.storage.file.filename",
                dir.path().join("offsets").to_str().unwrap(),
            ),
            ("listeners", "http://127.0.0.1:0"),
        ],
    );
    let bad = write_properties(
        &dir.path().join("bad.properties"),
        &[("name", "bad"), ("connector.class", "NoSuchConnector")],
    );
    let missing = dir.path().join("missing.properties");
    let source = write_properties(
        &dir.path().join("source.properties"),
        &[
            ("name", "source"),
            ("connector.class", "FileStreamSource"),
            ("topic", "t"),
            ("file", input.to_str().unwrap()),
        ],
    );
    let sink = write_properties(&dir.path().join("sink.json"), &[]);
    std::fs::write(
        &sink,
        format!(r#"{{"name":"sink","config":{{"connector.class":"FileStreamSink","topics":"t","file":"{}"}}}}"#, output.display()),
    )
    .unwrap();
    let mut standalone = Standalone::start(
        dir.path(),
        "worker",
        &worker,
        &[bad.clone(), missing.clone(), source, sink],
    );
    wait_until(
        "the good connectors copy the file",
        Duration::from_secs(30),
        Some(&standalone),
        || lines(&output) == ["kept"],
    )
    .await;
    assert!(standalone.is_running());
    let log = standalone.log_text();
    assert!(
        log.contains(bad.to_str().unwrap()) && log.contains("NoSuchConnector"),
        "{log}"
    );
    assert!(log.contains(missing.to_str().unwrap()), "{log}");
    assert!(standalone.terminate().await.success());
}
