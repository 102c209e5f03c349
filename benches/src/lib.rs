//! Benchmark support code shared by the benches in `benches/benches/`.
