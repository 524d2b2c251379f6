//! Nearest-rank quantiles are exact: the rank ⌈q·n⌉ is computed on the
//! decimal the quantile was declared as, never in floating point (where
//! `0.81 * 300.0` is `243.00000000000003` and would take the 244th value).
//!
//! Checked against a sorted reference for every q in 0.01…0.99 and n up
//! to 10,000, on data whose value changes right before and right after
//! every rank the quantiles ask for, so that a rank off by one either way
//! reads a value 3% or more away and fails the 1% bound.

use enumeter::metrics;

/// Every percentile.
#[metrics(namespace = "ranks", register = false)]
pub enum Ranks {
    /// 99 quantiles over a 1 s window of one sub-window.
    #[summary(
        quantiles = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.20, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28, 0.29, 0.30, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37, 0.38, 0.39, 0.40, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49, 0.50, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.58, 0.59, 0.60, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99],
        max_age_secs = 1,
        age_buckets = 1
    )]
    Percentiles,
}

/// ⌈k·n / 100⌉, the nearest rank of quantile k/100 among n values.
fn exact_rank(k: u64, n: u64) -> u64 {
    (k * n).div_ceil(100).clamp(1, n)
}

/// `n` values, sorted, whose level changes just before and just after
/// every rank of the 99 quantiles: the value at 1-based position `p` is
/// `1.03^(2 × #(ranks below p) + (p is a rank))`.
fn data(n: u64) -> Vec<f64> {
    let ranks: Vec<u64> = (1..100).map(|k| exact_rank(k, n)).collect();
    (1..=n)
        .map(|p| {
            let below = ranks.iter().filter(|&&r| r < p).count() as i32;
            let at = i32::from(ranks.contains(&p));
            1.03f64.powi(2 * below + at)
        })
        .collect()
}

#[test]
fn every_percentile_of_up_to_ten_thousand_values_takes_the_exact_rank() {
    let m = RanksMetrics::new();
    let sizes: Vec<u64> = (1..=400)
        .chain((401..=10_000).step_by(97))
        .chain([300, 10_000])
        .collect();
    let mut checked = 0;
    for (case, &n) in sizes.iter().enumerate() {
        // Each case in a window of its own, 2 s after the last.
        let now_ms = case as u64 * 2_000;
        let sorted = data(n);
        // Recorded in an order other than sorted.
        for i in 0..n {
            let shuffled = (i * 7919) % n;
            m.percentiles()
                .observe_at(sorted[shuffled as usize], now_ms);
        }
        let snapshot = m.percentiles().snapshot_at(now_ms);
        for (k, &(q, got)) in (1..100).zip(&snapshot.quantiles) {
            assert_eq!(q, k as f64 / 100.0);
            let want = sorted[exact_rank(k, n) as usize - 1];
            assert!(
                (got - want).abs() <= want * 0.010_000_1,
                "P{k} of {n}: {got}, the {}-th value is {want}",
                exact_rank(k, n)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, sizes.len() * 99);
}

#[test]
fn p81_of_300_values_is_the_243rd() {
    let m = RanksMetrics::new();
    for _ in 0..243 {
        m.percentiles().observe_at(1.0, 0);
    }
    for _ in 0..57 {
        m.percentiles().observe_at(100.49, 0);
    }
    let snapshot = m.percentiles().snapshot_at(0);
    let (q, p81) = snapshot.quantiles[80];
    assert_eq!(q, 0.81);
    assert!((p81 - 1.0).abs() <= 0.01, "P81 = {p81}");
    let (_, p82) = snapshot.quantiles[81];
    assert!((p82 - 100.49).abs() <= 1.0049, "P82 = {p82}");
}
