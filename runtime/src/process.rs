//! The conventional process metrics, read from `/proc` at scrape time on
//! Linux, with the names, units and meanings of Prometheus' Go client's
//! process collector:
//!
//! | metric | type | what |
//! | --- | --- | --- |
//! | `process_cpu_seconds_total` | counter | user and system CPU time |
//! | `process_resident_memory_bytes` | gauge | resident memory |
//! | `process_virtual_memory_bytes` | gauge | virtual memory |
//! | `process_open_fds` | gauge | open file descriptors |
//! | `process_max_fds` | gauge | the soft limit on open file descriptors |
//! | `process_start_time_seconds` | gauge | start time, seconds since the Unix epoch |
//! | `process_threads` | gauge | OS threads |
//!
//! One line shows them in the default registry:
//!
//! ```
//! enumeter::process::enable();
//! let text = enumeter::render(enumeter::Format::Prometheus);
//! # #[cfg(target_os = "linux")]
//! assert!(text.contains("# TYPE process_cpu_seconds_total counter\n"));
//! ```
//!
//! A hand-built registry adds [`group()`]. Elsewhere than on Linux, and for
//! any value `/proc` does not give, the metric is absent rather than wrong.
//! A scrape reads four small files and lists `/proc/self/fd`.

use crate::cells::gauge::{FloatGauge, Gauge};
use crate::cells::group::Group;
use crate::cells::metric::{Cells, Metric, MetricDesc};
use crate::cells::own::ShownOnceStarted;
use crate::procfs::{read_now, USER_HZ};

static PROCESS: ProcessMetrics = ProcessMetrics::new();

/// What the default registry shows of [`group()`].
pub(crate) static PROCESS_METRICS: ShownOnceStarted = ShownOnceStarted::new(50, || &PROCESS);

/// Shows the process metrics in the default registry from now on.
pub fn enable() {
    PROCESS_METRICS.start();
}

/// The process metrics as a group, for a registry built by hand:
/// `Registry::new().with(enumeter::process::group())`.
pub fn group() -> &'static dyn Group {
    &PROCESS
}

pub use crate::procfs::start_time_ms;

/// The cells, refreshed from `/proc` by every visit.
struct ProcessMetrics {
    cpu_seconds: [FloatGauge; 1],
    resident: [Gauge; 1],
    virtual_size: [Gauge; 1],
    open_fds: [Gauge; 1],
    max_fds: [Gauge; 1],
    start_time: [FloatGauge; 1],
    threads: [Gauge; 1],
}

const fn desc(name: &'static str, help: &'static str, unit: Option<&'static str>) -> MetricDesc {
    let desc = MetricDesc::new(name, help, &[]);
    match unit {
        Some(unit) => desc.with_unit(unit),
        None => desc,
    }
}

static CPU: MetricDesc = desc(
    "process_cpu_seconds_total",
    "Total user and system CPU time spent in seconds.",
    Some("seconds"),
);
static RESIDENT: MetricDesc = desc(
    "process_resident_memory_bytes",
    "Resident memory size in bytes.",
    Some("bytes"),
);
static VIRTUAL: MetricDesc = desc(
    "process_virtual_memory_bytes",
    "Virtual memory size in bytes.",
    Some("bytes"),
);
static OPEN_FDS: MetricDesc = desc("process_open_fds", "Number of open file descriptors.", None);
static MAX_FDS: MetricDesc = desc(
    "process_max_fds",
    "Maximum number of open file descriptors.",
    None,
);
static START_TIME: MetricDesc = desc(
    "process_start_time_seconds",
    "Start time of the process since unix epoch in seconds.",
    Some("seconds"),
);
static THREADS: MetricDesc = desc(
    "process_threads",
    "Number of OS threads in the process.",
    None,
);

impl ProcessMetrics {
    const fn new() -> Self {
        Self {
            cpu_seconds: [FloatGauge::new()],
            resident: [Gauge::new()],
            virtual_size: [Gauge::new()],
            open_fds: [Gauge::new()],
            max_fds: [Gauge::new()],
            start_time: [FloatGauge::new()],
            threads: [Gauge::new()],
        }
    }
}

impl Group for ProcessMetrics {
    fn name(&self) -> &'static str {
        "enumeter::process"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        let now = read_now();
        let mut show = |desc: &'static MetricDesc, cells: Cells<'a>| {
            visitor(Metric::new(desc, cells));
        };
        if let Some(stat) = now.stat {
            self.cpu_seconds[0].set(stat.cpu_ticks as f64 / USER_HZ);
            show(&CPU, Cells::FloatCounter(&self.cpu_seconds));
        }
        if let Some(bytes) = now.resident_bytes {
            self.resident[0].set(bytes);
            show(&RESIDENT, Cells::Gauge(&self.resident));
        }
        if let Some(bytes) = now.virtual_bytes {
            self.virtual_size[0].set(bytes);
            show(&VIRTUAL, Cells::Gauge(&self.virtual_size));
        }
        if let Some(fds) = now.open_fds {
            self.open_fds[0].set(fds);
            show(&OPEN_FDS, Cells::Gauge(&self.open_fds));
        }
        if let Some(fds) = now.max_fds {
            self.max_fds[0].set(fds);
            show(&MAX_FDS, Cells::Gauge(&self.max_fds));
        }
        if let (Some(stat), Some(boot)) = (now.stat, now.boot_time) {
            self.start_time[0].set(boot as f64 + stat.start_ticks as f64 / USER_HZ);
            show(&START_TIME, Cells::FloatGauge(&self.start_time));
        }
        if let Some(threads) = now.threads {
            self.threads[0].set(threads);
            show(&THREADS, Cells::Gauge(&self.threads));
        }
    }
}
