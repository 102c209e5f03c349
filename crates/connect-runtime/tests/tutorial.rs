//! The FileStream tutorial of Kafka Connect's quickstart, end to end through `connect-standalone`:
//! a file goes through a topic into another file, on the embedded log and on a real broker.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Standalone, lines, wait_until, write_properties};
use connect_testkit::kafka_python::{self, Expect};
use connect_testkit::require_broker;

const LINES: &[&str] = &["foo", "bar", "a line with spaces", "", "ünïcödé ✓", "last"];

/// Writes the tutorial's three files and returns (worker, source, sink, input, output).
fn tutorial_files(dir: &std::path::Path, bootstrap: Option<&str>) -> [std::path::PathBuf; 5] {
    let input = dir.join("test.txt");
    let output = dir.join("test.sink.txt");
    let offsets = dir.join("connect.offsets");
    let mut worker = vec![
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("key.converter.schemas.enable", "false"),
        ("value.converter.schemas.enable", "false"),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
        // Any free port: tests run side by side.
        ("listeners", "http://127.0.0.1:0"),
        ("offset.flush.interval.ms", "1000"),
        ("plugin.path", "/opt/kafka/libs"),
    ];
    if let Some(bootstrap) = bootstrap {
        worker.push(("bootstrap.servers", bootstrap));
    }
    let worker = write_properties(&dir.join("connect-standalone.properties"), &worker);
    let source = write_properties(
        &dir.join("file-source.properties"),
        &[
            ("name", "local-file-source"),
            ("connector.class", "FileStreamSource"),
            ("tasks.max", "1"),
            ("topic", "file-source-test"),
            ("file", input.to_str().unwrap()),
        ],
    );
    let sink = write_properties(
        &dir.join("file-sink.properties"),
        &[
            ("name", "local-file-sink"),
            ("connector.class", "FileStreamSink"),
            ("tasks.max", "1"),
            ("topics", "file-source-test"),
            ("file", output.to_str().unwrap()),
        ],
    );
    [worker, source, sink, input, output]
}

fn text(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[tokio::test]
async fn tutorial_on_the_embedded_log() {
    let dir = tempfile::tempdir().unwrap();
    let [worker, source, sink, input, output] = tutorial_files(dir.path(), None);
    std::fs::write(&input, text(&LINES[..3])).unwrap();
    let standalone = Standalone::start(
        dir.path(),
        "worker",
        &worker,
        &[source.clone(), sink.clone()],
    );
    wait_until(
        "the first lines reach the sink",
        Duration::from_secs(30),
        Some(&standalone),
        || lines(&output).len() == 3,
    )
    .await;
    // Lines appended later flow too, as in the tutorial's `echo Another line>> test.txt`.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text(&LINES[3..]).as_bytes()))
        .unwrap();
    wait_until(
        "every line reaches the sink",
        Duration::from_secs(30),
        Some(&standalone),
        || lines(&output).len() == LINES.len(),
    )
    .await;
    let log = standalone.log_text();
    let status = standalone.terminate().await;
    assert!(status.success(), "exit status {status}; log:\n{log}");
    assert_eq!(
        std::fs::read(&output).unwrap(),
        std::fs::read(&input).unwrap()
    );
    // The source offset is the byte position after the last line, in Kafka Connect's format.
    let offsets = std::fs::read(dir.path().join("connect.offsets")).unwrap();
    let expected_key = format!(
        r#"["local-file-source",{{"filename":"{}"}}]"#,
        input.display()
    );
    let expected_value = format!(
        r#"{{"position":{}}}"#,
        std::fs::metadata(&input).unwrap().len()
    );
    let haystack = String::from_utf8_lossy(&offsets);
    assert!(haystack.contains(&expected_key), "{haystack}");
    assert!(haystack.contains(&expected_value), "{haystack}");

    // A restart resumes from the stored position: nothing is read twice.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"after restart\n"))
        .unwrap();
    let standalone = Standalone::start(dir.path(), "worker-2", &worker, &[source, sink]);
    wait_until(
        "the new line reaches the sink",
        Duration::from_secs(30),
        Some(&standalone),
        || lines(&output).len() == LINES.len() + 1,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(standalone.terminate().await.success());
    assert_eq!(
        std::fs::read(&output).unwrap(),
        std::fs::read(&input).unwrap()
    );
}

#[tokio::test]
async fn tutorial_on_the_broker() {
    let broker = require_broker!();
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = broker.bootstrap();
    let [worker, source, sink, input, output] = tutorial_files(dir.path(), Some(&bootstrap));
    std::fs::write(&input, text(LINES)).unwrap();
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[source, sink]);
    wait_until(
        "every line reaches the sink",
        Duration::from_secs(60),
        Some(&standalone),
        || lines(&output).len() == LINES.len(),
    )
    .await;
    assert!(standalone.terminate().await.success());
    assert_eq!(
        std::fs::read(&output).unwrap(),
        std::fs::read(&input).unwrap()
    );
    // From outside: the topic holds exactly the file's lines, as JSON strings without schemas.
    let records =
        kafka_python::consume_all(&bootstrap, "file-source-test", Expect::Count(LINES.len()))
            .await
            .unwrap();
    let values: Vec<String> = records
        .iter()
        .map(|r| serde_json::from_slice::<String>(r.value.as_deref().unwrap()).unwrap())
        .collect();
    assert_eq!(values, LINES);
    assert!(
        records
            .iter()
            .all(|r| r.key.as_deref() == Some(&b"null"[..]) || r.key.is_none())
    );
    // The sink's progress is visible to standard tools as the group connect-local-file-sink.
    let committed =
        kafka_python::committed_offsets(&bootstrap, "connect-local-file-sink", "file-source-test")
            .await
            .unwrap();
    assert_eq!(
        committed.values().sum::<i64>(),
        LINES.len() as i64,
        "{committed:?}"
    );
}
