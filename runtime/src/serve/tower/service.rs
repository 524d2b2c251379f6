//! `/metrics` as a tower service inside the application's own server: the
//! exporter's negotiation, gzip and credentials (the same code decides),
//! on the application's router, with no thread or port of its own.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use crate::read::registry::Registry;
use crate::serve;

/// Answers `GET` and `HEAD` with the registry in the format the request's
/// `Accept` prefers (OpenMetrics, the Prometheus text format, or with the
/// `protobuf` feature the protobuf exposition), gzipped
/// when the client accepts it and the `gzip` feature is on; `401` without
/// the required credentials; `405` for other methods; `500` when a render
/// panics. Which path it answers is the router's business.
///
/// ```
/// use enumeter::tower::MetricsService;
/// use std::future::Future;
/// use std::task::{Context, Poll, Waker};
/// use tower_service::Service;
///
/// let mut service = MetricsService::builder().bearer_token("s3cret").build().unwrap();
/// let request = http::Request::get("/metrics")
///     .header("Authorization", "Bearer s3cret")
///     .header("Accept", "application/openmetrics-text; version=1.0.0")
///     .body(())
///     .unwrap();
/// let mut answer = std::pin::pin!(service.call(request));
/// let Poll::Ready(Ok(response)) = answer.as_mut().poll(&mut Context::from_waker(Waker::noop()))
/// else { unreachable!("it answers at once") };
/// assert_eq!(response.status(), 200);
/// let content_type = response.headers()["content-type"].to_str().unwrap();
/// assert!(content_type.starts_with("application/openmetrics-text"));
/// ```
///
/// With axum: `Router::new().route_service("/metrics", MetricsService::new())`.
#[derive(Clone)]
pub struct MetricsService {
    served: serve::Served,
}

impl Default for MetricsService {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MetricsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsService")
            .field("served", &self.served)
            .finish()
    }
}

impl MetricsService {
    /// Serves the default registry, without credentials, gzipped for
    /// clients that accept it when the `gzip` feature is on.
    pub fn new() -> Self {
        MetricsServiceBuilder::default()
            .build()
            .expect("the default options are valid")
    }

    /// A service with options: set them, then [`build`](MetricsServiceBuilder::build)
    /// checks them all, as `Exporter::start` (feature `http`) does for
    /// the standalone server.
    pub fn builder() -> MetricsServiceBuilder {
        MetricsServiceBuilder::default()
    }

    /// The answer to `request`.
    fn answer<B>(&self, request: &http::Request<B>) -> http::Response<MetricsBody> {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        let method = request.method().as_str();
        let head_only = method == "HEAD";
        if let Some(refusal) = self.served.refusal(method, true, header("authorization")) {
            return plain(refusal.status, refusal.reason, refusal.extra, head_only);
        }
        let mut render = Vec::new();
        let mut compressed = Vec::new();
        let (format, gzip) = self
            .served
            .negotiate(header("accept"), header("accept-encoding"));
        let rendered = self
            .served
            .render_as(format, gzip, &mut render, &mut compressed);
        let Ok(rendered) = rendered else {
            return plain(500, "Internal Server Error", None, head_only);
        };
        let body = if rendered.gzip { compressed } else { render };
        let mut response = http::Response::builder()
            .status(200)
            .header(http::header::CONTENT_TYPE, rendered.format.content_type())
            .header(http::header::CONTENT_LENGTH, body.len());
        if rendered.gzip {
            response = response
                .header(http::header::CONTENT_ENCODING, "gzip")
                .header(http::header::VARY, "Accept-Encoding");
        }
        let body = if head_only { Vec::new() } else { body };
        response
            .body(MetricsBody::new(body))
            .unwrap_or_else(|_| plain(500, "Internal Server Error", None, head_only))
    }
}

/// The options of a [`MetricsService`], checked together by
/// [`build`](Self::build).
#[derive(Debug)]
#[must_use = "a builder serves nothing until `build` is called"]
pub struct MetricsServiceBuilder {
    options: serve::Options,
}

impl Default for MetricsServiceBuilder {
    fn default() -> Self {
        Self {
            options: serve::Options::new(),
        }
    }
}

impl MetricsServiceBuilder {
    /// Serves `registry` (a `Registry` or an `Arc` of one, to share it)
    /// instead of the default one.
    pub fn registry(mut self, registry: impl Into<Arc<Registry<'static>>>) -> Self {
        self.options.registry(registry.into());
        self
    }

    /// Requires `Authorization: Bearer <token>` (compared in constant
    /// time); other requests get `401`. [`build`](Self::build) refuses a
    /// token no request could carry: empty (it would admit every request
    /// that names the scheme) or with anything but visible ASCII.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.options.bearer_token(token);
        self
    }

    /// Requires HTTP basic auth (compared in constant time); other
    /// requests get `401`. [`build`](Self::build) refuses a user with a `:`
    /// (RFC 7617) and either with control characters.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.options.basic_auth(user, password);
        self
    }

    /// Whether to gzip for clients that accept it (on by default with the
    /// `gzip` feature; without it, never).
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.options.gzip(gzip);
        self
    }

    /// Writes created timestamps (off unless set): see
    /// [`created`](crate::created).
    pub fn created_timestamps(mut self, on: bool) -> Self {
        self.options.created_timestamps(on);
        self
    }

    /// The service, once every option is checked: an option that cannot
    /// work is an [`io::ErrorKind::InvalidInput`] error naming the option
    /// and what it accepts, in the exporter's words.
    pub fn build(self) -> io::Result<MetricsService> {
        Ok(MetricsService {
            served: self.options.checked("MetricsService")?,
        })
    }
}

/// A plain-text answer whose body is the reason.
fn plain(
    status: u16,
    reason: &'static str,
    extra: Option<(&'static str, &'static str)>,
    head_only: bool,
) -> http::Response<MetricsBody> {
    let mut response = http::Response::new(MetricsBody::new(if head_only {
        Vec::new()
    } else {
        reason.as_bytes().to_vec()
    }));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Some((name, value)) = extra {
        headers.insert(name, http::HeaderValue::from_static(value));
    }
    response
}

impl<B> tower_service::Service<http::Request<B>> for MetricsService {
    type Response = http::Response<MetricsBody>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    /// Renders at once: the future is ready.
    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        ready(Ok(self.answer(&request)))
    }
}

/// The body of a [`MetricsService`] answer: the rendered bytes, in one
/// frame.
#[derive(Debug, Default)]
pub struct MetricsBody(Option<Bytes>);

impl MetricsBody {
    fn new(bytes: Vec<u8>) -> Self {
        Self((!bytes.is_empty()).then(|| Bytes::from(bytes)))
    }
}

impl Body for MetricsBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().0.take().map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::MetricsService;

    #[test]
    fn an_empty_bearer_token_is_refused_by_build() {
        let error = MetricsService::builder()
            .bearer_token("")
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(
            error.to_string(),
            "MetricsService option `bearer_token`: accepted: one or more visible ASCII characters"
        );
    }

    #[test]
    fn a_basic_auth_user_with_a_colon_is_refused_by_build() {
        let error = MetricsService::builder()
            .basic_auth("a:b", "c")
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "MetricsService option `basic_auth`: accepted: a user without `:` and a password, \
             neither with control characters"
        );
    }
}
