use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(name = "transport")]
pub enum Transport {
    #[label(rename_all = "lowercase")]
    Udp,
    Tcp,
}

/// Calls.
#[metrics(namespace = "voice", buckets = [1, 2])]
pub enum Voice {
    /// Calls.
    #[counter(namespace = "sip")]
    CallsTotal { transport: Transport },
}

fn main() {}
