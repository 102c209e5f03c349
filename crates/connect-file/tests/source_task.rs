//! The source task against real files: splitting, positions, batches, resuming, waiting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{Context, MemoryOffsets, positions, props, values};
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, Value};
use connect_api::record::SourceRecord;
use connect_api::task::SourceTask;
use connect_file::FileStreamSourceTask;
use serde_json::json;
use tokio::time::Instant;

struct Fixture {
    _dir: tempfile::TempDir,
    path: String,
    offsets: Arc<MemoryOffsets>,
    task: FileStreamSourceTask,
}

impl Fixture {
    fn new(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.txt").to_str().unwrap().to_owned();
        let offsets = Arc::new(MemoryOffsets::default());
        let mut config = props(&[("file", &path), ("topic", "lines")]);
        config.extend(props(extra));
        let mut task = FileStreamSourceTask::new();
        task.initialize(Arc::new(Context {
            props: config.clone(),
            offsets: offsets.clone(),
        }));
        Self {
            _dir: dir,
            path,
            offsets,
            task,
        }
    }

    fn config(&self, extra: &[(&str, &str)]) -> ConfigMap {
        let mut config = props(&[("file", &self.path), ("topic", "lines")]);
        config.extend(props(extra));
        config
    }

    fn append(&self, bytes: &[u8]) {
        append(Path::new(&self.path), bytes);
    }
}

fn append(path: &Path, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(bytes).unwrap();
}

async fn started(extra: &[(&str, &str)], content: &[u8]) -> Fixture {
    let mut fixture = Fixture::new(extra);
    fixture.append(content);
    let config = fixture.config(extra);
    fixture.task.start(&config).await.unwrap();
    fixture
}

#[tokio::test(start_paused = true)]
async fn records_carry_topic_schema_line_partition_and_position() {
    let mut f = started(&[], b"alpha\nbeta\n").await;
    let before_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["alpha", "beta"]);
    assert_eq!(positions(&records), [6, 11]);
    for record in &records {
        assert_eq!(&*record.topic, "lines");
        assert_eq!(record.kafka_partition, None);
        assert_eq!(record.key, Value::Null);
        assert!(record.key_schema.is_none());
        let schema = record.value_schema.as_ref().unwrap();
        assert_eq!(*schema, Schema::string());
        assert!(!schema.is_optional());
        assert_eq!(
            serde_json::Value::Object((*record.source_partition).clone()),
            json!({"filename": f.path})
        );
        assert_eq!(record.source_offset.len(), 1);
        let timestamp = record.timestamp.unwrap();
        assert!((before_ms - 1000..before_ms + 60_000).contains(&timestamp));
        assert!(record.headers.is_empty());
    }
    // The offset was looked up for exactly this partition, once.
    let reads = f.offsets.reads();
    assert_eq!(reads.len(), 1);
    assert_eq!(
        serde_json::Value::Object(reads[0].clone()),
        json!({"filename": f.path})
    );
}

#[tokio::test(start_paused = true)]
async fn splits_on_lf_crlf_and_lone_cr_without_the_terminator() {
    let mut f = started(&[], b"unix\nwindows\r\nmac\rmore\n").await;
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["unix", "windows", "mac", "more"]);
    assert_eq!(positions(&records), [5, 14, 18, 23]);
}

#[tokio::test(start_paused = true)]
async fn empty_lines_are_records() {
    let mut f = started(&[], b"\n\r\n\rx\n\n").await;
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["", "", "", "x", ""]);
    assert_eq!(positions(&records), [1, 3, 4, 6, 7]);
}

#[tokio::test(start_paused = true)]
async fn a_cr_at_the_end_of_the_data_waits_for_the_next_byte() {
    let mut f = started(&[], b"first\r").await;
    let before = Instant::now();
    assert!(f.task.poll().await.unwrap().is_empty());
    assert_eq!(
        before.elapsed(),
        Duration::from_secs(1),
        "waits when there is no line"
    );

    // The `\n` arrives in a later read: `\r\n` is one terminator, not an empty line.
    f.append(b"\nsecond\r");
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["first"]);
    assert_eq!(positions(&records), [7]);

    // Another byte shows the held `\r` was a lone terminator.
    f.append(b"third\n");
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["second", "third"]);
    assert_eq!(positions(&records), [14, 20]);
}

#[tokio::test(start_paused = true)]
async fn the_last_line_is_returned_once_terminated() {
    let mut f = started(&[], b"done\npartial").await;
    assert_eq!(values(&f.task.poll().await.unwrap()), ["done"]);
    assert!(f.task.poll().await.unwrap().is_empty());
    assert!(f.task.poll().await.unwrap().is_empty());
    f.append(b" line");
    assert!(f.task.poll().await.unwrap().is_empty());
    f.append(b"\n");
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["partial line"]);
    assert_eq!(positions(&records), [18]);
}

