//! enumeter against its peers and against bare atomics, in one run, on the
//! same work: `measured` 0.0.25, `prometheus-client`, `prometheus`
//! (`IntCounterVec` and `prometheus-static-metric`), and `metrics` with
//! `metrics-exporter-prometheus`'s recorder.
//!
//! A harness of its own rather than criterion's, for a shared, noisy
//! machine: every scenario runs in rounds, each round running every
//! contender once, in an order that rotates from round to round, so that a
//! burst of load from elsewhere hits all contenders alike; the report gives
//! each contender's median over the rounds with the minimum and maximum.
//!
//! `scripts/bench.sh` runs this and writes `BENCHMARKS.md`:
//!
//! - `peers` (no argument): every timed scenario, then render sizes,
//!   allocations per render and memory per series; prints JSON.
//! - `peers --instructions SCENARIO CONTENDER N`: sets the scenario up and
//!   runs just that contender for N operations (after a warm-up) inside
//!   `counted_run`, for `valgrind --tool=callgrind
//!   --toggle-collect=*counted_run*`; the script runs it for N and 2N and
//!   takes the difference, which leaves the operations alone.
//! - `ROUNDS` (default 15) and `RUN_MS` (default 10) set the rounds and
//!   the length of one run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, AtomicUsize, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use enumeter::{metrics, Escaping, Exposition, Format, LabelValue, Registry};

// ---------------------------------------------------------------------------
// The harness.

/// Runs `n` operations.
type Run = Box<dyn FnMut(u64)>;

/// One implementation of a scenario's work.
struct Contender {
    name: &'static str,
    run: Run,
}

fn contender(name: &'static str, run: impl FnMut(u64) + 'static) -> Contender {
    Contender {
        name,
        run: Box::new(run),
    }
}

/// A scenario: the same work done by each contender.
struct Scenario {
    /// What one operation is, for the report.
    unit: &'static str,
    contenders: Vec<Contender>,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run whose instructions callgrind counts
/// (`--toggle-collect=*counted_run*`): setup is left out.
#[inline(never)]
fn counted_run(run: &mut Run, n: u64) {
    run(n);
}

/// Times one run of `n` operations, in ns per operation.
fn time_run(run: &mut Run, n: u64) -> f64 {
    let started = Instant::now();
    run(n);
    started.elapsed().as_nanos() as f64 / n as f64
}

/// Times every contender of `scenario` in interleaved rounds; returns, per
/// contender, the ns per operation of each round.
fn time_scenario(
    scenario: &mut Scenario,
    rounds: u64,
    run_ms: u64,
) -> Vec<(&'static str, Vec<f64>)> {
    let target = Duration::from_millis(run_ms).as_nanos() as f64;
    // Calibrate: how many operations make one run of about `run_ms`.
    let counts: Vec<u64> = scenario
        .contenders
        .iter_mut()
        .map(|c| {
            let mut n = 64u64;
            loop {
                let per_op = time_run(&mut c.run, n);
                if per_op * n as f64 >= target / 4.0 || n >= 1 << 32 {
                    break ((target / per_op.max(0.01)) as u64).max(1);
                }
                n *= 4;
            }
        })
        .collect();
    let k = scenario.contenders.len();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); k];
    for round in 0..rounds as usize {
        for step in 0..k {
            let i = (round + step) % k;
            let c = &mut scenario.contenders[i];
            samples[i].push(time_run(&mut c.run, counts[i]));
        }
    }
    scenario
        .contenders
        .iter()
        .map(|c| c.name)
        .zip(samples)
        .collect()
}

/// Runs `op(thread, i)` for `n` iterations on each of `threads` threads
/// started together. Generic, not `dyn`, so that the operation is inlined
/// into each thread's loop.
fn on_threads<F: Fn(usize, usize) + Sync>(threads: usize, n: u64, op: &F) {
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        for t in 0..threads {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                for i in 0..n as usize {
                    op(t, i);
                }
            });
        }
    });
}

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

/// Runs `f` counting allocations: (result, allocations, net bytes still
/// live).
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
    /// Request duration, with an exemplar per bucket passed by hand.
    #[histogram(
        unit = "seconds",
        buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        exemplars
    )]
    ExemplarRequestDuration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Request duration, with an exemplar per bucket from the current span.
    #[histogram(
        unit = "seconds",
        buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        exemplars = trace
    )]
    TracedRequestDuration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Requests, sparse: the same counter, written out once recorded into.
    #[counter(sparse)]
    SparseRequestsTotal {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Request duration, sparse.
    #[histogram(
        unit = "seconds",
        buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        sparse
    )]
    SparseRequestDuration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Requests, by an endpoint name known only at run time.
    #[counter(sparse)]
    RuntimeRequestsTotal {
        endpoint: EndpointName,
        outcome: Outcome,
    },
    /// Requests, by an endpoint name known only at run time that retires
    /// when idle.
    #[counter(sparse)]
    RetiringRequestsTotal {
        #[label(retires)]
        endpoint: RetiringEndpointName,
        outcome: Outcome,
    },
    /// Request duration, native buckets at schema 3 (the defaults).
    #[histogram(unit = "seconds", native)]
    NativeRequestDuration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Time to first byte.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9, 0.95, 0.99])]
    FirstByte,
    /// Time to first byte, as a classic histogram.
    #[histogram(
        unit = "seconds",
        buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    )]
    FirstByteHistogram,
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

/// Which series an operation of `thread` touches in a two-thread scenario.
#[derive(Clone, Copy)]
enum Spread {
    /// A random one of the 18, each thread its own sequence.
    Random,
    /// Thread 0 the even series, thread 1 the odd ones: no series shared.
    Disjoint,
    /// Both the same one series.
    Hot,
}

