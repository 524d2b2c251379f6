//! From a slow bucket to the trace that landed in it (feature `trace`): an
//! axum service traced with `tracing`, `tracing-opentelemetry` and the
//! OpenTelemetry SDK, whose request metrics carry, per bucket, the trace and
//! span ids of a request that landed there, without a line of code in the
//! handlers.
//!
//! ```text
//! cargo run --example traced_service --features enumeter-examples/trace                 # 127.0.0.1:9897
//! cargo run --example traced_service --features enumeter-examples/trace -- 127.0.0.1:0  # any free port
//! curl -H 'x-tenant: acme' http://127.0.0.1:9897/slow
//! curl -H 'Accept: application/openmetrics-text' http://127.0.0.1:9897/metrics
//! ```
//!
//! - `TraceLayer` (tower-http) makes a span per request; with
//!   `tracing-opentelemetry` it is an OpenTelemetry span, current while the
//!   request's service runs. `RequestMetricsLayer`, inside it, keeps that
//!   context and makes it current again when it records the request's end
//!   (after the body was sent, outside the span): the request histogram,
//!   declared `exemplars = trace`, keeps the request's ids.
//! - `traced_handler_duration_seconds` is a native histogram (with classic
//!   buckets) declared `exemplars = trace` and timed inside the handlers:
//!   its exemplars carry the handler's own span (`slow` is
//!   `#[tracing::instrument]`ed), over protobuf on the native buckets too.
//! - `Tenants` is a `RequestMetrics` of its own: it reads the `x-tenant`
//!   header of each request into a runtime label (two tenants, then
//!   `other`) and leaves the scrapes of `/metrics` out.
//! - The objectives of `http_server_metrics!` leave `/metrics` out of their
//!   ratios: `cargo run --example traced_service ... -- --rules DIR` writes
//!   `rules.yml` and `rules.test.yml` instead of serving.
//!
//! `GET /fast` answers at once (`/fast?fail` with a 500), `GET /slow` after
//! 300 ms. Spans are kept by the SDK's in-memory exporter (the tests read
//! them back from it); a service exports them with the OTLP exporter
//! instead. Each request's trace id is printed, to compare with what
//! `/metrics` shows. Serves for `ENUMETER_SERVE_SECS` seconds (default 600).

use std::time::Duration;

use axum::extract::RawQuery;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use enumeter::tower::{Finished, MetricsService, RequestMetrics, RequestMetricsLayer, Started};
use enumeter::{http_server_metrics, metrics, runtime_label, LabelValue};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tower_http::trace::TraceLayer;
use tracing_subscriber::layer::SubscriberExt;

/// The routes, as the request metrics label them; anything else is `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    /// `/fast`
    Fast,
    /// `/slow`
    Slow,
    /// `/metrics`
    Metrics,
    /// Everything else.
    #[label(other)]
    Other,
}

/// The route of a request, from its path.
pub fn route_of<B>(request: &Request<B>) -> Route {
    match request.uri().path() {
        "/fast" => Route::Fast,
        "/slow" => Route::Slow,
        "/metrics" => Route::Metrics,
        _ => Route::Other,
    }
}

// http_server_requests_total, http_server_request_duration_seconds (its
// buckets keeping the trace of a request that landed in them) and
// http_server_requests_in_flight; an availability and a latency objective
// that leave the scrapes of /metrics out.
http_server_metrics!(pub HttpServer, route = Route,
    exemplars = trace,
    availability(name = "traced-availability", target = 0.99, by = [route],
        exclude(route = [Metrics])),
    latency(name = "traced-latency", target = 0.99, below = 0.5,
        exclude(route = [Metrics])));

/// The handlers' own work.
#[metrics(namespace = "traced")]
pub enum Work {
    /// Time the handlers worked, by route: native buckets beside classic
    /// ones, each bucket keeping the trace of an observation in it.
    #[histogram(
        unit = "seconds",
        buckets = [0.01, 0.1, 0.25, 1],
        native(schema = 3, zero_threshold = 1e-6, max = 60),
        exemplars = trace
    )]
    HandlerDuration { route: Route },
}

runtime_label! {
    /// The tenant a request names in its `x-tenant` header: the first two
    /// seen, then `other`.
    pub struct Tenant: capacity = 2;
}

