//! The cost of one push sampling of 10,000 and 100,000 counter series, by
//! remote write and by OTLP: reading the registry and writing the
//! `WriteRequest` (or the `ExportMetricsServiceRequest`) protobuf (one
//! step: each encoder writes the wire format as it reads), then compressing
//! it (Snappy for remote write, gzip for OTLP), as
//! `enumeter::push::RemoteWrite` and `enumeter::push::otlp::Otlp` do every
//! interval. Prints JSON (per series: ns for each step, bytes before and
//! after compression), which `scripts/bench.sh` keeps in
//! `target/bench/remote_write.json`.
//!
//! Each round runs every step of both protocols on both sizes, one after
//! the other; each step is timed on its own.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use enumeter::push::otlp::encode_export_request;
use enumeter::push::{encode_write_request, encode_write_request_v2};
use enumeter::{metrics, Registry};

// The generated file also holds `measured`'s copies of the label enums.
#[allow(dead_code)]
mod labels {
    include!(concat!(env!("OUT_DIR"), "/labels.rs"));
}
use labels::enumeter_labels::{Hundred, Thousand};

/// 10,000 series.
#[metrics(namespace = "rw", register = false)]
pub enum Rw10k {
    /// Counters.
    #[counter]
    CountersTotal { a: Hundred, b: Hundred },
}

/// 100,000 series.
#[metrics(namespace = "rw", register = false)]
pub enum Rw100k {
    /// Counters.
    #[counter]
    CountersTotal { a: Hundred, b: Thousand },
}

/// One sampling by each protocol: ns for (remote write's read and encode,
/// snappy, OTLP's read and encode, gzip), and the byte counts before and
/// after compression of each.
fn sample(registry: &Registry<'_>) -> ([f64; 6], [usize; 6]) {
    // The same two labels on every series: external labels for remote
    // write, resource attributes for OTLP.
    let external = [("job", "worker"), ("instance", "worker-7")];
    let t0 = Instant::now();
    let bytes = encode_write_request(registry, &external, 1_700_000_000_000);
    let t1 = Instant::now();
    let compressed = snap::raw::Encoder::new()
        .compress_vec(&bytes)
        .expect("snappy compresses");
    let t2 = Instant::now();
    let otlp = encode_export_request(registry, &external, 1_700_000_000_000_000_000);
    let t3 = Instant::now();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&otlp).expect("gzip compresses");
    let gzipped = gzip.finish().expect("gzip compresses");
    let t4 = Instant::now();
    let v2 = encode_write_request_v2(registry, &external, 1_700_000_000_000);
    let t5 = Instant::now();
    let v2_compressed = snap::raw::Encoder::new()
        .compress_vec(&v2)
        .expect("snappy compresses");
    let t6 = Instant::now();
    let ns = |a: Instant, b: Instant| (b - a).as_nanos() as f64;
    (
        [
            ns(t0, t1),
            ns(t1, t2),
            ns(t2, t3),
            ns(t3, t4),
            ns(t4, t5),
            ns(t5, t6),
        ],
        [
            bytes.len(),
            compressed.len(),
            otlp.len(),
            gzipped.len(),
            v2.len(),
            v2_compressed.len(),
        ],
    )
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(11);
    let small = Rw10kMetrics::new();
    let large = Box::new(Rw100kMetrics::new());
    for (i, a) in Hundred::all().enumerate() {
        for (j, b) in Hundred::all().enumerate() {
            small.counters_total(a, b).add((i * 100 + j) as u64);
        }
        for (j, b) in Thousand::all().enumerate() {
            large.counters_total(a, b).add((i * 1000 + j) as u64);
        }
    }
    let registries = [
        (10_000usize, Registry::new().with(&small)),
        (100_000, Registry::new().with(&*large)),
    ];
    // Warm-up, then interleaved rounds.
    for (_, registry) in &registries {
        sample(registry);
    }
    let mut times: Vec<Vec<[f64; 6]>> = vec![Vec::new(); registries.len()];
    let mut sizes = vec![[0; 6]; registries.len()];
    for _ in 0..rounds {
        for (k, (_, registry)) in registries.iter().enumerate() {
            let (ns, bytes) = sample(registry);
            times[k].push(ns);
            sizes[k] = bytes;
        }
    }
    let mut json = String::from("[");
    for (k, (series, _)) in registries.iter().enumerate() {
        let per_series = |step: usize| {
            let mut v: Vec<f64> = times[k].iter().map(|t| t[step] / *series as f64).collect();
            v.sort_by(f64::total_cmp);
            format!(
                "{{\"median\":{:.2},\"min\":{:.2},\"max\":{:.2}}}",
                v[v.len() / 2],
                v[0],
                v[v.len() - 1]
            )
        };
        let _ = write!(
            json,
            "{}{{\"series\":{series},\"rounds\":{rounds},\"encode_ns\":{},\
             \"snappy_ns\":{},\"bytes\":{},\"compressed_bytes\":{},\
             \"otlp_encode_ns\":{},\"gzip_ns\":{},\"otlp_bytes\":{},\
             \"otlp_gzip_bytes\":{},\"v2_encode_ns\":{},\"v2_snappy_ns\":{},\
             \"v2_bytes\":{},\"v2_compressed_bytes\":{}}}",
            if k > 0 { "," } else { "" },
            per_series(0),
            per_series(1),
            sizes[k][0],
            sizes[k][1],
            per_series(2),
            per_series(3),
            sizes[k][2],
            sizes[k][3],
            per_series(4),
            per_series(5),
            sizes[k][4],
            sizes[k][5]
        );
    }
    json.push(']');
    println!("{json}");
}
