//! The real systems some tests need: how to tell that one is here, and how
//! to install it. The suite's build script reads this file too (it
//! `include!`s it): where a system is missing, it sets the cfg
//! `missing_<name>`, and each test that needs the system carries
//! `#[cfg_attr(missing_<name>, ignore = "needs …")]`, so that cargo reports
//! it as ignored, with what to install, instead of a pass. In CI (`CI` set)
//! nothing is ignored: a missing system fails its tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A real system, by the name its cfg carries (`missing_<name>`).
pub struct Tool {
    /// `prometheus`, `promtool`, …
    pub name: &'static str,
    /// The one command that installs it.
    pub install: &'static str,
}

/// Every real system the tests use.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "prometheus",
        install: "apt-get install prometheus",
    },
    Tool {
        name: "promtool",
        install: "apt-get install prometheus",
    },
    Tool {
        name: "pushgateway",
        install: "apt-get install prometheus-pushgateway",
    },
    Tool {
        name: "alertmanager",
        install: "apt-get install prometheus-alertmanager",
    },
    Tool {
        name: "prometheus3",
        install: PROMETHEUS3_INSTALL,
    },
    Tool {
        name: "promtool3",
        install: PROMETHEUS3_INSTALL,
    },
    Tool {
        name: "alertmanager3",
        install: PROMETHEUS3_INSTALL,
    },
    Tool {
        name: "victoria_metrics",
        install: "apt-get install victoria-metrics",
    },
    Tool {
        name: "victoria_metrics_otlp",
        install: "VictoriaMetrics 1.112 from Debian trixie, as .ci/run fetches it into \
                  target/victoria-metrics-trixie (or ENUMETER_VM_OTLP)",
    },
    Tool {
        name: "statsd",
        install: "apt-get install nodejs npm && npm install --prefix target/statsd statsd@0.9.0",
    },
    Tool {
        name: "lezer_promql",
        install: "npm install --prefix target/lezer-promql @prometheus-io/lezer-promql@0.315.0",
    },
    Tool {
        name: "openssl",
        install: "apt-get install openssl",
    },
    Tool {
        name: "python_parsers",
        install: "pip install prometheus_client==0.26.0",
    },
];

/// How the Prometheus 3 line is installed: Debian sid's packages, which
/// need only libc.
const PROMETHEUS3_INSTALL: &str = "Prometheus 3.5.3 and Alertmanager 0.33.1 from Debian sid, as \
     .ci/run fetches them into target/prometheus-sid (or ENUMETER_PROMETHEUS3_DIR, their bin \
     directory)";

/// Where the Prometheus 3 line's program `name` (`prometheus`, `promtool`,
/// `prometheus-alertmanager`) is: in `ENUMETER_PROMETHEUS3_DIR`, or where
/// `.ci/run` unpacks Debian sid's packages under `root`.
pub fn prometheus3_path(root: &Path, name: &str) -> PathBuf {
    std::env::var_os("ENUMETER_PROMETHEUS3_DIR")
        .map_or_else(|| root.join("target/prometheus-sid/usr/bin"), PathBuf::from)
        .join(name)
}

/// Where VictoriaMetrics 1.112 is: `ENUMETER_VM_OTLP`, or where `.ci/run`
/// unpacks Debian trixie's package under `root` (the suite's directory).
pub fn victoria_metrics_otlp_path(root: &Path) -> PathBuf {
    std::env::var_os("ENUMETER_VM_OTLP").map_or_else(
        || root.join("target/victoria-metrics-trixie/usr/bin/victoria-metrics"),
        PathBuf::from,
    )
}

/// Where the Etsy StatsD daemon is: `ENUMETER_STATSD_DIR`, or where the
/// install command puts it under `root`.
pub fn statsd_path(root: &Path) -> PathBuf {
    std::env::var_os("ENUMETER_STATSD_DIR").map_or_else(
        || root.join("target/statsd/node_modules/statsd"),
        PathBuf::from,
    )
}

/// Where Prometheus' PromQL grammar for JavaScript is installed:
/// `ENUMETER_LEZER_PROMQL_DIR`, or where its install command puts it under
/// `root` (a `node_modules` folder).
pub fn lezer_promql_path(root: &Path) -> PathBuf {
    std::env::var_os("ENUMETER_LEZER_PROMQL_DIR").map_or_else(
        || root.join("target/lezer-promql/node_modules"),
        PathBuf::from,
    )
}

/// Whether the system `name` of [`TOOLS`] runs here; `root` is the
/// suite's directory.
pub fn present(name: &str, root: &Path) -> bool {
    let runs = |program: &Path, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    match name {
        "prometheus" => runs(Path::new("prometheus"), &["--version"]),
        "promtool" => runs(Path::new("promtool"), &["--version"]),
        "pushgateway" => runs(Path::new("prometheus-pushgateway"), &["--version"]),
        "alertmanager" => runs(Path::new("prometheus-alertmanager"), &["--version"]),
        "prometheus3" => runs(&prometheus3_path(root, "prometheus"), &["--version"]),
        "promtool3" => runs(&prometheus3_path(root, "promtool"), &["--version"]),
        "alertmanager3" => runs(
            &prometheus3_path(root, "prometheus-alertmanager"),
            &["--version"],
        ),
        "victoria_metrics" => runs(Path::new("victoria-metrics"), &["-version"]),
        "victoria_metrics_otlp" => runs(&victoria_metrics_otlp_path(root), &["-version"]),
        "statsd" => {
            runs(Path::new("node"), &["--version"]) && statsd_path(root).join("stats.js").exists()
        }
        "lezer_promql" => {
            runs(Path::new("node"), &["--version"])
                && lezer_promql_path(root)
                    .join("@prometheus-io/lezer-promql/package.json")
                    .exists()
        }
        "openssl" => runs(Path::new("openssl"), &["version"]),
        "python_parsers" => runs(
            Path::new("python3"),
            &["-c", "import prometheus_client.openmetrics.parser"],
        ),
        other => panic!("no tool named {other} in TOOLS"),
    }
}
