//! Under `#![deny(missing_docs)]`, a metric group compiles with doc comments
//! on the group, its metrics and its label enums' variants, and none on its
//! label fields: the macro allows the lint there (the field's type says what
//! it holds). This file failing to compile is the failure.
#![deny(missing_docs)]

use enumeter::{metrics, LabelValue};

/// Which way a call went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Direction {
    /// Towards us.
    Inbound,
    /// Away from us.
    Outbound,
}

/// Calls.
#[metrics(namespace = "documented")]
pub enum Documented {
    /// Calls, by direction and whether they were answered.
    #[counter]
    CallsTotal {
        direction: Direction,
        answered: bool,
    },
    /// Calls in progress, with a documented label.
    #[gauge]
    Active {
        /// The direction of the call.
        direction: Direction,
    },
}

#[test]
fn a_group_without_label_field_docs_compiles_under_deny_missing_docs() {
    let group = DocumentedMetrics::new();
    group.calls_total(Direction::Inbound, true).inc();
    group.active(Direction::Outbound).inc();
    assert_eq!(group.calls_total(Direction::Inbound, true).get(), 1);
    assert_eq!(group.active(Direction::Outbound).get(), 1);
}
