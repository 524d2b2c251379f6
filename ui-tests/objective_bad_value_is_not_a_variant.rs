use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    Success,
    ClientError,
    ServerError,
}

/// Checkout metrics.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Requests: `ServerErorr` is no value of `CodeClass`.
    #[counter(objective(name = "checkout-availability", target = 0.999, bad(code_class = [ServerErorr])))]
    RequestsTotal { code_class: CodeClass },
}

fn main() {}
