//! Escaping and label sets, shared by the text formats.

use super::number::FloatStyle;
use crate::cells::metric::LabelDesc;
use crate::cells::spelling::Spelled;
use crate::read::transient::TransientValues;

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
    /// The same, the name quoted (its `\`, `"` and newlines escaped
    /// already).
    QuotedText(&'a str, &'a str),
}

/// Where a series' label names come from.
pub(crate) trait LabelNames {
    /// Writes the name of label `i`, `label`.
    fn write(&self, out: &mut Vec<u8>, i: usize, label: &LabelDesc);
}

/// The names as declared, which need neither quotes nor escaping.
pub(crate) struct Declared;

impl LabelNames for Declared {
    #[inline(always)]
    fn write(&self, out: &mut Vec<u8>, _: usize, label: &LabelDesc) {
        out.extend_from_slice(label.name.as_bytes());
    }
}

/// The names as one scheme spells them, label by label.
impl LabelNames for [Spelled<'_>] {
    #[inline(always)]
    fn write(&self, out: &mut Vec<u8>, i: usize, _: &LabelDesc) {
        write_spelled(out, self[i]);
    }
}

/// Writes a spelled name, between quotes where it is quoted.
#[inline]
pub(crate) fn write_spelled(out: &mut Vec<u8>, name: Spelled<'_>) {
    match name {
        Spelled::Plain(name) => out.extend_from_slice(name.as_bytes()),
        Spelled::Quoted(name) => {
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.push(b'"');
        }
    }
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

/// Label `i`'s value `digit` from the values copied as the family began
/// (a transient label's), else its declared name escaped here. Out of
/// line: only the facade's families and those labelled by a runtime label
/// whose values retire have any.
#[cold]
#[inline(never)]
fn write_transient(
    out: &mut Vec<u8>,
    transient: &TransientValues,
    i: usize,
    label: &LabelDesc,
    digit: usize,
) {
    match transient.escaped(i, digit) {
        Some(escaped) => out.extend_from_slice(escaped.as_bytes()),
        None => write_label_value(out, label.values[digit]),
    }
}

/// Label `i`'s value `digit` of a runtime label: its interned name escaped,
/// or for a label whose values retire the copy of it made as the family
/// began. Out of line: inline, it made the derived labels' path through
/// [`write_labels`] 6 instructions a series longer (411 against 405,
/// callgrind, `render_facade`'s typed 10,000).
#[inline(never)]
fn write_runtime(
    out: &mut Vec<u8>,
    runtime: &dyn crate::label::RuntimeNames,
    transient: Option<&TransientValues>,
    i: usize,
    label: &LabelDesc,
    digit: usize,
) {
    match transient {
        Some(transient) if transient.copied(i) => write_transient(out, transient, i, label, digit),
        _ => out.extend_from_slice(runtime.escaped(digit).unwrap_or("").as_bytes()),
    }
}

/// A series' label values: their indices, and the family's transient
/// label values as copied when it began (one argument, so that the label
/// writer takes no more registers than before there were any).
#[derive(Clone, Copy)]
pub(crate) struct SeriesValues<'a> {
    /// The value index of each label.
    pub(crate) digits: &'a [usize],
    /// The family's transient label values, if it has any.
    pub(crate) transient: Option<&'a TransientValues>,
}

/// Writes `{name="value",...}` for the series whose label value indices are
/// `digits`, with `extra` last, or nothing when there are no labels at all;
/// after a quoted metric name (`AFTER_NAME`), whose `{"name"` is written
/// already, `,name="value",...}` and always the closing brace.
pub(crate) fn write_labels<N: LabelNames + ?Sized, const AFTER_NAME: bool>(
    out: &mut Vec<u8>,
    labels: &[LabelDesc],
    values: &SeriesValues<'_>,
    extra: Option<Extra<'_>>,
    style: FloatStyle,
    names: &N,
) {
    let SeriesValues { digits, transient } = *values;
    if labels.is_empty() && extra.is_none() {
        if AFTER_NAME {
            out.push(b'}');
        }
        return;
    }
    if !AFTER_NAME {
        out.push(b'{');
    }
    for (i, (label, &digit)) in labels.iter().zip(digits).enumerate() {
        if i > 0 || AFTER_NAME {
            out.push(b',');
        }
        names.write(out, i, label);
        out.extend_from_slice(b"=\"");
        // Derived labels have their names escaped in advance; a runtime
        // label keeps its own escaped names, a transient one's are copied;
        // other hand-written ones are escaped here.
        match (label.escaped_values, label.runtime) {
            (Some(escaped), _) => out.extend_from_slice(escaped[digit].as_bytes()),
            (None, Some(runtime)) => write_runtime(out, runtime, transient, i, label, digit),
            (None, None) => match transient {
                None => write_label_value(out, label.values[digit]),
                Some(transient) => write_transient(out, transient, i, label, digit),
            },
        }
        out.push(b'"');
    }
    if let Some(extra) = extra {
        if !labels.is_empty() || AFTER_NAME {
            out.push(b',');
        }
        match extra {
            Extra::Float(name, _) | Extra::Text(name, _) => out.extend_from_slice(name.as_bytes()),
            Extra::QuotedText(name, _) => write_spelled(out, Spelled::Quoted(name)),
        }
        out.extend_from_slice(b"=\"");
        match extra {
            Extra::Float(_, value) => style.write(out, value),
            Extra::Text(_, value) | Extra::QuotedText(_, value) => write_label_value(out, value),
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
