use enumeter::metrics;

/// TTS metrics.
#[metrics(namespace = "tts")]
pub enum Tts {
    /// Time to first byte.
    #[summary(unit = "seconds", max_age_secs = 60)]
    FirstByte,
}

fn main() {}
