//! A sink connector of your own, writing to SQLite exactly once.
//!
//! A FileStreamSource reads an input file into the topic `lines`; `SqliteSinkConnector`, defined
//! below, writes every record as a row `(kafka_topic, kafka_partition, kafka_offset, line)`.
//! Exactly once comes from keeping the consumer's position in the database itself:
//!
//! * each `put` writes its rows *and* the next offset of each topic-partition in one SQLite
//!   transaction, so the two can never disagree, whenever the process dies;
//! * `open` reads those offsets and rewinds the consumer to them through the
//!   `SinkTaskContext`: the database, not the consumer group, decides where reading resumes;
//! * `pre_commit` reports to the consumer group only what the database holds, so that
//!   `kafka-consumer-groups --describe` shows the true lag.
//!
//! The program runs until every input line is in the table, checks that the table holds each
//! line exactly once (none missing, none twice), prints a one-line summary and exits 0; it exits
//! non-zero with a message saying what is wrong when the check fails.
//!
//! ```text
//! cargo run -p connect-examples --example sqlite_sink                       # 10,000 lines
//! cargo run -p connect-examples --example sqlite_sink -- --lines 200000 --dir /tmp/sqlite-demo
//! cargo run -p connect-examples --example sqlite_sink -- --input notes.txt
//! cargo run -p connect-examples --example sqlite_sink -- --bootstrap-servers localhost:9092
//! ```
//!
//! Without `--bootstrap-servers` the records go through the embedded log in `--dir` (a new
//! temporary directory by default, printed at start). Kill the program with `kill -9` while it
//! writes and start it again with the same `--dir`: the sink carries on where the database says
//! and writes no record twice. (The file source delivers at least once: killed before it stored
//! its position in the file, it sends the last lines into the topic again, as new records, and
//! the check reports those lines as doubled. Its position is stored every half second.) On a
//! broker, give each new `--dir` a new `--topic`: the check expects the topic to
//! hold this input only. `--help` lists the other options (`--partitions`, `--batch-size`,
//! `--topic`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use async_trait::async_trait;
use clap::Parser;
use connect_api::config::{ConfigDef, ConfigMap, ConnectConfig, NonEmptyString};
use connect_api::connector::{Connector, SinkConnector, SinkConnectorContext};
use connect_api::data::Value;
use connect_api::error::{ConnectError, Result as ConnectResult};
use connect_api::record::{OffsetAndMetadata, SinkRecord, TopicPartition};
use connect_api::task::{SinkTask, SinkTaskContext};
use connect_examples::{
    FileSource, absolute_state_dir, ensure_not_failed, init_tracing, interrupted, path_str, props,
    start_with_file_source, write_generated_input,
};
use connect_runtime::Runtime;
use connect_runtime::plugins::Plugins;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

// ---------------------------------------------------------------------------------------------
// The connector: configuration, connector and task. This is all a connector author writes.
// ---------------------------------------------------------------------------------------------

/// The connector's own keys; the runtime adds `topics`, `tasks.max` and the rest.
#[derive(Debug, Clone, ConnectConfig)]
struct SqliteSinkConfig {
    /// `sqlite.path`: the database file, created if missing.
    #[config(
        name = "sqlite.path",
        importance = "high",
        validator = NonEmptyString,
        doc = "The SQLite database file to write to; created if it does not exist."
    )]
    path: String,
}

/// Writes string records into the table `lines` of a SQLite database, exactly once.
#[derive(Default)]
struct SqliteSinkConnector {
    props: ConfigMap,
}

impl SqliteSinkConnector {
    /// The class name configurations use; `SqliteSink` resolves too (the simple name without
    /// `Connector`), as Kafka Connect resolves its aliases.
    const CLASS: &'static str = "org.example.sqlite.SqliteSinkConnector";
}

