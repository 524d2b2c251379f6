//! A runtime label value retired while handles of it are kept, and its
//! slot taken by a new value: 4 threads then record through the old handle
//! and the new one at once while the test renders. No increment lands
//! under the wrong value: the new value's series holds exactly the
//! threads' records through its handle, the old handle's records go to
//! `other` (counted as stale, exactly), and no render on the way shows the
//! old value again or a count above the threads'. A label with room for
//! one value, so that the new value can only take the old one's slot.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use enumeter::snapshot::Value;
use enumeter::{metrics, runtime_label, Format, LabelValue, Registry, Snapshot};

/// Longer than a burst of records takes on a busy machine, so that only
/// the quiet value retires.
const IDLE: Duration = Duration::from_millis(500);
const THREADS: u64 = 4;
const BEFORE: u64 = 5_000;
const AFTER: u64 = 50_000;

runtime_label! {
    /// Peers that come and go; room for one.
    pub struct RetiringPeer: capacity = 1, idle = IDLE;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Op {
    Read,
    Write,
}

/// A counter and a histogram labelled by the retiring label.
#[metrics(namespace = "kept", register = false)]
pub enum Kept {
    /// Hits, by peer and operation.
    #[counter(sparse)]
    HitsTotal {
        #[label(retires)]
        peer: RetiringPeer,
        op: Op,
    },
    /// Sizes, by peer.
    #[histogram(sparse, buckets = [1.0, 10.0])]
    Size {
        #[label(retires)]
        peer: RetiringPeer,
    },
}

/// `(peer, op, value)` of each hits series.
type Hits = Vec<(String, String, u64)>;
/// `(peer, count)` of each size series.
type Sizes = Vec<(String, u64)>;

fn values(kept: &KeptMetrics) -> (Hits, Sizes) {
    let snapshot = Snapshot::of([kept as &dyn enumeter::Group]);
    let mut hits = Vec::new();
    let mut sizes = Vec::new();
    for series in &snapshot.series {
        match (&series.value, series.name) {
            (Value::Counter(n), "kept_hits_total") => hits.push((
                series.labels[0].1.to_string(),
                series.labels[1].1.to_string(),
                *n,
            )),
            (Value::Histogram { cumulative, .. }, "kept_size") => {
                sizes.push((series.labels[0].1.to_string(), *cumulative.last().unwrap()))
            }
            (other, name) => panic!("{name}: {other:?}"),
        }
    }
    hits.sort();
    sizes.sort();
    (hits, sizes)
}

fn hits(expected: &[(&str, u64)]) -> Hits {
    expected
        .iter()
        .map(|(p, n)| ((*p).to_owned(), "read".to_owned(), *n))
        .collect()
}

fn sizes(expected: &[(&str, u64)]) -> Sizes {
    expected
        .iter()
        .map(|(p, n)| ((*p).to_owned(), *n))
        .collect()
}

/// The value of enumeter's own `name{label="RetiringPeer"}`.
fn self_count(name: &str) -> u64 {
    enumeter_suite::support::self_count(name, "RetiringPeer")
}

#[test]
fn a_retired_value_s_handle_never_records_into_the_value_that_took_its_slot() {
    let kept = KeptMetrics::new();
    let registry = Registry::new().with(&kept);
    let old = RetiringPeer::intern("old").unwrap();
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let kept = &kept;
            s.spawn(move || {
                for _ in 0..BEFORE {
                    kept.hits_total(old, Op::Read).inc();
                    kept.size(old).observe(5.0);
                }
            });
        }
    });
    assert_eq!(
        values(&kept),
        (
            hits(&[("old", THREADS * BEFORE)]),
            sizes(&[("old", THREADS * BEFORE)])
        )
    );
    // Full: a second value is `other` until `old` retires.
    assert_eq!(RetiringPeer::intern("new").unwrap(), RetiringPeer::OTHER);
    // Quiet past its idle time: a render retires it.
    let start = Instant::now();
    while registry.render(Format::Prometheus).contains("peer=\"old\"") {
        assert!(start.elapsed() < IDLE * 20, "`old` still there");
        std::thread::sleep(IDLE / 5);
    }
    assert_eq!(values(&kept), (vec![], vec![]));
    assert!(!old.is_current());
    assert_eq!(old.name(), None);
    assert_eq!(self_count("enumeter_runtime_label_retired_total"), 1);

    // `new` takes the slot `old` had, at the next generation.
    let new = RetiringPeer::intern("new").unwrap();
    assert_eq!(new.index(), old.index());
    assert_ne!(new, old);
    assert_eq!(new.name().as_deref(), Some("new"));
    let done = AtomicBool::new(false);
    let renders = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let kept = &kept;
                s.spawn(move || {
                    for _ in 0..AFTER {
                        kept.hits_total(old, Op::Read).inc();
                        kept.hits_total(new, Op::Read).inc();
                        kept.size(new).observe(5.0);
                    }
                })
            })
            .collect();
        // Renders meanwhile: `old` never again, no count above the
        // threads'.
        let renderer = s.spawn(|| {
            let mut renders = 0;
            while !done.load(Ordering::Acquire) {
                let (hits, sizes) = values(&kept);
                for (peer, _, n) in &hits {
                    assert!(peer == "new" || peer == "other", "{hits:?}");
                    assert!(*n <= THREADS * AFTER, "{hits:?}");
                }
                for (peer, n) in &sizes {
                    assert!(peer == "new" && *n <= THREADS * AFTER, "{sizes:?}");
                }
                let text = registry.render(Format::OpenMetrics);
                assert!(!text.contains("peer=\"old\""), "{text}");
                renders += 1;
            }
            renders
        });
        for worker in workers {
            worker.join().unwrap();
        }
        done.store(true, Ordering::Release);
        renderer.join().unwrap()
    });
    // Exact: the new value holds its own records only, the old handle's
    // went to `other`, each counted as stale.
    assert_eq!(
        values(&kept),
        (
            hits(&[("new", THREADS * AFTER), ("other", THREADS * AFTER)]),
            sizes(&[("new", THREADS * AFTER)])
        )
    );
    assert_eq!(
        self_count("enumeter_runtime_label_stale_records_total"),
        THREADS * AFTER
    );
    // Interned again, `old` has a handle that names it: a slot frees when
    // `new` goes quiet.
    assert_eq!(RetiringPeer::intern("old").unwrap(), RetiringPeer::OTHER);
    println!(
        "new {} and other {} exactly, {renders} renders checked meanwhile",
        THREADS * AFTER,
        THREADS * AFTER
    );
}
