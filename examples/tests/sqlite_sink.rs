//! The `sqlite_sink` example, run as a user runs it: a normal run, a run on a file of one's own,
//! a run killed with SIGKILL while it writes and started again, and a run on a broker. Each
//! time the database is opened here and checked independently of the example's own check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use connect_runtime::offsets::{FileOffsetStore, OffsetStore};
use connect_testkit::require_broker;
use rusqlite::{Connection, OpenFlags};
use support::Run;

/// Starts the example with `args`, its output in `<name>.out` and `<name>.err` in `dir`.
fn start(dir: &Path, name: &str, args: &[&str]) -> Run {
    Run::start("sqlite_sink", dir, name, args)
}

/// Runs the example to its end and returns its standard output; fails the test when it does not
/// exit 0 within a minute.
async fn run_to_end(dir: &Path, name: &str, args: &[&str]) -> String {
    start(dir, name, args)
        .success(Duration::from_secs(60))
        .await
}

/// The rows of the table, read here: line → (partition, offset) of each copy.
struct Table {
    lines: HashMap<String, Vec<(String, i64, i64)>>,
    /// The stored next offset of each partition.
    offsets: BTreeMap<(String, i64), i64>,
    rows: usize,
}

fn read_table(database: &Path) -> Table {
    let connection = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("opening the example's database");
    let mut lines: HashMap<String, Vec<(String, i64, i64)>> = HashMap::new();
    let mut rows = 0;
    let mut select = connection
        .prepare("SELECT kafka_topic, kafka_partition, kafka_offset, line FROM lines")
        .unwrap();
    let mut cursor = select.query([]).unwrap();
    while let Some(row) = cursor.next().unwrap() {
        let line: Option<String> = row.get(3).unwrap();
        lines.entry(line.expect("a line")).or_default().push((
            row.get(0).unwrap(),
            row.get(1).unwrap(),
            row.get(2).unwrap(),
        ));
        rows += 1;
    }
    let mut offsets = BTreeMap::new();
    let mut select = connection
        .prepare("SELECT kafka_topic, kafka_partition, next_offset FROM kafka_offsets")
        .unwrap();
    let mut cursor = select.query([]).unwrap();
    while let Some(row) = cursor.next().unwrap() {
        offsets.insert(
            (row.get(0).unwrap(), row.get(1).unwrap()),
            row.get(2).unwrap(),
        );
    }
    Table {
        lines,
        offsets,
        rows,
    }
}

/// The number of rows so far; 0 while the table does not exist.
fn count_rows(database: &Path) -> usize {
    Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM lines", [], |row| row.get::<_, i64>(0)))
        .map_or(0, |n| usize::try_from(n).unwrap())
}

/// Every one of `expected` is in the table once, nothing else is, and each partition's offsets
/// run from 0 to just before its stored offset without a gap.
fn assert_exactly_once(table: &Table, expected: &[&str]) {
    assert_eq!(table.rows, expected.len(), "rows in the table");
    for line in expected {
        let copies = table.lines.get(*line).map_or(0, Vec::len);
        assert_eq!(
            copies,
            1,
            "{line:?} is in the table {copies} times: {:?}",
            table.lines.get(*line)
        );
    }
    let mut per_partition: BTreeMap<(String, i64), Vec<i64>> = BTreeMap::new();
    for (topic, partition, offset) in table.lines.values().flatten() {
        per_partition
            .entry((topic.clone(), *partition))
            .or_default()
            .push(*offset);
    }
    assert_eq!(
        per_partition.keys().collect::<Vec<_>>(),
        table.offsets.keys().collect::<Vec<_>>(),
        "a stored offset for every partition with rows"
    );
    for (partition, mut offsets) in per_partition {
        offsets.sort_unstable();
        let next = table.offsets[&partition];
        assert_eq!(
            offsets,
            (0..next).collect::<Vec<_>>(),
            "{partition:?}: offsets 0..{next}"
        );
    }
}

fn input_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("input.txt")).expect("the generated input")
}

#[tokio::test]
async fn copies_every_line_into_sqlite_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let stdout = run_to_end(
        dir.path(),
        "run",
        &["--dir", state.to_str().unwrap(), "--lines", "20000"],
    )
    .await;
    assert!(stdout.contains("OK: 20000 lines"), "{stdout}");

    let input = input_of(&state);
    let expected: Vec<&str> = input.lines().collect();
    assert_eq!(expected.len(), 20_000);
    let table = read_table(&state.join("lines.db"));
    assert_exactly_once(&table, &expected);
    assert_eq!(table.offsets.len(), 2, "two partitions by default");

    // Run again on the same directory: nothing new to copy, nothing copied twice.
    let stdout = run_to_end(
        dir.path(),
        "again",
        &["--dir", state.to_str().unwrap(), "--lines", "20000"],
    )
    .await;
    assert!(stdout.contains("OK: 20000 lines"), "{stdout}");
    assert_exactly_once(&read_table(&state.join("lines.db")), &expected);
}

