use enumeter::{metrics, runtime_label};

runtime_label! {
    /// Upstreams from the configuration.
    pub struct Upstream: capacity = 8;
}

/// Proxy metrics.
#[metrics(namespace = "proxy")]
pub enum Proxy {
    /// Requests, by upstream: dense, which a runtime label cannot be.
    #[counter]
    RequestsTotal { upstream: Upstream },
}

fn main() {}
