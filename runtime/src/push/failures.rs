//! When a background push target's troubles are worth a log line: its
//! first failure, then at most once per interval while it keeps failing
//! (with the attempts since the last line), and its recovery. The pushers
//! write the lines, with what only they know (the target, the error, the
//! samples queued or dropped); this decides when.

use std::time::{Duration, Instant};

/// How often a target that keeps failing is logged again.
pub(crate) const FAILURE_LOG_INTERVAL: Duration = Duration::from_secs(60);

/// Events that are logged the first time and then at most once per
/// interval, with how many there were since the last line.
#[derive(Debug)]
pub(crate) struct Throttled {
    every: Duration,
    last: Option<Instant>,
    unreported: u64,
}

impl Throttled {
    pub(crate) fn every(every: Duration) -> Self {
        Self {
            every,
            last: None,
            unreported: 0,
        }
    }

    /// Counts `n` at `now`; the count to log, when a line is due.
    pub(crate) fn note(&mut self, now: Instant, n: u64) -> Option<u64> {
        self.unreported += n;
        if self
            .last
            .is_some_and(|last| now.saturating_duration_since(last) < self.every)
        {
            return None;
        }
        self.last = Some(now);
        Some(core::mem::take(&mut self.unreported))
    }
}

/// What a failed attempt should say, when a line is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failing {
    /// The first failure after success (or since the start).
    Started,
    /// Still failing: `attempts` failed since the last line, the first
    /// failure `for_secs` ago.
    Continues { attempts: u64, for_secs: u64 },
}

/// A recovery: the target took an attempt after `attempts` failed ones over
/// `for_secs` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Recovered {
    pub(crate) attempts: u64,
    pub(crate) for_secs: u64,
}

/// One target's state: failing since when, after how many attempts.
#[derive(Debug)]
pub(crate) struct Failures {
    lines: Throttled,
    since: Option<(Instant, u64)>,
}

impl Failures {
    pub(crate) fn every(every: Duration) -> Self {
        Self {
            lines: Throttled::every(every),
            since: None,
        }
    }

    /// A failed attempt at `now`: what to log, when a line is due.
    pub(crate) fn failed(&mut self, now: Instant) -> Option<Failing> {
        match &mut self.since {
            None => {
                self.since = Some((now, 1));
                self.lines = Throttled::every(self.lines.every);
                self.lines.note(now, 1).map(|_| Failing::Started)
            }
            Some((since, attempts)) => {
                *attempts += 1;
                let for_secs = now.saturating_duration_since(*since).as_secs();
                self.lines
                    .note(now, 1)
                    .map(|attempts| Failing::Continues { attempts, for_secs })
            }
        }
    }

    /// A successful attempt at `now`: the recovery to log, when the target
    /// was failing.
    pub(crate) fn succeeded(&mut self, now: Instant) -> Option<Recovered> {
        let (since, attempts) = self.since.take()?;
        Some(Recovered {
            attempts,
            for_secs: now.saturating_duration_since(since).as_secs(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_logged_at_first_then_once_per_interval_with_the_count_since() {
        let start = Instant::now();
        let at = |secs| start + Duration::from_secs(secs);
        let mut refusals = Throttled::every(Duration::from_secs(60));
        assert_eq!(refusals.note(at(0), 10), Some(10));
        assert_eq!(refusals.note(at(15), 5), None);
        assert_eq!(refusals.note(at(59), 7), None);
        assert_eq!(refusals.note(at(60), 1), Some(13));
        assert_eq!(refusals.note(at(200), 2), Some(2));
    }

    #[test]
    fn a_failing_target_is_logged_when_it_starts_once_a_minute_and_when_it_recovers() {
        let start = Instant::now();
        let at = |secs| start + Duration::from_secs(secs);
        let mut failures = Failures::every(Duration::from_secs(60));
        assert_eq!(failures.succeeded(at(0)), None);
        assert_eq!(failures.failed(at(1)), Some(Failing::Started));
        for secs in 2..61 {
            assert_eq!(failures.failed(at(secs)), None, "{secs}");
        }
        // 60 attempts since the first line: the 59 silent ones and this.
        assert_eq!(
            failures.failed(at(61)),
            Some(Failing::Continues {
                attempts: 60,
                for_secs: 60
            })
        );
        assert_eq!(failures.failed(at(90)), None);
        assert_eq!(
            failures.succeeded(at(95)),
            Some(Recovered {
                attempts: 62,
                for_secs: 94
            })
        );
        assert_eq!(failures.succeeded(at(96)), None);
        // Failing again is a new start, logged at once.
        assert_eq!(failures.failed(at(97)), Some(Failing::Started));
    }
}
