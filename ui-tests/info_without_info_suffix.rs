use enumeter::metrics;

/// Build metrics.
#[metrics(namespace = "app")]
pub enum App {
    /// The running build.
    #[info]
    Build,
}

fn main() {}
