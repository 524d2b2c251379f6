use enumeter::{metrics, runtime_label};

runtime_label! {
    /// Upstreams from the configuration, kept for the life of the process.
    pub struct Upstream: capacity = 8;
}

/// Proxy metrics.
#[metrics(namespace = "proxy")]
pub enum Proxy {
    /// Requests, by upstream.
    #[counter(sparse)]
    RequestsTotal {
        #[label(retires)]
        upstream: Upstream,
    },
}

fn main() {}
