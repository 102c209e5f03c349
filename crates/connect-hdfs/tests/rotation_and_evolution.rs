//! File rotation (`flush.size`, `rotate.interval.ms` on record time and on the wall clock,
//! `rotate.schedule.interval.ms`), schema evolution under each `schema.compatibility`, and bad
//! input (records a format cannot hold, tombstones, unpartitionable records, an unwritable
//! directory), each driven through the real task on the local file system, with the committed
//! files and their contents checked exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::record::TopicPartition;
use connect_testkit::file_readers::{read_avro, read_parquet};
use serde_json::json;
use support::{Harness, Running, name_offsets};

const TOPIC: &str = "events";

/// A harness on topic `events` writing JSON, with no retry backoff, `overrides` replacing or
/// adding keys.
fn harness(overrides: &[(&str, &str)]) -> Harness {
    let mut props: BTreeMap<&str, &str> = BTreeMap::from([
        ("topics", TOPIC),
        ("format.class", "JsonFormat"),
        ("flush.size", "1000"),
        ("retry.backoff.ms", "0"),
    ]);
    props.extend(overrides.iter().copied());
    let props: Vec<(&str, &str)> = props.into_iter().collect();
    Harness::new(&props)
}

fn tp(partition: i32) -> TopicPartition {
    TopicPartition::new(TOPIC, partition)
}

/// The path of a committed file of partition `partition` under the default partitioner.
fn committed(partition: i32, start: i64, end: i64, ext: &str) -> String {
    committed_in(
        &format!("partition={partition}"),
        partition,
        start,
        end,
        ext,
    )
}

/// The path of a committed file under the encoded partition `encoded`.
fn committed_in(encoded: &str, partition: i32, start: i64, end: i64, ext: &str) -> String {
    format!("topics/{TOPIC}/{encoded}/{TOPIC}+{partition}+{start:010}+{end:010}{ext}")
}

/// Every committed file of the topic (anything under `topics/events`), sorted.
fn committed_files(harness: &Harness) -> Vec<String> {
    harness.files(&format!("topics/{TOPIC}"))
}

/// Files still being written.
fn temp_files(harness: &Harness) -> Vec<String> {
    harness.files("topics/+tmp")
}

/// The JSON documents of a file, one per line.
fn json_lines(harness: &Harness, path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(harness.root().join(path))
        .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{path} must end with a newline: {text:?}"
    );
    text.lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("{path}: {line:?} is not JSON: {error}"))
        })
        .collect()
}

/// Asserts the committed files of the topic are exactly `expected` (path, JSON lines).
fn assert_committed(harness: &Harness, expected: &[(String, Vec<serde_json::Value>)]) {
    let paths: Vec<String> = expected.iter().map(|(path, _)| path.clone()).collect();
    assert_eq!(committed_files(harness), paths, "committed files");
    for (path, lines) in expected {
        assert_eq!(&json_lines(harness, path), lines, "contents of {path}");
    }
}

/// The offset each JSON line carries: the number itself, or its `id` field.
fn line_offset(line: &serde_json::Value) -> i64 {
    line.as_i64()
        .or_else(|| line.get("id").and_then(serde_json::Value::as_i64))
        .unwrap_or_else(|| panic!("no offset in {line}"))
}

/// Asserts that the committed JSON files of `partition` together with the `not_written` offsets
/// (reported or skipped)
/// hold every offset in `0..records` exactly once, that each file's name matches its first and
/// last offset, and that no temporary file is left.
fn assert_exactly_once(harness: &Harness, partition: i32, records: i64, not_written: &[i64]) {
    let prefix = format!("{TOPIC}+{partition}+");
    let mut seen: Vec<i64> = not_written.to_vec();
    for path in committed_files(harness) {
        if !path.rsplit('/').next().unwrap().starts_with(&prefix) {
            continue;
        }
        let offsets: Vec<i64> = json_lines(harness, &path).iter().map(line_offset).collect();
        let (start, end) = name_offsets(&path);
        assert_eq!(offsets.first(), Some(&start), "{path}: {offsets:?}");
        assert_eq!(offsets.last(), Some(&end), "{path}: {offsets:?}");
        seen.extend(offsets);
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..records).collect::<Vec<_>>(),
        "partition {partition}: every offset exactly once (in a file or reported)"
    );
    assert_eq!(temp_files(harness), Vec::<String>::new(), "temporary files");
}

/// The offsets of the records the task reported as bad, and the messages.
fn reported(running: &Running) -> Vec<(i64, String)> {
    running
        .context
        .reporter
        .reported
        .lock()
        .unwrap()
        .iter()
        .map(|(record, message)| (record.kafka_offset, message.clone()))
        .collect()
}

/// Asserts an error message names the record and says why.
fn assert_names_record(message: &str, partition: i32, offset: i64, why: &str) {
    for part in [
        format!("topic={TOPIC}"),
        format!("partition={partition}"),
        format!("offset={offset}"),
        why.to_owned(),
    ] {
        assert!(
            message.contains(&part),
            "the error must contain {part:?}: {message}"
        );
    }
}

