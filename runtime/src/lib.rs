#![doc = include_str!("../README.md")]
//!
//! # Where to read on
//!
//! - [`guide`]: declaring, runtime labels, services, push, objectives.
//! - [`#[metrics]`](macro@metrics) and [`#[derive(LabelValue)]`](derive@LabelValue):
//!   every attribute key, what it generates and what it rejects, with an
//!   example each.
//! - [`Registry`], [`render`], [`render_into`], [`registry()`]: what is
//!   rendered, and name clashes between groups.
//! - The cells and their handles: [`Counter`], [`Gauge`], [`FloatGauge`],
//!   [`HistogramRef`], [`SummaryRef`](summary::SummaryRef),
//!   [`ShardedCounterRef`](sharded::ShardedCounterRef), [`InfoRef`],
//!   [`StateSetRef`].
//! - [`Snapshot`] and [`snapshot::for_each_series`]: reading values back.
//! - `Exporter` (feature `http`, on by default): serving `/metrics`.
//! - [`self_metrics`]: what enumeter counts about itself.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Features that add to another one say so, rather than do nothing.
#[cfg(all(feature = "gzip", not(any(feature = "http", feature = "tower"))))]
compile_error!(
    "enumeter's `gzip` feature compresses what the exporter (`http`) or the tower service \
     (`tower`) serves: enable one of them too"
);
#[cfg(all(
    feature = "push-tls",
    not(any(feature = "pushgateway", feature = "remote-write", feature = "otlp"))
))]
compile_error!(
    "enumeter's `push-tls` feature is HTTPS for `pushgateway`, `remote-write` and `otlp`: \
     enable one of them too"
);

// Lets the generated code's `::enumeter::...` paths resolve inside this crate's
// own tests and doctests too.
extern crate self as enumeter;

// The layers, in the order data flows through them: recording writes
// cells; the reader turns cells into values (merging what a registry
// merges); writers turn values into an exposition or a push message;
// delivery serves or pushes it.
mod cells;
mod encode;
#[cfg(any(
    feature = "pushgateway",
    feature = "remote-write",
    feature = "statsd",
    feature = "otlp"
))]
pub mod push;
mod read;
#[cfg(any(feature = "http", feature = "tower"))]
mod serve;

#[cfg(any(
    feature = "http",
    feature = "tower",
    feature = "pushgateway",
    feature = "remote-write",
    feature = "otlp"
))]
mod base64;
#[cfg(feature = "metrics-facade")]
pub mod facade;
pub mod guide;
mod label;
pub mod objectives;
pub mod process;
mod procfs;
pub mod runtime_label;
pub mod self_metrics;
#[cfg(feature = "trace")]
pub mod trace;

// The public modules, wherever their layer keeps them.
pub use cells::{computed, created, exemplar, native, sharded, spaced, summary};
pub use encode::snapshot;
#[cfg(feature = "tower")]
pub use serve::tower;

pub use cells::choice::Choice;
pub use cells::counter::Counter;
pub use cells::gauge::{FloatGauge, Gauge};
pub use cells::group::Group;
pub use cells::histogram::{
    Histogram, HistogramRef, HistogramSeries, HistogramSnapshot, HistogramSpec, HistogramTimer,
};
pub use cells::info::{Info, InfoRef};
pub use cells::merge::MergeFrom;
pub use cells::metric::{Cells, LabelDesc, Metric, MetricDesc, NativeMetric};
pub use cells::state_set::{StateSet, StateSetRef};
pub use encode::snapshot::{Snapshot, Value};
pub use encode::{render, render_into};
pub use encode::{Escaping, Exposition, Format};
pub use label::{LabelValue, LabelValues, ParseLabelError};
pub use read::families::Conflict;
pub use read::registry::{registry, RegisterError, Registry};
pub use runtime_label::held::Held;
#[cfg(feature = "http")]
pub use serve::exporter::{Exporter, ExporterHandle, Health, DEFAULT_ADDRESS};

#[doc = include_str!("../docs/metrics.md")]
pub use enumeter_macros::metrics;
#[doc = include_str!("../docs/label_value.md")]
pub use enumeter_macros::LabelValue;

/// What generated code refers to; not a public API.
///
/// Generated code names everything through `::enumeter::__private` so that it
/// does not depend on what the user imported.
/// Expanded for a histogram declared `native` without classic `buckets`:
/// nothing when an output that carries native buckets is enabled, else an
/// error that names the features (the text formats show such a histogram
/// as `le="+Inf"` alone).
#[cfg(any(feature = "protobuf", feature = "remote-write", feature = "otlp"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __native_only_needs_an_output {
    () => {};
}

