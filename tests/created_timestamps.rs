//! Created timestamps, opt-in: `_created` after each counter series and
//! after a histogram's or summary's `_count` in OpenMetrics (read back by
//! the Python reference parser), `created_timestamp` in protobuf, nothing
//! in the Prometheus text format or by default; the process-wide instance
//! counts from the process start, one built with `new()` from the first
//! time a registry reads it.

use enumeter_suite::support;

use std::time::{SystemTime, UNIX_EPOCH};

use enumeter::{metrics, Format, Registry};
use enumeter_proto::exposition::decode_families;

/// Every kind that has a created time, and one that has none.
#[metrics(namespace = "ct", register = false)]
pub enum Ct {
    /// Jobs.
    #[counter]
    JobsTotal { ok: bool },
    /// Job time.
    #[histogram(buckets = [1])]
    Duration,
    /// Job sizes.
    #[summary(quantiles = [0.5])]
    Size,
    /// Queue length: a gauge has no created time.
    #[gauge]
    Queue,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Milliseconds as the seconds OpenMetrics writes (three decimals).
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

#[test]
fn created_timestamps_are_written_where_each_format_has_them_and_only_when_asked() {
    let ct = CtMetrics::new();
    ct.jobs_total(true).inc();
    ct.duration().observe(0.5);
    ct.size().observe(3.0);
    let before = now_ms();
    let registry = Registry::new().with(&ct).created_timestamps(true);
    let after = now_ms();
    let text = registry.render(Format::OpenMetrics);
    // The one quantile, within the declared 1% of the one value observed,
    // checked here, then written as read so that the rest compares bytes.
    let quantile = text
        .lines()
        .find_map(|l| l.strip_prefix("ct_size{quantile=\"0.5\"} "))
        .unwrap()
        .to_owned();
    let estimate: f64 = quantile.parse().unwrap();
    assert!((estimate - 3.0).abs() <= 3.0 * 0.01, "{estimate}");
    let created_line = text
        .lines()
        .find(|l| l.starts_with("ct_jobs_created{ok=\"false\"} "))
        .unwrap();
    let (whole, millis) = created_line
        .rsplit(' ')
        .next()
        .unwrap()
        .split_once('.')
        .unwrap();
    let ms = whole.parse::<u64>().unwrap() * 1000 + millis.parse::<u64>().unwrap();
    // `new()` instances count from the first time a registry reads them.
    assert!((before..=after).contains(&ms), "{before} {ms} {after}");
    let t = seconds(ms);
    assert_eq!(
        text,
        format!(
            "# HELP ct_jobs Jobs.\n\
             # TYPE ct_jobs counter\n\
             ct_jobs_total{{ok=\"false\"}} 0\n\
             ct_jobs_created{{ok=\"false\"}} {t}\n\
             ct_jobs_total{{ok=\"true\"}} 1\n\
             ct_jobs_created{{ok=\"true\"}} {t}\n\
             # HELP ct_duration Job time.\n\
             # TYPE ct_duration histogram\n\
             ct_duration_bucket{{le=\"1.0\"}} 1\n\
             ct_duration_bucket{{le=\"+Inf\"}} 1\n\
             ct_duration_sum 0.5\n\
             ct_duration_count 1\n\
             ct_duration_created {t}\n\
             # HELP ct_size Job sizes.\n\
             # TYPE ct_size summary\n\
             ct_size{{quantile=\"0.5\"}} {}\n\
             ct_size_sum 3.0\n\
             ct_size_count 1\n\
             ct_size_created {t}\n\
             # HELP ct_queue Queue length: a gauge has no created time.\n\
             # TYPE ct_queue gauge\n\
             ct_queue 0\n\
             # EOF\n",
            quantile
        )
    );
    // Not in the Prometheus text format, and not unless asked.
    assert!(!registry.render(Format::Prometheus).contains("_created"));
    assert!(!Registry::new()
        .with(&ct)
        .render(Format::OpenMetrics)
        .contains("_created"));

    // Protobuf: created_timestamp on the counter, histogram and summary.
    let mut bytes = Vec::new();
    registry.render_into(Format::Protobuf, &mut bytes);
    let families = decode_families(&bytes).unwrap();
    let stamp = |t: Option<enumeter_proto::exposition::Timestamp>| {
        let t = t.unwrap();
        t.seconds as u64 * 1000 + t.nanos as u64 / 1_000_000
    };
    assert_eq!(
        stamp(
            families[0].metric[1]
                .counter
                .clone()
                .unwrap()
                .created_timestamp
        ),
        ms
    );
    assert_eq!(
        stamp(
            families[1].metric[0]
                .histogram
                .clone()
                .unwrap()
                .created_timestamp
        ),
        ms
    );
    assert_eq!(
        stamp(
            families[2].metric[0]
                .summary
                .clone()
                .unwrap()
                .created_timestamp
        ),
        ms
    );
    let mut plain = Vec::new();
    Registry::new()
        .with(&ct)
        .render_into(Format::Protobuf, &mut plain);
    assert!(decode_families(&plain).unwrap()[0].metric[0]
        .counter
        .clone()
        .unwrap()
        .created_timestamp
        .is_none());

    // The process-wide instance counts from the start of the process.
    let global = Registry::new()
        .with(CtMetrics::global())
        .created_timestamps(true)
        .render(Format::OpenMetrics);
    // Read from /proc by the test, not by the code under test.
    let start = support::process_start_ms_from_proc();
    assert!(start <= before);
    assert!(
        global.contains(&format!("ct_duration_created {}\n", seconds(start))),
        "{global}"
    );
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs the Python parsers: pip install prometheus_client"
)]
fn the_reference_parser_reads_created_timestamps_where_they_stand() {
    let ct = CtMetrics::new();
    ct.jobs_total(true).inc();
    ct.duration().observe(0.5);
    ct.size().observe(3.0);
    let registry = Registry::new().with(&ct).created_timestamps(true);
    let text = registry.render(Format::OpenMetrics);
    assert!(text.contains("ct_jobs_created{ok=\"true\"} "), "{text}");
    // It checks where `_created` goes, and refuses the text otherwise.
    support::python_parse("openmetrics", &text);
}
