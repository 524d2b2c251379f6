use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Requests by path: a path is not a closed set.
    #[counter]
    RequestsTotal { path: &str },
}

fn main() {}