fn paused(running: &Running) -> bool {
    running
        .context
        .requests
        .lock()
        .unwrap()
        .paused
        .contains(&tp(0))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn int64_records(harness: &mut Harness, partition: i32, offsets: std::ops::Range<i64>) {
    for offset in offsets {
        harness.add(
            TOPIC,
            partition,
            Some(Schema::int64()),
            Value::Int64(offset),
            None,
        );
    }
}

/// `Order` version 1: `id`.
fn order_v1() -> Schema {
    SchemaBuilder::struct_()
        .name("Order")
        .version(1)
        .field("id", Schema::int64())
        .build()
        .unwrap()
}

/// `Order` version 2: `id` and a required `note` defaulting to "none".
fn order_v2() -> Schema {
    SchemaBuilder::struct_()
        .name("Order")
        .version(2)
        .field("id", Schema::int64())
        .field(
            "note",
            SchemaBuilder::string()
                .default_value("none")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// A struct of `schema` with `id` and, when given, `note`.
fn order(schema: &Schema, id: i64, note: Option<&str>) -> Value {
    let mut value = Struct::new(schema.clone()).unwrap().with("id", id).unwrap();
    if let Some(note) = note {
        value = value.with("note", note).unwrap();
    }
    Value::Struct(value)
}

// ---------------------------------------------------------------------------------------------
// Rotation
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_size_commits_files_of_exactly_flush_size_records() {
    let mut harness = harness(&[("flush.size", "3")]);
    int64_records(&mut harness, 0, 0..8);
    let mut running = harness.start(None).await.unwrap();

    // 7 records: two full files are committed within the batch, the 7th waits.
    assert_eq!(harness.step(&mut running).await.unwrap(), 7);
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 2, ".json"),
                vec![json!(0), json!(1), json!(2)],
            ),
            (
                committed(0, 3, 5, ".json"),
                vec![json!(3), json!(4), json!(5)],
            ),
        ],
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&6));

    // Offset 7: two records in the open file, below flush.size, nothing more committed, even
    // after empty puts.
    assert_eq!(harness.step(&mut running).await.unwrap(), 1);
    for _ in 0..3 {
        assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    }
    assert_eq!(committed_files(&harness).len(), 2);
    assert_eq!(harness.committed.get(&tp(0)), Some(&6));

    // Offset 8 fills the file: it is committed at the end of that batch.
    harness.add(TOPIC, 0, Some(Schema::int64()), Value::Int64(8), None);
    assert_eq!(harness.step(&mut running).await.unwrap(), 1);
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 2, ".json"),
                vec![json!(0), json!(1), json!(2)],
            ),
            (
                committed(0, 3, 5, ".json"),
                vec![json!(3), json!(4), json!(5)],
            ),
            (
                committed(0, 6, 8, ".json"),
                vec![json!(6), json!(7), json!(8)],
            ),
        ],
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&9));
    assert_exactly_once(&harness, 0, 9, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_size_batch_ending_at_flush_size_commits_at_once_and_restart_is_exactly_once() {
    let mut harness = harness(&[("flush.size", "4")]);
    harness.batch = 4;
    int64_records(&mut harness, 0, 0..10);
    int64_records(&mut harness, 1, 0..6);
    let mut running = harness.start(None).await.unwrap();

    assert_eq!(harness.step(&mut running).await.unwrap(), 8);
    assert_eq!(
        committed_files(&harness),
        [committed(0, 0, 3, ".json"), committed(1, 0, 3, ".json")]
    );
    // 4..5 of partition 0 and 4..5 of partition 1 are being written when the task dies.
    assert_eq!(harness.step(&mut running).await.unwrap(), 6);
    assert_eq!(committed_files(&harness).len(), 3);
    assert_eq!(harness.committed.get(&tp(1)), Some(&4));
    drop(running);

    let mut restarted = harness.start(None).await.unwrap();
    harness.run(&mut restarted, 2).await.unwrap();
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 3, ".json"),
                vec![json!(0), json!(1), json!(2), json!(3)],
            ),
            (
                committed(0, 4, 7, ".json"),
                vec![json!(4), json!(5), json!(6), json!(7)],
            ),
            (
                committed(1, 0, 3, ".json"),
                vec![json!(0), json!(1), json!(2), json!(3)],
            ),
        ],
    );
    // 8..9 and 4..5 stay open (fewer than flush.size records).
    assert_eq!(harness.committed.get(&tp(0)), Some(&8));
    assert_eq!(harness.committed.get(&tp(1)), Some(&4));
}

/// `TimeBasedPartitioner` hourly in UTC on the record timestamps.
const HOURLY_RECORD_TIME: [(&str, &str); 6] = [
    (
        "partitioner.class",
        "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
    ),
    ("partition.duration.ms", "3600000"),
    ("path.format", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH"),
    ("locale", "en-US"),
    ("timezone", "UTC"),
    ("timestamp.extractor", "Record"),
];

/// 2024-01-01T00:00:00Z.
const JAN_1_2024: i64 = 1_704_067_200_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_interval_on_record_time_starts_the_next_file_with_the_triggering_record() {
    let mut props = HOURLY_RECORD_TIME.to_vec();
    props.push(("rotate.interval.ms", "1000"));
    let mut harness = harness(&props);
    harness.batch = 5;
    // Times since the first record: a record ≥ 1000 ms after the file's first one rotates and
    // starts the next file.
    let times = [0, 200, 999, 1000, 1500, 1999, 2000, 3500];
    for (offset, time) in times.iter().enumerate() {
        harness.add(
            TOPIC,
            0,
            Some(Schema::int64()),
            Value::Int64(offset as i64),
            Some(JAN_1_2024 + time),
        );
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 3).await.unwrap();

    let hour = "year=2024/month=01/day=01/hour=00";
    assert_committed(
        &harness,
        &[
            (
                committed_in(hour, 0, 0, 2, ".json"),
                vec![json!(0), json!(1), json!(2)],
            ),
            (
                committed_in(hour, 0, 3, 5, ".json"),
                vec![json!(3), json!(4), json!(5)],
            ),
            (committed_in(hour, 0, 6, 6, ".json"), vec![json!(6)]),
        ],
    );
    // Offset 7 started the last file; on record time an idle partition does not rotate, so it
    // waits for a later record.
    assert_eq!(harness.committed.get(&tp(0)), Some(&7));

    // A record 1000 ms after it commits it.
    harness.add(
        TOPIC,
        0,
        Some(Schema::int64()),
        Value::Int64(8),
        Some(JAN_1_2024 + 4500),
    );
    harness.run(&mut running, 1).await.unwrap();
    assert_eq!(
        committed_files(&harness).last(),
        Some(&committed_in(hour, 0, 7, 7, ".json"))
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_interval_on_the_wall_clock_commits_on_empty_puts() {
    let mut harness = harness(&[("rotate.interval.ms", "400")]);
    int64_records(&mut harness, 0, 0..3);
    let mut running = harness.start(None).await.unwrap();

    assert_eq!(harness.step(&mut running).await.unwrap(), 3);
    assert_eq!(committed_files(&harness), Vec::<String>::new());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_committed(
        &harness,
        &[(
            committed(0, 0, 2, ".json"),
            vec![json!(0), json!(1), json!(2)],
        )],
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&3));

    // A record that arrives after the interval commits the open file before it is written.
    int64_records(&mut harness, 0, 3..4);
    assert_eq!(harness.step(&mut running).await.unwrap(), 1);
    assert_eq!(committed_files(&harness).len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    int64_records(&mut harness, 0, 4..6);
    assert_eq!(harness.step(&mut running).await.unwrap(), 2);
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 2, ".json"),
                vec![json!(0), json!(1), json!(2)],
            ),
            (committed(0, 3, 3, ".json"), vec![json!(3)]),
        ],
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_eq!(
        committed_files(&harness).last(),
        Some(&committed(0, 4, 5, ".json"))
    );
    assert_exactly_once(&harness, 0, 6, &[]);
}

