//! A differential test against Prometheus' Python client, prometheus_client
//! 0.26, the reference the Prometheus 3 issue names:
//!
//! - for every `Accept` of the set below, the format, version and escaping
//!   of our `Content-Type` are those of the one its `choose_encoder` picks;
//! - for every scheme, our Prometheus text 1.0.0 and its own of a registry
//!   with the same names spell every family name, label name and sample
//!   name alike, but for one documented rule: under `dots` and `values` a
//!   histogram's `_bucket`, `_sum` and `_count` go after the escaped name
//!   as they are (as client_golang writes them, and as a scraper names
//!   them from a protobuf family), where the Python client escapes them
//!   too (`__bucket`), which its own parsers then read as families of
//!   their own (its OpenMetrics parser refuses them outright: "Clashing
//!   name"), as this test also shows;
//! - its parsers read every body we write back, each family of its kind.
//!
//! The set of `Accept`s holds what the Python client answers: the ranges
//! it speaks (OpenMetrics 1.0.0, text 1.0.0 and 0.0.4), each with every
//! scheme, alone and in pairs in order of preference, and what Prometheus
//! 2.42 and 3.5.3 send but for the ranges it does not speak. It has no
//! protobuf, and it passes over OpenMetrics 0.0.1 (we answer it, as
//! client_golang does); it reads ranges in order, ignoring quality values
//! (we go by quality, as the content-negotiation document says), so pairs
//! are listed in order of preference; and it passes over a text 0.0.4
//! range for any later one, so no pair starts with one.
//!
//! Where the Python client is missing, cargo reports the test ignored; in
//! CI it fails.

use enumeter_suite::support;

use std::collections::BTreeSet;

use enumeter::{metrics, Escaping, Exposition, Format, LabelValue, Registry};

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/conformance/python_client_reference.py"
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Phase {
    Idle,
    Busy,
}

/// The names of the Python script's registry, with its values.
#[metrics(register = false)]
pub enum Names {
    /// Request time.
    #[histogram(name = "http.server.request.duration", unit = "seconds", buckets = [0.5])]
    Duration {
        #[label(name = "http.request.method")]
        method: Method,
    },
    /// Jobs done.
    #[counter(name = "app.jobs_total")]
    Jobs { ok: bool },
    /// What the worker does.
    #[state_set(name = "worker.phase", states = Phase)]
    WorkerPhase,
    /// An odd name.
    #[gauge(name = "odd \"name\" \\ here")]
    Odd,
    /// Queue depth.
    #[gauge]
    QueueDepth {
        #[label(name = "queue.name")]
        queue: bool,
    },
}

fn registry() -> Registry<'static> {
    let names: &'static NamesMetrics = Box::leak(Box::new(NamesMetrics::new()));
    names.duration(Method::Get).observe(0.25);
    names.jobs(true).add(3);
    names.worker_phase().set(Phase::Busy);
    names.odd().set(-1);
    names.queue_depth(true).set(5);
    Registry::new().with(names)
}

/// (media type, version, escaping) of a `Content-Type`; a missing
/// escaping is `underscores`, as both clients read it.
fn parts(content_type: &str) -> (String, String, String) {
    let mut params = content_type.split(';').map(str::trim);
    let media = params.next().unwrap_or("").to_owned();
    let (mut version, mut escaping) = (String::new(), "underscores".to_owned());
    for param in params {
        match param.split_once('=') {
            Some(("version", v)) => version = v.to_owned(),
            Some(("escaping", e)) => escaping = e.to_owned(),
            _ => {}
        }
    }
    (media, version, escaping)
}

