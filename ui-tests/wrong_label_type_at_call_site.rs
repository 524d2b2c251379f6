use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Transport {
    Udp,
    Tcp,
}

/// SIP metrics.
#[metrics(namespace = "sip")]
pub enum Sip {
    /// INVITEs by direction.
    #[counter]
    InvitesTotal { direction: Direction },
}

fn main() {
    Sip::invites_total(Transport::Udp).inc();
}