#[tokio::test]
async fn copies_a_file_of_ones_own_with_repeated_empty_and_unfinished_lines() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let input = dir.path().join("notes.txt");
    // Line ends as FileStreamSource knows them; "last" has none yet, so it is not sent.
    std::fs::write(&input, "same\r\nsame\n\nold mac\rsame\nlast").unwrap();
    let stdout = run_to_end(
        dir.path(),
        "run",
        &[
            "--dir",
            state.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--partitions",
            "1",
        ],
    )
    .await;
    assert!(stdout.contains("OK: 5 lines"), "{stdout}");
    let table = read_table(&state.join("lines.db"));
    assert_eq!(table.rows, 5);
    assert_eq!(table.lines["same"].len(), 3);
    assert_eq!(table.lines[""].len(), 1);
    assert_eq!(table.lines["old mac"].len(), 1);
    assert!(!table.lines.contains_key("last"));
    assert_eq!(table.offsets.values().collect::<Vec<_>>(), [&5]);
}

#[tokio::test]
async fn the_database_not_the_consumer_group_decides_where_the_sink_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let args = ["--dir", state.to_str().unwrap(), "--lines", "20000"];
    let stdout = run_to_end(dir.path(), "first", &args).await;
    assert!(stdout.contains("OK: 20000 lines"), "{stdout}");

    // The consumer group now stands at the end of the topic. Without the database, the sink
    // rewinds to the beginning and writes every record again, each once.
    for file in ["lines.db", "lines.db-wal", "lines.db-shm"] {
        let _ = std::fs::remove_file(state.join(file));
    }
    let stdout = run_to_end(dir.path(), "second", &args).await;
    assert!(stdout.contains("OK: 20000 lines"), "{stdout}");
    let input = input_of(&state);
    assert_exactly_once(
        &read_table(&state.join("lines.db")),
        &input.lines().collect::<Vec<_>>(),
    );
}

/// The source's stored position in its file, from the offset file the example's worker keeps.
async fn source_position(state: &Path) -> Option<u64> {
    let store = FileOffsetStore::open(state.join("connect.offsets"))
        .await
        .ok()?;
    let offsets = store.connector_offsets("file-source").await.ok()?;
    offsets
        .iter()
        .find_map(|(_, offset)| offset.get("position")?.as_u64())
}

#[tokio::test]
async fn killed_while_writing_and_started_again_it_still_holds_each_line_once() {
    const LINES: usize = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let lines = LINES.to_string();
    let args = ["--dir", state.to_str().unwrap(), "--lines", &lines];
    let database = state.join("lines.db");
    let started = Instant::now();
    // Transactions of 20 records: the sink writes a few times more slowly than the source reads,
    // which leaves a wide window to kill it in once the source is done (below).
    let mut first = start(
        dir.path(),
        "first",
        &[&args[..], &["--batch-size", "20"]].concat(),
    );

    // Kill it once rows are being written and the source has stored its position at the end of
    // the input. FileStreamSource delivers at least once: killed before it stores its
    // position, it would send the last lines into the topic again after the restart, as new
    // records at new offsets, and the table would rightly hold them twice. Waiting for the
    // position leaves the sink as the only thing under test.
    let deadline = Instant::now() + Duration::from_secs(40);
    let at_kill = loop {
        if let Some(status) = first.exited() {
            panic!(
                "the first run exited with {status} before it was killed\n{}",
                first.output()
            );
        }
        let input_len = std::fs::metadata(state.join("input.txt"))
            .map(|m| m.len())
            .ok();
        let source_done = input_len.is_some() && source_position(&state).await == input_len;
        let rows = count_rows(&database);
        assert!(
            rows < LINES,
            "every row was written before the source stored its final position: the sink was \
             not slower than the source, so there was no moment to kill it in\n{}",
            first.output()
        );
        if source_done && rows > 0 {
            first.kill9();
            break count_rows(&database);
        }
        assert!(
            Instant::now() < deadline,
            "not both rows and the source's final position within 40 s ({rows} rows, source \
             done: {source_done})\n{}",
            first.output()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(at_kill > 0 && at_kill < LINES, "{at_kill} rows at the kill");
    let killed_after = started.elapsed();

    let restarted = Instant::now();
    let stdout = run_to_end(dir.path(), "second", &args).await;
    let second_run = restarted.elapsed();
    assert!(stdout.contains(&format!("OK: {LINES} lines")), "{stdout}");

    let input = input_of(&state);
    let expected: Vec<&str> = input.lines().collect();
    assert_eq!(expected.len(), LINES);
    assert_exactly_once(&read_table(&database), &expected);
    eprintln!(
        "killed at {at_kill} of {LINES} rows after {killed_after:?}; the second run took {second_run:?}"
    );
}

#[tokio::test]
async fn copies_through_a_kafka_broker() {
    let broker = require_broker!();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let bootstrap = broker.bootstrap();
    let stdout = run_to_end(
        dir.path(),
        "run",
        &[
            "--dir",
            state.to_str().unwrap(),
            "--lines",
            "5000",
            "--bootstrap-servers",
            &bootstrap,
            "--topic",
            "sqlite-lines",
        ],
    )
    .await;
    assert!(stdout.contains("OK: 5000 lines"), "{stdout}");
    assert!(
        !state.join("log").exists(),
        "on a broker the embedded log is not used"
    );
    let input = input_of(&state);
    let expected: Vec<&str> = input.lines().collect();
    let table = read_table(&state.join("lines.db"));
    assert_exactly_once(&table, &expected);
    assert!(
        table
            .offsets
            .keys()
            .all(|(topic, _)| topic == "sqlite-lines")
    );
}
