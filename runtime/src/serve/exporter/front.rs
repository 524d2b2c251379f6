//! The front thread: one readiness loop (mio) over every connection. It
//! accepts, reads request heads, hands complete ones to the workers, and
//! writes their answers back, never blocking on any one client.
//!
//! Each connection is in one of four states: sending its head
//! (`Reading`), its head complete and waiting for a worker (`Ready`), its
//! head with a worker (`Waiting`), or taking its response (`Writing`). Only connections the kernel reports ready are touched, and
//! each byte of a head is scanned once ([`HeadScan`]), so the cost of a
//! round grows with what arrived, not with how many idle connections wait.
//! Deadlines are kept in arrival order (one per head, one per response), so
//! expiring them costs only the ones that expire.
//!
//! The tables are bounded: past `max_pending` heads in progress the oldest
//! is closed; past `queue` complete requests waiting for a worker the
//! oldest is answered `503`; past `max_responses` responses in progress the
//! oldest is dropped. Giving way by age keeps a burst of requests from
//! shutting out the ones that come after it.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use super::health::{ExporterRefusal, ExporterSelf, Role, Running};
use super::latest::{Exposition, MAX_HELD_BODIES};
use super::request::{HeadScan, Progress};
use super::response::{rejection, status_response, Reply, ReplyBody, Response};
use super::table::{is_ready, live, Conn, State, Table, FIRST_CONN};
use super::tls_conn::{self, Session};
use super::worker::{Answer, Done, Job};
use super::{Config, ConnId, Shared, LISTENER, WAKER};

/// New connections taken per round before the others get a turn.
const ACCEPTS_PER_ROUND: usize = 256;
/// Bytes read from a connection per call.
const CHUNK: usize = 4096;
/// How soon a request handed back for a bcrypt check is handed out again.
const RETRY_AFTER: Duration = Duration::from_millis(10);
/// How long, from its arrival, a request may wait for a bcrypt check
/// before it is answered `503`.
const AUTH_WAIT: Duration = Duration::from_secs(2);

pub(super) fn run(
    listener: TcpListener,
    mut poll: Poll,
    jobs: SyncSender<Job>,
    done: &Receiver<Done>,
    shared: &Shared,
    config: &Config,
) {
    let running = Running::new(&shared.threads, Role::Front);
    let mut front = Front {
        listener: Some(listener),
        table: Table::new(config.max_pending, config.max_responses),
        jobs: Some(jobs),
        config,
        shared,
        chunk: vec![0; CHUNK],
        held: VecDeque::new(),
        paced: VecDeque::new(),
        retries: VecDeque::new(),
        #[cfg(feature = "web-config")]
        bucket: None,
    };
    if front.serve(&mut poll, done).is_ok() {
        running.finish();
    }
    // Workers skip what is still queued: nobody would send it.
    shared.set_front_done();
}

struct Front<'s> {
    listener: Option<TcpListener>,
    table: Table,
    /// Dropped on shutdown, which ends the workers once the queue is empty.
    jobs: Option<SyncSender<Job>>,
    config: &'s Config,
    shared: &'s Shared,
    chunk: Vec<u8>,
    /// The shared bodies going out, oldest first (see [`Front::hold`]).
    held: VecDeque<Weak<Exposition>>,
    /// Replies held back until their `not_before`, in that order (every
    /// hold is as long, so arrival order is time order).
    paced: VecDeque<(Instant, ConnId)>,
    /// Requests waiting for a bcrypt check, held here rather than by a
    /// worker, in the order they are to be handed out again.
    retries: VecDeque<(Instant, Job)>,
    /// The web configuration's `rate_limit` bucket, once a request met it.
    #[cfg(feature = "web-config")]
    bucket: Option<crate::serve::exporter::web_config::rate_limit::Bucket>,
}

