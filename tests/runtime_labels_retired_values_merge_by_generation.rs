//! `merge_from` with a runtime label whose values retire: instances merge
//! value by value, and the counts an instance still holds of a retired
//! value never reach the value that took its slot, in either instance.

use std::time::{Duration, Instant};

use enumeter::{metrics, runtime_label, Format, LabelValue, Registry};

runtime_label! {
    /// Peers that come and go; room for one.
    pub struct MergedPeer: capacity = 1, idle = Duration::from_millis(50);
}

/// One counter labelled by the retiring label.
#[metrics(namespace = "merged", register = false)]
pub enum Merged {
    /// Hits, by peer.
    #[counter(sparse)]
    HitsTotal {
        #[label(retires)]
        peer: MergedPeer,
    },
}

fn text(metrics: &MergedMetrics) -> String {
    Registry::new().with(metrics).render(Format::Prometheus)
}

fn hits(peer: &str, value: u64) -> String {
    format!(
        "# HELP merged_hits_total Hits, by peer.\n\
         # TYPE merged_hits_total counter\n\
         merged_hits_total{{peer=\"{peer}\"}} {value}\n"
    )
}

#[test]
fn a_retired_value_s_counts_never_merge_into_the_value_that_took_its_slot() {
    let (into, from, spare) = (
        MergedMetrics::new(),
        MergedMetrics::new(),
        MergedMetrics::new(),
    );
    let old = MergedPeer::intern("old").unwrap();
    into.hits_total(old).add(2);
    from.hits_total(old).add(3);
    spare.hits_total(old).add(1);
    into.merge_from(&from);
    assert_eq!(text(&into), hits("old", 5));
    // Quiet past its idle time: a render retires it.
    let start = Instant::now();
    while text(&into).contains("old") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "`old` still there"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // `new` takes the slot. Every instance still holds `old`'s counts in
    // that slot's cells until it records `new` (or merges it in).
    let new = MergedPeer::intern("new").unwrap();
    assert_eq!(new.index(), old.index());
    into.hits_total(new).add(7);
    // `from` holds only `old`'s 3 there: nothing of it merges.
    into.merge_from(&from);
    assert_eq!(text(&into), hits("new", 7));
    // `spare` holds `old`'s 1: merging `from`'s `new` clears it first.
    from.hits_total(new).add(4);
    spare.merge_from(&from);
    assert_eq!(text(&spare), hits("new", 4));
    into.merge_from(&from);
    assert_eq!(text(&into), hits("new", 11));
}
