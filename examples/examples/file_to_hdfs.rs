//! From a file of lines to Parquet files in Confluent's HDFS layout, with transforms on the way,
//! one of them written here.
//!
//! A FileStreamSource reads an input file into the topic `lines`; the bundled HDFS sink
//! (`io.confluent.connect.hdfs.HdfsSinkConnector`) writes the topic as Parquet on the local file
//! system (`hdfs.url=file:///...`; an `hdfs://namenode:8020` URL writes to a cluster the same
//! way). On the way into the sink, three single message transforms turn each line into a row:
//!
//! * `HoistField$Value` wraps the line into a struct `{line}`: the Parquet format takes structs;
//! * `InsertField$Value` adds the record's Kafka partition and offset, and a static field naming
//!   the input file;
//! * `WordCount`, defined below and registered with `Plugins::with_transform`, adds the number
//!   of words of the line: how to write a transform of one's own.
//!
//! `flush.size` makes the sink commit a file every so many records, so several files commit; a
//! schedule commits the last lines of each partition although no record follows them. Once
//! every line is committed, the program stops the pipeline, reads the files back with the
//! `parquet` crate and checks that every line is there exactly once, with the right offsets and
//! word counts, in files named as Confluent's connector names them:
//! `topics/<topic>/partition=<p>/<topic>+<p>+<first offset>+<last offset>.parquet`. It prints
//! a summary and the files, and exits 0; non-zero, saying what is wrong, when a check fails.
//!
//! ```text
//! cargo run -p connect-examples --example file_to_hdfs
//! cargo run -p connect-examples --example file_to_hdfs -- --lines 50000 --dir /tmp/hdfs-demo
//! cargo run -p connect-examples --example file_to_hdfs -- --bootstrap-servers localhost:9092
//! ```
//!
//! Without `--bootstrap-servers` the records go through the embedded log in `--dir` (a new
//! temporary directory by default, printed at start); the files are in `--dir`/hdfs. Run it
//! again with the same `--dir`: the source resumes after the last line it sent, the sink after
//! the last committed file, and nothing is written twice. On a broker, give each new `--dir` a
//! new `--topic`: the check expects the topic to hold this input only. `--help` lists the other
//! options (`--flush-size`, `--partitions`, `--topic`).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use clap::Parser;
use connect_api::config::{ConfigDef, ConfigMap, ConnectConfig, NonEmptyString};
use connect_api::data::{Schema, Struct, Value};
use connect_api::error::{ConnectError, DataError, Result as ConnectResult};
use connect_api::record::Record;
use connect_api::transform::Transform;
use connect_examples::{
    FileSource, absolute_state_dir, ensure_not_failed, init_tracing, interrupted, path_str, props,
    start_with_file_source, write_generated_input,
};
use connect_runtime::Runtime;
use connect_runtime::plugins::Plugins;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

// ---------------------------------------------------------------------------------------------
// A transform of one's own.
// ---------------------------------------------------------------------------------------------

/// The transform's keys, under `transforms.<alias>.` in a connector's configuration.
#[derive(Debug, Clone, ConnectConfig)]
struct WordCountConfig {
    /// `field`: the string field whose words are counted.
    #[config(
        default = "line",
        importance = "medium",
        validator = NonEmptyString,
        doc = "The string field of the value whose words are counted."
    )]
    field: String,
    /// `target`: the int32 field added with the count.
    #[config(
        default = "words",
        importance = "medium",
        validator = NonEmptyString,
        doc = "The int32 field added to the value, holding the count."
    )]
    target: String,
}

/// Adds to a struct value the number of whitespace-separated words in one of its string fields.
///
/// Generic over [`Record`], so the same code serves source connectors (before the converter)
/// and sink connectors (after it), as `Plugins::with_transform` requires.
#[derive(Default)]
struct WordCount {
    config: Option<WordCountConfig>,
    /// The last input schema and the schema derived from it. Records of one stream share their
    /// schema, so one entry spares building a schema per record; and the sink sees one schema
    /// instance, not a new (equal) one per record.
    derived: Option<(Schema, Schema)>,
}

