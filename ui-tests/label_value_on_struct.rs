use enumeter::LabelValue;

#[derive(Clone, Copy, LabelValue)]
pub struct Direction {
    inbound: bool,
}

fn main() {}
