use enumeter::metrics;

const QUANTILES: [f64; 2] = [0.5, 0.9];

/// Speech.
#[metrics(namespace = "tts")]
pub enum Tts {
    /// Time to first byte.
    #[summary(quantiles = QUANTILES)]
    FirstByte,
    /// Time to last byte.
    #[summary(quantiles = [0.5, f64::NAN])]
    LastByte,
}

fn main() {}
