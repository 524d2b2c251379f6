//! enumeter against its peers and a bare atomic, in one run, on the same work:
//! `measured` 0.0.25, `prometheus-client`, `prometheus` (`IntCounterVec` and
//! `prometheus-static-metric`), and `metrics` with
//! `metrics-exporter-prometheus`'s recorder.
//!
//! `scripts/bench.sh` runs this and writes `BENCHMARKS.md`. Besides
//! criterion's timings, the run measures render output sizes, allocations
//! per render and memory per series with a counting allocator, and writes
//! them to `$ENUMETER_BENCH_EXTRA` (default `../target/bench-extra.json`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use enumeter::{metrics, Format, LabelValue, Registry};

// ---------------------------------------------------------------------------
// Counting allocator: off except while a measurement asks for it.

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            LIVE_BYTES.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` counting allocations: (allocations, net bytes still live).
fn counted<R>(f: impl FnOnce() -> R) -> (R, usize, isize) {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    LIVE_BYTES.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let r = f();
    COUNTING.store(false, Ordering::SeqCst);
    (
        r,
        ALLOCATIONS.load(Ordering::SeqCst),
        LIVE_BYTES.load(Ordering::SeqCst),
    )
}

/// Extra figures for BENCHMARKS.md: section → row → column → value.
type Figures = BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>>;

static EXTRA: Mutex<Figures> = Mutex::new(BTreeMap::new());

fn record_extra(section: &str, row: &str, column: &str, value: f64) {
    EXTRA
        .lock()
        .unwrap()
        .entry(section.into())
        .or_default()
        .entry(row.into())
        .or_default()
        .insert(column.into(), value);
}

fn write_extra() {
    let path = std::env::var("ENUMETER_BENCH_EXTRA")
        .unwrap_or_else(|_| "../target/bench-extra.json".into());
    let extra = EXTRA.lock().unwrap();
    let mut json = String::from("{");
    for (i, (section, rows)) in extra.iter().enumerate() {
        json += &format!("{}\"{section}\":{{", if i > 0 { "," } else { "" });
        for (j, (row, columns)) in rows.iter().enumerate() {
            json += &format!("{}\"{row}\":{{", if j > 0 { "," } else { "" });
            for (k, (column, value)) in columns.iter().enumerate() {
                json += &format!("{}\"{column}\":{value}", if k > 0 { "," } else { "" });
            }
            json += "}";
        }
        json += "}";
    }
    json += "}\n";
    std::fs::write(&path, json).unwrap_or_else(|e| panic!("writing {path}: {e}"));
}

// ---------------------------------------------------------------------------
// The work: requests by endpoint (6) and outcome (3), random series per op.

const ENDPOINTS: [&str; 6] = ["tts", "stt", "health", "metrics", "admin", "other"];
const OUTCOMES: [&str; 3] = ["ok", "rejected", "failed"];
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Endpoint {
    Tts,
    Stt,
    Health,
    Metrics,
    Admin,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Rejected,
    Failed,
}

/// Benchmark metrics.
#[metrics(namespace = "bench")]
pub enum Bench {
    /// Requests.
    #[counter]
    RequestsTotal {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Requests, sharded.
    #[counter(sharded)]
    ShardedRequestsTotal {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Request duration.
    #[histogram(
        unit = "seconds",
        buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    )]
    RequestDuration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Time to first byte.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9, 0.95, 0.99])]
    FirstByte,
}

mod measured_side {
    use measured::label::StaticLabelSet;
    use measured::{FixedCardinalityLabel, LabelGroup};

    #[derive(Clone, Copy, Debug, PartialEq, FixedCardinalityLabel)]
    pub enum Endpoint {
        Tts,
        Stt,
        Health,
        Metrics,
        Admin,
        Other,
    }

    #[derive(Clone, Copy, Debug, PartialEq, FixedCardinalityLabel)]
    pub enum Outcome {
        Ok,
        Rejected,
        Failed,
    }

    pub const ENDPOINTS: [Endpoint; 6] = [
        Endpoint::Tts,
        Endpoint::Stt,
        Endpoint::Health,
        Endpoint::Metrics,
        Endpoint::Admin,
        Endpoint::Other,
    ];
    pub const OUTCOMES: [Outcome; 3] = [Outcome::Ok, Outcome::Rejected, Outcome::Failed];

    #[derive(Clone, Copy, Debug, PartialEq, LabelGroup)]
    #[label(set = RequestSet)]
    pub struct Request {
        pub endpoint: Endpoint,
        pub outcome: Outcome,
    }

    pub fn set() -> RequestSet {
        RequestSet {
            endpoint: StaticLabelSet::new(),
            outcome: StaticLabelSet::new(),
        }
    }
}

mod client_side {
    use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};

    #[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
    pub enum Endpoint {
        Tts,
        Stt,
        Health,
        Metrics,
        Admin,
        Other,
    }

    #[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
    pub enum Outcome {
        Ok,
        Rejected,
        Failed,
    }

    pub const ENDPOINTS: [Endpoint; 6] = [
        Endpoint::Tts,
        Endpoint::Stt,
        Endpoint::Health,
        Endpoint::Metrics,
        Endpoint::Admin,
        Endpoint::Other,
    ];
    pub const OUTCOMES: [Outcome; 3] = [Outcome::Ok, Outcome::Rejected, Outcome::Failed];

    #[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct Labels {
        pub endpoint: Endpoint,
        pub outcome: Outcome,
    }
}

mod static_side {
    use prometheus_static_metric::make_static_metric;

    make_static_metric! {
        pub label_enum Endpoint { tts, stt, health, metrics, admin, other, }
        pub label_enum Outcome { ok, rejected, failed, }
        pub struct Requests: IntCounter {
            "endpoint" => Endpoint,
            "outcome" => Outcome,
        }
    }

    pub const ENDPOINTS: [Endpoint; 6] = [
        Endpoint::tts,
        Endpoint::stt,
        Endpoint::health,
        Endpoint::metrics,
        Endpoint::admin,
        Endpoint::other,
    ];
    pub const OUTCOMES: [Outcome; 3] = [Outcome::ok, Outcome::rejected, Outcome::failed];
}

/// (endpoint index, outcome index, latency) per operation, from a fixed
/// seed, the same for every contender.
fn operations() -> Vec<(usize, usize, f64)> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let series = (state % 18) as usize;
            let latency = 0.001 * 2f64.powf((state >> 40) as f64 / (1u64 << 24) as f64 * 13.0);
            (series / 3, series % 3, latency)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Counter increment: one thread, then one and two spawned threads.

/// Runs `op(thread, i)` for `iters` iterations on each of `threads` threads
/// started together; returns the wall time. Generic, not `dyn`, so that the
/// operation is inlined into the loop as it is in the one-thread benchmarks.
fn on_threads<F: Fn(usize, usize) + Sync>(threads: usize, iters: u64, op: &F) -> Duration {
    let barrier = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    for i in 0..iters as usize {
                        op(t, i);
                    }
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        for handle in handles {
            handle.join().unwrap();
        }
        start.elapsed()
    })
}

/// Benchmarks `op` in criterion's own loop, on the main thread.
fn bench_one<F: Fn(usize, usize)>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    op: &F,
) {
    group.bench_function(name, |b| {
        let mut i = 0;
        b.iter(|| {
            op(0, i);
            i += 1;
        })
    });
}

/// Benchmarks `op` on `threads` threads at once: one iteration is one
/// operation on each thread.
fn bench_threads<F: Fn(usize, usize) + Sync>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    threads: usize,
    op: &F,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| on_threads(threads, iters, op))
    });
}

/// Counter increments: in criterion's loop on one thread, then from one
/// spawned thread and from two at once on the same 18 series with the same
/// harness, so that scaling compares like with like.
fn counter_increment(c: &mut Criterion) {
    let ops = operations();
    let ops = &ops;
    let pick = move |t: usize, i: usize| ops[(i + t * 512) & 1023];

    let bare: Vec<AtomicU64> = (0..18).map(|_| AtomicU64::new(0)).collect();
    let bare_op = |t, i| {
        let (e, o, _) = pick(t, i);
        bare[e * 3 + o].fetch_add(1, Ordering::Relaxed);
    };
    let enumeter_op = |t, i| {
        let (e, o, _) = pick(t, i);
        Bench::requests_total(Endpoint::ALL[e], Outcome::ALL[o]).inc();
    };
    let sharded_op = |t, i| {
        let (e, o, _) = pick(t, i);
        Bench::sharded_requests_total(Endpoint::ALL[e], Outcome::ALL[o]).inc();
    };
    let measured_vec = measured::CounterVec::with_label_set(measured_side::set());
    let measured_op = |t, i| {
        let (e, o, _) = pick(t, i);
        measured_vec.inc(measured_side::Request {
            endpoint: measured_side::ENDPOINTS[e],
            outcome: measured_side::OUTCOMES[o],
        });
    };
    let family = prometheus_client::metrics::family::Family::<
        client_side::Labels,
        prometheus_client::metrics::counter::Counter,
    >::default();
    let client_op = |t, i| {
        let (e, o, _) = pick(t, i);
        family
            .get_or_create(&client_side::Labels {
                endpoint: client_side::ENDPOINTS[e],
                outcome: client_side::OUTCOMES[o],
            })
            .inc();
    };
    let vec = prometheus::IntCounterVec::new(
        prometheus::Opts::new("requests_total", "Requests."),
        &["endpoint", "outcome"],
    )
    .unwrap();
    let vec_op = |t, i| {
        let (e, o, _) = pick(t, i);
        vec.with_label_values(&[ENDPOINTS[e], OUTCOMES[o]]).inc();
    };
    let static_vec = static_side::Requests::from(&vec);
    let static_op = |t, i| {
        let (e, o, _) = pick(t, i);
        static_vec
            .get(static_side::ENDPOINTS[e])
            .get(static_side::OUTCOMES[o])
            .inc();
    };
    // metrics: a global recorder, since its thread-local one does not reach
    // the benchmark's threads. (The histogram and summary benchmarks use
    // local recorders, which take precedence.)
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let metrics_global = metrics::set_global_recorder(recorder).is_ok();
    let labels: Vec<[(&str, &str); 2]> = (0..18)
        .map(|s| [("endpoint", ENDPOINTS[s / 3]), ("outcome", OUTCOMES[s % 3])])
        .collect();
    let metrics_op = |t, i| {
        let (e, o, _) = pick(t, i);
        metrics::counter!("requests_total", &labels[e * 3 + o]).increment(1);
    };

    {
        let mut group = c.benchmark_group("counter_inc");
        bench_one(&mut group, "bare_atomic", &bare_op);
        bench_one(&mut group, "enumeter", &enumeter_op);
        bench_one(&mut group, "enumeter_sharded", &sharded_op);
        bench_one(&mut group, "measured", &measured_op);
        bench_one(&mut group, "prometheus_client", &client_op);
        bench_one(&mut group, "prometheus_vec", &vec_op);
        bench_one(&mut group, "prometheus_static", &static_op);
        if metrics_global {
            bench_one(&mut group, "metrics", &metrics_op);
        }
        group.finish();
    }
    for (threads, group_name) in [
        (1, "counter_inc_1_thread_spawned"),
        (2, "counter_inc_2_threads"),
    ] {
        let mut group = c.benchmark_group(group_name);
        bench_threads(&mut group, "bare_atomic", threads, &bare_op);
        bench_threads(&mut group, "enumeter", threads, &enumeter_op);
        bench_threads(&mut group, "enumeter_sharded", threads, &sharded_op);
        bench_threads(&mut group, "measured", threads, &measured_op);
        bench_threads(&mut group, "prometheus_client", threads, &client_op);
        bench_threads(&mut group, "prometheus_vec", threads, &vec_op);
        bench_threads(&mut group, "prometheus_static", threads, &static_op);
        if metrics_global {
            bench_threads(&mut group, "metrics", threads, &metrics_op);
        }
        group.finish();
    }
    black_box(handle);
}

// ---------------------------------------------------------------------------
// Histogram (10 buckets, 2 labels) and summary observe.

fn histogram_observe(c: &mut Criterion) {
    let ops = operations();
    let mut group = c.benchmark_group("histogram_observe");

    let bare: Vec<AtomicU64> = (0..18).map(|_| AtomicU64::new(0)).collect();
    group.bench_function("bare_atomic", |b| {
        let mut i = 0;
        b.iter(|| {
            let (e, o, _) = ops[i & 1023];
            i += 1;
            bare[e * 3 + o].fetch_add(1, Ordering::Relaxed);
        })
    });
    group.bench_function("enumeter", |b| {
        let mut i = 0;
        b.iter(|| {
            let (e, o, v) = ops[i & 1023];
            i += 1;
            Bench::request_duration(Endpoint::ALL[e], Outcome::ALL[o]).observe(v);
        })
    });
    let measured_vec = measured::HistogramVec::with_label_set_and_metadata(
        measured_side::set(),
        measured::metric::histogram::Thresholds::<10>::with_buckets(BUCKETS),
    );
    group.bench_function("measured", |b| {
        let mut i = 0;
        b.iter(|| {
            let (e, o, v) = ops[i & 1023];
            i += 1;
            measured_vec.observe(
                measured_side::Request {
                    endpoint: measured_side::ENDPOINTS[e],
                    outcome: measured_side::OUTCOMES[o],
                },
                v,
            );
        })
    });
    let family = prometheus_client::metrics::family::Family::<
        client_side::Labels,
        prometheus_client::metrics::histogram::Histogram,
        fn() -> prometheus_client::metrics::histogram::Histogram,
    >::new_with_constructor(|| {
        prometheus_client::metrics::histogram::Histogram::new(BUCKETS)
    });
    group.bench_function("prometheus_client", |b| {
        let mut i = 0;
        b.iter(|| {
            let (e, o, v) = ops[i & 1023];
            i += 1;
            family
                .get_or_create(&client_side::Labels {
                    endpoint: client_side::ENDPOINTS[e],
                    outcome: client_side::OUTCOMES[o],
                })
                .observe(v);
        })
    });
    let vec = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new("request_duration_seconds", "Request duration.")
            .buckets(BUCKETS.to_vec()),
        &["endpoint", "outcome"],
    )
    .unwrap();
    group.bench_function("prometheus_vec", |b| {
        let mut i = 0;
        b.iter(|| {
            let (e, o, v) = ops[i & 1023];
            i += 1;
            vec.with_label_values(&[ENDPOINTS[e], OUTCOMES[o]])
                .observe(v);
        })
    });
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&BUCKETS)
        .unwrap()
        .build_recorder();
    let labels: Vec<[(&str, &str); 2]> = (0..18)
        .map(|s| [("endpoint", ENDPOINTS[s / 3]), ("outcome", OUTCOMES[s % 3])])
        .collect();
    metrics::with_local_recorder(&recorder, || {
        group.bench_function("metrics", |b| {
            let mut i = 0;
            b.iter(|| {
                let (e, o, v) = ops[i & 1023];
                i += 1;
                metrics::histogram!("request_duration_seconds", &labels[e * 3 + o]).record(v);
            })
        });
    });
    group.finish();
}

fn summary_observe(c: &mut Criterion) {
    let ops = operations();
    let mut group = c.benchmark_group("summary_observe");
    static BARE: AtomicU64 = AtomicU64::new(0);
    group.bench_function("bare_atomic", |b| {
        b.iter(|| {
            BARE.fetch_add(1, Ordering::Relaxed);
        })
    });
    group.bench_function("enumeter", |b| {
        let mut i = 0;
        b.iter(|| {
            let (_, _, v) = ops[i & 1023];
            i += 1;
            Bench::first_byte().observe(v);
        })
    });
    // Without buckets, metrics-exporter-prometheus renders histograms as
    // summaries (a sliding-window sketch).
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_quantiles(&[0.5, 0.9, 0.95, 0.99])
        .unwrap()
        .build_recorder();
    metrics::with_local_recorder(&recorder, || {
        group.bench_function("metrics", |b| {
            let mut i = 0;
            b.iter(|| {
                let (_, _, v) = ops[i & 1023];
                i += 1;
                metrics::histogram!("first_byte_seconds").record(v);
            })
        });
    });
    group.finish();
}

// ---------------------------------------------------------------------------
// Rendering 10,000 and 100,000 counter series, and memory per series.

mod render_labels {
    include!(concat!(env!("OUT_DIR"), "/labels.rs"));
}
use render_labels::enumeter_labels::{Hundred, Thousand};

/// 10,000 series.
#[metrics(namespace = "render")]
pub enum Render10k {
    /// Counters.
    #[counter]
    CountersTotal { a: Hundred, b: Hundred },
}

/// 100,000 series.
#[metrics(namespace = "render")]
pub enum Render100k {
    /// Counters.
    #[counter]
    CountersTotal { a: Hundred, b: Thousand },
}

#[derive(measured::MetricGroup)]
struct MeasuredRender<L: measured::label::LabelGroupSet> {
    /// Counters.
    render_counters_total: measured::CounterVec<L>,
}

mod measured_render {
    use super::render_labels::measured_labels::{Hundred, Thousand};
    use measured::LabelGroup;

    #[derive(Clone, Copy, Debug, PartialEq, LabelGroup)]
    #[label(set = Set10k)]
    pub struct Labels10k {
        pub a: Hundred,
        pub b: Hundred,
    }

    #[derive(Clone, Copy, Debug, PartialEq, LabelGroup)]
    #[label(set = Set100k)]
    pub struct Labels100k {
        pub a: Hundred,
        pub b: Thousand,
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct ClientRenderLabels {
    a: String,
    b: String,
}

/// A renderer set up with `series` counters, each incremented once.
type Renderer = Box<dyn FnMut(&mut Vec<u8>)>;

fn renderers(series: usize) -> Vec<(&'static str, Renderer)> {
    let (na, nb) = if series == 10_000 {
        (100, 100)
    } else {
        (100, 1000)
    };
    let names: Vec<(String, String)> = (0..na)
        .flat_map(|a| (0..nb).map(move |b| (format!("v{a}"), format!("v{b}"))))
        .collect();
    let mut out: Vec<(&'static str, Renderer)> = Vec::new();

    // enumeter: its own registry holding just this group.
    if series == 10_000 {
        let m: &'static Render10kMetrics = Box::leak(Box::new(Render10kMetrics::new()));
        for a in Hundred::ALL {
            for b in Hundred::ALL {
                m.counters_total(a, b).inc();
            }
        }
        let registry = Registry::new().with(m);
        out.push((
            "enumeter",
            Box::new(move |buf| registry.render_into(Format::Prometheus, buf)),
        ));
    } else {
        let m: &'static Render100kMetrics = Box::leak(Box::new(Render100kMetrics::new()));
        for a in Hundred::ALL {
            for b in Thousand::ALL {
                m.counters_total(a, b).inc();
            }
        }
        let registry = Registry::new().with(m);
        out.push((
            "enumeter",
            Box::new(move |buf| registry.render_into(Format::Prometheus, buf)),
        ));
    }

    // measured
    {
        use measured::label::StaticLabelSet;
        use measured::text::BufferedTextEncoder;
        use measured::MetricGroup;
        use render_labels::measured_labels as ml;
        if series == 10_000 {
            let group = MeasuredRender {
                render_counters_total: measured::CounterVec::with_label_set(
                    measured_render::Set10k {
                        a: StaticLabelSet::new(),
                        b: StaticLabelSet::new(),
                    },
                ),
            };
            for a in 0..na {
                for b in 0..nb {
                    use measured::label::FixedCardinalityLabel;
                    group.render_counters_total.inc(measured_render::Labels10k {
                        a: ml::Hundred::decode(a),
                        b: ml::Hundred::decode(b),
                    });
                }
            }
            let mut enc = BufferedTextEncoder::new();
            out.push((
                "measured",
                Box::new(move |buf| {
                    group.collect_group_into(&mut enc).unwrap();
                    buf.extend_from_slice(&enc.finish());
                }),
            ));
        } else {
            let group = MeasuredRender {
                render_counters_total: measured::CounterVec::with_label_set(
                    measured_render::Set100k {
                        a: StaticLabelSet::new(),
                        b: StaticLabelSet::new(),
                    },
                ),
            };
            for a in 0..na {
                for b in 0..nb {
                    use measured::label::FixedCardinalityLabel;
                    group
                        .render_counters_total
                        .inc(measured_render::Labels100k {
                            a: ml::Hundred::decode(a),
                            b: ml::Thousand::decode(b),
                        });
                }
            }
            let mut enc = BufferedTextEncoder::new();
            out.push((
                "measured",
                Box::new(move |buf| {
                    group.collect_group_into(&mut enc).unwrap();
                    buf.extend_from_slice(&enc.finish());
                }),
            ));
        }
    }

    // prometheus-client
    {
        let mut registry = prometheus_client::registry::Registry::default();
        let family = prometheus_client::metrics::family::Family::<
            ClientRenderLabels,
            prometheus_client::metrics::counter::Counter,
        >::default();
        registry.register("render_counters", "Counters.", family.clone());
        for (a, b) in &names {
            family
                .get_or_create(&ClientRenderLabels {
                    a: a.clone(),
                    b: b.clone(),
                })
                .inc();
        }
        let mut text = String::new();
        out.push((
            "prometheus_client",
            Box::new(move |buf| {
                text.clear();
                prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
                buf.extend_from_slice(text.as_bytes());
            }),
        ));
    }

    // prometheus
    {
        let registry = prometheus::Registry::new();
        let vec = prometheus::IntCounterVec::new(
            prometheus::Opts::new("render_counters_total", "Counters."),
            &["a", "b"],
        )
        .unwrap();
        registry.register(Box::new(vec.clone())).unwrap();
        for (a, b) in &names {
            vec.with_label_values(&[a.as_str(), b.as_str()]).inc();
        }
        let mut text = String::new();
        out.push((
            "prometheus",
            Box::new(move |buf| {
                text.clear();
                prometheus::TextEncoder::new()
                    .encode_utf8(&registry.gather(), &mut text)
                    .unwrap();
                buf.extend_from_slice(text.as_bytes());
            }),
        ));
    }

    // metrics
    {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!("render_counters_total", "Counters.");
            for (a, b) in &names {
                metrics::counter!("render_counters_total", "a" => a.clone(), "b" => b.clone())
                    .increment(1);
            }
        });
        out.push((
            "metrics",
            Box::new(move |buf| {
                let _keep = &recorder;
                buf.extend_from_slice(handle.render().as_bytes());
            }),
        ));
    }
    out
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    for series in [10_000usize, 100_000] {
        for (name, mut render) in renderers(series) {
            let mut buf = Vec::new();
            render(&mut buf); // first scrape: buffers grow
            buf.clear();
            let ((), allocations, _) = counted(|| render(&mut buf));
            let key = format!("{name}/{series}");
            record_extra("render", &key, "bytes", buf.len() as f64);
            record_extra("render", &key, "allocations", allocations as f64);
            group.bench_with_input(BenchmarkId::new(name, series), &series, |b, _| {
                b.iter(|| {
                    buf.clear();
                    render(&mut buf);
                    black_box(buf.len())
                })
            });
        }
    }
    group.finish();
}

/// Heap bytes per series, measured with the counting allocator while each
/// contender creates 10,000 counter series (enumeter's storage is placed on
/// the heap here so that the allocator sees it).
fn memory_per_series(_: &mut Criterion) {
    let series = 10_000f64;
    let names: Vec<(String, String)> = (0..100)
        .flat_map(|a| (0..100).map(move |b| (format!("v{a}"), format!("v{b}"))))
        .collect();

    let (kept, _, live) = counted(|| {
        let m = Box::new(Render10kMetrics::new());
        for a in Hundred::ALL {
            for b in Hundred::ALL {
                m.counters_total(a, b).inc();
            }
        }
        m
    });
    drop(kept);
    record_extra(
        "memory",
        "enumeter",
        "bytes_per_series",
        live as f64 / series,
    );

    let (kept, _, live) = counted(|| {
        use measured::label::{FixedCardinalityLabel, StaticLabelSet};
        use render_labels::measured_labels as ml;
        let vec = measured::CounterVec::with_label_set(measured_render::Set10k {
            a: StaticLabelSet::new(),
            b: StaticLabelSet::new(),
        });
        for a in 0..100 {
            for b in 0..100 {
                vec.inc(measured_render::Labels10k {
                    a: ml::Hundred::decode(a),
                    b: ml::Hundred::decode(b),
                });
            }
        }
        vec
    });
    drop(kept);
    record_extra(
        "memory",
        "measured",
        "bytes_per_series",
        live as f64 / series,
    );

    let (kept, _, live) = counted(|| {
        let family = prometheus_client::metrics::family::Family::<
            ClientRenderLabels,
            prometheus_client::metrics::counter::Counter,
        >::default();
        for (a, b) in &names {
            family
                .get_or_create(&ClientRenderLabels {
                    a: a.clone(),
                    b: b.clone(),
                })
                .inc();
        }
        family
    });
    drop(kept);
    record_extra(
        "memory",
        "prometheus_client",
        "bytes_per_series",
        live as f64 / series,
    );

    let (kept, _, live) = counted(|| {
        let vec = prometheus::IntCounterVec::new(
            prometheus::Opts::new("render_counters_total", "Counters."),
            &["a", "b"],
        )
        .unwrap();
        for (a, b) in &names {
            vec.with_label_values(&[a.as_str(), b.as_str()]).inc();
        }
        vec
    });
    drop(kept);
    record_extra(
        "memory",
        "prometheus",
        "bytes_per_series",
        live as f64 / series,
    );

    let (kept, _, live) = counted(|| {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::with_local_recorder(&recorder, || {
            for (a, b) in &names {
                metrics::counter!("render_counters_total", "a" => a.clone(), "b" => b.clone())
                    .increment(1);
            }
        });
        recorder
    });
    drop(kept);
    record_extra(
        "memory",
        "metrics",
        "bytes_per_series",
        live as f64 / series,
    );

    write_extra();
}

criterion_group!(
    benches,
    counter_increment,
    histogram_observe,
    summary_observe,
    render,
    memory_per_series
);
criterion_main!(benches);
