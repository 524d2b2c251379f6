//! The sender thread: sends queued requests one at a time, retrying
//! network errors, 5xx and 429 with exponential backoff (at least what a
//! `Retry-After` asks); other 4xx drop the request (counted); a shutdown's
//! flush deadline bounds it all.

use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use super::queue::{Batch, Shared};
use super::{PushDrop, Target};
use crate::push::client::{Answer, Client, Failed};
use crate::push::failures::{Failing, Failures, Throttled, FAILURE_LOG_INTERVAL};
use crate::push::PushError;

pub(super) struct Sender {
    pub(super) shared: Arc<Shared>,
    pub(super) client: Client,
    pub(super) target: Target,
    pub(super) timeout: Duration,
    pub(super) min_backoff: Duration,
    pub(super) max_backoff: Duration,
}

/// Why an accepted request was not taken whole.
enum Refusal {
    /// The receiver said so in the answer's body (OTLP's partial success).
    Said(String),
    /// The receiver wrote fewer than were sent (samples, histograms,
    /// exemplars), as its `…-Written` headers say.
    Wrote { sent: [u64; 3], written: [u64; 3] },
}

/// What a receiver of the newer form did not write of a request that
/// carried `sent` (samples, histograms, exemplars) and `samples` queued:
/// the queued samples refused (samples and histograms are what the queue
/// counts), when anything is missing, exemplars included. A header the
/// answer lacks counts 0, as the spec lets a sender assume.
fn short_of(sent: [u64; 3], answer: &Answer, samples: usize) -> Option<(usize, Refusal)> {
    let written = answer.written.map(|n| n.unwrap_or(0));
    let missing = (sent[0] + sent[1])
        .saturating_sub(written[0] + written[1])
        .min(samples as u64) as usize;
    let short = missing > 0 || written[2] < sent[2];
    short.then_some((missing, Refusal::Wrote { sent, written }))
}

/// What the sender does next.
enum Next {
    Send(Batch),
    Exit,
}

