//! Escaping and label sets, shared by the text formats.

use super::number::FloatStyle;
use crate::cells::metric::LabelDesc;

/// Appends HELP text with `\` and newline escaped, and `"` too when
/// `quote` (OpenMetrics escapes HELP like a label value; the Prometheus text
/// format does not).
pub(crate) fn write_help(out: &mut Vec<u8>, help: &str, quote: bool) {
    write_escaped(out, help, quote);
}

/// The label a sample carries after its series' labels.
#[derive(Clone, Copy)]
pub(crate) enum Extra<'a> {
    /// `le` or `quantile`, and its bound.
    Float(&'a str, f64),
    /// A state set's own label: the metric name, and a state.
    Text(&'a str, &'a str),
}

/// Appends a label value with `\`, `"` and newline escaped.
pub(crate) fn write_label_value(out: &mut Vec<u8>, value: &str) {
    write_escaped(out, value, true);
}

fn write_escaped(out: &mut Vec<u8>, s: &str, quote: bool) {
    let needs_escape = |b: u8| b == b'\\' || b == b'\n' || (quote && b == b'"');
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| needs_escape(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'"' if quote => out.extend_from_slice(b"\\\""),
            _ => out.push(b),
        }
    }
}

/// Writes `{name="value",...}` for the series whose label value indices are
/// `digits`, with `extra` last, or nothing when there are no labels at all.
pub(crate) fn write_labels(
    out: &mut Vec<u8>,
    labels: &[LabelDesc],
    digits: &[usize],
    extra: Option<Extra<'_>>,
    style: FloatStyle,
) {
    if labels.is_empty() && extra.is_none() {
        return;
    }
    out.push(b'{');
    for (i, (label, &digit)) in labels.iter().zip(digits).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(label.name.as_bytes());
        out.extend_from_slice(b"=\"");
        // Derived labels have their names escaped in advance; a runtime
        // label keeps its own escaped names; other hand-written ones are
        // escaped here.
        match (label.escaped_values, label.runtime) {
            (Some(escaped), _) => out.extend_from_slice(escaped[digit].as_bytes()),
            (None, None) => write_label_value(out, label.values[digit]),
            (None, Some(runtime)) => {
                out.extend_from_slice(runtime.escaped(digit).unwrap_or("").as_bytes())
            }
        }
        out.push(b'"');
    }
    if let Some(extra) = extra {
        if !labels.is_empty() {
            out.push(b',');
        }
        let name = match extra {
            Extra::Float(name, _) | Extra::Text(name, _) => name,
        };
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"=\"");
        match extra {
            Extra::Float(_, value) => style.write(out, value),
            Extra::Text(_, value) => write_label_value(out, value),
        }
        out.push(b'"');
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        let mut out = Vec::new();
        write_label_value(&mut out, "a\\b\"c\nd");
        assert_eq!(out, br#"a\\b\"c\nd"#);
    }

    #[test]
    fn help_escapes_backslash_and_newline_but_not_quote() {
        let mut out = Vec::new();
        write_help(&mut out, "say \"hi\"\\\n", false);
        assert_eq!(out, br#"say "hi"\\\n"#);
        out.clear();
        write_help(&mut out, "say \"hi\"", true);
        assert_eq!(out, br#"say \"hi\""#);
    }
}