/// The counter-increment contenders: `threads` threads (1 runs on the
/// caller's thread, in the contender's own loop) choosing series by
/// `spread`.
fn counter_contenders(threads: usize, spread: Spread) -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    // (endpoint, outcome) of operation `i` of thread `t`: every contender
    // gets the same pair, and turns it into its own labels.
    let pick = move |t: usize, i: usize| -> (usize, usize) {
        let (e, o, _) = ops[(i + t * 512) & 1023];
        match spread {
            Spread::Random => (e, o),
            Spread::Disjoint => {
                let s = ((e * 3 + o) & !1) | t;
                (s / 3, s % 3)
            }
            Spread::Hot => (0, 0),
        }
    };
    /// Wraps `op` into a run on `threads` threads.
    fn runner<F: Fn(usize, usize) + Sync + 'static>(threads: usize, op: F) -> impl FnMut(u64) {
        move |n| {
            if threads == 1 {
                for i in 0..n as usize {
                    op(0, i);
                }
            } else {
                on_threads(threads, n, &op);
            }
        }
    }
    let mut out = Vec::new();

    let bare: &'static [AtomicU64] = Box::leak((0..18).map(|_| AtomicU64::new(0)).collect());
    out.push(contender(
        "bare_atomic",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            bare[e * 3 + o].fetch_add(1, Ordering::Relaxed);
        }),
    ));
    if threads > 1 {
        #[repr(align(128))]
        struct Padded(AtomicU64);
        let padded: &'static [Padded] =
            Box::leak((0..18).map(|_| Padded(AtomicU64::new(0))).collect());
        out.push(contender(
            "padded_atomic",
            runner(threads, move |t, i| {
                let (e, o) = pick(t, i);
                padded[e * 3 + o].0.fetch_add(1, Ordering::Relaxed);
            }),
        ));
    }
    /// An enumeter contender incrementing one of the `Bench` counters of
    /// 18 series through `inc`: generic, so that each is inlined into its
    /// own loop.
    fn labelled_inc(
        name: &'static str,
        threads: usize,
        pick: impl Fn(usize, usize) -> (usize, usize) + Sync + 'static,
        inc: impl Fn(Endpoint, Outcome) + Sync + 'static,
    ) -> Contender {
        contender(
            name,
            runner(threads, move |t, i| {
                let (e, o) = pick(t, i);
                inc(
                    Endpoint::from_index(e).unwrap(),
                    Outcome::from_index(o).unwrap(),
                );
            }),
        )
    }
    out.push(labelled_inc("enumeter", threads, pick, |e, o| {
        Bench::requests_total(e, o).inc()
    }));
    out.push(labelled_inc("enumeter_sparse", threads, pick, |e, o| {
        Bench::sparse_requests_total(e, o).inc()
    }));
    out.push(labelled_inc("enumeter_sharded", threads, pick, |e, o| {
        Bench::sharded_requests_total(e, o).inc()
    }));
    let measured_vec: &'static _ = Box::leak(Box::new(measured::CounterVec::with_label_set(
        measured_side::set(),
    )));
    out.push(contender(
        "measured",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            measured_vec.inc(measured_side::Request {
                endpoint: measured_side::ENDPOINTS[e],
                outcome: measured_side::OUTCOMES[o],
            });
        }),
    ));
    let family: &'static _ = Box::leak(Box::new(prometheus_client::metrics::family::Family::<
        client_side::Labels,
        prometheus_client::metrics::counter::Counter,
    >::default()));
    out.push(contender(
        "prometheus_client",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            family
                .get_or_create(&client_side::Labels {
                    endpoint: client_side::ENDPOINTS[e],
                    outcome: client_side::OUTCOMES[o],
                })
                .inc();
        }),
    ));
    let vec: &'static _ = Box::leak(Box::new(
        prometheus::IntCounterVec::new(
            prometheus::Opts::new("requests_total", "Requests."),
            &["endpoint", "outcome"],
        )
        .unwrap(),
    ));
    out.push(contender(
        "prometheus_vec",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            vec.with_label_values(&[ENDPOINTS[e], OUTCOMES[o]]).inc();
        }),
    ));
    let static_vec: &'static _ = Box::leak(Box::new(static_side::Requests::from(vec)));
    out.push(contender(
        "prometheus_static",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            static_vec
                .get(static_side::ENDPOINTS[e])
                .get(static_side::OUTCOMES[o])
                .inc();
        }),
    ));
    // metrics: the global recorder, since a thread-local one does not reach
    // spawned threads. Installed once per process.
    static METRICS_GLOBAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let global = *METRICS_GLOBAL.get_or_init(|| {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::set_global_recorder(recorder).is_ok()
    });
    if global {
        let labels: &'static [[(&str, &str); 2]] = Box::leak(
            (0..18)
                .map(|s| [("endpoint", ENDPOINTS[s / 3]), ("outcome", OUTCOMES[s % 3])])
                .collect(),
        );
        out.push(contender(
            "metrics",
            runner(threads, move |t, i| {
                let (e, o) = pick(t, i);
                metrics::counter!("requests_total", &labels[e * 3 + o]).increment(1);
            }),
        ));
    }
    let (counter, bound) = otel_side::counters();
    out.push(contender(
        "opentelemetry_sdk",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            counter.add(1, &otel_side::attributes()[e * 3 + o]);
        }),
    ));
    out.push(contender(
        "opentelemetry_sdk_bound",
        runner(threads, move |t, i| {
            let (e, o) = pick(t, i);
            bound[e * 3 + o].add(1);
        }),
    ));
    out
}

/// The OpenTelemetry SDK's side: instruments of a meter provider with a
/// manual reader, the 18 attribute sets prebuilt, and the same instruments
/// bound to each set.
mod otel_side {
    use opentelemetry::metrics::{BoundCounter, BoundHistogram, Counter, Histogram, MeterProvider};
    use opentelemetry::KeyValue;
    use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
    use std::sync::OnceLock;

    fn provider() -> &'static SdkMeterProvider {
        static PROVIDER: OnceLock<SdkMeterProvider> = OnceLock::new();
        PROVIDER.get_or_init(|| {
            SdkMeterProvider::builder()
                .with_reader(ManualReader::builder().build())
                .build()
        })
    }

    /// The 18 (endpoint, outcome) attribute sets, in series order.
    pub fn attributes() -> &'static [[KeyValue; 2]] {
        static SETS: OnceLock<Vec<[KeyValue; 2]>> = OnceLock::new();
        SETS.get_or_init(|| {
            (0..18)
                .map(|s| {
                    [
                        KeyValue::new("endpoint", super::ENDPOINTS[s / 3]),
                        KeyValue::new("outcome", super::OUTCOMES[s % 3]),
                    ]
                })
                .collect()
        })
    }

    /// A counter, and the same bound to each of the 18 sets.
    pub fn counters() -> (&'static Counter<u64>, &'static [BoundCounter<u64>]) {
        let counter: &'static Counter<u64> = Box::leak(Box::new(
            provider()
                .meter("bench")
                .u64_counter("requests_total")
                .build(),
        ));
        let bound = attributes().iter().map(|a| counter.bind(a)).collect();
        (counter, Vec::leak(bound))
    }

    /// A histogram with `bounds`, and the same bound to each of the 18
    /// sets.
    pub fn histograms(bounds: &[f64]) -> (&'static Histogram<f64>, &'static [BoundHistogram<f64>]) {
        let histogram: &'static Histogram<f64> = Box::leak(Box::new(
            provider()
                .meter("bench")
                .f64_histogram("request_duration_seconds")
                .with_boundaries(bounds.to_vec())
                .build(),
        ));
        let bound = attributes().iter().map(|a| histogram.bind(a)).collect();
        (histogram, Vec::leak(bound))
    }
}

/// A contender observing the `histogram_observe` values into one of the
/// `Bench` histograms of 18 series, through `observe`: generic, so that each
/// is inlined into its own loop.
fn labelled_observe(
    name: &'static str,
    ops: &'static [(usize, usize, f64)],
    observe: impl Fn(Endpoint, Outcome, f64) + 'static,
) -> Contender {
    contender(name, move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            observe(
                Endpoint::from_index(e).unwrap(),
                Outcome::from_index(o).unwrap(),
                v,
            );
        }
    })
}

/// The histogram-observe contenders (10 buckets, 2 labels).
/// A sampled span's context, as the OpenTelemetry SDK or
/// `tracing-opentelemetry` makes current inside a span.
fn sampled_span() -> opentelemetry::Context {
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    opentelemetry::Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from_bytes(TRACE_ID),
        SpanId::from_bytes(SPAN_ID),
        TraceFlags::SAMPLED,
        false,
        TraceState::default(),
    ))
}

const TRACE_ID: [u8; 16] = [
    0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36,
];
const SPAN_ID: [u8; 8] = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7];

/// An observation of a histogram declared `exemplars = trace`, outside any
/// span and inside a sampled one, against one without exemplars and one
/// whose exemplar is passed by hand with the same ids.
fn histogram_traced_contenders() -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    let mut out = Vec::new();
    out.push(labelled_bare_atomic(ops));
    out.push(labelled_observe("enumeter", ops, |e, o, v| {
        Bench::request_duration(e, o).observe(v)
    }));
    out.push(labelled_observe(
        "enumeter_traced_outside_span",
        ops,
        |e, o, v| Bench::traced_request_duration(e, o).observe(v),
    ));
    let by_hand = labelled_observe("enumeter_exemplar_by_hand", ops, |e, o, v| {
        Bench::exemplar_request_duration(e, o).observe_with_exemplar(
            v,
            &[
                ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
                ("span_id", "00f067aa0ba902b7"),
            ],
        )
    });
    out.push(by_hand);
    out.push(contender("enumeter_traced_in_span", move |n| {
        let _span = sampled_span().attach();
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            let (e, o) = (
                Endpoint::from_index(e).unwrap(),
                Outcome::from_index(o).unwrap(),
            );
            Bench::traced_request_duration(e, o).observe(v);
        }
    }));
    out
}

