use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Pay,
    Metrics,
    Health,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Status {
    #[label(name = "2xx")]
    Success,
    #[label(name = "5xx")]
    ServerError,
}

/// The API.
#[metrics(namespace = "api")]
pub enum Api {
    /// Requests: a label the metric does not have, one listed twice, a
    /// value both bad and left out, a label with no value.
    #[counter(objective(
        name = "api-availability",
        target = 0.999,
        bad(status = [ServerError]),
        exclude(path = [Metrics], route = [Metrics, Metrics], status = [ServerError], route = [])
    ))]
    RequestsTotal { route: Route, status: Status },
    /// Refunds: nothing named.
    #[counter(objective(name = "refund-availability", target = 0.99, bad(status = [ServerError]), exclude()))]
    RefundsTotal { status: Status },
}

fn main() {}
