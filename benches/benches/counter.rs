//! Labelled counter increment against a bare `AtomicU64::fetch_add(1, Relaxed)`,
//! measured in the same run.
//!
//! `cargo bench -p enumeter-benches --bench counter`

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, Criterion};
use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Endpoint {
    Tts,
    Stt,
    Health,
    Metrics,
    Admin,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Rejected,
    Failed,
}

/// Benchmark metrics.
#[metrics(namespace = "bench")]
pub enum Bench {
    /// Requests by endpoint and outcome: 6 × 3 series.
    #[counter]
    RequestsTotal {
        endpoint: Endpoint,
        outcome: Outcome,
    },
}

/// The series of each operation, drawn once from a fixed seed so that both
/// sides of a comparison do the same work.
fn series_sequence(len: usize) -> Vec<(Endpoint, Outcome)> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state % 18) as usize;
            (Endpoint::ALL[i / 3], Outcome::ALL[i % 3])
        })
        .collect()
}

fn counter_increment(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_inc");

    // One fixed series; the label values pass through black_box so that the
    // index is computed at run time, as on a real hot path.
    static BARE: AtomicU64 = AtomicU64::new(0);
    // Both sides discard the atomic's result, so neither waits on it. The
    // atomic add is a side effect the compiler keeps without black_box.
    group.bench_function("bare_atomic", |b| {
        b.iter(|| {
            BARE.fetch_add(1, Ordering::Relaxed);
        })
    });
    group.bench_function("enumeter_labelled", |b| {
        b.iter(|| {
            Bench::requests_total(black_box(Endpoint::Admin), black_box(Outcome::Failed)).inc()
        })
    });

    // A different series every operation, same sequence on both sides; the
    // bare side indexes a plain array of 18 atomics.
    let sequence = series_sequence(1024);
    let bare_cells: Vec<AtomicU64> = (0..18).map(|_| AtomicU64::new(0)).collect();
    group.bench_function("bare_atomic_random_series", |b| {
        let mut i = 0;
        b.iter(|| {
            let (endpoint, outcome) = sequence[i & 1023];
            i += 1;
            bare_cells[endpoint.index() * 3 + outcome.index()].fetch_add(1, Ordering::Relaxed);
        })
    });
    group.bench_function("enumeter_random_series", |b| {
        let mut i = 0;
        b.iter(|| {
            let (endpoint, outcome) = sequence[i & 1023];
            i += 1;
            Bench::requests_total(endpoint, outcome).inc();
        })
    });
    group.finish();
}

criterion_group!(benches, counter_increment);
criterion_main!(benches);
