//! A runtime label's value interned while a render runs is never written
//! empty, in any output: one thread interns new values and records into
//! them while the test renders every output in a loop (both text formats,
//! protobuf, remote write, OTLP, StatsD lines and the snapshot), and each
//! render is read back and checked for a series with an empty value, a
//! series written twice, and a series that went missing since the render
//! before (a recorded series never disappears).

use std::time::Duration;

use enumeter::{metrics, runtime_label, LabelValue, Registry};
use enumeter_suite::support::outputs::{check_every_output_while, OUTPUTS};

runtime_label! {
    /// Peers, interned while the renders run.
    pub struct Peer: capacity = 400;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Op {
    Read,
    Write,
}

/// A sparse counter labelled by the runtime label and an enum.
#[metrics(namespace = "late", register = false)]
pub enum Late {
    /// Hits, by peer and operation.
    #[counter(sparse)]
    HitsTotal { peer: Peer, op: Op },
}

#[test]
fn a_value_interned_during_a_render_is_never_written_empty_in_any_output() {
    const VALUES: usize = 300;
    let late = LateMetrics::new();
    let registry = Registry::new().with(&late);
    let fixed = [None, Some("read")];
    let checks = check_every_output_while(
        &registry,
        "late_hits_total",
        &["peer", "op"],
        &fixed,
        |overlap| {
            for i in 0..VALUES {
                if i == VALUES / 2 {
                    overlap();
                }
                let peer = Peer::intern(&format!("peer-{i}")).unwrap();
                late.hits_total(peer, Op::Read).inc();
                std::thread::sleep(Duration::from_micros(50));
            }
        },
    );
    // Every output ends with every value, after the last interning.
    assert_eq!(checks.last_counts(), [VALUES; OUTPUTS.len()]);
    println!("renders checked per output: {:?}", checks.checked);
}
