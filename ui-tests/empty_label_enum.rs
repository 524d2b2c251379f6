use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Nothing {}

fn main() {}
