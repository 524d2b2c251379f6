//! The request-metrics layer: per request, the in-flight gauge up while it
//! runs, then the request counter and the latency histogram, labelled by
//! method, status class and the user's own route label. The time runs until
//! the response body has been sent; a request whose future or body is
//! dropped before that counts with status 499.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use super::labels::{HttpMethod, StatusClass, CLIENT_CLOSED_REQUEST};
use crate::label::LabelValue;

/// Where the layer records: a metric group (the enum; the layer records
/// into its process-wide instance) with an in-flight gauge, a request
/// counter and a latency histogram. [`http_server_metrics!`] declares one
/// with the conventional names and implements this; a group of your own
/// implements it in a few lines:
///
/// ```
/// use enumeter::tower::{HttpMethod, RequestMetrics, StatusClass};
/// use enumeter::{metrics, LabelValue};
/// use std::time::Duration;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Endpoint { Tts, Stt, #[label(other)] Other }
///
/// /// The speech gateway's requests.
/// #[metrics(namespace = "gateway")]
/// pub enum Gateway {
///     /// Requests answered, by endpoint and status class.
///     #[counter]
///     RequestsTotal { endpoint: Endpoint, status: StatusClass },
///     /// Request time, to the last byte of the response.
///     #[histogram(unit = "seconds", buckets = exponential(0.005, 2, 12))]
///     RequestDuration { endpoint: Endpoint },
///     /// Requests in progress.
///     #[gauge]
///     InFlight { endpoint: Endpoint },
/// }
///
/// impl RequestMetrics for Gateway {
///     type Route = Endpoint;
///     fn started(_method: HttpMethod, route: Endpoint) {
///         Gateway::in_flight(route).inc();
///     }
///     fn finished(_method: HttpMethod, route: Endpoint, status: StatusClass, took: Duration) {
///         Gateway::in_flight(route).dec();
///         Gateway::requests_total(route, status).inc();
///         Gateway::request_duration(route).observe_duration(took);
///     }
/// }
/// ```
///
/// [`http_server_metrics!`]: crate::http_server_metrics
pub trait RequestMetrics: 'static {
    /// The route label: a label enum whose `other` value takes what no
    /// route matches.
    type Route: LabelValue;

    /// A request has arrived.
    fn started(method: HttpMethod, route: Self::Route);

    /// The request is over: its response body was sent (or the client
    /// left, `status` then being 4xx for code 499), `took` after it
    /// arrived.
    fn finished(method: HttpMethod, route: Self::Route, status: StatusClass, took: Duration);
}

/// A [`tower_layer::Layer`] that records every request into the group
/// `M`, with the route label `route(&request)` computes.
///
/// ```
/// use enumeter::tower::RequestMetricsLayer;
/// use enumeter::{http_server_metrics, LabelValue};
/// use tower_layer::Layer;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Route { Api, #[label(other)] Other }
///
/// http_server_metrics!(pub Edge, route = Route);
///
/// fn route_of<B>(request: &http::Request<B>) -> Route {
///     if request.uri().path().starts_with("/api/") { Route::Api } else { Route::Other }
/// }
///
/// // Around any tower service of `http::Request`s, axum's router included.
/// # #[derive(Clone)] struct Inner;
/// let layer = RequestMetricsLayer::<Edge, _>::new(route_of::<()>);
/// let _service = layer.layer(Inner);
/// ```
pub struct RequestMetricsLayer<M, F> {
    group: PhantomData<fn() -> M>,
    route: F,
}

impl<M, F: Clone> Clone for RequestMetricsLayer<M, F> {
    fn clone(&self) -> Self {
        Self {
            group: PhantomData,
            route: self.route.clone(),
        }
    }
}

impl<M, F> std::fmt::Debug for RequestMetricsLayer<M, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetricsLayer")
            .finish_non_exhaustive()
    }
}

impl<M: RequestMetrics, F> RequestMetricsLayer<M, F> {
    /// Records into `M`, labelling each request with `route(&request)`.
    pub fn new(route: F) -> Self {
        Self {
            group: PhantomData,
            route,
        }
    }
}

impl<S, M: RequestMetrics, F: Clone> tower_layer::Layer<S> for RequestMetricsLayer<M, F> {
    type Service = RequestMetered<S, M, F>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetered {
            inner,
            group: PhantomData,
            route: self.route.clone(),
        }
    }
}

