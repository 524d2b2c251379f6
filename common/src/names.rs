//! The names Prometheus accepts, and the names each kind of metric takes in
//! the exposition.

/// Whether `name` has the syntax of a Prometheus label name, or of a metric
/// name without the colons reserved for recording rules:
/// `[a-zA-Z_][a-zA-Z0-9_]*`. Names reserved for Prometheus' own use
/// (`__*`) pass; callers that refuse them say so ([`reserved_label`]).
///
/// ```
/// use enumeter_common::names::is_name;
/// assert!(is_name("sip_invite_result_total"));
/// assert!(!is_name("9x") && !is_name("a:b") && !is_name(""));
/// ```
pub fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Why a label name is reserved for a declared label, if it is.
pub fn reserved_label(name: &str) -> Option<&'static str> {
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

/// `call_id` or `checkout-latency` as `CallId` or `CheckoutLatency`: the
/// words between `_` and `-`, each with its first letter in upper case.
/// The macros name a label's type with it in their suggestions; the
/// generated alert rules name their alerts with it.
///
/// ```
/// use enumeter_common::names::pascal_case;
/// assert_eq!(pascal_case("call_id"), "CallId");
/// assert_eq!(pascal_case("checkout-latency"), "CheckoutLatency");
/// assert_eq!(pascal_case("_x__y"), "XY");
/// ```
pub fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The kinds of metric as far as the names they take are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// Counters: `x_total`, and the family `x` in OpenMetrics.
    Counter,
    /// Info metrics: `x_info`, and the family `x` in OpenMetrics.
    Info,
    /// Histograms: `x`, `x_bucket`, `x_sum`, `x_count`.
    Histogram,
    /// Summaries: `x`, `x_sum`, `x_count`.
    Summary,
    /// Gauges and state sets: `x` alone.
    Plain,
}

/// Every name a metric named `name` of kind `kind` takes in either text
/// format: its family names and its sample names. Two metrics of one
/// exposition must not share one.
///
/// ```
/// use enumeter_common::names::{exposed_names, NameKind};
/// assert_eq!(exposed_names("jobs_total", NameKind::Counter), ["jobs_total", "jobs"]);
/// assert_eq!(
///     exposed_names("rtt", NameKind::Summary),
///     ["rtt", "rtt_sum", "rtt_count"]
/// );
/// ```
pub fn exposed_names(name: &str, kind: NameKind) -> Vec<String> {
    let with = |suffixes: &[&str]| suffixes.iter().map(|s| format!("{name}{s}")).collect();
    let and_family_without = |suffix: &str| {
        let mut names = vec![name.to_owned()];
        names.extend(name.strip_suffix(suffix).map(str::to_owned));
        names
    };
    match kind {
        NameKind::Counter => and_family_without("_total"),
        NameKind::Info => and_family_without("_info"),
        NameKind::Histogram => with(&["", "_bucket", "_sum", "_count"]),
        NameKind::Summary => with(&["", "_sum", "_count"]),
        NameKind::Plain => vec![name.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ascii_identifiers_without_colons() {
        assert!(is_name("sip_invite_result_total"));
        assert!(is_name("_x9"));
        assert!(is_name("__name__"));
        assert!(!is_name("9x"));
        assert!(!is_name(""));
        assert!(!is_name("a-b"));
        assert!(!is_name("a:b"));
        assert!(!is_name("durée"));
    }

    #[test]
    fn le_quantile_and_double_underscore_are_reserved() {
        assert!(reserved_label("le").is_some());
        assert!(reserved_label("quantile").is_some());
        assert!(reserved_label("__x").is_some());
        assert!(reserved_label("_x").is_none());
    }
}
