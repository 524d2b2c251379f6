use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs.
    InvitesTotal,
}

fn main() {}
