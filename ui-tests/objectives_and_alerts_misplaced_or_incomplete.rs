use enumeter::metrics;

/// Cache metrics.
#[metrics(namespace = "cache")]
pub enum Cache {
    /// Entries: an objective on a gauge, an alert without a threshold.
    #[gauge(objective(name = "cache-size", target = 0.9), alert(name = "cache-full", severity = "warning", description = "full"))]
    Entries,
    /// Hits: `over` names no metric of the group; the target is a
    /// percentage, not a share; the name is not kebab-case.
    #[counter(
        alert(name = "Low_Hit_Rate", over = LookupsTotal, below = 0.5, severity = "info", description = "low"),
        objective(name = "cache-hits", target = 99.9, bad(x = [Y]))
    )]
    HitsTotal,
    /// Latency: an alert on a histogram.
    #[histogram(buckets = [1, 2], alert(name = "slow", above = 1, severity = "info", description = "slow"))]
    Latency,
}

fn main() {}
