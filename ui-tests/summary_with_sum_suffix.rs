use enumeter::metrics;

/// Payment metrics.
#[metrics(namespace = "pay")]
pub enum Pay {
    /// Amounts charged.
    #[summary(quantiles = [0.5, 0.99], name = "charged_sum")]
    Charged,
}

fn main() {}