/// Requests by tenant.
#[metrics(namespace = "traced", sparse)]
pub enum Tenants {
    /// Requests answered, by tenant and status class (scrapes of
    /// `/metrics` are not counted).
    #[counter]
    TenantRequestsTotal {
        tenant: Tenant,
        status: enumeter::tower::StatusClass,
    },
}

impl RequestMetrics for Tenants {
    type Route = Route;
    type Kept = Tenant;

    fn started(request: &Started<'_, Route>) -> Option<Tenant> {
        if request.route == Route::Metrics {
            return None;
        }
        // No header, one that is no label value, or a third tenant: other.
        let tenant = request.headers.get("x-tenant");
        Some(
            tenant
                .and_then(|value| Tenant::intern_bytes(value.as_bytes()).ok())
                .unwrap_or(Tenant::OTHER),
        )
    }

    fn finished(request: &Finished<Route>, tenant: Tenant) {
        Tenants::tenant_requests_total(tenant, request.status).inc();
    }
}

/// `/fast`: at once; with `?fail`, a 500.
async fn fast(RawQuery(query): RawQuery) -> StatusCode {
    let _timer = Work::handler_duration(Route::Fast).start_timer();
    print_trace("fast");
    if query.as_deref() == Some("fail") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// `/slow`: after 300 ms, in a span of its own.
#[tracing::instrument]
async fn slow() -> &'static str {
    let _timer = Work::handler_duration(Route::Slow).start_timer();
    print_trace("slow");
    tokio::time::sleep(Duration::from_millis(300)).await;
    "slow\n"
}

/// Prints the current trace id, to find it in `/metrics` (the example's
/// output, not the library's: enumeter prints nothing).
fn print_trace(route: &str) {
    if let Some(ids) = enumeter::trace::TraceIds::current() {
        let hex: String = ids.trace_id.iter().map(|b| format!("{b:02x}")).collect();
        println!("{route}: trace {hex}");
    }
}

/// The service: its routes, `/metrics`, the request metrics inside the
/// span `TraceLayer` makes per request.
pub fn router() -> Router {
    Router::new()
        .route("/fast", get(fast))
        .route("/slow", get(slow))
        .route_service("/metrics", MetricsService::new())
        .layer(RequestMetricsLayer::<Tenants, _>::new(route_of))
        .layer(RequestMetricsLayer::<HttpServer, _>::new(route_of))
        // Added last, so it runs first: its span is current in the layers
        // above.
        .layer(TraceLayer::new_for_http())
}

/// `tracing` spans as OpenTelemetry spans, kept in `exporter` when they end;
/// the returned provider must live as long as spans are made.
pub fn install_tracing(exporter: InMemorySpanExporter) -> SdkTracerProvider {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .build();
    let tracer = provider.tracer("traced_service");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        log_and_exit("a tracing subscriber was already installed");
    }
    provider
}

fn log_and_exit(why: &str) -> ! {
    eprintln!("{why}");
    std::process::exit(1);
}

/// `--rules DIR`: the objectives' rules and their promtool tests.
fn write_rules(dir: &str) {
    let rules = enumeter::objectives::RuleSet::new().with(HttpServer::objectives());
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(format!("{dir}/rules.yml"), rules.prometheus_rules()))
        .and_then(|()| {
            std::fs::write(
                format!("{dir}/rules.test.yml"),
                rules.promtool_tests("rules.yml"),
            )
        });
    if let Err(e) = written {
        log_and_exit(&format!("cannot write to {dir}: {e}"));
    }
    println!("wrote {dir}/rules.yml and {dir}/rules.test.yml");
}

#[tokio::main]
#[allow(dead_code)] // the tests include this file for its router
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = args.as_slice() {
        if flag == "--rules" {
            write_rules(dir);
            return;
        }
    }
    let address = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9897".to_owned());
    let serve_for = std::env::var("ENUMETER_SERVE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(600), Duration::from_secs);
    let _provider = install_tracing(InMemorySpanExporter::default());
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => log_and_exit(&format!("cannot serve on {address}: {e}")),
    };
    println!("serving http://{}/metrics", listener.local_addr().unwrap());
    // Bounded: stop after `serve_for`.
    let _ = tokio::time::timeout(serve_for, axum::serve(listener, router())).await;
}
