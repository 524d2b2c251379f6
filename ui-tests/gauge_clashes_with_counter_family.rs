use enumeter::metrics;

/// Request metrics.
#[metrics(namespace = "app")]
pub enum App {
    /// Requests served.
    #[counter]
    RequestsTotal,
    /// Requests, as a gauge: OpenMetrics would name both families `app_requests`.
    #[gauge]
    Requests,
}

fn main() {}
