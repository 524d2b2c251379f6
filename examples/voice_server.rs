//! A voice server's metrics: calls by transport and how they ended, speech
//! and dialog errors, barge-ins, and first-byte latency quantiles where a
//! zero means "not measured".
//!
//! ```text
//! cargo run --example voice_server -- --print               # Prometheus text, once
//! cargo run --example voice_server -- --print openmetrics   # OpenMetrics, once
//! cargo run --example voice_server                          # serve /metrics
//! ```
//!
//! The metric names keep their `_ms` suffixes for the dashboards that
//! already read them (promtool's "abbreviated units" lint flags exactly
//! those).

mod common;

use enumeter::{metrics, LabelValue};

/// How a call reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Transport {
    Sip,
    Webrtc,
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "kebab-case")]
pub enum CallStatus {
    Ok,
    DialogHangup,
    IceFailed,
    PipelineError,
}

/// Whether a dialog reconnect worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum ReconnectOutcome {
    Ok,
    Failed,
}

/// Voice server metrics.
#[metrics(namespace = "voiceserver", max_series = 64)]
pub enum VoiceServer {
    /// Calls in progress.
    #[gauge]
    ActiveCalls { transport: Transport },
    /// Calls ended, by transport and how they ended.
    #[counter]
    CallsTotal {
        transport: Transport,
        status: CallStatus,
    },
    /// Speech recognition errors.
    #[counter]
    AsrErrorsTotal { transport: Transport },
    /// Speech synthesis errors.
    #[counter]
    TtsErrorsTotal { transport: Transport },
    /// Times the caller spoke over the assistant.
    #[counter]
    BargeInTotal { transport: Transport },
    /// Dialog reconnect attempts, by outcome.
    #[counter]
    DialogReconnectTotal {
        transport: Transport,
        outcome: ReconnectOutcome,
    },
    /// End of caller speech to first byte of reply audio, in milliseconds.
    #[summary(quantiles = [0.5, 0.9, 0.95, 0.99], skip_non_positive)]
    E2eFirstByteMs,
    /// Speech synthesis request to first audio byte, in milliseconds.
    #[summary(quantiles = [0.5, 0.9, 0.95, 0.99], skip_non_positive)]
    TtsFirstByteMs,
    /// Language model request to first token, in milliseconds.
    #[summary(quantiles = [0.5, 0.9, 0.95, 0.99], skip_non_positive)]
    LlmFirstByteMs,
}

/// A call was answered: one more in progress.
pub fn call_started(transport: Transport) {
    VoiceServer::active_calls(transport).inc();
}

/// A call ended: one fewer in progress, one more ended with `status`.
pub fn call_ended(transport: Transport, status: CallStatus) {
    VoiceServer::active_calls(transport).dec();
    VoiceServer::calls_total(transport, status).inc();
}

/// A fixed day in the life of the server, so the output can be pinned.
fn record_example_calls() {
    let calls = [
        (Transport::Sip, CallStatus::Ok),
        (Transport::Sip, CallStatus::DialogHangup),
        (Transport::Webrtc, CallStatus::Ok),
        (Transport::Webrtc, CallStatus::IceFailed),
        (Transport::Sip, CallStatus::PipelineError),
    ];
    for (transport, _) in calls {
        call_started(transport);
    }
    for (transport, status) in &calls[..4] {
        call_ended(*transport, *status);
    }
    // One SIP call is still in progress.
    VoiceServer::asr_errors_total(Transport::Webrtc).inc();
    VoiceServer::tts_errors_total(Transport::Sip).add(2);
    VoiceServer::barge_in_total(Transport::Sip).add(3);
    VoiceServer::dialog_reconnect_total(Transport::Webrtc, ReconnectOutcome::Ok).inc();
    VoiceServer::dialog_reconnect_total(Transport::Webrtc, ReconnectOutcome::Failed).inc();
    // First-byte latencies; 0 means the turn produced no audio and is skipped.
    for ms in [420.0, 380.0, 0.0, 910.0, 515.0] {
        VoiceServer::e2e_first_byte_ms().observe(ms);
    }
    for ms in [120.0, 95.0, 0.0, 240.0, 130.0] {
        VoiceServer::tts_first_byte_ms().observe(ms);
    }
    for ms in [260.0, 250.0, 0.0, 610.0, 330.0] {
        VoiceServer::llm_first_byte_ms().observe(ms);
    }
}

fn main() {
    record_example_calls();
    // While serving, barge-ins keep coming.
    common::print_or_serve(|| VoiceServer::barge_in_total(Transport::Webrtc).inc());
}
