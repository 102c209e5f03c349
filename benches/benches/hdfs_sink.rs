//! The HDFS sink writing Parquet and Avro on the local backend (10-field struct, `flush.size`
//! 100000, so each run is one committed file through the WAL), against the format libraries
//! alone writing the same rows to a file: arrow/parquet's `ArrowWriter` (snappy, as the sink's
//! default) and apache-avro's `Writer` (no codec, as the sink's default). Target: at least 0.8 of
//! their throughput.
//!
//! The sink makes each file durable before it commits it (`fsync` of the file, the WAL and their
//! directories), which the libraries alone do not; the second ratio gives the libraries the
//! same `fsync` of their file, so it compares the work both must do for the same guarantee.
//!
//! Run: `cargo bench -p connect-benches --bench hdfs_sink` (`HDFS_ROWS`, `HDFS_RUNS` override the
//! records per file and the number of runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use apache_avro::types::Value as AvroValue;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, TimeUnit};
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, Struct, Value};
use connect_api::record::{ConnectRecord, SinkRecord, TimestampType, TopicPartition};
use connect_api::task::SinkTask;
use connect_benches::{BenchResult, BenchSinkContext, Target, customer_schema, env_usize, median};
use connect_hdfs::HdfsSinkTask;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

static ROWS: LazyLock<usize> = LazyLock::new(|| env_usize("HDFS_ROWS", 100_000).max(1));
/// Records per `put`, the runtime's default `max.poll.records`.
const BATCH: usize = 500;
static RUNS: LazyLock<usize> = LazyLock::new(|| env_usize("HDFS_RUNS", 9).max(1));

/// `ROWS` records of partition 0 starting at `first_offset`, sharing their topic name as the
/// runtime's do.
fn records(schema: &Schema, first_offset: i64) -> Vec<SinkRecord> {
    let topic: Arc<str> = Arc::from("customers");
    (0..*ROWS as i64)
        .map(|i| {
            let value = Struct::new(schema.clone())
                .and_then(|s| s.with("id", first_offset + i))
                .and_then(|s| s.with("name", format!("customer {i}")))
                .and_then(|s| s.with("email", format!("customer{i}@example.com")))
                .and_then(|s| s.with("age", (i % 90) as i32))
                .and_then(|s| s.with("score", i as f64 * 0.5))
                .and_then(|s| s.with("active", i % 3 == 0))
                .and_then(|s| s.with("updated_at", Value::Timestamp(1_700_000_000_000 + i)))
                .and_then(|s| s.with("city", ["London", "Paris", "Lisbon"][i as usize % 3]))
                .and_then(|s| {
                    s.with(
                        "note",
                        if i % 2 == 0 {
                            Value::String("vip".into())
                        } else {
                            Value::Null
                        },
                    )
                })
                .and_then(|s| s.with("count", i as i32))
                .unwrap();
            let record = ConnectRecord::new(topic.clone(), Some(schema.clone()), value.into());
            SinkRecord::new(record, 0, first_offset + i, TimestampType::CreateTime)
        })
        .collect()
}

