//! The examples of enumeter live beside this file, one program each; run
//! one with `cargo run --example NAME` (the README lists them). This
//! library is empty: it only gives the package a target of its own.

/// Takes `--web.config.file PATH` (or `--web.config.file=PATH`, the flag of
/// Prometheus' Go exporters) out of `args`, and gives the file to
/// `exporter`: TLS, client certificates, bcrypt basic-auth users, headers
/// and a rate limit, as exporter-toolkit reads them.
pub fn web_config_flag(args: &mut Vec<String>, exporter: enumeter::Exporter) -> enumeter::Exporter {
    const FLAG: &str = "--web.config.file";
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        if let Some(path) = args[i].strip_prefix(FLAG).and_then(|r| r.strip_prefix('=')) {
            file = Some(path.to_owned());
            args.remove(i);
        } else if args[i] == FLAG && i + 1 < args.len() {
            file = Some(args.remove(i + 1));
            args.remove(i);
        } else {
            i += 1;
        }
    }
    match file {
        Some(file) => exporter.web_config_file(file),
        None => exporter,
    }
}

/// How long an example serves (or works): `ENUMETER_SERVE_SECS` seconds,
/// which the tests set, else `default_secs`.
pub fn serve_for(default_secs: u64) -> std::time::Duration {
    let secs = std::env::var("ENUMETER_SERVE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_secs);
    std::time::Duration::from_secs(secs)
}

/// An OTLP pusher of `registry` (the default registry for `None`) when the
/// environment names an endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`; the rest of the `OTEL_*`
/// variables are read as the OpenTelemetry SDKs read them); `None` when it
/// names none. An example that cannot start it says why and exits.
#[cfg(feature = "otlp")]
pub fn push_over_otlp(
    registry: Option<enumeter::Registry<'static>>,
) -> Option<enumeter::push::PushHandle> {
    let named = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    if !named {
        return None;
    }
    let otlp = enumeter::push::otlp::Otlp::new();
    let otlp = match registry {
        Some(registry) => otlp.registry(registry),
        None => otlp,
    };
    match otlp.start() {
        Ok(pusher) => Some(pusher),
        Err(e) => {
            eprintln!("cannot push over OTLP: {e}");
            std::process::exit(1);
        }
    }
}
