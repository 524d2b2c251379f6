//! Concurrency stress: threads record random series of every kind while
//! another renders without pause, in both formats. Every render parses, no
//! counter goes down, every histogram's `_count` equals its `+Inf` bucket,
//! and the totals are exact at the end. Bounded by operation count.

use enumeter_suite::support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Home,
    Search,
    Upload,
    Admin,
}

/// Stress metrics.
#[metrics(namespace = "stress")]
pub enum Stress {
    /// Requests.
    #[counter]
    RequestsTotal { route: Route, ok: bool },
    /// Requests, sharded.
    #[counter(sharded)]
    HotTotal { route: Route },
    /// In flight: every increment is matched by a decrement.
    #[gauge]
    Inflight { route: Route },
    /// Load: every addition is matched by a subtraction.
    #[gauge(float)]
    Load,
    /// Latency.
    #[histogram(unit = "seconds", buckets = [0.25, 0.5, 1, 2])]
    Latency { route: Route },
    /// Size.
    #[summary(unit = "bytes", quantiles = [0.5, 0.99])]
    Size { route: Route },
}

const THREADS: usize = 6;
const OPS: usize = 60_000;
/// Binary fractions: every order of additions gives the exact sum.
const VALUES: [f64; 4] = [0.125, 0.75, 1.5, 3.0];

/// One parsed render: sample (name and labels) → value.
fn parse(text: &str, format: Format) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with('#') {
            if line == "# EOF" {
                assert!(lines.peek().is_none(), "# EOF must end the text");
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        let value: f64 = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        assert!(
            samples.insert(series.to_owned(), value).is_none(),
            "duplicate {series}"
        );
    }
    if format == Format::OpenMetrics {
        assert!(text.ends_with("# EOF\n"));
    }
    samples
}

fn check(samples: &HashMap<String, f64>, previous: &mut HashMap<String, f64>) {
    for (series, &value) in samples {
        let monotonic = series.contains("_total")
            || series.contains("_bucket")
            || series.ends_with("_count")
            || series.contains("_count{");
        if monotonic {
            let before = previous.insert(series.clone(), value).unwrap_or(0.0);
            assert!(value >= before, "{series} went from {before} to {value}");
        }
    }
    for route in Route::NAMES {
        let le = |bound: &str| {
            let one = format!("stress_latency_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}}");
            let om = format!("stress_latency_seconds_bucket{{route=\"{route}\",le=\"{bound}.0\"}}");
            samples.get(&one).or_else(|| samples.get(&om)).copied()
        };
        let cumulative: Vec<f64> = ["0.25", "0.5", "1", "2", "+Inf"]
            .iter()
            .map(|b| le(b).unwrap_or_else(|| panic!("bucket {b} of {route}")))
            .collect();
        assert!(
            cumulative.windows(2).all(|w| w[0] <= w[1]),
            "{route}: {cumulative:?}"
        );
        let count = samples[&format!("stress_latency_seconds_count{{route=\"{route}\"}}")];
        assert_eq!(cumulative[4], count, "{route}: +Inf bucket vs _count");
    }
}

#[test]
fn every_render_is_consistent_while_threads_record_and_totals_are_exact() {
    stress_run(false);
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_python_parsers),
    ignore = "needs promtool and the Python parsers: apt-get install prometheus && pip install prometheus_client"
)]
fn promtool_and_the_python_parsers_read_renders_made_while_threads_record() {
    stress_run(true);
}

/// Records from several threads while rendering every format, checking
/// each render; with `conformance`, promtool and the Python parsers read two
/// intermediate renders of each text format too.
fn stress_run(conformance: bool) {
    let stress = StressMetrics::new();
    let registry = Registry::new().with(&stress);
    let done = AtomicBool::new(false);
    // Renders made while the workers were between their first and last
    // recording; the workers wait half-way until there are a few, so that
    // the renders checked below are intermediate ones on any machine.
    let midway = AtomicUsize::new(0);
    let mut renders = 0usize;
    let mut kept = Vec::new();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (stress, midway) = (&stress, &midway);
                s.spawn(move || {
                    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (t as u64);
                    for i in 0..OPS {
                        if i == OPS / 2 {
                            wait_for_renders(midway, 4);
                        }
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        let route = Route::from_index((state % 4) as usize).unwrap();
                        let value = VALUES[i % 4];
                        stress.requests_total(route, i % 2 == 0).inc();
                        stress.hot_total(route).inc();
                        stress.inflight(route).inc();
                        stress.load().add(value);
                        stress.latency(route).observe(value);
                        stress.size(route).observe(value);
                        stress.inflight(route).dec();
                        stress.load().sub(value);
                    }
                })
            })
            .collect();
        s.spawn(|| {
            for worker in workers {
                worker.join().unwrap();
            }
            done.store(true, Ordering::Release);
        });
        let mut previous = HashMap::new();
        let mut buf = Vec::new();
        loop {
            let format = if renders.is_multiple_of(2) {
                Format::Prometheus
            } else {
                Format::OpenMetrics
            };
            let started = Route::all().any(|r| stress.hot_total(r).get() > 0);
            buf.clear();
            registry.render_into(format, &mut buf);
            let between = started && !done.load(Ordering::Acquire);
            let text = std::str::from_utf8(&buf).unwrap();
            check(&parse(text, format), &mut previous);
            // Two of each format, made while the workers recorded.
            if between && kept.iter().filter(|(f, _)| *f == format).count() < 2 {
                kept.push((format, text.to_owned()));
            }
            if between {
                midway.fetch_add(1, Ordering::Release);
            }
            renders += 1;
            if done.load(Ordering::Acquire) || renders >= 1_000_000 {
                break;
            }
        }
    });

    // The real parsers read intermediate renders too: two of each format.
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let count = kept.iter().filter(|(f, _)| *f == format).count();
        assert_eq!(count, 2, "intermediate renders in {format:?}");
    }
    if conformance {
        for (format, text) in &kept {
            if *format == Format::Prometheus {
                let (code, report) = support::promtool_check(text);
                assert_eq!(code, 0, "{report}");
            }
            let parser = if *format == Format::Prometheus {
                "prometheus"
            } else {
                "openmetrics"
            };
            support::python_parse(parser, text);
        }
    }

    let total = (THREADS * OPS) as u64;
    let all_routes = |f: &dyn Fn(Route) -> u64| Route::all().map(f).sum::<u64>();
    assert_eq!(
        all_routes(
            &|r| stress.requests_total(r, true).get() + stress.requests_total(r, false).get()
        ),
        total
    );
    assert_eq!(all_routes(&|r| stress.hot_total(r).get()), total);
    assert_eq!(all_routes(&|r| stress.latency(r).snapshot().count()), total);
    assert_eq!(all_routes(&|r| stress.size(r).snapshot().count), total);
    for route in Route::all() {
        assert_eq!(stress.inflight(route).get(), 0);
    }
    assert_eq!(stress.load().get(), 0.0);
    let sum: f64 = Route::all().map(|r| stress.latency(r).snapshot().sum).sum();
    assert_eq!(sum, VALUES.iter().sum::<f64>() * (total / 4) as f64);
    println!(
        "{renders} renders checked while {THREADS} threads made {total} rounds of 8 recordings"
    );
}

/// Waits until `renders` reaches `count`, at most 30 s (a render takes
/// microseconds: a longer wait means the renderer is stuck).
fn wait_for_renders(renders: &AtomicUsize, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while renders.load(Ordering::Acquire) < count {
        assert!(Instant::now() < deadline, "no render within 30 s");
        std::thread::yield_now();
    }
}
