//! The process metrics against what this test process knows of itself:
//! the threads it starts, the files it opens, the CPU time it burns, when
//! it started, and its file limit as a shell it starts reports it. One
//! test, in a binary of its own, so that no other test opens files or
//! starts threads meanwhile.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use enumeter::{Format, Registry, Value};

fn read() -> enumeter::Snapshot {
    Registry::new().with(enumeter::process::group()).snapshot()
}

fn number(snapshot: &enumeter::Snapshot, name: &str) -> f64 {
    match snapshot.get(name, &[]) {
        Some(Value::Gauge(v)) => *v as f64,
        Some(Value::FloatGauge(v)) | Some(Value::FloatCounter(v)) => *v,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
#[cfg(target_os = "linux")]
fn process_metrics_match_what_the_process_knows_of_itself() {
    let started = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let before = read();

    // Threads: three more, parked until the reading is done.
    let (stop, parked) = std::sync::mpsc::channel::<()>();
    let parked = std::sync::Arc::new(std::sync::Mutex::new(parked));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let parked = std::sync::Arc::clone(&parked);
            std::thread::spawn(move || {
                let _ = parked.lock().unwrap().recv_timeout(Duration::from_secs(30));
            })
        })
        .collect();
    // Files: five more.
    let files: Vec<_> = (0..5)
        .map(|_| std::fs::File::open("/proc/self/status").unwrap())
        .collect();
    // CPU: 300 ms of work on this thread.
    let burn = Instant::now();
    let mut x = 0u64;
    while burn.elapsed() < Duration::from_millis(300) {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    let after = read();

    let delta = |name| number(&after, name) - number(&before, name);
    assert_eq!(delta("process_threads"), 3.0);
    assert_eq!(delta("process_open_fds"), 5.0);
    let cpu = delta("process_cpu_seconds_total");
    assert!(
        (0.25..5.0).contains(&cpu),
        "burned 0.3 s of CPU, read {cpu}"
    );
    assert!(number(&after, "process_resident_memory_bytes") > 1e6);
    assert!(
        number(&after, "process_virtual_memory_bytes")
            >= number(&after, "process_resident_memory_bytes")
    );
    // Started before this test did, and not long before (tick resolution
    // and the time from exec to here).
    let start = number(&after, "process_start_time_seconds");
    let now = started.as_secs_f64();
    assert!(
        start <= now + 0.02 && start > now - 120.0,
        "{start} vs {now}"
    );
    // The soft file limit, as a child shell (which inherits it) says.
    let shell = std::process::Command::new("sh")
        .args(["-c", "ulimit -n"])
        .output()
        .unwrap();
    let limit = String::from_utf8(shell.stdout).unwrap();
    let max_fds = number(&after, "process_max_fds");
    match limit.trim().parse::<f64>() {
        Ok(limit) => assert_eq!(max_fds, limit),
        Err(_) => assert_eq!(limit.trim(), "unlimited"),
    }

    // The exposition: types and names as Prometheus' Go client writes them.
    let text = Registry::new()
        .with(enumeter::process::group())
        .render(Format::Prometheus);
    for line in [
        "# TYPE process_cpu_seconds_total counter\n",
        "# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_virtual_memory_bytes gauge\n",
        "# TYPE process_open_fds gauge\n",
        "# TYPE process_max_fds gauge\n",
        "# TYPE process_start_time_seconds gauge\n",
        "# TYPE process_threads gauge\n",
    ] {
        assert!(text.contains(line), "{line}{text}");
    }
    let openmetrics = Registry::new()
        .with(enumeter::process::group())
        .render(Format::OpenMetrics);
    assert!(
        openmetrics
            .contains("# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\n"),
        "{openmetrics}"
    );
    assert!(
        openmetrics.contains("\nprocess_cpu_seconds_total "),
        "{openmetrics}"
    );

    // Not in the default registry until enabled.
    assert!(!enumeter::render(Format::Prometheus).contains("process_threads"));
    enumeter::process::enable();
    assert!(enumeter::render(Format::Prometheus).contains("process_threads"));

    drop(files);
    drop(stop);
    for thread in threads {
        thread.join().unwrap();
    }
}
