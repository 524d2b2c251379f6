//! `exemplars = trace` with the real OpenTelemetry SDK and
//! `tracing-opentelemetry`: an observation outside any span, or inside a
//! span the sampler did not sample, keeps no exemplar; inside a sampled
//! span, SDK-made or `tracing`-made, it keeps exactly that span's ids, as
//! the SDK's in-memory exporter recorded them.

use enumeter::{metrics, Format, Registry};
use opentelemetry::trace::{Tracer, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, Sampler, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;

/// Work recorded in and out of spans.
#[metrics(namespace = "sampled", register = false)]
pub enum Sampled {
    /// Jobs done.
    #[counter(exemplars = trace)]
    JobsTotal,
    /// Job time.
    #[histogram(unit = "seconds", buckets = [1], exemplars = trace)]
    JobDuration,
    /// Job time, native buckets beside the classic one.
    #[histogram(
        unit = "seconds",
        buckets = [1],
        native(schema = 0, zero_threshold = 1e-9, max = 100),
        exemplars = trace
    )]
    JobNative,
}

/// Records one of each into `metrics`.
fn record(metrics: &SampledMetrics) {
    metrics.jobs_total().inc();
    metrics.job_duration().observe(0.5);
    metrics.job_native().observe(0.25);
}

/// The exemplars' label sets in `metrics`' OpenMetrics exposition, in the
/// order written.
fn exemplars(metrics: &SampledMetrics) -> Vec<String> {
    let text = Registry::new().with(metrics).render(Format::OpenMetrics);
    text.lines()
        .filter_map(|line| {
            let (_, exemplar) = line.split_once(" # ")?;
            Some(
                exemplar
                    .split_once('}')?
                    .0
                    .trim_start_matches('{')
                    .to_owned(),
            )
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn provider(sampler: Sampler) -> (SdkTracerProvider, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_simple_exporter(exporter.clone())
        .build();
    (provider, exporter)
}

/// The labels of an exemplar of the one span `exporter` recorded.
fn span_labels(exporter: &InMemorySpanExporter) -> String {
    let spans = exporter.get_finished_spans().unwrap();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let context = &spans[0].span_context;
    format!(
        "trace_id=\"{}\",span_id=\"{}\"",
        hex(&context.trace_id().to_bytes()),
        hex(&context.span_id().to_bytes())
    )
}

#[test]
fn outside_any_span_nothing_is_kept() {
    let metrics = SampledMetrics::new();
    record(&metrics);
    assert_eq!(metrics.jobs_total().get(), 1);
    assert_eq!(metrics.job_duration().snapshot().count(), 1);
    assert_eq!(exemplars(&metrics), Vec::<String>::new());
}

#[test]
fn in_spans_the_sampler_dropped_nothing_is_kept() {
    let (provider, exporter) = provider(Sampler::AlwaysOff);
    let metrics = SampledMetrics::new();
    provider.tracer("test").in_span("job", |_| record(&metrics));
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("job").in_scope(|| record(&metrics));
    });
    assert_eq!(metrics.jobs_total().get(), 2);
    assert_eq!(metrics.job_native().snapshot().count(), 2);
    assert_eq!(exemplars(&metrics), Vec::<String>::new());
    assert!(exporter.get_finished_spans().unwrap().is_empty());
}

#[test]
fn in_a_sampled_sdk_span_its_ids_are_kept() {
    let (provider, exporter) = provider(Sampler::AlwaysOn);
    let metrics = SampledMetrics::new();
    provider.tracer("test").in_span("job", |_| record(&metrics));
    let labels = span_labels(&exporter);
    // The counter, the classic bucket, the native histogram's classic
    // bucket: each the span's ids.
    assert_eq!(exemplars(&metrics), [labels.as_str(); 3]);
}

#[test]
fn in_a_sampled_tracing_span_its_ids_are_kept() {
    let (provider, exporter) = provider(Sampler::AlwaysOn);
    let metrics = SampledMetrics::new();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("job").in_scope(|| record(&metrics));
        // Left: recorded, nothing kept over the span's exemplars.
        metrics.job_duration().observe(0.75);
    });
    let labels = span_labels(&exporter);
    assert_eq!(exemplars(&metrics), [labels.as_str(); 3]);
    assert_eq!(metrics.job_duration().snapshot().count(), 2);
}
