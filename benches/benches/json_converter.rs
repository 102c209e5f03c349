//! The JSON converter against serde_json on the same document.
//!
//! A 10-field record is converted with schemas enabled (the envelope document). Writing is
//! compared with `serde_json::to_vec` of the same document held as a `serde_json::Value`;
//! reading with `serde_json::from_slice::<serde_json::Value>` of the same bytes. The converter
//! does more than the baseline (schema lookup, type checks, Java number formatting), so the
//! target is a ratio of at least 0.7 of the baseline's throughput in each direction.
//!
//! After criterion's report a table of median throughputs is printed, measured the same way for
//! both sides of each pair: `cargo bench -p connect-benches --bench json_converter`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use connect_api::data::{Schema, Value};
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_api::storage::json::{JsonConverter, JsonConverterConfig};
use connect_benches::{BenchResult, Target, customer, customer_schema, median_times};
use criterion::{Criterion, Throughput};
use futures::executor::block_on;

fn record() -> (Schema, Value) {
    let schema = customer_schema();
    let value = customer(&schema, "prefers \"analytical engines\"\n");
    (schema, value)
}

struct Fixture {
    converter: JsonConverter,
    schema: Schema,
    value: Value,
    bytes: Vec<u8>,
    json: serde_json::Value,
}

fn fixture(schemas_enable: bool) -> Fixture {
    let (schema, value) = record();
    let converter = JsonConverter::with_config(JsonConverterConfig {
        schemas_enable,
        ..JsonConverterConfig::default()
    });
    let bytes = converter
        .encode(Some(&schema), &value)
        .unwrap()
        .unwrap()
        .to_vec();
    let json = serde_json::from_slice(&bytes).unwrap();
    // The converter's async API gives the same result as the direct calls used below.
    let read = block_on(converter.to_connect_data("t", &Headers::new(), Some(&bytes))).unwrap();
    if schemas_enable {
        assert_eq!(read.value, value);
    }
    Fixture {
        converter,
        schema,
        value,
        bytes,
        json,
    }
}

fn ours_serialize(f: &Fixture) -> usize {
    f.converter
        .encode(Some(&f.schema), &f.value)
        .unwrap()
        .unwrap()
        .len()
}

fn baseline_serialize(f: &Fixture) -> usize {
    serde_json::to_vec(&f.json).unwrap().len()
}

fn ours_deserialize(f: &Fixture) -> Value {
    f.converter.decode(Some(&f.bytes)).unwrap().value
}

fn baseline_deserialize(f: &Fixture) -> serde_json::Value {
    serde_json::from_slice(&f.bytes).unwrap()
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("json_serialize");
    group.throughput(Throughput::Bytes(f.bytes.len() as u64));
    group.bench_function("JsonConverter", |b| b.iter(|| ours_serialize(black_box(f))));
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| baseline_serialize(black_box(f)))
    });
    group.finish();

    let mut group = c.benchmark_group("json_deserialize");
    group.throughput(Throughput::Bytes(f.bytes.len() as u64));
    group.bench_function("JsonConverter", |b| {
        b.iter(|| ours_deserialize(black_box(f)))
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| baseline_deserialize(black_box(f)))
    });
    group.finish();
}

/// Prints the median throughputs. The payload-only rows (`schemas.enable=false`, read back as a
/// schemaless map) show the converter without its schema cache, for context.
fn report(envelope: &Fixture, payload_only: &Fixture) {
    const SAMPLES: usize = 41;
    let rows = [
        ("serialize", envelope),
        ("deserialize", envelope),
        ("serialize, payload only", payload_only),
        ("deserialize, payload only", payload_only),
    ];
    println!();
    println!(
        "JsonConverter vs serde_json::Value: {}-byte envelope ({}-byte payload), median of {SAMPLES} samples",
        envelope.bytes.len(),
        payload_only.bytes.len()
    );
    println!(
        "{:<27} {:>12} {:>12} {:>7}  target 0.7",
        "", "ours MiB/s", "serde MiB/s", "ratio"
    );
    for (name, f) in rows {
        let (ours, baseline) = if name.starts_with("serialize") {
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
        let mib = |d: Duration| f.bytes.len() as f64 / d.as_secs_f64() / (1024.0 * 1024.0);
        let ratio = mib(ours) / mib(baseline);
        let verdict = if ratio >= 0.7 { "met" } else { "MISSED" };
        println!(
            "{name:<27} {:>12.1} {:>12.1} {ratio:>7.2}  {verdict}",
            mib(ours),
            mib(baseline)
        );
        let records = |d: Duration| 1.0 / d.as_secs_f64() / 1e3;
        BenchResult {
            group: "converters",
            workload: format!("JsonConverter {name}"),
            unit: "k rec/s",
            ours: records(ours),
            baseline: Some((
                records(baseline),
                if name.starts_with("serialize") {
                    "serde_json::to_vec of a Value"
                } else {
                    "serde_json::from_slice to a Value"
                },
            )),
            // The payload-only rows are context for the envelope's, not held to the target.
            target: if name.contains("payload only") {
                Target::None
            } else {
                Target::MinRatio(0.7)
            },
        }
        .print();
    }
}

fn main() {
    let envelope = fixture(true);
    let payload_only = fixture(false);
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &envelope);
    c.final_summary();
    // `cargo test --benches` runs each benchmark once without `--bench`; skip the table then.
    if std::env::args().any(|a| a == "--bench") {
        report(&envelope, &payload_only);
    }
}
