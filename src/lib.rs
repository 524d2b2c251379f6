//! The workspace's test package: its integration tests live in `tests/`,
//! its compile-fail cases in `ui-tests/`. The README's examples are doctests
//! of the `enumeter` crate, whose front page the README is.
//!
//! [`support`] is what the tests share, compiled once for all of them.

pub mod support;
