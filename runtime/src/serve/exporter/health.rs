//! Whether the exporter's threads are running, so that a server thread
//! that ends unexpectedly is visible (in [`Health`] and in a self-metric)
//! instead of a listener silently gone.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::cells::own::ShownOnceStarted;
use enumeter_macros::metrics;
use enumeter_macros::LabelValue;

/// What went wrong inside an exporter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "snake_case")]
pub(crate) enum ExporterFailure {
    /// A render panicked (in a [`Group`](crate::Group) implemented by hand, say): that
    /// scrape was answered `500` and the worker went on.
    RenderPanic,
    /// A worker thread ended unexpectedly.
    WorkerExit,
    /// The front thread, which accepts connections and reads and writes
    /// them, ended unexpectedly: the exporter no longer serves.
    FrontExit,
}

/// Why the exporter refused a request before serving it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "snake_case")]
pub(crate) enum ExporterRefusal {
    /// A TLS handshake failed or did not finish in time: a garbage or
    /// slow ClientHello, a version or suite outside the configured ones, a
    /// client certificate refused.
    TlsHandshake,
    /// Missing or wrong credentials (`401`).
    Unauthorized,
    /// A basic-auth check waited 2 s for bcrypt, which checks one
    /// credential at a time, and was answered `503`.
    AuthBusy,
    /// Over the web configuration's `rate_limit` (`429`).
    RateLimited,
    /// More complete requests waited for a worker than
    /// [`Exporter::queue`](crate::Exporter::queue) allows; the one that had
    /// waited longest was answered `503`.
    QueueFull,
}

/// The exporter's own metrics, rendered by the default registry once an
/// exporter has started.
#[metrics(namespace = "enumeter_exporter", register = false)]
pub(crate) enum ExporterSelf {
    /// Failures inside the /metrics exporter, by kind.
    #[counter]
    FailuresTotal {
        /// What failed.
        failure: ExporterFailure,
    },
    /// Requests the /metrics exporter refused before serving them, by
    /// reason.
    #[counter]
    RefusalsTotal {
        /// Why.
        reason: ExporterRefusal,
    },
}

/// The default registry's view of [`ExporterSelf`]: nothing until an
/// exporter has started, so that a process without one renders no
/// exporter metrics.
pub(crate) static EXPORTER_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(10, || ExporterSelfMetrics::global());

/// What the threads of one exporter report about themselves.
#[derive(Debug)]
pub(super) struct Threads {
    front_running: AtomicBool,
    workers_running: AtomicUsize,
    workers_started: AtomicUsize,
    failures: AtomicU64,
}

/// The state of an exporter's threads, from
/// [`ExporterHandle::health`](super::ExporterHandle::health).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    /// Whether the front thread is running: the exporter accepts
    /// connections and answers them.
    pub serving: bool,
    /// Worker threads running.
    pub workers: usize,
    /// Worker threads started.
    pub workers_started: usize,
    /// Failures since the start: renders that panicked, threads that ended
    /// unexpectedly.
    pub failures: u64,
}

impl Health {
    /// Whether every thread runs and nothing has failed.
    pub fn is_healthy(&self) -> bool {
        self.serving && self.workers == self.workers_started && self.failures == 0
    }
}

impl Threads {
    /// The threads of an exporter about to start `workers` workers and the
    /// front thread, counted as running from now: each marks its own end.
    pub(super) fn starting(workers: usize) -> Self {
        EXPORTER_METRICS.start();
        Self {
            front_running: AtomicBool::new(true),
            workers_running: AtomicUsize::new(workers),
            workers_started: AtomicUsize::new(workers),
            failures: AtomicU64::new(0),
        }
    }

    pub(super) fn health(&self) -> Health {
        Health {
            serving: self.front_running.load(Ordering::SeqCst),
            workers: self.workers_running.load(Ordering::SeqCst),
            workers_started: self.workers_started.load(Ordering::SeqCst),
            failures: self.failures.load(Ordering::SeqCst),
        }
    }

    /// Counts `failure` here and in the self-metric.
    pub(super) fn failed(&self, failure: ExporterFailure) {
        self.failures.fetch_add(1, Ordering::SeqCst);
        ExporterSelf::failures_total(failure).inc();
    }
}

/// Which thread a [`Running`] guard stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Front,
    Worker,
}

/// Held by a thread for as long as it runs: when it ends, marks it no
/// longer running, and without [`finish`](Self::finish) (a panic, or a
/// return on an error it could not serve past) counts the failure.
pub(super) struct Running<'a> {
    threads: &'a Threads,
    role: Role,
    finished: bool,
}

impl<'a> Running<'a> {
    /// The guard of a thread counted as running by
    /// [`Threads::starting`].
    pub(super) fn new(threads: &'a Threads, role: Role) -> Self {
        Self {
            threads,
            role,
            finished: false,
        }
    }

    /// The thread ends as it should: on shutdown.
    pub(super) fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        match self.role {
            Role::Front => self.threads.front_running.store(false, Ordering::SeqCst),
            Role::Worker => {
                self.threads.workers_running.fetch_sub(1, Ordering::SeqCst);
            }
        }
        if !self.finished {
            self.threads.failed(match self.role {
                Role::Front => ExporterFailure::FrontExit,
                Role::Worker => ExporterFailure::WorkerExit,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::group::Group;
    use crate::cells::metric::Cells;

    #[test]
    fn a_thread_that_panics_is_reported_as_failed() {
        let threads = Threads::starting(2);
        let before = ExporterSelf::failures_total(ExporterFailure::WorkerExit).get();
        std::thread::scope(|s| {
            let ok = s.spawn(|| Running::new(&threads, Role::Worker).finish());
            ok.join().unwrap();
            assert_eq!(threads.health().workers, 1);
            assert_eq!(threads.health().failures, 0);
            let crashing = s.spawn(|| {
                let _running = Running::new(&threads, Role::Worker);
                panic!("a bug");
            });
            assert!(crashing.join().is_err());
        });
        let health = threads.health();
        assert_eq!((health.workers, health.workers_started), (0, 2));
        assert_eq!(health.failures, 1);
        assert!(!health.is_healthy());
        assert_eq!(
            ExporterSelf::failures_total(ExporterFailure::WorkerExit).get() - before,
            1
        );
    }

    #[test]
    fn exporter_metrics_render_once_an_exporter_has_started() {
        Threads::starting(1);
        let mut names = Vec::new();
        EXPORTER_METRICS.visit(&mut |m| names.push(m.desc.name));
        assert_eq!(
            names,
            [
                "enumeter_exporter_failures_total",
                "enumeter_exporter_refusals_total"
            ]
        );
        let mut cells = Vec::new();
        EXPORTER_METRICS.visit(&mut |m| {
            if let Cells::SpacedCounter(c) = m.cells {
                cells.push(c.len());
            }
        });
        assert_eq!(cells, [3, 5]);
    }
}
