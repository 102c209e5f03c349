//! The in-process runtime that drives connectors and tasks (being built; see docs/architecture.md).
