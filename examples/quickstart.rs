//! The smallest complete use of enumeter: declare labels and metrics, record,
//! and serve them at `/metrics` while recording in a loop.
//!
//! ```text
//! cargo run --example quickstart                      # serve on 127.0.0.1:9898
//! cargo run --example quickstart -- 127.0.0.1:0       # any free port
//! cargo run --example quickstart -- --print           # print the exposition once
//! cargo run --example quickstart -- --print openmetrics
//! cargo run --example quickstart -- --web.config.file web.yml   # TLS, users: exporter-toolkit's file
//! ```
//!
//! The address can also come from `ENUMETER_ADDR`; the example serves for
//! `ENUMETER_SERVE_SECS` seconds (default 600), then exits. It needs nothing
//! but `enumeter`: the exporter runs on threads of its own, no async runtime.

use std::time::{Duration, Instant};

use enumeter::{metrics, Exporter, Format, LabelValue};

/// Which way a message travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// The class of a SIP response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    #[label(name = "1xx", codes = 100..=199)]
    Provisional,
    #[label(name = "2xx", codes = 200..=299)]
    Success,
    #[label(name = "3xx", codes = 300..=399)]
    Redirection,
    #[label(name = "4xx", codes = 400..=499)]
    ClientError,
    #[label(name = "5xx", codes = 500..=599)]
    ServerError,
    #[label(name = "6xx", codes = 600..=699)]
    GlobalFailure,
    /// Anything outside 100..=699.
    #[label(name = "other", other)]
    Other,
}

/// How a call reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

/// SIP signalling metrics.
#[metrics(namespace = "sip", max_series = 64)]
pub enum Sip {
    /// INVITE responses, by direction and response class.
    #[counter]
    InviteResultTotal {
        direction: Direction,
        code_class: CodeClass,
    },
    /// Calls in progress.
    #[gauge]
    ActiveCalls { transport: Transport },
    /// Mean opinion score of the last finished call.
    #[gauge(float)]
    LastCallMos,
    /// Time from INVITE to the final response.
    #[histogram(unit = "seconds", buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5])]
    InviteDuration { direction: Direction },
    /// Iterations of this example's recording loop.
    #[counter]
    HeartbeatsTotal,
    /// Text-to-speech time to first byte, over the last ten minutes.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9, 0.95, 0.99], max_age_secs = 600)]
    TtsFirstByte { transport: Transport },
}

/// The fixed traffic the example records first; the end-to-end test checks
/// that a real Prometheus scrapes exactly these values.
fn record_example_traffic() {
    for (direction, code) in [
        (Direction::Inbound, 100),
        (Direction::Inbound, 180),
        (Direction::Inbound, 200),
        (Direction::Outbound, 486),
        (Direction::Outbound, 999),
    ] {
        Sip::invite_result_total(direction, CodeClass::from_code(code)).inc();
    }
    Sip::active_calls(Transport::Udp).inc();
    Sip::active_calls(Transport::Tls).add(2);
    Sip::active_calls(Transport::Tls).dec();
    Sip::last_call_mos().set(4.25);
    for seconds in [0.03, 0.2, 0.2, 0.7, 3.0] {
        Sip::invite_duration(Direction::Inbound).observe(seconds);
    }
    for ms in 1..=100 {
        Sip::tts_first_byte(Transport::Tcp).observe(f64::from(ms) / 1000.0);
    }
}

fn main() {
    record_example_traffic();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let exporter = enumeter_examples::web_config_flag(&mut args, Exporter::new());

    // `--print [openmetrics]`: render the default registry (every group in
    // the binary) once.
    if args.first().map(String::as_str) == Some("--print") {
        let format = match args.get(1).map(String::as_str) {
            Some("openmetrics") => Format::OpenMetrics,
            _ => Format::Prometheus,
        };
        print!("{}", enumeter::render(format));
        return;
    }

    // Otherwise serve /metrics: the exporter answers on threads of its own
    // while this thread keeps recording.
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
        Sip::heartbeats_total().inc();
        std::thread::sleep(Duration::from_millis(100));
    }
    exporter.shutdown();
}
