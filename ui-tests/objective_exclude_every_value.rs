use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Pay,
    Metrics,
}

/// The API.
#[metrics(namespace = "api")]
pub enum Api {
    /// Request time: every route left out, so no event would count.
    #[histogram(buckets = [0.1, 1], objective(name = "api-latency", target = 0.99, below = 0.1,
        exclude(route = [Pay, Metrics])))]
    RequestDuration { route: Route },
}

fn main() {}
