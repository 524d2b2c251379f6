//! Summaries stay exact over any uptime up to 100 years: the sub-window
//! period tags of their bucket counters never wrap into a counter being
//! read as current, or taken for a newer period, whatever the window.
//!
//! The clock is driven with `observe_at` / `snapshot_at`, past the point
//! where the earlier 24-bit tags wrapped (2^23 periods: about 37 hours for a
//! 1 s window in 60 sub-windows) and across the point where today's tags
//! wrap. Summaries are the only kind that keeps a time window.

use enumeter::metrics;
use enumeter::summary::SummarySpec;

/// Summaries with every shape of window.
#[metrics(namespace = "uptime", register = false)]
pub enum Uptime {
    /// 1 s in 60 sub-windows: 16 ms periods, the shortest `#[summary]` takes.
    #[summary(quantiles = [0.5], max_age_secs = 1, age_buckets = 60, relative_error = 0.05)]
    Short,
    /// 1 s in 5 sub-windows: 200 ms periods.
    #[summary(quantiles = [0.5], max_age_secs = 1, age_buckets = 5, relative_error = 0.05)]
    Fifths,
    /// The default window: 10 minutes in 5 sub-windows.
    #[summary(quantiles = [0.5], relative_error = 0.05)]
    Default,
    /// A week in one window: 7-day periods.
    #[summary(quantiles = [0.5], max_age_secs = 604800, age_buckets = 1, relative_error = 0.05)]
    Week,
}

const YEAR_MS: u64 = 365 * 24 * 3_600 * 1_000 + 6 * 3_600 * 1_000;

