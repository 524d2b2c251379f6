//! `#[counter(sharded)]`: the same exposition as a plain counter, exact
//! totals from many threads.

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Queue {
    Fast,
    Slow,
}

/// Dispatcher metrics.
#[metrics(namespace = "dispatch")]
pub enum Dispatch {
    /// Jobs dispatched, from every worker thread.
    #[counter(sharded)]
    JobsTotal { queue: Queue },
}

#[test]
fn a_sharded_counter_renders_like_a_counter_in_both_formats() {
    let dispatch = DispatchMetrics::new();
    dispatch.jobs_total(Queue::Slow).add(41);
    dispatch.jobs_total(Queue::Slow).inc();
    let registry = Registry::new().with(&dispatch);
    assert_eq!(
        registry.render(Format::Prometheus),
        "# HELP dispatch_jobs_total Jobs dispatched, from every worker thread.\n\
         # TYPE dispatch_jobs_total counter\n\
         dispatch_jobs_total{queue=\"fast\"} 0\n\
         dispatch_jobs_total{queue=\"slow\"} 42\n"
    );
    assert_eq!(
        registry.render(Format::OpenMetrics),
        "# HELP dispatch_jobs Jobs dispatched, from every worker thread.\n\
         # TYPE dispatch_jobs counter\n\
         dispatch_jobs_total{queue=\"fast\"} 0\n\
         dispatch_jobs_total{queue=\"slow\"} 42\n\
         # EOF\n"
    );
}

#[test]
fn increments_from_many_threads_are_exact() {
    let dispatch = DispatchMetrics::new();
    std::thread::scope(|s| {
        for t in 0..40 {
            let dispatch = &dispatch;
            s.spawn(move || {
                for i in 0..5_000 {
                    dispatch
                        .jobs_total(Queue::from_index((i + t) % 2).unwrap())
                        .inc();
                }
            });
        }
    });
    assert_eq!(dispatch.jobs_total(Queue::Fast).get(), 100_000);
    assert_eq!(dispatch.jobs_total(Queue::Slow).get(), 100_000);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Route {
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
}

/// Router metrics, with an explicit shard count.
#[metrics(namespace = "router")]
pub enum Router {
    /// Requests by route, in 4 shards.
    #[counter(sharded = 4)]
    RequestsTotal { route: Route, queue: Queue },
    /// Requests by route, in the default 16 shards.
    #[counter(sharded)]
    DefaultRequestsTotal { route: Route, queue: Queue },
    /// Requests by route, plain.
    #[counter]
    PlainRequestsTotal { route: Route, queue: Queue },
}

#[test]
fn shard_major_storage_takes_8_bytes_per_shard_per_series() {
    // 16 series: 128 bytes per shard, 4 shards and the shared one; 16
    // shards and the shared one; 128 bytes each for the plain counters (a
    // metric of at most 64 series spaces them, `enumeter::spaced`); 8 for
    // the instance's created time; the whole a multiple of the 128-byte
    // alignment.
    assert_eq!(
        std::mem::size_of::<RouterMetrics>(),
        (5 * 128 + 17 * 128 + 16 * 128 + 8usize).next_multiple_of(128)
    );
}

#[test]
fn disjoint_series_from_more_threads_than_shards_are_exact() {
    let router = RouterMetrics::new();
    // 12 threads on 4 shards: 4 own one (if free), the rest share.
    std::thread::scope(|s| {
        for t in 0..12usize {
            let router = &router;
            s.spawn(move || {
                let route = Route::from_index(t % 8).unwrap();
                for i in 0..10_000usize {
                    let queue = Queue::from_index(i % 2).unwrap();
                    router.requests_total(route, queue).inc();
                    router.default_requests_total(route, queue).add(2);
                }
            });
        }
    });
    let mut total = 0;
    for route in Route::all() {
        for queue in Queue::all() {
            let count = router.requests_total(route, queue).get();
            assert_eq!(router.default_requests_total(route, queue).get(), 2 * count);
            total += count;
        }
    }
    assert_eq!(total, 120_000);
    // Routes 0-3 had two threads each, 4-7 one.
    assert_eq!(router.requests_total(Route::R0, Queue::Fast).get(), 10_000);
    assert_eq!(router.requests_total(Route::R7, Queue::Slow).get(), 5_000);
    let snapshot = enumeter::Registry::new().with(&router).snapshot();
    assert_eq!(
        snapshot.get(
            "router_requests_total",
            &[("route", "R0"), ("queue", "fast")]
        ),
        Some(&enumeter::Value::Counter(10_000))
    );
}
