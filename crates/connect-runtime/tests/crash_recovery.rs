//! kill -9 of `connect-standalone` in the middle of a large file, then a restart: at-least-once
//! delivery, on the embedded log and on the broker; and a broker restart in the middle of a run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use common::{Standalone, line_count, wait_until, write_lines, write_properties};
use connect_testkit::{Storage, require_broker};

const TOTAL: usize = 1_000_000;

/// `line-0000001` for 1.
fn line(i: usize) -> String {
    format!("line-{i:07}")
}

fn files(dir: &Path, bootstrap: Option<&str>, flush_ms: &str) -> [std::path::PathBuf; 4] {
    let input = dir.join("input.txt");
    let output = dir.join("output.txt");
    let offsets = dir.join("connect.offsets");
    let mut worker = vec![
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
        // Any free port: tests run side by side.
        ("listeners", "http://127.0.0.1:0"),
        ("offset.flush.interval.ms", flush_ms),
    ];
    if let Some(bootstrap) = bootstrap {
        worker.push(("bootstrap.servers", bootstrap));
    }
    let worker = write_properties(&dir.join("worker.properties"), &worker);
    let source = write_properties(
        &dir.join("source.properties"),
        &[
            ("name", "source"),
            ("connector.class", "FileStreamSource"),
            ("topic", "lines"),
            ("file", input.to_str().unwrap()),
        ],
    );
    let sink = write_properties(
        &dir.join("sink.properties"),
        &[
            ("name", "sink"),
            ("connector.class", "FileStreamSink"),
            ("topics", "lines"),
            ("file", output.to_str().unwrap()),
        ],
    );
    [worker, source, sink, output]
}

/// How many of the expected lines the output lacks.
fn missing_lines(output: &Path, expected: usize) -> usize {
    let text = std::fs::read_to_string(output).unwrap_or_default();
    let seen: HashSet<&str> = text.lines().collect();
    (0..expected)
        .filter(|i| !seen.contains(line(*i).as_str()))
        .count()
}

/// Every expected line is in the output; returns (lines, duplicates, torn lines).
fn check_complete(output: &Path, expected: usize) -> (usize, usize, usize) {
    let text = std::fs::read_to_string(output).unwrap();
    let mut seen = HashSet::with_capacity(expected);
    let (mut total, mut torn) = (0, 0);
    for line in text.lines() {
        total += 1;
        if line.len() == 12 && line.starts_with("line-") {
            seen.insert(line[5..].parse::<usize>().unwrap());
        } else {
            torn += 1;
        }
    }
    let missing: Vec<usize> = (0..expected)
        .filter(|i| !seen.contains(i))
        .take(10)
        .collect();
    assert!(
        missing.is_empty(),
        "lines missing from the sink (first ones): {missing:?}"
    );
    (total, total - torn - seen.len(), torn)
}

async fn kill_and_restart(bootstrap: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let [worker, source, sink, output] = files(dir.path(), bootstrap.as_deref(), "500");
    write_lines(&dir.path().join("input.txt"), 0..TOTAL, line);
    let first = Standalone::start(
        dir.path(),
        "first",
        &worker,
        &[source.clone(), sink.clone()],
    );
    wait_until(
        "a third of the lines reach the sink",
        Duration::from_secs(180),
        Some(&first),
        || line_count(&output) >= TOTAL / 3,
    )
    .await;
    first.kill9().await;
    let at_kill = line_count(&output);
    let second = Standalone::start(dir.path(), "second", &worker, &[source, sink]);
    // Duplicates count towards the line count: wait for the count first, then for the last
    // unique lines (checked less often, it reads the whole file).
    wait_until(
        "as many lines as the input reach the sink after the restart",
        Duration::from_secs(300),
        Some(&second),
        || line_count(&output) >= TOTAL,
    )
    .await;
    let mut last_check = std::time::Instant::now();
    wait_until(
        "every line reaches the sink after the restart",
        Duration::from_secs(120),
        Some(&second),
        || {
            if last_check.elapsed() < Duration::from_millis(500) {
                return false;
            }
            last_check = std::time::Instant::now();
            missing_lines(&output, TOTAL) == 0
        },
    )
    .await;
    assert!(second.terminate().await.success());
    let (total, duplicates, torn) = check_complete(&output, TOTAL);
    println!(
        "kill -9 at {at_kill} lines; after restart: {total} lines for {TOTAL} unique, {duplicates} duplicates, {torn} torn"
    );
    assert!(torn <= 1, "{torn} torn lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_file_loses_nothing_on_the_embedded_log() {
    kill_and_restart(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_file_loses_nothing_on_the_broker() {
    let broker = require_broker!();
    kill_and_restart(Some(broker.bootstrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_run_is_retried_and_loses_nothing() {
    let mut broker = require_broker!(Storage::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let [worker, source, sink, output] = files(dir.path(), Some(&broker.bootstrap()), "500");
    let input = dir.path().join("input.txt");
    write_lines(&input, 0..1000, line);
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[source, sink]);
    wait_until(
        "the first lines reach the sink",
        Duration::from_secs(120),
        Some(&standalone),
        || line_count(&output) >= 1000,
    )
    .await;
    broker.stop().await;
    write_lines(&input, 1000..2000, line);
    tokio::time::sleep(Duration::from_secs(3)).await;
    broker.restart().await.unwrap();
    write_lines(&input, 2000..3000, line);
    wait_until(
        "every line reaches the sink after the broker restart",
        Duration::from_secs(180),
        Some(&standalone),
        || missing_lines(&output, 3000) == 0,
    )
    .await;
    let log = standalone.log_text();
    assert!(standalone.terminate().await.success(), "log:\n{log}");
    let (total, duplicates, torn) = check_complete(&output, 3000);
    println!("broker restart: {total} lines for 3000 unique, {duplicates} duplicates, {torn} torn");
    assert_eq!(torn, 0);
}
