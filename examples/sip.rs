//! SIP signalling metrics: INVITE results by response class, BYEs by who
//! hung up and why, transaction timeouts by method with the long tail
//! collapsed into `other`, session timers, DTLS and STIR outcomes, voice
//! attachment, and per-call QoS distributions that skip missing (zero or
//! negative) measurements.
//!
//! ```text
//! cargo run --example sip -- --print               # Prometheus text, once
//! cargo run --example sip -- --print openmetrics   # OpenMetrics, once
//! cargo run --example sip                          # serve /metrics
//! ```

mod common;

use enumeter::{metrics, LabelValue};

/// Which way a request travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// The class of a SIP response code; anything outside 100..=699 is `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    #[label(name = "1xx", codes = 100..=199)]
    Provisional,
    #[label(name = "2xx", codes = 200..=299)]
    Success,
    #[label(name = "3xx", codes = 300..=399)]
    Redirection,
    #[label(name = "4xx", codes = 400..=499)]
    ClientError,
    #[label(name = "5xx", codes = 500..=599)]
    ServerError,
    #[label(name = "6xx", codes = 600..=699)]
    GlobalFailure,
    #[label(name = "other", other)]
    Other,
}

/// Which side sent the BYE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Side {
    Local,
    Remote,
}

/// Why a call was hung up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "kebab-case")]
pub enum ByeReason {
    Normal,
    TimerExpired,
    Error,
    UserHangup,
}

/// SIP request methods; any other method string parses to `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "UPPERCASE")]
pub enum Method {
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Prack,
    Subscribe,
    Notify,
    Publish,
    Info,
    Refer,
    Message,
    Update,
    #[label(name = "other", other)]
    Other,
}

/// How a session-timer refresh went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum RefreshResult {
    #[label(name = "ok")]
    Ok,
    /// 422 Session Interval Too Small, retried with a larger interval.
    #[label(name = "422-bumped")]
    Bumped,
    /// 422 again after retrying: the refresh was abandoned.
    #[label(name = "422-gave-up")]
    GaveUp,
    /// 481 Call/Transaction Does Not Exist.
    #[label(name = "481")]
    NoDialog,
    /// The refresher role moved to the other side.
    #[label(name = "role-swap")]
    RoleSwap,
}

/// How a DTLS handshake ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum HandshakeResult {
    Ok,
    Failed,
    Timeout,
}

/// What STIR/SHAKEN verification of the caller's identity found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "kebab-case")]
pub enum StirResult {
    Passed,
    Failed,
    NoIdentity,
}

/// How the voice pipeline was attached to the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum AttachMode {
    Direct,
    Relayed,
}

/// Whether attaching the voice pipeline worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum AttachResult {
    Ok,
    Rejected,
    Failed,
}

/// SIP signalling metrics.
#[metrics(namespace = "sip", max_series = 128)]
pub enum Sip {
    /// INVITE responses, by direction and response class.
    #[counter]
    InviteResultTotal {
        direction: Direction,
        code_class: CodeClass,
    },
    /// BYE requests, by direction, the side that sent them and why.
    #[counter]
    ByeTotal {
        direction: Direction,
        by: Side,
        reason: ByeReason,
    },
    /// Transactions that timed out, by request method.
    #[counter]
    TransactionTimeoutTotal { method: Method },
    /// Session-timer refreshes, by result.
    #[counter]
    SessionTimerRefreshTotal { result: RefreshResult },
    /// DTLS handshakes for SRTP keys, by result.
    #[counter]
    DtlsHandshakeTotal { result: HandshakeResult },
    /// STIR/SHAKEN caller identity verifications, by result.
    #[counter]
    StirVerifyTotal { result: StirResult },
    /// Voice pipeline attachments, by mode and result.
    #[counter]
    VoiceAttachTotal {
        mode: AttachMode,
        result: AttachResult,
    },
    /// Round-trip time per call from RTCP, in milliseconds, once per call.
    #[histogram(buckets = [10, 25, 50, 100, 250, 500, 1000], skip_non_positive)]
    CallRttMs,
    /// Interarrival jitter per call, in milliseconds, once per call.
    #[histogram(buckets = [1, 5, 10, 20, 50, 100], skip_non_positive)]
    CallJitterMs,
    /// Fraction of packets lost per call, once per call.
    #[histogram(buckets = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2], skip_non_positive)]
    CallLossFraction,
    /// Estimated mean opinion score per call (1 to 5), once per call.
    #[histogram(buckets = [1, 2, 2.5, 3, 3.5, 4, 4.5], skip_non_positive)]
    CallMosEstimate,
}