#[tokio::test(start_paused = true)]
async fn polls_return_at_most_batch_size_records() {
    let mut f = started(&[("batch.size", "2")], b"a\nb\nc\nd\ne\n").await;
    let mut batches = Vec::new();
    for _ in 0..3 {
        let before = Instant::now();
        let records = f.task.poll().await.unwrap();
        assert_eq!(
            before.elapsed(),
            Duration::ZERO,
            "lines at hand: no waiting"
        );
        batches.push((values(&records), positions(&records)));
    }
    assert_eq!(
        batches,
        [
            (vec!["a".to_owned(), "b".to_owned()], vec![2, 4]),
            (vec!["c".to_owned(), "d".to_owned()], vec![6, 8]),
            (vec!["e".to_owned()], vec![10]),
        ]
    );
    assert!(f.task.poll().await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_default_batch_size_is_2000() {
    let content: String = (0..2500).map(|i| format!("{i}\n")).collect();
    let mut f = started(&[], content.as_bytes()).await;
    let first = f.task.poll().await.unwrap();
    assert_eq!(first.len(), 2000);
    assert_eq!(first[1999].value.as_str(), Some("1999"));
    let second = f.task.poll().await.unwrap();
    assert_eq!(second.len(), 500);
    assert_eq!(second[499].value.as_str(), Some("2499"));
    assert_eq!(positions(&second)[499], content.len() as i64);
}

#[tokio::test(start_paused = true)]
async fn a_large_file_with_long_lines_reads_back_exactly() {
    // Lines longer than the read buffer, and many small ones, across many reads.
    let mut content = Vec::new();
    let mut expected = Vec::new();
    for i in 0..3000 {
        let line = if i % 1000 == 7 {
            format!("{i}:{}", "y".repeat(700_000))
        } else {
            format!("line {i} {}", "x".repeat(i % 97))
        };
        content.extend_from_slice(line.as_bytes());
        content.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
        expected.push(line);
    }
    let mut f = started(&[("batch.size", "700")], &content).await;
    let mut records = Vec::new();
    while records.len() < expected.len() {
        let batch = f.task.poll().await.unwrap();
        assert!(!batch.is_empty() && batch.len() <= 700);
        records.extend(batch);
    }
    assert_eq!(values(&records), expected);
    assert_eq!(*positions(&records).last().unwrap(), content.len() as i64);
}

#[tokio::test(start_paused = true)]
async fn invalid_utf8_is_replaced_and_positions_count_bytes() {
    let mut content = "é€\na\u{0}\n".as_bytes().to_vec();
    content.extend_from_slice(b"bad\xff!\nx\xc3(y\n");
    let mut f = started(&[], &content).await;
    let records = f.task.poll().await.unwrap();
    assert_eq!(
        values(&records),
        ["é€", "a\u{0}", "bad\u{fffd}!", "x\u{fffd}(y"]
    );
    assert_eq!(positions(&records), [6, 9, 15, 20]);
}

#[tokio::test(start_paused = true)]
async fn resumes_after_the_committed_position() {
    let mut f = Fixture::new(&[]);
    f.append(b"old 1\nold 2\nnew 1\nnew 2\n");
    f.offsets
        .store(json!({"filename": f.path}), json!({"position": 12}));
    let config = f.config(&[]);
    f.task.start(&config).await.unwrap();
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["new 1", "new 2"]);
    assert_eq!(positions(&records), [18, 24]);
}

#[tokio::test(start_paused = true)]
async fn offsets_of_other_files_are_ignored() {
    let mut f = Fixture::new(&[]);
    f.append(b"a\nb\n");
    f.offsets.store(
        json!({"filename": "/elsewhere.txt"}),
        json!({"position": 2}),
    );
    let config = f.config(&[]);
    f.task.start(&config).await.unwrap();
    assert_eq!(values(&f.task.poll().await.unwrap()), ["a", "b"]);
}

#[tokio::test(start_paused = true)]
async fn a_null_or_absent_position_starts_at_the_beginning() {
    for stored in [json!({"position": null}), json!({})] {
        let mut f = Fixture::new(&[]);
        f.append(b"a\nb\n");
        f.offsets.store(json!({"filename": f.path}), stored);
        let config = f.config(&[]);
        f.task.start(&config).await.unwrap();
        let records = f.task.poll().await.unwrap();
        assert_eq!(values(&records), ["a", "b"]);
        assert_eq!(positions(&records), [2, 4]);
    }
}

#[tokio::test(start_paused = true)]
async fn a_position_that_is_not_an_integer_fails_the_poll() {
    for stored in [
        json!({"position": "12"}),
        json!({"position": 1.5}),
        json!({"position": true}),
        json!({"position": [1]}),
    ] {
        let mut f = Fixture::new(&[]);
        f.append(b"a\n");
        f.offsets.store(json!({"filename": f.path}), stored.clone());
        let config = f.config(&[]);
        f.task.start(&config).await.unwrap();
        let err = f.task.poll().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "Offset position is the incorrect type",
            "{stored}"
        );
        assert!(!err.is_retriable());
    }
}

