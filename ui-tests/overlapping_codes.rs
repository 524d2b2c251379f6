use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    #[label(codes = 200..=299)]
    Success,
    #[label(codes = 290..=399)]
    Redirect,
    #[label(other)]
    Other,
}

fn main() {}
