//! The process metrics against what this test process knows of itself:
//! the threads it starts, the files it opens, the CPU time it burns, when
//! it started, and its file limit as a shell it starts reports it. One
//! test, in a binary of its own, so that no other test opens files or
//! starts threads meanwhile.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// User and system CPU time of this process, from `getrusage`.
#[cfg(target_os = "linux")]
fn rusage_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
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
    // CPU: work on this thread until the kernel has counted 200 ms more.
    let cpu_before = rusage_seconds();
    let mut x = 0u64;
    while rusage_seconds() < cpu_before + 0.2 {
        for _ in 0..100_000 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
    let cpu_low = rusage_seconds();
    let after = read();
    let cpu_high = rusage_seconds();

    let delta = |name| number(&after, name) - number(&before, name);
    assert_eq!(delta("process_threads"), 3.0);
    assert_eq!(delta("process_open_fds"), 5.0);
    // The same CPU time as getrusage gives, to the 10 ms ticks of /proc.
    let cpu = number(&after, "process_cpu_seconds_total");
    assert!(
        cpu >= cpu_low - 0.02 && cpu <= cpu_high + 0.01,
        "getrusage says {cpu_low}..{cpu_high} s, the metric {cpu}"
    );
    assert!(delta("process_cpu_seconds_total") >= 0.18);
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