/// The sink, started on `dir` with `format`.
fn sink(runtime: &tokio::runtime::Runtime, dir: &Path, format: &str) -> HdfsSinkTask {
    let props: ConfigMap = [
        ("topics", "customers".to_owned()),
        ("hdfs.url", format!("file://{}", dir.display())),
        ("format.class", format.to_owned()),
        ("flush.size", ROWS.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut task = HdfsSinkTask::new();
    task.initialize(Arc::new(BenchSinkContext(vec![TopicPartition::new(
        "customers",
        0,
    )])));
    runtime.block_on(task.start(&props)).unwrap();
    task
}

/// Hands `records` to the sink in batches; the last one completes the file, which commits.
fn through_sink(
    runtime: &tokio::runtime::Runtime,
    task: &mut HdfsSinkTask,
    records: &[SinkRecord],
) {
    runtime.block_on(async {
        for batch in records.chunks(BATCH) {
            task.put(batch).await.unwrap();
        }
    });
}

fn text(value: &Value) -> &str {
    match value {
        Value::String(s) => s,
        _ => unreachable!(),
    }
}

/// The rows written with arrow builders and `ArrowWriter`, snappy, to `path`.
fn arrow_alone(records: &[SinkRecord], path: &Path) {
    let fields = vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("email", DataType::Utf8, false),
        Field::new("age", DataType::Int32, false),
        Field::new("score", DataType::Float64, false),
        Field::new("active", DataType::Boolean, false),
        Field::new(
            "updated_at",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("city", DataType::Utf8, false),
        Field::new("note", DataType::Utf8, true),
        Field::new("count", DataType::Int32, false),
    ];
    let arrow_schema = Arc::new(arrow_schema::Schema::new(fields));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, arrow_schema.clone(), Some(props)).unwrap();
    for chunk in records.chunks(8192) {
        let (mut id, mut name, mut email, mut age) = (
            Int64Builder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
            Int32Builder::new(),
        );
        let (mut score, mut active, mut updated, mut city, mut note, mut count) = (
            Float64Builder::new(),
            BooleanBuilder::new(),
            TimestampMillisecondBuilder::new().with_timezone("UTC"),
            StringBuilder::new(),
            StringBuilder::new(),
            Int32Builder::new(),
        );
        for record in chunk {
            let Value::Struct(row) = &record.value else {
                unreachable!()
            };
            let v = row.values();
            let (Value::Int64(a), Value::Int32(d), Value::Float64(e), Value::Boolean(f)) =
                (&v[0], &v[3], &v[4], &v[5])
            else {
                unreachable!()
            };
            let (Value::Timestamp(g), Value::Int32(j)) = (&v[6], &v[9]) else {
                unreachable!()
            };
            id.append_value(*a);
            name.append_value(text(&v[1]));
            email.append_value(text(&v[2]));
            age.append_value(*d);
            score.append_value(*e);
            active.append_value(*f);
            updated.append_value(*g);
            city.append_value(text(&v[7]));
            match &v[8] {
                Value::String(s) => note.append_value(s),
                _ => note.append_null(),
            }
            count.append_value(*j);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(name.finish()),
            Arc::new(email.finish()),
            Arc::new(age.finish()),
            Arc::new(score.finish()),
            Arc::new(active.finish()),
            Arc::new(updated.finish()),
            Arc::new(city.finish()),
            Arc::new(note.finish()),
            Arc::new(count.finish()),
        ];
        writer
            .write(&RecordBatch::try_new(arrow_schema.clone(), columns).unwrap())
            .unwrap();
    }
    writer.close().unwrap();
}

/// The Avro schema of the rows, as a hand-written Avro user would declare it.
const AVRO_SCHEMA: &str = r#"{"type":"record","name":"Customer","namespace":"com.example","fields":[
  {"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"email","type":"string"},
  {"name":"age","type":"int"},{"name":"score","type":"double"},{"name":"active","type":"boolean"},
  {"name":"updated_at","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"city","type":"string"},{"name":"note","type":["null","string"],"default":null},
  {"name":"count","type":"int"}]}"#;

/// The rows converted by hand into Avro records and written with apache-avro's `Writer`.
fn avro_alone(schema: &apache_avro::Schema, records: &[SinkRecord], path: &Path) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut writer = apache_avro::Writer::new(schema, file).unwrap();
    for record in records {
        let Value::Struct(row) = &record.value else {
            unreachable!()
        };
        let v = row.values();
        let long = |value: &Value| match value {
            Value::Int64(i) | Value::Timestamp(i) => *i,
            _ => unreachable!(),
        };
        let int = |value: &Value| match value {
            Value::Int32(i) => *i,
            _ => unreachable!(),
        };
        let fields = vec![
            ("id".to_owned(), AvroValue::Long(long(&v[0]))),
            ("name".to_owned(), AvroValue::String(text(&v[1]).to_owned())),
            (
                "email".to_owned(),
                AvroValue::String(text(&v[2]).to_owned()),
            ),
            ("age".to_owned(), AvroValue::Int(int(&v[3]))),
            (
                "score".to_owned(),
                AvroValue::Double(match &v[4] {
                    Value::Float64(f) => *f,
                    _ => unreachable!(),
                }),
            ),
            (
                "active".to_owned(),
                AvroValue::Boolean(matches!(&v[5], Value::Boolean(true))),
            ),
            (
                "updated_at".to_owned(),
                AvroValue::TimestampMillis(long(&v[6])),
            ),
            ("city".to_owned(), AvroValue::String(text(&v[7]).to_owned())),
            (
                "note".to_owned(),
                match &v[8] {
                    Value::String(s) => AvroValue::Union(1, Box::new(AvroValue::String(s.clone()))),
                    _ => AvroValue::Union(0, Box::new(AvroValue::Null)),
                },
            ),
            ("count".to_owned(), AvroValue::Int(int(&v[9]))),
        ];
        writer.append_value(AvroValue::Record(fields)).unwrap();
    }
    writer.into_inner().unwrap();
}

