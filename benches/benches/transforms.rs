//! A transformation chain (InsertField, ReplaceField, Cast on a 10-field struct) against a
//! hand-written function making the same three edits directly, with the output schema built
//! once. Target: at least 0.5 of its throughput.
//!
//! Run: `cargo bench -p connect-benches --bench transforms`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
use connect_api::transform::Transform;
use connect_benches::{BenchResult, Target, customer, customer_schema, median_times, props};
use connect_transforms::transforms::cast::Cast;
use connect_transforms::transforms::insert_field::InsertField;
use connect_transforms::transforms::replace_field::ReplaceField;

fn input() -> SinkRecord {
    let schema = customer_schema();
    let value = customer(&schema, "prefers analytical engines");
    let record = ConnectRecord::new("customers", Some(schema), value);
    SinkRecord::new(record, 0, 7, TimestampType::CreateTime)
}

type Chain = Vec<Box<dyn Transform<SinkRecord>>>;

fn chain() -> Chain {
    let mut insert = InsertField::value();
    Transform::<SinkRecord>::configure(
        &mut insert,
        &props(&[("static.field", "source"), ("static.value", "crm")]),
    )
    .unwrap();
    let mut replace = ReplaceField::value();
    Transform::<SinkRecord>::configure(
        &mut replace,
        &props(&[("exclude", "note"), ("renames", "city:town")]),
    )
    .unwrap();
    let mut cast = Cast::value();
    Transform::<SinkRecord>::configure(&mut cast, &props(&[("spec", "age:int64,score:float32")]))
        .unwrap();
    vec![Box::new(insert), Box::new(replace), Box::new(cast)]
}

/// The chain as the runtime's `TransformationChain::apply` runs it: each output replaces the
/// record in place.
fn run_chain(chain: &mut Chain, mut record: SinkRecord) -> SinkRecord {
    for transform in chain.iter_mut() {
        record = match transform.apply(record) {
            Ok(Some(next)) => next,
            other => panic!("the chain keeps every record: {other:?}"),
        };
    }
    record
}

/// The output schema of the three edits, built once.
fn output_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Customer")
        .field("id", Schema::int64())
        .field("name", Schema::string())
        .field("email", Schema::string())
        .field("age", Schema::int64())
        .field("score", Schema::float32())
        .field("active", Schema::boolean())
        .field("updated_at", logical::timestamp_schema())
        .field("town", Schema::string())
        .field("count", Schema::int32())
        .field("source", Schema::optional_string())
        .build()
        .unwrap()
}

/// The same edits written by hand: insert a static field, drop one, rename one, cast two.
fn by_hand(schema: &Schema, mut record: SinkRecord) -> SinkRecord {
    let Value::Struct(input) = std::mem::take(&mut record.value) else {
        unreachable!()
    };
    let mut values = input.into_values();
    let cast = |v: Value| match v {
        Value::Int32(i) => Value::Int64(i64::from(i)),
        Value::Float64(f) => Value::Float32(f as f32),
        other => other,
    };
    values.remove(8); // note
    values[3] = cast(std::mem::take(&mut values[3]));
    values[4] = cast(std::mem::take(&mut values[4]));
    values.push(Value::String("crm".into()));
    record.value = Struct::from_values(schema.clone(), values).unwrap().into();
    record.value_schema = Some(schema.clone());
    record
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let record = input();
    let mut chain = chain();
    let schema = output_schema();
    let ours_out = run_chain(&mut chain, record.clone());
    let hand_out = by_hand(&schema, record.clone());
    assert_eq!(ours_out.value, hand_out.value, "both make the same record");
    const SAMPLES: usize = 41;
    let (ours, hand) = median_times(
        SAMPLES,
        || run_chain(&mut chain, black_box(record.clone())),
        || by_hand(&schema, black_box(record.clone())),
    );
    let rate = |d: std::time::Duration| 1.0 / d.as_secs_f64() / 1e3;
    let ratio = hand.as_secs_f64() / ours.as_secs_f64();
    println!("InsertField + ReplaceField + Cast on a 10-field struct, median of {SAMPLES} samples");
    println!(
        "{:<12} {:>12} {:>12} {:>7}  target 0.5",
        "", "ours k/s", "hand k/s", "ratio"
    );
    println!(
        "{:<12} {:>12.0} {:>12.0} {ratio:>7.2}  {}",
        "chain",
        rate(ours),
        rate(hand),
        if ratio >= 0.5 { "met" } else { "MISSED" }
    );
    BenchResult {
        group: "transforms",
        workload: "InsertField + ReplaceField + Cast chain".to_owned(),
        unit: "k rec/s",
        ours: rate(ours),
        baseline: Some((rate(hand), "the same edits by hand")),
        target: Target::MinRatio(0.5),
    }
    .print();
}
