//! Gauges: values that go up and down, as `i64` or `f64`.

use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// An integer value that goes up and down, one per series.
///
/// Arithmetic wraps on overflow of `i64`, like the atomic it is built on.
///
/// ```
/// let active_calls = enumeter::Gauge::new();
/// active_calls.inc();
/// active_calls.inc();
/// active_calls.dec();
/// assert_eq!(active_calls.get(), 1);
/// active_calls.set(-4);
/// assert_eq!(active_calls.get(), -4);
/// ```
#[derive(Debug, Default)]
pub struct Gauge {
    value: AtomicI64,
}

impl Gauge {
    /// A gauge at zero.
    pub const fn new() -> Self {
        Self {
            value: AtomicI64::new(0),
        }
    }

    /// Replaces the value.
    #[inline]
    pub fn set(&self, v: i64) {
        self.value.store(v, Ordering::Relaxed);
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.sub(1);
    }

    /// Adds `v`.
    #[inline]
    pub fn add(&self, v: i64) {
        self.value.fetch_add(v, Ordering::Relaxed);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: i64) {
        self.value.fetch_sub(v, Ordering::Relaxed);
    }

    /// The current value.
    #[inline]
    pub fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// A floating-point value that goes up and down, one per series; declared
/// with `#[gauge(float)]`.
///
/// `set` is one atomic store; `add` and `sub` are a compare-and-swap loop on
/// the bits, so concurrent additions are never lost.
///
/// ```
/// let ratio = enumeter::FloatGauge::new();
/// ratio.set(0.25);
/// ratio.add(0.5);
/// assert_eq!(ratio.get(), 0.75);
/// ```
#[derive(Debug, Default)]
pub struct FloatGauge {
    bits: AtomicU64,
}

impl FloatGauge {
    /// A gauge at `0.0`.
    pub const fn new() -> Self {
        Self {
            // 0.0_f64 has all bits clear.
            bits: AtomicU64::new(0),
        }
    }

    /// Replaces the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.bits.store(v.to_bits(), Ordering::Relaxed);
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1.0);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.add(-1.0);
    }

    /// Adds `v`.
    #[inline]
    pub fn add(&self, v: f64) {
        crate::cells::atomic::add_f64(&self.bits, v);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        self.add(-v);
    }

    /// The current value.
    #[inline]
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_gauge_additions_from_threads_are_not_lost() {
        let gauge = FloatGauge::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        gauge.add(1.0);
                    }
                });
            }
        });
        assert_eq!(gauge.get(), 40_000.0);
    }

    #[test]
    fn integer_gauge_wraps_instead_of_panicking() {
        let gauge = Gauge::new();
        gauge.set(i64::MAX);
        gauge.inc();
        assert_eq!(gauge.get(), i64::MIN);
    }
}
