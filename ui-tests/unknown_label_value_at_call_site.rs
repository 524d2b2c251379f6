use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Direction {
    Inbound,
    Outbound,
}

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs by direction.
    #[counter]
    InvitesTotal { direction: Direction },
}

fn main() {
    Sip::invites_total(Direction::Sideways).inc();
}
