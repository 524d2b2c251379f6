//! Steady-state recording allocates nothing: 10^6 recordings across every
//! series of labelled counters, gauges, histograms and summaries (dropped
//! observations included), counted by a global allocator.

use enumeter_suite::support;

use std::hint::black_box;

use enumeter::{metrics, LabelValue};

#[global_allocator]
static ALLOCATOR: support::CountingAllocator = support::CountingAllocator;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Endpoint {
    Tts,
    Stt,
    Health,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Rejected,
    Failed,
    Cancelled,
}

/// Gateway metrics.
#[metrics(namespace = "gateway")]
pub enum Gateway {
    /// Requests.
    #[counter]
    RequestsTotal {
        endpoint: Endpoint,
        outcome: Outcome,
        retried: bool,
    },
    /// Requests in flight.
    #[gauge]
    Inflight { endpoint: Endpoint },
    /// Load average.
    #[gauge(float)]
    Load { endpoint: Endpoint },
    /// Request duration.
    #[histogram(unit = "seconds", buckets = exponential(0.001, 2, 12))]
    Duration {
        endpoint: Endpoint,
        outcome: Outcome,
    },
    /// Time to first byte.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9, 0.99])]
    FirstByte { endpoint: Endpoint },
}

#[test]
fn a_million_recordings_allocate_zero_bytes() {
    let instance = GatewayMetrics::new();
    let mut recordings = 0u32;
    let bytes = support::allocated_while(|| {
        while recordings < 1_000_000 {
            for endpoint in Endpoint::all() {
                for outcome in Outcome::all() {
                    for retried in <bool as LabelValue>::all() {
                        let (endpoint, outcome, retried) = black_box((endpoint, outcome, retried));
                        Gateway::requests_total(endpoint, outcome, retried).inc();
                        instance.requests_total(endpoint, outcome, retried).add(2);
                        Gateway::inflight(endpoint).inc();
                        instance.inflight(endpoint).dec();
                        Gateway::load(endpoint).add(0.5);
                        Gateway::duration(endpoint, outcome).observe(0.003);
                        instance.duration(endpoint, outcome).observe(f64::NAN);
                        Gateway::first_byte(endpoint).observe(0.02);
                        instance.first_byte(endpoint).observe(-1.0);
                        recordings += 9;
                    }
                }
            }
        }
    });
    assert_eq!(bytes, 0);

    // The recordings really happened: 24 series, each hit once per round.
    let rounds = u64::from(recordings / 9 / 24);
    assert_eq!(
        Gateway::requests_total(Endpoint::Stt, Outcome::Cancelled, true).get(),
        rounds
    );
    assert_eq!(
        instance
            .requests_total(Endpoint::Tts, Outcome::Ok, false)
            .get(),
        2 * rounds
    );
    assert_eq!(Gateway::inflight(Endpoint::Health).get(), 8 * rounds as i64);
    assert_eq!(
        instance.inflight(Endpoint::Health).get(),
        -8 * rounds as i64
    );
}
