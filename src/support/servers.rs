//! Real servers from Debian packages, started on 127.0.0.1 for one test:
//! Prometheus, the Pushgateway and VictoriaMetrics, each with a temporary
//! directory, stopped (and the directory removed) when dropped. Every wait
//! is bounded.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{http_get, url_encode, Process};

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, empty directory named after `what` and this process.
    pub fn new(what: &str) -> Self {
        let path = std::env::temp_dir().join(format!("enumeter-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Retries `attempt` every 100 ms until it returns `Some`, for at most
/// `limit`.
pub fn wait_for<T>(limit: Duration, what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = attempt() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The result of an instant `query` through a Prometheus-compatible query
/// API at `addr`: `Some` of every series' value (empty when the query
/// matches nothing), `None` while the server does not answer.
pub fn query_all(addr: &str, query: &str) -> Option<Vec<f64>> {
    let path = format!("/api/v1/query?query={}", url_encode(query));
    let (status, body) = http_get(addr, &path).ok()?;
    if status != 200 {
        return None;
    }
    let json: Value = serde_json::from_str(&body).ok()?;
    json["data"]["result"]
        .as_array()?
        .iter()
        .map(|sample| sample["value"][1].as_str()?.parse().ok())
        .collect()
}

/// The value of `query` when it matches exactly one series.
pub fn query(addr: &str, query: &str) -> Option<f64> {
    match query_all(addr, query)?.as_slice() {
        [value] => Some(*value),
        _ => None,
    }
}

/// Waits until `GET path` on `addr` answers 200.
pub fn wait_ready(addr: &str, path: &str, what: &str) {
    wait_ready_as(addr, path, what, "");
}

/// [`wait_ready`] for a request with `authorization` (a header line ending
/// in `\r\n`, or nothing).
pub fn wait_ready_as(addr: &str, path: &str, what: &str, authorization: &str) {
    wait_for(Duration::from_secs(60), what, || {
        super::http_get_with(addr, path, authorization)
            .ok()
            .filter(|(status, _, _)| *status == 200)
    });
}

fn spawn(program: impl AsRef<std::ffi::OsStr>, args: &[String]) -> Process {
    let program = program.as_ref();
    Process(
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", program.to_string_lossy())),
    )
}

/// A Prometheus server on a free port, with `config` (YAML) and storage in
/// `dir`, and the remote-write receiver on; ready when this returns.
pub fn prometheus(dir: &Path, config: &str) -> (Process, String) {
    prometheus_with(dir, config, &[])
}

/// A Prometheus configuration that scrapes `target` every second as job
/// `job`.
pub fn scrape_every_second(job: &str, target: &str) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
         scrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
    )
}

/// [`prometheus`] with more flags (`--enable-feature=native-histograms`).
pub fn prometheus_with(dir: &Path, config: &str, flags: &[&str]) -> (Process, String) {
    start_prometheus(dir, config, flags, "")
}

/// [`prometheus`] with `web_config` (YAML: TLS, basic auth) written to
/// `dir`; ready, as a request with the `authorization` header line sees it,
/// when this returns.
pub fn prometheus_with_web_config(
    dir: &Path,
    config: &str,
    web_config: &str,
    authorization: &str,
) -> (Process, String) {
    let flag = web_config_flag(dir, web_config);
    start_prometheus(dir, config, &[&flag], authorization)
}

/// `--web.config.file` for `web_config`, written to `dir` (the flag of
/// every Prometheus server binary).
fn web_config_flag(dir: &Path, web_config: &str) -> String {
    let file = dir.join("web.yml");
    std::fs::write(&file, web_config).unwrap();
    format!("--web.config.file={}", file.display())
}

/// The two Prometheus lines in the field, both tested: 2.42 (Debian
/// bookworm's, on `PATH`) and 3.5.3 with Alertmanager 0.33.1 (Debian sid's,
/// which `.ci/run` unpacks under `target/prometheus-sid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// Prometheus 2.42, Alertmanager 0.25.
    Two,
    /// Prometheus 3.5.3, Alertmanager 0.33.1.
    Three,
}

impl Line {
    /// Both, oldest first.
    pub const BOTH: [Line; 2] = [Line::Two, Line::Three];

    /// The line's program `name`: `prometheus`, `promtool` or
    /// `prometheus-alertmanager`.
    pub fn program(self, name: &str) -> PathBuf {
        match self {
            Line::Two => PathBuf::from(name),
            Line::Three => {
                super::tools::prometheus3_path(Path::new(env!("CARGO_MANIFEST_DIR")), name)
            }
        }
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Line::Two => "Prometheus 2.42",
            Line::Three => "Prometheus 3.5.3",
        })
    }
}

/// [`prometheus_with`] of the `line` given.
pub fn prometheus_of(line: Line, dir: &Path, config: &str, flags: &[&str]) -> (Process, String) {
    start_prometheus_of(line, dir, config, flags, "")
}

