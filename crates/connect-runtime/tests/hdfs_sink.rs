//! The HDFS sink (`io.confluent.connect.hdfs.HdfsSinkConnector`) through `connect-standalone`,
//! writing to a local directory (`file://`): from a file through the broker into Parquet read by
//! pyarrow, bad records into the dead letter queue, and a worker killed with SIGKILL mid-stream.

#![cfg(feature = "hdfs")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Standalone, committed_files, wait_until, write_properties};
use connect_hdfs::naming::CommittedFile;
use connect_testkit::file_readers::{self, files_below};
use connect_testkit::kafka_python::{self, Expect, ProduceRecord};
use connect_testkit::require_broker;

/// The committed files cover offsets `0..end` of partition 0 exactly once each: no gap, no
/// overlap. Returns `end`.
fn assert_offsets_exactly_once(files: &[(PathBuf, CommittedFile)]) -> i64 {
    let mut next = 0;
    for (path, file) in files {
        assert_eq!(file.partition, 0, "{}", path.display());
        assert_eq!(
            file.start_offset,
            next,
            "{} must start where the previous file ended",
            path.display()
        );
        assert!(file.end_offset >= file.start_offset);
        next = file.end_offset + 1;
    }
    next
}

fn worker(dir: &Path, bootstrap: Option<&str>, converter: &str) -> PathBuf {
    let offsets = dir.join("connect.offsets");
    let mut pairs = vec![
        ("key.converter", converter),
        ("value.converter", converter),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
        ("listeners", "http://127.0.0.1:0"),
        ("offset.flush.interval.ms", "500"),
    ];
    let data = dir.join("data");
    if let Some(bootstrap) = bootstrap {
        pairs.push(("bootstrap.servers", bootstrap));
    } else {
        pairs.push(("embedded.log.dir", data.to_str().unwrap()));
    }
    write_properties(&dir.join("worker.properties"), &pairs)
}

#[tokio::test]
async fn file_source_through_the_broker_into_parquet_read_by_pyarrow() {
    const LINES: usize = 2500;
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    broker.create_topic("lines", 1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (input, hdfs) = (dir.path().join("input.txt"), dir.path().join("hdfs"));
    let text: String = (0..LINES).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&input, &text).unwrap();
    let worker = worker(
        dir.path(),
        Some(&bootstrap),
        "org.apache.kafka.connect.json.JsonConverter",
    );
    let source = write_properties(
        &dir.path().join("source.properties"),
        &[
            ("name", "file-source"),
            ("connector.class", "FileStreamSource"),
            ("topic", "lines"),
            ("file", input.to_str().unwrap()),
        ],
    );
    // Lines are strings; Parquet wants structs: the sink hoists each into {line, kafka_offset}.
    let sink = write_properties(
        &dir.path().join("sink.properties"),
        &[
            ("name", "hdfs-sink"),
            (
                "connector.class",
                "io.confluent.connect.hdfs.HdfsSinkConnector",
            ),
            ("tasks.max", "1"),
            ("topics", "lines"),
            ("hdfs.url", &format!("file://{}", hdfs.display())),
            (
                "format.class",
                "io.confluent.connect.hdfs.parquet.ParquetFormat",
            ),
            ("flush.size", "1000"),
            // The last 500 lines commit on the schedule, although no record follows them.
            ("rotate.schedule.interval.ms", "1000"),
            ("timezone", "UTC"),
            ("transforms", "hoist,offset"),
            (
                "transforms.hoist.type",
                "org.apache.kafka.connect.transforms.HoistField$Value",
            ),
            ("transforms.hoist.field", "line"),
            (
                "transforms.offset.type",
                "org.apache.kafka.connect.transforms.InsertField$Value",
            ),
            ("transforms.offset.offset.field", "kafka_offset"),
        ],
    );
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[source, sink]);
    let topics = hdfs.join("topics");
    wait_until(
        "every line is in a committed file",
        Duration::from_secs(90),
        Some(&standalone),
        || {
            committed_files(&topics)
                .last()
                .is_some_and(|(_, f)| f.end_offset == LINES as i64 - 1)
        },
    )
    .await;
    // One more offset commit interval, so the group has caught up with the files.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(standalone.terminate().await.success());

    let files = committed_files(&topics);
    assert_eq!(assert_offsets_exactly_once(&files), LINES as i64);
    for (path, _) in &files {
        assert_eq!(
            path.parent().unwrap(),
            topics.join("lines/partition=0"),
            "Confluent's layout"
        );
    }
    // Files close at flush.size records, or earlier on the wall-clock schedule (which also takes
    // the last lines, after which no record arrives).
    let sizes: Vec<i64> = files
        .iter()
        .map(|(_, f)| f.end_offset - f.start_offset + 1)
        .collect();
    assert!(sizes.iter().all(|&size| size <= 1000), "{sizes:?}");
    assert!(sizes.contains(&1000), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<i64>(), LINES as i64);
    assert!(
        files_below(&topics.join("+tmp")).is_empty(),
        "{:?}",
        files_below(&topics.join("+tmp"))
    );

    // pyarrow reads every file: the rows are the lines, in order, each with its own offset.
    let paths: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    let read = file_readers::read_parquet(&paths).await.unwrap();
    let mut expected_offset = 0;
    for (file, (_, committed)) in read.iter().zip(&files) {
        let names: Vec<&str> = file
            .schema
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["line", "kafka_offset"]);
        assert_eq!(file.metadata["codec"], "SNAPPY");
        assert_eq!(
            file.rows.first().unwrap()["kafka_offset"],
            committed.start_offset
        );
        for row in &file.rows {
            assert_eq!(row["kafka_offset"], expected_offset);
            assert_eq!(row["line"], format!("line {expected_offset}"));
            expected_offset += 1;
        }
    }
    assert_eq!(expected_offset, LINES as i64);

    // The consumer group, as standard tools see it, stands after the last committed file.
    let committed = kafka_python::committed_offsets(&bootstrap, "connect-hdfs-sink", "lines")
        .await
        .unwrap();
    assert_eq!(
        committed.values().sum::<i64>(),
        LINES as i64,
        "{committed:?}"
    );
}