fn histogram_contenders() -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    let mut out = Vec::new();
    out.push(labelled_bare_atomic(ops));
    // What a histogram cannot do with less: find the bucket, add to it and
    // to the sum.
    let buckets: &'static [AtomicU64] =
        Box::leak((0..18 * 11).map(|_| AtomicU64::new(0)).collect());
    let sums: &'static [AtomicU64] = Box::leak((0..18).map(|_| AtomicU64::new(0)).collect());
    out.push(contender("hand_written", move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            let series = e * 3 + o;
            let bucket = BUCKETS.partition_point(|&b| b < v);
            buckets[series * 11 + bucket].fetch_add(1, Ordering::Relaxed);
            let sum = &sums[series];
            let mut current = sum.load(Ordering::Relaxed);
            loop {
                let new = (f64::from_bits(current) + v).to_bits();
                match sum.compare_exchange_weak(current, new, Ordering::Relaxed, Ordering::Relaxed)
                {
                    Ok(_) => break,
                    Err(now) => current = now,
                }
            }
        }
    }));
    out.push(labelled_observe("enumeter", ops, |e, o, v| {
        Bench::request_duration(e, o).observe(v)
    }));
    out.push(labelled_observe("enumeter_sparse", ops, |e, o, v| {
        Bench::sparse_request_duration(e, o).observe(v)
    }));
    let measured_vec: &'static _ = Box::leak(Box::new(
        measured::HistogramVec::with_label_set_and_metadata(
            measured_side::set(),
            measured::metric::histogram::Thresholds::<10>::with_buckets(BUCKETS),
        ),
    ));
    out.push(contender("measured", move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            measured_vec.observe(
                measured_side::Request {
                    endpoint: measured_side::ENDPOINTS[e],
                    outcome: measured_side::OUTCOMES[o],
                },
                v,
            );
        }
    }));
    let family: &'static _ = Box::leak(Box::new(prometheus_client::metrics::family::Family::<
        client_side::Labels,
        prometheus_client::metrics::histogram::Histogram,
        fn() -> prometheus_client::metrics::histogram::Histogram,
    >::new_with_constructor(|| {
        prometheus_client::metrics::histogram::Histogram::new(BUCKETS)
    })));
    out.push(contender("prometheus_client", move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            family
                .get_or_create(&client_side::Labels {
                    endpoint: client_side::ENDPOINTS[e],
                    outcome: client_side::OUTCOMES[o],
                })
                .observe(v);
        }
    }));
    let vec: &'static _ = Box::leak(Box::new(
        prometheus::HistogramVec::new(
            prometheus::HistogramOpts::new("request_duration_seconds", "Request duration.")
                .buckets(BUCKETS.to_vec()),
            &["endpoint", "outcome"],
        )
        .unwrap(),
    ));
    out.push(contender("prometheus_vec", move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            vec.with_label_values(&[ENDPOINTS[e], OUTCOMES[o]])
                .observe(v);
        }
    }));
    let recorder: &'static _ = Box::leak(Box::new(
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .unwrap()
            .build_recorder(),
    ));
    let labels: &'static [[(&str, &str); 2]] = Box::leak(
        (0..18)
            .map(|s| [("endpoint", ENDPOINTS[s / 3]), ("outcome", OUTCOMES[s % 3])])
            .collect(),
    );
    out.push(contender("metrics", move |n| {
        metrics::with_local_recorder(recorder, || {
            for i in 0..n as usize {
                let (e, o, v) = ops[i & 1023];
                metrics::histogram!("request_duration_seconds", &labels[e * 3 + o]).record(v);
            }
        })
    }));
    let (histogram, bound) = otel_side::histograms(&BUCKETS);
    out.push(contender("opentelemetry_sdk", move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            histogram.record(v, &otel_side::attributes()[e * 3 + o]);
        }
    }));
    out.push(contender("opentelemetry_sdk_bound", move |n| {
        for i in 0..n as usize {
            let (e, o, v) = ops[i & 1023];
            bound[e * 3 + o].record(v);
        }
    }));
    out
}

/// A bare atomic add per operation into one of 18 cells, one per label set
/// of the operations the contenders beside it read.
fn labelled_bare_atomic(ops: &'static [(usize, usize, f64)]) -> Contender {
    let bare: &'static [AtomicU64] = Box::leak((0..18).map(|_| AtomicU64::new(0)).collect());
    contender("bare_atomic", move |n| {
        for i in 0..n as usize {
            let (e, o, _) = ops[i & 1023];
            bare[e * 3 + o].fetch_add(1, Ordering::Relaxed);
        }
    })
}

/// A bare atomic add per operation into one unlabelled cell, reading the
/// same operations as the contenders beside it.
fn unlabelled_bare_atomic(ops: &'static [(usize, usize, f64)]) -> Contender {
    static BARE: AtomicU64 = AtomicU64::new(0);
    contender("bare_atomic", move |n| {
        for i in 0..n as usize {
            black_box(ops[i & 1023]);
            BARE.fetch_add(1, Ordering::Relaxed);
        }
    })
}

/// The summary-observe contenders (4 quantiles, no labels), beside our
/// classic histogram of the same values.
fn summary_contenders() -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    let mut out = Vec::new();
    out.push(unlabelled_bare_atomic(ops));
    out.push(contender("enumeter_histogram", move |n| {
        for i in 0..n as usize {
            Bench::first_byte_histogram().observe(ops[i & 1023].2);
        }
    }));
    out.push(contender("enumeter", move |n| {
        for i in 0..n as usize {
            Bench::first_byte().observe(ops[i & 1023].2);
        }
    }));
    // Without buckets, metrics-exporter-prometheus renders histograms as
    // summaries (a sliding-window sketch).
    let recorder: &'static _ = Box::leak(Box::new(
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_quantiles(&[0.5, 0.9, 0.95, 0.99])
            .unwrap()
            .build_recorder(),
    ));
    out.push(contender("metrics", move |n| {
        metrics::with_local_recorder(recorder, || {
            for i in 0..n as usize {
                metrics::histogram!("first_byte_seconds").record(ops[i & 1023].2);
            }
        })
    }));
    out
}

/// The render contenders for `series` counter series; one operation is one
/// render into a reused buffer.
fn render_contenders(series: usize) -> Vec<Contender> {
    renderers(series)
        .into_iter()
        .map(|(name, mut render)| {
            let mut buf = Vec::new();
            contender(name, move |n| {
                for _ in 0..n {
                    buf.clear();
                    render(&mut buf);
                    black_box(buf.len());
                }
            })
        })
        .collect()
}

/// The sparse render contenders: a sparse metric of 10,000 declared
/// series with 100 and with all 10,000 recorded into, each beside a dense
/// metric of as many series whose lines have the same shape.
fn render_sparse_contenders() -> Vec<Contender> {
    let dense_100: &'static RenderDense100Metrics =
        Box::leak(Box::new(RenderDense100Metrics::new()));
    for a in Hundred::all() {
        dense_100.counters_total(a, Fifty::V50).inc();
    }
    // 100 series scattered over the 10,000, two-digit values like `v50`.
    let sparse_100: &'static RenderSparseMetrics = Box::leak(Box::new(RenderSparseMetrics::new()));
    for (i, a) in Hundred::all().enumerate() {
        let b = Hundred::from_index((i * 37 + 11) % 90 + 10).unwrap();
        sparse_100.counters_total(a, b).inc();
    }
    let dense_10k: &'static Render10kMetrics = Box::leak(Box::new(Render10kMetrics::new()));
    let sparse_10k: &'static RenderSparseMetrics = Box::leak(Box::new(RenderSparseMetrics::new()));
    for a in Hundred::all() {
        for b in Hundred::all() {
            dense_10k.counters_total(a, b).inc();
            sparse_10k.counters_total(a, b).inc();
        }
    }
    let groups: [(&'static str, &'static dyn enumeter::Group); 4] = [
        ("enumeter_dense_100", dense_100),
        ("enumeter_sparse_100_of_10k", sparse_100),
        ("enumeter_dense_10k", dense_10k),
        ("enumeter_sparse_10k_of_10k", sparse_10k),
    ];
    groups
        .into_iter()
        .map(|(name, group)| {
            let registry = Registry::new().with(group);
            let mut buf = Vec::new();
            contender(name, move |n| {
                for _ in 0..n {
                    buf.clear();
                    registry.render_into(Format::Prometheus, &mut buf);
                    black_box(buf.len());
                }
            })
        })
        .collect()
}

