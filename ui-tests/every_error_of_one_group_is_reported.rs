use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip", colour = "blue")]
pub enum Sip {
    #[counter]
    InvitesTotal,
    /// Byes.
    #[counter]
    Byes { le: bool },
    /// Calls.
    #[gauge(float, signed)]
    ActiveCalls(bool),
}

fn main() {}
