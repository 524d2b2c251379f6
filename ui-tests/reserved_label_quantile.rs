use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// Calls in progress.
    #[gauge]
    ActiveCalls { quantile: bool },
}

fn main() {}
