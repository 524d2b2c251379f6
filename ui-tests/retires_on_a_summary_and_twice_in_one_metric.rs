use std::time::Duration;

use enumeter::{metrics, runtime_label};

runtime_label! {
    /// Pods, as discovered.
    pub struct Pod: capacity = 8, idle = Duration::from_secs(60);
}

runtime_label! {
    /// Zones, as discovered.
    pub struct Zone: capacity = 4, idle = Duration::from_secs(60);
}

/// Balancer metrics.
#[metrics(namespace = "lb")]
pub enum Balancer {
    /// Latency, by pod: a summary's sketches are not cleared.
    #[summary(sparse, quantiles = [0.5])]
    LatencySeconds {
        #[label(retires)]
        pod: Pod,
    },
    /// Requests, by pod and zone: two labels that retire.
    #[counter(sparse)]
    RequestsTotal {
        #[label(retires)]
        pod: Pod,
        #[label(retires)]
        zone: Zone,
    },
}

fn main() {}
