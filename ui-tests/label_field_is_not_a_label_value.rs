use enumeter::metrics;

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs by call id: unbounded, so not a label.
    #[counter]
    InvitesTotal { call_id: String },
}

fn main() {}
