//! A fixed-rate loop on a thread of its own, for the push targets that read
//! a registry at an interval (StatsD, remote write's sampler), with a stop
//! that wakes it at once.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Whether a tick is the last one, run because of a stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tick {
    /// At its time.
    OnTime,
    /// Right after a stop.
    Last,
}

/// The stop signal of one loop.
#[derive(Debug, Default)]
pub(crate) struct Periodic {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Periodic {
    /// Calls `tick` at `first`, then every `interval` (a fixed rate: ticks
    /// missed while one runs are skipped), until [`stop`](Self::stop);
    /// then once more with [`Tick::Last`], and returns.
    pub(crate) fn run(&self, first: Instant, interval: Duration, mut tick: impl FnMut(Tick)) {
        let mut next = first;
        loop {
            let stopped = self.wait_until(next);
            tick(if stopped { Tick::Last } else { Tick::OnTime });
            if stopped {
                return;
            }
            next += interval;
            let now = Instant::now();
            if next < now {
                next = now;
            }
        }
    }

    /// Ends the loop: its current wait returns at once.
    pub(crate) fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.notify_all();
    }

    /// Waits until `deadline` or a stop; whether stopped.
    fn wait_until(&self, deadline: Instant) -> bool {
        let mut stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if *stopped {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            stopped = self
                .wake
                .wait_timeout(stopped, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_ends_the_wait_at_once_with_a_last_tick() {
        let periodic = Periodic::default();
        let mut ticks = Vec::new();
        std::thread::scope(|s| {
            s.spawn(|| periodic.run(Instant::now(), Duration::from_secs(3600), |t| ticks.push(t)));
            periodic.stop();
        });
        // Stopped before or after the first tick: it ends with the last.
        assert_eq!(ticks.last(), Some(&Tick::Last));
        assert!(ticks.len() <= 2, "{ticks:?}");
    }
}
