//! Facade histograms take the buckets given for their name (by a full
//! name, a prefix or a suffix, first match first, as
//! metrics-exporter-prometheus matches them), else the client libraries'
//! defaults; bounds that are not finite and increasing are refused where
//! they are given. Byte-exact text of each. One test: the facade is one per
//! process.

use enumeter::facade::{BucketsError, FacadeRecorder, Matcher};
use enumeter::{Format, Registry};

#[test]
fn histograms_take_the_buckets_of_the_first_matcher_of_their_name() {
    let recorder = FacadeRecorder::new()
        .buckets_for(Matcher::Full("db.rows".into()), &[10.0, 100.0])
        .unwrap()
        .buckets_for(Matcher::Suffix("_bytes".into()), &[1024.0])
        .unwrap()
        // Also matches `db.rows`, given later: not taken.
        .buckets_for(Matcher::Prefix("db.".into()), &[0.5])
        .unwrap();
    assert_eq!(
        recorder
            .buckets_for(Matcher::Prefix("x".into()), &[2.0, 1.0])
            .err(),
        Some(BucketsError::NotIncreasing(1.0))
    );
    assert_eq!(
        recorder.buckets_for(Matcher::Prefix("x".into()), &[]).err(),
        Some(BucketsError::Empty)
    );
    assert_eq!(
        recorder
            .buckets_for(Matcher::Prefix("x".into()), &[f64::NAN])
            .err()
            .map(|e| e.to_string()),
        Some("bucket bound NaN is not finite (`+Inf` is always the last bucket)".to_owned())
    );
    recorder.install().expect("the first recorder");

    metrics::histogram!("db.rows").record(42.0);
    metrics::histogram!("db.wait").record(0.25);
    metrics::histogram!("body_bytes").record(2000.0);
    metrics::histogram!("latency").record(0.3);
    let text = Registry::new()
        .with(enumeter::facade::group())
        .render(Format::Prometheus);
    assert_eq!(
        text,
        concat!(
            "# TYPE db_rows histogram\n",
            "db_rows_bucket{le=\"10\"} 0\n",
            "db_rows_bucket{le=\"100\"} 1\n",
            "db_rows_bucket{le=\"+Inf\"} 1\n",
            "db_rows_sum 42\n",
            "db_rows_count 1\n",
            "# TYPE db_wait histogram\n",
            "db_wait_bucket{le=\"0.5\"} 1\n",
            "db_wait_bucket{le=\"+Inf\"} 1\n",
            "db_wait_sum 0.25\n",
            "db_wait_count 1\n",
            "# TYPE body_bytes histogram\n",
            "body_bytes_bucket{le=\"1024\"} 0\n",
            "body_bytes_bucket{le=\"+Inf\"} 1\n",
            "body_bytes_sum 2000\n",
            "body_bytes_count 1\n",
            "# TYPE latency histogram\n",
            "latency_bucket{le=\"0.005\"} 0\n",
            "latency_bucket{le=\"0.01\"} 0\n",
            "latency_bucket{le=\"0.025\"} 0\n",
            "latency_bucket{le=\"0.05\"} 0\n",
            "latency_bucket{le=\"0.1\"} 0\n",
            "latency_bucket{le=\"0.25\"} 0\n",
            "latency_bucket{le=\"0.5\"} 1\n",
            "latency_bucket{le=\"1\"} 1\n",
            "latency_bucket{le=\"2.5\"} 1\n",
            "latency_bucket{le=\"5\"} 1\n",
            "latency_bucket{le=\"10\"} 1\n",
            "latency_bucket{le=\"+Inf\"} 1\n",
            "latency_sum 0.3\n",
            "latency_count 1\n",
        )
    );
}
