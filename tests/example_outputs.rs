//! The system examples print exactly the exposition pinned in
//! `tests/expected/NAME.prom` (Prometheus text) and `NAME.om` (OpenMetrics),
//! which promtool and both Python parsers accept (those two tests are
//! ignored where the tool is missing).
//!
//! Seed names that keep an `_ms` suffix for existing dashboards draw
//! promtool's "abbreviated units" lint, and that lint only, on those names
//! only.

use enumeter_suite::support;

fn expected(file: &str) -> String {
    let path = format!("{}/tests/expected/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The system examples, each with the names that may draw promtool's
/// abbreviated-units lint.
const EXAMPLES: [(&str, &[&str]); 5] = [
    (
        "voice_server",
        &[
            "voiceserver_e2e_first_byte_ms",
            "voiceserver_tts_first_byte_ms",
            "voiceserver_llm_first_byte_ms",
        ],
    ),
    ("sip", &["sip_call_rtt_ms", "sip_call_jitter_ms"]),
    ("speech_gateway", &[]),
    ("telemetry", &[]),
    ("chat_gateway", &[]),
];

/// Checks an example's output in both formats against its pinned files.
fn check_example(name: &str) {
    let prometheus = support::example_output(name, &["--print"]);
    assert_eq!(
        prometheus,
        expected(&format!("{name}.prom")),
        "{name}: Prometheus text"
    );
    let openmetrics = support::example_output(name, &["--print", "openmetrics"]);
    assert_eq!(
        openmetrics,
        expected(&format!("{name}.om")),
        "{name}: OpenMetrics"
    );
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_accepts_every_pinned_exposition_but_the_allowed_unit_lints() {
    for (name, ms_names) in EXAMPLES {
        let (code, report) = support::promtool_check(&expected(&format!("{name}.prom")));
        if ms_names.is_empty() {
            assert_eq!(code, 0, "{name}: {report}");
        } else {
            // Exit 3 is "lint problems only"; each must be an allowed one.
            assert_eq!(code, 3, "{name}: {report}");
            for line in report.lines().filter(|l| !l.trim().is_empty()) {
                let allowed = line.ends_with("metric names should not contain abbreviated units")
                    && ms_names.iter().any(|n| line.starts_with(n));
                assert!(allowed, "{name}: unexpected promtool finding: {line}");
            }
        }
    }
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs the Python parsers: pip install prometheus_client"
)]
fn the_python_parsers_read_the_same_samples_from_both_pinned_formats() {
    for (name, _) in EXAMPLES {
        let prometheus = expected(&format!("{name}.prom"));
        let openmetrics = expected(&format!("{name}.om"));
        let a = support::samples(&support::python_parse("prometheus", &prometheus));
        let b = support::samples(&support::python_parse("openmetrics", &openmetrics));
        assert_eq!(a, b, "{name}: both formats carry the same samples");
    }
}

#[test]
fn voice_server_prints_its_pinned_exposition() {
    check_example("voice_server");
}

#[test]
fn sip_prints_its_pinned_exposition() {
    check_example("sip");
}

#[test]
fn speech_gateway_prints_its_pinned_exposition() {
    check_example("speech_gateway");
}

#[test]
fn telemetry_prints_its_pinned_exposition_and_json_snapshot() {
    check_example("telemetry");
    let json = support::example_output("telemetry", &["--json"]);
    assert_eq!(json, expected("telemetry.json"));
    // The JSON is the typed snapshot of the merged sources.
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["channels"]["public"], 240);
    assert_eq!(parsed["envelope_publish_rate"], 1062.75);
    let firing: Vec<&str> = parsed["alerts_firing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alert"].as_str().unwrap())
        .collect();
    assert_eq!(firing, ["high-publish-rate", "low-cache-hit-rate"]);
}

#[test]
fn telemetry_refuses_empty_unknown_and_duplicate_alert_rules_at_start() {
    for (name, message) in [
        ("", "invalid alert rules: alert rule #5 has an empty name"),
        ("nope", "invalid alert rules: alert rule \"nope\" names no known alert; known: high-publish-rate, history-nearly-full, low-cache-hit-rate, token-surge"),
        ("token-surge", "invalid alert rules: alert rule \"token-surge\" is declared twice"),
    ] {
        let out = std::process::Command::new(support::example_binary("telemetry"))
            .env("TELEMETRY_EXTRA_RULE", name)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), message);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn telemetry_labels_each_source_by_the_name_its_configuration_gives() {
    let out = std::process::Command::new(support::example_binary("telemetry"))
        .env("TELEMETRY_SOURCES", "edge \"a\",edge-b")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rates: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("telemetry_source_publish_rate{"))
        .collect();
    // Two names for three readings: the third source reports under no
    // name and is not shown.
    assert_eq!(
        rates,
        [
            "telemetry_source_publish_rate{source=\"edge \\\"a\\\"\"} 640.5",
            "telemetry_source_publish_rate{source=\"edge-b\"} 410",
        ]
    );
    let refused = std::process::Command::new(support::example_binary("telemetry"))
        .env("TELEMETRY_SOURCES", "a,,b")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr).trim_end(),
        "invalid source name \"\": a label value cannot be empty"
    );
}

#[test]
fn chat_gateway_prints_its_pinned_exposition() {
    check_example("chat_gateway");
}