fn python_version() -> String {
    let (code, out, err) = support::run_with_stdin(
        "python3",
        &[
            "-c",
            "import importlib.metadata as m; print(m.version('prometheus_client'))",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    out.trim().to_owned()
}

fn accepts() -> Vec<String> {
    let schemes = [
        "",
        ";escaping=allow-utf-8",
        ";escaping=underscores",
        ";escaping=dots",
        ";escaping=values",
        ";escaping=rot13",
    ];
    let mut ranges = Vec::new();
    for scheme in schemes {
        ranges.push(format!(
            "application/openmetrics-text;version=1.0.0{scheme}"
        ));
        ranges.push(format!("text/plain;version=1.0.0{scheme}"));
        ranges.push(format!("text/plain;version=0.0.4{scheme}"));
    }
    ranges.extend([
        "application/openmetrics-text".to_owned(),
        "text/plain".to_owned(),
    ]);
    let mut accepts: Vec<String> = ranges.clone();
    // Pairs in order of preference: the first without a quality (1), the
    // second at 0.5. The Python client never settles on text 0.0.4 while a
    // range follows (it takes a later one whatever the qualities say), so
    // a pair does not start with it.
    let floor =
        |range: &str| range.starts_with("text/plain;version=0.0.4") || range == "text/plain";
    for first in ranges.iter().filter(|r| !floor(r)) {
        for second in &ranges {
            if first != second {
                accepts.push(format!("{first},{second};q=0.5"));
            }
        }
    }
    accepts.push(
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
         version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
            .to_owned(),
    );
    for scheme in ["allow-utf-8", "underscores", "dots", "values"] {
        // Prometheus 3.5.3's default protocols without the protobuf range,
        // and each text protocol alone.
        accepts.push(format!(
            "application/openmetrics-text;version=1.0.0;escaping={scheme};q=0.5,\
             application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;\
             escaping={scheme};q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
        ));
        accepts.push(format!(
            "text/plain;version=1.0.0;escaping={scheme},*/*;q=0.1"
        ));
        accepts.push(format!(
            "application/openmetrics-text;version=1.0.0;escaping={scheme},*/*;q=0.1"
        ));
    }
    accepts
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs prometheus_client 0.26: pip install prometheus_client==0.26.0"
)]
fn every_accept_gets_the_format_version_and_escaping_the_python_client_picks() {
    support::require("python_parsers");
    let version = python_version();
    assert!(
        version.starts_with("0.26."),
        "the reference is prometheus_client 0.26, found {version}"
    );
    let accepts = accepts();
    let (code, out, err) =
        support::run_with_stdin("python3", &[REFERENCE, "negotiate"], &accepts.join("\n"));
    assert_eq!(code, 0, "{err}");
    let theirs: Vec<&str> = out.lines().collect();
    assert_eq!(theirs.len(), accepts.len());
    for (accept, theirs) in accepts.iter().zip(theirs) {
        let ours = Exposition::from_accept(accept).content_type();
        assert_eq!(
            parts(ours),
            parts(theirs),
            "Accept: {accept}\nours: {ours}\ntheirs: {theirs}"
        );
    }
    println!(
        "{} Accept headers: format, version and escaping equal to prometheus_client {version}'s",
        accepts.len()
    );
}

/// Every name a text body spells: family names (`# HELP`), sample names
/// and label names, each as written (quotes included).
fn names(body: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            out.insert(format!("family {}", token(rest).0));
        } else if !line.starts_with('#') && !line.is_empty() {
            let (first, rest) = token(line);
            let mut labels = rest;
            if let Some(inside) = first.strip_prefix('{') {
                // `{"name",label="v"}`: the name is the first token inside.
                let (name, after) = token(inside);
                out.insert(format!("sample {name}"));
                labels = after;
            } else {
                out.insert(format!("sample {first}"));
            }
            for label in label_names(labels) {
                out.insert(format!("label {label}"));
            }
        }
    }
    out
}

/// The first token of `text`: a quoted string (with its escapes) or the
/// characters up to a space, `{`, `,` or `=`; and the rest.
fn token(text: &str) -> (String, &str) {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => return (format!("\"{}\"", &quoted[..i]), &quoted[i + 1..]),
                _ => escaped = false,
            }
        }
        panic!("unterminated quote in {text}");
    }
    if text.starts_with('{') {
        return ("{".to_owned() + text.strip_prefix('{').unwrap_or(""), "");
    }
    let end = text.find([' ', '{', ',', '=']).unwrap_or(text.len());
    (text[..end].to_owned(), &text[end..])
}

