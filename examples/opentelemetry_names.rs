//! Metrics named as OpenTelemetry's semantic conventions name them, with
//! dots, served to Prometheus 3 as declared and to any older scraper
//! escaped: the names a scraper gets are negotiated per request.
//!
//! ```text
//! cargo run --example opentelemetry_names -- 127.0.0.1:0          # serve on a free port
//! cargo run --example opentelemetry_names -- --web.config.file web.yml   # TLS, users
//! cargo run --example opentelemetry_names -- --print allow-utf-8  # print text 1.0.0 once
//! cargo run --example opentelemetry_names -- --rules target/otel  # rules.yml and rules.test.yml
//! curl -H 'Accept: text/plain;version=1.0.0;escaping=allow-utf-8' http://127.0.0.1:9898/metrics
//! ```
//!
//! The address can also come from `ENUMETER_ADDR`; the example serves for
//! `ENUMETER_SERVE_SECS` seconds (default 600), then exits.

use std::time::{Duration, Instant};

use enumeter::objectives::RuleSet;
use enumeter::{metrics, Escaping, Exporter, Exposition, LabelValue};

/// A payment provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Provider {
    Card,
    Wallet,
}

/// How a payment ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Outcome {
    Settled,
    Declined,
    Failed,
}

/// Payments, named the OpenTelemetry way.
#[metrics]
pub enum Payments {
    /// Payments finished, by provider and outcome.
    #[counter(
        name = "payments.finished_total",
        objective(
            name = "payments-availability",
            target = 0.99,
            bad(outcome = [Outcome::Failed]),
            by = [provider]
        )
    )]
    Finished {
        #[label(name = "payment.provider")]
        provider: Provider,
        #[label(name = "payment.outcome")]
        outcome: Outcome,
    },
    /// Time to settle a payment, by provider.
    #[histogram(
        name = "payments.settle.duration",
        unit = "seconds",
        buckets = [0.1, 0.25, 0.5, 1],
        objective(name = "payments-latency", target = 0.95, below = 0.5)
    )]
    SettleDuration {
        #[label(name = "payment.provider")]
        provider: Provider,
    },
    /// Payments waiting for a provider.
    #[gauge(name = "payments.queue.depth")]
    QueueDepth,
    /// Iterations of this example's recording loop (a legacy name beside
    /// the others).
    #[counter]
    HeartbeatsTotal,
}

/// The fixed traffic the example records first; the end-to-end tests
/// check that real systems read exactly these values back.
fn record_example_traffic() {
    for (provider, outcome, times) in [
        (Provider::Card, Outcome::Settled, 7),
        (Provider::Card, Outcome::Declined, 2),
        (Provider::Card, Outcome::Failed, 1),
        (Provider::Wallet, Outcome::Settled, 3),
    ] {
        Payments::finished(provider, outcome).add(times);
    }
    for seconds in [0.05, 0.2, 0.3, 0.75, 2.0] {
        Payments::settle_duration(Provider::Card).observe(seconds);
    }
    Payments::settle_duration(Provider::Wallet).observe(0.125);
    Payments::queue_depth().set(4);
}

fn main() {
    record_example_traffic();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let exporter = enumeter_examples::web_config_flag(&mut args, Exporter::new());
    match args.first().map(String::as_str) {
        // `--print [SCHEME]`: the Prometheus text format 1.0.0 once, names
        // spelled by SCHEME (`underscores` unless given).
        Some("--print") => {
            let escaping = match args.get(1) {
                Some(scheme) => Escaping::from_param(scheme).unwrap_or_else(|| {
                    eprintln!("unknown escaping scheme {scheme}: allow-utf-8, underscores, dots or values");
                    std::process::exit(2);
                }),
                None => Escaping::Underscores,
            };
            let exposition = Exposition::prometheus_text_1().with_escaping(escaping);
            print!("{}", enumeter::render(exposition));
            return;
        }
        // `--rules DIR`: the objectives' rules and their promtool tests,
        // which PromQL 3 (Prometheus 3) reads: the names are quoted.
        Some("--rules") => {
            let Some(dir) = args.get(1) else {
                eprintln!("--rules needs a directory");
                std::process::exit(2);
            };
            let rules = RuleSet::new().with(Payments::objectives());
            let written = std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(format!("{dir}/rules.yml"), rules.prometheus_rules()))
                .and_then(|()| {
                    std::fs::write(
                        format!("{dir}/rules.test.yml"),
                        rules.promtool_tests("rules.yml"),
                    )
                });
            if let Err(e) = written {
                eprintln!("cannot write the rules to {dir}: {e}");
                std::process::exit(1);
            }
            println!("wrote {dir}/rules.yml and rules.test.yml");
            return;
        }
        _ => {}
    }

    let address = args
        .first()
        .cloned()
        .or_else(|| std::env::var("ENUMETER_ADDR").ok())
        .unwrap_or_else(|| enumeter::DEFAULT_ADDRESS.to_owned());
    let exporter = match exporter.address(&address).start() {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("cannot serve on {address}: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "serving {}://{}/metrics",
        exporter.scheme(),
        exporter.local_addr()
    );
    let serve_for = enumeter_examples::serve_for(600);
    let until = Instant::now() + serve_for;
    while Instant::now() < until {
        Payments::heartbeats_total().inc();
        std::thread::sleep(Duration::from_millis(100));
    }
    exporter.shutdown();
}
