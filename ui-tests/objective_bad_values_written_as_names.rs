use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Status {
    #[label(name = "2xx")]
    Success,
    #[label(name = "5xx")]
    ServerError,
}

/// Checkout metrics.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Requests: a bad value written as its name, one error, on it.
    #[counter(objective(name = "checkout-availability", target = 0.999, bad(status = ["5xx"])))]
    RequestsTotal { status: Status },
    /// Refunds: a bad value written as a number.
    #[counter(objective(name = "refund-availability", target = 0.999, bad(status = [5])))]
    RefundsTotal { status: Status },
}

fn main() {}