#[async_trait]
impl Connector for SqliteSinkConnector {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }

    /// Creates the database and its tables once, before any task runs: SQLite does not wait
    /// (busy_timeout) when several connections switch a new file to WAL at the same moment.
    async fn start(&mut self, props: &ConfigMap) -> ConnectResult<()> {
        let config = SqliteSinkConfig::from_props(props)?;
        tokio::task::spawn_blocking(move || open_database(&config.path).map(drop))
            .await
            .map_err(|e| {
                ConnectError::other(format!("creating the SQLite database panicked: {e}"))
            })?
            .map_err(sqlite_error)?;
        self.props = props.clone();
        Ok(())
    }

    /// Every task gets the same configuration: the runtime deals the partitions out, and SQLite
    /// serialises the tasks' transactions.
    fn task_configs(&self, max_tasks: usize) -> ConnectResult<Vec<ConfigMap>> {
        Ok(vec![self.props.clone(); max_tasks.max(1)])
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        SqliteSinkConfig::config_def()
    }
}

impl SinkConnector for SqliteSinkConnector {
    fn initialize(&mut self, _context: Arc<dyn SinkConnectorContext>) {}

    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(SqliteSinkTask::default())
    }
}

/// One row of the table, owned, so that it can move to a blocking thread.
struct Row {
    partition: TopicPartition,
    offset: i64,
    line: Option<String>,
}

/// The task.
///
/// SQLite is a blocking library: each call runs to its end on the calling thread, and a commit
/// waits for the disk (`fsync`). On one of tokio's async worker threads, that wait would hold up
/// every other future scheduled there: the file source, the log's I/O, the runtime's timers.
/// So every database call goes to tokio's blocking pool through [`SqliteSinkTask::blocking`];
/// the connection sits behind a mutex that one blocking thread at a time takes.
#[derive(Default)]
struct SqliteSinkTask {
    context: Option<Arc<dyn SinkTaskContext>>,
    db: Option<Arc<Mutex<Connection>>>,
    /// The next offset of each assigned partition that the database holds, as of the last
    /// committed transaction: what `pre_commit` may report.
    durable: HashMap<TopicPartition, i64>,
}

impl SqliteSinkTask {
    /// Runs `work` on the connection in tokio's blocking pool.
    ///
    /// If the calling future is dropped (the runtime abandons a task that does not stop within
    /// `task.shutdown.graceful.timeout.ms`), the closure still runs to its end: a transaction is committed or rolled back as a
    /// whole, never left half done, so `put` stays cancel-safe.
    async fn blocking<T, F>(&self, work: F) -> ConnectResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let db = self
            .db
            .clone()
            .ok_or_else(|| ConnectError::other("the SQLite sink task has not been started"))?;
        let joined = tokio::task::spawn_blocking(move || {
            let mut connection = db.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await;
        match joined {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(sqlite_error(error)),
            Err(join) => Err(ConnectError::other(format!(
                "a SQLite call panicked or was cancelled: {join}"
            ))),
        }
    }
}

/// SQLite's "busy" and "locked" errors pass once the other writer is done: retriable, so the
/// runtime hands the same batch over again. Anything else fails the task.
fn sqlite_error(error: rusqlite::Error) -> ConnectError {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    match error.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked) => {
            ConnectError::retriable_from(format!("SQLite is busy: {error}"), error)
        }
        _ => ConnectError::other_from(format!("SQLite failed: {error}"), error),
    }
}