/// Native histograms and exemplars: one series each, the same values as
/// `histogram_observe`.
#[metrics(namespace = "native_bench", register = false)]
pub enum NativeBench {
    /// Classic buckets, as in `histogram_observe` but unlabelled.
    #[histogram(buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])]
    Classic,
    /// The same buckets, declared with exemplars (recorded without one).
    #[histogram(buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0], exemplars)]
    WithExemplars,
    /// Native buckets at schema 3 (the defaults).
    #[histogram(native)]
    Native,
}

static NATIVE_BENCH: NativeBenchMetrics = NativeBenchMetrics::new();

fn native_contenders() -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    let mut out = Vec::new();
    out.push(unlabelled_bare_atomic(ops));
    out.push(contender("enumeter_classic", move |n| {
        for i in 0..n as usize {
            NATIVE_BENCH.classic().observe(ops[i & 1023].2);
        }
    }));
    out.push(contender(
        "enumeter_classic_declared_with_exemplars",
        move |n| {
            for i in 0..n as usize {
                NATIVE_BENCH.with_exemplars().observe(ops[i & 1023].2);
            }
        },
    ));
    out.push(contender("enumeter_with_exemplar", move |n| {
        for i in 0..n as usize {
            NATIVE_BENCH
                .with_exemplars()
                .observe_with_exemplar(ops[i & 1023].2, &[("trace_id", "4bf92f3577b34da6")]);
        }
    }));
    out.push(contender("enumeter_native", move |n| {
        for i in 0..n as usize {
            NATIVE_BENCH.native().observe(ops[i & 1023].2);
        }
    }));
    // The 18 labelled series of `histogram_observe`, classic and native.
    out.push(labelled_observe(
        "enumeter_classic_labelled",
        ops,
        |e, o, v| Bench::request_duration(e, o).observe(v),
    ));
    out.push(labelled_observe(
        "enumeter_native_labelled",
        ops,
        |e, o, v| Bench::native_request_duration(e, o).observe(v),
    ));
    let client = prometheus_client::metrics::histogram::Histogram::new_native(
        prometheus_client::metrics::histogram::NativeHistogramConfig::with_schema(3),
    );
    out.push(contender("prometheus_client_native", move |n| {
        for i in 0..n as usize {
            client.observe(ops[i & 1023].2);
        }
    }));
    out
}

enumeter::runtime_label! {
    /// The endpoints as a runtime label: five names and `other`, as many
    /// values as `Endpoint`, interned from `ENDPOINTS`.
    pub struct EndpointName: capacity = 5;
}

enumeter::runtime_label! {
    /// The same as a runtime label whose values retire after an hour idle
    /// (none does during a run): what the generation check costs.
    pub struct RetiringEndpointName: capacity = 5, idle = std::time::Duration::from_secs(3600);
}

mod runtime_side {
    use measured::label::StaticLabelSet;
    use measured::lasso::{Rodeo, RodeoReader, ThreadedRodeo};
    use measured::LabelGroup;

    pub use super::measured_side::{Outcome, OUTCOMES};

    /// `measured`'s label sets fixed at start-up: the endpoint names in a
    /// frozen interner.
    #[derive(Clone, Copy, Debug, PartialEq, LabelGroup)]
    #[label(set = FixedSet)]
    pub struct Fixed<'a> {
        #[label(fixed_with = RodeoReader)]
        pub endpoint: &'a str,
        pub outcome: Outcome,
    }

    /// And dynamic ones: a concurrent interner.
    #[derive(Clone, Copy, Debug, PartialEq, LabelGroup)]
    #[label(set = DynamicSet)]
    pub struct Dynamic<'a> {
        #[label(dynamic_with = ThreadedRodeo, default)]
        pub endpoint: &'a str,
        pub outcome: Outcome,
    }

    pub fn fixed_set() -> FixedSet {
        let names: Rodeo = super::ENDPOINTS.into_iter().collect();
        FixedSet {
            endpoint: names.into_reader(),
            outcome: StaticLabelSet::new(),
        }
    }

    pub fn dynamic_set() -> DynamicSet {
        DynamicSet::default()
    }
}

/// The handle of each of `ENDPOINTS`, interned with `intern` (`other` is
/// the handle every label has, not a value to intern), kept as an
/// application keeps its handles.
fn interned<L>(
    intern: fn(&str) -> Result<L, enumeter::runtime_label::RuntimeLabelError>,
    other: L,
) -> &'static [L]
where
    L: Copy,
{
    Box::leak(
        ENDPOINTS
            .iter()
            .map(|&name| match name {
                enumeter::runtime_label::OTHER => other,
                name => intern(name).unwrap(),
            })
            .collect(),
    )
}

/// Recording with a runtime label value (a counter of 18 series, sparse,
/// `endpoint` known only at run time) against the same with an enum label,
/// and against the peers' labels of run-time strings: `measured`'s frozen
/// and concurrent interners, `prometheus-client`'s `get_or_create` with
/// `String` labels (prebuilt, as an application keeps them).
fn runtime_label_contenders() -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    let handles = interned(EndpointName::intern, EndpointName::OTHER);
    let mut out = Vec::new();
    fn each(
        name: &'static str,
        ops: &'static [(usize, usize, f64)],
        op: impl Fn(usize, usize) + 'static,
    ) -> Contender {
        contender(name, move |n| {
            for i in 0..n as usize {
                let (e, o, _) = ops[i & 1023];
                op(e, o);
            }
        })
    }
    // Both enumeter contenders take their endpoint from a table, as an
    // application holds its handles.
    let enums: &'static [Endpoint] = Box::leak(Endpoint::all().collect());
    out.push(each("enumeter_enum", ops, move |e, o| {
        Bench::sparse_requests_total(enums[e], Outcome::from_index(o).unwrap()).inc()
    }));
    out.push(each("enumeter_runtime", ops, move |e, o| {
        Bench::runtime_requests_total(handles[e], Outcome::from_index(o).unwrap()).inc()
    }));
    let retiring = interned(RetiringEndpointName::intern, RetiringEndpointName::OTHER);
    out.push(each("enumeter_runtime_retiring", ops, move |e, o| {
        Bench::retiring_requests_total(retiring[e], Outcome::from_index(o).unwrap()).inc()
    }));
    out.push(each("enumeter_runtime_lookup", ops, |e, o| {
        let endpoint = EndpointName::lookup(ENDPOINTS[e]).unwrap_or(EndpointName::OTHER);
        Bench::runtime_requests_total(endpoint, Outcome::from_index(o).unwrap()).inc()
    }));
    let fixed: &'static _ = Box::leak(Box::new(measured::CounterVec::with_label_set(
        runtime_side::fixed_set(),
    )));
    out.push(each("measured_fixed", ops, move |e, o| {
        fixed.inc(runtime_side::Fixed {
            endpoint: ENDPOINTS[e],
            outcome: runtime_side::OUTCOMES[o],
        })
    }));
    let dynamic: &'static _ = Box::leak(Box::new(measured::CounterVec::with_label_set(
        runtime_side::dynamic_set(),
    )));
    out.push(each("measured_dynamic", ops, move |e, o| {
        dynamic.inc(runtime_side::Dynamic {
            endpoint: ENDPOINTS[e],
            outcome: runtime_side::OUTCOMES[o],
        })
    }));
    type StringLabels = Vec<(String, String)>;
    let family: &'static _ = Box::leak(Box::new(prometheus_client::metrics::family::Family::<
        StringLabels,
        prometheus_client::metrics::counter::Counter,
    >::default()));
    let keys: &'static [StringLabels] = Box::leak(
        (0..18)
            .map(|s| {
                vec![
                    ("endpoint".to_owned(), ENDPOINTS[s / 3].to_owned()),
                    ("outcome".to_owned(), OUTCOMES[s % 3].to_owned()),
                ]
            })
            .collect(),
    );
    out.push(each("prometheus_client", ops, move |e, o| {
        family.get_or_create(&keys[e * 3 + o]).inc();
    }));
    out
}

