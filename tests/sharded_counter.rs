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
                    dispatch.jobs_total(Queue::ALL[(i + t) % 2]).inc();
                }
            });
        }
    });
    assert_eq!(dispatch.jobs_total(Queue::Fast).get(), 100_000);
    assert_eq!(dispatch.jobs_total(Queue::Slow).get(), 100_000);
}
