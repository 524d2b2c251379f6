//! Exemplars from the current trace (feature `trace`): a counter or
//! histogram declared `exemplars = trace` keeps, with an observation made
//! inside a sampled span, that span's `trace_id` and `span_id` as the
//! exemplar of its series (counters) or bucket (histograms), without the
//! caller passing anything.
//!
//! ```
//! use enumeter::{metrics, Format, Registry};
//! use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
//!
//! /// Checkout.
//! #[metrics(namespace = "shop", register = false)]
//! pub enum Shop {
//!     /// Time to answer a checkout.
//!     #[histogram(unit = "seconds", buckets = [0.1, 1], exemplars = trace)]
//!     CheckoutDuration,
//! }
//!
//! let shop = ShopMetrics::new();
//! // Outside a span: recorded, no exemplar.
//! shop.checkout_duration().observe(0.05);
//! // Inside a sampled span (here one made by hand; `tracing` with
//! // `tracing-opentelemetry`, or the OpenTelemetry SDK, make it current).
//! let span = SpanContext::new(
//!     TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
//!     SpanId::from_hex("00f067aa0ba902b7").unwrap(),
//!     TraceFlags::SAMPLED,
//!     false,
//!     TraceState::default(),
//! );
//! let _entered = opentelemetry::Context::new().with_remote_span_context(span).attach();
//! shop.checkout_duration().observe(0.25);
//! let text = Registry::new().with(&shop).render(Format::OpenMetrics);
//! assert!(text.contains(
//!     "shop_checkout_duration_seconds_bucket{le=\"1.0\"} 2 # \
//!      {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\",span_id=\"00f067aa0ba902b7\"} 0.25 "
//! ));
//! assert!(text.contains("shop_checkout_duration_seconds_bucket{le=\"0.1\"} 1\n"));
//! ```
//!
//! **Where the span comes from.** The current span is the one in
//! OpenTelemetry's current [`Context`] of this
//! thread, which the SDK's tracer sets (`Tracer::in_span`, a `Context`
//! attached) and which `tracing-opentelemetry` sets when a `tracing` span
//! is entered (its default `with_context_activation(true)`). enumeter reads
//! the context of `opentelemetry` 0.33, the version `tracing-opentelemetry`
//! 0.34 and `opentelemetry_sdk` 0.33 use: an application on another
//! version has a context of its own, which enumeter does not see.
//!
//! **What is attached.** Only a span that is valid and sampled: outside
//! any span, and inside one that is not sampled (its trace is not kept,
//! so an exemplar would lead nowhere), the observation is recorded and no
//! exemplar is kept. The ids are written in lowercase hex, as W3C trace
//! context and Prometheus' exemplar storage spell them, under the label
//! names OpenMetrics and Grafana use, `trace_id` and `span_id`. They reach
//! every output that carries exemplars: OpenMetrics, protobuf (classic and
//! native buckets), remote write and OTLP (which writes the ids as bytes).
//!
//! **What it costs.** Outside a span, one read of the thread's context
//! beside the observation itself; inside a sampled span, the ids' hex and
//! the exemplar store of `observe_with_exemplar`. A metric declared
//! without `exemplars = trace` does not read the context at all (the
//! numbers are in `BENCHMARKS.md`).
//!
//! **Request metrics.** With the `tower` feature, the
//! [`RequestMetricsLayer`](https://docs.rs/enumeter/latest/enumeter/tower/struct.RequestMetricsLayer.html) keeps the
//! context current when a request arrives and makes it current again when
//! it records the request's end, which happens after the handler's span
//! has been left: the request's duration carries the trace of the request
//! it timed.
//!
//! **Recorded while the thread ends.** OpenTelemetry keeps the context in
//! a thread-local; an observation made by another thread-local's
//! destructor after it is gone cannot read it, and `opentelemetry` panics
//! there, so record such observations through a metric without
//! `exemplars = trace`.

use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;

use crate::cells::exemplar::{ExemplarCounterRef, ExemplarHistogramRef, ExemplarRead};
use crate::cells::histogram::HistogramSnapshot;
use crate::cells::native::{NativeExemplarHistogramRef, NativeSnapshot};

/// The label names of a trace exemplar.
const TRACE_ID: &str = "trace_id";
const SPAN_ID: &str = "span_id";