/// Expanded for a histogram declared `native` without classic `buckets`:
/// nothing when an output that carries native buckets is enabled, else an
/// error that names the features (the text formats show such a histogram
/// as `le="+Inf"` alone).
#[cfg(not(any(feature = "protobuf", feature = "remote-write", feature = "otlp")))]
#[doc(hidden)]
#[macro_export]
macro_rules! __native_only_needs_an_output {
    () => {
        compile_error!(
            "a histogram declared `native` without classic `buckets` is seen only by \
             outputs that carry native buckets, and none is enabled: enable enumeter's \
             `protobuf` feature (scrapes), `remote-write` or `otlp`, or declare classic \
             `buckets` too"
        );
    };
}

/// Expanded for a latency objective whose `below` is no classic bucket
/// bound of its histogram, so that its rules read the native buckets:
/// nothing when an output that carries them is enabled, else an error on
/// `below` (its rules would read series nothing exports, for ever).
#[cfg(any(feature = "protobuf", feature = "remote-write", feature = "otlp"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __native_objective_needs_an_output {
    () => {};
}

/// Expanded for a latency objective whose `below` is no classic bucket
/// bound of its histogram, so that its rules read the native buckets:
/// nothing when an output that carries them is enabled, else an error on
/// `below` (its rules would read series nothing exports, for ever).
#[cfg(not(any(feature = "protobuf", feature = "remote-write", feature = "otlp")))]
#[doc(hidden)]
#[macro_export]
macro_rules! __native_objective_needs_an_output {
    () => {
        compile_error!(
            "this `below` is not a classic bucket bound, so the objective's rules read the \
             native buckets, which no enabled output carries: enable enumeter's `protobuf` \
             feature (scrapes), `remote-write` or `otlp`, or make `below` one of the classic \
             bounds"
        );
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::__label_check as label_check;
    pub use crate::__native_objective_needs_an_output as native_objective_needs_an_output;
    pub use crate::__native_only_needs_an_output as native_only_needs_an_output;
    pub use crate::cells::clear::ClearCell;
    pub use crate::cells::recorded::Recorded;
    pub use crate::cells::sharded::{ShardedCounterRef, ShardedCounters};
    pub use crate::cells::spaced::{cells_for as spaced_cells_for, SpacedCells};
    pub use crate::cells::spelling::Spellings;
    pub use crate::cells::summary::{Summary, SummaryRef, SummarySpec};
    pub use crate::cells::undeclared::{
        DeclaredWithExemplars, RecordedNotComputed, SourceOfComputedMetric,
    };
    pub use crate::computed::{Computed, ComputedRef};
    pub use crate::created::instance::Created;
    pub use crate::exemplar::{ExemplarCounterRef, ExemplarHistogramRef, WithExemplars};
    pub use crate::label::{AnyLabelCheck, LabelCheck, RuntimeLabel, RuntimeLabelCheck};
    pub use crate::native::{
        NativeExemplarHistogramRef, NativeHistogramRef, NativeSpec, WithNative,
    };
    pub use crate::objectives::{Alert, Objective, Objectives};
    pub use crate::read::registry::GROUPS;
    pub use crate::runtime_label::held::{Held, RetiringLabel, RetiringLabelCheck};
    #[cfg(not(loom))]
    pub use crate::runtime_label::retiring::Entered;
    pub use crate::runtime_label::seen::{series_with, SeenGenerations};
    #[cfg(feature = "web-config")]
    pub use crate::serve::exporter::web_config::users::BasicAuthCheck;
    pub use crate::summary::{merge_series as merge_summary_series, Quantile};
    pub use crate::NativeMetric;
    pub use crate::{
        Cells, Counter, FloatGauge, Gauge, Group, Histogram, HistogramRef, HistogramSpec, Info,
        InfoRef, LabelDesc, LabelValue, LabelValues, MergeFrom, Metric, MetricDesc, StateSet,
        StateSetRef,
    };
    pub use enumeter_common::runtime_label::capacity_ok as runtime_label_capacity_ok;
    pub use enumeter_macros::__runtime_label_capacity as runtime_label_capacity;
    pub use linkme;

    /// The specs' constructors, for generated code only: what the macro
    /// computes at compile time, in the layout the runtime keeps.
    pub mod spec {
        use crate::cells::summary::{Quantile, SummarySpec};
        use crate::native::NativeSpec;
        use crate::HistogramSpec;

        /// A histogram's buckets and options.
        pub const fn histogram(
            bounds: &'static [f64],
            units_per_second: f64,
            skip_non_positive: bool,
        ) -> HistogramSpec {
            HistogramSpec {
                bounds,
                units_per_second,
                skip_non_positive,
            }
        }

        /// A summary's quantiles, window and sketch tables
        /// (`keys_per_octave`, `cell_shift`, `cells`, `bounds` of
        /// `enumeter_common::sketch::Tables`).
        #[allow(clippy::too_many_arguments)]
        pub const fn summary(
            quantiles: &'static [Quantile],
            max_age_ms: u64,
            age_buckets: u64,
            relative_error: f64,
            tables: (u32, u32, &'static [u16], &'static [u64]),
            first_key: u64,
            units_per_second: f64,
            skip_non_positive: bool,
        ) -> SummarySpec {
            let (keys_per_octave, cell_shift, cells, bounds) = tables;
            let period_ms = max_age_ms / if age_buckets == 0 { 1 } else { age_buckets };
            SummarySpec {
                quantiles,
                max_age_ms,
                age_buckets,
                period_ms: if period_ms == 0 { 1 } else { period_ms },
                count_bits: SummarySpec::count_bits_for(max_age_ms, age_buckets),
                relative_error,
                keys_per_octave,
                cell_shift,
                cells,
                bounds,
                first_key,
                units_per_second,
                skip_non_positive,
            }
        }

        /// A native histogram's schema, zero bucket and key range.
        pub const fn native(
            schema: i32,
            zero_threshold: f64,
            first_key: i32,
            max_buckets: usize,
            negative: bool,
            bounds: &'static [f64],
        ) -> NativeSpec {
            NativeSpec {
                schema,
                zero_threshold,
                first_key,
                max_buckets,
                negative,
                bounds,
            }
        }
    }

    /// The handles' constructors, for generated code only: a handle's
    /// parts (a cell and its spec, exemplar slots, native cells) are paired
    /// by the macro, which knows they belong together.
    pub mod handle {
        use crate::cells::sharded::{ShardedCounterRef, ShardedCounters};
        use crate::cells::summary::{Summary, SummaryRef, SummarySpec};
        use crate::exemplar::{ExemplarCounterRef, ExemplarHistogramRef, ExemplarSlot};
        use crate::native::{
            NativeCells, NativeExemplarHistogramRef, NativeHistogramRef, NativeSpec,
        };
        use crate::{
            Counter, Histogram, HistogramRef, HistogramSpec, Info, InfoRef, StateSet, StateSetRef,
        };

        /// A histogram series with its metric's buckets.
        #[inline]
        pub const fn histogram<'a, const B: usize>(
            cell: &'a Histogram<B>,
            spec: &'static HistogramSpec,
        ) -> HistogramRef<'a, B> {
            HistogramRef::new(cell, spec)
        }

        /// A summary series with its metric's spec.
        #[inline]
        pub const fn summary<'a, const K: usize, const N: usize>(
            cell: &'a Summary<K, N>,
            spec: &'static SummarySpec,
        ) -> SummaryRef<'a, K, N> {
            SummaryRef::new(cell, spec)
        }

        /// Series `index` of a sharded counter.
        #[inline]
        pub const fn sharded<'a, const S: usize, const R: usize>(
            cells: &'a ShardedCounters<S, R>,
            index: usize,
        ) -> ShardedCounterRef<'a, S, R> {
            ShardedCounterRef::new(cells, index)
        }

        /// Series `index` of an info metric.
        #[inline]
        pub const fn info(cell: &Info, index: usize) -> InfoRef<'_> {
            InfoRef::new(cell, index)
        }

        /// A state set series.
        #[inline]
        pub const fn state_set<S>(cell: &StateSet) -> StateSetRef<'_, S> {
            StateSetRef::new(cell)
        }

        /// A counter series with its exemplar slot.
        #[inline]
        pub const fn exemplar_counter<'a>(
            cell: &'a Counter,
            slot: &'a ExemplarSlot,
        ) -> ExemplarCounterRef<'a> {
            ExemplarCounterRef::new(cell, slot)
        }

        /// A histogram series with its exemplar slots.
        #[inline]
        pub const fn exemplar_histogram<'a, const B: usize>(
            histogram: HistogramRef<'a, B>,
            slots: &'a [ExemplarSlot; B],
        ) -> ExemplarHistogramRef<'a, B> {
            ExemplarHistogramRef::new(histogram, slots)
        }

        /// A series of a computed metric: read-only.
        #[inline]
        pub const fn computed<C: crate::computed::ComputedCell>(
            cell: &C,
        ) -> crate::computed::ComputedRef<'_, C> {
            crate::computed::ComputedRef::new(cell)
        }

        /// A histogram series with its native cells.
        #[inline]
        pub const fn native<'a, const B: usize, const P: usize, const M: usize>(
            histogram: HistogramRef<'a, B>,
            native: &'a NativeCells<P, M>,
            spec: &'static NativeSpec,
        ) -> NativeHistogramRef<'a, B, P, M> {
            NativeHistogramRef::new(histogram, native, spec)
        }

        /// A native histogram series with its exemplar slots, one per
        /// classic bucket.
        #[inline]
        pub const fn native_exemplar<'a, const B: usize, const P: usize, const M: usize>(
            native: NativeHistogramRef<'a, B, P, M>,
            slots: &'a [ExemplarSlot; B],
        ) -> NativeExemplarHistogramRef<'a, B, P, M> {
            NativeExemplarHistogramRef::new(native, slots)
        }

        /// A counter declared `exemplars = trace`.
        #[cfg(feature = "trace")]
        #[inline]
        pub const fn traced_counter(
            counter: ExemplarCounterRef<'_>,
        ) -> crate::trace::TracedCounterRef<'_> {
            crate::trace::TracedCounterRef::new(counter)
        }

        /// A histogram declared `exemplars = trace`.
        #[cfg(feature = "trace")]
        #[inline]
        pub const fn traced_histogram<H: crate::trace::ExemplarHistogram>(
            histogram: H,
        ) -> crate::trace::TracedHistogramRef<H> {
            crate::trace::TracedHistogramRef::new(histogram)
        }

        /// Without the `trace` feature: an error that says to enable it.
        #[cfg(not(feature = "trace"))]
        pub const fn traced_counter<T: super::TraceFeature>(counter: T) -> T {
            counter
        }

        /// Without the `trace` feature: an error that says to enable it.
        #[cfg(not(feature = "trace"))]
        pub const fn traced_histogram<T: super::TraceFeature>(histogram: T) -> T {
            histogram
        }
    }

    #[cfg(feature = "trace")]
    pub use crate::trace::{TracedCounterRef, TracedHistogramRef};

    /// Without the `trace` feature, the handles of a metric declared
    /// `exemplars = trace` are named so that the one error is
    /// [`TraceFeature`]'s.
    #[cfg(not(feature = "trace"))]
    pub type TracedCounterRef<'a> = ExemplarCounterRef<'a>;
    /// See [`TracedCounterRef`].
    #[cfg(not(feature = "trace"))]
    pub type TracedHistogramRef<H> = H;

    /// Implemented by no type: the bound that makes `exemplars = trace`
    /// without the `trace` feature one error that says so.
    #[cfg(not(feature = "trace"))]
    #[diagnostic::on_unimplemented(
        message = "`exemplars = trace` reads the current span, which needs enumeter's `trace` \
                   feature",
        label = "declared `exemplars = trace`",
        note = "enable it: `enumeter = {{ version = \"…\", features = [\"trace\"] }}`, or declare \
                `exemplars` and pass each exemplar's labels"
    )]
    pub trait TraceFeature {}

    /// True: whether an optional piece of a `macro_rules!` input was given
    /// (`false $(|| given(stringify!($piece)))?`).
    pub const fn given(_: &str) -> bool {
        true
    }

    /// The product of one metric's label cardinalities: its number of
    /// series, or 0 when that overflows a usize (which [`series_total`]
    /// reports as the group's error, so that array lengths and strides
    /// stay valid constants).
    pub const fn series_product(cardinalities: &[usize]) -> usize {
        match checked_product(cardinalities) {
            Some(product) => product,
            None => 0,
        }
    }

    /// The number of series of a group from its metrics' label
    /// cardinalities, or `None` when it overflows a usize: for the check
    /// every group makes at compile time (and `max_series`). A function
    /// rather than generated arithmetic so that lints on the user's code do
    /// not see arithmetic they did not write.
    pub const fn series_total(metrics: &[&[usize]]) -> Option<usize> {
        let mut total: usize = 0;
        let mut i = 0;
        while i < metrics.len() {
            total = match checked_product(metrics[i]) {
                Some(series) => match total.checked_add(series) {
                    Some(sum) => sum,
                    None => return None,
                },
                None => return None,
            };
            i += 1;
        }
        Some(total)
    }

    const fn checked_product(factors: &[usize]) -> Option<usize> {
        let mut product: usize = 1;
        let mut i = 0;
        while i < factors.len() {
            product = match product.checked_mul(factors[i]) {
                Some(p) => p,
                None => return None,
            };
            i += 1;
        }
        Some(product)
    }
}