/// The label names of `{a="x","b.c"="y"} 1` (or of what follows a quoted
/// metric name: `,a="x"} 1`).
fn label_names(mut text: &str) -> Vec<String> {
    let mut names = Vec::new();
    text = text.trim_start_matches(['{', ',']);
    while !text.starts_with('}') && !text.is_empty() && !text.starts_with(' ') {
        let (name, rest) = token(text);
        names.push(name);
        // `="value"` then `,` or `}`.
        let rest = rest.strip_prefix('=').expect("a label's `=`");
        let (_, rest) = token(rest);
        text = rest.trim_start_matches(',');
    }
    names
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs prometheus_client 0.26: pip install prometheus_client==0.26.0"
)]
fn every_scheme_spells_the_names_as_the_python_client_does() {
    support::require("python_parsers");
    let registry = registry();
    for (escaping, scheme) in [
        (Escaping::AllowUtf8, "allow-utf-8"),
        (Escaping::Underscores, "underscores"),
        (Escaping::Dots, "dots"),
        (Escaping::Values, "values"),
    ] {
        let ours = registry.render(Exposition::prometheus_text_1().with_escaping(escaping));
        let (code, theirs, err) =
            support::run_with_stdin("python3", &[REFERENCE, "render", scheme], "");
        assert_eq!(code, 0, "{err}");
        let (ours_names, theirs_names) = (names(&ours), names(&theirs));
        // Every family, sample and label name is seen: 5 families, 7
        // sample names (the histogram's 3), 5 label names (`le` and the
        // state set's own included).
        assert_eq!(ours_names.len(), 5 + 7 + 5, "{scheme}: {ours_names:?}");
        if escaping == Escaping::AllowUtf8 {
            assert!(
                ours_names.contains("label \"http.request.method\""),
                "{ours_names:?}"
            );
            assert!(
                ours_names.contains("sample \"odd \\\"name\\\" \\\\ here\""),
                "{ours_names:?}"
            );
        }
        let only_ours: Vec<&String> = ours_names.difference(&theirs_names).collect();
        let only_theirs: Vec<&String> = theirs_names.difference(&ours_names).collect();
        match escaping {
            Escaping::AllowUtf8 | Escaping::Underscores => {
                assert!(
                    only_ours.is_empty() && only_theirs.is_empty(),
                    "{scheme}: ours {only_ours:?}, theirs {only_theirs:?}"
                );
            }
            Escaping::Dots | Escaping::Values => {
                // The one difference: the suffixes of the histogram's
                // samples.
                let family = names(&ours)
                    .into_iter()
                    .find_map(|n| {
                        n.strip_prefix("family ")
                            .filter(|f| f.contains("duration"))
                            .map(str::to_owned)
                    })
                    .unwrap();
                let suffixed = |double: bool| -> BTreeSet<String> {
                    let sep = if double { "__" } else { "_" };
                    ["bucket", "sum", "count"]
                        .iter()
                        .map(|s| format!("sample {family}{sep}{s}"))
                        .collect()
                };
                let only_ours: BTreeSet<String> = only_ours.into_iter().cloned().collect();
                let only_theirs: BTreeSet<String> = only_theirs.into_iter().cloned().collect();
                assert_eq!(only_ours, suffixed(false), "{scheme}");
                assert_eq!(only_theirs, suffixed(true), "{scheme}");
                // Which its own parser cannot read back as one histogram.
                let parsed = support::python_parse("prometheus", &theirs);
                let kinds: Vec<&str> = parsed
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["type"].as_str().unwrap())
                    .collect();
                assert!(kinds.contains(&"unknown"), "{scheme}: {kinds:?}");
            }
        }
        // Its parsers read every body of ours back, each family of its kind.
        for (format, exposition, kinds) in [
            (
                "prometheus",
                Exposition::prometheus_text_1(),
                ["histogram", "counter", "gauge", "gauge", "gauge"],
            ),
            (
                "openmetrics",
                Exposition::new(Format::OpenMetrics),
                ["histogram", "counter", "stateset", "gauge", "gauge"],
            ),
        ] {
            let body = registry.render(exposition.with_escaping(escaping));
            let parsed = support::python_parse(format, &body);
            let read: Vec<&str> = parsed
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["type"].as_str().unwrap())
                .collect();
            assert_eq!(read, kinds, "{scheme}, {format}:\n{body}");
        }
        println!("{scheme}: names as prometheus_client spells them; its parsers read ours back");
    }
}
