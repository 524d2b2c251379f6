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
//! Serves for `ENUMETER_SERVE_SECS` seconds (default 600), then exits. With
//! `ENUMETER_REMOTE_WRITE_URL` set (a receiver's `/api/v1/write`), it also
//! pushes the default registry there every second.
//!
//! `http_server_metrics!` declares its metrics sparse: the counter and the
//! histogram declare 360 series each (10 methods × 6 status classes × 6
//! routes, 5,400 sample lines together) and the in-flight gauge 60, and a
//! scrape shows only the series that requests reached.
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
    /// `/users`
    Users,
    /// `/orders` (GET lists, POST places)
    Orders,
    /// `/cart`
    Cart,
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
        "/users" => Route::Users,
        "/orders" => Route::Orders,
        "/cart" => Route::Cart,
        "/metrics" => Route::Metrics,
        _ => Route::Other,
    }
}

async fn hello() -> &'static str {
    App::greetings_total().inc();
    "hello\n"
}

async fn users() -> &'static str {
    "[]\n"
}

async fn orders() -> &'static str {
    "[]\n"
}

async fn place_order() -> (axum::http::StatusCode, &'static str) {
    (axum::http::StatusCode::CREATED, "placed\n")
}

async fn cart() -> (axum::http::StatusCode, &'static str) {
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "cart is down\n",
    )
}

#[tokio::main]
async fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9899".to_owned());
    let serve_for = common::serve_for();
    let app = Router::new()
        .route("/hello", get(hello))
        .route("/users", get(users))
        .route("/orders", get(orders).post(place_order))
        .route("/cart", get(cart))
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
    // Optionally pushed too, from the same registry.
    let remote_write = std::env::var("ENUMETER_REMOTE_WRITE_URL").ok().map(|url| {
        enumeter::push::RemoteWrite::new(&url)
            .interval(std::time::Duration::from_secs(1))
            .start()
            .unwrap_or_else(|e| {
                eprintln!("cannot push to {url}: {e}");
                std::process::exit(1);
            })
    });
    println!("serving http://{}/metrics", listener.local_addr().unwrap());
    let server = axum::serve(listener, app);
    // Bounded: stop after `serve_for`.
    let _ = tokio::time::timeout(serve_for, server).await;
    if let Some(remote_write) = remote_write {
        remote_write.shutdown();
    }
}
