//! Summary quantiles stay within the declared relative error of the exact
//! quantile on several distributions, and reflect only the last `max_age`.

use enumeter::metrics;

/// Accuracy test metrics.
#[metrics(namespace = "accuracy")]
pub enum Accuracy {
    /// Default error (1%).
    #[summary(quantiles = [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999])]
    Default,
    /// 2% error.
    #[summary(quantiles = [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999], relative_error = 0.02)]
    Coarse,
    /// A one-minute window in 4 sub-windows of 15 s.
    #[summary(quantiles = [0.5, 0.99], max_age_secs = 60, age_buckets = 4)]
    Windowed,
}

/// A small deterministic generator (xorshift64*), so every run checks the
/// same samples.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        // Box–Muller.
        (-2.0 * self.unit().ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

fn distributions() -> Vec<(&'static str, Vec<f64>)> {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let n = 50_000;
    let uniform = (0..n).map(|_| 1.0 + 999.0 * rng.unit()).collect();
    let log_normal = (0..n).map(|_| (3.0 + 1.5 * rng.normal()).exp()).collect();
    let bimodal = (0..n)
        .map(|i| {
            if i % 3 == 0 {
                (5.0 + rng.normal()).max(0.01)
            } else {
                800.0 + 50.0 * rng.normal()
            }
        })
        .collect();
    let constant = vec![42.0; n];
    // Pareto with α = 1.1: a heavy tail reaching far into the millions.
    let heavy_tail = (0..n).map(|_| 0.5 / rng.unit().powf(1.0 / 1.1)).collect();
    // Log-uniform over the whole promised range, 1e-6 to 1e9.
    let full_range = (0..n).map(|_| 1e-6 * 1e15f64.powf(rng.unit())).collect();
    vec![
        ("uniform", uniform),
        ("log-normal", log_normal),
        ("bimodal", bimodal),
        ("constant", constant),
        ("heavy tail", heavy_tail),
        ("1e-6 to 1e9", full_range),
    ]
}

/// The nearest-rank quantile of `sorted` (its ⌈q·n⌉-th smallest value), the
/// quantile the sketch estimates.
fn exact(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1]
}

fn assert_within(
    name: &str,
    values: &[f64],
    snapshot: &enumeter::summary::SummarySnapshot,
    bound: f64,
) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut worst: f64 = 0.0;
    for &(q, estimate) in &snapshot.quantiles {
        let truth = exact(&sorted, q);
        let error = (estimate - truth).abs() / truth;
        worst = worst.max(error);
        assert!(
            error <= bound,
            "{name}: q={q} estimate {estimate} vs exact {truth}: relative error {error} > {bound}"
        );
    }
    worst
}

#[test]
fn quantiles_are_within_the_declared_relative_error_on_every_distribution() {
    for (name, values) in distributions() {
        let accuracy = AccuracyMetrics::new();
        for &v in &values {
            accuracy.default().observe_at(v, 1_000);
            accuracy.coarse().observe_at(v, 1_000);
        }
        let fine = accuracy.default().snapshot_at(1_000);
        assert_eq!(fine.count, values.len() as u64);
        let worst = assert_within(name, &values, &fine, 0.01);
        let coarse = accuracy.coarse().snapshot_at(1_000);
        let worst_coarse = assert_within(name, &values, &coarse, 0.02);
        println!("{name}: worst relative error {worst:.5} at 1%, {worst_coarse:.5} at 2%");
    }
}

#[test]
fn an_old_spike_ages_out_of_the_window() {
    let accuracy = AccuracyMetrics::new();
    let windowed = accuracy.windowed();
    // t = 0 s: a spike of slow requests.
    for _ in 0..1000 {
        windowed.observe_at(5000.0, 0);
    }
    // t = 30 s: ordinary traffic.
    for _ in 0..100 {
        windowed.observe_at(10.0, 30_000);
    }
    let during = windowed.snapshot_at(30_000);
    assert!(
        (during.quantiles[0].1 - 5000.0).abs() / 5000.0 <= 0.01,
        "{during:?}"
    );
    // t = 59.9 s: the spike is still inside the one-minute window.
    assert!(windowed.snapshot_at(59_900).quantiles[0].1 > 4900.0);
    // t = 75 s: the spike's sub-window (0–15 s) is more than a minute old.
    let after = windowed.snapshot_at(75_000);
    assert!(
        (after.quantiles[0].1 - 10.0).abs() / 10.0 <= 0.01,
        "{after:?}"
    );
    assert!(
        (after.quantiles[1].1 - 10.0).abs() / 10.0 <= 0.01,
        "{after:?}"
    );
    // t = 100 s: nothing left in the window; sum and count are all-time.
    let empty = windowed.snapshot_at(100_000);
    assert!(
        empty.quantiles.iter().all(|&(_, v)| v.is_nan()),
        "{empty:?}"
    );
    assert_eq!(empty.count, 1100);
    assert_eq!(empty.sum, 5000.0 * 1000.0 + 10.0 * 100.0);
    // A sub-window reused after a full turn starts from zero.
    windowed.observe_at(1.0, 120_000);
    let reused = windowed.snapshot_at(120_000);
    assert!((reused.quantiles[1].1 - 1.0).abs() <= 0.01, "{reused:?}");
}

#[test]
fn quantiles_are_nearest_rank_so_the_p99_of_four_values_is_the_largest() {
    let accuracy = AccuracyMetrics::new();
    for v in [380.0, 420.0, 515.0, 910.0] {
        accuracy.windowed().observe_at(v, 0);
    }
    let snapshot = accuracy.windowed().snapshot_at(0);
    let [(_, p50), (_, p99)] = snapshot.quantiles[..] else {
        panic!("{snapshot:?}")
    };
    // The 2nd and 4th smallest of four, within 1%.
    assert!((p50 - 420.0).abs() / 420.0 <= 0.01, "{p50}");
    assert!((p99 - 910.0).abs() / 910.0 <= 0.01, "{p99}");
}
