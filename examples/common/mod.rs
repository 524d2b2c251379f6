//! What every example does after declaring and recording: print the
//! exposition once (`--print [openmetrics]`) or serve `/metrics` for a
//! bounded time while a loop keeps recording.
// Each example compiles this module on its own and uses a subset of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use enumeter::{Exporter, Format};

/// Prints or serves, from the command line: `--print`, `--print
/// openmetrics`, or an address to serve on (else `ENUMETER_ADDR`, else
/// enumeter's default). Serving lasts `ENUMETER_SERVE_SECS` seconds (default
/// 600), calling `tick` every 100 ms.
pub fn print_or_serve(mut tick: impl FnMut()) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(format) = print_format(&args) {
        print!("{}", enumeter::render(format));
        return;
    }

    let address = serve_address(&args, enumeter::DEFAULT_ADDRESS);
    let serve_for = serve_for();
    let exporter = match Exporter::new().address(&address).start() {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("cannot serve on {address}: {e}");
            std::process::exit(1);
        }
    };
    println!("serving http://{}/metrics", exporter.local_addr());

    // Bounded: tick every 100 ms until the time is up.
    let until = Instant::now() + serve_for;
    while Instant::now() < until {
        tick();
        std::thread::sleep(Duration::from_millis(100));
    }
    exporter.shutdown();
}

/// `--print` (Prometheus text) or `--print openmetrics`: the format to
/// print once; `None` when not asked to print.
pub fn print_format(args: &[String]) -> Option<Format> {
    if args.first().map(String::as_str) != Some("--print") {
        return None;
    }
    Some(match args.get(1).map(String::as_str) {
        Some("openmetrics") => Format::OpenMetrics,
        _ => Format::Prometheus,
    })
}

/// The address to serve on: the first argument, else `ENUMETER_ADDR`, else
/// `default`.
pub fn serve_address(args: &[String], default: &str) -> String {
    args.first()
        .cloned()
        .or_else(|| std::env::var("ENUMETER_ADDR").ok())
        .unwrap_or_else(|| default.to_owned())
}

/// How long to serve: `ENUMETER_SERVE_SECS` seconds, 600 by default.
pub fn serve_for() -> Duration {
    enumeter_examples::serve_for(600)
}
