use enumeter::metrics;

/// The user's own type, named like the storage the macro generates.
pub struct SipMetrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// Calls in progress.
    #[gauge]
    ActiveCalls,
}

fn main() {}
