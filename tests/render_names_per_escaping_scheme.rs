//! Prometheus 3 names in every exposition, byte for byte: a metric or
//! label name outside the legacy character set is quoted under
//! `allow-utf-8` in the text formats that can quote (text 1.0.0,
//! OpenMetrics), kept as declared in protobuf, and spelled by the scheme
//! asked for otherwise (`underscores`, `dots`, `values`); text 0.0.4 always
//! escapes with `underscores`. Legacy names stay as declared under every
//! scheme but `dots`.

use enumeter::{metrics, Escaping, Exposition, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Phase {
    Idle,
    Busy,
}

/// Names as OpenTelemetry gives them, beside a legacy one.
#[metrics(register = false)]
pub enum Names {
    /// Request time.
    #[histogram(name = "http.server.request.duration", unit = "seconds", buckets = [0.5])]
    Duration {
        #[label(name = "http.request.method")]
        method: Method,
    },
    /// Jobs done.
    #[counter(name = "app.jobs_total")]
    Jobs { ok: bool },
    /// What the worker does.
    #[state_set(name = "worker.phase", states = Phase)]
    WorkerPhase,
    /// An odd name.
    #[gauge(name = "odd \"name\" \\ here")]
    Odd,
    /// Queue depth.
    #[gauge]
    QueueDepth {
        #[label(name = "queue.name")]
        queue: bool,
    },
}

fn names() -> &'static NamesMetrics {
    let names: &'static NamesMetrics = Box::leak(Box::new(NamesMetrics::new()));
    names.duration(Method::Get).observe(0.25);
    names.jobs(true).add(3);
    names.worker_phase().set(Phase::Busy);
    names.odd().set(-1);
    names.queue_depth(true).set(5);
    names
}

fn render(exposition: Exposition) -> String {
    Registry::new().with(names()).render(exposition)
}

/// Writes the renders to `tests/expected/` instead of comparing, for a
/// reviewed change: `ENUMETER_BLESS=1 cargo test --test render_names_per_escaping_scheme`.
fn compare(file: &str, rendered: &str) {
    let path = format!("{}/tests/expected/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("ENUMETER_BLESS").is_some() {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(rendered, expected, "{file}");
}

const SCHEMES: [(Escaping, &str); 4] = [
    (Escaping::AllowUtf8, "allow-utf-8"),
    (Escaping::Underscores, "underscores"),
    (Escaping::Dots, "dots"),
    (Escaping::Values, "values"),
];

#[test]
fn text_1_0_0_quotes_or_escapes_every_name_as_asked() {
    for (escaping, scheme) in SCHEMES {
        let exposition = Exposition::prometheus_text_1().with_escaping(escaping);
        compare(&format!("names.text.{scheme}.txt"), &render(exposition));
    }
}

#[test]
fn openmetrics_quotes_or_escapes_every_name_as_asked() {
    for (escaping, scheme) in SCHEMES {
        let exposition = Exposition::new(Format::OpenMetrics).with_escaping(escaping);
        compare(
            &format!("names.openmetrics.{scheme}.txt"),
            &render(exposition),
        );
    }
}

#[test]
fn text_0_0_4_writes_underscores_whatever_is_asked() {
    let underscores = render(Exposition::prometheus_text_1());
    for (escaping, _) in SCHEMES {
        let rendered = render(Exposition::new(Format::Prometheus).with_escaping(escaping));
        assert_eq!(rendered, underscores);
    }
    // And a plain `Format` is text 0.0.4 with underscores too.
    assert_eq!(
        Registry::new().with(names()).render(Format::Prometheus),
        underscores
    );
}

/// A group of legacy names only.
#[metrics(namespace = "legacy", register = false)]
pub enum Legacy {
    /// Jobs done.
    #[counter]
    JobsTotal { ok: bool },
    /// Job time.
    #[histogram(unit = "seconds", buckets = [1])]
    JobDuration,
}

#[test]
fn legacy_names_stay_as_declared_but_under_dots() {
    let legacy: &'static LegacyMetrics = Box::leak(Box::new(LegacyMetrics::new()));
    legacy.jobs_total(true).inc();
    legacy.job_duration().observe(0.5);
    let registry = Registry::new().with(legacy);
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let declared = registry.render(format);
        assert!(
            declared.contains("legacy_jobs_total{ok=\"true\"} 1\n"),
            "{declared}"
        );
        for escaping in [Escaping::AllowUtf8, Escaping::Underscores, Escaping::Values] {
            let exposition = Exposition::new(format).with_escaping(escaping);
            assert_eq!(
                registry.render(exposition),
                declared,
                "{format:?} {escaping:?}"
            );
        }
    }
    let dots = registry.render(Exposition::prometheus_text_1().with_escaping(Escaping::Dots));
    assert_eq!(
        dots,
        "# HELP legacy__jobs__total Jobs done.\n\
         # TYPE legacy__jobs__total counter\n\
         legacy__jobs__total{ok=\"false\"} 0\n\
         legacy__jobs__total{ok=\"true\"} 1\n\
         # HELP legacy__job__duration__seconds Job time.\n\
         # TYPE legacy__job__duration__seconds histogram\n\
         legacy__job__duration__seconds_bucket{le=\"1\"} 1\n\
         legacy__job__duration__seconds_bucket{le=\"+Inf\"} 1\n\
         legacy__job__duration__seconds_sum 0.5\n\
         legacy__job__duration__seconds_count 1\n"
    );
}

#[test]
fn created_samples_take_the_quoted_name() {
    let registry = Registry::new().with(names()).created_timestamps(true);
    let text =
        registry.render(Exposition::new(Format::OpenMetrics).with_escaping(Escaping::AllowUtf8));
    let created: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("_created"))
        .map(|l| l.rsplit_once(' ').unwrap().0)
        .collect();
    assert_eq!(
        created,
        [
            r#"{"http.server.request.duration_seconds_created","http.request.method"="GET"}"#,
            r#"{"http.server.request.duration_seconds_created","http.request.method"="POST"}"#,
            r#"{"app.jobs_created",ok="false"}"#,
            r#"{"app.jobs_created",ok="true"}"#,
        ]
    );
}
