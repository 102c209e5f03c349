//! Runnable examples live in `examples/examples/` (being built).