/// A sampled span's ids, as an exemplar keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TraceIds {
    /// The trace's 16-byte id.
    pub trace_id: [u8; 16],
    /// The span's 8-byte id.
    pub span_id: [u8; 8],
}

impl TraceIds {
    /// The ids of the current span of this thread's OpenTelemetry context,
    /// if there is one and it is sampled.
    #[inline]
    pub fn current() -> Option<TraceIds> {
        Context::map_current(TraceIds::of)
    }

    /// The ids of `context`'s span, if it has one and it is sampled.
    #[inline]
    pub fn of(context: &Context) -> Option<TraceIds> {
        if !context.has_active_span() {
            return None;
        }
        let span = context.span();
        let span = span.span_context();
        (span.is_sampled() && span.is_valid()).then(|| TraceIds {
            trace_id: span.trace_id().to_bytes(),
            span_id: span.span_id().to_bytes(),
        })
    }

    /// Calls `with` on the exemplar labels of these ids:
    /// `[("trace_id", hex), ("span_id", hex)]`.
    fn with_labels<R>(&self, with: impl FnOnce(&[(&str, &str); 2]) -> R) -> R {
        let mut trace = [0u8; 32];
        let mut span = [0u8; 16];
        let trace = hex(&self.trace_id, &mut trace);
        let span = hex(&self.span_id, &mut span);
        with(&[(TRACE_ID, trace), (SPAN_ID, span)])
    }
}

/// `bytes` in lowercase hex, written into `out` (twice their length).
fn hex<'o>(bytes: &[u8], out: &'o mut [u8]) -> &'o str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    // Hex digits are ASCII.
    core::str::from_utf8(out).unwrap_or("")
}

/// The handle a counter declared `exemplars = trace` records through: a
/// counter whose increments inside a sampled span keep its ids as the
/// series' exemplar.
#[derive(Clone, Copy, Debug)]
pub struct TracedCounterRef<'a> {
    counter: ExemplarCounterRef<'a>,
}

impl<'a> TracedCounterRef<'a> {
    #[inline]
    pub(crate) const fn new(counter: ExemplarCounterRef<'a>) -> Self {
        Self { counter }
    }

    /// Adds one; inside a sampled span, keeps its ids as the exemplar.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`; inside a sampled span, keeps its ids as the exemplar, of
    /// value `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        match TraceIds::current() {
            None => self.counter.add(n),
            Some(ids) => self.add_traced(n, &ids),
        }
    }

    #[inline(never)]
    fn add_traced(&self, n: u64, ids: &TraceIds) {
        ids.with_labels(|labels| self.counter.add_with_exemplar(n, labels));
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.counter.get()
    }

    /// Reads the series' exemplar into `out`; false when it has none.
    pub fn slot_read(&self, out: &mut ExemplarRead) -> bool {
        self.counter.slot_read(out)
    }

    /// Adds one and keeps `labels` as the exemplar, whatever the span.
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) {
        self.counter.inc_with_exemplar(labels);
    }

    /// Adds `n` and keeps `labels` as the exemplar, whatever the span.
    pub fn add_with_exemplar(&self, n: u64, labels: &[(&str, &str)]) {
        self.counter.add_with_exemplar(n, labels);
    }
}

/// What [`TracedHistogramRef`] records through: a histogram handle with
/// exemplar slots (classic or native).
#[doc(hidden)]
pub trait ExemplarHistogram: Copy {
    /// Records `value` without an exemplar.
    fn observe_plain(&self, value: f64);
    /// Records `value` with `labels` as its bucket's exemplar.
    fn observe_exemplar(&self, value: f64, labels: &[(&str, &str)]);
    /// How many of the metric's unit make one second.
    fn units_per_second(&self) -> f64;
    /// The series' classic buckets, sum and count.
    fn classic_snapshot(&self) -> HistogramSnapshot;
}

impl<const B: usize> ExemplarHistogram for ExemplarHistogramRef<'_, B> {
    #[inline]
    fn observe_plain(&self, value: f64) {
        self.observe(value);
    }

    fn observe_exemplar(&self, value: f64, labels: &[(&str, &str)]) {
        self.observe_with_exemplar(value, labels);
    }

    #[inline]
    fn units_per_second(&self) -> f64 {
        (**self).units_per_second()
    }

    fn classic_snapshot(&self) -> HistogramSnapshot {
        self.snapshot()
    }
}

