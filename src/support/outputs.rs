//! Every output of a registry read back as the label sets of one family's
//! series, in the order written: for the tests that change a registry while
//! it renders and check each render for series written empty, twice, or
//! lost.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use enumeter::push::encode_write_request;
use enumeter::push::otlp::encode_export_request;
use enumeter::push::statsd::StatsdEncoder;
use enumeter::{Format, Registry};
use enumeter_proto::exposition::decode_families;
use enumeter_proto::otlp::ExportMetricsServiceRequest;
use enumeter_proto::remote_write::WriteRequest;
use prost::Message;

/// The outputs [`label_sets`] reads.
pub const OUTPUTS: [&str; 7] = [
    "prometheus",
    "openmetrics",
    "protobuf",
    "remote write",
    "otlp",
    "statsd",
    "snapshot",
];

/// The values of `labels` (an empty string where one is missing) of every
/// series of the counter `family` (its name with `_total`) in `output`'s
/// render of `registry`, in the order written.
pub fn label_sets(
    output: &str,
    registry: &Registry<'_>,
    family: &str,
    labels: &[&str],
) -> Vec<Vec<String>> {
    let pick = |get: &dyn Fn(&str) -> Option<String>| -> Vec<String> {
        labels.iter().map(|l| get(l).unwrap_or_default()).collect()
    };
    let text_series = |text: &str| -> Vec<Vec<String>> {
        let prefix = format!("{family}{{");
        text.lines()
            .filter_map(|line| line.strip_prefix(prefix.as_str()))
            .map(|rest| {
                let set = rest.split_once("} ").expect("a closed label set").0;
                pick(&|name| {
                    let start = set
                        .split(',')
                        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix("=\""))?;
                    Some(start.trim_end_matches('"').to_owned())
                })
            })
            .collect()
    };
    match output {
        "prometheus" => text_series(&registry.render(Format::Prometheus)),
        "openmetrics" => text_series(&registry.render(Format::OpenMetrics)),
        "protobuf" => {
            let mut bytes = Vec::new();
            registry.render_into(Format::Protobuf, &mut bytes);
            decode_families(&bytes)
                .unwrap()
                .iter()
                .filter(|f| f.name == family)
                .flat_map(|f| f.metric.iter())
                .map(|m| {
                    pick(&|name| {
                        let label = m.label.iter().find(|l| l.name == name)?;
                        Some(label.value.clone())
                    })
                })
                .collect()
        }
        "remote write" => {
            let bytes = encode_write_request(registry, &[], 0);
            WriteRequest::decode(bytes.as_slice())
                .unwrap()
                .timeseries
                .iter()
                .filter(|t| {
                    t.labels
                        .iter()
                        .any(|l| l.name == "__name__" && l.value == family)
                })
                .map(|t| {
                    pick(&|name| {
                        let label = t.labels.iter().find(|l| l.name == name)?;
                        Some(label.value.clone())
                    })
                })
                .collect()
        }
        "otlp" => {
            let bytes = encode_export_request(registry, &[], 0);
            let request = ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
            let stem = family.strip_suffix("_total").unwrap_or(family);
            request
                .resource_metrics
                .iter()
                .flat_map(|r| r.scope_metrics.iter())
                .flat_map(|s| s.metrics.iter())
                .filter(|m| m.name == family || m.name == stem)
                .flat_map(|m| m.sum.iter().flat_map(|sum| sum.data_points.iter()))
                .map(|p| {
                    pick(&|name| {
                        let attribute = p.attributes.iter().find(|a| a.key == name)?;
                        attribute.value.as_ref()?.string_value.clone()
                    })
                })
                .collect()
        }
        "statsd" => {
            let stem = family.strip_suffix("_total").unwrap_or(family);
            StatsdEncoder::new()
                .encode(registry)
                .iter()
                .filter(|line| {
                    let name = line.split_once(':').map_or("", |(n, _)| n);
                    name == family || name == stem
                })
                .map(|line| {
                    let tags = line.split_once("|#").map_or("", |(_, t)| t);
                    pick(&|name| {
                        let value = tags
                            .split(',')
                            .find_map(|t| t.strip_prefix(name)?.strip_prefix(':'))?;
                        Some(value.to_owned())
                    })
                })
                .collect()
        }
        "snapshot" => registry
            .snapshot()
            .series
            .iter()
            .filter(|s| s.name == family)
            .map(|s| {
                pick(&|name| {
                    let label = s.labels.iter().find(|l| l.0 == name)?;
                    Some(label.1.to_string())
                })
            })
            .collect(),
        other => panic!("no output {other}"),
    }
}

/// Each output's series of one family in its last render, against which
/// the next render is checked.
pub struct LastRenders {
    previous: Vec<BTreeSet<Vec<String>>>,
    /// Renders checked, per output.
    pub checked: [usize; OUTPUTS.len()],
    /// Whether a series may leave between two renders (series that retire).
    may_leave: bool,
    /// Series that left between two renders, over all outputs.
    pub left: usize,
}