#[tokio::test(start_paused = true)]
async fn a_position_past_the_end_waits_for_the_file_to_grow() {
    let mut f = Fixture::new(&[]);
    f.append(b"short\n");
    f.offsets
        .store(json!({"filename": f.path}), json!({"position": 11}));
    let config = f.config(&[]);
    f.task.start(&config).await.unwrap();
    assert!(f.task.poll().await.unwrap().is_empty());
    f.append(b"more\nnext\n");
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["next"]);
    assert_eq!(positions(&records), [16]);
}

#[tokio::test(start_paused = true)]
async fn a_missing_file_is_waited_for() {
    let mut f = Fixture::new(&[]);
    let config = f.config(&[]);
    f.task.start(&config).await.unwrap();
    for _ in 0..3 {
        let before = Instant::now();
        assert!(f.task.poll().await.unwrap().is_empty());
        assert_eq!(before.elapsed(), Duration::from_secs(1));
    }
    assert!(
        f.offsets.reads().is_empty(),
        "offsets are read once the file exists"
    );
    f.append(b"created\n");
    let records = f.task.poll().await.unwrap();
    assert_eq!(values(&records), ["created"]);
    assert_eq!(positions(&records), [8]);
    assert_eq!(f.offsets.reads().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn without_a_context_the_file_is_read_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    append(&path, b"x\n");
    let mut task = FileStreamSourceTask::new();
    task.start(&props(&[("file", path.to_str().unwrap()), ("topic", "t")]))
        .await
        .unwrap();
    assert_eq!(values(&task.poll().await.unwrap()), ["x"]);
}

#[tokio::test(start_paused = true)]
async fn start_rejects_invalid_configurations() {
    let mut task = FileStreamSourceTask::new();
    let err = task.start(&props(&[("file", "x")])).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Missing required configuration \"topic\" which has no default value."
    );
    let err = task
        .start(&props(&[("topic", "t"), ("batch.size", "many")]))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid value many for configuration batch.size: Not a number of type INT"
    );
}

#[tokio::test(start_paused = true)]
async fn stop_closes_and_a_restart_resumes_from_the_committed_offset() {
    let mut f = started(&[("batch.size", "1")], b"1\n2\n3\n").await;
    let first = f.task.poll().await.unwrap();
    assert_eq!(values(&first), ["1"]);
    f.task.stop().await.unwrap();

    // The runtime committed the first record's offset; a new task resumes after it.
    f.offsets.store(
        serde_json::Value::Object((*first[0].source_partition).clone()),
        serde_json::Value::Object(first[0].source_offset.clone()),
    );
    let mut task = FileStreamSourceTask::new();
    task.initialize(Arc::new(Context {
        props: f.config(&[]),
        offsets: f.offsets.clone(),
    }));
    task.start(&f.config(&[])).await.unwrap();
    let rest = task.poll().await.unwrap();
    assert_eq!(values(&rest), ["2", "3"]);
    assert_eq!(positions(&rest), [4, 6]);
}

/// Polls that are dropped at every await point, interleaved with ones that complete, still
/// return each line exactly once and in order. Batches are larger than what one read brings,
/// so polls are often dropped while holding records taken from earlier reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_polls_lose_and_duplicate_nothing() {
    const LINES: usize = 5000;
    let expected: Vec<String> = (0..LINES)
        .map(|i| format!("line {i} {}", "x".repeat(300 + i % 7)))
        .collect();
    let content: String = expected.iter().map(|line| format!("{line}\n")).collect();
    let mut f = started(&[("batch.size", "1500")], content.as_bytes()).await;
    let mut records: Vec<SourceRecord> = Vec::new();
    let (mut cancelled, mut completed) = (0, 0);
    for round in 0..100_000u64 {
        if records.len() == LINES {
            break;
        }
        if round % 3 == 0 {
            tokio::time::sleep(Duration::from_micros(50)).await;
        }
        tokio::select! {
            biased;
            result = f.task.poll() => {
                records.extend(result.unwrap());
                completed += 1;
            }
            () = std::future::ready(()) => cancelled += 1,
        }
    }
    assert!(cancelled > 0 && completed > 0, "{cancelled} {completed}");
    assert_eq!(values(&records), expected);
    let mut position = 0;
    for (record, line) in records.iter().zip(&expected) {
        position += line.len() as i64 + 1;
        assert_eq!(record.source_offset["position"], json!(position));
    }
}
