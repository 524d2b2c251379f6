use enumeter::metrics;

/// Jobs.
#[metrics]
pub enum Jobs {
    /// Jobs waiting.
    #[gauge(name = "")]
    Waiting,
}

fn main() {}
