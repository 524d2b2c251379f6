//! Helpers shared by the conformance tests: running Prometheus' own tools
//! and the Python parsers, and deciding what to do when one is missing.

pub mod certs;
pub mod log_capture;
pub mod otlp_receiver;
pub mod outputs;
pub mod servers;
pub mod tools;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Fails the test unless the real system `name` of [`tools::TOOLS`] runs
/// here. A test that calls it carries `#[cfg_attr(missing_<name>, ignore =
/// "…")]`, so that where the suite's build found the system missing, cargo
/// reports the test as ignored; reaching this without it means CI lacks it,
/// or it was removed after the build looked (`touch build.rs`).
pub fn require(name: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !tools::present(name, root) {
        let install = tools::TOOLS
            .iter()
            .find(|tool| tool.name == name)
            .map_or("?", |tool| tool.install);
        panic!("{name} is not available here: {install} (then `touch build.rs` so the suite looks again)");
    }
}

/// The value of enumeter's own counter `name{label="{label}"}` in the
/// default registry (0 while it has no such series).
pub fn self_count(name: &str, label: &str) -> u64 {
    let text = enumeter::registry().render(enumeter::Format::Prometheus);
    let prefix = format!("{name}{{label=\"{label}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map_or(0, |v| v.parse().unwrap())
}

/// Runs `program args...` with `input` on stdin; returns (exit code, stdout,
/// stderr).
pub fn run_with_stdin(program: &str, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} starts: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    // Write from another thread so a child that answers early cannot
    // deadlock us on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let (code, stdout, stderr) = wait_within(child, TOOL_LIMIT, program);
    let _ = writer.join();
    (code, stdout, stderr)
}

/// How long a tool (promtool, a Python parser) may take on one input.
const TOOL_LIMIT: Duration = Duration::from_secs(120);

/// Waits for `child` at most `limit`, reading its output meanwhile; kills
/// it and fails the test, naming `what`, when it takes longer. Returns (exit
/// code, stdout, stderr).
pub fn wait_within(mut child: Child, limit: Duration, what: &str) -> (i32, String, String) {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    }
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    (status.code().unwrap_or(-1), stdout, stderr)
}

/// Stores `.1` into the flag `.0` when dropped, also while unwinding from a
/// failed assertion: made first thing inside a `thread::scope` closure, it
/// stops helper threads that loop on the flag before `scope` waits for
/// them, so that a failure ends the test instead of hanging it.
pub struct StoreOnDrop<'a>(pub &'a std::sync::atomic::AtomicBool, pub bool);

impl Drop for StoreOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(self.1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the examples are built with: their package, with every feature
/// (some examples need one; see examples/Cargo.toml).
const EXAMPLES: [&str; 3] = ["-p", "enumeter-examples", "--all-features"];

/// The standard output of `cargo run --example NAME -- ARGS...`.
pub fn example_output(name: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q"])
        .args(EXAMPLES)
        .args(["--example", name, "--"])
        .args(args)
        .output()
        .expect("cargo runs the example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("exposition is UTF-8")
}

/// `promtool check metrics` on `text`: its exit code and report. The test
/// needs promtool (`missing_promtool`).
pub fn promtool_check(text: &str) -> (i32, String) {
    require("promtool");
    let (code, out, err) = run_with_stdin("promtool", &["check", "metrics"], text);
    (code, out + &err)
}

/// `promtool ARGS...` in `dir` (`check rules rules.yml`, `test rules
/// rules.test.yml`), within five minutes: its exit code and output. The
/// test needs promtool (`missing_promtool`).
pub fn promtool_in(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    promtool_of(servers::Line::Two, dir, args)
}

/// [`promtool_in`] with the promtool of `line` (3.5.3 needs `promtool3`).
pub fn promtool_of(line: servers::Line, dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    require(match line {
        servers::Line::Two => "promtool",
        servers::Line::Three => "promtool3",
    });
    let child = Command::new(line.program("promtool"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("promtool starts: {e}"));
    let (code, out, err) = wait_within(child, Duration::from_secs(300), "promtool");
    (code, out + &err)
}

/// Parses `text` with the Python client's parser for `format`
/// ("prometheus" or "openmetrics"); panics with the parser's error.
pub fn python_parse(format: &str, text: &str) -> serde_json::Value {
    static PARSERS_HERE: std::sync::Once = std::sync::Once::new();
    PARSERS_HERE.call_once(|| require("python_parsers"));
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/parse_exposition.py"
    );
    let (code, out, err) = run_with_stdin("python3", &[script, format], text);
    assert_eq!(
        code, 0,
        "the Python {format} parser rejected:\n{text}\n{err}"
    );
    serde_json::from_str(&out).expect("the script prints JSON")
}

/// One parsed sample: name, labels sorted by name, value as text.
pub type Sample = (String, Vec<(String, String)>, String);

/// The samples of parsed families, with `le` and `quantile` values
/// normalised to the float they denote.
pub fn samples(families: &serde_json::Value) -> Vec<Sample> {
    let mut out = Vec::new();
    for family in families.as_array().unwrap() {
        for sample in family["samples"].as_array().unwrap() {
            let name = sample[0].as_str().unwrap().to_owned();
            let mut labels: Vec<(String, String)> = sample[1]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let v = v.as_str().unwrap();
                    let v = match (k.as_str(), v.parse::<f64>()) {
                        ("le" | "quantile", Ok(f)) if f.is_finite() => format!("{f}"),
                        _ => v.to_owned(),
                    };
                    (k.clone(), v)
                })
                .collect();
            labels.sort();
            let value = match &sample[2] {
                serde_json::Value::String(s) => s.clone(),
                v => format!("{}", v.as_f64().unwrap()),
            };
            out.push((name, labels, value));
        }
    }
    out
}

