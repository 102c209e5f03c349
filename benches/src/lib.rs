//! Benchmark support code shared by the benches in `benches/benches/`.

use std::hint::black_box;
use std::time::{Duration, Instant};

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