impl WordCount {
    /// The class name configurations use; the simple name `WordCount` resolves too.
    const CLASS: &'static str = "org.example.transforms.WordCount";
}

/// `schema` with the int32 field `target` added, from `cache` when `schema` is the last one seen.
fn with_count_field(
    cache: &mut Option<(Schema, Schema)>,
    schema: &Schema,
    target: &str,
) -> Result<Schema, DataError> {
    if let Some((input, derived)) = cache
        && (input.ptr_eq(schema) || input == schema)
    {
        return Ok(derived.clone());
    }
    // `to_builder` keeps the name, version, doc and fields of the input schema.
    let derived = schema.to_builder().field(target, Schema::int32()).build()?;
    *cache = Some((schema.clone(), derived.clone()));
    Ok(derived)
}

impl<R: Record> Transform<R> for WordCount {
    fn configure(&mut self, configs: &ConfigMap) -> ConnectResult<()> {
        self.config = Some(WordCountConfig::from_props(configs)?);
        self.derived = None;
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> ConnectResult<Option<R>> {
        let Some(config) = &self.config else {
            return Err(ConnectError::other("WordCount has not been configured"));
        };
        let (Some(schema), Value::Struct(value)) = (&record.value_schema, &record.value) else {
            // A data error: with `errors.tolerance=all` the record is skipped and reported
            // instead of failing the task.
            return Err(DataError::new(format!(
                "WordCount needs a struct value with a schema (put HoistField$Value before it), got {}",
                record.value.kind()
            ))
            .into());
        };
        let words = match value.get(&config.field)? {
            Value::String(text) => text.split_whitespace().count(),
            Value::Null => 0,
            other => {
                return Err(DataError::new(format!(
                    "WordCount counts the words of a string; field {} is {}",
                    config.field,
                    other.kind()
                ))
                .into());
            }
        };
        let derived = with_count_field(&mut self.derived, schema, &config.target)?;
        let Value::Struct(value) = std::mem::take(&mut record.value) else {
            return Err(ConnectError::other(
                "the value changed while being transformed",
            ));
        };
        let mut values = value.into_values();
        values.push(Value::Int32(i32::try_from(words).unwrap_or(i32::MAX)));
        record.value = Value::Struct(Struct::from_values(derived.clone(), values)?);
        record.value_schema = Some(derived);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        WordCountConfig::config_def()
    }
}

// ---------------------------------------------------------------------------------------------
// The program: the pipeline, waiting for the commits, and the check of the files.
// ---------------------------------------------------------------------------------------------

/// Copies the lines of a file into Parquet files through a topic and the HDFS sink.
#[derive(Debug, Parser)]
struct Args {
    /// Directory for the files (`hdfs/`), the source offsets and the embedded log; a new
    /// temporary directory when absent.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// How many lines to generate into DIR/input.txt.
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
    /// Records per file: the sink commits a partition's file when it holds this many.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    flush_size: u32,
}

/// How long the committed files may stay unchanged before the program gives up.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
const SOURCE: &str = "file-source";
const SINK: &str = "hdfs-sink";
/// The input's file name in DIR, also the value of the static field `source`.
const INPUT: &str = "input.txt";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let args = Args::parse();
    let dir = absolute_state_dir(args.dir.clone(), "file-to-hdfs")?;
    let input = generate_input(&dir.join(INPUT), args.lines)?;
    let expected: Vec<String> = std::fs::read_to_string(&input)?
        .lines()
        .map(str::to_owned)
        .collect();
    let hdfs = dir.join("hdfs");
    let topic_dir = hdfs.join("topics").join(&args.topic);
    println!(
        "writing {} lines of {} as Parquet under {} (state in {})",
        expected.len(),
        input.display(),
        topic_dir.display(),
        dir.display()
    );

