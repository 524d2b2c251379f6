use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    #[counter]
    InvitesTotal,
}

fn main() {}
