use enumeter::metrics;

/// Jobs.
#[metrics]
pub enum Jobs {
    /// Jobs done.
    #[counter(name = "jobs.done_total")]
    Done {
        #[label(rename = "job.ok")]
        ok: bool,
    },
}

fn main() {}
