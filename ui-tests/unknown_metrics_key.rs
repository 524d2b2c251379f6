use enumeter::metrics;

/// SIP metrics.
#[metrics(prefix = "sip")]
pub enum Sip {
    /// INVITEs.
    #[counter]
    InvitesTotal,
}

fn main() {}
