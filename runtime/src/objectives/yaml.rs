//! The quoting and number formats the generated files share: YAML and JSON
//! strings, PromQL strings and regexes, durations, decimals.

use std::borrow::Cow;
use std::fmt::Write as _;

use enumeter_common::names;

use crate::encode::number::FloatStyle;

/// A YAML single-quoted scalar: `'` doubled, nothing else escaped.
pub(super) fn yaml(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A JSON string.
pub(super) fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A PromQL double-quoted string.
pub(super) fn promql(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A label name in PromQL: as it is when it lies in the legacy character
/// set, else quoted, as Prometheus 3 reads it (`sum by ("http.route")`).
pub(super) fn label(name: &str) -> Cow<'_, str> {
    if names::is_legacy_label_name(name) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(promql(name))
    }
}

/// A series selector in PromQL: `name{matchers}` (`name` alone without
/// matchers), or `{"name",matchers}` for a name outside the legacy set,
/// as Prometheus 3 reads it.
pub(super) fn series(name: &str, matchers: &[String]) -> String {
    if !names::is_legacy_metric_name(name) {
        let mut all = vec![promql(name)];
        all.extend(matchers.iter().cloned());
        format!("{{{}}}", all.join(","))
    } else if matchers.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{}}}", matchers.join(","))
    }
}

/// `values` as a PromQL regex matching exactly one of them (as a PromQL
/// string).
pub(super) fn one_of(values: &[&str]) -> String {
    let escaped: Vec<String> = values
        .iter()
        .map(|v| {
            v.chars()
                .map(|c| {
                    if "\\.+*?()|[]{}^$".contains(c) {
                        format!("\\{c}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        })
        .collect();
    promql(&escaped.join("|"))
}

/// A bucket bound as the `le` matcher of its `_bucket` series: the
/// spellings the expositions write (`encode::number`), which Prometheus
/// keeps as it scraped them: `1` in the Prometheus text format, `1.0` in
/// OpenMetrics; `0.3` and `1e-05` in both.
pub(super) fn le_matcher(bound: f64) -> String {
    let text = le_value(bound);
    let openmetrics = spelled(bound, FloatStyle::OpenMetrics);
    if text == openmetrics {
        format!("le={}", promql(&text))
    } else {
        format!("le=~{}", one_of(&[&text, &openmetrics]))
    }
}

/// A bucket bound as the Prometheus text format writes its `le`.
pub(super) fn le_value(bound: f64) -> String {
    spelled(bound, FloatStyle::Go)
}

fn spelled(v: f64, style: FloatStyle) -> String {
    let mut out = Vec::new();
    style.write(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

/// A number as the exposition writes it: whole numbers without a point,
/// others in the shortest form that reads back exactly.
pub(super) fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        ryu::Buffer::new().format(v).to_owned()
    }
}

/// A value for people: at most six decimals, no trailing zeros
/// (`0.999 * 100` reads `99.9`, not `99.89999999999999`).
pub(super) fn decimal(v: f64) -> String {
    let text = format!("{v:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// `seconds` as a PromQL duration: whole units where they fit (`5m`,
/// `1h`, `3d`), milliseconds below a second.
pub(super) fn duration(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round() as u64;
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms >= size && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{}ms", ms.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_largest_whole_unit() {
        assert_eq!(duration(300.0), "5m");
        assert_eq!(duration(3600.0), "1h");
        assert_eq!(duration(3.0 * 86_400.0), "3d");
        assert_eq!(duration(90.0), "90s");
        assert_eq!(duration(300.0 / 60.0), "5s");
        assert_eq!(duration(300.0 / 7.0), "42857ms");
    }

    #[test]
    fn quoting_escapes_what_each_format_needs() {
        assert_eq!(yaml("it's"), "'it''s'");
        assert_eq!(json("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(promql(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(one_of(&["5xx", "a.b"]), r#""5xx|a\\.b""#);
        assert_eq!(le_matcher(0.3), r#"le="0.3""#);
        assert_eq!(le_matcher(1.0), r#"le=~"1|1\\.0""#);
        // Exponent forms as the expositions write them.
        assert_eq!(le_matcher(0.00001), r#"le="1e-05""#);
        assert_eq!(le_matcher(1e6), r#"le="1e+06""#);
        assert_eq!(decimal(0.999 * 100.0), "99.9");
        assert_eq!(decimal(14.4), "14.4");
    }
}