/// A runtime label's table operations on strings: looking an existing
/// value up, interning an existing one, and interning a new one (into
/// fresh tables of 1,024, whose making is part of the cost), against
/// `measured`'s interners and a `HashMap<String, u32>` behind an `RwLock`.
fn runtime_label_table_contenders() -> Vec<Contender> {
    const NEW: usize = 1024;
    let names: &'static [String] = Box::leak((0..NEW).map(|i| format!("upstream-{i}")).collect());
    let mut out = Vec::new();
    out.push(contender("enumeter_lookup", move |n| {
        for i in 0..n as usize {
            black_box(EndpointName::lookup(black_box(ENDPOINTS[i % 6])));
        }
    }));
    out.push(contender("enumeter_intern_existing", move |n| {
        for i in 0..n as usize {
            black_box(EndpointName::intern(black_box(ENDPOINTS[i % 6])).ok());
        }
    }));
    out.push(contender("enumeter_intern_new", move |n| {
        let mut done = 0;
        while done < n as usize {
            let table: Box<enumeter::runtime_label::RuntimeValues<NEW, { 2 * NEW }>> =
                Box::new(enumeter::runtime_label::RuntimeValues::new("bench"));
            for name in names.iter().take(n as usize - done) {
                black_box(table.intern(black_box(name)).ok());
            }
            done += NEW.min(n as usize - done);
            // The interned strings are leaked by design (never retired);
            // the table goes.
        }
    }));
    let reader: &'static measured::lasso::RodeoReader = Box::leak(Box::new(
        ENDPOINTS
            .iter()
            .copied()
            .collect::<measured::lasso::Rodeo>()
            .into_reader(),
    ));
    out.push(contender("measured_rodeo_get", move |n| {
        for i in 0..n as usize {
            black_box(reader.get(black_box(ENDPOINTS[i % 6])));
        }
    }));
    let threaded: &'static measured::lasso::ThreadedRodeo =
        Box::leak(Box::new(measured::lasso::ThreadedRodeo::new()));
    for name in ENDPOINTS {
        threaded.get_or_intern(name);
    }
    out.push(contender("measured_threaded_get_or_intern", move |n| {
        for i in 0..n as usize {
            black_box(threaded.get_or_intern(black_box(ENDPOINTS[i % 6])));
        }
    }));
    let map: &'static std::sync::RwLock<std::collections::HashMap<String, u32>> =
        Box::leak(Box::new(std::sync::RwLock::new(
            ENDPOINTS
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), i as u32))
                .collect(),
        )));
    out.push(contender("rwlock_hashmap_get", move |n| {
        for i in 0..n as usize {
            black_box(
                map.read()
                    .unwrap()
                    .get(black_box(ENDPOINTS[i % 6]))
                    .copied(),
            );
        }
    }));
    out
}

/// Renders of 10,000 series under each escaping scheme: the legacy-named
/// group as declared (`legacy`, the writer of before escaping existed)
/// and under `dots` (which doubles its underscores), and the same group
/// with Prometheus 3 names (`render.counters_total`, labels `a.x`, `b.x`)
/// quoted (`utf8_allow_utf8`, text 1.0.0) and escaped by each scheme.
fn render_names_contenders() -> Vec<Contender> {
    let legacy: &'static Render10kMetrics = Box::leak(Box::new(Render10kMetrics::new()));
    let utf8: &'static RenderUtf8Metrics = Box::leak(Box::new(RenderUtf8Metrics::new()));
    for a in Hundred::all() {
        for b in Hundred::all() {
            legacy.counters_total(a, b).inc();
            utf8.counters_total(a, b).inc();
        }
    }
    let text = |escaping| Exposition::prometheus_text_1().with_escaping(escaping);
    let cases: [(&'static str, &'static dyn enumeter::Group, Exposition); 7] = [
        ("legacy", legacy, text(Escaping::AllowUtf8)),
        ("legacy_dots", legacy, text(Escaping::Dots)),
        ("utf8_allow_utf8", utf8, text(Escaping::AllowUtf8)),
        ("utf8_underscores", utf8, text(Escaping::Underscores)),
        ("utf8_dots", utf8, text(Escaping::Dots)),
        ("utf8_values", utf8, text(Escaping::Values)),
        (
            "utf8_protobuf_allow_utf8",
            utf8,
            Exposition::new(Format::Protobuf).with_escaping(Escaping::AllowUtf8),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, group, exposition)| {
            let registry = Registry::new().with(group);
            let mut buf = Vec::new();
            contender(name, move |n| {
                for _ in 0..n {
                    buf.clear();
                    registry.render_into(exposition, &mut buf);
                    black_box(buf.len());
                }
            })
        })
        .collect()
}

/// What Prometheus 3.5.3 sends with native histograms on (recorded from a
/// real one), and 2.42's: the negotiation of one scrape.
const ACCEPT_3_5: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
    encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,\
    application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;\
    q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
const ACCEPT_2_42: &str =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
    version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

fn negotiate_contenders() -> Vec<Contender> {
    [
        ("prometheus_3_5", ACCEPT_3_5),
        ("prometheus_2_42", ACCEPT_2_42),
    ]
    .into_iter()
    .map(|(name, accept)| {
        contender(name, move |n| {
            for _ in 0..n {
                black_box(Exposition::from_accept(black_box(accept)));
            }
        })
    })
    .collect()
}

/// Every scenario, by name.
fn scenario(name: &str) -> Option<Scenario> {
    let (unit, contenders) = match name {
        "counter_inc" => ("op", counter_contenders(1, Spread::Random)),
        "counter_2_threads_random" => ("iteration", counter_contenders(2, Spread::Random)),
        "counter_2_threads_disjoint" => ("iteration", counter_contenders(2, Spread::Disjoint)),
        "counter_2_threads_hot" => ("iteration", counter_contenders(2, Spread::Hot)),
        "histogram_observe" => ("op", histogram_contenders()),
        "histogram_traced" => ("op", histogram_traced_contenders()),
        "summary_observe" => ("op", summary_contenders()),
        "render_10k" => ("render", render_contenders(10_000)),
        "render_100k" => ("render", render_contenders(100_000)),
        "render_sparse" => ("render", render_sparse_contenders()),
        "render_names" => ("render", render_names_contenders()),
        "negotiate" => ("op", negotiate_contenders()),
        "http_request" => ("request", http_bench::contenders()),
        "native_observe" => ("op", native_contenders()),
        "runtime_label_inc" => ("op", runtime_label_contenders()),
        "runtime_label_table" => ("op", runtime_label_table_contenders()),
        "scrape_10k_tls" => ("scrape", tls_bench::scrape_contenders()),
        "basic_auth_check" => ("check", tls_bench::basic_auth_contenders()),
        "facade_counter_lookup" => ("op", facade_contenders(true)),
        "facade_counter_handle" => ("op", facade_contenders(false)),
        "render_facade" => ("render", render_facade_contenders()),
        _ => return None,
    };
    Some(Scenario { unit, contenders })
}

