use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    Success,
    ServerError,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Route {
    Pay,
    Refund,
}

/// Checkout metrics.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Requests: `status` and `path` are no labels of this metric, and
    /// grouping by the label that selects bad events says nothing.
    #[counter(objective(
        name = "checkout-availability",
        target = 0.999,
        bad(status = [ServerError]),
        by = [path]
    ))]
    RequestsTotal { route: Route, code_class: CodeClass },
    /// Refunds.
    #[counter(objective(
        name = "refund-availability",
        target = 0.999,
        bad(code_class = [ServerError]),
        by = [code_class]
    ))]
    RefundsTotal { code_class: CodeClass },
}

fn main() {}