    let runtime = start_pipeline(&args, &dir, &input, &hdfs).await?;
    let waited = tokio::select! {
        waited = wait_for_commits(&runtime, &topic_dir, &args.topic, expected.len()) => waited,
        interrupted = interrupted(&dir) => interrupted,
    };
    // Stops the tasks. The sink commits nothing at stop: records in open files are read again
    // by the next run, so what is committed now is all there will be.
    runtime.shutdown().await;
    waited?;

    let files = {
        let (topic, topic_dir) = (args.topic.clone(), topic_dir.clone());
        tokio::task::spawn_blocking(move || check_files(&topic_dir, &topic, &expected)).await??
    };
    let rows: usize = files.iter().map(|f| f.rows).sum();
    println!(
        "OK: {rows} lines in {} Parquet files under {}, each line exactly once:",
        files.len(),
        topic_dir.display()
    );
    for file in &files {
        println!(
            "  {} ({} rows)",
            file.path
                .strip_prefix(&hdfs)
                .unwrap_or(&file.path)
                .display(),
            file.rows
        );
    }
    Ok(())
}

/// A worker with `WordCount` registered beside the built-in plugins, running the file source
/// and the HDFS sink.
async fn start_pipeline(
    args: &Args,
    dir: &Path,
    input: &Path,
    hdfs: &Path,
) -> anyhow::Result<Runtime> {
    let plugins = Plugins::builtin().with_transform(WordCount::CLASS, WordCount::default);
    let source = FileSource {
        name: SOURCE,
        input,
        topic: &args.topic,
        partitions: args.partitions,
    };
    // The JSON envelope carries the schema with each record, so the sink knows the line is a
    // string and the transforms can build the struct's schema from it.
    let converter = "org.apache.kafka.connect.json.JsonConverter";
    let runtime = start_with_file_source(
        dir,
        args.bootstrap_servers.as_deref(),
        converter,
        plugins,
        source,
    )
    .await?;
    let partitions = args.partitions.to_string();
    let flush_size = args.flush_size.to_string();
    runtime
        .create_connector(
            props(&[
                ("name", SINK),
                (
                    "connector.class",
                    "io.confluent.connect.hdfs.HdfsSinkConnector",
                ),
                ("tasks.max", &partitions),
                ("topics", &args.topic),
                ("hdfs.url", &format!("file://{}", path_str(hdfs)?)),
                (
                    "format.class",
                    "io.confluent.connect.hdfs.parquet.ParquetFormat",
                ),
                ("flush.size", &flush_size),
                // Commits a partition's open file every second even when no record follows,
                // so the last lines do not wait for more input.
                ("rotate.schedule.interval.ms", "1000"),
                ("timezone", "UTC"),
                ("transforms", "hoist,meta,words"),
                (
                    "transforms.hoist.type",
                    "org.apache.kafka.connect.transforms.HoistField$Value",
                ),
                ("transforms.hoist.field", "line"),
                // Simple names resolve as Kafka Connect resolves them.
                ("transforms.meta.type", "InsertField$Value"),
                ("transforms.meta.partition.field", "kafka_partition"),
                ("transforms.meta.offset.field", "kafka_offset"),
                ("transforms.meta.static.field", "source"),
                ("transforms.meta.static.value", INPUT),
                ("transforms.words.type", "WordCount"),
                ("transforms.words.field", "line"),
                ("transforms.words.target", "words"),
            ]),
            None,
        )
        .await?;
    Ok(runtime)
}

/// A committed file, as its name describes it.
#[derive(Debug)]
struct Committed {
    path: PathBuf,
    partition: i32,
    start: i64,
    end: i64,
}

