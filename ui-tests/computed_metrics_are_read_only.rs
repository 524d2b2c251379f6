use enumeter::metrics;

/// Pool metrics whose values come from the pool at scrape time.
#[metrics(namespace = "pool")]
pub enum Pool {
    /// Open connections.
    #[gauge(computed)]
    Connections,
    /// Connections opened, counted by the pool.
    #[counter(computed)]
    OpenedTotal,
}

fn main() {
    Pool::set_connections_source(|| 4);
    // The next scrape would overwrite both: a computed metric is read-only.
    Pool::connections().set(5);
    Pool::opened_total().inc();
    let _read: i64 = Pool::connections().get();
}
