//! A batch job that ends before any scrape could reach it: it records, then
//! pushes its own group to a Prometheus Pushgateway under its job name and
//! an `instance` grouping label. Prometheus scrapes the gateway (with
//! `honor_labels: true`).
//!
//! ```text
//! prometheus-pushgateway --web.listen-address=127.0.0.1:9091 &
//! cargo run --example push_batch_job --features enumeter-examples/push -- http://127.0.0.1:9091
//! curl -s http://127.0.0.1:9091/metrics | grep backup_
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use enumeter::push::Pushgateway;
use enumeter::{metrics, LabelValue, Registry};

/// What a backup copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Source {
    /// The database dump.
    Database,
    /// Uploaded files.
    Uploads,
}

/// The nightly backup job.
#[metrics(namespace = "backup")]
pub enum Backup {
    /// Bytes copied by this run, by source.
    #[counter]
    CopiedBytesTotal { source: Source },
    /// How long each source took.
    #[histogram(unit = "seconds", buckets = [1, 10, 60, 600])]
    SourceDuration { source: Source },
    /// When this run finished, in seconds since the epoch.
    #[gauge(float)]
    LastSuccessTimestampSeconds,
}

fn main() {
    let gateway = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9091".to_owned());

    // The job's work, recorded as usual.
    for (source, bytes, seconds) in [
        (Source::Database, 7_340_032, 12.5),
        (Source::Uploads, 1_048_576, 3.0),
    ] {
        Backup::copied_bytes_total(source).add(bytes);
        Backup::source_duration(source).observe(seconds);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Backup::last_success_timestamp_seconds().set(now.as_secs_f64());

    // Push this job's group only (not every group linked into the binary),
    // replacing what the previous run pushed.
    let result = Pushgateway::new(&gateway, "backup")
        .and_then(|g| g.grouping_label("instance", "db-1"))
        .map(|g| g.timeout(Duration::from_secs(10)))
        .and_then(|g| {
            g.push(&Registry::new().with(BackupMetrics::global()))
                .map(|()| g)
        });
    match result {
        Ok(group) => println!("pushed to {}", group.url()),
        Err(e) => {
            eprintln!("push to {gateway} failed: {e}");
            std::process::exit(1);
        }
    }
}