/// The committed files of the topic: `<topic>/partition=<p>/<topic>+<p>+<start>+<end>.parquet`
/// (`partition=<p>` is the DefaultPartitioner's directory), sorted by partition and start offset. A file in another place or with another name is an
/// error. Temporary files are written under `topics/+tmp`, outside the topic's directory.
fn committed_files(topic_dir: &Path, topic: &str) -> anyhow::Result<Vec<Committed>> {
    let mut files = Vec::new();
    let partitions = match std::fs::read_dir(topic_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(error) => return Err(error).context(format!("listing {}", topic_dir.display())),
    };
    for partition_dir in partitions {
        let partition_dir = partition_dir?.path();
        let dir_name = partition_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(partition) = dir_name
            .strip_prefix("partition=")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            bail!(
                "{} is not a partition=<n> directory",
                partition_dir.display()
            );
        };
        for file in std::fs::read_dir(&partition_dir)? {
            let path = file?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parsed = parse_file_name(&name, topic);
            let Some((file_partition, start, end)) = parsed else {
                bail!(
                    "{} is not named <topic>+<partition>+<start>+<end>.parquet",
                    path.display()
                );
            };
            ensure!(
                file_partition == partition,
                "{} is in the directory of partition {partition}",
                path.display()
            );
            files.push(Committed {
                path,
                partition,
                start,
                end,
            });
        }
    }
    files.sort_by_key(|f| (f.partition, f.start));
    Ok(files)
}

/// `<topic>+<partition>+<start>+<end>.parquet`, offsets zero-padded to 10 digits.
fn parse_file_name(name: &str, topic: &str) -> Option<(i32, i64, i64)> {
    let rest = name.strip_prefix(topic)?.strip_prefix('+')?;
    let rest = rest.strip_suffix(".parquet")?;
    let mut parts = rest.split('+');
    let (partition, start, end) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || start.len() < 10 || end.len() < 10 {
        return None;
    }
    Some((
        partition.parse().ok()?,
        start.parse().ok()?,
        end.parse().ok()?,
    ))
}

