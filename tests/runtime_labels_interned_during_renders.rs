//! A runtime label's value interned while a render runs is never written
//! empty, in any output: one thread interns new values and records into
//! them while the test renders every output in a loop (both text formats,
//! protobuf, remote write, OTLP, StatsD lines and the snapshot), and each
//! render is read back and checked for a series with an empty value, a
//! series written twice, and a series that went missing since the render
//! before (a recorded series never disappears).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use enumeter::push::encode_write_request;
use enumeter::push::otlp::encode_export_request;
use enumeter::push::statsd::StatsdEncoder;
use enumeter::{metrics, runtime_label, Format, LabelValue, Registry};
use enumeter_proto::exposition::decode_families;
use enumeter_proto::otlp::ExportMetricsServiceRequest;
use enumeter_proto::remote_write::WriteRequest;
use enumeter_suite::support::StoreOnDrop;
use prost::Message;

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

/// The outputs, each read back as its series' label sets (the peer and
/// the operation), in the order written.
const OUTPUTS: [&str; 7] = [
    "prometheus",
    "openmetrics",
    "protobuf",
    "remote write",
    "otlp",
    "statsd",
    "snapshot",
];

/// The (peer, op) of every series of `output`'s render of `registry`.
fn series_of(output: &str, registry: &Registry<'_>) -> Vec<(String, String)> {
    let text_series = |text: &str, prefix: &str| -> Vec<(String, String)> {
        text.lines()
            .filter_map(|line| line.strip_prefix(prefix))
            .map(|rest| {
                let labels = rest.split_once('}').expect("a closed label set").0;
                let peer = labels
                    .strip_prefix("peer=\"")
                    .and_then(|l| l.split_once('"'))
                    .expect("peer first")
                    .0;
                let op = labels.split_once("op=\"").expect("op").1;
                (peer.to_owned(), op.trim_end_matches('"').to_owned())
            })
            .collect()
    };
    match output {
        "prometheus" => text_series(&registry.render(Format::Prometheus), "late_hits_total{"),
        "openmetrics" => text_series(&registry.render(Format::OpenMetrics), "late_hits_total{"),
        "protobuf" => {
            let mut bytes = Vec::new();
            registry.render_into(Format::Protobuf, &mut bytes);
            decode_families(&bytes)
                .unwrap()
                .iter()
                .flat_map(|f| f.metric.iter())
                .map(|m| {
                    let value = |name: &str| {
                        m.label
                            .iter()
                            .find(|l| l.name == name)
                            .map(|l| l.value.clone())
                            .unwrap_or_default()
                    };
                    (value("peer"), value("op"))
                })
                .collect()
        }
        "remote write" => {
            let bytes = encode_write_request(registry, &[], 0);
            WriteRequest::decode(bytes.as_slice())
                .unwrap()
                .timeseries
                .iter()
                .map(|t| {
                    let value = |name: &str| {
                        t.labels
                            .iter()
                            .find(|l| l.name == name)
                            .map(|l| l.value.clone())
                            .unwrap_or_default()
                    };
                    (value("peer"), value("op"))
                })
                .collect()
        }
        "otlp" => {
            let bytes = encode_export_request(registry, &[], 0);
            let request = ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
            request
                .resource_metrics
                .iter()
                .flat_map(|r| r.scope_metrics.iter())
                .flat_map(|s| s.metrics.iter())
                .flat_map(|m| m.sum.iter().flat_map(|sum| sum.data_points.iter()))
                .map(|p| {
                    let value = |name: &str| {
                        p.attributes
                            .iter()
                            .find(|a| a.key == name)
                            .and_then(|a| a.value.as_ref()?.string_value.clone())
                            .unwrap_or_default()
                    };
                    (value("peer"), value("op"))
                })
                .collect()
        }
        "statsd" => StatsdEncoder::new()
            .encode(registry)
            .iter()
            .map(|line| {
                let tags = line.split_once("|#").expect("tags").1;
                let tag = |name: &str| {
                    tags.split(',')
                        .find_map(|t| t.strip_prefix(name)?.strip_prefix(':'))
                        .unwrap_or_default()
                        .to_owned()
                };
                (tag("peer"), tag("op"))
            })
            .collect(),
        "snapshot" => registry
            .snapshot()
            .series
            .iter()
            .map(|s| (s.labels[0].1.to_owned(), s.labels[1].1.to_owned()))
            .collect(),
        other => panic!("no output {other}"),
    }
}

#[test]
fn a_value_interned_during_a_render_is_never_written_empty_in_any_output() {
    const VALUES: usize = 300;
    let late = LateMetrics::new();
    let registry = Registry::new().with(&late);
    let done = AtomicBool::new(false);
    let renders = AtomicUsize::new(0);
    let mut checked = [0usize; OUTPUTS.len()];
    std::thread::scope(|s| {
        let interner = s.spawn(|| {
            let _stop = StoreOnDrop(&done, true);
            for i in 0..VALUES {
                // Half-way, wait for a round of renders of every output, so
                // that renders overlap interning on any machine.
                if i == VALUES / 2 {
                    let deadline = Instant::now() + Duration::from_secs(30);
                    while renders.load(Ordering::Acquire) < 2 * OUTPUTS.len() {
                        assert!(Instant::now() < deadline, "no renders within 30 s");
                        std::thread::yield_now();
                    }
                }
                let peer = Peer::intern(&format!("peer-{i}")).unwrap();
                late.hits_total(peer, Op::Read).inc();
                std::thread::sleep(Duration::from_micros(50));
            }
        });
        // Each output's series seen in its previous render: they stay.
        let mut previous: Vec<BTreeSet<(String, String)>> = vec![BTreeSet::new(); OUTPUTS.len()];
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let finished = done.load(Ordering::Acquire);
            for (o, output) in OUTPUTS.iter().enumerate() {
                let series = series_of(output, &registry);
                for (peer, op) in &series {
                    assert!(!peer.is_empty(), "{output}: a series with an empty peer");
                    assert_eq!(op, "read", "{output}: {peer}");
                }
                let unique: BTreeSet<_> = series.iter().cloned().collect();
                assert_eq!(
                    unique.len(),
                    series.len(),
                    "{output}: a series written twice"
                );
                let missing: Vec<_> = previous[o].difference(&unique).collect();
                assert!(
                    missing.is_empty(),
                    "{output}: series went missing: {missing:?}"
                );
                previous[o] = unique;
                checked[o] += 1;
                renders.fetch_add(1, Ordering::Release);
            }
            if finished || Instant::now() > deadline {
                break;
            }
        }
        interner.join().unwrap();
        // Every output ends with every value, after the last interning.
        for (o, output) in OUTPUTS.iter().enumerate() {
            assert_eq!(previous[o].len(), VALUES, "{output}");
        }
    });
    println!("renders checked per output: {checked:?}");
}