#[async_trait]
impl SinkTask for SqliteSinkTask {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }

    fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
        self.context = Some(context);
    }

    async fn start(&mut self, props: &ConfigMap) -> ConnectResult<()> {
        let config = SqliteSinkConfig::from_props(props)?;
        let connection = tokio::task::spawn_blocking(move || open_database(&config.path))
            .await
            .map_err(|e| ConnectError::other(format!("opening SQLite panicked: {e}")))?
            .map_err(sqlite_error)?;
        self.db = Some(Arc::new(Mutex::new(connection)));
        Ok(())
    }

    /// Sends the consumer of each new partition to the offset the database holds. With no row
    /// for a partition the table holds none of its records, so reading starts at its beginning
    /// (an offset before the log start resets to the earliest one), whatever the consumer group
    /// says.
    async fn open(&mut self, partitions: &[TopicPartition]) -> ConnectResult<()> {
        let wanted = partitions.to_vec();
        let stored = self
            .blocking(move |connection| stored_offsets(connection, &wanted))
            .await?;
        let mut rewind = HashMap::new();
        for partition in partitions {
            let next = stored.get(partition).copied().unwrap_or(0);
            self.durable.insert(partition.clone(), next);
            rewind.insert(partition.clone(), next);
        }
        if let Some(context) = &self.context {
            context.offsets(rewind);
        }
        Ok(())
    }

    async fn put(&mut self, records: &[SinkRecord]) -> ConnectResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        let rows = records
            .iter()
            .map(|record| {
                let line = match &record.value {
                    Value::String(line) => Some(line.clone()),
                    Value::Null => None,
                    other => {
                        return Err(ConnectError::other(format!(
                            "the SQLite sink writes strings, not {} (record at {} offset {})",
                            other.kind(),
                            record.original_topic_partition(),
                            record.original_kafka_offset()
                        )));
                    }
                };
                // The coordinates the record was read at, whatever a transform made of its
                // topic: those are what the consumer's position is made of.
                Ok(Row {
                    partition: record.original_topic_partition(),
                    offset: record.original_kafka_offset(),
                    line,
                })
            })
            .collect::<ConnectResult<Vec<Row>>>()?;
        match self
            .blocking(move |connection| write_rows(connection, &rows))
            .await
        {
            Ok(written) => {
                // Committed: the database now holds everything up to these offsets.
                self.durable.extend(written);
                Ok(())
            }
            Err(error) => {
                // Nothing of the batch was written. A retriable error has the runtime hand the
                // same batch over again; the timeout spaces the attempts out.
                if error.is_retriable()
                    && let Some(context) = &self.context
                {
                    context.timeout(Duration::from_secs(1));
                }
                Err(error)
            }
        }
    }

    /// Every `put` is already durable, so there is nothing to flush: report what the database
    /// holds, for the partitions the runtime asks about.
    async fn pre_commit(
        &mut self,
        current_offsets: HashMap<TopicPartition, OffsetAndMetadata>,
    ) -> ConnectResult<HashMap<TopicPartition, OffsetAndMetadata>> {
        Ok(current_offsets
            .into_keys()
            .filter_map(|partition| {
                let next = *self.durable.get(&partition)?;
                Some((partition, OffsetAndMetadata::new(next)))
            })
            .collect())
    }

    async fn close(&mut self, partitions: &[TopicPartition]) -> ConnectResult<()> {
        for partition in partitions {
            self.durable.remove(partition);
        }
        Ok(())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        // The last reference closes the connection; closing checkpoints the WAL, so it happens
        // on a blocking thread too.
        if let Some(db) = self.db.take() {
            let _ = tokio::task::spawn_blocking(move || drop(db)).await;
        }
        Ok(())
    }
}

/// Opens the database and creates the two tables. `lines` holds the records; `kafka_offsets`
/// holds, per topic-partition, the offset of the next record to write.
fn open_database(path: &str) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    // Several tasks share the file: a writer waits for the other instead of failing at once.
    connection.busy_timeout(Duration::from_secs(10))?;
    // WAL lets readers (the check below, `sqlite3` in a terminal) read while a task writes.
    let _mode: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    // FULL makes each commit durable before `put` returns, which is what `pre_commit` reports.
    // (NORMAL could lose the last commits in a power cut, rows and offsets together: still
    // exactly once, since the database decides where reading resumes, only more to redo.)
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS lines (
             kafka_topic TEXT NOT NULL,
             kafka_partition INTEGER NOT NULL,
             kafka_offset INTEGER NOT NULL,
             line TEXT,
             PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS kafka_offsets (
             kafka_topic TEXT NOT NULL,
             kafka_partition INTEGER NOT NULL,
             next_offset INTEGER NOT NULL,
             PRIMARY KEY (kafka_topic, kafka_partition)
         ) WITHOUT ROWID;",
    )?;
    Ok(connection)
}

/// The stored next offsets of `partitions` (absent: nothing of that partition was written).
fn stored_offsets(
    connection: &Connection,
    partitions: &[TopicPartition],
) -> rusqlite::Result<HashMap<TopicPartition, i64>> {
    let mut query = connection.prepare_cached(
        "SELECT next_offset FROM kafka_offsets WHERE kafka_topic = ?1 AND kafka_partition = ?2",
    )?;
    let mut found = HashMap::new();
    for partition in partitions {
        let next: Option<i64> = query
            .query_row(params![&*partition.topic, partition.partition], |row| {
                row.get(0)
            })
            .optional()?;
        if let Some(next) = next {
            found.insert(partition.clone(), next);
        }
    }
    Ok(found)
}