/// Waits until the committed files hold at least `expected` records. Fails when a connector
/// or task fails, or when no file is committed for [`STALL_TIMEOUT`].
async fn wait_for_commits(
    runtime: &Runtime,
    topic_dir: &Path,
    topic: &str,
    expected: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let (mut last_count, mut last_change) = (0, Instant::now());
    loop {
        ensure_not_failed(runtime, &[SOURCE, SINK]).await?;
        // Listing directories blocks: off the async threads, which run the pipeline.
        let (dir, name) = (topic_dir.to_owned(), topic.to_owned());
        let committed: i64 = tokio::task::spawn_blocking(move || committed_files(&dir, &name))
            .await??
            .iter()
            .map(|f| f.end - f.start + 1)
            .sum();
        let committed = usize::try_from(committed).unwrap_or(0);
        if committed >= expected {
            println!(
                "{committed} records committed in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        if committed != last_count {
            (last_count, last_change) = (committed, Instant::now());
        } else if last_change.elapsed() > STALL_TIMEOUT {
            bail!(
                "no file committed for {} s: {committed} of {expected} records in {}; statuses: {:?}, {:?}",
                STALL_TIMEOUT.as_secs(),
                topic_dir.display(),
                runtime.connector_status(SOURCE).await?,
                runtime.connector_status(SINK).await?
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A file that passed the check.
struct CheckedFile {
    path: PathBuf,
    rows: usize,
}

/// Reads every committed file and checks it against its name and the input: each partition's
/// files follow one another without gap or overlap; each file holds one row per offset of its
/// name, in order, with the partition, offset, word count and source the transforms put in;
/// and the lines of all files are the input's lines, each exactly once.
fn check_files(
    topic_dir: &Path,
    topic: &str,
    expected: &[String],
) -> anyhow::Result<Vec<CheckedFile>> {
    let files = committed_files(topic_dir, topic)?;
    let mut problems = Vec::new();
    let mut next_start: BTreeMap<i32, i64> = BTreeMap::new();
    for file in &files {
        if let Some(next) = next_start.get(&file.partition)
            && *next != file.start
        {
            problems.push(format!(
                "{} should start at offset {next}",
                file.path.display()
            ));
        }
        next_start.insert(file.partition, file.end + 1);
    }

    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    let mut checked = Vec::new();
    for file in &files {
        let rows = read_rows(&file.path)?;
        let name = file.path.display();
        if i64::try_from(rows.len()).ok() != Some(file.end - file.start + 1) {
            problems.push(format!(
                "{name} holds {} rows for offsets {}..={}",
                rows.len(),
                file.start,
                file.end
            ));
        }
        for (row, offset) in rows.iter().zip(file.start..) {
            if row.kafka_offset != Some(offset) || row.kafka_partition != Some(file.partition) {
                problems.push(format!(
                    "{name}: row {} says partition {:?} offset {:?}",
                    offset - file.start,
                    row.kafka_partition,
                    row.kafka_offset
                ));
                break;
            }
            let words = row.line.split_whitespace().count();
            if row.words != i32::try_from(words).ok() || row.source.as_deref() != Some(INPUT) {
                problems.push(format!(
                    "{name}: the row at offset {offset} has words {:?} and source {:?}",
                    row.words, row.source
                ));
                break;
            }
            seen.entry(row.line.clone())
                .or_default()
                .push(format!("{}+{offset}", file.partition));
        }
        checked.push(CheckedFile {
            path: file.path.clone(),
            rows: rows.len(),
        });
    }

    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for line in expected {
        *wanted.entry(line).or_default() += 1;
    }
    let mut missing: Vec<&str> = wanted
        .iter()
        .filter(|(line, times)| seen.get(**line).map_or(0, Vec::len) < **times)
        .map(|(line, _)| *line)
        .collect();
    let mut extra: Vec<String> = seen
        .iter()
        .filter(|(line, places)| wanted.get(line.as_str()).is_none_or(|t| places.len() > *t))
        .map(|(line, places)| format!("{line:?} at partition+offset {}", places.join(", ")))
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        problems.push(format!(
            "{} lines missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    if !extra.is_empty() {
        extra.sort();
        problems.push(format!(
            "{} lines more often than in the input (FileStreamSource delivers at least once: \
             killed before it stored its position, it sends the last lines again; or the topic \
             holds an earlier run's records), e.g. {}",
            extra.len(),
            extra[..extra.len().min(5)].join("; ")
        ));
    }
    ensure!(
        problems.is_empty(),
        "the files under {} are not an exact copy of the input:\n  - {}",
        topic_dir.display(),
        problems.join("\n  - ")
    );
    Ok(checked)
}

/// One row of a file, as the transforms built it.
struct Row {
    line: String,
    kafka_partition: Option<i32>,
    kafka_offset: Option<i64>,
    words: Option<i32>,
    source: Option<String>,
}

/// Reads a Parquet file's rows with the `parquet` crate's row reader. It shares nothing with the
/// sink's writer (Arrow's), so it reads the file as another program would.
fn read_rows(path: &Path) -> anyhow::Result<Vec<Row>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader =
        SerializedFileReader::new(file).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None)? {
        let row = row?;
        let mut out = Row {
            line: String::new(),
            kafka_partition: None,
            kafka_offset: None,
            words: None,
            source: None,
        };
        for (name, value) in row.get_column_iter() {
            match (name.as_str(), value) {
                ("line", Field::Str(line)) => out.line.clone_from(line),
                ("kafka_partition", Field::Int(p)) => out.kafka_partition = Some(*p),
                ("kafka_offset", Field::Long(o)) => out.kafka_offset = Some(*o),
                ("words", Field::Int(w)) => out.words = Some(*w),
                ("source", Field::Str(s)) => out.source = Some(s.clone()),
                (name, value) => {
                    bail!("{}: unexpected column {name} = {value}", path.display())
                }
            }
        }
        rows.push(out);
    }
    Ok(rows)
}

/// Writes `count` lines of one to eight words to `path`, or keeps the file if an earlier run
/// wrote the same.
fn generate_input(path: &Path, count: usize) -> anyhow::Result<PathBuf> {
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    let text: String = (0..count)
        .map(|i| {
            let mut line = format!("line-{i:07}");
            for word in &WORDS[..i % WORDS.len()] {
                line.push(' ');
                line.push_str(word);
            }
            line + "\n"
        })
        .collect();
    write_generated_input(path, &text)
}
