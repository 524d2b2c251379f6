use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs.
    #[counter]
    #[gauge]
    InvitesTotal,
}

fn main() {}
