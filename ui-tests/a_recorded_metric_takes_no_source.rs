use enumeter::metrics;

/// Database metrics, recorded into.
#[metrics(namespace = "db")]
pub enum Db {
    /// Queries.
    #[counter]
    QueriesTotal,
}

fn main() {
    // The source would never be called: only computed metrics take one.
    Db::set_queries_total_source(|| 3);
    DbMetrics::new().set_queries_total_source(|| 3);
}
