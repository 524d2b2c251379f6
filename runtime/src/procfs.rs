//! What `/proc` says about this process (Linux; nothing elsewhere): read
//! without allocating, for the process metrics and for the process start
//! time that created timestamps default to.

/// The kernel's clock ticks per second for the times in `/proc/<pid>/stat`
/// (`USER_HZ`): 100 on every Linux architecture, as Prometheus' procfs also
/// assumes.
pub(crate) const USER_HZ: f64 = 100.0;

/// When this process started, in milliseconds since the Unix epoch, from
/// `/proc` (to its 10 ms ticks); `None` elsewhere than on Linux.
pub fn start_time_ms() -> Option<u64> {
    let now = read_now();
    let (stat, boot) = (now.stat?, now.boot_time?);
    Some(boot * 1000 + stat.start_ticks * 1000 / USER_HZ as u64)
}

/// The fields of `/proc/self/stat` used here.
#[derive(Clone, Copy)]
pub(crate) struct Stat {
    /// utime + stime, in clock ticks.
    pub(crate) cpu_ticks: u64,
    /// When the process started, in clock ticks after boot.
    pub(crate) start_ticks: u64,
}

/// One reading of `/proc`; `None` for what could not be read.
#[derive(Default)]
pub(crate) struct Reading {
    pub(crate) stat: Option<Stat>,
    pub(crate) resident_bytes: Option<i64>,
    pub(crate) virtual_bytes: Option<i64>,
    pub(crate) threads: Option<i64>,
    pub(crate) open_fds: Option<i64>,
    pub(crate) max_fds: Option<i64>,
    pub(crate) boot_time: Option<u64>,
}

#[cfg(target_os = "linux")]
pub(crate) fn read_now() -> Reading {
    let mut buffer = [0u8; 4096];
    let mut reading = Reading::default();
    if let Some(stat) = read_file("/proc/self/stat", &mut buffer) {
        reading.stat = parse_stat(stat);
    }
    if let Some(status) = read_file("/proc/self/status", &mut buffer) {
        let kib = |key| status_field(status, key).map(|kb| kb.saturating_mul(1024));
        reading.resident_bytes = kib("VmRSS:");
        reading.virtual_bytes = kib("VmSize:");
        reading.threads = status_field(status, "Threads:");
    }
    if let Some(limits) = read_file("/proc/self/limits", &mut buffer) {
        reading.max_fds = parse_max_open_files(limits);
    }
    if let Some(stat) = read_file("/proc/stat", &mut buffer) {
        reading.boot_time = stat
            .lines()
            .find_map(|line| line.strip_prefix("btime "))
            .and_then(|v| v.trim().parse().ok());
    }
    reading.open_fds = std::fs::read_dir("/proc/self/fd")
        .ok()
        // The directory's own descriptor, open while it is read, is not
        // counted: Prometheus' procfs counts the same way.
        .map(|dir| dir.count() as i64 - 1);
    reading
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn read_now() -> Reading {
    Reading::default()
}

/// The start of a small `/proc` file, read into `buffer` without
/// allocating; `None` when it cannot be read or is not UTF-8.
#[cfg(target_os = "linux")]
fn read_file<'b>(path: &str, buffer: &'b mut [u8]) -> Option<&'b str> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut len = 0;
    while len < buffer.len() {
        match file.read(&mut buffer[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    std::str::from_utf8(&buffer[..len]).ok()
}

/// utime (14th field), stime (15th) and starttime (22nd), counted after
/// the command name, which sits in parentheses and may hold spaces.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_stat(stat: &str) -> Option<Stat> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Fields from the 3rd (state) on.
    let fields: Vec<&str> = after_name.split_whitespace().take(20).collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some(Stat {
        cpu_ticks: field(14)? + field(15)?,
        start_ticks: field(22)?,
    })
}

/// The number after `key` on its line of `/proc/self/status`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn status_field(status: &str, key: &str) -> Option<i64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The soft limit of "Max open files" in `/proc/self/limits`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_max_open_files(limits: &str) -> Option<i64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line["Max open files".len()..].split_whitespace().next()?;
    // "unlimited" has no number: absent rather than wrong.
    soft.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 500 0 0 0 \
                    170 30 0 0 20 0 3 0 123456 10000000 2000 18446744073709551615";
        let parsed = parse_stat(stat).unwrap();
        assert_eq!(parsed.cpu_ticks, 200);
        assert_eq!(parsed.start_ticks, 123_456);
    }

    #[test]
    fn status_and_limits_lines_give_their_numbers() {
        let status = "Name:\tx\nVmSize:\t  12345 kB\nVmRSS:\t    678 kB\nThreads:\t7\n";
        assert_eq!(status_field(status, "VmSize:"), Some(12_345));
        assert_eq!(status_field(status, "VmRSS:"), Some(678));
        assert_eq!(status_field(status, "Threads:"), Some(7));
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max open files            1024                 524288               files\n";
        assert_eq!(parse_max_open_files(limits), Some(1024));
        let unlimited =
            "Max open files            unlimited            unlimited            files\n";
        assert_eq!(parse_max_open_files(unlimited), None);
    }
}
