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

pub use labels::{HttpMethod, StatusClass, CLIENT_CLOSED_REQUEST};
pub use layer::{MeteredBody, MeteredFuture, RequestMetered, RequestMetrics, RequestMetricsLayer};
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
/// use enumeter::tower::{HttpMethod, RequestMetrics, StatusClass};
/// use std::time::Duration;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Route { Home, #[label(other)] Other }
///
/// http_server_metrics!(pub Web, route = Route);
///
/// Web::started(HttpMethod::Get, Route::Home);
/// Web::finished(HttpMethod::Get, Route::Home, StatusClass::Success, Duration::from_millis(12));
/// let text = enumeter::render(Format::Prometheus);
/// assert!(text.contains(
///     "http_server_requests_total{method=\"get\",status=\"2xx\",route=\"home\"} 1\n"
/// ));
/// // Sparse: no series for the requests that never came.
/// assert!(!text.contains("route=\"other\""));
/// ```
#[macro_export]
macro_rules! http_server_metrics {
    ($vis:vis $name:ident, route = $route:ty) => {
        /// HTTP server metrics: requests answered, their duration and those
        /// in flight, by method, status class and route.
        #[$crate::metrics(namespace = "http_server", sparse)]
        $vis enum $name {
            /// HTTP requests answered, by method, status class and route.
            #[counter]
            RequestsTotal {
                method: $crate::tower::HttpMethod,
                status: $crate::tower::StatusClass,
                route: $route,
            },
            /// Time from a request's arrival to the last byte of its
            /// response, by method, status class and route.
            #[histogram(
                unit = "seconds",
                buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
            )]
            RequestDuration {
                method: $crate::tower::HttpMethod,
                status: $crate::tower::StatusClass,
                route: $route,
            },
            /// HTTP requests in progress, by method and route.
            #[gauge]
            RequestsInFlight {
                method: $crate::tower::HttpMethod,
                route: $route,
            },
        }

        impl $crate::tower::RequestMetrics for $name {
            type Route = $route;

            fn started(method: $crate::tower::HttpMethod, route: $route) {
                $name::requests_in_flight(method, route).inc();
            }

            fn finished(
                method: $crate::tower::HttpMethod,
                route: $route,
                status: $crate::tower::StatusClass,
                took: ::core::time::Duration,
            ) {
                $name::requests_in_flight(method, route).dec();
                $name::requests_total(method, status, route).inc();
                $name::request_duration(method, status, route).observe_duration(took);
            }
        }
    };
}