/// Writes `rows` and the new next offsets in one transaction; returns those offsets.
///
/// A plain `INSERT`: were a record handed over twice (a bug in the rewind, say), the primary key
/// would refuse it and fail the task, rather than let a duplicate row in.
fn write_rows(
    connection: &mut Connection,
    rows: &[Row],
) -> rusqlite::Result<HashMap<TopicPartition, i64>> {
    // IMMEDIATE takes the write lock at BEGIN, where the busy timeout applies. A deferred
    // transaction starts as a reader, and its upgrade to writer can fail at once with
    // SQLITE_BUSY when another task has committed meanwhile.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut next: HashMap<TopicPartition, i64> = HashMap::new();
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO lines (kafka_topic, kafka_partition, kafka_offset, line)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for row in rows {
            insert.execute(params![
                &*row.partition.topic,
                row.partition.partition,
                row.offset,
                row.line
            ])?;
            next.insert(row.partition.clone(), row.offset + 1);
        }
        let mut save = transaction.prepare_cached(
            "INSERT INTO kafka_offsets (kafka_topic, kafka_partition, next_offset)
             VALUES (?1, ?2, ?3)
             ON CONFLICT (kafka_topic, kafka_partition)
             DO UPDATE SET next_offset = excluded.next_offset",
        )?;
        for (partition, offset) in &next {
            save.execute(params![&*partition.topic, partition.partition, offset])?;
        }
    }
    transaction.commit()?;
    Ok(next)
}

// ---------------------------------------------------------------------------------------------
// The program: a worker with the file source and the SQLite sink, and the check of the result.
// ---------------------------------------------------------------------------------------------

/// Copies the lines of a file into SQLite through a topic, exactly once, and checks the table.
#[derive(Debug, Parser)]
struct Args {
    /// Directory for the database (`lines.db`), the source offsets and the embedded log; a new
    /// temporary directory when absent.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The file of lines to copy; by default `--lines` lines are generated into DIR/input.txt.
    #[arg(long)]
    input: Option<PathBuf>,
    /// How many lines to generate when no `--input` is given.
    #[arg(long, default_value_t = 10_000)]
    lines: usize,
    /// Kafka brokers (`host:port,...`); without them the embedded log in DIR is used.
    #[arg(long)]
    bootstrap_servers: Option<String>,
    /// The topic between the source and the sink.
    #[arg(long, default_value = "lines")]
    topic: String,
    /// Partitions of the topic when the source creates it; the sink runs one task per partition.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    partitions: u16,
    /// The most records one `put`, hence one SQLite transaction, takes (the sink's
    /// `consumer.override.max.poll.records`). Smaller transactions commit more often and write
    /// more slowly.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    batch_size: u32,
}

