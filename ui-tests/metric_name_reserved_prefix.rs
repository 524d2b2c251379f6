use enumeter::metrics;

/// Jobs.
#[metrics]
pub enum Jobs {
    /// Jobs done.
    #[counter(name = "__jobs.done_total")]
    Done,
}

fn main() {}
