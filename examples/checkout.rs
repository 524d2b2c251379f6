//! The modern wire in one service: a native histogram of request latency, a
//! classic one beside it for scrapers that read only those, a counter whose
//! increments carry the trace id as an exemplar, and created timestamps,
//! served by enumeter's `Exporter`, which answers Prometheus in protobuf
//! when it asks (native histograms on) and in OpenMetrics otherwise.
//!
//! ```text
//! cargo run --example checkout --features enumeter-examples/protobuf              # 127.0.0.1:9896
//! cargo run --example checkout --features enumeter-examples/protobuf -- --web.config.file web.yml   # TLS, users: exporter-toolkit's file
//! cargo run --example checkout --features enumeter-examples/protobuf -- --print   # OpenMetrics once
//! prometheus --enable-feature=native-histograms,exemplar-storage ...             # then scrape it
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_SERVICE_NAME=checkout \
//!   cargo run --example checkout --features enumeter-examples/protobuf,enumeter-examples/otlp
//! ```
//!
//! With the `otlp` feature and `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`) set, it also pushes the same
//! registry over OTLP, configured by the standard variables alone, and
//! flushes it when it stops.
//!
//! The recorded traffic is fixed: 1,000 checkouts taking 1 ms, 2 ms, …,
//! 1 s, so the true 99th percentile is 0.99 s; the one with trace id
//! `4bf92f3577b34da6` is the last. Serves for `ENUMETER_SERVE_SECS` seconds
//! (default 600).

use enumeter::{metrics, Exporter, Format, LabelValue, Registry};

/// How a checkout ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Outcome {
    /// Paid.
    Paid,
    /// Declined by the payment provider.
    Declined,
}

/// Checkout metrics.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Checkouts, by outcome; each carries its trace id as an exemplar.
    #[counter(exemplars)]
    RequestsTotal { outcome: Outcome },
    /// Checkout time, native buckets (schema 3: 8 per power of two).
    #[histogram(unit = "seconds", native(schema = 3, zero_threshold = 1e-6, max = 60))]
    Latency,
    /// Checkout time, classic buckets, for scrapers without native ones.
    #[histogram(unit = "seconds", buckets = [0.1, 0.25, 0.5, 1, 2.5])]
    LatencyClassic,
}

/// The fixed traffic: 1,000 checkouts of 1 ms to 1 s; every tenth declined.
fn record() {
    for i in 1..=1000u32 {
        let seconds = f64::from(i) / 1000.0;
        let outcome = if i % 10 == 0 {
            Outcome::Declined
        } else {
            Outcome::Paid
        };
        let trace_id = if i == 1000 {
            "4bf92f3577b34da6".to_owned()
        } else {
            format!("{i:016x}")
        };
        Checkout::requests_total(outcome).inc_with_exemplar(&[("trace_id", &trace_id)]);
        Checkout::latency().observe(seconds);
        Checkout::latency_classic().observe(seconds);
    }
}

fn main() {
    record();
    let registry = || {
        Registry::new()
            .with(CheckoutMetrics::global())
            .created_timestamps(true)
    };
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let exporter = enumeter_examples::web_config_flag(&mut args, Exporter::new());
    if args.first().map(String::as_str) == Some("--print") {
        print!("{}", registry().render(Format::OpenMetrics));
        return;
    }
    let address = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9896".to_owned());
    let exporter = match exporter
        .address(&address)
        .registry(std::sync::Arc::new(registry()))
        .created_timestamps(true)
        .start()
    {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("cannot serve on {address}: {e}");
            std::process::exit(1);
        }
    };
    #[cfg(feature = "otlp")]
    let otlp = enumeter_examples::push_over_otlp(Some(registry()));
    println!(
        "serving {}://{}/metrics",
        exporter.scheme(),
        exporter.local_addr()
    );
    std::thread::sleep(enumeter_examples::serve_for(600));
    exporter.shutdown();
    #[cfg(feature = "otlp")]
    if let Some(otlp) = otlp {
        let stats = otlp.shutdown();
        println!(
            "OTLP: {} points sent in {} requests, {} dropped",
            stats.samples_sent,
            stats.requests_sent,
            stats.dropped()
        );
    }
}
