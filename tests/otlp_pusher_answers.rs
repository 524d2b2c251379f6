//! How the OTLP pusher takes each answer a receiver can give, against a
//! receiver written here that answers as each test says and decodes every
//! request with the OTLP message types (no real receiver here gives these
//! answers on demand, or stores deltas: VictoriaMetrics 1.112 drops delta
//! sums). Deltas add up to what was recorded across failed pushes; a 503's
//! `Retry-After` is waited out; a `partial_success` counts the points it
//! names as rejected and is logged once; a 400 drops the request, a 429
//! retries it.

use enumeter_suite::support;
use support::otlp_receiver::Receiver;

use std::time::{Duration, Instant};

use enumeter::push::otlp::Otlp;
use enumeter::{metrics, Registry};
use enumeter_proto::otlp::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse, Metric,
};
use prost::Message;

/// What the tests record.
#[metrics(namespace = "answers", register = false)]
pub enum Answers {
    /// Jobs done.
    #[counter]
    JobsTotal,
    /// Job time.
    #[histogram(unit = "seconds", buckets = [0.25, 0.5])]
    Duration,
    /// Job time, native buckets.
    #[histogram(
        unit = "seconds",
        native(schema = 1, zero_threshold = 0.001, max = 160)
    )]
    Native,
}

/// The metric named `name` of a request.
fn metric<'r>(request: &'r ExportMetricsServiceRequest, name: &str) -> &'r Metric {
    request.resource_metrics[0].scope_metrics[0]
        .metrics
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} in {request:?}"))
}

#[test]
fn deltas_add_up_to_what_was_recorded_across_failed_pushes_and_retry_after_is_waited_out() {
    static ANSWERS: AnswersMetrics = AnswersMetrics::new();
    // The first three requests meet a 503; the first asks for 1 s.
    let receiver = Receiver::start(|n| match n {
        0 => (503, "Retry-After: 1\r\n", Vec::new()),
        1 | 2 => (503, "", Vec::new()),
        _ => (200, "", Vec::new()),
    });
    let pusher = Otlp::new()
        .metrics_endpoint(&format!("{}/v1/metrics", receiver.url))
        .registry(Registry::new().with(&ANSWERS))
        .delta(true)
        .gzip(true)
        .interval(Duration::from_millis(50))
        .backoff(Duration::from_millis(10), Duration::from_millis(40))
        .start()
        .unwrap();
    // Recorded between samplings, while the pushes fail and after.
    let values = [0.1, 0.3, 0.7, 0.0005, 2.0, 0.4];
    for i in 0..60u64 {
        ANSWERS.jobs_total().add(i % 7);
        let v = values[i as usize % values.len()];
        ANSWERS.duration().observe(v);
        ANSWERS.native().observe(v);
        std::thread::sleep(Duration::from_millis(25));
    }
    let stats = pusher.shutdown();
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.retries, 3, "{stats:?}");

    let received = receiver.received();
    // A 503's Retry-After is waited out; the next failures back off.
    assert!(
        received[1].at - received[0].at >= Duration::from_secs(1),
        "{:?}",
        received[1].at - received[0].at
    );
    let head = received[0].headers.to_ascii_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");
    // The failed request is sent again as it was: its deltas are not lost.
    assert_eq!(received[0].request, received[3].request);
    let accepted: Vec<&ExportMetricsServiceRequest> = received
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| &r.request)
        .collect();
    assert_eq!(accepted.len() as u64, stats.samplings);

    let (mut jobs, mut count, mut buckets, mut native_count, mut native_zero) =
        (0, 0, vec![0u64; 3], 0, 0);
    let mut previous_time = None;
    for request in &accepted {
        let sum = metric(request, "answers_jobs_total").sum.as_ref().unwrap();
        assert_eq!((sum.aggregation_temporality, sum.is_monotonic), (1, true));
        let point = &sum.data_points[0];
        // Each delta starts where the previous one ended.
        if let Some(previous) = previous_time {
            assert_eq!(point.start_time_unix_nano, previous);
        }
        previous_time = Some(point.time_unix_nano);
        jobs += point.as_int.unwrap() as u64;

        let histogram = metric(request, "answers_duration_seconds")
            .histogram
            .as_ref()
            .unwrap();
        assert_eq!(histogram.aggregation_temporality, 1);
        let point = &histogram.data_points[0];
        count += point.count;
        assert_eq!(point.bucket_counts.iter().sum::<u64>(), point.count);
        for (total, n) in buckets.iter_mut().zip(&point.bucket_counts) {
            *total += n;
        }

        let native = metric(request, "answers_native_seconds")
            .exponential_histogram
            .as_ref()
            .unwrap();
        assert_eq!(native.aggregation_temporality, 1);
        let point = &native.data_points[0];
        let in_buckets: u64 = point
            .positive
            .iter()
            .flat_map(|b| &b.bucket_counts)
            .sum::<u64>()
            + point.zero_count;
        assert_eq!(in_buckets, point.count);
        native_count += point.count;
        native_zero += point.zero_count;
    }
    assert_eq!(jobs, ANSWERS.jobs_total().get());
    let snapshot = ANSWERS.duration().snapshot();
    assert_eq!(count, snapshot.count());
    let cumulative: Vec<u64> = buckets
        .iter()
        .scan(0, |below, n| {
            *below += n;
            Some(*below)
        })
        .collect();
    assert_eq!(cumulative.as_slice(), snapshot.cumulative.as_slice());
    assert_eq!(native_count, 60);
    assert_eq!(native_zero, 10); // 0.0005 is within the zero threshold
    println!(
        "{} samplings, 3 failed pushes retried (the first after its Retry-After of 1 s: {:?}); \
         deltas add up to {jobs} jobs and {count} observations",
        stats.samplings,
        received[1].at - received[0].at
    );
}

