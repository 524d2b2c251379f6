//! The front thread: accepts connections and reads their request heads
//! without blocking on any one client, then hands complete requests to the
//! workers.
//!
//! A worker that read heads itself could be held for the whole head
//! deadline by one client trickling bytes; a few such clients would take
//! every worker and every scrape would wait. Here all connections still
//! sending their heads sit in one table, polled with non-blocking reads
//! (std has no readiness API, so an idle round sleeps 1 to 5 ms). The table
//! is bounded: when it is full, the connection that has waited longest is
//! closed, so a client that sends its request at once, as Prometheus does,
//! is read within a round however many slow ones are connected.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::{Duration, Instant};

use super::request::{self, Progress};
use super::{rejection, status_response, Config, Job, Response};

/// New connections taken per round, so that reading keeps up with a flood.
const ACCEPTS_PER_ROUND: usize = 64;

struct Pending {
    stream: TcpStream,
    head: Vec<u8>,
    deadline: Instant,
}

enum Step {
    /// Still sending its head.
    Keep,
    /// Finished with: handed on, answered or gone.
    Done,
}

pub(super) fn run(
    listener: &TcpListener,
    jobs: &SyncSender<Job>,
    shutdown: &AtomicBool,
    config: &Config,
) {
    let mut pending: VecDeque<Pending> = VecDeque::new();
    let mut chunk = [0u8; 4096];
    let mut idle = Duration::from_millis(1);
    loop {
        if shutdown.load(Ordering::SeqCst) {
            return;
        }
        let mut progressed = false;
        // Nothing to poll: block in accept, costing nothing while idle.
        let blocking = pending.is_empty();
        if listener.set_nonblocking(!blocking).is_err() {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        for _ in 0..ACCEPTS_PER_ROUND {
            match listener.accept() {
                Ok((stream, _)) => {
                    if shutdown.load(Ordering::SeqCst) {
                        return;
                    }
                    progressed = true;
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    if pending.len() >= config.max_pending {
                        // Full: the longest-waiting connection gives way.
                        pending.pop_front();
                    }
                    pending.push_back(Pending {
                        stream,
                        head: Vec::new(),
                        deadline: Instant::now() + config.head_deadline,
                    });
                    if blocking {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    // Out of descriptors and the like: back off, keep serving.
                    std::thread::sleep(Duration::from_millis(10));
                    break;
                }
            }
        }

        let now = Instant::now();
        for _ in 0..pending.len() {
            let Some(mut p) = pending.pop_front() else {
                break;
            };
            match step(&mut p, &mut chunk, now, jobs, config, &mut progressed) {
                Step::Keep => pending.push_back(p),
                Step::Done => {}
            }
        }

        if progressed {
            idle = Duration::from_millis(1);
        } else if !pending.is_empty() {
            std::thread::sleep(idle);
            idle = (idle * 2).min(Duration::from_millis(5));
        }
    }
}

fn step(
    p: &mut Pending,
    chunk: &mut [u8],
    now: Instant,
    jobs: &SyncSender<Job>,
    config: &Config,
    progressed: &mut bool,
) -> Step {
    loop {
        match request::progress(&p.head, &config.limits) {
            Progress::Complete(end) => return dispatch(p, end, jobs),
            Progress::Rejected(reject) => {
                answer(&mut p.stream, &rejection(reject));
                return Step::Done;
            }
            Progress::Partial => {}
        }
        match p.stream.read(chunk) {
            Ok(0) => return Step::Done, // closed before a whole head arrived
            Ok(n) => {
                *progressed = true;
                p.head.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Step::Done,
        }
    }
    if now >= p.deadline {
        answer(&mut p.stream, &status_response(408, "Request Timeout"));
        return Step::Done;
    }
    Step::Keep
}

fn dispatch(p: &mut Pending, end: usize, jobs: &SyncSender<Job>) -> Step {
    let head = std::mem::take(&mut p.head);
    let Ok(stream) = p.stream.try_clone() else {
        return Step::Done;
    };
    if stream.set_nonblocking(false).is_err() {
        return Step::Done;
    }
    match jobs.try_send(Job { stream, head, end }) {
        Ok(()) => {}
        Err(TrySendError::Full(mut job)) => {
            let _ = job.stream.set_nonblocking(true);
            answer(
                &mut job.stream,
                &status_response(503, "Service Unavailable"),
            );
        }
        Err(TrySendError::Disconnected(_)) => {}
    }
    Step::Done
}

/// Best effort, never blocking the front thread: a short status response
/// fits in the socket's send buffer; a client that left gets nothing.
fn answer(stream: &mut TcpStream, response: &Response<'_>) {
    let mut bytes = Vec::with_capacity(160);
    super::write_head(&mut bytes, response);
    bytes.extend_from_slice(response.body);
    let _ = stream.write_all(&bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}
