//! Runtime label values retired and their slots taken by new values while
//! every output renders in a loop (both text formats, protobuf, remote
//! write, OTLP, StatsD lines and the snapshot): a label with room for 16
//! values, idle after 20 ms, and 2,000 values coming and going, so that
//! slots change hands hundreds of times during the renders. No render
//! writes a series with an empty value, twice, or with another value's
//! count (each value `i` only ever adds `i + 1`, so its count is a multiple
//! of `i + 1`); a value interned into a retired value's slot shows no
//! series until recorded into.

use std::time::{Duration, Instant};

use enumeter::{metrics, runtime_label, Format, LabelValue, Registry, Snapshot};
use enumeter_suite::support::outputs::{
    assert_each_value_its_own, check_outputs, LastRenders, OUTPUTS,
};

const VALUES: u64 = 2_000;

runtime_label! {
    /// Peers that come and go.
    pub struct ChurningPeer: capacity = 16, idle = Duration::from_millis(20);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Op {
    Read,
    Write,
}

/// A sparse counter labelled by the retiring label and an enum.
#[metrics(namespace = "churn", register = false)]
pub enum Churn {
    /// Hits, by peer and operation.
    #[counter(sparse)]
    HitsTotal {
        #[label(retires)]
        peer: ChurningPeer,
        op: Op,
    },
}

/// The value of enumeter's own `name{label="ChurningPeer"}`.
fn self_count(name: &str) -> u64 {
    enumeter_suite::support::self_count(name, "ChurningPeer")
}

#[test]
fn a_slot_changing_values_is_never_seen_half_way_in_any_output() {
    let churn = ChurnMetrics::new();
    let registry = Registry::new().with(&churn);
    let checks = check_outputs(
        LastRenders::allowing_series_to_leave(),
        &registry,
        "churn_hits_total",
        &["peer", "op"],
        &[None, Some("read")],
        |overlap| {
            for i in 0..VALUES {
                if i == VALUES / 2 {
                    overlap();
                }
                let name = format!("peer-{i}");
                let peer = ChurningPeer::intern(&name).unwrap();
                // Not recorded into yet: no series, though its slot may
                // still hold a retired value's counts.
                let shown = Snapshot::of([&churn as &dyn enumeter::Group]).series;
                assert!(!shown.iter().any(|s| s.labels[0].1 == name), "{shown:?}");
                for _ in 0..3 {
                    churn.hits_total(peer, Op::Read).add(i + 1);
                }
                // Every count so far is its own value's: a multiple of i + 1.
                let snapshot = Snapshot::of([&churn as &dyn enumeter::Group]);
                assert_each_value_its_own(&snapshot, "churn_hits_total", "peer");
                std::thread::sleep(Duration::from_micros(500));
            }
        },
    );
    // Idle, every value retires at the next reads.
    let start = Instant::now();
    loop {
        let text = registry.render(Format::Prometheus);
        if !text.contains("peer=\"peer-") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{text}");
        std::thread::sleep(Duration::from_millis(30));
    }
    assert_eq!(ChurningPeer::interned(), 0);
    // Each value got a slot of its own, or overflowed (counted), and every
    // value held retired.
    let retired = self_count("enumeter_runtime_label_retired_total");
    let overflowed = self_count("enumeter_runtime_label_overflow_total");
    assert_eq!(retired + overflowed, VALUES);
    println!(
        "renders checked per output {:?} ({OUTPUTS:?}); series left between renders: {}; \
         retired {retired}, overflowed {overflowed}",
        checks.checked, checks.left,
    );
    assert!(checks.left > 0, "no series retired during the renders");
}
