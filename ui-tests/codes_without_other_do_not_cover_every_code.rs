use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    #[label(codes = 100..=199)]
    Provisional,
    #[label(codes = 200..=299)]
    Success,
}

fn main() {}