/// The period length of each metric, in ms, and how many bits its tags
/// have today.
fn windows() -> [(&'static str, u64, u32); 4] {
    let tag_bits = |max_age_ms: u64, age_buckets: u64| {
        64 - SummarySpec::count_bits_for(max_age_ms, age_buckets)
    };
    [
        ("short", 1_000 / 60, tag_bits(1_000, 60)),
        ("fifths", 200, tag_bits(1_000, 5)),
        ("default", 120_000, tag_bits(600_000, 5)),
        ("week", 604_800_000, tag_bits(604_800_000, 1)),
    ]
}

/// Observes `value` `n` times at `now_ms` into metric `name` of `m`, and
/// reads its median back at `read_ms`.
fn observe(m: &UptimeMetrics, name: &str, value: f64, n: usize, now_ms: u64) {
    for _ in 0..n {
        match name {
            "short" => m.short().observe_at(value, now_ms),
            "fifths" => m.fifths().observe_at(value, now_ms),
            "default" => m.default().observe_at(value, now_ms),
            _ => m.week().observe_at(value, now_ms),
        }
    }
}

fn median(m: &UptimeMetrics, name: &str, now_ms: u64) -> f64 {
    let snapshot = match name {
        "short" => m.short().snapshot_at(now_ms),
        "fifths" => m.fifths().snapshot_at(now_ms),
        "default" => m.default().snapshot_at(now_ms),
        _ => m.week().snapshot_at(now_ms),
    };
    snapshot.quantiles[0].1
}

fn assert_near(name: &str, got: f64, want: f64, when: &str) {
    assert!(
        // The declared 5%, and the last bits of the float arithmetic.
        (got - want).abs() <= want * 0.050_000_1,
        "{name}: median {got} at {when}, expected {want}"
    );
}

#[test]
fn tags_cover_a_hundred_years_for_every_window() {
    for (name, period_ms, tag_bits) in windows() {
        // An age up to half the tag range reads as the past.
        let horizon_ms = (1u128 << (tag_bits - 1)) * u128::from(period_ms);
        assert!(
            horizon_ms >= 100 * u128::from(YEAR_MS),
            "{name}: {tag_bits} tag bits cover only {} years",
            horizon_ms / u128::from(YEAR_MS)
        );
        // And the count keeps enough bits for 1e9 observations a second.
        let count_bits = 64 - tag_bits;
        let per_second = (1u128 << count_bits) * 1000 / u128::from(period_ms);
        assert!(per_second >= 1_000_000_000, "{name}: {per_second}/s");
    }
}

/// The windows for which `periods` periods are within 100 years (a week's
/// periods reach 2^23 only after 160,000 years).
fn windows_reaching(periods: u64) -> impl Iterator<Item = (&'static str, u64, u32)> {
    windows()
        .into_iter()
        .filter(move |&(_, period_ms, _)| periods * period_ms <= 100 * YEAR_MS)
}

#[test]
fn a_counter_untouched_for_a_whole_old_tag_cycle_is_not_read_as_current() {
    let m = UptimeMetrics::new();
    assert_eq!(windows_reaching(1 << 24).count(), 3);
    for (name, period_ms, _) in windows_reaching(1 << 24) {
        let start = 5 * period_ms;
        observe(&m, name, 100.0, 5, start);
        // 2^24 periods later the earlier 24-bit tag read the same again.
        let later = start + (1 << 24) * period_ms;
        assert!(
            median(&m, name, later).is_nan(),
            "{name}: observations from {} days ago read as current",
            (later - start) / 86_400_000
        );
        observe(&m, name, 1.0, 3, later);
        assert_near(name, median(&m, name, later), 1.0, "2^24 periods");
    }
}

#[test]
fn a_counter_untouched_for_half_an_old_tag_cycle_takes_new_observations() {
    let m = UptimeMetrics::new();
    for (name, period_ms, _) in windows_reaching((1 << 23) + 1) {
        let start = 7 * period_ms;
        observe(&m, name, 100.0, 5, start);
        // Past 2^23 periods the earlier tags read as the future: the new
        // observations went into the stale count and were not read back.
        let later = start + ((1 << 23) + 1) * period_ms;
        observe(&m, name, 1.0, 3, later);
        assert_near(name, median(&m, name, later), 1.0, "2^23 + 1 periods");
    }
}

#[test]
fn observations_stay_exact_across_the_point_where_todays_tags_wrap() {
    let m = UptimeMetrics::new();
    for (name, period_ms, tag_bits) in windows() {
        let wrap = (1u64 << tag_bits) * period_ms;
        // Observe in every period from 3 before the wrap to 3 after it, a
        // value per period; the window must hold exactly its own periods.
        let age_buckets = match name {
            "short" => 60,
            "week" => 1,
            _ => 5,
        };
        for step in 0..6u64 {
            let now = wrap - 3 * period_ms + step * period_ms;
            let value = 10.0 * (step + 1) as f64;
            observe(&m, name, value, 1, now);
            let in_window: Vec<f64> = (step.saturating_sub(age_buckets - 1)..=step)
                .map(|s| 10.0 * (s + 1) as f64)
                .collect();
            // The median of the window (nearest rank).
            let want = in_window[in_window.len().div_ceil(2) - 1];
            assert_near(name, median(&m, name, now), want, &format!("wrap {step}"));
        }
    }
}

#[test]
fn a_counter_untouched_for_a_century_is_not_read_as_current() {
    let m = UptimeMetrics::new();
    for (name, period_ms, _) in windows() {
        observe(&m, name, 100.0, 5, 0);
        let later = 100 * YEAR_MS / period_ms * period_ms;
        assert!(median(&m, name, later).is_nan(), "{name}: 100 years");
        observe(&m, name, 1.0, 1, later);
        assert_near(name, median(&m, name, later), 1.0, "100 years");
        assert_eq!(
            match name {
                "short" => m.short().snapshot_at(later).count,
                "fifths" => m.fifths().snapshot_at(later).count,
                "default" => m.default().snapshot_at(later).count,
                _ => m.week().snapshot_at(later).count,
            },
            6,
            "{name}: _count covers all time"
        );
    }
}

#[test]
fn merging_instances_a_whole_old_tag_cycle_apart_keeps_only_the_current_counts() {
    let (old, new) = (UptimeMetrics::new(), UptimeMetrics::new());
    let period_ms = 1_000 / 60;
    for _ in 0..5 {
        old.short().observe_at(100.0, 0);
    }
    let later = (1 << 24) * period_ms;
    new.short().observe_at(1.0, later);
    new.merge_from(&old);
    let snapshot = new.short().snapshot_at(later);
    assert_eq!(snapshot.count, 6);
    assert_near("merged", snapshot.quantiles[0].1, 1.0, "merge");
}
