//! The `sqlite_sink` example, run as a user runs it: a normal run, a run on a file of one's own,
//! a run killed with SIGKILL while it writes and started again, and a run on a broker. Each
//! time the database is opened here and checked independently of the example's own check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use connect_runtime::offsets::{FileOffsetStore, OffsetStore};
use connect_testkit::require_broker;
use rusqlite::{Connection, OpenFlags};
use support::example_binary;

/// The example running as a process, its output going to files; killed if the test fails.
struct Run {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Run {
    fn start(dir: &Path, name: &str, args: &[&str]) -> Self {
        let stdout = dir.join(format!("{name}.out"));
        let stderr = dir.join(format!("{name}.err"));
        let child = Command::new(example_binary("sqlite_sink"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).expect("creating the stdout file"))
            .stderr(File::create(&stderr).expect("creating the stderr file"))
            .spawn()
            .expect("starting the sqlite_sink example");
        Self {
            child,
            stdout,
            stderr,
        }
    }

    fn output(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    /// The exit status, once the process has exited.
    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("checking on the example")
    }

    /// Waits for the process to exit and returns its standard output; fails the test when it
    /// does not exit 0 within `timeout`.
    async fn success(mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exited() {
                assert!(
                    status.success(),
                    "the example exited with {status}\n{}",
                    self.output()
                );
                return std::fs::read_to_string(&self.stdout).unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "the example did not finish within {timeout:?}\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL, as a crash or `kill -9` would.
    fn kill9(&mut self) {
        self.child.kill().expect("killing the example");
        self.child.wait().expect("waiting for the killed example");
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
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
    let run = Run::start(
        dir.path(),
        "run",
        &["--dir", state.to_str().unwrap(), "--lines", "20000"],
    );
    let stdout = run.success(Duration::from_secs(60)).await;
    assert!(stdout.contains("OK: 20000 lines"), "{stdout}");

    let input = input_of(&state);
    let expected: Vec<&str> = input.lines().collect();
    assert_eq!(expected.len(), 20_000);
    let table = read_table(&state.join("lines.db"));
    assert_exactly_once(&table, &expected);
    assert_eq!(table.offsets.len(), 2, "two partitions by default");

    // Run again on the same directory: nothing new to copy, nothing copied twice.
    let again = Run::start(
        dir.path(),
        "again",
        &["--dir", state.to_str().unwrap(), "--lines", "20000"],
    );
    let stdout = again.success(Duration::from_secs(60)).await;
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
    let run = Run::start(
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
    );
    let stdout = run.success(Duration::from_secs(60)).await;
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
    let stdout = Run::start(dir.path(), "first", &args)
        .success(Duration::from_secs(60))
        .await;
    assert!(stdout.contains("OK: 20000 lines"), "{stdout}");

    // The consumer group now stands at the end of the topic. Without the database, the sink
    // rewinds to the beginning and writes every record again, each once.
    for file in ["lines.db", "lines.db-wal", "lines.db-shm"] {
        let _ = std::fs::remove_file(state.join(file));
    }
    let stdout = Run::start(dir.path(), "second", &args)
        .success(Duration::from_secs(60))
        .await;
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
    let mut first = Run::start(
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
    let second = Run::start(dir.path(), "second", &args);
    let stdout = second.success(Duration::from_secs(60)).await;
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
    let run = Run::start(
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
    );
    let stdout = run.success(Duration::from_secs(60)).await;
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