const SCENARIOS: [&str; 21] = [
    "counter_inc",
    "counter_2_threads_random",
    "counter_2_threads_disjoint",
    "counter_2_threads_hot",
    "histogram_observe",
    "histogram_traced",
    "summary_observe",
    "render_10k",
    "render_100k",
    "render_sparse",
    "render_names",
    "negotiate",
    "http_request",
    "native_observe",
    "runtime_label_inc",
    "runtime_label_table",
    "scrape_10k_tls",
    "basic_auth_check",
    "facade_counter_lookup",
    "facade_counter_handle",
    "render_facade",
];

/// A counter with two labels recorded through the `metrics` facade, into
/// metrics-exporter-prometheus's recorder and into enumeter's, on the same
/// 18 label sets: looked up by `counter!` at every increment (`lookup`), or
/// registered once and kept, as a dependency keeps a handle (`handle`).
/// Each recorder is the local one for the loop (no global recorder). The
/// `_idle` pair does the same with series that retire when idle (an hour:
/// none does during the run), which costs each recorder its check.
fn facade_contenders(lookup: bool) -> Vec<Contender> {
    let ops: &'static [(usize, usize, f64)] = Box::leak(operations().into_boxed_slice());
    let labels: &'static [[(&str, &str); 2]] = Box::leak(
        (0..18)
            .map(|s| [("endpoint", ENDPOINTS[s / 3]), ("outcome", OUTCOMES[s % 3])])
            .collect(),
    );
    let hour = Some(std::time::Duration::from_secs(3600));
    let mep: &'static metrics_exporter_prometheus::PrometheusRecorder = Box::leak(Box::new(
        metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder(),
    ));
    let mep_idle: &'static metrics_exporter_prometheus::PrometheusRecorder = Box::leak(Box::new(
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .idle_timeout(metrics_util::MetricKindMask::ALL, hour)
            .build_recorder(),
    ));
    let facade: &'static enumeter::facade::FacadeRecorder =
        Box::leak(Box::new(enumeter::facade::FacadeRecorder::new()));
    // The facade is one per process and its idle time is its families'
    // from their making: the idle family is made now, then the setting
    // goes back.
    facade.idle_timeout(hour);
    metrics::with_local_recorder(facade, || {
        for l in labels {
            metrics::counter!("requests_idle_total", l).increment(0);
        }
    });
    facade.idle_timeout(None);
    let mut out = Vec::new();
    out.push(labelled_bare_atomic(ops));
    fn looked_up(
        recorder: &'static dyn metrics::Recorder,
        name: &'static str,
        ops: &'static [(usize, usize, f64)],
        labels: &'static [[(&'static str, &'static str); 2]],
    ) -> impl FnMut(u64) {
        move |n| {
            metrics::with_local_recorder(recorder, || {
                for i in 0..n as usize {
                    let (e, o, _) = ops[i & 1023];
                    metrics::counter!(name, &labels[e * 3 + o]).increment(1);
                }
            })
        }
    }
    fn held(
        recorder: &'static dyn metrics::Recorder,
        name: &'static str,
        ops: &'static [(usize, usize, f64)],
        labels: &'static [[(&'static str, &'static str); 2]],
    ) -> impl FnMut(u64) {
        let handles: Vec<metrics::Counter> = metrics::with_local_recorder(recorder, || {
            labels.iter().map(|l| metrics::counter!(name, l)).collect()
        });
        move |n| {
            for i in 0..n as usize {
                let (e, o, _) = ops[i & 1023];
                handles[e * 3 + o].increment(1);
            }
        }
    }
    let recorders: [(&'static str, &'static dyn metrics::Recorder, &'static str); 4] = [
        ("metrics_exporter_prometheus", mep, "requests_total"),
        ("enumeter_facade", facade, "requests_total"),
        (
            "metrics_exporter_prometheus_idle",
            mep_idle,
            "requests_total",
        ),
        ("enumeter_facade_idle", facade, "requests_idle_total"),
    ];
    for (contender_name, recorder, name) in recorders {
        if lookup {
            out.push(contender(
                contender_name,
                looked_up(recorder, name, ops, labels),
            ));
        } else {
            out.push(contender(contender_name, held(recorder, name, ops, labels)));
        }
    }
    out
}

/// Rendering 10,000 counter series with two labels (100 × 100 values)
/// recorded through the `metrics` facade, into enumeter's recorder and
/// metrics-exporter-prometheus's, beside the same series of a typed group
/// (`render_10k`'s): the text format, into a buffer kept from render to
/// render where the API allows.
fn render_facade_contenders() -> Vec<Contender> {
    let values: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
    let facade: &'static enumeter::facade::FacadeRecorder = Box::leak(Box::new(
        enumeter::facade::FacadeRecorder::new()
            .max_series_per_family(10_000)
            .max_series(20_000),
    ));
    let mep = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let mep_handle = mep.handle();
    for recorder in [facade as &dyn metrics::Recorder, &mep] {
        metrics::with_local_recorder(recorder, || {
            for a in &values {
                for b in &values {
                    metrics::counter!("render_facade_total", "a" => a.clone(), "b" => b.clone())
                        .increment(1);
                }
            }
        });
    }
    let typed: &'static Render10kMetrics = Box::leak(Box::new(Render10kMetrics::new()));
    for a in Hundred::all() {
        for b in Hundred::all() {
            typed.counters_total(a, b).inc();
        }
    }
    let typed_registry = Registry::new().with(typed);
    let facade_registry = Registry::new().with(enumeter::facade::group());
    let mut typed_buf = Vec::new();
    let mut facade_buf = Vec::new();
    vec![
        contender("enumeter_typed_10k", move |n| {
            for _ in 0..n {
                typed_buf.clear();
                typed_registry.render_into(Format::Prometheus, &mut typed_buf);
                black_box(typed_buf.len());
            }
        }),
        contender("enumeter_facade_10k", move |n| {
            for _ in 0..n {
                facade_buf.clear();
                facade_registry.render_into(Format::Prometheus, &mut facade_buf);
                black_box(facade_buf.len());
            }
        }),
        contender("metrics_exporter_prometheus_10k", move |n| {
            for _ in 0..n {
                black_box(mep_handle.render().len());
            }
        }),
    ]
}

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

/// 10,000 series with Prometheus 3 names.
#[metrics(register = false)]
pub enum RenderUtf8 {
    /// Counters.
    #[counter(name = "render.counters_total")]
    CountersTotal {
        #[label(name = "a.x")]
        a: Hundred,
        #[label(name = "b.x")]
        b: Hundred,
    },
}

/// 10,000 series, sparse.
#[metrics(namespace = "render", register = false)]
pub enum RenderSparse {
    /// Counters.
    #[counter(sparse)]
    CountersTotal { a: Hundred, b: Hundred },
}

/// One label value, `v50`: a dense metric of 100 series whose lines are as
/// long as those of the sparse metric's scattered series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Fifty {
    V50,
}

/// 100 series, dense.
#[metrics(namespace = "render", register = false)]
pub enum RenderDense100 {
    /// Counters.
    #[counter]
    CountersTotal { a: Hundred, b: Fifty },
}

