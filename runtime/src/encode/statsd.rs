//! StatsD lines (DogStatsD tags) from reads of a registry: what the StatsD
//! pusher (`push::statsd`, feature `statsd`) sends. Counters as deltas
//! since the previous encoding, gauges as values, histograms and summaries
//! as `_count` and `_sum` deltas; info and state sets not at all.

use std::collections::HashMap;

use crate::read::registry::Registry;
use crate::read::{Family, Reader, SeriesRead, Value, Writer};

/// The largest datagram sent: a 1,500-byte MTU less IP and UDP headers and
/// some room for tunnels.
pub const MAX_DATAGRAM: usize = 1432;

/// Turns successive reads of a registry into StatsD lines, remembering
/// counters' last values to send deltas.
#[derive(Debug, Default)]
pub struct StatsdEncoder {
    previous: HashMap<String, f64>,
}

impl StatsdEncoder {
    /// An encoder that has seen nothing yet: the first push sends counters'
    /// full values.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines for every series of `registry`, given everything encoded
    /// before.
    pub fn encode(&mut self, registry: &Registry<'_>) -> Vec<String> {
        let mut lines = Lines {
            encoder: self,
            lines: Vec::new(),
        };
        Reader::with(|reader| reader.registry(registry, &mut lines));
        lines.lines
    }
}

/// The lines of one push.
struct Lines<'e> {
    encoder: &'e mut StatsdEncoder,
    lines: Vec<String>,
}

impl Writer for Lines<'_> {
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let name = statsd_name(family.desc.name);
        let tags = tags(series.labels(family));
        let Lines { encoder, lines } = self;
        let mut counter = |name: String, now: f64| {
            let key = format!("{name}{tags}");
            let before = encoder.previous.insert(key, now).unwrap_or(0.0);
            let delta = if now >= before { now - before } else { now };
            if delta > 0.0 {
                lines.push(format!("{name}:{}|c{tags}", number(delta)));
            }
        };
        match &series.value {
            Value::Counter(v) => counter(name.to_string(), *v as f64),
            Value::FloatCounter(v) if v.is_finite() => counter(name.to_string(), *v),
            Value::Gauge(v) => lines.push(format!("{name}:{v}|g{tags}")),
            Value::FloatGauge(v) if v.is_finite() => {
                lines.push(format!("{name}:{}|g{tags}", number(*v)))
            }
            Value::Histogram {
                cumulative, sum, ..
            } => {
                let count = cumulative.last().copied().unwrap_or(0);
                counter(format!("{name}_count"), count as f64);
                counter(format!("{name}_sum"), *sum);
            }
            Value::Summary { count, sum, .. } => {
                counter(format!("{name}_count"), *count as f64);
                counter(format!("{name}_sum"), *sum);
            }
            Value::FloatCounter(_) | Value::FloatGauge(_) | Value::Info | Value::State(_) => {}
        }
    }
}

/// DogStatsD tags of a series' labels.
fn tags<'a, 'b>(labels: impl Iterator<Item = (&'a str, &'b str)>) -> String {
    let pairs: Vec<String> = labels
        .map(|(k, v)| {
            format!(
                "{}:{}",
                statsd_name(k),
                v.replace([',', '|', '\n', '#'], "_")
            )
        })
        .collect();
    if pairs.is_empty() {
        return String::new();
    }
    format!("|#{}", pairs.join(","))
}

/// Integers without a fraction, other values as Rust prints them (shortest
/// round trip).
/// A metric or tag name as the StatsD line can carry it: the name as
/// declared, dots included (StatsD's own hierarchy), but for the
/// characters the line gives a meaning to (`:`, `|`, `@`, `#`, `,`), each
/// written `_`. A legacy name has none of them.
fn statsd_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains([':', '|', '@', '#', ',']) {
        std::borrow::Cow::Owned(name.replace([':', '|', '@', '#', ','], "_"))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Packs lines into datagrams of at most [`MAX_DATAGRAM`] bytes.
pub fn datagrams(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if !current.is_empty() && current.len() + 1 + line.len() > MAX_DATAGRAM {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_never_exceed_the_limit_and_keep_every_line_whole() {
        let lines: Vec<String> = (0..200).map(|i| format!("metric_{i}:{i}|c|#k:v")).collect();
        let packed = datagrams(&lines);
        assert!(packed.len() > 1);
        assert!(packed.iter().all(|d| d.len() <= MAX_DATAGRAM));
        let unpacked: Vec<&str> = packed.iter().flat_map(|d| d.split('\n')).collect();
        assert_eq!(
            unpacked,
            lines.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }

    #[test]
    fn tags_replace_characters_that_would_break_the_line() {
        assert_eq!(tags([("a", "x,y|z#\n")].into_iter()), "|#a:x_y_z__");
        assert_eq!(tags([].into_iter()), "");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.25), "0.25");
    }

    #[test]
    fn names_keep_their_dots_and_lose_what_the_line_gives_a_meaning_to() {
        assert_eq!(
            statsd_name("http.server.requests_total"),
            "http.server.requests_total"
        );
        assert_eq!(statsd_name("a:b|c@d#e,f"), "a_b_c_d_e_f");
        assert_eq!(
            tags([("http.route", "a|b")].into_iter()),
            "|#http.route:a_b"
        );
    }
}
