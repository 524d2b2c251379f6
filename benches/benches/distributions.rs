//! Histogram and summary observe against a bare `AtomicU64::fetch_add(1,
//! Relaxed)`, measured in the same run.
//!
//! `cargo bench -p enumeter-benches --bench distributions`

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
    /// Request duration: 10 buckets, 6 × 3 series.
    #[histogram(
        unit = "seconds",
        buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    )]
    RequestDuration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Time to first byte: P50/P90/P95/P99 over 10 minutes, 1% error.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9, 0.95, 0.99], max_age_secs = 600)]
    FirstByte { endpoint: Endpoint },
}

/// (endpoint, outcome, value) per operation, from a fixed seed.
fn sequence(len: usize) -> Vec<(Endpoint, Outcome, f64)> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state % 18) as usize;
            // Log-spread latencies from 1 ms to about 8 s.
            let value = 0.001 * 2f64.powf((state >> 40) as f64 / (1u64 << 24) as f64 * 13.0);
            (Endpoint::ALL[i / 3], Outcome::ALL[i % 3], value)
        })
        .collect()
}

fn observe(c: &mut Criterion) {
    let mut group = c.benchmark_group("observe");
    let ops = sequence(1024);

    static BARE: AtomicU64 = AtomicU64::new(0);
    group.bench_function("bare_atomic", |b| {
        b.iter(|| {
            BARE.fetch_add(1, Ordering::Relaxed);
        })
    });
    group.bench_function("enumeter_histogram_10_buckets", |b| {
        let mut i = 0;
        b.iter(|| {
            let (endpoint, outcome, value) = ops[i & 1023];
            i += 1;
            Bench::request_duration(endpoint, outcome).observe(black_box(value));
        })
    });
    group.bench_function("enumeter_summary_4_quantiles", |b| {
        let mut i = 0;
        b.iter(|| {
            let (endpoint, _, value) = ops[i & 1023];
            i += 1;
            Bench::first_byte(endpoint).observe(black_box(value));
        })
    });
    group.finish();
}

criterion_group!(benches, observe);
criterion_main!(benches);