/// Waits until the wall clock is just past a whole second.
async fn align_to_second() {
    let into_second = now_ms().rem_euclid(1000);
    if into_second > 100 {
        tokio::time::sleep(Duration::from_millis((1000 - into_second + 20) as u64)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_schedule_interval_commits_an_idle_partition_on_a_later_empty_put() {
    let mut harness = harness(&[("rotate.schedule.interval.ms", "1000"), ("timezone", "UTC")]);
    int64_records(&mut harness, 0, 0..3);
    int64_records(&mut harness, 1, 0..2);
    align_to_second().await;
    let mut running = harness.start(None).await.unwrap();
    assert_eq!(harness.step(&mut running).await.unwrap(), 5);
    assert_eq!(committed_files(&harness), Vec::<String>::new());
    assert_eq!(
        harness.committed.get(&tp(0)),
        Some(&0),
        "nothing committed yet"
    );

    // No more records; the next slot (the next whole second) passes; an empty put commits.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 2, ".json"),
                vec![json!(0), json!(1), json!(2)],
            ),
            (committed(1, 0, 1, ".json"), vec![json!(0), json!(1)]),
        ],
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&3));
    assert_eq!(harness.committed.get(&tp(1)), Some(&2));

    // Partition 0 gets two more before the next slot; partition 1 stays idle and gets no new
    // file.
    int64_records(&mut harness, 0, 3..5);
    assert_eq!(harness.step(&mut running).await.unwrap(), 2);
    assert_eq!(committed_files(&harness).len(), 2);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 2, ".json"),
                vec![json!(0), json!(1), json!(2)],
            ),
            (committed(0, 3, 4, ".json"), vec![json!(3), json!(4)]),
            (committed(1, 0, 1, ".json"), vec![json!(0), json!(1)]),
        ],
    );
    assert_exactly_once(&harness, 0, 5, &[]);
    assert_exactly_once(&harness, 1, 2, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_schedule_interval_without_timezone_is_a_configuration_error() {
    let mut harness = harness(&[("rotate.schedule.interval.ms", "1000")]);
    int64_records(&mut harness, 0, 0..1);
    let error = match harness.start(None).await {
        Ok(_) => panic!("the task started without a timezone"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("timezone configuration must be set when using rotate.schedule.interval.ms"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_interval_on_the_wall_clock_with_a_time_based_partitioner() {
    // HourlyPartitioner's default extractor is the wall clock: empty puts rotate too.
    let mut harness = harness(&[
        ("partitioner.class", "HourlyPartitioner"),
        ("locale", "en-US"),
        ("timezone", "UTC"),
        ("rotate.interval.ms", "400"),
    ]);
    int64_records(&mut harness, 0, 0..2);
    let started = now_ms();
    let mut running = harness.start(None).await.unwrap();
    assert_eq!(harness.step(&mut running).await.unwrap(), 2);
    assert_eq!(committed_files(&harness), Vec::<String>::new());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    // The hour of the wall clock when the records were written.
    let hour_of = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .format("year=%Y/month=%m/day=%d/hour=%H")
            .to_string()
    };
    let files = committed_files(&harness);
    let possible: Vec<String> = [started, started + 1000]
        .map(|ms| committed_in(&hour_of(ms), 0, 0, 1, ".json"))
        .to_vec();
    assert!(
        files.len() == 1 && possible.contains(&files[0]),
        "{files:?} must be one of {possible:?}"
    );
    assert_eq!(json_lines(&harness, &files[0]), [json!(0), json!(1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_size_counts_every_encoded_partition_and_commits_them_together() {
    let schema = SchemaBuilder::struct_()
        .field("id", Schema::int64())
        .field("key", Schema::string())
        .build()
        .unwrap();
    let mut harness = harness(&[
        ("partitioner.class", "FieldPartitioner"),
        ("partition.field.name", "key"),
        ("flush.size", "3"),
    ]);
    for (offset, key) in ["a", "b", "a", "b", "b", "a", "a"].into_iter().enumerate() {
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("id", offset as i64)
            .unwrap()
            .with("key", key)
            .unwrap();
        harness.add(TOPIC, 0, Some(schema.clone()), Value::Struct(value), None);
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    let line = |id: i64, key: &str| json!({"id": id, "key": key});
    // Three records of the Kafka partition make a commit: one file per key, each with fewer
    // than flush.size records.
    assert_committed(
        &harness,
        &[
            (
                committed_in("key=a", 0, 0, 2, ".json"),
                vec![line(0, "a"), line(2, "a")],
            ),
            (committed_in("key=a", 0, 5, 5, ".json"), vec![line(5, "a")]),
            (committed_in("key=b", 0, 1, 1, ".json"), vec![line(1, "b")]),
            (
                committed_in("key=b", 0, 3, 4, ".json"),
                vec![line(3, "b"), line(4, "b")],
            ),
        ],
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&6), "offset 6 is open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn rotate_interval_on_the_wall_clock_after_an_idle_time_starts_a_whole_file() {
    let mut harness = harness(&[("rotate.interval.ms", "400")]);
    int64_records(&mut harness, 0, 0..2);
    let mut running = harness.start(None).await.unwrap();
    assert_eq!(harness.step(&mut running).await.unwrap(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_eq!(committed_files(&harness), [committed(0, 0, 1, ".json")]);

    // Idle for longer than the interval with no open file, then a batch of three: the interval
    // is measured from when the new file starts (Confluent rotates an empty file there, which
    // resets the timer), so the three records share one file.
    tokio::time::sleep(Duration::from_millis(500)).await;
    int64_records(&mut harness, 0, 2..5);
    assert_eq!(harness.step(&mut running).await.unwrap(), 3);
    assert_eq!(
        committed_files(&harness),
        [committed(0, 0, 1, ".json")],
        "no file may be committed right after the idle time"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_committed(
        &harness,
        &[
            (committed(0, 0, 1, ".json"), vec![json!(0), json!(1)]),
            (
                committed(0, 2, 4, ".json"),
                vec![json!(2), json!(3), json!(4)],
            ),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn rotate_schedule_interval_after_an_idle_slot_starts_a_whole_file() {
    let mut harness = harness(&[("rotate.schedule.interval.ms", "1000"), ("timezone", "UTC")]);
    int64_records(&mut harness, 0, 0..2);
    align_to_second().await;
    let mut running = harness.start(None).await.unwrap();
    assert_eq!(harness.step(&mut running).await.unwrap(), 2);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_eq!(committed_files(&harness), [committed(0, 0, 1, ".json")]);

    // A whole slot passes with no open file; then three records in one batch share a file,
    // committed at the end of their slot.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    int64_records(&mut harness, 0, 2..5);
    assert_eq!(harness.step(&mut running).await.unwrap(), 3);
    assert_eq!(
        committed_files(&harness),
        [committed(0, 0, 1, ".json")],
        "no file may be committed right after the idle slot"
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(harness.step(&mut running).await.unwrap(), 0);
    assert_committed(
        &harness,
        &[
            (committed(0, 0, 1, ".json"), vec![json!(0), json!(1)]),
            (
                committed(0, 2, 4, ".json"),
                vec![json!(2), json!(3), json!(4)],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Schema evolution
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn none_compatibility_starts_a_file_on_every_schema_change_and_never_projects() {
    let mut harness = harness(&[("schema.compatibility", "NONE")]);
    // Versionless schemas; a schema equal to the current one (a distinct instance) is no change.
    let plain = || {
        SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .build()
            .unwrap()
    };
    let named = SchemaBuilder::struct_()
        .field("id", Schema::int64())
        .field("name", Schema::string())
        .build()
        .unwrap();
    let documented = SchemaBuilder::struct_()
        .doc("only the doc differs")
        .field("id", Schema::int64())
        .build()
        .unwrap();
    let id = |schema: &Schema, id: i64| {
        Value::Struct(Struct::new(schema.clone()).unwrap().with("id", id).unwrap())
    };
    let with_name = |id: i64| {
        Value::Struct(
            Struct::new(named.clone())
                .unwrap()
                .with("id", id)
                .unwrap()
                .with("name", format!("n{id}"))
                .unwrap(),
        )
    };
    let records = [
        (plain(), id(&plain(), 0)),
        (plain(), id(&plain(), 1)),
        (named.clone(), with_name(2)),
        (named.clone(), with_name(3)),
        (plain(), id(&plain(), 4)),
        (documented.clone(), id(&documented, 5)),
        (documented.clone(), id(&documented, 6)),
        (plain(), id(&plain(), 7)),
    ];
    for (schema, value) in records {
        harness.add(TOPIC, 0, Some(schema), value, None);
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 1, ".json"),
                vec![json!({"id": 0}), json!({"id": 1})],
            ),
            (
                committed(0, 2, 3, ".json"),
                vec![
                    json!({"id": 2, "name": "n2"}),
                    json!({"id": 3, "name": "n3"}),
                ],
            ),
            (committed(0, 4, 4, ".json"), vec![json!({"id": 4})]),
            (
                committed(0, 5, 6, ".json"),
                vec![json!({"id": 5}), json!({"id": 6})],
            ),
        ],
    );
    assert_eq!(
        harness.committed.get(&tp(0)),
        Some(&7),
        "offset 7 is being written"
    );
}

/// v1, v2 interleaved under BACKWARD or FULL: the file moves up to v2 (one rotation), and the
/// later v1 records are projected up with the default, without rotating.
async fn moves_up_to_the_newest_version(mode: &str) {
    let mut harness = harness(&[("schema.compatibility", mode), ("flush.size", "4")]);
    let (v1, v2) = (order_v1(), order_v2());
    let records = [
        (&v1, order(&v1, 0, None)),
        (&v1, order(&v1, 1, None)),
        (&v2, order(&v2, 2, Some("n2"))),
        (&v1, order(&v1, 3, None)),
        (&v2, order(&v2, 4, Some("n4"))),
        (&v1, order(&v1, 5, None)),
        (&v1, order(&v1, 6, None)),
        (&v2, order(&v2, 7, Some("n7"))),
        (&v1, order(&v1, 8, None)),
        (&v1, order(&v1, 9, None)),
    ];
    for (schema, value) in records {
        harness.add(TOPIC, 0, Some(schema.clone()), value, None);
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 1, ".json"),
                vec![json!({"id": 0}), json!({"id": 1})],
            ),
            (
                committed(0, 2, 5, ".json"),
                vec![
                    json!({"id": 2, "note": "n2"}),
                    json!({"id": 3, "note": "none"}),
                    json!({"id": 4, "note": "n4"}),
                    json!({"id": 5, "note": "none"}),
                ],
            ),
            (
                committed(0, 6, 9, ".json"),
                vec![
                    json!({"id": 6, "note": "none"}),
                    json!({"id": 7, "note": "n7"}),
                    json!({"id": 8, "note": "none"}),
                    json!({"id": 9, "note": "none"}),
                ],
            ),
        ],
    );
    assert_exactly_once(&harness, 0, 10, &[]);
    assert!(reported(&running).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backward_compatibility_moves_up_and_projects_older_records() {
    moves_up_to_the_newest_version("BACKWARD").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_compatibility_moves_up_and_projects_older_records() {
    moves_up_to_the_newest_version("FULL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_compatibility_moves_down_and_drops_newer_fields() {
    let mut harness = harness(&[("schema.compatibility", "FORWARD"), ("flush.size", "4")]);
    let (v1, v2) = (order_v1(), order_v2());
    let records = [
        (&v2, order(&v2, 0, Some("n0"))),
        (&v2, order(&v2, 1, Some("n1"))),
        (&v1, order(&v1, 2, None)),
        (&v2, order(&v2, 3, Some("n3"))),
        (&v1, order(&v1, 4, None)),
        (&v2, order(&v2, 5, Some("n5"))),
    ];
    for (schema, value) in records {
        harness.add(TOPIC, 0, Some(schema.clone()), value, None);
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 1, ".json"),
                vec![
                    json!({"id": 0, "note": "n0"}),
                    json!({"id": 1, "note": "n1"}),
                ],
            ),
            (
                committed(0, 2, 5, ".json"),
                vec![
                    json!({"id": 2}),
                    json!({"id": 3}),
                    json!({"id": 4}),
                    json!({"id": 5}),
                ],
            ),
        ],
    );
    assert_exactly_once(&harness, 0, 6, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backward_compatibility_requires_schema_versions() {
    let versionless = |extra: bool| {
        let mut builder = SchemaBuilder::struct_()
            .name("Order")
            .field("id", Schema::int64());
        if extra {
            builder = builder.field("note", Schema::optional_string());
        }
        builder.build().unwrap()
    };
    let mut harness = harness(&[("schema.compatibility", "BACKWARD"), ("flush.size", "2")]);
    let (a, b) = (versionless(false), versionless(true));
    for (offset, schema) in [&a, &a, &a, &b].into_iter().enumerate() {
        harness.add(
            TOPIC,
            0,
            Some(schema.clone()),
            order(schema, offset as i64, None),
            None,
        );
    }
    let mut running = harness.start(None).await.unwrap();
    // The same schema instance needs no version; a different schema does.
    let error = harness.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(
        &error,
        0,
        3,
        "Schema version required for BACKWARD compatibility",
    );
    assert_eq!(
        committed_files(&harness),
        [committed(0, 0, 1, ".json")],
        "only the file that filled up before the bad record"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_between_schema_based_and_schemaless_fails_both_ways() {
    for (first, second) in [(true, false), (false, true)] {
        let mut harness = harness(&[("flush.size", "2")]);
        for (offset, with_schema) in [first, first, first, second].into_iter().enumerate() {
            harness.add(
                TOPIC,
                0,
                with_schema.then(Schema::int64),
                Value::Int64(offset as i64),
                None,
            );
        }
        let mut running = harness.start(None).await.unwrap();
        let error = harness.step(&mut running).await.unwrap_err().to_string();
        assert_names_record(
            &error,
            0,
            3,
            "Switch between schema-based and schema-less data is not supported",
        );
        assert_committed(
            &harness,
            &[(committed(0, 0, 1, ".json"), vec![json!(0), json!(1)])],
        );
    }
}

/// v2 adds a required field without a default: compatible by version (v1 < v2) but v1 records
/// cannot be projected to it.
fn order_v2_required() -> Schema {
    SchemaBuilder::struct_()
        .name("Order")
        .version(2)
        .field("id", Schema::int64())
        .field("amount", Schema::int64())
        .build()
        .unwrap()
}

fn unprojectable_records(harness: &mut Harness) {
    let (v1, v2) = (order_v1(), order_v2_required());
    let v2_value = |id: i64| {
        Value::Struct(
            Struct::new(v2.clone())
                .unwrap()
                .with("id", id)
                .unwrap()
                .with("amount", id * 10)
                .unwrap(),
        )
    };
    harness.add(TOPIC, 0, Some(v2.clone()), v2_value(0), None);
    harness.add(TOPIC, 0, Some(v2.clone()), v2_value(1), None);
    harness.add(TOPIC, 0, Some(v1.clone()), order(&v1, 2, None), None);
    harness.add(TOPIC, 0, Some(v2.clone()), v2_value(3), None);
    harness.add(TOPIC, 0, Some(v2.clone()), v2_value(4), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprojectable_compatible_record_fails_the_put_naming_it() {
    let mut harness = harness(&[("schema.compatibility", "BACKWARD"), ("flush.size", "2")]);
    unprojectable_records(&mut harness);
    let mut running = harness.start(None).await.unwrap();
    let error = harness.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 2, "Required field `amount` is missing");
    assert_committed(
        &harness,
        &[(
            committed(0, 0, 1, ".json"),
            vec![
                json!({"id": 0, "amount": 0}),
                json!({"id": 1, "amount": 10}),
            ],
        )],
    );
    drop(running);

    // A new task resumes after the committed file. A JSON file keeps no schema, so the writer
    // starts from the schema of the next record: offset 2 gets a file of its own, and v2
    // starts the next one. Every offset is committed once.
    let mut restarted = harness.start(None).await.unwrap();
    harness.run(&mut restarted, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 1, ".json"),
                vec![
                    json!({"id": 0, "amount": 0}),
                    json!({"id": 1, "amount": 10}),
                ],
            ),
            (committed(0, 2, 2, ".json"), vec![json!({"id": 2})]),
            (
                committed(0, 3, 4, ".json"),
                vec![
                    json!({"id": 3, "amount": 30}),
                    json!({"id": 4, "amount": 40}),
                ],
            ),
        ],
    );
    assert_exactly_once(&harness, 0, 5, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprojectable_record_fails_again_after_a_restart_when_the_file_keeps_its_schema() {
    let mut harness = harness(&[
        ("schema.compatibility", "BACKWARD"),
        ("flush.size", "2"),
        ("format.class", "AvroFormat"),
    ]);
    unprojectable_records(&mut harness);
    let mut running = harness.start(None).await.unwrap();
    let error = harness.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 2, "Required field `amount` is missing");
    assert_eq!(committed_files(&harness), [committed(0, 0, 1, ".avro")]);
    drop(running);

    // The new task starts from the v2 schema of the committed Avro file, so offset 2 cannot
    // be projected again: the same error, nothing written twice.
    let mut restarted = harness.start(None).await.unwrap();
    let error = harness.step(&mut restarted).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 2, "Required field `amount` is missing");
    assert_eq!(committed_files(&harness), [committed(0, 0, 1, ".avro")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprojectable_compatible_record_is_reported_when_tolerated() {
    let mut harness = harness(&[
        ("schema.compatibility", "BACKWARD"),
        ("flush.size", "2"),
        ("errors.tolerance", "all"),
    ]);
    unprojectable_records(&mut harness);
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (
                committed(0, 0, 1, ".json"),
                vec![
                    json!({"id": 0, "amount": 0}),
                    json!({"id": 1, "amount": 10}),
                ],
            ),
            (
                committed(0, 3, 4, ".json"),
                vec![
                    json!({"id": 3, "amount": 30}),
                    json!({"id": 4, "amount": 40}),
                ],
            ),
        ],
    );
    let bad = reported(&running);
    assert_eq!(bad.iter().map(|(o, _)| *o).collect::<Vec<_>>(), [2]);
    assert_names_record(&bad[0].1, 0, 2, "Required field `amount` is missing");
    assert_exactly_once(&harness, 0, 5, &[2]);
    assert_eq!(harness.committed.get(&tp(0)), Some(&5));
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemaless_records_fail_avro_and_parquet() {
    for (format, why) in [
        ("AvroFormat", "needs a value schema"),
        ("ParquetFormat", "needs a value schema"),
    ] {
        let mut harness = harness(&[("format.class", format), ("flush.size", "2")]);
        harness.add(TOPIC, 0, None, Value::Int64(0), None);
        let mut running = harness.start(None).await.unwrap();
        let error = harness.step(&mut running).await.unwrap_err().to_string();
        assert_names_record(&error, 0, 0, why);
        assert!(
            error.to_lowercase().contains("schema"),
            "{format}: the error must say a schema is needed: {error}"
        );
        assert_eq!(committed_files(&harness), Vec::<String>::new(), "{format}");
        assert_eq!(temp_files(&harness), Vec::<String>::new(), "{format}");
    }
}

/// The `id` of every row of committed Avro or Parquet files, read with fastavro or pyarrow.
async fn file_ids(harness: &Harness, paths: &[String]) -> Vec<Vec<i64>> {
    let absolute: Vec<_> = paths.iter().map(|p| harness.root().join(p)).collect();
    let files = if paths.iter().all(|p| p.ends_with(".avro")) {
        read_avro(&absolute).await.unwrap()
    } else {
        read_parquet(&absolute).await.unwrap()
    };
    files
        .iter()
        .map(|file| file.rows.iter().map(line_offset).collect())
        .collect()
}

/// Schemaless records among struct records into Avro or Parquet, tolerated: the schemaless ones
/// are reported (the first ones because the format needs a schema, the later one because it
/// switches from schema-based to schemaless), the others are committed once.
async fn schemaless_records_are_reported_when_tolerated(format: &str, ext: &str) {
    let mut harness = harness(&[
        ("format.class", format),
        ("flush.size", "2"),
        ("errors.tolerance", "all"),
    ]);
    let v1 = order_v1();
    for offset in 0..7 {
        let schemaless = [0, 1, 4].contains(&offset);
        if schemaless {
            harness.add(TOPIC, 0, None, Value::Int64(offset), None);
        } else {
            harness.add(TOPIC, 0, Some(v1.clone()), order(&v1, offset, None), None);
        }
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    let files = [committed(0, 2, 3, ext), committed(0, 5, 6, ext)];
    assert_eq!(committed_files(&harness), files, "{format}");
    assert_eq!(
        file_ids(&harness, &files).await,
        [vec![2, 3], vec![5, 6]],
        "{format}"
    );
    let bad = reported(&running);
    assert_eq!(
        bad.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
        [0, 1, 4],
        "{format}"
    );
    assert_names_record(&bad[0].1, 0, 0, "needs a value schema");
    assert_names_record(&bad[1].1, 0, 1, "needs a value schema");
    assert_names_record(
        &bad[2].1,
        0,
        4,
        "Switch between schema-based and schema-less data is not supported",
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&7), "{format}");
    assert_eq!(temp_files(&harness), Vec::<String>::new(), "{format}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemaless_records_into_avro_are_reported_when_tolerated() {
    schemaless_records_are_reported_when_tolerated("AvroFormat", ".avro").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemaless_records_into_parquet_are_reported_when_tolerated() {
    schemaless_records_are_reported_when_tolerated("ParquetFormat", ".parquet").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_are_skipped_by_default_and_offsets_move_past_them() {
    let mut harness = harness(&[("flush.size", "2")]);
    // Tombstones without a schema (what converters give for a null) and with an optional one.
    for offset in 0..8 {
        match offset {
            2 | 7 => harness.add(TOPIC, 0, None, Value::Null, None),
            5 => harness.add(TOPIC, 0, Some(Schema::optional_int64()), Value::Null, None),
            _ => harness.add(TOPIC, 0, Some(Schema::int64()), Value::Int64(offset), None),
        }
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (committed(0, 0, 1, ".json"), vec![json!(0), json!(1)]),
            (committed(0, 3, 4, ".json"), vec![json!(3), json!(4)]),
        ],
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&5));

    harness.add(TOPIC, 0, Some(Schema::int64()), Value::Int64(8), None);
    harness.run(&mut running, 1).await.unwrap();
    assert_eq!(
        committed_files(&harness).last(),
        Some(&committed(0, 6, 8, ".json"))
    );
    assert_eq!(
        json_lines(&harness, &committed(0, 6, 8, ".json")),
        [json!(6), json!(8)]
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&9));
    assert!(reported(&running).is_empty());
    drop(running);

    // A restart finds nothing to redo.
    let mut restarted = harness.start(None).await.unwrap();
    harness.run(&mut restarted, 1).await.unwrap();
    assert_eq!(committed_files(&harness).len(), 3);
    assert_exactly_once(&harness, 0, 9, &[2, 5, 7]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_fail_with_behavior_on_null_values_fail() {
    let mut harness = harness(&[("flush.size", "2"), ("behavior.on.null.values", "fail")]);
    let optional = Schema::optional_int64();
    harness.add(TOPIC, 0, Some(optional.clone()), Value::Int64(0), None);
    harness.add(TOPIC, 0, Some(optional.clone()), Value::Int64(1), None);
    harness.add(TOPIC, 0, Some(optional.clone()), Value::Null, None);
    let mut running = harness.start(None).await.unwrap();
    let error = harness.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 2, "behavior.on.null.values=fail");
    assert_committed(
        &harness,
        &[(committed(0, 0, 1, ".json"), vec![json!(0), json!(1)])],
    );

    // A schemaless tombstone after schema-based records fails the same way.
    let mut harness = schemaless_tombstone_after_a_record(&[("behavior.on.null.values", "fail")]);
    let mut running = harness.start(None).await.unwrap();
    let error = harness.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 1, "behavior.on.null.values=fail");
    assert_eq!(committed_files(&harness), Vec::<String>::new());
}

/// `0` with a schema, then a schemaless tombstone at offset 1.
fn schemaless_tombstone_after_a_record(props: &[(&str, &str)]) -> Harness {
    let mut harness = harness(props);
    harness.add(TOPIC, 0, Some(Schema::int64()), Value::Int64(0), None);
    harness.add(TOPIC, 0, None, Value::Null, None);
    harness
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_go_to_the_reporter_with_fail_and_tolerance_all() {
    let mut harness = harness(&[
        ("flush.size", "2"),
        ("behavior.on.null.values", "fail"),
        ("errors.tolerance", "all"),
    ]);
    let optional = Schema::optional_int64();
    for offset in 0..6 {
        match offset {
            2 => harness.add(TOPIC, 0, Some(optional.clone()), Value::Null, None),
            4 => harness.add(TOPIC, 0, None, Value::Null, None),
            _ => harness.add(TOPIC, 0, Some(optional.clone()), Value::Int64(offset), None),
        }
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_committed(
        &harness,
        &[
            (committed(0, 0, 1, ".json"), vec![json!(0), json!(1)]),
            (committed(0, 3, 5, ".json"), vec![json!(3), json!(5)]),
        ],
    );
    let bad = reported(&running);
    assert_eq!(bad.iter().map(|(o, _)| *o).collect::<Vec<_>>(), [2, 4]);
    // A tombstone is a tombstone, with or without a schema: behavior.on.null.values decides.
    assert_names_record(&bad[0].1, 0, 2, "behavior.on.null.values=fail");
    assert_names_record(&bad[1].1, 0, 4, "behavior.on.null.values=fail");
    assert_exactly_once(&harness, 0, 6, &[2, 4]);
    assert_eq!(harness.committed.get(&tp(0)), Some(&6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_string_values_into_string_format() {
    let add = |harness: &mut Harness| {
        for value in [
            Value::from("s0"),
            Value::from("s1"),
            Value::Int64(2),
            Value::from("s3"),
        ] {
            harness.add(TOPIC, 0, None, value, None);
        }
    };
    let read =
        |harness: &Harness, path: &str| std::fs::read_to_string(harness.root().join(path)).unwrap();

    let mut failing = harness(&[("format.class", "StringFormat"), ("flush.size", "3")]);
    add(&mut failing);
    let mut running = failing.start(None).await.unwrap();
    let error = failing.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 2, "StringFormat writes only string values");
    assert_eq!(committed_files(&failing), Vec::<String>::new());

    let mut tolerant = harness(&[
        ("format.class", "StringFormat"),
        ("flush.size", "3"),
        ("errors.tolerance", "all"),
    ]);
    add(&mut tolerant);
    let mut running = tolerant.start(None).await.unwrap();
    tolerant.run(&mut running, 1).await.unwrap();
    assert_eq!(committed_files(&tolerant), [committed(0, 0, 3, ".txt")]);
    assert_eq!(read(&tolerant, &committed(0, 0, 3, ".txt")), "s0\ns1\ns3\n");
    let bad = reported(&running);
    assert_eq!(bad.iter().map(|(o, _)| *o).collect::<Vec<_>>(), [2]);
    assert_names_record(&bad[0].1, 0, 2, "StringFormat writes only string values");
    assert_eq!(tolerant.committed.get(&tp(0)), Some(&4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_struct_values_into_parquet() {
    let mut failing = harness(&[("format.class", "ParquetFormat"), ("flush.size", "2")]);
    int64_records(&mut failing, 0, 0..2);
    let mut running = failing.start(None).await.unwrap();
    let error = failing.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 0, "");
    assert!(
        error.contains("Struct") || error.contains("struct"),
        "{error}"
    );
    assert_eq!(committed_files(&failing), Vec::<String>::new());

    // Tolerated: the int64 record is reported. It is found unwritable before its schema can
    // replace the file's, so the open file goes on: a reported record leaves no trace.
    let mut tolerant = harness(&[
        ("format.class", "ParquetFormat"),
        ("flush.size", "2"),
        ("errors.tolerance", "all"),
    ]);
    let v1 = order_v1();
    for offset in 0..5 {
        if offset == 1 {
            tolerant.add(TOPIC, 0, Some(Schema::int64()), Value::Int64(1), None);
        } else {
            tolerant.add(TOPIC, 0, Some(v1.clone()), order(&v1, offset, None), None);
        }
    }
    let mut running = tolerant.start(None).await.unwrap();
    tolerant.run(&mut running, 1).await.unwrap();
    let files = [
        committed(0, 0, 2, ".parquet"),
        committed(0, 3, 4, ".parquet"),
    ];
    assert_eq!(committed_files(&tolerant), files);
    assert_eq!(file_ids(&tolerant, &files).await, [vec![0, 2], vec![3, 4]]);
    let bad = reported(&running);
    assert_eq!(bad.iter().map(|(o, _)| *o).collect::<Vec<_>>(), [1]);
    assert_names_record(&bad[0].1, 0, 1, "ParquetFormat writes only Struct values");
    assert_eq!(tolerant.committed.get(&tp(0)), Some(&5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_partitioner_on_a_float_field() {
    let schema = |key: Schema| {
        SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .field("key", key)
            .build()
            .unwrap()
    };
    let (ints, floats) = (schema(Schema::int32()), schema(Schema::float64()));
    let add = |harness: &mut Harness| {
        for offset in 0..5i64 {
            let value = if offset == 2 {
                Struct::new(floats.clone())
                    .unwrap()
                    .with("id", offset)
                    .unwrap()
                    .with("key", 1.5f64)
                    .unwrap()
            } else {
                Struct::new(ints.clone())
                    .unwrap()
                    .with("id", offset)
                    .unwrap()
                    .with("key", 1i32)
                    .unwrap()
            };
            let value_schema = value.schema().clone();
            harness.add(TOPIC, 0, Some(value_schema), Value::Struct(value), None);
        }
    };
    let field = [
        ("partitioner.class", "FieldPartitioner"),
        ("partition.field.name", "key"),
        ("flush.size", "2"),
    ];
    let in_key = |start, end| committed_in("key=1", 0, start, end, ".json");

    let mut failing = harness(&field);
    add(&mut failing);
    let mut running = failing.start(None).await.unwrap();
    let error = failing.step(&mut running).await.unwrap_err().to_string();
    assert_names_record(&error, 0, 2, "Error encoding partition");
    assert_committed(
        &failing,
        &[(
            in_key(0, 1),
            vec![json!({"id": 0, "key": 1}), json!({"id": 1, "key": 1})],
        )],
    );

    let mut props = field.to_vec();
    props.push(("errors.tolerance", "all"));
    let mut tolerant = harness(&props);
    add(&mut tolerant);
    let mut running = tolerant.start(None).await.unwrap();
    tolerant.run(&mut running, 1).await.unwrap();
    assert_committed(
        &tolerant,
        &[
            (
                in_key(0, 1),
                vec![json!({"id": 0, "key": 1}), json!({"id": 1, "key": 1})],
            ),
            (
                in_key(3, 4),
                vec![json!({"id": 3, "key": 1}), json!({"id": 4, "key": 1})],
            ),
        ],
    );
    let bad = reported(&running);
    assert_eq!(bad.iter().map(|(o, _)| *o).collect::<Vec<_>>(), [2]);
    assert_names_record(&bad[0].1, 0, 2, "Error encoding partition");
    assert_exactly_once(&tolerant, 0, 5, &[2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unwritable_topics_dir_at_start_pauses_and_then_commits_everything_once() {
    let mut harness = harness(&[("topics.dir", "blocker/topics"), ("flush.size", "3")]);
    let blocker = harness.root().join("blocker");
    std::fs::write(&blocker, b"not a directory").unwrap();
    int64_records(&mut harness, 0, 0..9);
    let mut running = harness.start(None).await.unwrap();

    for _ in 0..3 {
        harness.step(&mut running).await.unwrap();
        assert!(paused(&running), "the partition must be paused");
    }
    assert_eq!(
        running.context.requests.lock().unwrap().timeout,
        Some(Duration::ZERO),
        "the task asks for the backoff"
    );
    assert_eq!(harness.committed.get(&tp(0)), None, "nothing to commit");
    assert!(blocker.is_file());

    std::fs::remove_file(&blocker).unwrap();
    harness.run(&mut running, 2).await.unwrap();
    assert!(!paused(&running), "the partition must be resumed");
    let files = harness.files("blocker/topics/events");
    assert_eq!(
        files,
        [0, 3, 6]
            .map(|start| format!(
                "blocker/topics/events/partition=0/events+0+{start:010}+{:010}.json",
                start + 2
            ))
            .to_vec()
    );
    let mut offsets = Vec::new();
    for file in &files {
        offsets.extend(json_lines(&harness, file).iter().map(line_offset));
    }
    assert_eq!(offsets, (0..9).collect::<Vec<_>>());
    assert_eq!(harness.files("blocker/topics/+tmp"), Vec::<String>::new());
    assert_eq!(harness.committed.get(&tp(0)), Some(&9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_dir_becoming_unwritable_rewinds_pauses_and_then_commits_everything_once() {
    let mut harness = harness(&[("topics.dir", "blocker/topics"), ("flush.size", "3")]);
    int64_records(&mut harness, 0, 0..12);
    let mut running = harness.start(None).await.unwrap();
    harness.batch = 4;
    assert_eq!(harness.step(&mut running).await.unwrap(), 4);
    let first = harness.files("blocker/topics/events");
    assert_eq!(
        first,
        ["blocker/topics/events/partition=0/events+0+0000000000+0000000002.json"]
    );

    let blocker = harness.root().join("blocker");
    std::fs::rename(&blocker, harness.root().join("moved")).unwrap();
    std::fs::write(&blocker, b"not a directory").unwrap();
    // Offsets 3..5 fill a file whose temporary file cannot be created: the file is given up,
    // the consumer sent back to offset 3 and the partition paused.
    assert_eq!(harness.step(&mut running).await.unwrap(), 4);
    assert!(paused(&running), "the partition must be paused");
    assert_eq!(
        running.context.requests.lock().unwrap().seeks.get(&tp(0)),
        Some(&3),
        "the consumer must be sent back to the offset after the last commit"
    );
    // While the directory stays unwritable the same records are read and given up again.
    for _ in 0..6 {
        harness.step(&mut running).await.unwrap();
        assert_eq!(harness.committed.get(&tp(0)), Some(&3));
    }
    assert_eq!(
        harness.files("moved/topics/events"),
        ["moved/topics/events/partition=0/events+0+0000000000+0000000002.json"]
    );

    std::fs::remove_file(&blocker).unwrap();
    std::fs::rename(harness.root().join("moved"), &blocker).unwrap();
    harness.run(&mut running, 2).await.unwrap();
    assert!(!paused(&running));
    let files = harness.files("blocker/topics/events");
    assert_eq!(
        files,
        [0, 3, 6, 9]
            .map(|start| format!(
                "blocker/topics/events/partition=0/events+0+{start:010}+{:010}.json",
                start + 2
            ))
            .to_vec()
    );
    let mut offsets = Vec::new();
    for file in &files {
        offsets.extend(json_lines(&harness, file).iter().map(line_offset));
    }
    assert_eq!(offsets, (0..12).collect::<Vec<_>>());
    assert_eq!(harness.files("blocker/topics/+tmp"), Vec::<String>::new());
    assert_eq!(harness.committed.get(&tp(0)), Some(&12));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backward_restart_starts_from_the_schema_of_the_newest_committed_file() {
    let mut harness = harness(&[
        ("format.class", "AvroFormat"),
        ("schema.compatibility", "BACKWARD"),
        ("flush.size", "2"),
    ]);
    let (v1, v2) = (order_v1(), order_v2());
    harness.add(TOPIC, 0, Some(v1.clone()), order(&v1, 0, None), None);
    harness.add(TOPIC, 0, Some(v2.clone()), order(&v2, 1, Some("n1")), None);
    harness.add(TOPIC, 0, Some(v2.clone()), order(&v2, 2, Some("n2")), None);
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_eq!(
        committed_files(&harness),
        [committed(0, 0, 0, ".avro"), committed(0, 1, 2, ".avro")]
    );
    drop(running);

    // Only v1 records after the restart: they are projected up to v2, the newest file's schema.
    harness.add(TOPIC, 0, Some(v1.clone()), order(&v1, 3, None), None);
    harness.add(TOPIC, 0, Some(v1.clone()), order(&v1, 4, None), None);
    let mut restarted = harness.start(None).await.unwrap();
    harness.run(&mut restarted, 1).await.unwrap();
    let files = [
        committed(0, 0, 0, ".avro"),
        committed(0, 1, 2, ".avro"),
        committed(0, 3, 4, ".avro"),
    ];
    assert_eq!(committed_files(&harness), files);
    let absolute: Vec<_> = files.iter().map(|p| harness.root().join(p)).collect();
    let read = read_avro(&absolute).await.unwrap();
    let field_names = |schema: &serde_json::Value| -> Vec<String> {
        schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(field_names(&read[0].schema), ["id"]);
    assert_eq!(field_names(&read[1].schema), ["id", "note"]);
    assert_eq!(field_names(&read[2].schema), ["id", "note"]);
    assert_eq!(read[0].rows, [json!({"id": 0})]);
    assert_eq!(
        read[1].rows,
        [
            json!({"id": 1, "note": "n1"}),
            json!({"id": 2, "note": "n2"})
        ]
    );
    assert_eq!(
        read[2].rows,
        [
            json!({"id": 3, "note": "none"}),
            json!({"id": 4, "note": "none"})
        ]
    );
    assert_eq!(harness.committed.get(&tp(0)), Some(&5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn a_reported_record_does_not_change_the_schema_of_later_records() {
    // v2 changes `key` to a float, which the field partitioner cannot encode. Tolerated, the v2
    // record is reported; the v1 records around it must be written as they are, into one file.
    let schema = |version: i32, key: Schema| {
        SchemaBuilder::struct_()
            .name("Keyed")
            .version(version)
            .field("id", Schema::int64())
            .field("key", key)
            .build()
            .unwrap()
    };
    let (v1, v2) = (schema(1, Schema::int32()), schema(2, Schema::float64()));
    let mut harness = harness(&[
        ("schema.compatibility", "BACKWARD"),
        ("partitioner.class", "FieldPartitioner"),
        ("partition.field.name", "key"),
        ("flush.size", "3"),
        ("errors.tolerance", "all"),
    ]);
    for offset in 0..6i64 {
        let value = if offset == 2 {
            Struct::new(v2.clone())
                .unwrap()
                .with("id", offset)
                .unwrap()
                .with("key", 1.5f64)
                .unwrap()
        } else {
            Struct::new(v1.clone())
                .unwrap()
                .with("id", offset)
                .unwrap()
                .with("key", 1i32)
                .unwrap()
        };
        harness.add(
            TOPIC,
            0,
            Some(value.schema().clone()),
            Value::Struct(value),
            None,
        );
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    assert_eq!(
        reported(&running)
            .iter()
            .map(|(o, _)| *o)
            .collect::<Vec<_>>(),
        [2]
    );
    assert_committed(
        &harness,
        &[(
            committed_in("key=1", 0, 0, 3, ".json"),
            vec![
                json!({"id": 0, "key": 1}),
                json!({"id": 1, "key": 1}),
                json!({"id": 3, "key": 1}),
            ],
        )],
    );
    // Offsets 4 and 5 stay open.
    assert_eq!(harness.committed.get(&tp(0)), Some(&4));
}
