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
