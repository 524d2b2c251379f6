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

/// Whether `name` is a metric name every Prometheus reads:
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`. Any other non-empty UTF-8 name is a
/// Prometheus 3 name, quoted or escaped in the exposition.
///
/// ```
/// use enumeter_common::names::is_legacy_metric_name;
/// assert!(is_legacy_metric_name("http_requests_total"));
/// assert!(!is_legacy_metric_name("http.server.request.duration"));
/// ```
pub fn is_legacy_metric_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .enumerate()
            .all(|(i, c)| is_legacy_rune(c, i, true))
}

/// Whether `name` is a label name every Prometheus reads:
/// `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_legacy_label_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .enumerate()
            .all(|(i, c)| is_legacy_rune(c, i, false))
}

fn is_legacy_rune(c: char, i: usize, colon: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (c.is_ascii_digit() && i > 0) || (colon && c == ':')
}

/// The schemes by which a name Prometheus 2 cannot read is spelled with
/// legacy characters, as Prometheus' escaping-schemes document defines them
/// (`escaping=underscores|dots|values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Every character outside the legacy set becomes `_`; legacy names
    /// stay as they are.
    Underscores,
    /// `.` becomes `_dot_`, `_` becomes `__`, any other character outside
    /// the legacy set `__`; legacy names are escaped too.
    Dots,
    /// A name outside the legacy set becomes `U__` and its characters, `_`
    /// as `__` and any other outside the set as `_<hex code point>_`;
    /// legacy names stay as they are.
    Values,
}

/// `name` (a metric name when `metric`, else a label name) spelled by
/// `scheme`, as Prometheus' Go and Python clients spell it.
///
/// ```
/// use enumeter_common::names::{escape, Scheme};
/// let name = "http.server.request.duration_bucket";
/// assert_eq!(escape(name, Scheme::Underscores, true), "http_server_request_duration_bucket");
/// assert_eq!(escape(name, Scheme::Dots, true), "http_dot_server_dot_request_dot_duration__bucket");
/// assert_eq!(escape(name, Scheme::Values, true), "U__http_2e_server_2e_request_2e_duration__bucket");
/// assert_eq!(escape("jobs_total", Scheme::Values, true), "jobs_total");
/// assert_eq!(escape("jobs_total", Scheme::Dots, true), "jobs__total");
/// ```
pub fn escape(name: &str, scheme: Scheme, metric: bool) -> String {
    let legacy = if metric {
        is_legacy_metric_name(name)
    } else {
        is_legacy_label_name(name)
    };
    let mut out = String::with_capacity(name.len() + 8);
    match scheme {
        Scheme::Underscores if legacy => out.push_str(name),
        Scheme::Underscores => {
            for (i, c) in name.chars().enumerate() {
                out.push(if is_legacy_rune(c, i, metric) { c } else { '_' });
            }
        }
        Scheme::Dots => {
            for (i, c) in name.chars().enumerate() {
                match c {
                    '_' => out.push_str("__"),
                    '.' => out.push_str("_dot_"),
                    c if is_legacy_rune(c, i, metric) => out.push(c),
                    _ => out.push_str("__"),
                }
            }
        }
        Scheme::Values if legacy => out.push_str(name),
        Scheme::Values => {
            out.push_str("U__");
            for (i, c) in name.chars().enumerate() {
                match c {
                    '_' => out.push_str("__"),
                    c if is_legacy_rune(c, i, metric) => out.push(c),
                    c => {
                        out.push('_');
                        out.push_str(&format!("{:x}", c as u32));
                        out.push('_');
                    }
                }
            }
        }
    }
    out
}

/// `name` with `\`, `"` and newline escaped, for the quoted names of the
/// text formats (`{"http.server.request.duration_bucket",le="0.1"}`).
///
/// ```
/// use enumeter_common::names::quoted_inner;
/// assert_eq!(quoted_inner("a\"b"), "a\\\"b");
/// ```
pub fn quoted_inner(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Why `name` cannot be a metric or label name at all, if it cannot:
/// Prometheus 3 takes any non-empty UTF-8 name, and enumeter keeps `:` for
/// recording rules (as Prometheus' naming guide does) and refuses control
/// characters, which no query could name readably.
pub fn invalid_utf8_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("a name cannot be empty")
    } else if name.contains(':') {
        Some("`:` is kept for the names of recording rules")
    } else if name.chars().any(char::is_control) {
        Some("a name cannot hold control characters")
    } else {
        None
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

    #[test]
    fn every_scheme_escapes_as_the_go_and_python_clients_do() {
        // (name, underscores, dots, values), from the escaping-schemes
        // document's rules as client_golang's tests spell them.
        let cases = [
            (
                "no:escaping_required",
                "no:escaping_required",
                "no:escaping__required",
                "no:escaping_required",
            ),
            (
                "mysystem.prod.west.cpu.load",
                "mysystem_prod_west_cpu_load",
                "mysystem_dot_prod_dot_west_dot_cpu_dot_load",
                "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load",
            ),
            (
                "http.status:sum",
                "http_status:sum",
                "http_dot_status:sum",
                "U__http_2e_status:sum",
            ),
            (
                "label with 😱",
                "label_with__",
                "label__with____",
                "U__label_20_with_20__1f631_",
            ),
            ("0123", "_123", "__123", "U___30_123"),
        ];
        for (name, underscores, dots, values) in cases {
            assert_eq!(
                escape(name, Scheme::Underscores, true),
                underscores,
                "{name}"
            );
            assert_eq!(escape(name, Scheme::Dots, true), dots, "{name}");
            assert_eq!(escape(name, Scheme::Values, true), values, "{name}");
        }
        // A colon is legacy in a metric name, not in a label name.
        assert_eq!(escape("a:b", Scheme::Underscores, false), "a_b");
    }

    #[test]
    fn legacy_names_are_those_every_prometheus_reads() {
        assert!(is_legacy_metric_name("a:b_c9"));
        assert!(
            !is_legacy_metric_name("9a")
                && !is_legacy_metric_name("a.b")
                && !is_legacy_metric_name("")
        );
        assert!(is_legacy_label_name("_a9"));
        assert!(!is_legacy_label_name("a:b") && !is_legacy_label_name("durée"));
    }

    #[test]
    fn a_name_is_refused_only_when_empty_or_with_a_colon_or_a_control_character() {
        assert!(invalid_utf8_name("http.server.request.duration").is_none());
        assert!(invalid_utf8_name("odd \"name\" ✓").is_none());
        assert!(invalid_utf8_name("").is_some());
        assert!(invalid_utf8_name("a:b").is_some());
        assert!(invalid_utf8_name("a\nb").is_some());
    }
}
