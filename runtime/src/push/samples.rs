//! A registry as remote-write series, named and labelled exactly as
//! Prometheus stores them after scraping the registry's Prometheus text:
//! `_bucket{le}`, `_sum` and `_count` for histograms, `{quantile}`, `_sum`
//! and `_count` for summaries, one series per state for state sets.

use super::proto::{Label, Sample, TimeSeries, WriteRequest};
use crate::encode::number::write_float;
use crate::snapshot::{for_each_registry_series, Series, Value};
use crate::{Cells, Registry};

/// Every series of `registry` as one remote-write request, each with one
/// sample at `timestamp_ms` and the `external_labels` that the series does
/// not already have. Labels are sorted by name, as the protocol requires.
///
/// The encoding of what [`RemoteWrite`](super::RemoteWrite) sends, public
/// for those who send it themselves (and for benchmarks):
///
/// ```
/// use enumeter::push::encode_write_request;
/// use enumeter::{metrics, Registry};
///
/// /// Jobs.
/// #[metrics(namespace = "jobs", register = false)]
/// pub enum Jobs {
///     /// Jobs done.
///     #[counter]
///     DoneTotal,
/// }
///
/// let jobs = JobsMetrics::new();
/// jobs.done_total().add(7);
/// let request = encode_write_request(
///     &Registry::new().with(&jobs),
///     &[("instance", "host-1")],
///     1_700_000_000_000,
/// );
/// let series = &request.timeseries[0];
/// let labels: Vec<_> = series.labels.iter().map(|l| (&*l.name, &*l.value)).collect();
/// assert_eq!(labels, [("__name__", "jobs_done_total"), ("instance", "host-1")]);
/// assert_eq!(series.samples[0].value, 7.0);
/// ```
pub fn encode_write_request(
    registry: &Registry<'_>,
    external_labels: &[(&str, &str)],
    timestamp_ms: i64,
) -> WriteRequest {
    let mut request = WriteRequest::default();
    let mut number = Vec::new();
    for_each_registry_series(registry, &mut |cells, series| {
        let mut add = |suffix: &str, extra: Option<(&str, &str)>, value: f64| {
            request.timeseries.push(time_series(
                &series,
                suffix,
                extra,
                external_labels,
                value,
                timestamp_ms,
            ));
        };
        match &series.value {
            Value::Counter(v) => add("", None, *v as f64),
            Value::Gauge(v) => add("", None, *v as f64),
            Value::FloatGauge(v) | Value::FloatCounter(v) => add("", None, *v),
            Value::Info => add("", None, 1.0),
            Value::State(current) => {
                if let Cells::StateSet { states, .. } = cells {
                    for state in *states {
                        let value = if *current == Some(*state) { 1.0 } else { 0.0 };
                        add("", Some((series.metric.name, state)), value);
                    }
                }
            }
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                for (i, &count) in cumulative.iter().enumerate() {
                    number.clear();
                    write_float(&mut number, bounds.get(i).copied().unwrap_or(f64::INFINITY));
                    let le = std::str::from_utf8(&number).unwrap_or("NaN");
                    add("_bucket", Some(("le", le)), count as f64);
                }
                add("_sum", None, *sum);
                add(
                    "_count",
                    None,
                    cumulative.last().copied().unwrap_or(0) as f64,
                );
            }
            Value::Summary {
                quantiles,
                count,
                sum,
            } => {
                for &(q, estimate) in quantiles {
                    number.clear();
                    write_float(&mut number, q);
                    let quantile = std::str::from_utf8(&number).unwrap_or("NaN");
                    add("", Some(("quantile", quantile)), estimate);
                }
                add("_sum", None, *sum);
                add("_count", None, *count as f64);
            }
        }
    });
    request
}