/// Median times of the sink, of the library alone, and of the library with an `fsync` of its
/// file, `RUNS` runs each, alternating.
fn compare(
    runtime: &tokio::runtime::Runtime,
    format: &str,
    extension: &str,
    mut alone: impl FnMut(&[SinkRecord], &Path),
) -> (Duration, Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut task = sink(runtime, dir.path(), format);
    let schema = customer_schema();
    let (mut ours, mut library, mut durable) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..*RUNS + 1 {
        let batch = records(&schema, (run * *ROWS) as i64);
        let started = Instant::now();
        through_sink(runtime, &mut task, &batch);
        let elapsed = started.elapsed();
        let committed = dir.path().join("topics/customers/partition=0");
        let files: Vec<_> = std::fs::read_dir(&committed).unwrap().collect();
        assert_eq!(files.len(), 1, "each run commits one file");
        let file = files.into_iter().next().unwrap().unwrap().path();
        assert!(file.to_str().unwrap().ends_with(extension));
        std::fs::remove_file(file).unwrap();

        let path = dir.path().join(format!("alone{extension}"));
        let started = Instant::now();
        alone(&batch, &path);
        let library_elapsed = started.elapsed();
        std::fs::File::open(&path).unwrap().sync_all().unwrap();
        let durable_elapsed = started.elapsed();
        std::fs::remove_file(path).unwrap();
        // The first run warms caches and the file system up.
        if run > 0 {
            ours.push(elapsed);
            library.push(library_elapsed);
            durable.push(durable_elapsed);
        }
    }
    (median(ours), median(library), median(durable))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let avro_schema = apache_avro::Schema::parse_str(AVRO_SCHEMA).unwrap();
    let parquet = compare(&runtime, "ParquetFormat", ".parquet", arrow_alone);
    let avro = compare(&runtime, "AvroFormat", ".avro", |records, path| {
        avro_alone(&avro_schema, records, path)
    });
    let rate = |d: Duration| *ROWS as f64 / d.as_secs_f64() / 1e3;
    println!(
        "HDFS sink, local backend, {} records of a 10-field struct per file, median of {} runs",
        *ROWS, *RUNS
    );
    println!(
        "{:<10} {:>10} {:>13} {:>7} {:>19} {:>7}  target 0.8",
        "", "sink k/s", "library k/s", "ratio", "library+fsync k/s", "ratio"
    );
    let formats = [
        (
            "parquet",
            parquet,
            "Parquet",
            ["parquet ArrowWriter", "parquet ArrowWriter + fsync"],
        ),
        (
            "avro",
            avro,
            "Avro",
            ["apache-avro Writer", "apache-avro Writer + fsync"],
        ),
    ];
    for (name, (ours, library, durable), format, [writer, durable_writer]) in formats {
        let ratio = library.as_secs_f64() / ours.as_secs_f64();
        let durable_ratio = durable.as_secs_f64() / ours.as_secs_f64();
        println!(
            "{name:<10} {:>10.0} {:>13.0} {ratio:>7.2} {:>19.0} {durable_ratio:>7.2}  {}",
            rate(ours),
            rate(library),
            rate(durable),
            if ratio >= 0.8 {
                "met"
            } else if durable_ratio >= 0.8 {
                "met with the same durability, missed without"
            } else {
                "MISSED"
            }
        );
        BenchResult {
            group: "hdfs sink",
            workload: format!("HDFS sink, {format}"),
            unit: "k rec/s",
            ours: rate(ours),
            baseline: Some((rate(library), writer)),
            target: Target::MinRatio(0.8),
        }
        .print();
        // The same comparison with the library made as durable as the sink: context, no target.
        BenchResult {
            group: "hdfs sink",
            workload: format!("HDFS sink, {format}, vs the writer + fsync"),
            unit: "k rec/s",
            ours: rate(ours),
            baseline: Some((rate(durable), durable_writer)),
            target: Target::None,
        }
        .print();
    }
}
