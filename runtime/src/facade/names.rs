//! What the facade does to the names a dependency gives it: escaped into
//! the character set every exposition format and every Prometheus takes,
//! as metrics-exporter-prometheus escapes them, so that a dependency's
//! series carry the names its users already query.

/// The longest label value the facade keeps, in bytes: a longer one is
/// refused (and counted), so that what the families keep stays bounded.
pub(crate) const MAX_VALUE_BYTES: usize = 1024;

/// The names enumeter's own series take: refused from the facade, whose
/// families render beside them.
pub(crate) const OWN_NAMESPACE: &str = "enumeter_";

/// `name` as a metric name: every character outside `[a-zA-Z0-9_:]`
/// becomes `_`, and a leading digit gets a `_` in front. `None` for an
/// empty name or one in the `__` namespace Prometheus keeps for itself.
pub(crate) fn metric_name(name: &str) -> Option<String> {
    escaped(name, |c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `name` as a label name: the same without `:`.
pub(crate) fn label_name(name: &str) -> Option<String> {
    escaped(name, |c| c.is_ascii_alphanumeric() || c == '_')
}

fn escaped(name: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    let mut out = String::with_capacity(name.len() + 1);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(name.chars().map(|c| if allowed(c) { c } else { '_' }));
    (!out.is_empty() && !out.starts_with("__")).then_some(out)
}

/// A counter's name as the facade writes it: with `_total` at the end, as
/// OpenMetrics requires of a counter's samples and as a Prometheus 3 OTLP
/// receiver names counters, so that one name holds in every format.
pub(crate) fn counter_name(mut name: String) -> String {
    if !name.ends_with("_total") {
        name.push_str("_total");
    }
    name
}

/// The names a facade family named `name` takes in the exposition (its
/// family and sample names), for the clash rules of a registry.
pub(crate) fn exposed(name: &str, kind: super::family::FacadeKind) -> Vec<String> {
    use super::family::FacadeKind;
    use enumeter_common::names::{exposed_names, NameKind};
    let kind = match kind {
        FacadeKind::Counter => NameKind::Counter,
        FacadeKind::Gauge => NameKind::Plain,
        FacadeKind::Histogram => NameKind::Histogram,
    };
    exposed_names(name, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_as_prometheus_takes_them() {
        assert_eq!(
            metric_name("tokio.worker:park_count").as_deref(),
            Some("tokio_worker:park_count")
        );
        assert_eq!(metric_name("9lives").as_deref(), Some("_9lives"));
        assert_eq!(metric_name("héllo").as_deref(), Some("h_llo"));
        assert_eq!(label_name("http.method").as_deref(), Some("http_method"));
        assert_eq!(label_name("a:b").as_deref(), Some("a_b"));
        assert_eq!(metric_name(""), None);
        assert_eq!(metric_name("__name"), None);
        assert_eq!(label_name(".x"), Some("_x".to_owned()));
        assert_eq!(label_name("._x"), None);
        assert_eq!(counter_name("requests".into()), "requests_total");
        assert_eq!(counter_name("requests_total".into()), "requests_total");
    }
}