fn start_prometheus(
    dir: &Path,
    config: &str,
    flags: &[&str],
    authorization: &str,
) -> (Process, String) {
    start_prometheus_of(Line::Two, dir, config, flags, authorization)
}

/// [`prometheus_of`] on `addr`: a Prometheus started again on the storage
/// and address of one that stopped.
pub fn prometheus_at(
    line: Line,
    dir: &Path,
    config: &str,
    flags: &[&str],
    addr: &str,
) -> (Process, String) {
    start_prometheus_on(line, dir, config, flags, "", addr.to_owned())
}

fn start_prometheus_of(
    line: Line,
    dir: &Path,
    config: &str,
    flags: &[&str],
    authorization: &str,
) -> (Process, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    start_prometheus_on(line, dir, config, flags, authorization, addr)
}

fn start_prometheus_on(
    line: Line,
    dir: &Path,
    config: &str,
    flags: &[&str],
    authorization: &str,
    addr: String,
) -> (Process, String) {
    let file = dir.join("prometheus.yml");
    std::fs::write(&file, config).unwrap();
    let process = spawn(
        line.program("prometheus"),
        &[
            format!("--config.file={}", file.display()),
            format!("--storage.tsdb.path={}", dir.join("data").display()),
            format!("--web.listen-address={addr}"),
            "--web.enable-remote-write-receiver".into(),
            "--log.level=warn".into(),
        ]
        .into_iter()
        .chain(flags.iter().map(|f| (*f).to_owned()))
        .collect::<Vec<_>>(),
    );
    wait_ready_as(&addr, "/-/ready", "Prometheus to be ready", authorization);
    (process, addr)
}

/// A Pushgateway on a free port; ready when this returns.
pub fn pushgateway() -> (Process, String) {
    start_pushgateway(None, "")
}

/// A Pushgateway on a free port with `web_config` (YAML: TLS, basic auth)
/// written to `dir`; ready, as a request with the `authorization` header
/// line sees it, when this returns.
pub fn pushgateway_with_web_config(
    dir: &Path,
    web_config: &str,
    authorization: &str,
) -> (Process, String) {
    start_pushgateway(Some(web_config_flag(dir, web_config)), authorization)
}

fn start_pushgateway(web_config_flag: Option<String>, authorization: &str) -> (Process, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let args: Vec<String> = [
        format!("--web.listen-address={addr}"),
        "--log.level=warn".into(),
    ]
    .into_iter()
    .chain(web_config_flag)
    .collect();
    let process = spawn("prometheus-pushgateway", &args);
    wait_ready_as(
        &addr,
        "/-/ready",
        "the Pushgateway to be ready",
        authorization,
    );
    (process, addr)
}

/// VictoriaMetrics on `addr` with its storage in `dir`, answering queries
/// on data as soon as it is written; ready when this returns.
pub fn victoria_metrics(dir: &Path, addr: &str) -> Process {
    victoria_metrics_with(dir, addr, &[])
}

/// [`victoria_metrics`] with more flags (`-graphiteListenAddr=…`).
pub fn victoria_metrics_with(dir: &Path, addr: &str, flags: &[String]) -> Process {
    let mut args = vm_args(dir, addr);
    args.extend_from_slice(flags);
    let process = spawn("victoria-metrics", &args);
    wait_ready(addr, "/health", "VictoriaMetrics to be ready");
    process
}

