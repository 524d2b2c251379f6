use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Class {
    Known,
    #[label(other = true)]
    Other,
}

/// Pool.
#[metrics(namespace = "pool")]
pub enum Pool {
    /// Share in use.
    #[gauge(float = true)]
    Utilisation { class: Class },
    /// Wait time.
    #[histogram(buckets = [1, 2], skip_non_positive = true)]
    Wait,
    /// Checkouts.
    #[counter(sharded = true)]
    CheckoutsTotal,
}

fn main() {}
