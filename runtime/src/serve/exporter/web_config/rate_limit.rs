//! `rate_limit`: a token bucket over every request the exporter answers,
//! as exporter-toolkit keeps one (`golang.org/x/time/rate`): `burst`
//! tokens at most, one more every `interval`; a request that finds none is
//! answered `429 Too Many Requests` by the front thread, without a worker.

use std::time::{Duration, Instant};

/// The bucket's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateLimit {
    pub(crate) burst: u32,
    pub(crate) interval: Duration,
}

impl RateLimit {
    /// The limit the file asks for; `None` for an interval of zero (no
    /// limit, as in exporter-toolkit).
    pub(crate) fn new(burst: i64, interval: Duration) -> Result<Option<Self>, String> {
        if interval.is_zero() {
            return Ok(None);
        }
        // exporter-toolkit would start with a bucket that never fills and
        // refuse every request: refused here rather than served so.
        let burst = u32::try_from(burst)
            .ok()
            .filter(|b| (1..=1_000_000).contains(b))
            .ok_or_else(|| {
                format!(
                    "rate_limit.burst is {burst}; accepted with an interval: 1 to 1,000,000 \
                     (0 would refuse every request)"
                )
            })?;
        Ok(Some(Self { burst, interval }))
    }
}

/// The bucket, kept by the front thread.
#[derive(Debug)]
pub(crate) struct Bucket {
    limit: RateLimit,
    /// Tokens, in nanoseconds of `interval` each.
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket.
    pub(crate) fn new(limit: RateLimit, now: Instant) -> Self {
        Self {
            limit,
            tokens: f64::from(limit.burst),
            last: now,
        }
    }

    /// The same bucket under a new limit (a reloaded file), its tokens kept
    /// within the new burst.
    pub(crate) fn set_limit(&mut self, limit: RateLimit) {
        self.limit = limit;
        self.tokens = self.tokens.min(f64::from(limit.burst));
    }

    /// Takes a token if there is one.
    pub(crate) fn allow(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = now;
        let refill = elapsed.as_secs_f64() / self.limit.interval.as_secs_f64();
        self.tokens = (self.tokens + refill).min(f64::from(self.limit.burst));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limit = RateLimit::new(2, Duration::from_secs(1)).unwrap().unwrap();
        let start = Instant::now();
        let mut bucket = Bucket::new(limit, start);
        assert!(bucket.allow(start));
        assert!(bucket.allow(start));
        assert!(!bucket.allow(start));
        assert!(!bucket.allow(start + Duration::from_millis(900)));
        assert!(bucket.allow(start + Duration::from_millis(1000)));
        assert!(!bucket.allow(start + Duration::from_millis(1000)));
        // Refills stop at the burst.
        assert!(bucket.allow(start + Duration::from_secs(100)));
        assert!(bucket.allow(start + Duration::from_secs(100)));
        assert!(!bucket.allow(start + Duration::from_secs(100)));
    }

    #[test]
    fn no_interval_no_limit_and_an_empty_bucket_refused() {
        assert_eq!(RateLimit::new(0, Duration::ZERO), Ok(None));
        assert!(RateLimit::new(0, Duration::from_secs(1)).is_err());
        assert!(RateLimit::new(-1, Duration::from_secs(1)).is_err());
    }
}
