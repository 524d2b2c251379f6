//! A native histogram's count goes with its buckets in every output that
//! carries them, while values are being recorded: the classic reading
//! (sum, classic buckets) and the native one are taken one after the
//! other, so a value recorded in between is in the one and not the other.
//! OTLP's exponential point says exactly how many values its buckets hold
//! (the spec requires it, and deltas are taken from it); a remote-write
//! native histogram says as much; the protobuf exposition, which carries
//! classic and native buckets in one message, gives a count that covers
//! both (Prometheus refuses a native count below its buckets' total).
//! CI once caught OTLP sending a count one below its buckets.

use std::sync::atomic::{AtomicBool, Ordering};

use enumeter::push::encode_write_request;
use enumeter::push::otlp::encode_export_request;
use enumeter::{metrics, Format, Registry};
use enumeter_proto::exposition::decode_families;
use enumeter_proto::otlp::ExportMetricsServiceRequest;
use enumeter_proto::remote_write::WriteRequest;
use prost::Message;

/// Latencies, recorded by one thread while another reads.
#[metrics(namespace = "busy", register = false)]
pub enum Busy {
    /// Native buckets alone.
    #[histogram(unit = "seconds", native(schema = 2, max = 100))]
    Native,
    /// Native buckets beside classic ones.
    #[histogram(unit = "seconds", buckets = [0.25, 1], native(schema = 2, max = 100))]
    Both,
}

static BUSY: BusyMetrics = BusyMetrics::new();

/// How many readings of each output are checked.
const READINGS: usize = 400;

/// Runs `check` `READINGS` times while a thread observes into both
/// histograms without pause, and returns how many values it recorded.
fn while_recording(mut check: impl FnMut(&Registry<'_>)) -> u64 {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let recorder = scope.spawn(|| {
            let values = [0.1, 0.3, 0.7, 2.0, 5.0];
            let mut n = 0u64;
            // Bounded, should the reader's assertion fail and never stop it.
            while !stop.load(Ordering::Relaxed) && n < 200_000_000 {
                let v = values[n as usize % values.len()];
                BUSY.native().observe(v);
                BUSY.both().observe(v);
                n += 1;
            }
            n
        });
        let registry = Registry::new().with(&BUSY);
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for _ in 0..READINGS {
                check(&registry);
            }
        }));
        stop.store(true, Ordering::Relaxed);
        let recorded = recorder.join().unwrap();
        if let Err(panic) = checked {
            std::panic::resume_unwind(panic);
        }
        recorded
    })
}

/// The total of counts written as differences from the one before.
fn total_of_deltas(deltas: &[i64]) -> u64 {
    let (mut count, mut total) = (0i64, 0u64);
    for delta in deltas {
        count += delta;
        total += count as u64;
    }
    total
}

#[test]
fn an_otlp_exponential_point_counts_exactly_what_its_buckets_hold() {
    let mut points = 0;
    let recorded = while_recording(|registry| {
        let bytes = encode_export_request(registry, &[("service.name", "busy")], 1);
        let request = ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
        for metric in &request.resource_metrics[0].scope_metrics[0].metrics {
            let histogram = metric.exponential_histogram.as_ref().unwrap();
            for point in &histogram.data_points {
                let in_buckets: u64 = [&point.positive, &point.negative]
                    .into_iter()
                    .flatten()
                    .flat_map(|b| &b.bucket_counts)
                    .sum::<u64>()
                    + point.zero_count;
                assert_eq!(point.count, in_buckets, "{}", metric.name);
                points += 1;
            }
        }
    });
    println!("{points} points read while {recorded} values were recorded");
}

#[test]
fn a_remote_write_native_histogram_counts_exactly_what_its_buckets_hold() {
    let mut histograms = 0;
    let recorded = while_recording(|registry| {
        let bytes = encode_write_request(registry, &[], 1);
        let request = WriteRequest::decode(bytes.as_slice()).unwrap();
        for histogram in request.timeseries.iter().flat_map(|s| &s.histograms) {
            let in_buckets = total_of_deltas(&histogram.positive_deltas)
                + total_of_deltas(&histogram.negative_deltas)
                + histogram.zero_count_int;
            assert_eq!(histogram.count_int, in_buckets);
            histograms += 1;
        }
    });
    assert!(histograms > 0);
    println!("{histograms} histograms read while {recorded} values were recorded");
}

#[test]
fn a_protobuf_scrape_counts_at_least_what_its_native_and_classic_buckets_hold() {
    let mut histograms = 0;
    let recorded = while_recording(|registry| {
        let mut bytes = Vec::new();
        registry.render_into(Format::Protobuf, &mut bytes);
        for family in decode_families(&bytes).unwrap() {
            for metric in &family.metric {
                let histogram = metric.histogram.as_ref().unwrap();
                let native = total_of_deltas(&histogram.positive_delta)
                    + total_of_deltas(&histogram.negative_delta)
                    + histogram.zero_count;
                let classic = histogram.bucket.last().map_or(0, |b| b.cumulative_count);
                assert!(
                    histogram.sample_count >= native.max(classic),
                    "{}: count {}, native buckets {native}, classic {classic}",
                    family.name,
                    histogram.sample_count
                );
                histograms += 1;
            }
        }
    });
    assert!(histograms > 0);
    println!("{histograms} histograms read while {recorded} values were recorded");
}
