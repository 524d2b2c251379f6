use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Method {
    Invite,
    #[label(other)]
    Other,
    #[label(other)]
    Unknown,
}

fn main() {}
