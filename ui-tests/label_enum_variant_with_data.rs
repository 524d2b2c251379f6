use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Reason {
    Normal,
    Error(u16),
}

fn main() {}