impl Default for LastRenders {
    fn default() -> Self {
        Self {
            previous: vec![BTreeSet::new(); OUTPUTS.len()],
            checked: [0; OUTPUTS.len()],
            may_leave: false,
            left: 0,
        }
    }
}

impl LastRenders {
    /// Checks for a family whose series retire: a series may leave between
    /// two renders (counted in [`left`](Self::left)), and is still never
    /// written empty or twice.
    pub fn allowing_series_to_leave() -> Self {
        Self {
            may_leave: true,
            ..Self::default()
        }
    }

    /// Renders every output of `registry` once and checks its series of
    /// the counter `family`: no value of `labels` empty, each equal to its
    /// `fixed` value where one is given, no series written twice, none gone
    /// since the output's render before. Counts each render in `renders`.
    pub fn check(
        &mut self,
        registry: &Registry<'_>,
        family: &str,
        labels: &[&str],
        fixed: &[Option<&str>],
        renders: &AtomicUsize,
    ) {
        for (o, output) in OUTPUTS.iter().enumerate() {
            let series = label_sets(output, registry, family, labels);
            for set in &series {
                for ((label, value), fixed) in labels.iter().zip(set).zip(fixed) {
                    assert!(
                        !value.is_empty(),
                        "{output}: a series with an empty {label}"
                    );
                    if let Some(fixed) = fixed {
                        assert_eq!(value, fixed, "{output}: {set:?}");
                    }
                }
            }
            let unique: BTreeSet<_> = series.iter().cloned().collect();
            assert_eq!(
                unique.len(),
                series.len(),
                "{output}: a series written twice"
            );
            let missing: Vec<_> = self.previous[o].difference(&unique).collect();
            assert!(
                self.may_leave || missing.is_empty(),
                "{output}: series went missing: {missing:?}"
            );
            self.left += missing.len();
            self.previous[o] = unique;
            self.checked[o] += 1;
            renders.fetch_add(1, Ordering::Release);
        }
    }

    /// How many series each output showed in its last render.
    pub fn last_counts(&self) -> Vec<usize> {
        self.previous.iter().map(BTreeSet::len).collect()
    }
}

/// Runs `change` on a thread of its own while every output of `registry`
/// is rendered and checked in a loop ([`LastRenders::check`] on `family`),
/// until `change` returns (at most two minutes); then checks once more and
/// returns the checks. `change` is given a function to call half-way: it
/// waits (up to 30 s) for two rounds of renders, so that renders overlap
/// the change on any machine.
pub fn check_every_output_while(
    registry: &Registry<'_>,
    family: &str,
    labels: &[&str],
    fixed: &[Option<&str>],
    change: impl FnOnce(&dyn Fn()) + Send,
) -> LastRenders {
    let last = LastRenders::default();
    check_outputs(last, registry, family, labels, fixed, change)
}

/// [`check_every_output_while`] with the checks `last` begins with
/// ([`LastRenders::allowing_series_to_leave`] for a family whose series
/// retire).
pub fn check_outputs(
    mut last: LastRenders,
    registry: &Registry<'_>,
    family: &str,
    labels: &[&str],
    fixed: &[Option<&str>],
    change: impl FnOnce(&dyn Fn()) + Send,
) -> LastRenders {
    let done = AtomicBool::new(false);
    let renders = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let changer = s.spawn(|| {
            let _stop = super::StoreOnDrop(&done, true);
            let overlap = || {
                let deadline = Instant::now() + Duration::from_secs(30);
                while renders.load(Ordering::Acquire) < 2 * OUTPUTS.len() {
                    assert!(Instant::now() < deadline, "no renders within 30 s");
                    std::thread::yield_now();
                }
            };
            change(&overlap);
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let finished = done.load(Ordering::Acquire);
            last.check(registry, family, labels, fixed, &renders);
            if finished || Instant::now() > deadline {
                break;
            }
        }
        changer.join().unwrap();
    });
    last
}

/// For the tests where value `peer-N` of label `label` only ever adds
/// `N + 1` to the counter `family`: checks that every series of it in
/// `snapshot` holds a multiple of its own `N + 1` (no other value's counts),
/// `other` aside.
pub fn assert_each_value_its_own(snapshot: &enumeter::Snapshot, family: &str, label: &str) {
    for series in snapshot.series.iter().filter(|s| s.name == family) {
        let (_, peer) = series
            .labels
            .iter()
            .find(|(name, _)| *name == label)
            .unwrap_or_else(|| panic!("no {label}: {series:?}"));
        let enumeter::snapshot::Value::Counter(value) = series.value else {
            panic!("{series:?}")
        };
        if peer == "other" {
            continue;
        }
        let key: u64 = peer.strip_prefix("peer-").unwrap().parse().unwrap();
        assert_eq!(value % (key + 1), 0, "{peer}: {value}");
    }
}
