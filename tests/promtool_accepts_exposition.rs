//! Prometheus' own `promtool check metrics` accepts what we render.
//!
//! In CI (`CI=true`) a missing `promtool` fails the test; elsewhere the test
//! prints why it skipped.

use std::io::Write;
use std::process::{Command, Stdio};

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Awkward {
    #[label(name = "quote\"d \\ back\nslash")]
    Odd,
    #[label(name = "ünïcode")]
    Unicode,
}

/// Exposition edge cases.
#[metrics(namespace = "edge")]
pub enum Edge {
    /// Escaped "label" values \ and HELP.
    #[counter]
    OddTotal { value: Awkward, flag: bool },
    /// A float gauge at +Inf.
    #[gauge(float)]
    Ratio,
    /// A negative integer gauge.
    #[gauge]
    Depth { value: Awkward },
}

fn promtool() -> Option<&'static str> {
    let found = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some("promtool");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "promtool is not installed; CI must install the Debian package `prometheus`"
    );
    eprintln!("skipped: promtool is not installed (apt-get install prometheus)");
    None
}

/// Runs `promtool check metrics` on `text`; returns its exit code and output.
pub fn check_metrics(promtool: &str, text: &str) -> (i32, String) {
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let mut report = String::from_utf8_lossy(&out.stdout).into_owned();
    report.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn promtool_accepts_escaped_labels_and_non_finite_values() {
    let Some(promtool) = promtool() else { return };
    let edge = EdgeMetrics::new();
    edge.odd_total(Awkward::Odd, true).add(3);
    edge.ratio().set(f64::INFINITY);
    edge.depth(Awkward::Unicode).set(-12);
    let text = Registry::new().with(&edge).render(Format::Prometheus);
    let (code, report) = check_metrics(promtool, &text);
    assert_eq!(code, 0, "promtool rejected:\n{text}\n{report}");
}

#[test]
fn promtool_accepts_the_quickstart_output() {
    let Some(promtool) = promtool() else { return };
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "--example", "quickstart", "--", "--print"])
        .output()
        .expect("cargo runs the quickstart");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("# TYPE sip_invite_result_total counter\n"),
        "{text}"
    );
    let (code, report) = check_metrics(promtool, &text);
    assert_eq!(code, 0, "promtool rejected:\n{text}\n{report}");
}