/// Builds example `name` and returns the path of its executable.
pub fn example_binary(name: &str) -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["build", "-q"])
        .args(EXAMPLES)
        .args(["--example", name, "--message-format=json"])
        .output()
        .expect("cargo builds the example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the example's executable")
}

/// A plain HTTP/1.1 GET of `path` from `addr` ("127.0.0.1:PORT"), with a
/// bounded wait; returns the status code and the (de-chunked) body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    http_get_with(addr, path, "").map(|(status, _, body)| (status, body))
}

/// [`http_get`] with extra header lines (each ending in `\r\n`); also
/// returns the response head.
pub fn http_get_with(
    addr: &str,
    path: &str,
    headers: &str,
) -> std::io::Result<(u16, String, String)> {
    http_request(addr, "GET", path, headers)
}

/// A plain HTTP/1.1 request with `method` and no body, as [`http_get_with`]
/// makes a GET.
pub fn http_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &str,
) -> std::io::Result<(u16, String, String)> {
    let (status, head, body) = http_request_bytes(addr, method, path, headers)?;
    Ok((status, head, String::from_utf8_lossy(&body).into_owned()))
}

/// [`http_request`] with the (de-chunked) body as bytes, as sent: for
/// bodies that are not text, such as gzip.
pub fn http_request_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &str,
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    // An empty body, said so where a body may come.
    let length = if method == "GET" {
        ""
    } else {
        "Content-Length: 0\r\n"
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}{length}Connection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&raw[..end])
        .trim_end_matches("\r\n")
        .to_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(&raw[end..])
    } else {
        raw[end..].to_vec()
    };
    Ok((status, head, body))
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let rest = &body[line_end + 2..];
        let Some(size) = size else { break };
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        body = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
    out
}

/// Percent-encodes a query parameter value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A child process stopped when dropped: SIGTERM, a bounded wait, SIGKILL.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts example `name` serving on a free port of 127.0.0.1 for at most
/// `seconds`, and returns it with the `host:port` it printed
/// (`serving http://HOST:PORT/metrics`).
pub fn serve_example(name: &str, seconds: u32) -> (Process, String) {
    serve_example_with(name, seconds, &[])
}

/// [`serve_example`] with more environment variables.
pub fn serve_example_with(name: &str, seconds: u32, env: &[(&str, &str)]) -> (Process, String) {
    let (process, addr, _) = serve_example_args(name, &["127.0.0.1:0"], seconds, env);
    (process, addr)
}

/// Starts example `name` with `args` (which must make it serve on a free
/// port of 127.0.0.1) for at most `seconds`; returns it with the
/// `host:port` it printed (`serving http://HOST:PORT/metrics`) and its
/// standard input, to write to.
pub fn serve_example_args(
    name: &str,
    args: &[&str],
    seconds: u32,
    env: &[(&str, &str)],
) -> (Process, String, std::process::ChildStdin) {
    let mut child = Command::new(example_binary(name))
        .args(args)
        .env("ENUMETER_SERVE_SECS", seconds.to_string())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("example {name} starts: {e}"));
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let process = Process(child);
    // Bounded: an example that never prints its address fails the test
    // (and is killed as `process` drops) instead of hanging it.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{name} printed no address within 60 s"));
    let addr = line
        .trim()
        .strip_prefix("serving http://")
        .or_else(|| line.trim().strip_prefix("serving https://"))
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("{name}: unexpected first line {line:?}"))
        .to_owned();
    (process, addr, stdin)
}

/// A global allocator that counts the bytes allocated by threads that asked
/// it to ([`allocated_while`]); a test binary installs it with
/// `#[global_allocator] static ALLOCATOR: support::CountingAllocator = support::CountingAllocator;`.
pub struct CountingAllocator;

thread_local! {
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static ALLOCATED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counting touches only const-initialised thread-locals, which never
// allocate.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if COUNTING.with(std::cell::Cell::get) {
            ALLOCATED.with(|a| a.set(a.get() + layout.size()));
        }
        // SAFETY: forwarded unchanged.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// The bytes this thread allocated while `f` ran.
pub fn allocated_while(f: impl FnOnce()) -> usize {
    ALLOCATED.with(|a| a.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATED.with(std::cell::Cell::get)
}

/// The value at quantile `q` of `values` by the nearest rank, ⌈q·n⌉,
/// computed here from the values themselves (not by the code under test).
/// `q` is a short decimal: the product is rounded to 9 places before the
/// ceiling, so that 0.9 × 100 is rank 90, not 91.
pub fn exact_rank(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let product = (q * sorted.len() as f64 * 1e9).round() / 1e9;
    let rank = (product.ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// When this process started, in ms since the Unix epoch, read by the test
/// itself: the boot time (`btime` in `/proc/stat`) plus the start time in
/// clock ticks (field 22 of `/proc/self/stat`, 100 ticks a second).
pub fn process_start_ms_from_proc() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The fields after `(comm)`: state is field 3, starttime field 22.
    let after_comm = &stat[stat.rfind(')').unwrap() + 2..];
    let start_ticks: u64 = after_comm
        .split_whitespace()
        .nth(22 - 3)
        .unwrap()
        .parse()
        .unwrap();
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    boot * 1000 + start_ticks * 10
}

/// A counter of enumeter's own ([`enumeter::self_metrics`]) as the default
/// registry renders it now: 0 while its part has not started, as the
/// series is then absent.
pub fn own_counter(name: &str, labels: &[(&str, &str)]) -> u64 {
    match enumeter::registry().snapshot().get(name, labels) {
        Some(enumeter::Value::Counter(n)) => *n,
        None => 0,
        Some(other) => panic!("{name} is a counter; read {other:?}"),
    }
}
