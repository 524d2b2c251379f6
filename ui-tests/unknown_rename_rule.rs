use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lower")]
pub enum Direction {
    Inbound,
    Outbound,
}

fn main() {}
