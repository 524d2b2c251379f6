use enumeter::metrics;

/// TTS metrics.
#[metrics(namespace = "tts")]
pub enum Tts {
    /// Time to first byte.
    #[summary(quantiles = [0.5], window = 60)]
    FirstByteSeconds,
}

fn main() {}