/// The service [`RequestMetricsLayer`] wraps around another.
pub struct RequestMetered<S, M, F> {
    inner: S,
    group: PhantomData<fn() -> M>,
    route: F,
}

impl<S: Clone, M, F: Clone> Clone for RequestMetered<S, M, F> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            group: PhantomData,
            route: self.route.clone(),
        }
    }
}

impl<S, M, F> std::fmt::Debug for RequestMetered<S, M, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetered").finish_non_exhaustive()
    }
}

impl<S, M, F, ReqBody, ResBody> tower_service::Service<http::Request<ReqBody>>
    for RequestMetered<S, M, F>
where
    S: tower_service::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    M: RequestMetrics,
    F: Fn(&http::Request<ReqBody>) -> M::Route,
{
    type Response = http::Response<MeteredBody<ResBody, M>>;
    type Error = S::Error;
    type Future = MeteredFuture<S::Future, M>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let method = HttpMethod::of(request.method());
        let route = (self.route)(&request);
        M::started(method, route);
        let guard = Guard {
            method,
            route,
            started: Instant::now(),
            status: CLIENT_CLOSED_REQUEST,
        };
        MeteredFuture {
            inner: self.inner.call(request),
            guard: Some(guard),
        }
    }
}

/// Records the request when dropped, with the status it holds by then:
/// 499 until a response has been sent whole.
struct Guard<M: RequestMetrics> {
    method: HttpMethod,
    route: M::Route,
    started: Instant,
    status: u16,
}

impl<M: RequestMetrics> Drop for Guard<M> {
    fn drop(&mut self) {
        M::finished(
            self.method,
            self.route,
            StatusClass::from_code(self.status),
            self.started.elapsed(),
        );
    }
}

pin_project! {
    /// The future of a [`RequestMetered`] call: the inner service's, its
    /// response's body wrapped in a [`MeteredBody`].
    pub struct MeteredFuture<Fut, M: RequestMetrics> {
        #[pin]
        inner: Fut,
        guard: Option<Guard<M>>,
    }
}

impl<Fut, M, ResBody, E> Future for MeteredFuture<Fut, M>
where
    Fut: Future<Output = Result<http::Response<ResBody>, E>>,
    M: RequestMetrics,
{
    type Output = Result<http::Response<MeteredBody<ResBody, M>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        let Some(guard) = this.guard.take() else {
            // Polled after completion: the inner future decides what that
            // means; record nothing twice.
            return Poll::Ready(result.map(|r| r.map(|inner| MeteredBody::done(inner))));
        };
        Poll::Ready(match result {
            Ok(response) => {
                let status = response.status().as_u16();
                Ok(response.map(|inner| MeteredBody {
                    inner,
                    guard: Some(guard),
                    status,
                    ended: AtomicBool::new(false),
                }))
            }
            Err(error) => {
                let mut guard = guard;
                guard.status = 500;
                drop(guard);
                Err(error)
            }
        })
    }
}

pin_project! {
    /// A response body that records its request once it has been sent
    /// whole, or as 499 when it is dropped before.
    pub struct MeteredBody<B, M: RequestMetrics> {
        #[pin]
        inner: B,
        guard: Option<Guard<M>>,
        status: u16,
        // Set by `is_end_stream`, which only borrows: a server may drop a
        // body it was told is over without polling it.
        ended: AtomicBool,
    }

    impl<B, M: RequestMetrics> PinnedDrop for MeteredBody<B, M> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(mut guard) = this.guard.take() {
                if this.ended.load(Ordering::Relaxed) {
                    guard.status = *this.status;
                }
            }
        }
    }
}

impl<B, M: RequestMetrics> MeteredBody<B, M> {
    fn done(inner: B) -> Self {
        Self {
            inner,
            guard: None,
            status: 0,
            ended: AtomicBool::new(true),
        }
    }
}

impl<B: Body, M: RequestMetrics> Body for MeteredBody<B, M> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = this.inner.poll_frame(cx);
        match &frame {
            Poll::Ready(None) => {
                if let Some(mut guard) = this.guard.take() {
                    guard.status = *this.status;
                }
            }
            Poll::Ready(Some(Err(_))) => {
                // The body failed part-way: the client did not get it.
                if let Some(mut guard) = this.guard.take() {
                    guard.status = 500;
                }
            }
            _ => {}
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        let end = self.inner.is_end_stream();
        if end {
            self.ended.store(true, Ordering::Relaxed);
        }
        end
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
