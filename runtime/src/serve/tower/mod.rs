//! Tokio and tower services (feature `tower`): request metrics as a
//! [`tower_layer::Layer`], and `/metrics` as a [`tower_service::Service`]
//! inside the application's own server. Both work with any framework built
//! on tower and `http` 1.x (axum, tonic, hyper with hyper-util), and need
//! no thread or port of their own.
//!
//! ```
//! use enumeter::tower::{MetricsService, RequestMetricsLayer};
//! use enumeter::{http_server_metrics, LabelValue};
//!
//! /// The routes of this service; anything else is `other`.
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
//! #[label(rename_all = "snake_case")]
//! pub enum Route {
//!     Tts,
//!     Stt,
//!     #[label(other)]
//!     Other,
//! }
//!
//! // `http_server_requests_total{method,status,route}`,
//! // `http_server_request_duration_seconds{method,status,route}`,
//! // `http_server_requests_in_flight{method,route}`.
//! http_server_metrics!(pub HttpServer, route = Route);
//!
//! let layer = RequestMetricsLayer::<HttpServer, _>::new(|request: &http::Request<()>| {
//!     match request.uri().path() {
//!         "/tts" => Route::Tts,
//!         "/stt" => Route::Stt,
//!         _ => Route::Other,
//!     }
//! });
//! let metrics = MetricsService::new();
//! # let _ = (layer, metrics);
//! ```
//!
//! With axum: `Router::new().route(...).route_service("/metrics",
//! MetricsService::new()).layer(layer)`.

mod labels;
mod layer;
mod service;

pub use labels::{HttpMethod, RequestMethod, StatusClass, CLIENT_CLOSED_REQUEST};
pub use layer::{
    Finished, MeteredBody, MeteredFuture, RequestMetered, RequestMetrics, RequestMetricsLayer,
    Started,
};
pub use service::{MetricsBody, MetricsService, MetricsServiceBuilder};

