use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "2sip")]
pub enum Sip {
    /// INVITEs.
    #[counter]
    InvitesTotal,
}

fn main() {}
