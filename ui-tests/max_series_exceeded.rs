use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Method {
    Invite,
    Bye,
    Register,
}

/// SIP metrics: 3 × 2 + 3 = 9 series.
#[metrics(namespace = "sip", max_series = 8)]
pub enum Sip {
    /// Requests.
    #[counter]
    RequestsTotal { method: Method, retransmitted: bool },
    /// Timeouts.
    #[counter]
    TimeoutsTotal { method: Method },
}

fn main() {}
