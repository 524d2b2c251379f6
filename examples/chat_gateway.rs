//! A chat gateway's collector: one recording API (the `Chat` group) and a
//! backend chosen at start that decides where the numbers go.
//!
//! ```text
//! cargo run --example chat_gateway -- --print [openmetrics]        # Prometheus backend: print the text
//! cargo run --example chat_gateway -- --backend noop               # record, export nothing
//! cargo run --example chat_gateway -- --backend stats              # in-memory stats snapshot
//! cargo run --example chat_gateway -- --backend statsd=127.0.0.1:8125  # push StatsD lines over UDP
//! ```
//!
//! The example records two fixed batches of traffic and flushes the backend
//! after each, so the StatsD backend sends counters' deltas the second time.

use enumeter::push::statsd::{StatsdHandle, StatsdPusher};
use enumeter::{metrics, Format, LabelValue, Value};

/// Chat platforms the gateway bridges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Channel {
    Slack,
    Teams,
    Web,
}

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Direction {
    Received,
    Sent,
}

/// What a message carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum MessageType {
    Text,
    Attachment,
    Event,
}

/// The middleware a message passes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "snake_case")]
pub enum Middleware {
    Auth,
    RateLimit,
    Translate,
}

/// A channel's health.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Status {
    Up,
    Degraded,
    Down,
}

/// What went wrong on a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum ErrorKind {
    Timeout,
    Rejected,
    Internal,
}

/// Operations that are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Operation {
    Send,
    Download,
    Webhook,
}

/// How a retried operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "kebab-case")]
pub enum RetryOutcome {
    Succeeded,
    GaveUp,
}

/// Chat gateway metrics: the one recording API every backend reads.
#[metrics(namespace = "chatgw", max_series = 128)]
pub enum Chat {
    /// Messages, by channel, direction and type.
    #[counter]
    MessagesTotal {
        channel: Channel,
        direction: Direction,
        message_type: MessageType,
    },
    /// Time to handle one message, in seconds.
    #[histogram(unit = "seconds", buckets = [0.005, 0.01, 0.05, 0.1, 0.5, 1])]
    MessageDuration { channel: Channel },
    /// Time spent in each middleware, in seconds.
    #[histogram(unit = "seconds", buckets = [0.001, 0.005, 0.01, 0.05, 0.1])]
    MiddlewareDuration { middleware: Middleware },
    /// Each channel's health.
    #[state_set(states = Status)]
    ChannelStatus { channel: Channel },
    /// Errors, by channel and kind.
    #[counter]
    ChannelErrorsTotal { channel: Channel, kind: ErrorKind },
    /// Sessions open.
    #[gauge]
    ActiveSessions,
    /// Retries, by operation and outcome.
    #[counter]
    RetriesTotal {
        operation: Operation,
        outcome: RetryOutcome,
    },
}

/// Where the numbers go; chosen at start.
trait Backend {
    /// After each batch of traffic.
    fn flush(&mut self) {}
    /// At the end.
    fn finish(&mut self) {}
}

/// Prometheus: the exposition text (printed here; served in a real gateway).
struct PrometheusBackend(Format);

impl Backend for PrometheusBackend {
    fn finish(&mut self) {
        print!("{}", enumeter::render(self.0));
    }
}

/// No-op: recording still works (it is the same API), nothing is exported.
struct NoopBackend;

impl Backend for NoopBackend {}

/// In-memory stats, read from a snapshot of the default registry.
struct StatsBackend;

/// The numbers the gateway's status page shows.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    received: u64,
    sent: u64,
    errors: u64,
    active_sessions: i64,
}

impl Backend for StatsBackend {
    fn finish(&mut self) {
        let mut stats = Stats::default();
        for series in enumeter::registry().snapshot().series {
            let label = |name: &str| {
                series
                    .labels
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| &**v)
            };
            match (series.name, &series.value) {
                ("chatgw_messages_total", Value::Counter(n)) => match label("direction") {
                    Some("received") => stats.received += n,
                    Some("sent") => stats.sent += n,
                    _ => {}
                },
                ("chatgw_channel_errors_total", Value::Counter(n)) => stats.errors += n,
                ("chatgw_active_sessions", Value::Gauge(n)) => stats.active_sessions = *n,
                _ => {}
            }
        }
        println!("{stats:?}");
    }
}

/// StatsD: lines pushed over UDP, counters as deltas.
struct StatsdBackend(StatsdHandle);

impl Backend for StatsdBackend {
    fn flush(&mut self) {
        if let Err(e) = self.0.push_now() {
            eprintln!("statsd push failed: {e}");
        }
    }
}

fn backend_from_args() -> Result<Box<dyn Backend>, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Ok(match args.as_slice() {
        ["--print"] | [] => Box::new(PrometheusBackend(Format::Prometheus)),
        ["--print", "openmetrics"] => Box::new(PrometheusBackend(Format::OpenMetrics)),
        ["--backend", "prometheus"] => Box::new(PrometheusBackend(Format::Prometheus)),
        ["--backend", "noop"] => Box::new(NoopBackend),
        ["--backend", "stats"] => Box::new(StatsBackend),
        ["--backend", spec] if spec.starts_with("statsd=") => {
            let target = spec["statsd=".len()..]
                .parse()
                .map_err(|e| format!("statsd address {spec:?}: {e}"))?;
            // Pushed explicitly after each batch here; a real gateway would
            // rely on the interval alone.
            let pusher = StatsdPusher::new(target)
                .interval(std::time::Duration::from_secs(3600))
                .start()
                .map_err(|e| format!("statsd: {e}"))?;
            Box::new(StatsdBackend(pusher))
        }
        other => return Err(format!("unknown arguments {other:?}")),
    })
}

fn first_batch() {
    Chat::active_sessions().add(3);
    for (channel, direction, kind, n) in [
        (Channel::Slack, Direction::Received, MessageType::Text, 5),
        (Channel::Slack, Direction::Sent, MessageType::Text, 4),
        (
            Channel::Teams,
            Direction::Received,
            MessageType::Attachment,
            1,
        ),
        (Channel::Web, Direction::Received, MessageType::Event, 2),
    ] {
        Chat::messages_total(channel, direction, kind).add(n);
    }
    Chat::message_duration(Channel::Slack).observe(0.02);
    Chat::message_duration(Channel::Slack).observe(0.25);
    Chat::middleware_duration(Middleware::Auth).observe(0.002);
    Chat::channel_status(Channel::Slack).set(Status::Up);
    Chat::channel_status(Channel::Teams).set(Status::Degraded);
    Chat::channel_errors_total(Channel::Teams, ErrorKind::Timeout).inc();
    Chat::retries_total(Operation::Send, RetryOutcome::Succeeded).inc();
}

fn second_batch() {
    Chat::active_sessions().dec();
    Chat::messages_total(Channel::Slack, Direction::Received, MessageType::Text).add(2);
    Chat::messages_total(Channel::Web, Direction::Sent, MessageType::Text).inc();
    Chat::message_duration(Channel::Web).observe(0.5);
    Chat::channel_errors_total(Channel::Teams, ErrorKind::Timeout).inc();
    Chat::retries_total(Operation::Webhook, RetryOutcome::GaveUp).inc();
}

fn main() {
    let mut backend = match backend_from_args() {
        Ok(backend) => backend,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    first_batch();
    backend.flush();
    second_batch();
    backend.flush();
    backend.finish();
}
