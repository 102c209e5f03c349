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

/// The median time of one call of `ours` and of `baseline`, from `samples` timed batches of
/// about 5 ms each of both, taken in turn: on a shared machine a slow spell then slows both
/// sides rather than whichever happened to run during it.
pub fn median_times<A, B>(
    samples: usize,
    mut ours: impl FnMut() -> A,
    mut baseline: impl FnMut() -> B,
) -> (Duration, Duration) {
    fn per_batch<T>(run: &mut impl FnMut() -> T) -> u32 {
        let start = Instant::now();
        let mut calls = 0u32;
        while start.elapsed() < Duration::from_millis(20) {
            black_box(run());
            calls += 1;
        }
        (calls / 4).max(1)
    }
    fn time_batch<T>(run: &mut impl FnMut() -> T, calls: u32) -> Duration {
        let t = Instant::now();
        for _ in 0..calls {
            black_box(run());
        }
        t.elapsed() / calls
    }
    let (ours_calls, baseline_calls) = (per_batch(&mut ours), per_batch(&mut baseline));
    let mut ours_times = Vec::with_capacity(samples);
    let mut baseline_times = Vec::with_capacity(samples);
    for _ in 0..samples {
        ours_times.push(time_batch(&mut ours, ours_calls));
        baseline_times.push(time_batch(&mut baseline, baseline_calls));
    }
    (median(ours_times), median(baseline_times))
}

/// What a workload is held to.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Our figure divided by the baseline's (both "higher is better") must be at least this.
    MinRatio(f64),
    /// Our figure (lower is better: memory, latency) must be at most this.
    AtMost(f64),
    /// Reported, not held to a target (scaling curves).
    None,
}

/// One row of the performance table: a workload, our figure, the baseline measured in the same
/// run, and the target.
///
/// Each bench prints its rows with [`BenchResult::print`] as one `BENCH-RESULT {json}` line;
/// `cargo xtask bench` collects them from every bench into one table.
#[derive(Debug, Clone)]
pub struct BenchResult {
    /// The group of the table it belongs to, e.g. `pipeline`, `converters`, `resources`.
    pub group: &'static str,
    /// What was measured, e.g. `file → embedded log → file`.
    pub workload: String,
    /// The unit of `ours` and `baseline`, e.g. `k rec/s`, `MiB`, `ms`.
    pub unit: &'static str,
    /// Our median figure.
    pub ours: f64,
    /// The baseline's median figure in the same run, and what it is.
    pub baseline: Option<(f64, &'static str)>,
    /// What the figure is held to.
    pub target: Target,
}

impl BenchResult {
    /// `ours / baseline` when there is a baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline
            .map(|(baseline, _)| self.ours / baseline)
            .filter(|ratio| ratio.is_finite())
    }

    /// Whether the target is met; `None` when there is none.
    pub fn meets_target(&self) -> Option<bool> {
        match self.target {
            Target::MinRatio(min) => self.ratio().map(|ratio| ratio >= min),
            Target::AtMost(max) => Some(self.ours <= max),
            Target::None => None,
        }
    }

    /// The result as one JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let (target_kind, target_value) = match self.target {
            Target::MinRatio(min) => ("min_ratio", Some(min)),
            Target::AtMost(max) => ("at_most", Some(max)),
            Target::None => ("none", None),
        };
        serde_json::json!({
            "group": self.group,
            "workload": self.workload,
            "unit": self.unit,
            "ours": self.ours,
            "baseline": self.baseline.map(|(value, _)| value),
            "baseline_name": self.baseline.map(|(_, name)| name),
            "ratio": self.ratio(),
            "target_kind": target_kind,
            "target": target_value,
            "met": self.meets_target(),
        })
    }

    /// Prints the `BENCH-RESULT {json}` line `cargo xtask bench` collects.
    pub fn print(&self) {
        println!("BENCH-RESULT {}", self.to_json());
    }
}

/// The value of the size knob `name` (an environment variable), or `default` when it is unset
/// or not a number.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A configuration from `(key, value)` pairs.
pub fn props(pairs: &[(&str, &str)]) -> connect_api::config::ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The median of `samples` (durations or figures; NaN sorts last).
///
/// # Panics
///
/// When `samples` is empty: a bench always takes at least one run.
pub fn median<T: Copy + PartialOrd>(mut samples: Vec<T>) -> T {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Greater));
    samples[samples.len() / 2]
}

/// What the runtime gives a sink task, reduced to what the HDFS sink uses when a bench drives
/// it directly: the assignment, and nothing to pause, seek or report to.
pub struct BenchSinkContext(pub Vec<connect_api::record::TopicPartition>);

impl connect_api::task::SinkTaskContext for BenchSinkContext {
    fn configs(&self) -> connect_api::config::ConfigMap {
        connect_api::config::ConfigMap::new()
    }
    fn offsets(
        &self,
        _offsets: std::collections::HashMap<connect_api::record::TopicPartition, i64>,
    ) {
    }
    fn timeout(&self, _timeout: Duration) {}
    fn assignment(&self) -> Vec<connect_api::record::TopicPartition> {
        self.0.clone()
    }
    fn pause(
        &self,
        _partitions: &[connect_api::record::TopicPartition],
    ) -> connect_api::error::Result<()> {
        Ok(())
    }
    fn resume(
        &self,
        _partitions: &[connect_api::record::TopicPartition],
    ) -> connect_api::error::Result<()> {
        Ok(())
    }
    fn request_commit(&self) {}
    fn errant_record_reporter(
        &self,
    ) -> Option<std::sync::Arc<dyn connect_api::task::ErrantRecordReporter>> {
        None
    }
}