impl<const B: usize, const P: usize, const M: usize> ExemplarHistogram
    for NativeExemplarHistogramRef<'_, B, P, M>
{
    #[inline]
    fn observe_plain(&self, value: f64) {
        self.observe(value);
    }

    fn observe_exemplar(&self, value: f64, labels: &[(&str, &str)]) {
        self.observe_with_exemplar(value, labels);
    }

    #[inline]
    fn units_per_second(&self) -> f64 {
        self.histogram_units_per_second()
    }

    fn classic_snapshot(&self) -> HistogramSnapshot {
        self.snapshot()
    }
}

/// The handle a histogram declared `exemplars = trace` records through:
/// observations inside a sampled span keep its ids as the exemplar of the
/// bucket they went into.
#[derive(Clone, Copy, Debug)]
pub struct TracedHistogramRef<H> {
    histogram: H,
}

impl<H: ExemplarHistogram> TracedHistogramRef<H> {
    #[inline]
    pub(crate) const fn new(histogram: H) -> Self {
        Self { histogram }
    }

    /// Records `value`; inside a sampled span, keeps its ids as the
    /// exemplar of the bucket the value went into.
    #[inline]
    pub fn observe(&self, value: f64) {
        match TraceIds::current() {
            None => self.histogram.observe_plain(value),
            Some(ids) => self.observe_traced(value, &ids),
        }
    }

    #[inline(never)]
    fn observe_traced(&self, value: f64, ids: &TraceIds) {
        ids.with_labels(|labels| self.histogram.observe_exemplar(value, labels));
    }

    /// Records a duration in the metric's unit, as [`observe`](Self::observe).
    #[inline]
    pub fn observe_duration(&self, duration: core::time::Duration) {
        self.observe(duration.as_secs_f64() * self.histogram.units_per_second());
    }

    /// Records `value` and keeps `labels` as its bucket's exemplar,
    /// whatever the span.
    pub fn observe_with_exemplar(&self, value: f64, labels: &[(&str, &str)]) {
        self.histogram.observe_exemplar(value, labels);
    }

    /// Starts a timer that records the time until it is dropped, with the
    /// span current when it is dropped.
    #[inline]
    pub fn start_timer(&self) -> TracedTimer<H> {
        TracedTimer {
            histogram: *self,
            start: std::time::Instant::now(),
        }
    }

    /// Reads this series' classic buckets, sum and count.
    pub fn snapshot(&self) -> HistogramSnapshot {
        self.histogram.classic_snapshot()
    }
}

impl<const B: usize, const P: usize, const M: usize>
    TracedHistogramRef<NativeExemplarHistogramRef<'_, B, P, M>>
{
    /// The series' native buckets (at the declared schema) and zero count.
    pub fn native_snapshot(&self) -> NativeSnapshot {
        self.histogram.native_snapshot()
    }
}

/// Records the time from [`TracedHistogramRef::start_timer`] until it is
/// dropped.
#[derive(Debug)]
#[must_use = "the timer records when it is dropped; bind it to a variable"]
pub struct TracedTimer<H: ExemplarHistogram> {
    histogram: TracedHistogramRef<H>,
    start: std::time::Instant,
}

impl<H: ExemplarHistogram> TracedTimer<H> {
    /// Stops the timer now instead of at the end of the scope.
    pub fn observe(self) {}
}

impl<H: ExemplarHistogram> Drop for TracedTimer<H> {
    fn drop(&mut self) {
        self.histogram.observe_duration(self.start.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    fn span(flags: TraceFlags) -> Context {
        Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from_bytes([0xab; 16]),
            SpanId::from_bytes([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]),
            flags,
            false,
            TraceState::default(),
        ))
    }

    #[test]
    fn ids_are_read_from_a_sampled_span_only() {
        assert_eq!(TraceIds::current(), None);
        {
            let _unsampled = span(TraceFlags::default()).attach();
            assert_eq!(TraceIds::current(), None);
        }
        let _sampled = span(TraceFlags::SAMPLED).attach();
        let ids = TraceIds::current().unwrap();
        ids.with_labels(|labels| {
            assert_eq!(
                labels,
                &[
                    ("trace_id", "abababababababababababababababab"),
                    ("span_id", "0123456789abcdef")
                ]
            );
        });
    }
}
