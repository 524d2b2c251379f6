//! The names Prometheus accepts.

/// `[a-zA-Z_][a-zA-Z0-9_]*`: a metric name without the colons that are
/// reserved for recording rules, or a label name.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Why a label name is reserved, if it is.
pub(crate) fn reserved_label(name: &str) -> Option<&'static str> {
    if name.starts_with("__") {
        Some("label names starting with `__` are reserved for Prometheus' internal use")
    } else if name == "le" {
        Some("`le` is reserved: histograms use it for their bucket bounds")
    } else if name == "quantile" {
        Some("`quantile` is reserved: summaries use it for their quantiles")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ascii_identifiers_without_colons() {
        assert!(is_valid_name("sip_invite_result_total"));
        assert!(is_valid_name("_x9"));
        assert!(!is_valid_name("9x"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a-b"));
        assert!(!is_valid_name("a:b"));
        assert!(!is_valid_name("durée"));
    }
}
