use enumeter::metrics;

/// TTS metrics.
#[metrics(namespace = "tts")]
pub enum Tts {
    /// Time to first byte.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9])]
    FirstByte { quantile: bool },
}

fn main() {}