/// Declares the conventional HTTP server metrics as a group named `$name`
/// with the route label `$route` (a label enum of your own), and makes it
/// a [`RequestMetrics`] for [`RequestMetricsLayer`]:
///
/// - `http_server_requests_total{method, status, route}`, a counter;
/// - `http_server_request_duration_seconds{method, status, route}`, a
///   histogram (5 ms to 10 s), to the last byte of the response;
/// - `http_server_requests_in_flight{method, route}`, a gauge.
///
/// `method` is an [`HttpMethod`], `status` a [`StatusClass`] (a client that
/// left before the end counts as `4xx`, code 499).
///
/// The group is sparse (`#[metrics(sparse)]`): of the cross product of
/// methods, status classes and routes, only the series that requests
/// reached are written out.
///
/// ```
/// use enumeter::{http_server_metrics, LabelValue, Format};
/// use enumeter::tower::{Finished, HttpMethod, RequestMetrics, Started};
/// use std::time::Duration;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Route { Home, #[label(other)] Other }
///
/// http_server_metrics!(pub Web, route = Route);
///
/// let request = http::Request::get("/").body(()).unwrap();
/// let kept = Web::started(&Started::of(&request, Route::Home)).unwrap();
/// Web::finished(&Finished::new(HttpMethod::Get, Route::Home, 200, Duration::from_millis(12)), kept);
/// let text = enumeter::render(Format::Prometheus);
/// assert!(text.contains(
///     "http_server_requests_total{method=\"get\",status=\"2xx\",route=\"home\"} 1\n"
/// ));
/// // Sparse: no series for the requests that never came.
/// assert!(!text.contains("route=\"other\""));
/// ```
///
/// **Options**, after the route and in this order, each optional:
///
/// - `names = opentelemetry`: the names of OpenTelemetry's HTTP semantic
///   conventions, so that one dashboard reads a team's OpenTelemetry and
///   enumeter services alike: `http.server.request.duration` (in seconds:
///   `http.server.request.duration_seconds` in the Prometheus formats, as
///   a Prometheus 3 receiver names an OpenTelemetry histogram with its
///   default translation, and `http.server.request.duration` in `s` over
///   OTLP), `http.server.active_requests`, and
///   `http.server.requests_total` (no convention counts requests apart
///   from the duration's count; the availability objective reads it), by
///   `http.request.method`, `http.route` and `http.response.status_code`,
///   which holds the status class (`5xx`: a query's `=~"5.."` matches it
///   as it matches a code). A scraper that cannot read these names gets
///   them escaped (`http_server_request_duration_seconds`).
///
///   ```
///   use enumeter::{http_server_metrics, Escaping, Exposition, LabelValue};
///   use enumeter::tower::{Finished, HttpMethod, RequestMetrics, Started};
///   use std::time::Duration;
///
///   #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
///   #[label(rename_all = "lowercase")]
///   pub enum Route { Home, #[label(other)] Other }
///
///   http_server_metrics!(pub Otel, route = Route, names = opentelemetry);
///
///   let request = http::Request::get("/").body(()).unwrap();
///   let kept = Otel::started(&Started::of(&request, Route::Home)).unwrap();
///   let took = Duration::from_millis(12);
///   Otel::finished(&Finished::new(HttpMethod::Get, Route::Home, 503, took), kept);
///   let utf8 = Exposition::prometheus_text_1().with_escaping(Escaping::AllowUtf8);
///   let text = enumeter::render(utf8);
///   assert!(text.contains(
///       "{\"http.server.request.duration_seconds_count\",\"http.request.method\"=\"GET\",\
///        \"http.response.status_code\"=\"5xx\",\"http.route\"=\"home\"} 1\n"
///   ));
///   assert!(text.contains(
///       "{\"http.server.active_requests\",\"http.request.method\"=\"GET\",\"http.route\"=\"home\"} 0\n"
///   ));
///   ```
/// - `exemplars = trace` (feature `trace`): the duration histogram keeps,
///   per bucket, the trace and span ids of a request that landed in it
///   (the layer makes the request's context current when it records).
/// - `availability(...)`: an objective on the requests counter whose bad
///   events are `status="5xx"`; inside the parentheses, the keys of any
///   counter's `objective(...)` but `bad`: `name`, `target`, `by`,
///   `window_days`, `exclude`.
/// - `latency(...)`: an objective on the duration histogram: `name`,
///   `target`, `below` (one of the bucket bounds above), `by`,
///   `window_days`, `exclude`.
///
/// `exclude(route = [Metrics, Health])` leaves those routes' requests out
/// of the objective's ratios (the scrapes of `/metrics` and health checks
/// would otherwise count as good requests); they are still counted in the
/// metrics.
///
/// ```
/// use enumeter::{http_server_metrics, LabelValue};
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Route { Pay, Metrics, Health, #[label(other)] Other }
///
/// http_server_metrics!(pub Api, route = Route,
///     availability(name = "api-availability", target = 0.999, by = [route],
///         exclude(route = [Metrics, Health])),
///     latency(name = "api-latency", target = 0.99, below = 0.25,
///         exclude(route = [Metrics, Health])));
///
/// let rules = enumeter::objectives::RuleSet::new().with(Api::objectives()).prometheus_rules();
/// assert!(rules.contains(r#"http_server_requests_total{status=~"5xx",route!~"metrics|health"}"#));
/// ```
#[macro_export]
macro_rules! http_server_metrics {
    (
        $vis:vis $name:ident, route = $route:ty, names = opentelemetry
        $(, $($option:tt)*)?
    ) => {
        $crate::http_server_metrics! {
            @group $vis $name, $route, $crate::tower::RequestMethod,
            [
                "http.server.requests_total",
                "http.server.request.duration",
                "http.server.active_requests"
            ],
            ["http.request.method", "http.response.status_code", "http.route"]
            $(, $($option)*)?
        }
    };
    (
        $vis:vis $name:ident, route = $route:ty
        $(, $($option:tt)*)?
    ) => {
        $crate::http_server_metrics! {
            @group $vis $name, $route, $crate::tower::HttpMethod,
            [
                "http_server_requests_total",
                "http_server_request_duration",
                "http_server_requests_in_flight"
            ],
            ["method", "status", "route"]
            $(, $($option)*)?
        }
    };
    (
        @group $vis:vis $name:ident, $route:ty, $method_ty:ty,
        [$requests:literal, $duration:literal, $in_flight:literal],
        [$method:literal, $status:literal, $route_label:literal]
        $(, exemplars = $trace:ident)?
        $(, availability($($availability:tt)*))?
        $(, latency($($latency:tt)*))?
        $(,)?
    ) => {
        /// HTTP server metrics: requests answered, their duration and those
        /// in flight, by method, status class and route.
        #[$crate::metrics(sparse)]
        $vis enum $name {
            /// HTTP requests answered, by method, status class and route.
            #[counter(
                name = $requests
                $(, objective(
                    bad(status = [$crate::tower::StatusClass::ServerError]),
                    $($availability)*
                ))?
            )]
            RequestsTotal {
                #[label(name = $method)]
                method: $method_ty,
                #[label(name = $status)]
                status: $crate::tower::StatusClass,
                #[label(name = $route_label)]
                route: $route,
            },
            /// Time from a request's arrival to the last byte of its
            /// response, by method, status class and route.
            #[histogram(
                name = $duration,
                unit = "seconds",
                buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
                $(, exemplars = $trace)?
                $(, objective($($latency)*))?
            )]
            RequestDuration {
                #[label(name = $method)]
                method: $method_ty,
                #[label(name = $status)]
                status: $crate::tower::StatusClass,
                #[label(name = $route_label)]
                route: $route,
            },
            /// HTTP requests in progress, by method and route.
            #[gauge(name = $in_flight)]
            RequestsInFlight {
                #[label(name = $method)]
                method: $method_ty,
                #[label(name = $route_label)]
                route: $route,
            },
        }

        impl $crate::tower::RequestMetrics for $name {
            type Route = $route;
            type Kept = ();
            // The request's trace is kept only for exemplars that take it.
            const TRACE_CONTEXT: bool = false $(|| $crate::__private::given(stringify!($trace)))?;

            fn started(request: &$crate::tower::Started<'_, $route>) -> ::core::option::Option<()> {
                let method = <$method_ty as ::core::convert::From<_>>::from(request.method);
                $name::requests_in_flight(method, request.route).inc();
                ::core::option::Option::Some(())
            }

            fn finished(request: &$crate::tower::Finished<$route>, _: ()) {
                let (route, status) = (request.route, request.status);
                let method = <$method_ty as ::core::convert::From<_>>::from(request.method);
                $name::requests_in_flight(method, route).dec();
                $name::requests_total(method, status, route).inc();
                $name::request_duration(method, status, route).observe_duration(request.took);
            }
        }
    };
}