/// QoS of a finished call; zero means "not measured" and is skipped.
pub struct CallQos {
    pub rtt_ms: f64,
    pub jitter_ms: f64,
    pub loss_fraction: f64,
    pub mos: f64,
}

/// Records a finished call's QoS, once.
pub fn call_finished(qos: &CallQos) {
    Sip::call_rtt_ms().observe(qos.rtt_ms);
    Sip::call_jitter_ms().observe(qos.jitter_ms);
    Sip::call_loss_fraction().observe(qos.loss_fraction);
    Sip::call_mos_estimate().observe(qos.mos);
}

/// A fixed stretch of signalling, so the output can be pinned.
fn record_example_signalling() {
    // Status codes as they arrive off the wire, including nonsense.
    let responses = [
        (Direction::Inbound, 100),
        (Direction::Inbound, 180),
        (Direction::Inbound, 200),
        (Direction::Outbound, 183),
        (Direction::Outbound, 486),
        (Direction::Outbound, 503),
        (Direction::Outbound, 603),
        (Direction::Inbound, 302),
        (Direction::Inbound, 99),
        (Direction::Inbound, 700),
    ];
    for (direction, code) in responses {
        Sip::invite_result_total(direction, CodeClass::from_code(code)).inc();
    }
    Sip::bye_total(Direction::Inbound, Side::Remote, ByeReason::UserHangup).add(2);
    Sip::bye_total(Direction::Outbound, Side::Local, ByeReason::TimerExpired).inc();
    // Methods as parsed from requests; the long tail collapses into `other`.
    for method in [
        "INVITE", "INVITE", "BYE", "REGISTER", "OPTIONS", "FOO", "invite",
    ] {
        Sip::transaction_timeout_total(Method::from_name_or_other(method)).inc();
    }
    Sip::session_timer_refresh_total(RefreshResult::Ok).add(5);
    Sip::session_timer_refresh_total(RefreshResult::Bumped).inc();
    Sip::session_timer_refresh_total(RefreshResult::NoDialog).inc();
    Sip::dtls_handshake_total(HandshakeResult::Ok).add(3);
    Sip::dtls_handshake_total(HandshakeResult::Timeout).inc();
    Sip::stir_verify_total(StirResult::Passed).add(2);
    Sip::stir_verify_total(StirResult::NoIdentity).inc();
    Sip::voice_attach_total(AttachMode::Direct, AttachResult::Ok).add(2);
    Sip::voice_attach_total(AttachMode::Relayed, AttachResult::Rejected).inc();
    for qos in [
        CallQos {
            rtt_ms: 42.0,
            jitter_ms: 3.5,
            loss_fraction: 0.004,
            mos: 4.3,
        },
        CallQos {
            rtt_ms: 180.0,
            jitter_ms: 12.0,
            loss_fraction: 0.03,
            mos: 3.6,
        },
        // RTCP never arrived: nothing measured but the MOS estimate.
        CallQos {
            rtt_ms: 0.0,
            jitter_ms: 0.0,
            loss_fraction: 0.0,
            mos: 2.4,
        },
    ] {
        call_finished(&qos);
    }
}

fn main() {
    record_example_signalling();
    // While serving, INVITEs keep succeeding.
    common::print_or_serve(|| {
        Sip::invite_result_total(Direction::Inbound, CodeClass::Success).inc()
    });
}