/// VictoriaMetrics 1.112, which ingests OTLP: `ENUMETER_VM_OTLP`, or
/// where `.ci/run` unpacks Debian trixie's package. The test needs it
/// (`missing_victoria_metrics_otlp`).
pub fn victoria_metrics_otlp_binary() -> PathBuf {
    super::require("victoria_metrics_otlp");
    super::tools::victoria_metrics_otlp_path(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// VictoriaMetrics 1.112 (`binary`) on `addr` with its storage in `dir`,
/// as [`victoria_metrics`] starts 1.79; ready when this returns.
pub fn victoria_metrics_otlp(binary: &Path, dir: &Path, addr: &str) -> Process {
    let process = spawn(binary.to_str().expect("a UTF-8 path"), &vm_args(dir, addr));
    wait_ready(addr, "/health", "VictoriaMetrics 1.112 to be ready");
    process
}

/// Starts `program args...` in `dir` with its output discarded; stopped
/// (SIGTERM, then SIGKILL) when the returned process drops.
pub fn spawn_in(dir: &Path, program: &str, args: &[String]) -> Process {
    Process(
        Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} starts: {e}")),
    )
}

/// VictoriaMetrics' flags: `addr`, storage in `dir`, data searchable as
/// soon as it is written, errors only in its log.
fn vm_args(dir: &Path, addr: &str) -> Vec<String> {
    vec![
        format!("-httpListenAddr={addr}"),
        format!("-storageDataPath={}", dir.join("vm").display()),
        "-search.latencyOffset=0s".into(),
        "-search.disableCache".into(),
        "-loggerLevel=ERROR".into(),
    ]
}

/// Makes what VictoriaMetrics received searchable now.
pub fn victoria_metrics_flush(addr: &str) {
    let (status, _) = http_get(addr, "/internal/force_flush").expect("force_flush answers");
    assert_eq!(status, 200);
}

/// Waits until `query` matches exactly one series whose value is
/// `expected` (a scrape or a write may still be on its way), and fails with
/// the last value seen when it does not within `limit`.
pub fn expect_value(addr: &str, query_text: &str, expected: f64, limit: Duration) {
    expect_value_within(addr, query_text, expected, 0.0, limit);
}

/// [`expect_value`] up to a relative difference of `relative` (0 for
/// exactly), for stores that keep fewer digits than an `f64` has.
pub fn expect_value_within(
    addr: &str,
    query_text: &str,
    expected: f64,
    relative: f64,
    limit: Duration,
) {
    let deadline = Instant::now() + limit;
    loop {
        let got = query_all(addr, query_text);
        if let Some([value]) = got.as_deref() {
            if *value == expected || (value - expected).abs() <= expected.abs() * relative {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{query_text}: expected {expected}, the server says {got:?} after {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Alertmanager on a free port that routes every alert to a receiver that
/// sends nothing, grouping nothing away.
pub fn alertmanager(dir: &std::path::Path) -> (Process, String) {
    alertmanager_of(Line::Two, dir)
}

/// [`alertmanager`] of the `line` given.
pub fn alertmanager_of(line: Line, dir: &std::path::Path) -> (Process, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let config = dir.join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: keep\n  group_by: ['...']\n  group_wait: 0s\n  \
         group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: keep\n",
    )
    .unwrap();
    let process = Process(
        Command::new(line.program("prometheus-alertmanager"))
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.join("am").display()))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus-alertmanager starts"),
    );
    wait_ready(&addr, "/-/ready", "Alertmanager to be ready");
    (process, addr)
}

/// The active alerts Alertmanager holds: each alert's labels.
pub fn active_alerts(addr: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let (status, body) = http_get(addr, "/api/v2/alerts?active=true").unwrap();
    assert_eq!(status, 200, "{body}");
    let alerts: serde_json::Value = serde_json::from_str(&body).unwrap();
    alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"]["state"] == "active")
        .map(|a| a["labels"].as_object().unwrap().clone())
        .collect()
}

/// What a query returns: each series' labels and value, or why not.
pub fn query_result(addr: &str, expr: &str) -> Result<Vec<serde_json::Value>, String> {
    let path = format!("/api/v1/query?query={}", url_encode(expr));
    let (status, body) = http_get(addr, &path).map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    if status != 200 || json["status"] != "success" {
        return Err(format!("{status}: {body}"));
    }
    match &json["data"]["result"] {
        serde_json::Value::Array(series) => Ok(series.clone()),
        scalar => Ok(vec![scalar.clone()]),
    }
}

/// Serves `app` on 127.0.0.1 from a runtime of its own (two workers) on a
/// thread of its own, for `seconds` at most; its address once it listens.
pub fn serve_axum(app: axum::Router, seconds: u64) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().to_string()).unwrap();
            // Bounded: the test process ends the runtime with it.
            let serving = axum::serve(listener, app);
            let _ = tokio::time::timeout(Duration::from_secs(seconds), serving).await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the server starts")
}

/// Milliseconds since the Unix epoch, by this test's own clock.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The samples Prometheus at `addr` keeps of `series` over the last ten
/// minutes, as (milliseconds, value), oldest first; none while it answers
/// otherwise.
pub fn samples_of(addr: &str, series: &str) -> Vec<(u64, f64)> {
    let path = format!(
        "/api/v1/query?query={}",
        super::url_encode(&format!("{series}[10m]"))
    );
    let Ok((200, body)) = super::http_get(addr, &path) else {
        return Vec::new();
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let Some(values) = json["data"]["result"][0]["values"].as_array() else {
        return Vec::new();
    };
    values
        .iter()
        .map(|v| {
            let ms = (v[0].as_f64().unwrap() * 1000.0).round() as u64;
            (ms, v[1].as_str().unwrap().parse().unwrap())
        })
        .collect()
}

/// The value of `expr` evaluated by Prometheus at `addr` at `ms`.
pub fn query_at(addr: &str, expr: &str, ms: u64) -> f64 {
    let path = format!(
        "/api/v1/query?query={}&time={}.{:03}",
        super::url_encode(expr),
        ms / 1000,
        ms % 1000
    );
    let (status, body) = super::http_get(addr, &path).unwrap();
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["data"]["result"][0]["value"][1]
        .as_str()
        .unwrap_or_else(|| panic!("{expr}: {body}"))
        .parse()
        .unwrap()
}
