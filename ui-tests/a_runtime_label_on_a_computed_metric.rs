use enumeter::{metrics, runtime_label};

runtime_label! {
    /// Pools from the configuration.
    pub struct Pool: capacity = 8;
}

/// Pool metrics.
#[metrics(namespace = "db")]
pub enum Db {
    /// Connections open, read from the pools at scrape time: a computed
    /// metric cannot be sparse, which a runtime label needs.
    #[gauge(computed)]
    Connections { pool: Pool },
}

fn main() {}