impl Front<'_> {
    /// The loop; returns when shut down and done (or past the shutdown
    /// deadline), or on an error of the poll itself.
    fn serve(&mut self, poll: &mut Poll, done: &Receiver<Done>) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        let mut more_to_accept = false;
        let mut shutdown_deadline: Option<Instant> = None;
        loop {
            let now = Instant::now();
            if shutdown_deadline.is_none() && self.shared.shutting_down() {
                shutdown_deadline = Some(now + self.config.response_deadline);
                self.begin_shutdown(poll);
            }
            if let Some(deadline) = shutdown_deadline {
                let busy = self.table.slots.iter().any(Option::is_some);
                if !busy {
                    return Ok(());
                }
                if now >= deadline {
                    for slot in 0..self.table.slots.len() {
                        self.abort(poll, slot);
                    }
                    return Ok(());
                }
            }
            let timeout = if more_to_accept {
                Some(Duration::ZERO)
            } else {
                self.next_deadline(shutdown_deadline)
                    .map(|at| at.saturating_duration_since(now))
            };
            if let Err(e) = poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            more_to_accept = more_to_accept && self.listener.is_some();
            if more_to_accept {
                more_to_accept = self.accept(poll);
            }
            for event in &events {
                match event.token() {
                    LISTENER => more_to_accept = self.accept(poll),
                    WAKER => self.take_replies(poll, done),
                    token => self.ready(poll, token.0 - FIRST_CONN),
                }
            }
            // Replies can arrive between a wake-up and the drain above.
            self.take_replies(poll, done);
            let now = Instant::now();
            self.release_paced(poll, now);
            self.release_retries(poll, now);
            self.expire(poll, now);
        }
    }

    /// Stops accepting and closes the connections still sending heads;
    /// those waiting for or taking a response get until the deadline.
    fn begin_shutdown(&mut self, poll: &Poll) {
        if let Some(mut listener) = self.listener.take() {
            let _ = poll.registry().deregister(&mut listener);
        }
        let reading: Vec<usize> = self
            .table
            .slots
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                matches!(
                    c,
                    Some(Conn {
                        state: State::Reading { .. },
                        ..
                    })
                )
            })
            .map(|(i, _)| i)
            .collect();
        for slot in reading {
            self.close(poll, slot);
        }
    }

    /// The earliest deadline (perhaps a stale entry's: an early wake-up
    /// costs nothing), or the shutdown's.
    fn next_deadline(&self, shutdown: Option<Instant>) -> Option<Instant> {
        [
            self.table.heads.next(),
            self.table.responses.next(),
            self.paced.front().map(|(at, _)| *at),
            self.retries.front().map(|(at, _)| *at),
            shutdown,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Accepts new connections; returns whether more may be waiting.
    fn accept(&mut self, poll: &Poll) -> bool {
        for _ in 0..ACCEPTS_PER_ROUND {
            let Some(listener) = &self.listener else {
                return false;
            };
            match listener.accept() {
                Ok((stream, _)) => self.admit(poll, stream),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // Out of descriptors and the like: serve what is open and
                // try again next round.
                Err(_) => return true,
            }
        }
        true
    }

    fn admit(&mut self, poll: &Poll, mut stream: TcpStream) {
        if self.table.reading >= self.config.max_pending {
            // Full: the longest-waiting head gives way (a handshake that
            // had not finished is counted as refused).
            if let Some(oldest) = self.table.heads.pop_oldest(&self.table.slots) {
                if self.handshaking(oldest.slot) {
                    ExporterSelf::refusals_total(ExporterRefusal::TlsHandshake).inc();
                }
                self.close(poll, oldest.slot);
            }
        }
        let slot = self.table.free.pop().unwrap_or_else(|| {
            self.table.slots.push(None);
            self.table.slots.len() - 1
        });
        let token = Token(slot + FIRST_CONN);
        let tls = match self.new_session() {
            Ok(tls) => tls,
            Err(()) => {
                self.table.free.push(slot);
                return;
            }
        };
        // A TLS connection also writes while its head is read (the
        // handshake), so it is watched for both from the start.
        let interest = if tls.is_some() {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        if poll
            .registry()
            .register(&mut stream, token, interest)
            .is_err()
        {
            self.table.free.push(slot);
            return;
        }
        self.table.next_generation += 1;
        let generation = self.table.next_generation;
        self.table.slots[slot] = Some(Conn {
            stream,
            tls,
            generation,
            state: State::Reading {
                head: Vec::new(),
                scan: HeadScan::default(),
            },
        });
        self.table.reading += 1;
        let deadline = Instant::now() + self.config.head_deadline;
        let id = ConnId { slot, generation };
        self.table.heads.push(deadline, id, &self.table.slots);
        // A client that sent its head with the connection is read now.
        self.ready(poll, slot);
    }

    /// A readiness event for the connection in `slot`.
    fn ready(&mut self, poll: &Poll, slot: usize) {
        let Some(conn) = self.table.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        match &mut conn.state {
            State::Reading { head, scan } => {
                let progress = match &mut conn.tls {
                    None => read_head(&mut conn.stream, head, scan, &mut self.chunk, self.config),
                    Some(session) => tls_conn::read_head(
                        &mut conn.stream,
                        session,
                        head,
                        scan,
                        &self.config.limits,
                    ),
                };
                match progress {
                    Ok(Progress::Partial) => {}
                    Ok(Progress::Complete(end)) => {
                        if self.rate_limited() {
                            ExporterSelf::refusals_total(ExporterRefusal::RateLimited).inc();
                            let response = status_response(429, "Too Many Requests");
                            self.answer_now(poll, slot, &response);
                        } else {
                            self.dispatch(poll, slot, end);
                        }
                    }
                    Ok(Progress::Rejected(reject)) => {
                        self.answer_now(poll, slot, &rejection(reject));
                    }
                    // Closed before a whole head arrived, or broken; a
                    // handshake refused is counted.
                    Err(e) => {
                        if tls_conn::is_tls_error(&e) {
                            ExporterSelf::refusals_total(ExporterRefusal::TlsHandshake).inc();
                        }
                        self.close(poll, slot);
                    }
                }
            }
            State::Ready { .. } | State::Waiting => {}
            State::Writing { .. } => self.write(poll, slot),
        }
    }

    /// Queues a complete head for the workers; past `queue` waiting, the
    /// oldest waiting is answered `503`.
    fn dispatch(&mut self, poll: &Poll, slot: usize, end: usize) {
        let Some(conn) = self.table.slots[slot].as_mut() else {
            return;
        };
        let State::Reading { head, .. } = std::mem::replace(&mut conn.state, State::Waiting) else {
            return;
        };
        conn.state = State::Ready {
            head,
            end,
            arrived: Instant::now(),
        };
        self.table.reading -= 1;
        self.table.ready_count += 1;
        self.table.ready.push_back(ConnId {
            slot,
            generation: conn.generation,
        });
        self.feed(poll);
        if self.table.ready_count > self.config.queue {
            while let Some(id) = self.table.ready.pop_front() {
                if live(&self.table.slots, id, is_ready) {
                    ExporterSelf::refusals_total(ExporterRefusal::QueueFull).inc();
                    self.answer_now(poll, id.slot, &status_response(503, "Service Unavailable"));
                    break;
                }
            }
        }
    }

    /// Hands waiting heads to the workers, oldest first, while their queue
    /// (one per worker) has room.
    fn feed(&mut self, poll: &Poll) {
        while let Some(&id) = self.table.ready.front() {
            let Some(jobs) = &self.jobs else { return };
            if !live(&self.table.slots, id, is_ready) {
                self.table.ready.pop_front();
                continue;
            }
            let Some(conn) = self.table.slots[id.slot].as_mut() else {
                continue;
            };
            let State::Ready { head, end, arrived } =
                std::mem::replace(&mut conn.state, State::Waiting)
            else {
                continue;
            };
            match jobs.try_send(Job {
                conn: id,
                head,
                end,
                arrived,
            }) {
                Ok(()) => {
                    self.table.ready.pop_front();
                    self.table.ready_count -= 1;
                }
                Err(TrySendError::Full(job)) => {
                    conn.state = State::Ready {
                        head: job.head,
                        end: job.end,
                        arrived: job.arrived,
                    };
                    return;
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.table.ready.pop_front();
                    self.close(poll, id.slot);
                }
            }
        }
    }

    /// Answers the connection in `slot` from here, without a worker.
    fn answer_now(&mut self, poll: &Poll, slot: usize, response: &Response<'_>) {
        let buffer = self.shared.take_buffer();
        self.respond(poll, slot, response.to_reply(buffer, false));
    }

    /// Starts sending `reply` to the connection in `slot` (at its
    /// `not_before`, if it has one).
    fn respond(&mut self, poll: &Poll, slot: usize, mut reply: Reply) {
        self.add_headers(&mut reply);
        let Some(conn) = self.table.slots[slot].as_mut() else {
            self.shared.give_body(reply.body);
            return;
        };
        let shared_body = match &reply.body {
            ReplyBody::Shared(bytes) => Some(Arc::downgrade(bytes)),
            ReplyBody::Pooled(_) => None,
        };
        match conn.state {
            State::Reading { .. } => self.table.reading -= 1,
            State::Ready { .. } => self.table.ready_count -= 1,
            State::Waiting | State::Writing { .. } => {}
        }
        let not_before = reply.not_before;
        conn.state = State::Writing {
            reply,
            sent: 0,
            watched: false,
        };
        let generation = conn.generation;
        if self.table.writing >= self.config.max_responses {
            // Full: the response sending longest gives way.
            if let Some(oldest) = self.table.responses.pop_oldest(&self.table.slots) {
                self.abort(poll, oldest.slot);
            }
        }
        self.table.writing += 1;
        let now = Instant::now();
        let start = not_before.filter(|at| *at > now);
        // From now, as every other response's: the deadlines stay in
        // arrival order (a hold is shorter than the deadline).
        let deadline = now + self.config.response_deadline;
        let id = ConnId { slot, generation };
        self.table.responses.push(deadline, id, &self.table.slots);
        match start {
            Some(at) => self.paced.push_back((at, id)),
            None => self.write(poll, slot),
        }
        if let Some(body) = shared_body {
            self.hold(poll, body);
        }
    }

    /// Notes that a shared body is going out; past [`MAX_HELD_BODIES`]
    /// distinct ones, the connections still taking the oldest are dropped,
    /// so that clients that do not read cannot make the exporter keep one
    /// exposition each.
    fn hold(&mut self, poll: &Poll, body: Weak<Exposition>) {
        // Bodies no connection (nor the latest rendering) holds are gone.
        self.held.retain(|b| b.strong_count() > 0);
        if body.strong_count() == 0 || self.held.iter().any(|b| b.ptr_eq(&body)) {
            return;
        }
        self.held.push_back(body);
        while self.held.len() > MAX_HELD_BODIES {
            let Some(oldest) = self.held.pop_front() else {
                break;
            };
            for slot in 0..self.table.slots.len() {
                let holds_it = matches!(
                    self.table.slots[slot].as_ref().map(|c| &c.state),
                    Some(State::Writing {
                        reply: Reply {
                            body: ReplyBody::Shared(bytes),
                            ..
                        },
                        ..
                    }) if core::ptr::eq(Arc::as_ptr(bytes), oldest.as_ptr())
                );
                if holds_it {
                    self.abort(poll, slot);
                }
            }
        }
    }

    /// Writes what the connection in `slot` takes without blocking; closes
    /// it once the whole response is out.
    fn write(&mut self, poll: &Poll, slot: usize) {
        let Some(conn) = self.table.slots[slot].as_mut() else {
            return;
        };
        let State::Writing {
            reply,
            sent,
            watched,
        } = &mut conn.state
        else {
            return;
        };
        if reply.not_before.is_some_and(|at| Instant::now() < at) {
            // Held back: [`Front::release_paced`] writes it in time.
            return;
        }
        if let Some(session) = &mut conn.tls {
            match tls_conn::write_reply(&mut conn.stream, session, reply, sent) {
                // Watched for writing since it was accepted.
                Ok(false) => return,
                Ok(true) => {
                    let _ = conn.stream.shutdown(std::net::Shutdown::Write);
                }
                Err(_) => {}
            }
            self.close(poll, slot);
            return;
        }
        let total = reply.head.len() + reply.body.len();
        while *sent < total {
            let pending = if *sent < reply.head.len() {
                &reply.head[*sent..]
            } else {
                &reply.body[*sent - reply.head.len()..]
            };
            match conn.stream.write(pending) {
                Ok(0) => break,
                Ok(n) => *sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // Wait until the client takes more.
                    if !*watched {
                        let token = Token(slot + FIRST_CONN);
                        let interest = Interest::READABLE | Interest::WRITABLE;
                        let registry = poll.registry();
                        if registry
                            .reregister(&mut conn.stream, token, interest)
                            .is_err()
                        {
                            break;
                        }
                        *watched = true;
                    }
                    return;
                }
                Err(_) => break,
            }
        }
        if *sent >= total {
            // Done: tell the client, ignoring one that already left.
            let _ = conn.stream.flush();
            let _ = conn.stream.shutdown(std::net::Shutdown::Write);
        }
        self.close(poll, slot);
    }

    /// Takes the workers' answers and starts sending them.
    fn take_replies(&mut self, poll: &Poll, done: &Receiver<Done>) {
        while let Ok(Done { conn, answer }) = done.try_recv() {
            match answer {
                Answer::Reply(reply) => {
                    if live(&self.table.slots, conn, |s| matches!(s, State::Waiting)) {
                        self.respond(poll, conn.slot, reply);
                    } else {
                        self.shared.give_body(reply.body);
                    }
                }
                Answer::Retry(job) => self.retry_later(poll, job),
            }
        }
        // A worker that answered takes the next job: hand it one.
        self.feed(poll);
    }

    /// Answers heads past their deadline `408`, and drops connections
    /// that took too long to take their response.
    fn expire(&mut self, poll: &Poll, now: Instant) {
        while let Some(id) = self.table.heads.pop_expired(now, &self.table.slots) {
            if self.handshaking(id.slot) {
                // Nothing can be said to a client that never finished its
                // handshake: dropped on the head's deadline.
                ExporterSelf::refusals_total(ExporterRefusal::TlsHandshake).inc();
                self.abort(poll, id.slot);
            } else {
                self.answer_now(poll, id.slot, &status_response(408, "Request Timeout"));
            }
        }
        while let Some(id) = self.table.responses.pop_expired(now, &self.table.slots) {
            self.abort(poll, id.slot);
        }
    }

    /// Drops the connection in `slot` with a reset: the kernel discards
    /// whatever of the response it still holds, instead of sending it to a
    /// client that took too long.
    fn abort(&mut self, poll: &Poll, slot: usize) {
        if let Some(conn) = self.table.slots.get(slot).and_then(Option::as_ref) {
            let _ = socket2::SockRef::from(&conn.stream).set_linger(Some(Duration::ZERO));
        }
        self.close(poll, slot);
    }

    /// Holds `job`, handed back for a bcrypt check, to hand out again in
    /// [`RETRY_AFTER`]; answers it `503` once it has waited [`AUTH_WAIT`]
    /// since it arrived, or on shutdown.
    fn retry_later(&mut self, poll: &Poll, job: Job) {
        if !live(&self.table.slots, job.conn, |s| matches!(s, State::Waiting)) {
            return;
        }
        let now = Instant::now();
        if self.shared.shutting_down() || now >= job.arrived + AUTH_WAIT {
            ExporterSelf::refusals_total(ExporterRefusal::AuthBusy).inc();
            let response = status_response(503, "Service Unavailable");
            self.answer_now(poll, job.conn.slot, &response);
            return;
        }
        self.retries.push_back((now + RETRY_AFTER, job));
    }

    /// Hands out again the requests whose retry time has come.
    fn release_retries(&mut self, poll: &Poll, now: Instant) {
        while self.retries.front().is_some_and(|(at, _)| *at <= now) {
            let Some((_, job)) = self.retries.pop_front() else {
                break;
            };
            if !live(&self.table.slots, job.conn, |s| matches!(s, State::Waiting)) {
                continue;
            }
            if let Some(conn) = self.table.slots[job.conn.slot].as_mut() {
                conn.state = State::Ready {
                    head: job.head,
                    end: job.end,
                    arrived: job.arrived,
                };
                self.table.ready_count += 1;
                self.table.ready.push_back(job.conn);
            }
        }
        self.feed(poll);
    }

    /// Whether the connection in `slot` is a TLS one still in its
    /// handshake.
    fn handshaking(&self, slot: usize) -> bool {
        self.table.slots[slot]
            .as_ref()
            .and_then(|c| c.tls.as_ref())
            .is_some_and(tls_conn::handshaking)
    }

    /// Writes the replies whose time has come.
    fn release_paced(&mut self, poll: &Poll, now: Instant) {
        while let Some(&(at, id)) = self.paced.front() {
            if at > now {
                return;
            }
            self.paced.pop_front();
            if live(&self.table.slots, id, |s| {
                matches!(s, State::Writing { .. })
            }) {
                if let Some(State::Writing { reply, .. }) =
                    self.table.slots[id.slot].as_mut().map(|c| &mut c.state)
                {
                    reply.not_before = None;
                }
                self.write(poll, id.slot);
            }
        }
    }

    /// A TLS session for a new connection, when the exporter serves TLS;
    /// `Err` when one cannot be made (the connection is not taken).
    #[cfg(feature = "web-config")]
    fn new_session(&self) -> Result<Option<Session>, ()> {
        let Some(web) = &self.config.web else {
            return Ok(None);
        };
        let Some(tls) = web.current().tls.clone() else {
            return Ok(None);
        };
        rustls::ServerConnection::new(tls)
            .map(|session| Some(Box::new(session)))
            .map_err(|_| ())
    }

    #[cfg(not(feature = "web-config"))]
    #[allow(clippy::unnecessary_wraps)]
    fn new_session(&self) -> Result<Option<Session>, ()> {
        Ok(None)
    }

    /// Whether the web configuration's `rate_limit` refuses a request now.
    #[cfg(feature = "web-config")]
    fn rate_limited(&mut self) -> bool {
        let limit = self
            .config
            .web
            .as_ref()
            .and_then(|w| w.current().rate_limit);
        let Some(limit) = limit else {
            self.bucket = None;
            return false;
        };
        let now = Instant::now();
        let bucket = self.bucket.get_or_insert_with(|| {
            crate::serve::exporter::web_config::rate_limit::Bucket::new(limit, now)
        });
        bucket.set_limit(limit);
        !bucket.allow(now)
    }

    #[cfg(not(feature = "web-config"))]
    #[allow(clippy::unused_self)]
    fn rate_limited(&mut self) -> bool {
        false
    }

    /// Adds the web configuration's `http_server_config.headers`.
    #[cfg(feature = "web-config")]
    fn add_headers(&self, reply: &mut Reply) {
        if let Some(web) = &self.config.web {
            reply.add_headers(&web.current().headers);
        }
    }

    #[cfg(not(feature = "web-config"))]
    #[allow(clippy::unused_self)]
    fn add_headers(&self, _: &mut Reply) {}

    /// Closes the connection in `slot` and frees its slot.
    fn close(&mut self, poll: &Poll, slot: usize) {
        let Some(mut conn) = self.table.slots.get_mut(slot).and_then(Option::take) else {
            return;
        };
        let _ = poll.registry().deregister(&mut conn.stream);
        match conn.state {
            State::Reading { .. } => self.table.reading -= 1,
            State::Ready { .. } => self.table.ready_count -= 1,
            State::Writing { reply, .. } => {
                self.table.writing -= 1;
                self.shared.give_body(reply.body);
            }
            State::Waiting => {}
        }
        self.table.free.push(slot);
    }
}

/// Reads what `stream` has, until it would block, into `head`; returns what
/// is known of the head. `Err` for a connection closed or broken.
fn read_head(
    stream: &mut TcpStream,
    head: &mut Vec<u8>,
    scan: &mut HeadScan,
    chunk: &mut [u8],
    config: &Config,
) -> io::Result<Progress> {
    loop {
        match stream.read(chunk) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                head.extend_from_slice(&chunk[..n]);
                let progress = scan.advance(head, &config.limits);
                if progress != Progress::Partial {
                    return Ok(progress);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Partial),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
