//! One `/metrics` for the whole process: the service's own typed group
//! beside what `tokio-metrics` publishes about the Tokio runtime through the
//! `metrics` facade, which enumeter's [`FacadeRecorder`] records.
//!
//! ```text
//! cargo run --example tokio_runtime --features enumeter-examples/facade
//! ```
//!
//! The facade recorder is composed with one the application already has
//! (here metrics-util's `DebuggingRecorder`, which keeps what was reported
//! to print it): both receive every value. The runtime is sampled
//! `ENUMETER_REPORTS` times (default 10), every 500 ms, then no more, so
//! that what a scraper reads afterwards can be compared with what was
//! reported: each reported value is written, one `name{labels} value` line
//! each, to the file `ENUMETER_REPORTED_FILE` names (if set). With the
//! `otlp` feature and `OTEL_EXPORTER_OTLP_ENDPOINT`, the default registry
//! is pushed over OTLP too. Serves for `ENUMETER_SERVE_SECS` seconds
//! (default 600).

use std::time::Duration;

use enumeter::facade::FacadeRecorder;
use enumeter::{metrics as declare, Exporter};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::layers::FanoutBuilder;

/// The service's own metrics.
#[declare(namespace = "jobs")]
pub enum Jobs {
    /// Jobs finished, by outcome.
    #[counter]
    FinishedTotal { failed: bool },
}

fn main() {
    let debugging = DebuggingRecorder::new();
    let reported = debugging.snapshotter();
    let recorder = FanoutBuilder::default()
        .add_recorder(FacadeRecorder::new())
        .add_recorder(debugging)
        .build();
    metrics::set_global_recorder(recorder).expect("the only global recorder");

    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let exporter = enumeter_examples::web_config_flag(&mut args, Exporter::new());
    let address = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9897".to_owned());
    let exporter = match exporter.address(&address).start() {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("cannot serve on {address}: {e}");
            std::process::exit(1);
        }
    };
    #[cfg(feature = "otlp")]
    let otlp = enumeter_examples::push_over_otlp(None);
    println!(
        "serving {}://{}/metrics",
        exporter.scheme(),
        exporter.local_addr()
    );

    let reports: u32 = std::env::var("ENUMETER_REPORTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let mut reporter = tokio_metrics::RuntimeMetricsReporterBuilder::default()
            .describe()
            .build();
        for round in 0..reports {
            // Work for the runtime to report on, counted by the service.
            let jobs: Vec<_> = (0..20)
                .map(|i| {
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(i)).await;
                        Jobs::finished_total((round + i as u32).is_multiple_of(7)).inc();
                    })
                })
                .collect();
            for job in jobs {
                let _ = job.await;
            }
            reporter.run_once();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    if let Ok(path) = std::env::var("ENUMETER_REPORTED_FILE") {
        write_reported(&path, reported.snapshot());
    }

    std::thread::sleep(enumeter_examples::serve_for(600));
    exporter.shutdown();
    #[cfg(feature = "otlp")]
    if let Some(otlp) = otlp {
        otlp.shutdown();
    }
}

/// Writes each counter's and gauge's reported value as `name{labels}
/// value`, by the names `tokio-metrics` gave them; written whole, then
/// renamed into place, so a reader never sees half of it.
fn write_reported(path: &str, snapshot: metrics_util::debugging::Snapshot) {
    let mut lines = String::new();
    for (key, _, _, value) in snapshot.into_vec() {
        let (kind, key) = key.into_parts();
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}=\"{}\"", l.key(), l.value()))
            .collect();
        let value = match value {
            DebugValue::Counter(n) => n as f64,
            DebugValue::Gauge(v) => v.into_inner(),
            DebugValue::Histogram(_) => continue,
        };
        lines.push_str(&format!(
            "{:?} {}{{{}}} {value}\n",
            kind,
            key.name(),
            labels.join(",")
        ));
    }
    let partial = format!("{path}.partial");
    std::fs::write(&partial, lines).expect("the reported values are written");
    std::fs::rename(&partial, path).expect("and moved into place");
}
