//! The cells of one facade histogram series: classic buckets whose bounds
//! are its family's, known only at run time (the client libraries'
//! defaults, or those given for the name with
//! [`buckets_for`](super::FacadeRecorder::buckets_for)). Observing checks
//! and sums as a typed histogram does ([`checked_sum`]).

use core::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::cells::histogram::{
    accumulate_cells, checked_sum, HistogramSeries, HistogramSnapshot, HistogramSpec,
};

/// Which facade histograms take the buckets given with
/// [`FacadeRecorder::buckets_for`](super::FacadeRecorder::buckets_for): by
/// the name a dependency gives (before it is escaped for the exposition),
/// as metrics-exporter-prometheus matches them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Matcher {
    /// This name exactly.
    Full(String),
    /// Names that start with this.
    Prefix(String),
    /// Names that end with this.
    Suffix(String),
}

impl Matcher {
    pub(crate) fn matches(&self, name: &str) -> bool {
        match self {
            Matcher::Full(full) => name == full,
            Matcher::Prefix(prefix) => name.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => name.ends_with(suffix.as_str()),
        }
    }
}

/// Why buckets given for facade histograms were refused.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum BucketsError {
    /// No bound was given.
    Empty,
    /// A bound was NaN or infinite (`+Inf` is always the last bucket).
    NotFinite(f64),
    /// A bound was not above the one before it.
    NotIncreasing(f64),
}

impl fmt::Display for BucketsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a histogram needs at least one bucket bound"),
            Self::NotFinite(bound) => write!(
                f,
                "bucket bound {bound} is not finite (`+Inf` is always the last bucket)"
            ),
            Self::NotIncreasing(bound) => {
                write!(f, "bucket bound {bound} is not above the bound before it")
            }
        }
    }
}

impl std::error::Error for BucketsError {}

/// `bounds` checked: finite and strictly increasing.
pub(crate) fn check_bounds(bounds: &[f64]) -> Result<(), BucketsError> {
    if bounds.is_empty() {
        return Err(BucketsError::Empty);
    }
    if let Some(&bound) = bounds.iter().find(|b| !b.is_finite()) {
        return Err(BucketsError::NotFinite(bound));
    }
    match bounds.windows(2).find(|w| w[1] <= w[0]) {
        Some(w) => Err(BucketsError::NotIncreasing(w[1])),
        None => Ok(()),
    }
}

/// One series' buckets (one per bound and `+Inf`, not cumulative), sum and
/// negative mark.
#[derive(Debug)]
pub(crate) struct FacadeHistogram {
    buckets: Box<[AtomicU64]>,
    sum_bits: AtomicU64,
    negative_observed: AtomicBool,
}

impl FacadeHistogram {
    /// A series of `buckets` buckets, `+Inf` among them.
    pub(crate) fn new(buckets: usize) -> Self {
        Self {
            buckets: (0..buckets).map(|_| AtomicU64::new(0)).collect(),
            sum_bits: AtomicU64::new(0),
            negative_observed: AtomicBool::new(false),
        }
    }

    /// Records `value` as a typed histogram of `spec` does.
    #[inline]
    pub(crate) fn observe(&self, spec: &HistogramSpec, value: f64) {
        let Some(index) = checked_sum(&self.sum_bits, spec, value) else {
            return;
        };
        if let Some(bucket) = self.buckets.get(index) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        if value < 0.0 && !self.negative_observed.load(Ordering::Relaxed) {
            self.negative_observed.store(true, Ordering::Relaxed);
        }
    }

    /// Back to no observations, for the next series of its slot.
    pub(crate) fn reset(&self) {
        for bucket in &self.buckets {
            bucket.store(0, Ordering::Relaxed);
        }
        self.sum_bits.store(0, Ordering::Relaxed);
        self.negative_observed.store(false, Ordering::Relaxed);
    }
}

/// A histogram family's series, for the reader.
pub(crate) struct HistogramCells(pub(crate) Box<[FacadeHistogram]>);

impl HistogramSeries for HistogramCells {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn accumulate(&self, index: usize, snapshot: &mut HistogramSnapshot) {
        if let Some(cell) = self.0.get(index) {
            accumulate_cells(
                &cell.buckets,
                &cell.sum_bits,
                &cell.negative_observed,
                snapshot,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_must_be_finite_and_increasing() {
        assert_eq!(check_bounds(&[]), Err(BucketsError::Empty));
        assert_eq!(
            check_bounds(&[1.0, f64::INFINITY]),
            Err(BucketsError::NotFinite(f64::INFINITY))
        );
        assert_eq!(
            check_bounds(&[1.0, 1.0]),
            Err(BucketsError::NotIncreasing(1.0))
        );
        assert_eq!(check_bounds(&[-1.0, 0.5, 2.0]), Ok(()));
    }

    #[test]
    fn matchers_match_the_name_given() {
        assert!(Matcher::Full("db.query".into()).matches("db.query"));
        assert!(!Matcher::Full("db.query".into()).matches("db.query.time"));
        assert!(Matcher::Prefix("db.".into()).matches("db.query"));
        assert!(Matcher::Suffix("_seconds".into()).matches("http_seconds"));
        assert!(!Matcher::Suffix("_seconds".into()).matches("http_bytes"));
    }

    #[test]
    fn a_series_counts_in_its_bucket_and_resets() {
        static SPEC: HistogramSpec = HistogramSpec {
            bounds: &[1.0, 2.0],
            units_per_second: 1.0,
            skip_non_positive: false,
        };
        let cells = HistogramCells(vec![FacadeHistogram::new(3)].into_boxed_slice());
        for value in [0.5, 2.0, 7.0, -1.0, f64::NAN] {
            cells.0[0].observe(&SPEC, value);
        }
        let mut snapshot = HistogramSnapshot::default();
        cells.accumulate(0, &mut snapshot);
        assert_eq!(snapshot.cumulative.as_slice(), [2, 3, 4]);
        assert_eq!(snapshot.sum, 8.5);
        assert!(snapshot.negative_observed);
        cells.0[0].reset();
        snapshot.clear();
        cells.accumulate(0, &mut snapshot);
        assert_eq!(snapshot.cumulative.as_slice(), [0, 0, 0]);
        assert!(!snapshot.negative_observed);
    }
}