/// One series with one sample: `__name__` (the metric name and `suffix`),
/// the series' labels, `extra` (`le`, `quantile` or a state), then the
/// external labels it does not have, sorted by name.
fn time_series(
    series: &Series<'_>,
    suffix: &str,
    extra: Option<(&str, &str)>,
    external_labels: &[(&str, &str)],
    value: f64,
    timestamp_ms: i64,
) -> TimeSeries {
    let label = |name: &str, value: &str| Label {
        name: name.to_owned(),
        value: value.to_owned(),
    };
    let mut labels = Vec::with_capacity(2 + series.label_values.len() + external_labels.len());
    labels.push(label(
        "__name__",
        &format!("{}{suffix}", series.metric.name),
    ));
    for (desc, value) in series.metric.labels.iter().zip(series.label_values) {
        labels.push(label(desc.name, value));
    }
    if let Some((name, value)) = extra {
        labels.push(label(name, value));
    }
    let own = labels.len();
    for (name, value) in external_labels {
        // As in Prometheus, a series' own label wins over an external one.
        if !labels[..own].iter().any(|l| l.name == *name) {
            labels.push(label(name, value));
        }
    }
    labels.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    TimeSeries {
        labels,
        samples: vec![Sample {
            value,
            timestamp: timestamp_ms,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{metrics, LabelValue};

    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[label(rename_all = "lowercase")]
    enum Link {
        Up,
        Down,
    }

    /// Every kind.
    #[metrics(namespace = "rw", register = false)]
    enum Rw {
        /// Requests.
        #[counter]
        RequestsTotal { instance: bool },
        /// Latency.
        #[histogram(buckets = [0.5, 1e6])]
        Latency,
        /// Sizes.
        #[summary(quantiles = [0.5])]
        Size,
        /// The link.
        #[state_set(states = Link)]
        Link,
        /// The build.
        #[info]
        BuildInfo,
    }

    fn series(request: &WriteRequest) -> Vec<String> {
        request
            .timeseries
            .iter()
            .map(|t| {
                let labels: Vec<String> = t
                    .labels
                    .iter()
                    .map(|l| format!("{}={}", l.name, l.value))
                    .collect();
                format!(
                    "{} {} @{}",
                    labels.join(","),
                    t.samples[0].value,
                    t.samples[0].timestamp
                )
            })
            .collect()
    }

    #[test]
    fn series_are_named_and_labelled_as_prometheus_stores_a_scrape() {
        let rw = RwMetrics::new();
        rw.requests_total(true).add(3);
        rw.latency().observe(0.25);
        rw.latency().observe(2.0);
        rw.size().observe(4.0);
        rw.link().set(Link::Down);
        rw.build_info().set();
        let registry = Registry::new().with(&rw);
        let request = encode_write_request(&registry, &[("instance", "w7"), ("job", "j")], 42);
        let got = series(&request);
        assert_eq!(
            got,
            [
                // The series' own `instance` wins over the external one.
                "__name__=rw_requests_total,instance=false,job=j 0 @42".to_owned(),
                "__name__=rw_requests_total,instance=true,job=j 3 @42".to_owned(),
                "__name__=rw_latency_bucket,instance=w7,job=j,le=0.5 1 @42".to_owned(),
                "__name__=rw_latency_bucket,instance=w7,job=j,le=1e+06 2 @42".to_owned(),
                "__name__=rw_latency_bucket,instance=w7,job=j,le=+Inf 2 @42".to_owned(),
                "__name__=rw_latency_sum,instance=w7,job=j 2.25 @42".to_owned(),
                "__name__=rw_latency_count,instance=w7,job=j 2 @42".to_owned(),
                // The sketch's estimate of 4: its bucket's midpoint, within 1%.
                "__name__=rw_size,instance=w7,job=j,quantile=0.5 4.039607115812012 @42".to_owned(),
                "__name__=rw_size_sum,instance=w7,job=j 4 @42".to_owned(),
                "__name__=rw_size_count,instance=w7,job=j 1 @42".to_owned(),
                "__name__=rw_link,instance=w7,job=j,rw_link=up 0 @42".to_owned(),
                "__name__=rw_link,instance=w7,job=j,rw_link=down 1 @42".to_owned(),
                "__name__=rw_build_info,instance=w7,job=j 1 @42".to_owned(),
            ]
        );
    }
}