/// How long the table may stay unchanged before the program gives up.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
const SOURCE: &str = "file-source";
const SINK: &str = "sqlite-sink";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let args = Args::parse();
    let dir = absolute_state_dir(args.dir.clone(), "sqlite-sink")?;
    let input = match &args.input {
        Some(input) => input
            .canonicalize()
            .with_context(|| format!("reading {}", input.display()))?,
        None => generate_input(&dir.join("input.txt"), args.lines)?,
    };
    let expected = input_lines(&input)?;
    let database = dir.join("lines.db");
    println!(
        "copying {} lines of {} into {} (state in {})",
        expected.len(),
        input.display(),
        database.display(),
        dir.display()
    );

    let runtime = start_pipeline(&args, &dir, &input, &database).await?;
    let waited = tokio::select! {
        waited = wait_for_rows(&runtime, &database, expected.len()) => waited,
        interrupted = interrupted(&dir) => interrupted,
    };
    // Stops the tasks: the sink's last pre_commit goes to the consumer group, the source stores
    // its position in the file.
    runtime.shutdown().await;
    waited?;

    let checked = {
        let database = database.clone();
        tokio::task::spawn_blocking(move || check_table(&database, &expected)).await??
    };
    println!(
        "OK: {} lines in {}, each exactly once; offsets stored with them: {}",
        checked.rows,
        database.display(),
        checked
            .offsets
            .iter()
            .map(|(partition, next)| format!("{partition}={next}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// A worker on the embedded log (or Kafka), with the SQLite sink registered beside the
/// built-in plugins, running the file source and the sink.
async fn start_pipeline(
    args: &Args,
    dir: &Path,
    input: &Path,
    database: &Path,
) -> anyhow::Result<Runtime> {
    let plugins = Plugins::builtin().with_sink_connector(SqliteSinkConnector::CLASS, || {
        Box::new(SqliteSinkConnector::default())
    });
    let source = FileSource {
        name: SOURCE,
        input,
        topic: &args.topic,
        partitions: args.partitions,
    };
    let runtime = start_with_file_source(
        dir,
        args.bootstrap_servers.as_deref(),
        "org.apache.kafka.connect.storage.StringConverter",
        plugins,
        source,
    )
    .await?;
    let partitions = args.partitions.to_string();
    let batch_size = args.batch_size.to_string();
    runtime
        .create_connector(
            props(&[
                ("name", SINK),
                ("connector.class", "SqliteSink"),
                ("tasks.max", &partitions),
                ("topics", &args.topic),
                ("sqlite.path", path_str(database)?),
                // A connector may override its consumer's settings, as in Kafka Connect.
                ("consumer.override.max.poll.records", &batch_size),
            ]),
            None,
        )
        .await?;
    Ok(runtime)
}

/// Waits until the table has at least `expected` rows. Fails when a connector or task fails,
/// or when the table stops growing for [`STALL_TIMEOUT`].
async fn wait_for_rows(runtime: &Runtime, database: &Path, expected: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let (mut last_count, mut last_change, mut last_report) = (0, Instant::now(), Instant::now());
    loop {
        ensure_not_failed(runtime, &[SOURCE, SINK]).await?;
        let count = {
            let database = database.to_path_buf();
            tokio::task::spawn_blocking(move || count_rows(&database)).await?
        };
        if count >= expected {
            println!(
                "{count} rows in the table after {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        if count != last_count {
            (last_count, last_change) = (count, Instant::now());
        } else if last_change.elapsed() > STALL_TIMEOUT {
            bail!(
                "no new row for {} s: {count} of {expected} lines in {}; statuses: {:?}, {:?}",
                STALL_TIMEOUT.as_secs(),
                database.display(),
                runtime.connector_status(SOURCE).await?,
                runtime.connector_status(SINK).await?
            );
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            eprintln!("{count} of {expected} rows");
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The rows in the table so far; 0 until the sink has created it.
fn count_rows(database: &Path) -> usize {
    let count = || -> rusqlite::Result<i64> {
        let connection = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        connection.query_row("SELECT count(*) FROM lines", [], |row| row.get(0))
    };
    count().map_or(0, |n| usize::try_from(n).unwrap_or(0))
}

/// What the check found when the table is right.
struct Checked {
    rows: usize,
    /// The stored next offset of each topic-partition.
    offsets: BTreeMap<String, i64>,
}

/// Checks the table against the input: every line exactly as many times as in the input, and
/// each partition's stored offset right after its last row.
fn check_table(database: &Path, expected: &[String]) -> anyhow::Result<Checked> {
    let connection = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", database.display()))?;
    let mut offsets: BTreeMap<(String, i64), i64> = BTreeMap::new();
    let mut stored = connection
        .prepare("SELECT kafka_topic, kafka_partition, next_offset FROM kafka_offsets")?;
    for row in stored.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))? {
        let (partition, next) = row?;
        offsets.insert(partition, next);
    }
    // Per line: where it is in the table.
    let mut found: HashMap<String, Vec<String>> = HashMap::new();
    let mut nulls = Vec::new();
    let mut last: BTreeMap<(String, i64), i64> = BTreeMap::new();
    let mut rows = 0;
    let mut select =
        connection.prepare("SELECT kafka_topic, kafka_partition, kafka_offset, line FROM lines")?;
    let mut cursor = select.query([])?;
    while let Some(row) = cursor.next()? {
        let (topic, partition, offset): (String, i64, i64) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        let line: Option<String> = row.get(3)?;
        let at = format!("{topic}-{partition}@{offset}");
        let max = last.entry((topic, partition)).or_insert(offset);
        *max = (*max).max(offset);
        match line {
            Some(line) => found.entry(line).or_default().push(at),
            None => nulls.push(at),
        }
        rows += 1;
    }

    let mut problems = Vec::new();
    for ((topic, partition), max) in &last {
        match offsets.get(&(topic.clone(), *partition)) {
            Some(next) if *next == max + 1 => {}
            Some(next) => problems.push(format!(
                "{topic}-{partition}: the stored offset is {next} but the last row is at {max}"
            )),
            None => problems.push(format!("{topic}-{partition} has rows but no stored offset")),
        }
    }
    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for line in expected {
        *wanted.entry(line).or_default() += 1;
    }
    let (mut missing, mut twice, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for (line, times) in &wanted {
        let got = found.get(*line).map_or(0, Vec::len);
        if got < *times {
            missing.push(format!("{line:?}"));
        }
    }
    for (line, places) in &found {
        match wanted.get(line.as_str()) {
            None => unknown.push(format!("{line:?} at {}", places.join(", "))),
            Some(times) if places.len() > *times => {
                twice.push(format!("{line:?} at {}", places.join(", ")));
            }
            Some(_) => {}
        }
    }
    let sample = |list: &mut Vec<String>| {
        list.sort();
        let shown = list.iter().take(5).cloned().collect::<Vec<_>>().join("; ");
        format!("{} (e.g. {shown})", list.len())
    };
    if !missing.is_empty() {
        problems.push(format!("lines missing: {}", sample(&mut missing)));
    }
    if !twice.is_empty() {
        problems.push(format!(
            "lines in the table more often than in the input: {}. Each is at a different offset, \
             so the topic itself holds them more than once (the primary key allows no offset \
             twice): FileStreamSource delivers at least once, and killed before it stored its \
             position it sends the last lines again",
            sample(&mut twice)
        ));
    }
    if !nulls.is_empty() {
        problems.push(format!("rows without a line: {}", sample(&mut nulls)));
    }
    if !unknown.is_empty() {
        problems.push(format!(
            "lines that are not in the input: {} (does the topic hold an earlier run's records? \
             use a new --topic)",
            sample(&mut unknown)
        ));
    }
    ensure!(
        problems.is_empty(),
        "the table {} is not an exact copy of the input:\n  - {}",
        database.display(),
        problems.join("\n  - ")
    );
    Ok(Checked {
        rows,
        offsets: offsets
            .into_iter()
            .map(|((topic, partition), next)| (format!("{topic}-{partition}"), next))
            .collect(),
    })
}

/// Writes `count` numbered lines to `path`, or keeps the file if an earlier run wrote the same.
fn generate_input(path: &Path, count: usize) -> anyhow::Result<PathBuf> {
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    let text: String = (0..count)
        .map(|i| format!("line {i:07} {}\n", WORDS[..=i % WORDS.len()].join(" ")))
        .collect();
    write_generated_input(path, &text)
}

/// The lines FileStreamSource sends from `path`: those ended by `\n`, `\r\n` or `\r`. A last line
/// without an end is held back until it is completed, so it is not expected.
fn input_lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (mut lines, mut start, mut at) = (Vec::new(), 0, 0);
    while at < bytes.len() {
        let end = match bytes[at] {
            b'\n' => 1,
            // A final `\r` might start a `\r\n`: the source waits for the next byte.
            b'\r' if at + 1 == bytes.len() => break,
            b'\r' if bytes[at + 1] == b'\n' => 2,
            b'\r' => 1,
            _ => {
                at += 1;
                continue;
            }
        };
        lines.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
        at += end;
        start = at;
    }
    if start < bytes.len() {
        eprintln!(
            "note: the last line of {} has no line end; the source sends it once it is completed",
            path.display()
        );
    }
    Ok(lines)
}
