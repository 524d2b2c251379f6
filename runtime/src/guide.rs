//! The guide: how to use enumeter, a page a topic, every example a
//! doctest. The reference of each attribute is on the
//! [`#[metrics]`](macro@crate::metrics) and
//! [`#[derive(LabelValue)]`](derive@crate::LabelValue) pages.

#[doc = include_str!("../docs/guide/declaring.md")]
pub mod declaring {}

#[doc = include_str!("../docs/guide/runtime_labels.md")]
pub mod runtime_labels {}

#[doc = include_str!("../docs/guide/services.md")]
pub mod services {}

#[doc = include_str!("../docs/guide/push.md")]
pub mod push {}

#[doc = include_str!("../docs/guide/objectives.md")]
pub mod objectives {}