impl Sender {
    pub(super) fn run(self) {
        fn pairs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
            headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect()
        }
        let older_headers = pairs(&self.target.headers);
        let newer_headers = self.target.newer.as_ref().map(|n| pairs(&n.headers));
        let mut backoff = self.min_backoff;
        let mut refusals = Throttled::every(FAILURE_LOG_INTERVAL);
        let mut failures = Failures::every(FAILURE_LOG_INTERVAL);
        let (name, unit, url) = (self.target.name, self.target.unit, &self.target.url);
        loop {
            let mut batch = match self.next() {
                Next::Send(batch) => batch,
                Next::Exit => return,
            };
            loop {
                let timeout = match self.flush_until() {
                    Some(until) => match until.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => left.min(self.timeout),
                        _ => {
                            self.give_up(batch.samples);
                            break;
                        }
                    },
                    None => self.timeout,
                };
                let headers = match (&batch.newer, &newer_headers) {
                    (Some(_), Some(newer)) => newer,
                    _ => &older_headers,
                };
                let result = self
                    .client
                    .post_for_answer(url, headers, &batch.body, timeout);
                let stats = &self.shared.stats;
                // A receiver that does not read the newer form: 415, or a
                // 2xx that says nothing of what it wrote.
                let reads_newer = match (&batch.newer, &result) {
                    (Some(_), Ok(answer)) => answer.written.iter().any(Option::is_some),
                    (
                        Some(_),
                        Err(Failed {
                            error: PushError::Status { status: 415, .. },
                            ..
                        }),
                    ) => false,
                    _ => true,
                };
                if !reads_newer && self.fall_back(&mut batch) {
                    continue;
                }
                match result {
                    Ok(answer) => {
                        backoff = self.min_backoff;
                        if let Some(recovered) = failures.succeeded(Instant::now()) {
                            log::info!(
                                target: "enumeter",
                                "{name}: {url} takes {unit} again, after {} failed attempts \
                                 over {} s",
                                recovered.attempts,
                                recovered.for_secs
                            );
                        }
                        self.shared.lock().queued -= batch.samples;
                        let refused = match batch.newer {
                            Some(sent) => short_of(sent, &answer, batch.samples),
                            None => (self.target.refused_in)(&answer.body).map(|(n, message)| {
                                let n = n.min(batch.samples as u64) as usize;
                                (n, Refusal::Said(message))
                            }),
                        };
                        let refused_samples = refused.as_ref().map_or(0, |(n, _)| *n);
                        if let Some((_, refusal)) = &refused {
                            if let Some(n) = refusals.note(Instant::now(), refused_samples as u64) {
                                match refusal {
                                    Refusal::Said(message) => log::warn!(
                                        target: "enumeter",
                                        "{name}: {url} took the request but refused {n} {unit}: {}",
                                        message.trim_end()
                                    ),
                                    Refusal::Wrote { sent, written } => log::warn!(
                                        target: "enumeter",
                                        "{name}: {url} wrote {} of {} samples, {} of {} histograms \
                                         and {} of {} exemplars of a request ({n} {unit} refused \
                                         since the last warning): {}",
                                        written[0],
                                        sent[0],
                                        written[1],
                                        sent[1],
                                        written[2],
                                        sent[2],
                                        String::from_utf8_lossy(&answer.body).trim_end()
                                    ),
                                }
                            }
                            stats.dropped(PushDrop::Rejected, refused_samples);
                        }
                        stats.sent(batch.samples - refused_samples);
                        break;
                    }
                    Err(Failed {
                        error: PushError::Status { status, body },
                        ..
                    }) if (400..500).contains(&status) && status != 429 => {
                        if let Some(n) = refusals.note(Instant::now(), batch.samples as u64) {
                            log::warn!(
                                target: "enumeter",
                                "{name}: {url} refused {n} {unit} with {status}: {}",
                                body.trim_end()
                            );
                        }
                        self.shared.lock().queued -= batch.samples;
                        stats.dropped(PushDrop::Rejected, batch.samples);
                        break;
                    }
                    Err(Failed { error, retry_after }) => {
                        if let Some(failing) = failures.failed(Instant::now()) {
                            self.log_failing(failing, &error);
                        }
                        stats.retried();
                        self.pause(retry_after.map_or(backoff, |asked| asked.max(backoff)));
                        backoff = (backoff * 2).min(self.max_backoff);
                    }
                }
            }
        }
    }

    /// Rewrites `batch` in the target's older form, after a receiver
    /// showed it does not read the newer one; whether there is one to
    /// send. The first time, says so (a log line, and the protocol samples
    /// in the older form from then on).
    fn fall_back(&self, batch: &mut Batch) -> bool {
        let Some(newer) = &self.target.newer else {
            return false;
        };
        let Some(fallen_back) = &newer.fallen_back else {
            // The newer form only: the answer is judged as it is.
            return false;
        };
        let Some(body) = (newer.older)(&batch.body) else {
            return false;
        };
        // Once: a receiver that reads only the older form is no failure.
        if !fallen_back.swap(true, std::sync::atomic::Ordering::SeqCst) {
            log::info!(
                target: "enumeter",
                "{}: {} does not read the newer protocol (it answered 415, or did not say \
                 what it wrote); resending in the older one, and sending it from now on",
                self.target.name,
                self.target.url
            );
        }
        (newer.counted_fallback)();
        batch.body = body;
        batch.newer = None;
        true
    }

    /// A warning that the receiver is failing: at the first failure, then
    /// once a minute, with what is queued for it and what the full queue
    /// has dropped so far.
    fn log_failing(&self, failing: Failing, error: &PushError) {
        let queued = self.shared.lock().queued;
        let dropped = self
            .shared
            .stats
            .dropped_queue_full
            .load(std::sync::atomic::Ordering::Relaxed);
        let (name, unit, url) = (self.target.name, self.target.unit, &self.target.url);
        match failing {
            Failing::Started => log::warn!(
                target: "enumeter",
                "{name}: {url} is failing ({error}); retrying with backoff, \
                 {queued} {unit} queued, {dropped} dropped so far as the queue was full"
            ),
            Failing::Continues { attempts, for_secs } => log::warn!(
                target: "enumeter",
                "{name}: {url} still failing after {for_secs} s ({error}); {attempts} \
                 attempts since the last warning, {queued} {unit} queued, {dropped} dropped \
                 so far as the queue was full"
            ),
        }
    }

    /// The oldest queued batch, once there is one; `Exit` once the sampler
    /// is done and nothing is left.
    fn next(&self) -> Next {
        let mut state = self.shared.lock();
        loop {
            if let Some(batch) = state.queue.pop_front() {
                // Still counted in `queued` until it is sent or dropped.
                return Next::Send(batch);
            }
            if state.sampler_done {
                return Next::Exit;
            }
            state = self
                .shared
                .wake
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn flush_until(&self) -> Option<Instant> {
        self.shared.lock().flush_until
    }

    /// Drops `samples` of the batch in hand and everything queued: a
    /// shutdown's flush deadline has passed.
    fn give_up(&self, samples: usize) {
        let mut state = self.shared.lock();
        let queued: usize = state.queue.drain(..).map(|b| b.samples).sum();
        state.queued = 0;
        drop(state);
        self.shared
            .stats
            .dropped(PushDrop::Shutdown, samples + queued);
    }

    /// Waits `wait`, or less when a shutdown's deadline comes first.
    fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.shared.lock();
        loop {
            let now = Instant::now();
            let end = state.flush_until.map_or(until, |f| f.min(until));
            if now >= end {
                return;
            }
            state = self
                .shared
                .wake
                .wait_timeout(state, end - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}
