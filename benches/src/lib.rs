//! Benchmark support code shared by the benches in `benches/benches/`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};

/// The 10-field record most benchmarks use: a customer with numbers, text, a flag, a timestamp
/// and an optional field.
pub fn customer_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Customer")
        .field("id", Schema::int64())
        .field("name", Schema::string())
        .field("email", Schema::string())
        .field("age", Schema::int32())
        .field("score", Schema::float64())
        .field("active", Schema::boolean())
        .field("updated_at", logical::timestamp_schema())
        .field("city", Schema::string())
        .field("note", Schema::optional_string())
        .field("count", Schema::int32())
        .build()
        .unwrap_or_else(|error| unreachable!("the customer schema is valid: {error}"))
}

/// A customer of [`customer_schema`] with the given note.
pub fn customer(schema: &Schema, note: &str) -> Value {
    Struct::new(schema.clone())
        .and_then(|s| s.with("id", 1_234_567_890_123i64))
        .and_then(|s| s.with("name", "Ada Lovelace"))
        .and_then(|s| s.with("email", "ada.lovelace@example.com"))
        .and_then(|s| s.with("age", 36))
        .and_then(|s| s.with("score", 98.625f64))
        .and_then(|s| s.with("active", true))
        .and_then(|s| s.with("updated_at", Value::Timestamp(1_700_000_000_123)))
        .and_then(|s| s.with("city", "London"))
        .and_then(|s| s.with("note", note))
        .and_then(|s| s.with("count", 42))
        .map(Value::from)
        .unwrap_or_else(|error| unreachable!("the customer fits its schema: {error}"))
}

/// The median time of one call, from `samples` timed batches of about 5 ms each.
pub fn median_time<T>(samples: usize, mut run: impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    let mut calibration = 0u32;
    while start.elapsed() < Duration::from_millis(20) {
        black_box(run());
        calibration += 1;
    }
    let per_batch = (calibration / 4).max(1);
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                black_box(run());
            }
            t.elapsed() / per_batch
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}
