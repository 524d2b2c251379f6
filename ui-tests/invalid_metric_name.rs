use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs.
    #[counter(name = "invites:sent_total")]
    InvitesTotal,
}

fn main() {}