#[tokio::test]
async fn records_the_sink_cannot_write_go_to_the_dead_letter_queue() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    broker.create_topic("orders", 1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hdfs = dir.path().join("hdfs");
    // Structs with a schema, and in between two records Avro cannot take as a struct file: a
    // bare string (another schema) and a value without any schema.
    let order = |id: i64| {
        format!(
            r#"{{"schema":{{"type":"struct","name":"Order","fields":[{{"field":"id","type":"int64"}}]}},"payload":{{"id":{id}}}}}"#
        )
    };
    let values = [
        order(1),
        order(2),
        r#"{"schema":null,"payload":{"id":3}}"#.to_owned(),
        order(4),
        order(5),
        order(6),
    ];
    let records: Vec<ProduceRecord> = values
        .iter()
        .map(|v| ProduceRecord::new(v.as_bytes().to_vec()))
        .collect();
    kafka_python::produce(&bootstrap, "orders", &records)
        .await
        .unwrap();
    let worker = worker(
        dir.path(),
        Some(&bootstrap),
        "org.apache.kafka.connect.json.JsonConverter",
    );
    let sink = write_properties(
        &dir.path().join("sink.properties"),
        &[
            ("name", "hdfs-sink"),
            (
                "connector.class",
                "io.confluent.connect.hdfs.HdfsSinkConnector",
            ),
            ("topics", "orders"),
            ("hdfs.url", &format!("file://{}", hdfs.display())),
            ("format.class", "AvroFormat"),
            ("flush.size", "5"),
            ("errors.tolerance", "all"),
            ("errors.deadletterqueue.topic.name", "orders-dlq"),
            ("errors.deadletterqueue.topic.replication.factor", "1"),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ],
    );
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[sink]);
    let topics = hdfs.join("topics");
    wait_until(
        "the good records are committed",
        Duration::from_secs(60),
        Some(&standalone),
        || !committed_files(&topics).is_empty(),
    )
    .await;
    let dlq = kafka_python::consume_all(&bootstrap, "orders-dlq", Expect::Count(1)).await;
    let dlq =
        dlq.unwrap_or_else(|error| panic!("{error:?}\nworker log:\n{}", standalone.log_text()));
    assert!(standalone.terminate().await.success());

    // The five good records are one file covering offsets 0..=5: the bad one is in the DLQ.
    let files = committed_files(&topics);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!((files[0].1.start_offset, files[0].1.end_offset), (0, 5));
    let read = file_readers::read_avro(&[&files[0].0]).await.unwrap();
    let ids: Vec<i64> = read[0]
        .rows
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 4, 5, 6]);
    assert_eq!(read[0].schema["name"], "Order");

    // The DLQ holds the original bytes, and its headers say where the record came from and why.
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0].value.as_deref(), Some(values[2].as_bytes()));
    let header =
        |key: &str| String::from_utf8(dlq[0].header(key).flatten().unwrap().to_vec()).unwrap();
    assert_eq!(header("__connect.errors.topic"), "orders");
    assert_eq!(header("__connect.errors.partition"), "0");
    assert_eq!(header("__connect.errors.offset"), "2");
    let message = header("__connect.errors.exception.message");
    assert!(
        message.contains("topic=orders partition=0 offset=2"),
        "{message}"
    );
}

