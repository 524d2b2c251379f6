//! A facade name that a typed family of the default registry takes in the
//! exposition is refused as the registry refuses a clash between two
//! groups: counted in `enumeter_registry_conflicts_total`, logged once,
//! and the typed family renders alone. So is a facade family whose sample
//! names another facade family takes.

use enumeter::facade::FacadeRecorder;
use enumeter::{metrics as declare, Format};
use enumeter_suite::support::log_capture;
use enumeter_suite::support::own_counter;

/// Cache metrics, in the default registry.
#[declare(namespace = "cache")]
pub enum Cache {
    /// Lookups that found their key.
    #[counter]
    HitsTotal,
    /// Lookup time.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Lookup,
}

#[test]
fn facade_names_taken_by_typed_families_are_refused_and_counted() {
    log_capture::install();
    FacadeRecorder::new().install().expect("the first recorder");
    Cache::hits_total().add(2);
    // `cache_hits` is a counter: the facade names it `cache_hits_total`.
    metrics::counter!("cache.hits").increment(40);
    // A sample name of the typed histogram.
    metrics::gauge!("cache_lookup_seconds_bucket").set(1.0);
    // A facade histogram, then a facade gauge named like its count.
    metrics::histogram!("queue_wait").record(0.5);
    metrics::gauge!("queue_wait_count").set(3.0);
    metrics::counter!("cache.hits").increment(1);

    let conflicts =
        |family: &str| own_counter("enumeter_registry_conflicts_total", &[("family", family)]);
    assert_eq!(conflicts("cache_hits_total"), 1);
    assert_eq!(conflicts("cache_lookup_seconds_bucket"), 1);
    assert_eq!(conflicts("queue_wait_count"), 1);
    assert_eq!(
        own_counter("enumeter_facade_refused_total", &[("reason", "clash")]),
        3
    );
    let text = enumeter::registry().render(Format::Prometheus);
    assert!(text.contains("\ncache_hits_total 2\n"), "{text}");
    assert_eq!(
        text.matches("# TYPE cache_hits_total ").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("cache_lookup_seconds_bucket 1"), "{text}");
    assert!(!text.contains("# TYPE queue_wait_count"), "{text}");
    assert!(text.contains("queue_wait_count 1\n"), "{text}");
    let records = log_capture::records();
    let warnings: Vec<_> = records
        .iter()
        .filter(|(_, _, m)| m.contains("is left out: the name `cache_hits_total` is taken"))
        .collect();
    assert_eq!(warnings.len(), 1, "{records:?}");
}
