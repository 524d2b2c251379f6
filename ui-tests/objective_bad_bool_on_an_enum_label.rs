use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Status {
    Success,
    ServerError,
}

/// Checkout metrics.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Captures: `true` is a value of a `bool` label, not of `Status`:
    /// rustc's type error, on it.
    #[counter(objective(name = "capture-availability", target = 0.999, bad(status = [true])))]
    CapturesTotal { status: Status },
}

fn main() {}
