use enumeter::{metrics, LabelValue};

/// A label with a huge (hand-written) value set.
#[derive(Clone, Copy)]
pub struct Huge;

impl LabelValue for Huge {
    const CARDINALITY: usize = usize::MAX / 2;
    const NAMES: &'static [&'static str] = &["huge"];
    fn index(self) -> usize {
        0
    }
    fn from_index(_: usize) -> Option<Self> {
        Some(Huge)
    }
    fn from_name(_: &str) -> Option<Self> {
        None
    }
}

/// Too many series.
#[metrics(namespace = "big")]
pub enum Big {
    /// Each label alone fits; their product does not.
    #[counter]
    PairsTotal { a: Huge, b: Huge },
}

fn main() {}
