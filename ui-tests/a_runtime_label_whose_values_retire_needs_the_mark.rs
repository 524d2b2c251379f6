use std::time::Duration;

use enumeter::{metrics, runtime_label};

runtime_label! {
    /// Pods, as discovered.
    pub struct Pod: capacity = 8, idle = Duration::from_secs(60);
}

/// Balancer metrics.
#[metrics(namespace = "lb")]
pub enum Balancer {
    /// Requests, by pod: the label retires its values, unmarked.
    #[counter(sparse)]
    RequestsTotal { pod: Pod },
}

fn main() {}
