//! Prometheus metrics declared as Rust enums, checked at compile time,
//! recorded with one atomic instruction.
//!
//! Label values are plain enums with [`#[derive(LabelValue)]`](derive@LabelValue);
//! a metric group is an enum under [`#[metrics]`](macro@metrics) whose variants
//! are the metrics and whose named fields are their labels. The macro generates
//! dense, const-initialised storage and one typed recording function per
//! metric; a label value that was never declared does not compile.
//!
//! ```
//! use enumeter::{metrics, Format, LabelValue};
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
//! #[label(rename_all = "lowercase")]
//! pub enum Transport { Udp, Tcp, Tls }
//!
//! /// Calls handled by the voice server.
//! #[metrics(namespace = "voice")]
//! pub enum Voice {
//!     /// Calls that were answered.
//!     #[counter]
//!     CallsTotal { transport: Transport },
//!     /// Calls in progress.
//!     #[gauge]
//!     ActiveCalls,
//! }
//!
//! Voice::calls_total(Transport::Tls).inc();
//! Voice::active_calls().inc();
//!
//! let text = enumeter::render(Format::Prometheus);
//! assert!(text.contains("voice_calls_total{transport=\"tls\"} 1\n"));
//! assert!(text.contains("voice_active_calls 1\n"));
//! ```
//!
//! # What the macros generate
//!
//! For `#[metrics] pub enum Voice { ... }`:
//!
//! - the enum itself, unchanged but for the metric attributes;
//! - `pub struct VoiceMetrics`, the storage: one array of cells per metric,
//!   sized by the product of its label cardinalities, with a `const fn new()`
//!   and one method per metric (`calls_total(&self, transport)`) returning
//!   that series' cell;
//! - `VoiceMetrics::global()`, the process-wide instance, which the
//!   [default registry](registry) renders without any registration call;
//! - `Voice::calls_total(transport)`, the same methods on the process-wide
//!   instance.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Lets the generated code's `::enumeter::...` paths resolve inside this crate's
// own tests and doctests too.
extern crate self as enumeter;

mod atomic;
mod clock;
mod counter;
mod encode;
#[cfg(feature = "http")]
mod exporter;
mod families;
mod gauge;
mod group;
mod histogram;
mod info;
mod label;
mod merge;
mod metric;
mod registry;
pub mod self_metrics;
pub mod sharded;
mod sketch;
pub mod snapshot;
mod state_set;
#[cfg(feature = "statsd")]
pub mod statsd;
pub mod summary;

pub use counter::Counter;
pub use encode::Format;
#[cfg(feature = "http")]
pub use exporter::{Exporter, ExporterHandle, Health, DEFAULT_ADDRESS};
pub use families::Conflict;
pub use gauge::{FloatGauge, Gauge};
pub use group::Group;
pub use histogram::{
    Histogram, HistogramRef, HistogramSeries, HistogramSnapshot, HistogramSpec, HistogramTimer,
};
pub use info::{Info, InfoRef};
pub use label::{LabelValue, ParseLabelError};
pub use merge::MergeFrom;
pub use metric::{Cells, LabelDesc, Metric, MetricDesc};
pub use registry::{registry, render, render_into, RegisterError, Registry};
pub use sharded::{ShardedCounterRef, ShardedCounters, ShardedSeries};
pub use snapshot::{Snapshot, Value};
pub use state_set::{StateSet, StateSetRef};
pub use summary::{
    Summary, SummaryAccumulator, SummaryRef, SummarySeries, SummarySnapshot, SummarySpec,
    SummaryTimer,
};

pub use enumeter_macros::{metrics, LabelValue};

/// What generated code refers to; not a public API.
///
/// Generated code names everything through `::enumeter::__private` so that it
/// does not depend on what the user imported.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::GROUPS;
    pub use crate::summary::{merge_series as merge_summary_series, Quantile};
    pub use crate::{
        Cells, Counter, FloatGauge, Gauge, Group, Histogram, HistogramRef, HistogramSpec, Info,
        InfoRef, LabelDesc, LabelValue, MergeFrom, Metric, MetricDesc, ShardedCounterRef,
        ShardedCounters, StateSet, StateSetRef, Summary, SummaryRef, SummarySpec,
    };
    pub use linkme;

    /// The sum of `counts`, for the `max_series` check: a function rather
    /// than a generated `a + b + ...` so that lints on the user's code do not
    /// see arithmetic they did not write.
    pub const fn series_total(counts: &[usize]) -> usize {
        let mut total = 0;
        let mut i = 0;
        while i < counts.len() {
            total += counts[i];
            i += 1;
        }
        total
    }
}
