use enumeter::metrics;

/// A plain enum: it forgot `#[derive(LabelValue)]`.
#[derive(Clone, Copy)]
pub enum Method {
    Get,
    Post,
}

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Requests by method.
    #[counter]
    RequestsTotal { method: Method },
}

fn main() {}
