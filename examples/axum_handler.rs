//! An axum service with request metrics and `/metrics` on its own router
//! (feature `tower`): `RequestMetricsLayer` records every request into the
//! conventional `http_server_*` metrics, labelled by method, status class
//! and a route enum of the application's own; `MetricsService` answers
//! `/metrics` with the same negotiation and bytes as enumeter's exporter,
//! with no thread or port of its own.
//!
//! ```text
//! cargo run --example axum_handler --features enumeter-examples/axum                 # 127.0.0.1:9899
//! cargo run --example axum_handler --features enumeter-examples/axum -- 127.0.0.1:0  # any free port
//! ```
//!
//! Serves for `ENUMETER_SERVE_SECS` seconds (default 600), then exits.
//! Prefer `enumeter::Exporter` when `/metrics` must stay reachable while the
//! application's own request limits are exhausted: it runs on threads of its
//! own.

mod common;

use axum::routing::get;
use axum::Router;
use enumeter::tower::{MetricsService, RequestMetricsLayer};
use enumeter::{http_server_metrics, metrics, LabelValue};

/// Web application metrics.
#[metrics(namespace = "app")]
pub enum App {
    /// Greetings served.
    #[counter]
    GreetingsTotal,
}

/// The routes, as the request metrics label them; anything else is `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    /// `/hello`
    Hello,
    /// `/metrics`
    Metrics,
    /// Everything else.
    #[label(other)]
    Other,
}

// http_server_requests_total, http_server_request_duration_seconds and
// http_server_requests_in_flight, by method, status class and route.
http_server_metrics!(pub HttpServer, route = Route);

fn route_of(request: &axum::http::Request<axum::body::Body>) -> Route {
    match request.uri().path() {
        "/hello" => Route::Hello,
        "/metrics" => Route::Metrics,
        _ => Route::Other,
    }
}

async fn hello() -> &'static str {
    App::greetings_total().inc();
    "hello\n"
}

#[tokio::main]
async fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9899".to_owned());
    let serve_for = common::serve_for();
    let app = Router::new()
        .route("/hello", get(hello))
        // The exporter's negotiation (and gzip, and credentials when
        // asked), on the application's own port.
        .route_service("/metrics", MetricsService::new())
        .layer(RequestMetricsLayer::<HttpServer, _>::new(route_of));
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot serve on {address}: {e}");
            std::process::exit(1);
        }
    };
    println!("serving http://{}/metrics", listener.local_addr().unwrap());
    let server = axum::serve(listener, app);
    // Bounded: stop after `serve_for`.
    let _ = tokio::time::timeout(serve_for, server).await;
}
