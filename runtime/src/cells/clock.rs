//! A coarse, cheap clock for summary windows.
//!
//! Reading `Instant::now()` costs about 23 ns on the reference machine, as
//! much as the rest of a summary observation; summaries only need to know
//! which sub-window of `max_age / age_buckets` (two minutes by default) an
//! observation falls in. So observations read a process-wide millisecond
//! value, and each series refreshes it from the real clock on its first
//! observation and every [`REFRESH_EVERY`]th one after (the count it keeps
//! anyway says when, at no cost); every render refreshes it too. The value
//! only moves forward.
//!
//! The price: an observation can be dated up to the time since the last
//! refresh by any thread or render, which in a scraped process is at most one
//! scrape interval.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Observations of a series between two reads of the real clock.
pub(crate) const REFRESH_EVERY: u32 = 64;

static NOW_MS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Reads the real clock, moves the coarse one forward to it, and returns it:
/// milliseconds since the first use of the clock in this process.
pub(crate) fn refresh() -> u64 {
    let now = u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX);
    NOW_MS.fetch_max(now, Ordering::Relaxed);
    now
}

/// The coarse time in milliseconds for the `seen`-th observation of a
/// series (counting from 0): the real clock for every [`REFRESH_EVERY`]th
/// one, the last reading otherwise.
#[inline]
pub(crate) fn coarse_now_ms(seen: u64) -> u64 {
    if seen.is_multiple_of(u64::from(REFRESH_EVERY)) {
        refresh()
    } else {
        NOW_MS.load(Ordering::Relaxed)
    }
}