#[tokio::test]
async fn a_worker_killed_mid_stream_leaves_every_offset_in_exactly_one_file() {
    const LINES: usize = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let (input, hdfs) = (dir.path().join("input.txt"), dir.path().join("hdfs"));
    let text: String = (0..LINES).map(|i| format!("{i}\n")).collect();
    std::fs::write(&input, &text).unwrap();
    let worker = worker(
        dir.path(),
        None,
        "org.apache.kafka.connect.storage.StringConverter",
    );
    let source = write_properties(
        &dir.path().join("source.properties"),
        &[
            ("name", "file-source"),
            ("connector.class", "FileStreamSource"),
            ("topic", "numbers"),
            ("file", input.to_str().unwrap()),
        ],
    );
    let sink = write_properties(
        &dir.path().join("sink.properties"),
        &[
            ("name", "hdfs-sink"),
            (
                "connector.class",
                "io.confluent.connect.hdfs.HdfsSinkConnector",
            ),
            ("topics", "numbers"),
            ("hdfs.url", &format!("file://{}", hdfs.display())),
            ("format.class", "StringFormat"),
            ("flush.size", "7919"),
            ("rotate.schedule.interval.ms", "1000"),
            ("timezone", "UTC"),
        ],
    );
    let topics = hdfs.join("topics");
    let standalone = Standalone::start(
        dir.path(),
        "worker",
        &worker,
        &[source.clone(), sink.clone()],
    );
    wait_until(
        "a few files are committed",
        Duration::from_secs(60),
        Some(&standalone),
        || committed_files(&topics).len() >= 3,
    )
    .await;
    standalone.kill9().await;
    let before = committed_files(&topics).len();

    let standalone = Standalone::start(dir.path(), "worker-2", &worker, &[source, sink]);
    // The source resumes from its last committed offset, so lines may be in the topic twice
    // (at least once); the sink must still put each offset of the topic in exactly one file.
    wait_until(
        "every line is committed",
        Duration::from_secs(120),
        Some(&standalone),
        || {
            let files = committed_files(&topics);
            let lines: usize = files
                .iter()
                .map(|(_, f)| (f.end_offset - f.start_offset + 1) as usize)
                .sum();
            lines >= LINES
                && files.last().is_some_and(|(path, _)| {
                    std::fs::read_to_string(path)
                        .unwrap()
                        .lines()
                        .last()
                        .is_some_and(|l| l == (LINES - 1).to_string())
                })
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(standalone.terminate().await.success());

    let files = committed_files(&topics);
    assert!(
        files.len() > before,
        "the restarted worker committed more files"
    );
    let end = assert_offsets_exactly_once(&files);
    let mut seen = vec![0u32; LINES];
    let mut total = 0;
    for (path, file) in &files {
        let contents = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = contents.lines().collect();
        assert_eq!(
            lines.len() as i64,
            file.end_offset - file.start_offset + 1,
            "{} holds one line per offset of its name",
            path.display()
        );
        for line in lines {
            seen[line.parse::<usize>().unwrap()] += 1;
            total += 1;
        }
    }
    assert_eq!(total, end);
    let missing: Vec<usize> = (0..LINES).filter(|&i| seen[i] == 0).collect();
    assert!(
        missing.is_empty(),
        "lines missing: {:?}",
        &missing[..missing.len().min(10)]
    );
    assert!(
        files_below(&topics.join("+tmp")).is_empty(),
        "{:?}",
        files_below(&topics.join("+tmp"))
    );
}
