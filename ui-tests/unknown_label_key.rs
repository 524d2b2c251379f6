use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Direction {
    #[label(rename = "in")]
    Inbound,
    Outbound,
}

fn main() {}
