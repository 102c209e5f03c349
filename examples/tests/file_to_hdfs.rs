//! The `file_to_hdfs` example, run as a user runs it, on the embedded log and on a broker. The
//! committed files are then read with pyarrow, a reader that shares no code with the sink, and
//! checked against the input and their names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use connect_testkit::file_readers::{self, files_below};
use connect_testkit::require_broker;
use support::Run;

/// Runs the example to its end (at most `timeout`) and returns its standard output; fails the
/// test when it does not exit 0.
async fn run_example(dir: &Path, name: &str, args: &[&str], timeout: Duration) -> String {
    Run::start("file_to_hdfs", dir, name, args)
        .success(timeout)
        .await
}

/// A committed file: partition and offsets from its name.
#[derive(Debug)]
struct Committed {
    path: PathBuf,
    partition: i64,
    start: i64,
    end: i64,
}

/// Every file under `topics/<topic>`, which must all be committed files in Confluent's layout:
/// `partition=<p>/<topic>+<p>+<start>+<end>.parquet`, offsets padded to 10 digits.
fn committed_files(hdfs: &Path, topic: &str) -> Vec<Committed> {
    let topic_dir = hdfs.join("topics").join(topic);
    let mut files = Vec::new();
    for partition_dir in std::fs::read_dir(&topic_dir).unwrap() {
        let partition_dir = partition_dir.unwrap().path();
        let dir_name = partition_dir.file_name().unwrap().to_str().unwrap();
        let partition: i64 = dir_name
            .strip_prefix("partition=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{} is not partition=<p>", partition_dir.display()));
        for file in std::fs::read_dir(&partition_dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let fields: Vec<&str> = name
                .strip_suffix(".parquet")
                .unwrap_or_else(|| panic!("{name} is not a .parquet file"))
                .split('+')
                .collect();
            assert_eq!(fields.len(), 4, "{name}: <topic>+<p>+<start>+<end>");
            assert_eq!(fields[0], topic, "{name}");
            assert_eq!(fields[1], partition.to_string(), "{name}");
            assert!(
                fields[2].len() == 10 && fields[3].len() == 10,
                "{name}: offsets padded to 10 digits"
            );
            files.push(Committed {
                partition,
                start: fields[2].parse().unwrap(),
                end: fields[3].parse().unwrap(),
                path,
            });
        }
    }
    files.sort_by_key(|f| (f.partition, f.start));
    files
}

/// Reads the committed files with pyarrow and checks them: each partition's files cover its
/// offsets from 0 without gap or overlap; each file holds one row per offset of its name, with
/// the fields the transforms add; every input line is in exactly one row. Returns the files.
async fn assert_files_hold_each_line_once(hdfs: &Path, topic: &str, input: &str) -> Vec<Committed> {
    let files = committed_files(hdfs, topic);
    assert!(
        !files.is_empty(),
        "no committed file under {}",
        hdfs.display()
    );
    let mut next: BTreeMap<i64, i64> = BTreeMap::new();
    for file in &files {
        let expected_start = next.get(&file.partition).copied().unwrap_or(0);
        assert_eq!(
            file.start,
            expected_start,
            "{} must start where the partition's previous file ended",
            file.path.display()
        );
        assert!(file.end >= file.start, "{}", file.path.display());
        next.insert(file.partition, file.end + 1);
    }
    assert!(
        files_below(&hdfs.join("topics").join("+tmp")).is_empty(),
        "{:?}",
        files_below(&hdfs.join("topics").join("+tmp"))
    );

    let paths: Vec<&PathBuf> = files.iter().map(|f| &f.path).collect();
    let read = file_readers::read_parquet(&paths)
        .await
        .expect("pyarrow reads every committed file");
    assert_eq!(read.len(), files.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (file, committed) in read.iter().zip(&files) {
        let names: Vec<&str> = file
            .schema
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["line", "kafka_partition", "kafka_offset", "source", "words"],
            "{}",
            file.path
        );
        assert_eq!(
            file.rows.len() as i64,
            committed.end - committed.start + 1,
            "{}: one row per offset of its name",
            file.path
        );
        for (row, offset) in file.rows.iter().zip(committed.start..) {
            assert_eq!(row["kafka_offset"], offset, "{}", file.path);
            assert_eq!(row["kafka_partition"], committed.partition, "{}", file.path);
            assert_eq!(row["source"], "input.txt");
            let line = row["line"].as_str().unwrap();
            assert_eq!(
                row["words"],
                line.split_whitespace().count(),
                "{}: {line:?}",
                file.path
            );
            *seen.entry(line.to_owned()).or_default() += 1;
        }
    }
    let lines: Vec<&str> = input.lines().collect();
    assert_eq!(
        seen.values().sum::<usize>(),
        lines.len(),
        "rows in all files"
    );
    for line in lines {
        assert_eq!(
            seen.get(line),
            Some(&1),
            "{line:?} must be in exactly one row"
        );
    }
    files
}

#[tokio::test]
async fn writes_every_line_once_into_parquet_in_confluents_layout() {
    const LINES: usize = 12_345;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let args = [
        "--dir",
        state.to_str().unwrap(),
        "--lines",
        "12345",
        "--flush-size",
        "1000",
    ];
    let stdout = run_example(dir.path(), "run", &args, Duration::from_secs(60)).await;
    assert!(stdout.contains(&format!("OK: {LINES} lines")), "{stdout}");

    let hdfs = state.join("hdfs");
    let input = std::fs::read_to_string(state.join("input.txt")).unwrap();
    assert_eq!(input.lines().count(), LINES);
    let files = assert_files_hold_each_line_once(&hdfs, "lines", &input).await;
    // Two partitions; full files of flush.size records, and the rest of each partition
    // committed on the schedule.
    let partitions: Vec<i64> = files.iter().map(|f| f.partition).collect();
    assert!(
        partitions.contains(&0) && partitions.contains(&1),
        "{files:?}"
    );
    let sizes: Vec<i64> = files.iter().map(|f| f.end - f.start + 1).collect();
    assert!(sizes.iter().all(|&size| size <= 1000), "{sizes:?}");
    assert!(
        sizes.iter().filter(|&&size| size == 1000).count() >= 10,
        "{sizes:?}"
    );
    // The example lists what it committed.
    for file in &files {
        let relative = file.path.strip_prefix(&hdfs).unwrap();
        assert!(
            stdout.contains(&relative.display().to_string()),
            "{} not listed:\n{stdout}",
            relative.display()
        );
    }

    // Run again on the same directory: nothing new to write, nothing written twice.
    let stdout = run_example(dir.path(), "again", &args, Duration::from_secs(60)).await;
    assert!(stdout.contains(&format!("OK: {LINES} lines")), "{stdout}");
    let again = assert_files_hold_each_line_once(&hdfs, "lines", &input).await;
    assert_eq!(again.len(), files.len());
}

#[tokio::test]
async fn writes_through_a_kafka_broker() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let args = [
        "--dir",
        state.to_str().unwrap(),
        "--lines",
        "3000",
        "--flush-size",
        "500",
        "--bootstrap-servers",
        &bootstrap,
        "--topic",
        "hdfs-lines",
    ];
    let stdout = run_example(dir.path(), "run", &args, Duration::from_secs(60)).await;
    assert!(stdout.contains("OK: 3000 lines"), "{stdout}");
    assert!(
        !state.join("log").exists(),
        "on a broker the embedded log is not used"
    );
    let input = std::fs::read_to_string(state.join("input.txt")).unwrap();
    assert_files_hold_each_line_once(&state.join("hdfs"), "hdfs-lines", &input).await;
}
