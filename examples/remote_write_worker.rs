//! A worker that cannot be scraped (behind NAT, short-lived, one of
//! thousands) pushes by Prometheus remote write instead: a background
//! pusher samples the default registry every interval and sends it to a
//! receiver such as VictoriaMetrics, Mimir or a Prometheus with
//! `--web.enable-remote-write-receiver`, retrying while the receiver is
//! away, and flushes on shutdown.
//!
//! ```text
//! victoria-metrics -httpListenAddr=127.0.0.1:8428 -storageDataPath=/tmp/vm &
//! cargo run --example remote_write_worker --features enumeter-examples/push -- http://127.0.0.1:8428/api/v1/write
//! curl -s 'http://127.0.0.1:8428/api/v1/query?query=worker_jobs_total'
//! ```
//!
//! Works for `ENUMETER_SERVE_SECS` seconds (default 10), then exits.

use std::time::{Duration, Instant};

use enumeter::push::RemoteWrite;
use enumeter::{metrics, LabelValue};

/// Which queue a job came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Queue {
    /// E-mail sending.
    Email,
    /// Text messages.
    Sms,
}

/// A queue worker.
#[metrics(namespace = "worker")]
pub enum Worker {
    /// Jobs done, by queue.
    #[counter]
    JobsTotal { queue: Queue },
    /// Time per job.
    #[histogram(unit = "seconds", buckets = exponential(0.001, 4, 6))]
    JobDuration { queue: Queue },
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8428/api/v1/write".to_owned());
    let pusher = match RemoteWrite::new(&url)
        .external_label("job", "worker")
        .external_label("instance", "worker-7")
        .interval(Duration::from_secs(1))
        .start()
    {
        Ok(pusher) => pusher,
        Err(e) => {
            eprintln!("cannot push to {url}: {e}");
            std::process::exit(1);
        }
    };

    let work_for = enumeter_examples::serve_for(10);
    let until = Instant::now() + work_for;
    let mut n = 0u32;
    while Instant::now() < until {
        let queue = if n.is_multiple_of(3) {
            Queue::Sms
        } else {
            Queue::Email
        };
        let started = Instant::now();
        std::thread::sleep(Duration::from_millis(20)); // the job
        Worker::jobs_total(queue).inc();
        Worker::job_duration(queue).observe_duration(started.elapsed());
        n += 1;
    }

    // One last sampling, flushed within the deadline (5 s unless set).
    let stats = pusher.shutdown();
    println!(
        "{} samplings, {} samples sent, {} dropped, {} retries",
        stats.samplings,
        stats.samples_sent,
        stats.dropped(),
        stats.retries
    );
}
