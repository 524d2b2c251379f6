//! Benchmarks for enumeter; see `benches/`. This library is intentionally empty.
