use enumeter::metrics;

/// Jobs.
#[metrics]
pub enum Jobs {
    /// Jobs done.
    #[counter(name = "jobs.done_total")]
    Done,
    /// Jobs done, again: `underscores` spells both `jobs_done_total`.
    #[counter(name = "jobs_done_total")]
    DoneAgain,
}

fn main() {}