/// 10,000 series, sharded (16 shards).
#[metrics(namespace = "render")]
pub enum Sharded10k {
    /// Counters.
    #[counter(sharded)]
    CountersTotal { a: Hundred, b: Hundred },
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
    let counting = COUNTING.load(Ordering::Relaxed);
    assert!(!counting, "renderers are set up outside counted regions");
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
        for a in Hundred::all() {
            for b in Hundred::all() {
                m.counters_total(a, b).inc();
            }
        }
        let registry = Registry::new().with(m);
        out.push((
            "enumeter",
            Box::new(move |buf| registry.render_into(Format::Prometheus, buf)),
        ));
        let registry = Registry::new().with(m);
        out.push((
            "enumeter_protobuf",
            Box::new(move |buf| registry.render_into(Format::Protobuf, buf)),
        ));
    } else {
        let m: &'static Render100kMetrics = Box::leak(Box::new(Render100kMetrics::new()));
        for a in Hundred::all() {
            for b in Thousand::all() {
                m.counters_total(a, b).inc();
            }
        }
        let registry = Registry::new().with(m);
        out.push((
            "enumeter",
            Box::new(move |buf| registry.render_into(Format::Prometheus, buf)),
        ));
        let registry = Registry::new().with(m);
        out.push((
            "enumeter_protobuf",
            Box::new(move |buf| registry.render_into(Format::Protobuf, buf)),
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

/// Bytes and allocations of one render after a first one, per contender.
fn render_figures(series: usize, json: &mut String) {
    for (name, mut render) in renderers(series) {
        let mut buf = Vec::new();
        render(&mut buf); // the first scrape: buffers grow
        buf.clear();
        let ((), allocations, _) = counted(|| render(&mut buf));
        let _ = write!(
            json,
            "{{\"series\":{series},\"contender\":\"{name}\",\"bytes\":{},\"allocations\":{allocations}}},",
            buf.len()
        );
    }
}

/// Heap bytes per series, measured with the counting allocator while each
/// contender creates 10,000 counter series (enumeter's storage is placed on
/// the heap here so that the allocator sees it).
fn memory_per_series(json: &mut String) {
    let series = 10_000f64;
    let names: Vec<(String, String)> = (0..100)
        .flat_map(|a| (0..100).map(move |b| (format!("v{a}"), format!("v{b}"))))
        .collect();
    let mut record = |name: &str, live: isize| {
        let _ = write!(
            json,
            "{{\"contender\":\"{name}\",\"bytes_per_series\":{}}},",
            live as f64 / series
        );
    };

    let (kept, _, live) = counted(|| {
        let m = Box::new(Render10kMetrics::new());
        for a in Hundred::all() {
            for b in Hundred::all() {
                m.counters_total(a, b).inc();
            }
        }
        m
    });
    drop(kept);
    record("enumeter", live);

    let (kept, _, live) = counted(|| {
        let m = Box::new(Sharded10kMetrics::new());
        for a in Hundred::all() {
            for b in Hundred::all() {
                m.counters_total(a, b).inc();
            }
        }
        m
    });
    drop(kept);
    record("enumeter_sharded", live);

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
    record("measured", live);

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
    record("prometheus_client", live);

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
    record("prometheus", live);

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
    record("metrics", live);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, scenario_name, contender_name, n] = args.as_slice() {
        if flag == "--instructions" {
            let mut s = scenario(scenario_name).expect("a scenario");
            let c = s
                .contenders
                .iter_mut()
                .find(|c| c.name == contender_name)
                .expect("a contender of the scenario");
            let n: u64 = n.parse().expect("a number of operations");
            // A warm-up: lazily built state, grown buffers.
            (c.run)(n.min(1000));
            counted_run(&mut c.run, n);
            return;
        }
    }
    // `cargo bench` passes `--bench`; a name filters the scenarios.
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let rounds = env_number("ROUNDS", 15);
    let run_ms = env_number("RUN_MS", 10);
    let mut json = String::from("{\"scenarios\":[");
    for name in SCENARIOS {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let mut s = scenario(name).expect("listed");
        let rounds = if name.starts_with("render") {
            rounds.min(11)
        } else {
            rounds
        };
        eprintln!("{name}: {} contenders, {rounds} rounds", s.contenders.len());
        let results = time_scenario(&mut s, rounds, run_ms);
        let _ = write!(
            json,
            "{{\"name\":\"{name}\",\"unit\":\"{}\",\"contenders\":[",
            s.unit
        );
        for (i, (contender, samples)) in results.iter().enumerate() {
            let samples: Vec<String> = samples.iter().map(|v| format!("{v:.4}")).collect();
            let _ = write!(
                json,
                "{}{{\"name\":\"{contender}\",\"ns\":[{}]}}",
                if i > 0 { "," } else { "" },
                samples.join(",")
            );
        }
        json.push_str("]},");
    }
    if json.ends_with(',') {
        json.pop();
    }
    json.push_str("],\"render\":[");
    render_figures(10_000, &mut json);
    render_figures(100_000, &mut json);
    if json.ends_with(',') {
        json.pop();
    }
    json.push_str("],\"scrape_cpu\":[");
    tls_bench::scrape_cpu(&mut json);
    if json.ends_with(',') {
        json.pop();
    }
    json.push_str("],\"memory\":[");
    memory_per_series(&mut json);
    if json.ends_with(',') {
        json.pop();
    }
    json.push_str("]}");
    println!("{json}");
}

// ---- http_request: a tower request-metrics layer around a service that
// answers at once. Each operation builds a GET request for one of 4 paths,
// calls the service, polls the future (ready at once), and reads the
// response body to its end, as a server would.

mod http_bench {
    use std::convert::Infallible;
    use std::future::{ready, Future, Ready};
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    use bytes::Bytes;
    use enumeter::tower::RequestMetricsLayer;
    use enumeter::{http_server_metrics, LabelValue};
    use http_body::{Body, Frame};
    use tower_layer::Layer;
    use tower_service::Service;

    use super::{contender, Contender};

    /// The benchmark's routes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[label(rename_all = "lowercase")]
    pub enum Route {
        Tts,
        Stt,
        Health,
        Users,
        #[label(other)]
        Other,
    }

    http_server_metrics!(pub HttpBench, route = Route);
    // The same, its duration histogram keeping the trace of each request.
    http_server_metrics!(pub HttpTraced, route = Route, exemplars = trace);

    const PATHS: [&str; 4] = ["/tts", "/stt", "/health", "/users"];

    fn route_of<B>(request: &http::Request<B>) -> Route {
        match request.uri().path() {
            "/tts" => Route::Tts,
            "/stt" => Route::Stt,
            "/health" => Route::Health,
            "/users" => Route::Users,
            _ => Route::Other,
        }
    }

    /// A body of one static chunk.
    pub struct Once(Option<Bytes>);

    impl Body for Once {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            Poll::Ready(self.get_mut().0.take().map(|b| Ok(Frame::data(b))))
        }

        fn is_end_stream(&self) -> bool {
            self.0.is_none()
        }
    }

    /// Answers 200 with "ok" at once.
    #[derive(Clone)]
    pub struct Immediate;

    impl<B> Service<http::Request<B>> for Immediate {
        type Response = http::Response<Once>;
        type Error = Infallible;
        type Future = Ready<Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<B>) -> Self::Future {
            ready(Ok(http::Response::new(Once(Some(Bytes::from_static(
                b"ok",
            ))))))
        }
    }

    /// One request through `service`, its body read to the end.
    fn request<S, B>(service: &mut S, path: &'static str)
    where
        S: Service<http::Request<()>, Response = http::Response<B>>,
        S::Error: std::fmt::Debug,
        B: Body,
    {
        let mut cx = Context::from_waker(Waker::noop());
        let request = http::Request::get(path).body(()).expect("a request");
        let mut future = std::pin::pin!(service.call(request));
        let Poll::Ready(Ok(response)) = future.as_mut().poll(&mut cx) else {
            panic!("the service answers at once");
        };
        let mut body = std::pin::pin!(response.into_body());
        while let Poll::Ready(Some(_)) = body.as_mut().poll_frame(&mut cx) {}
    }

    pub fn contenders() -> Vec<Contender> {
        let mut out = Vec::new();
        let mut bare = Immediate;
        out.push(contender("no_layer", move |n| {
            for i in 0..n as usize {
                request(&mut bare, PATHS[i & 3]);
            }
        }));
        let mut enumeter =
            RequestMetricsLayer::<HttpBench, _>::new(route_of::<()>).layer(Immediate);
        out.push(contender("enumeter", move |n| {
            for i in 0..n as usize {
                request(&mut enumeter, PATHS[i & 3]);
            }
        }));
        let mut traced = RequestMetricsLayer::<HttpTraced, _>::new(route_of::<()>).layer(Immediate);
        out.push(contender("enumeter_traced", move |n| {
            for i in 0..n as usize {
                request(&mut traced, PATHS[i & 3]);
            }
        }));
        let mut traced_in_span =
            RequestMetricsLayer::<HttpTraced, _>::new(route_of::<()>).layer(Immediate);
        out.push(contender("enumeter_traced_in_span", move |n| {
            let _span = super::sampled_span().attach();
            for i in 0..n as usize {
                request(&mut traced_in_span, PATHS[i & 3]);
            }
        }));
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let mut axum_prometheus = axum_prometheus::PrometheusMetricLayer::new().layer(Immediate);
        out.push(contender("axum_prometheus", move |n| {
            metrics::with_local_recorder(&recorder, || {
                for i in 0..n as usize {
                    request(&mut axum_prometheus, PATHS[i & 3]);
                }
            });
        }));
        out
    }
}

/// The test suite's certificate maker and TLS client, for `tls_bench`.
#[path = "../../src/support/certs.rs"]
#[allow(dead_code)]
mod certs;

// ---- scrape_10k_tls: one scrape of the 10,000-series exposition from the
// exporter over loopback, plain and over TLS with a full handshake each
// (Prometheus' client keeps no TLS sessions, and the exporter closes every
// connection). basic_auth_check: the web configuration's check of a
// remembered basic-auth credential, against a constant-time comparison of
// the same bytes and against the bcrypt check (cost 10) it saves.

mod tls_bench {
    use std::fmt::Write as _;
    use std::hint::black_box;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Instant;

    use enumeter::{Exporter, ExporterHandle, Registry};

    use super::{contender, Contender, Render10kMetrics};

    use super::certs;

    /// The test suite's certificates (a CA, and a P-256 certificate for
    /// 127.0.0.1 signed by it), made with `openssl` under `target/bench/tls`.
    fn certificates() -> certs::Pki {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/tls");
        std::fs::create_dir_all(&dir).unwrap();
        certs::make(&dir)
    }

    fn exporter(tls: Option<&certs::Pki>) -> ExporterHandle {
        let registry = Arc::new(Registry::new().with(Render10kMetrics::global()));
        let exporter = Exporter::new()
            .address("127.0.0.1:0")
            .registry(registry)
            .gzip(false);
        let exporter = match tls {
            Some(pki) => exporter.web_config(format!(
                "tls_server_config:\n  cert_file: {}\n  key_file: {}\n",
                pki.server_cert.display(),
                pki.server_key.display()
            )),
            None => exporter,
        };
        exporter.start().expect("the exporter starts")
    }

    /// The suite's client, as Prometheus: a full handshake every scrape.
    fn client(pki: &certs::Pki) -> Arc<rustls::ClientConfig> {
        let mut config = (*certs::client_config(pki)).clone();
        config.resumption = rustls::client::Resumption::disabled();
        Arc::new(config)
    }

    const REQUEST: &[u8] = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

    /// One scrape; the bytes read.
    fn scrape(addr: &str, tls: Option<&Arc<rustls::ClientConfig>>, body: &mut Vec<u8>) -> usize {
        body.clear();
        let mut socket = TcpStream::connect(addr).unwrap();
        match tls {
            Some(config) => {
                let session =
                    rustls::ClientConnection::new(Arc::clone(config), certs::server_name())
                        .unwrap();
                let mut stream = rustls::StreamOwned::new(session, socket);
                stream.write_all(REQUEST).unwrap();
                stream.read_to_end(body).unwrap();
            }
            None => {
                socket.write_all(REQUEST).unwrap();
                socket.read_to_end(body).unwrap();
            }
        }
        assert!(body.starts_with(b"HTTP/1.1 200"), "a scrape answered 200");
        body.len()
    }

    pub(super) fn scrape_contenders() -> Vec<Contender> {
        let pki = certificates();
        let config = client(&pki);
        [("plain", None), ("tls", Some(config))]
            .into_iter()
            .map(|(name, config)| {
                let handle = exporter(config.as_ref().map(|_| &pki));
                let addr = handle.local_addr().to_string();
                let mut body = Vec::new();
                contender(name, move |n| {
                    let _keep = &handle;
                    for _ in 0..n {
                        black_box(scrape(&addr, config.as_ref(), &mut body));
                    }
                })
            })
            .collect()
    }

    /// The process's CPU time (every thread: the exporter's and the
    /// client's), in ns.
    fn process_cpu_ns() -> u128 {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes the given timespec.
        unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
        t.tv_sec as u128 * 1_000_000_000 + t.tv_nsec as u128
    }

    /// Wall and CPU time per scrape, plain and TLS, interleaved over 15
    /// rounds of 20 scrapes.
    pub(super) fn scrape_cpu(json: &mut String) {
        let pki = certificates();
        let config = client(&pki);
        let plain = exporter(None);
        let tls = exporter(Some(&pki));
        let targets = [
            ("plain", plain.local_addr().to_string(), None),
            ("tls", tls.local_addr().to_string(), Some(config)),
        ];
        let mut body = Vec::new();
        let mut samples: Vec<(Vec<f64>, Vec<f64>)> = vec![Default::default(); 2];
        for _ in 0..15 {
            for (i, (_, addr, config)) in targets.iter().enumerate() {
                let (wall, cpu) = (Instant::now(), process_cpu_ns());
                for _ in 0..20 {
                    scrape(addr, config.as_ref(), &mut body);
                }
                samples[i].0.push(wall.elapsed().as_nanos() as f64 / 20.0);
                samples[i].1.push((process_cpu_ns() - cpu) as f64 / 20.0);
            }
        }
        for ((name, _, _), (wall, cpu)) in targets.iter().zip(samples) {
            let list = |v: &[f64]| {
                v.iter()
                    .map(|x| format!("{x:.0}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let _ = write!(
                json,
                "{{\"name\":\"{name}\",\"bytes\":{},\"wall_ns\":[{}],\"cpu_ns\":[{}]}},",
                body.len(),
                list(&wall),
                list(&cpu)
            );
        }
    }

    pub(super) fn basic_auth_contenders() -> Vec<Contender> {
        let hash = bcrypt::hash("s3cret", 10).unwrap();
        let users =
            enumeter::__private::BasicAuthCheck::new(vec![("prometheus".into(), hash.clone())])
                .unwrap();
        // base64("prometheus:s3cret").
        let header = "Basic cHJvbWV0aGV1czpzM2NyZXQ=";
        assert!(
            users.admits(Some(header)),
            "the credential passes, and is remembered"
        );
        let expected = header.as_bytes().to_vec();
        vec![
            contender("enumeter_remembered", move |n| {
                for _ in 0..n {
                    black_box(users.admits(black_box(Some(header))));
                }
            }),
            contender("bare_constant_time_compare", move |n| {
                for _ in 0..n {
                    let given = black_box(header.as_bytes());
                    let diff = expected
                        .iter()
                        .zip(given)
                        .fold(u8::from(expected.len() != given.len()), |d, (a, b)| {
                            d | (a ^ b)
                        });
                    black_box(diff == 0);
                }
            }),
            contender("bcrypt_cost_10", move |n| {
                for _ in 0..n {
                    black_box(bcrypt::verify(black_box("s3cret"), &hash).unwrap());
                }
            }),
        ]
    }
}
