//! What `#[metrics]` computes at compile time and the runtime relies on at
//! run time, defined once: the summary sketch's tables, the native
//! histogram's bucket keys and defaults, the sharded counter's limits, a
//! runtime label's capacity and Prometheus' name rules. Both `enumeter-macros` and `enumeter` depend on
//! this crate, so that the two can never disagree.
//!
//! Not an API of its own: use `enumeter`, which re-exports what users need.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod names;
pub mod native;
pub mod runtime_label;
pub mod sharded;
pub mod sketch;
