use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// Calls in progress.
    #[gauge(unsigned)]
    ActiveCalls,
}

fn main() {}
