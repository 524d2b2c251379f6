use enumeter::metrics;

/// Jobs.
#[metrics]
pub enum Jobs {
    /// Jobs done.
    #[counter(name = "jobs.done_total")]
    Done {
        #[label(name = "job.ok")]
        ok: bool,
        #[label(name = "job_ok")]
        also_ok: bool,
    },
}

fn main() {}
