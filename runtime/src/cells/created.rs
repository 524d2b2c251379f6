//! Created timestamps (`_created` in OpenMetrics, `created_timestamp` in
//! protobuf): when a series' storage started counting. Opt-in, with
//! [`Registry::created_timestamps`](crate::Registry::created_timestamps)
//! or the exporter's and `MetricsService`'s option of the same name, since
//! Prometheus 2.x stores `_created` lines as series of their own.
//!
//! A group's process-wide instance (`global()`) counts from the start of
//! the process, which is its created time (read from `/proc` on Linux;
//! elsewhere, the first time one is asked for). An instance built with
//! `new()` (a `const fn`, which cannot read a clock) takes as created time
//! the first time a registry reads it: register it when you build it.
//! Series never reset in enumeter (counters only go up; merges add), so
//! the created time never moves.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// What each group instance keeps (generated code reaches it through
/// `__private`; not part of the public API).
pub(crate) mod instance {
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The created time of one group instance, in milliseconds since the Unix
    /// epoch; 0 until first read.
    #[derive(Debug, Default)]
    pub struct Created(AtomicU64);

    impl Created {
        /// Not read yet.
        pub const fn new() -> Self {
            Self(AtomicU64::new(0))
        }

        /// The created time of the instance that holds this: the process start
        /// for the process-wide instance (`global`), else the first time this
        /// is asked.
        pub fn get(&self, global: bool) -> u64 {
            if global {
                return super::process_start_ms();
            }
            let now = super::now_ms();
            match self
                .0
                .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => now,
                Err(earlier) => earlier,
            }
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64)
        .max(1)
}

/// When this process started, in milliseconds since the Unix epoch.
pub fn process_start_ms() -> u64 {
    static START: OnceLock<u64> = OnceLock::new();
    *START.get_or_init(|| crate::procfs::start_time_ms().unwrap_or_else(now_ms))
}

#[cfg(test)]
mod tests {
    use super::instance::Created;
    use super::*;

    #[test]
    fn an_instance_keeps_its_first_read_and_the_global_one_the_process_start() {
        let created = Created::new();
        let first = created.get(false);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(created.get(false), first);
        assert!(process_start_ms() <= first);
        assert_eq!(created.get(true), process_start_ms());
    }
}
