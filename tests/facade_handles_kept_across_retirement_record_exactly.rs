//! A facade series retired while dependencies keep its handle, and its
//! slot taken by a new series: 4 threads then record through the old
//! handle and the new one at once, while the test renders; no increment
//! lands under the wrong labels. With room in the family, the old key gets
//! a series of its own again; without (the family holds one series), its
//! records go to the overflow series. Totals are checked exactly against
//! the threads' own counts, and every render on the way holds no value
//! above them. One test: the facade is one per process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use enumeter::facade::FacadeRecorder;
use enumeter::snapshot::Value;
use enumeter::Snapshot;

/// How long a facade series may go without a record: longer than a burst
/// of records takes on a busy machine, so that only the quiet key retires.
const IDLE: Duration = Duration::from_secs(2);
const THREADS: u64 = 4;
const BEFORE: u64 = 5_000;
const AFTER: u64 = 50_000;

fn values(family: &str) -> Vec<(String, u64)> {
    let snapshot = Snapshot::of([enumeter::facade::group()]);
    let mut values: Vec<(String, u64)> = snapshot
        .series
        .iter()
        .filter(|s| s.name == family)
        .map(|s| match s.value {
            Value::Counter(n) => (s.labels[0].1.to_string(), n),
            ref other => panic!("{other:?}"),
        })
        .collect();
    values.sort();
    values
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect()
}

/// Records `BEFORE` a thread through `old`'s handle, waits until `old` is
/// retired, registers `new` (which takes `old`'s slot), then records
/// `AFTER` a thread through both handles at once while rendering.
fn retire_and_reuse(family: &str) -> Vec<(String, u64)> {
    let name = family.strip_suffix("_total").unwrap().to_owned();
    let old = metrics::counter!(name.clone(), "peer" => "old");
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let old = old.clone();
            s.spawn(move || (0..BEFORE).for_each(|_| old.increment(1)));
        }
    });
    assert_eq!(values(family), pairs(&[("old", THREADS * BEFORE)]));
    // Quiet past its idle time: the next reads retire it.
    let start = Instant::now();
    while values(family).iter().any(|(peer, _)| peer == "old") {
        assert!(start.elapsed() < IDLE * 10, "`old` still there");
        std::thread::sleep(Duration::from_millis(100));
    }
    let new = metrics::counter!(name, "peer" => "new");
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (old, new) = (old.clone(), new.clone());
                s.spawn(move || {
                    for _ in 0..AFTER {
                        old.increment(1);
                        new.increment(1);
                    }
                })
            })
            .collect();
        // Renders meanwhile: never a value above what was recorded.
        s.spawn(|| {
            let mut renders = 0;
            while !done.load(Ordering::Relaxed) && renders < 100_000 {
                for (peer, value) in values(family) {
                    assert!(value <= THREADS * AFTER, "{peer} {value}");
                }
                renders += 1;
            }
            println!("{family}: {renders} renders while recording");
        });
        for worker in workers {
            worker.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
    });
    values(family)
}

#[test]
fn old_and_new_handles_record_into_their_own_series_exactly() {
    FacadeRecorder::new()
        .idle_timeout(Some(IDLE))
        .install()
        .expect("the first recorder");

    // Room for the old key again: a series of its own, from zero.
    let both = retire_and_reuse("two_slots_total");
    assert_eq!(
        both,
        pairs(&[("new", THREADS * AFTER), ("old", THREADS * AFTER)])
    );

    // One series in the family: the new key holds it, and the old key's
    // records go to the overflow series, counted once.
    FacadeRecorder::new().max_series_per_family(1);
    let one = retire_and_reuse("one_slot_total");
    assert_eq!(
        one,
        pairs(&[("new", THREADS * AFTER), ("other", THREADS * AFTER)])
    );
    let text = enumeter::registry().render(enumeter::Format::Prometheus);
    assert!(
        text.contains("enumeter_facade_series_overflow_total{reason=\"family_full\"} 1\n"),
        "{text}"
    );
    println!("two slots: {both:?}; one slot: {one:?}");
}
