use enumeter::metrics;

/// Session metrics.
#[metrics(namespace = "session")]
pub enum Session {
    /// When the current session was created, in seconds since the epoch.
    #[gauge]
    Created,
}

fn main() {}
