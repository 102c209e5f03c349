//! Confluent's Avro converter against apache-avro alone on the same record.
//!
//! A 10-field record goes through `AvroConverter` as the runtime calls it (the async
//! `Converter` methods), with a Schema Registry running (the testkit's) and its caches warm:
//! the schema id and the writer schema are known, so no HTTP call is made, which the benchmark
//! checks with the registry's request counter. Serializing is compared with apache-avro encoding
//! the record's Avro value with the same schema (what `to_avro_datum` does: a writer per call,
//! validation on); deserializing with apache-avro decoding the same Avro body (what
//! `from_avro_datum` does). The converter does more than the baseline: the Connect-to-Avro type
//! checks, the 5-byte header and the schema caches when writing; the header, the schema cache and
//! building the Connect struct when reading. The target is at least 0.7 of the baseline's
//! throughput in each direction.
//!
//! After criterion's report a table of median times is printed, measured the same way for both
//! sides of each pair: `cargo bench -p connect-benches --bench avro_converter`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use apache_avro::Schema as ApacheSchema;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as AvroValue;
use apache_avro::writer::datum::GenericDatumWriter;
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, Value};
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_avro::AvroData;
use connect_benches::{BenchResult, Target, customer, customer_schema, median_times};
use connect_schema_registry::AvroConverter;
use connect_testkit::schema_registry::TestRegistry;
use criterion::{Criterion, Throughput};
use futures::executor::block_on;

const TOPIC: &str = "customers";

fn record() -> (Schema, Value) {
    let schema = customer_schema();
    let value = customer(&schema, "prefers \"analytical engines\"\n");
    (schema, value)
}

struct Fixture {
    writer: AvroConverter,
    reader: AvroConverter,
    schema: Schema,
    value: Value,
    /// The converter's output: header and body.
    wire: Vec<u8>,
    /// The same record as an Avro value, and its schema, for the baseline.
    avro_schema: ApacheSchema,
    avro_value: AvroValue,
}

fn converter(url: &str) -> AvroConverter {
    let mut converter = AvroConverter::new();
    let props = ConfigMap::from([("schema.registry.url".to_owned(), url.to_owned())]);
    converter.configure(&props, false).unwrap();
    converter
}

fn fixture(runtime: &tokio::runtime::Runtime, registry: &TestRegistry) -> Fixture {
    let (schema, value) = record();
    let writer = converter(&registry.url());
    let reader = converter(&registry.url());
    // Warm both caches: this registers the schema and fetches it back by id.
    let wire = runtime
        .block_on(writer.from_connect_data(TOPIC, &mut Headers::new(), Some(&schema), &value))
        .unwrap()
        .unwrap()
        .to_vec();
    let back = runtime
        .block_on(reader.to_connect_data(TOPIC, &Headers::new(), Some(&wire)))
        .unwrap();
    let (Value::Struct(got), Value::Struct(sent)) = (&back.value, &value) else {
        panic!("structs expected");
    };
    assert_eq!(got.values(), sent.values());

    let avro_data = AvroData::default();
    let avro = avro_data.from_connect_schema(&schema).unwrap();
    let avro_value = avro_data.from_connect_data(&schema, &value).unwrap();
    let fixture = Fixture {
        writer,
        reader,
        schema,
        value,
        wire,
        avro_schema: avro.schema().clone(),
        avro_value,
    };
    // Both sides write the same body.
    assert_eq!(baseline_serialize(&fixture), fixture.wire[5..]);
    fixture
}

fn ours_serialize(f: &Fixture) -> usize {
    block_on(
        f.writer
            .from_connect_data(TOPIC, &mut Headers::new(), Some(&f.schema), &f.value),
    )
    .unwrap()
    .map_or(0, |b| b.len())
}

/// `to_avro_datum(schema, value)`, without the copy of the value it would take by value.
fn baseline_serialize(f: &Fixture) -> Vec<u8> {
    let writer = GenericDatumWriter::builder(&f.avro_schema).build().unwrap();
    let mut out = Vec::new();
    writer.write_value_ref(&mut out, &f.avro_value).unwrap();
    out
}

fn ours_deserialize(f: &Fixture) -> SchemaAndValue {
    block_on(
        f.reader
            .to_connect_data(TOPIC, &Headers::new(), Some(&f.wire)),
    )
    .unwrap()
}

/// `from_avro_datum(schema, body, None)`.
fn baseline_deserialize(f: &Fixture) -> AvroValue {
    GenericDatumReader::builder(&f.avro_schema)
        .build()
        .unwrap()
        .read_value(&mut &f.wire[5..])
        .unwrap()
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("avro_serialize");
    group.throughput(Throughput::Bytes(f.wire.len() as u64));
    group.bench_function("AvroConverter", |b| b.iter(|| ours_serialize(black_box(f))));
    group.bench_function("apache-avro", |b| {
        b.iter(|| baseline_serialize(black_box(f)))
    });
    group.finish();

    let mut group = c.benchmark_group("avro_deserialize");
    group.throughput(Throughput::Bytes(f.wire.len() as u64));
    group.bench_function("AvroConverter", |b| {
        b.iter(|| ours_deserialize(black_box(f)))
    });
    group.bench_function("apache-avro", |b| {
        b.iter(|| baseline_deserialize(black_box(f)))
    });
    group.finish();
}

/// Prints the median times and throughputs.
fn report(f: &Fixture) {
    const SAMPLES: usize = 41;
    println!();
    println!(
        "AvroConverter vs apache-avro: 10-field record, {}-byte message ({}-byte Avro body), \
         warm caches, median of {SAMPLES} samples",
        f.wire.len(),
        f.wire.len() - 5
    );
    println!(
        "{:<13} {:>10} {:>10} {:>12} {:>12} {:>7}  target 0.7",
        "", "ours ns", "avro ns", "ours rec/s", "avro rec/s", "ratio"
    );
    for name in ["serialize", "deserialize"] {
        let (ours, baseline) = if name == "serialize" {
            median_times(
                SAMPLES,
                || ours_serialize(black_box(f)),
                || baseline_serialize(black_box(f)),
            )
        } else {
            median_times(
                SAMPLES,
                || ours_deserialize(black_box(f)),
                || baseline_deserialize(black_box(f)),
            )
        };
        let per_second = |d: Duration| 1.0 / d.as_secs_f64();
        let ratio = per_second(ours) / per_second(baseline);
        let verdict = if ratio >= 0.7 { "met" } else { "MISSED" };
        println!(
            "{name:<13} {:>10} {:>10} {:>12.0} {:>12.0} {ratio:>7.2}  {verdict}",
            ours.as_nanos(),
            baseline.as_nanos(),
            per_second(ours),
            per_second(baseline)
        );
        BenchResult {
            group: "converters",
            workload: format!("AvroConverter {name}"),
            unit: "k rec/s",
            ours: per_second(ours) / 1e3,
            baseline: Some((
                per_second(baseline) / 1e3,
                if name == "serialize" {
                    "apache-avro GenericDatumWriter"
                } else {
                    "apache-avro GenericDatumReader"
                },
            )),
            target: Target::MinRatio(0.7),
        }
        .print();
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(TestRegistry::start()).unwrap();
    let f = fixture(&runtime, &registry);
    registry.reset_request_count();
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &f);
    c.final_summary();
    // `cargo test --benches` runs each benchmark once without `--bench`; skip the table then.
    if std::env::args().any(|a| a == "--bench") {
        report(&f);
    }
    assert_eq!(
        registry.request_count(),
        0,
        "the warm converters made HTTP calls"
    );
    runtime.block_on(registry.stop());
}
