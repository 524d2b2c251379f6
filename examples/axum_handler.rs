//! Serving the default registry from an axum handler, for services that
//! already run an HTTP stack: the same negotiation and bytes as enumeter's
//! own exporter, on the application's router.
//!
//! ```text
//! cargo run --example axum_handler                 # 127.0.0.1:9899
//! cargo run --example axum_handler -- 127.0.0.1:0  # any free port
//! ```
//!
//! Serves for `ENUMETER_SERVE_SECS` seconds (default 600), then exits.
//! Prefer `enumeter::Exporter` when `/metrics` must stay reachable while the
//! application's own request limits are exhausted: it runs on threads of its
//! own.

mod common;

use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use enumeter::{metrics, Format};

/// Web application metrics.
#[metrics(namespace = "app")]
pub enum App {
    /// Greetings served.
    #[counter]
    GreetingsTotal,
}

async fn hello() -> &'static str {
    App::greetings_total().inc();
    "hello\n"
}

/// `/metrics`: the format the client asks for, with its content type.
async fn metrics(headers: HeaderMap) -> impl IntoResponse {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::from_accept(accept);
    let mut body = Vec::new();
    enumeter::render_into(format, &mut body);
    ([(header::CONTENT_TYPE, format.content_type())], body)
}

#[tokio::main]
async fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9899".to_owned());
    let serve_for = common::serve_for();
    let app = Router::new()
        .route("/hello", get(hello))
        .route("/metrics", get(metrics));
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
