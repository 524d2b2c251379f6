//! The front thread's table of connections: each connection's state, the
//! free slots, the counts per state, and the deadlines of heads being read
//! and responses being sent, in arrival order. The front thread moves
//! connections between states; this file is what it keeps.

use std::collections::VecDeque;
use std::time::Instant;

use mio::net::TcpStream;

use super::request::HeadScan;
use super::response::Reply;
use super::tls_conn::Session;
use super::ConnId;

/// The first connection token; 0 and 1 are the listener and the waker.
pub(super) const FIRST_CONN: usize = 2;

pub(super) enum State {
    /// Still sending its head.
    Reading { head: Vec<u8>, scan: HeadScan },
    /// Its head is complete (it ends at `end`) and waits for a worker.
    Ready {
        head: Vec<u8>,
        end: usize,
        arrived: Instant,
    },
    /// Its head is with a worker.
    Waiting,
    /// Taking its response: `head`, then `body`, `sent` bytes of the two so
    /// far; `watched` once the poll also reports it writable. Nothing is
    /// sent before the reply's `not_before` (a failed credential check).
    Writing {
        reply: Reply,
        sent: usize,
        watched: bool,
    },
}

pub(super) struct Conn {
    pub(super) stream: TcpStream,
    /// The TLS session, when the exporter serves TLS.
    pub(super) tls: Option<Session>,
    pub(super) generation: u64,
    pub(super) state: State,
}

/// The connections, by token, and the deadlines of those reading or
/// writing.
pub(super) struct Table {
    pub(super) slots: Vec<Option<Conn>>,
    pub(super) free: Vec<usize>,
    pub(super) next_generation: u64,
    pub(super) reading: usize,
    pub(super) writing: usize,
    /// The deadlines of heads being read.
    pub(super) heads: Deadlines,
    /// The deadlines of responses being sent.
    pub(super) responses: Deadlines,
    /// Connections whose heads wait for a worker, oldest first; entries of
    /// connections that moved on are skipped.
    pub(super) ready: VecDeque<ConnId>,
    /// How many connections are `Ready`.
    pub(super) ready_count: usize,
}

/// Whether connection `id` is still in the table, in a state `in_state`
/// accepts (its slot may have gone to another connection since).
impl Table {
    /// An empty table for at most `max_pending` heads in progress and
    /// `max_responses` responses in progress.
    pub(super) fn new(max_pending: usize, max_responses: usize) -> Self {
        Table {
            slots: Vec::new(),
            free: Vec::new(),
            next_generation: 0,
            reading: 0,
            writing: 0,
            heads: Deadlines::new(max_pending, is_reading),
            responses: Deadlines::new(max_responses, is_writing),
            ready: VecDeque::new(),
            ready_count: 0,
        }
    }
}

pub(super) fn live(slots: &[Option<Conn>], id: ConnId, in_state: fn(&State) -> bool) -> bool {
    slots
        .get(id.slot)
        .and_then(Option::as_ref)
        .is_some_and(|c| c.generation == id.generation && in_state(&c.state))
}

pub(super) fn is_reading(state: &State) -> bool {
    matches!(state, State::Reading { .. })
}

pub(super) fn is_ready(state: &State) -> bool {
    matches!(state, State::Ready { .. })
}

pub(super) fn is_writing(state: &State) -> bool {
    matches!(state, State::Writing { .. })
}

/// The deadlines of the connections in one state, in arrival order (all
/// have the same length, so that is deadline order too). An entry whose
/// connection moved on stays until it comes up and is then skipped, or
/// until the entries outnumber what the table holds several times over and
/// are compacted, so that a flood of short connections cannot grow them
/// without bound.
pub(super) struct Deadlines {
    entries: VecDeque<(Instant, ConnId)>,
    /// How many connections can be in the state at once.
    bound: usize,
    /// The state the entries stand for.
    in_state: fn(&State) -> bool,
}

impl Deadlines {
    pub(super) fn new(bound: usize, in_state: fn(&State) -> bool) -> Self {
        Self {
            entries: VecDeque::new(),
            bound,
            in_state,
        }
    }

    /// Adds the deadline of `id`. Compacting is linear, but happens at most
    /// once per `3 × bound` new entries.
    pub(super) fn push(&mut self, at: Instant, id: ConnId, slots: &[Option<Conn>]) {
        self.entries.push_back((at, id));
        if self.entries.len() > 4 * self.bound.max(64) {
            let in_state = self.in_state;
            self.entries.retain(|&(_, id)| live(slots, id, in_state));
        }
    }

    /// The first deadline, perhaps a stale entry's.
    pub(super) fn next(&self) -> Option<Instant> {
        self.entries.front().map(|&(at, _)| at)
    }

    /// Takes the oldest connection still in the state, to make room.
    pub(super) fn pop_oldest(&mut self, slots: &[Option<Conn>]) -> Option<ConnId> {
        while let Some((_, id)) = self.entries.pop_front() {
            if live(slots, id, self.in_state) {
                return Some(id);
            }
        }
        None
    }

    /// Takes the next connection still in the state whose deadline is
    /// past at `now`.
    pub(super) fn pop_expired(&mut self, now: Instant, slots: &[Option<Conn>]) -> Option<ConnId> {
        while let Some(&(at, id)) = self.entries.front() {
            if at > now {
                return None;
            }
            self.entries.pop_front();
            if live(slots, id, self.in_state) {
                return Some(id);
            }
        }
        None
    }
}
