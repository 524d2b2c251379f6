//! A dependency that records more label values than the facade keeps: the
//! exposition holds the cap plus one overflow series per family (every
//! label `other`), the overflow counter counts each folded key once, totals
//! stay exact, and memory stays flat while keys keep coming. One test: the
//! facade and its caps are one per process.

use std::time::{Duration, Instant};

use enumeter::facade::FacadeRecorder;
use enumeter::{Format, Registry, Value};
use enumeter_suite::support::own_counter;

const PER_FAMILY: usize = 50;
const ALL: usize = 120;

fn overflowed(reason: &str) -> u64 {
    own_counter(
        "enumeter_facade_series_overflow_total",
        &[("reason", reason)],
    )
}

/// The series of family `name` in the facade's render: (label value, count).
fn series(name: &str) -> Vec<(String, u64)> {
    let registry = Registry::new().with(enumeter::facade::group());
    registry
        .snapshot()
        .series
        .iter()
        .filter(|s| s.name == name)
        .map(|s| {
            let value = match s.value {
                Value::Counter(n) => n,
                ref other => panic!("{other:?}"),
            };
            (s.labels.first().map_or("", |l| &*l.1).to_owned(), value)
        })
        .collect()
}

/// This process's resident set, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[test]
fn ten_times_the_cap_keeps_the_cap_and_counts_what_overflowed() {
    FacadeRecorder::new()
        .max_series_per_family(PER_FAMILY)
        .max_series(ALL)
        .install()
        .expect("the first recorder");

    // Ten times the family's cap of distinct values, each recorded twice.
    for round in 0..2 {
        for i in 0..10 * PER_FAMILY {
            metrics::counter!("churn", "peer" => format!("peer-{i}")).increment(1);
        }
        assert_eq!(
            overflowed("family_full"),
            9 * PER_FAMILY as u64,
            "round {round}"
        );
    }
    let churn = series("churn_total");
    assert_eq!(churn.len(), PER_FAMILY + 1, "{churn:?}");
    for (i, (peer, count)) in churn.iter().take(PER_FAMILY).enumerate() {
        assert_eq!((peer.as_str(), *count), (format!("peer-{i}").as_str(), 2));
    }
    assert_eq!(
        churn.last().unwrap(),
        &("other".to_owned(), 2 * 9 * PER_FAMILY as u64)
    );
    // Other label names than the family's: into its overflow series.
    metrics::counter!("churn", "host" => "a").increment(5);
    assert_eq!(overflowed("label_names"), 1);
    assert_eq!(
        series("churn_total").last().unwrap().1,
        2 * 9 * PER_FAMILY as u64 + 5
    );

    // The cap of all families: 50 more fit in a second family, 20 in a
    // third; the rest of the third overflows as `all_full`.
    for i in 0..PER_FAMILY {
        metrics::counter!("second", "k" => format!("{i}")).increment(1);
    }
    for i in 0..30 {
        metrics::counter!("third", "k" => format!("{i}")).increment(1);
    }
    assert_eq!(series("second_total").len(), PER_FAMILY);
    let third = series("third_total");
    assert_eq!(third.len(), ALL - 2 * PER_FAMILY + 1, "{third:?}");
    assert_eq!(third.last().unwrap(), &("other".to_owned(), 10));
    assert_eq!(overflowed("all_full"), 10);

    // A family without labels made once every series is taken: its one
    // series is shown (and counted as not fitting).
    metrics::counter!("lonely").increment(3);
    assert_eq!(overflowed("all_full"), 11);
    assert_eq!(series("lonely_total"), [(String::new(), 3)]);
    // A dependency's own `other` is the overflow series, never a second
    // series with its labels; not counted as overflowed.
    metrics::counter!("churn", "peer" => "other").increment(7);
    assert_eq!(overflowed("family_full"), 9 * PER_FAMILY as u64);

    // The exposition holds what the snapshot holds.
    let text = Registry::new()
        .with(enumeter::facade::group())
        .render(Format::Prometheus);
    assert_eq!(text.matches("churn_total{").count(), PER_FAMILY + 1);
    assert!(text.contains("churn_total{peer=\"other\"} 912\n"), "{text}");

    // Churn: new keys keep coming for a minute. The keys that overflowed are
    // remembered up to four times the cap of all series; past that they are
    // counted at each registration and kept nowhere: memory stays flat.
    let start = Instant::now();
    let mut i = 0u64;
    let mut before = 0;
    while start.elapsed() < Duration::from_secs(60) {
        metrics::counter!("churn", "peer" => format!("late-{i}")).increment(1);
        i += 1;
        if i == 100_000 {
            before = rss();
        }
    }
    let after = rss();
    println!(
        "{i} new keys in 60 s; resident {:.1} MB after the first 100,000, {:.1} MB at the end",
        before as f64 / 1e6,
        after as f64 / 1e6
    );
    assert!(i > 200_000, "only {i} keys in 60 s");
    assert!(
        after < before + 2_000_000,
        "resident grew from {before} to {after} bytes"
    );
    assert_eq!(series("churn_total").len(), PER_FAMILY + 1);
    assert_eq!(
        overflowed("family_full"),
        9 * PER_FAMILY as u64 + i,
        "each late key counted once per registration"
    );
}
