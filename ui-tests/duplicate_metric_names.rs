use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs.
    #[counter]
    InvitesTotal,
    /// INVITEs again, under another variant.
    #[counter(name = "invites_total")]
    InvitesSentTotal,
}

fn main() {}
