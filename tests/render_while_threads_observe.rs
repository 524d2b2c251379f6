//! Several threads observe while another renders: every render is
//! self-consistent, and the totals are exact at the end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Shard {
    A,
    B,
}

/// Load metrics.
#[metrics(namespace = "load")]
pub enum Load {
    /// Work items.
    #[counter]
    ItemsTotal { shard: Shard },
    /// Item latency.
    #[histogram(unit = "seconds", buckets = [0.5, 1, 2, 4])]
    Latency { shard: Shard },
    /// Item size.
    #[summary(unit = "bytes", quantiles = [0.5, 0.9])]
    Size { shard: Shard },
}

const THREADS: usize = 3;
const PER_THREAD: usize = 100_000;
/// Binary fractions, so that every order of additions gives the exact sum.
const VALUES: [f64; 4] = [0.25, 1.0, 1.5, 8.0];

/// Sample name (with labels, without `le`) → (cumulative buckets, count).
fn check_render(text: &str, previous_counts: &mut HashMap<String, u64>) {
    let mut buckets: HashMap<String, Vec<u64>> = HashMap::new();
    let mut counts: HashMap<String, u64> = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        if let Some(rest) = series.strip_prefix("load_latency_seconds_bucket{") {
            let shard = rest.split(',').next().unwrap().to_owned();
            buckets
                .entry(shard)
                .or_default()
                .push(value.parse().unwrap());
        } else if let Some(rest) = series.strip_prefix("load_latency_seconds_count{") {
            counts.insert(
                rest.trim_end_matches('}').to_owned(),
                value.parse().unwrap(),
            );
        } else if series.starts_with("load_items_total") {
            let value: u64 = value.parse().unwrap();
            let before = previous_counts
                .insert(series.to_owned(), value)
                .unwrap_or(0);
            assert!(value >= before, "{series} went from {before} to {value}");
        } else {
            // Every other line still parses as a number.
            assert!(value.parse::<f64>().is_ok() || value == "NaN", "{line}");
        }
    }
    assert_eq!(buckets.len(), 2);
    for (shard, cumulative) in &buckets {
        assert_eq!(cumulative.len(), 5, "{shard}");
        assert!(
            cumulative.windows(2).all(|w| w[0] <= w[1]),
            "{shard}: {cumulative:?}"
        );
        assert_eq!(
            cumulative.last(),
            counts.get(shard),
            "{shard}: +Inf must equal _count"
        );
    }
}

#[test]
fn renders_stay_self_consistent_while_threads_observe_and_totals_are_exact() {
    let load = LoadMetrics::new();
    let registry = Registry::new().with(&load);
    let done = AtomicBool::new(false);
    // Renders made while the workers were between their first and last
    // observation: the workers wait half-way until there are 8, so that
    // renders overlap the recording on any machine.
    let overlapped = AtomicUsize::new(0);
    let mut renders = 0;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (load, overlapped) = (&load, &overlapped);
                s.spawn(move || {
                    for i in 0..PER_THREAD {
                        if i == PER_THREAD / 2 {
                            let deadline = Instant::now() + Duration::from_secs(30);
                            while overlapped.load(Ordering::Acquire) < 8 {
                                assert!(Instant::now() < deadline, "no render within 30 s");
                                std::thread::yield_now();
                            }
                        }
                        // Every shard sees every value equally often.
                        let shard = Shard::from_index((i / VALUES.len() + t) % 2).unwrap();
                        let value = VALUES[i % VALUES.len()];
                        load.items_total(shard).inc();
                        load.latency(shard).observe(value);
                        load.size(shard).observe(value);
                    }
                })
            })
            .collect();
        s.spawn(|| {
            for worker in workers {
                worker.join().unwrap();
            }
            done.store(true, Ordering::Release);
        });
        let mut previous = HashMap::new();
        let mut buf = Vec::new();
        // Bounded: the workers finish in well under a second.
        loop {
            let started = Shard::all().any(|shard| load.items_total(shard).get() > 0);
            buf.clear();
            registry.render_into(Format::Prometheus, &mut buf);
            if started && !done.load(Ordering::Acquire) {
                overlapped.fetch_add(1, Ordering::Release);
            }
            check_render(std::str::from_utf8(&buf).unwrap(), &mut previous);
            renders += 1;
            if done.load(Ordering::Acquire) || renders >= 100_000 {
                break;
            }
        }
    });

    let total = (THREADS * PER_THREAD) as u64;
    let per_shard_sum: f64 = VALUES.iter().sum::<f64>() * (total / 2 / 4) as f64;
    for shard in Shard::all() {
        assert_eq!(load.items_total(shard).get(), total / 2);
        let histogram = load.latency(shard).snapshot();
        assert_eq!(histogram.count(), total / 2);
        assert_eq!(histogram.sum, per_shard_sum);
        // 0.25 → le 0.5; 1.0 → le 1; 1.5 → le 2; 8.0 → +Inf.
        let quarter = total / 2 / 4;
        assert_eq!(
            histogram.cumulative.as_slice(),
            &[quarter, 2 * quarter, 3 * quarter, 3 * quarter, 4 * quarter]
        );
        let summary = load.size(shard).snapshot();
        assert_eq!(summary.count, total / 2);
        assert_eq!(summary.sum, per_shard_sum);
    }
    let overlapped = overlapped.into_inner();
    assert!(
        overlapped >= 8,
        "{overlapped} renders overlapped the recording"
    );
    println!("{renders} renders checked ({overlapped} while {THREADS} threads observed)");
}
