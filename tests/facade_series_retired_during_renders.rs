//! Facade series retired and their slots taken by new series while every
//! output renders in a loop (both text formats, protobuf, remote write,
//! OTLP, StatsD lines and the snapshot): a family of 16 slots, series idle
//! after 20 ms, and 2,000 keys coming and going, so that slots change hands
//! hundreds of times during the renders. No render writes a series with an
//! empty label value, twice, or with another series' value (each key `i`
//! only ever adds `i + 1`, so its value is a multiple of `i + 1`). One
//! test: the facade is one per process.

use std::time::{Duration, Instant};

use enumeter::facade::FacadeRecorder;
use enumeter::{Registry, Snapshot};
use enumeter_suite::support::outputs::{
    assert_each_value_its_own, check_outputs, LastRenders, OUTPUTS,
};

const KEYS: u64 = 2_000;

#[test]
fn a_slot_changing_hands_is_never_seen_half_way_in_any_output() {
    FacadeRecorder::new()
        .idle_timeout(Some(Duration::from_millis(20)))
        .max_series_per_family(16)
        .install()
        .expect("the first recorder");
    let registry = Registry::new().with(enumeter::facade::group());
    let checks = check_outputs(
        LastRenders::allowing_series_to_leave(),
        &registry,
        "churn_total",
        &["peer", "op"],
        &[None, None],
        |overlap| {
            for i in 0..KEYS {
                if i == KEYS / 2 {
                    overlap();
                }
                let counter =
                    metrics::counter!("churn", "peer" => format!("peer-{i}"), "op" => "read");
                for _ in 0..3 {
                    counter.increment(i + 1);
                }
                // Every value so far is its own key's: a multiple of i + 1.
                let snapshot = Snapshot::of([enumeter::facade::group()]);
                assert_each_value_its_own(&snapshot, "churn_total", "peer");
                std::thread::sleep(Duration::from_micros(500));
            }
        },
    );
    // Idle, every series retires at the next reads (all but the overflow
    // series, which stays).
    let start = Instant::now();
    loop {
        let text = registry.render(enumeter::Format::Prometheus);
        if !text.contains("peer=\"peer-") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{text}");
        std::thread::sleep(Duration::from_millis(30));
    }
    // enumeter's own counts, in the default registry.
    let text = enumeter::registry().render(enumeter::Format::Prometheus);
    let retired = text
        .lines()
        .find_map(|l| l.strip_prefix("enumeter_facade_series_retired_total "))
        .map(|v| v.parse::<u64>().unwrap());
    let overflowed: u64 = text
        .lines()
        .filter_map(|l| l.strip_prefix("enumeter_facade_series_overflow_total{"))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    // Each key got a series of its own, or overflowed (counted), and every
    // series made retired.
    assert_eq!(retired.unwrap() + overflowed, KEYS, "{text}");
    println!(
        "renders checked per output {:?} ({OUTPUTS:?}); series left between renders: {}; \
         retired {}, overflowed {overflowed}",
        checks.checked,
        checks.left,
        retired.unwrap()
    );
    assert!(checks.left > 0, "no series retired during the renders");
}
