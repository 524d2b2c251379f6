use enumeter::metrics;

/// Jobs.
#[metrics]
pub enum Jobs {
    /// Jobs done.
    #[counter(name = "jobs.done_total")]
    Done {
        #[label(name = "__job.ok")]
        ok: bool,
    },
}

fn main() {}
