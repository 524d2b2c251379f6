use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Status {
    #[label(codes = 400..=499)]
    ClientError,
    #[label(codes = 404)]
    NotFound,
    #[label(other)]
    Other,
}

fn main() {}