#[test]
fn a_partial_success_counts_the_points_it_names_as_rejected_and_is_logged_once() {
    support::log_capture::install();
    static ANSWERS: AnswersMetrics = AnswersMetrics::new();
    ANSWERS.jobs_total().inc();
    let refusal = ExportMetricsServiceResponse {
        partial_success: Some(ExportMetricsPartialSuccess {
            rejected_data_points: 1,
            error_message: "metric name not allowed".into(),
        }),
    }
    .encode_to_vec();
    let receiver = Receiver::start(move |_| (200, "", refusal.clone()));
    let url = format!("{}/v1/metrics", receiver.url);
    let pusher = Otlp::new()
        .metrics_endpoint(&url)
        .registry(Registry::new().with(&ANSWERS))
        .interval(Duration::from_millis(20))
        .start()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while pusher.stats().requests_sent < 3 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    let stats = pusher.shutdown();
    // Three points a sampling, one of each refused.
    assert!(stats.requests_sent >= 3, "{stats:?}");
    assert_eq!(stats.dropped_rejected, stats.requests_sent, "{stats:?}");
    assert_eq!(stats.samples_sent, 2 * stats.requests_sent, "{stats:?}");
    assert_eq!(stats.retries, 0, "{stats:?}");
    let warnings: Vec<String> = support::log_capture::records()
        .into_iter()
        .filter(|(level, target, message)| {
            *level == log::Level::Warn && target == "enumeter" && message.contains(&url)
        })
        .map(|(_, _, message)| message)
        .collect();
    assert_eq!(
        warnings,
        [format!(
            "OTLP: {url} took the request but refused 1 points: metric name not allowed"
        )]
    );
}

#[test]
fn a_400_drops_the_request_and_a_429_is_sent_again() {
    static ANSWERS: AnswersMetrics = AnswersMetrics::new();
    let receiver = Receiver::start(|n| match n {
        0 => (400, "", b"bad request".to_vec()),
        1 => (429, "", Vec::new()),
        _ => (200, "", Vec::new()),
    });
    let pusher = Otlp::new()
        .metrics_endpoint(&format!("{}/v1/metrics", receiver.url))
        .registry(Registry::new().with(&ANSWERS))
        .interval(Duration::from_secs(3600))
        .backoff(Duration::from_millis(10), Duration::from_millis(10))
        .start()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while receiver.received().is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    let stats = pusher.shutdown(); // the last sampling: a 429, then a 200
    assert_eq!(stats.samplings, 2, "{stats:?}");
    assert_eq!(stats.dropped_rejected, 3, "{stats:?}");
    assert_eq!(stats.retries, 1, "{stats:?}");
    assert_eq!(stats.samples_sent, 3, "{stats:?}");
    let statuses: Vec<u16> = receiver.received().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 429, 200]);
}
