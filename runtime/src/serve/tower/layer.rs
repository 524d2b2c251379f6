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
/// into its process-wide instance) with, say, an in-flight gauge, a request
/// counter and a latency histogram. [`http_server_metrics!`] declares one
/// with the conventional names and implements this; a group of your own
/// implements it in a few lines, and sees each request's parts when it
/// starts: here a tenant taken from a header, a runtime label, and the
/// scrapes of `/metrics` left out.
///
/// ```
/// use enumeter::tower::{Finished, RequestMetrics, Started, StatusClass};
/// use enumeter::{metrics, runtime_label, LabelValue};
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Endpoint { Tts, Stt, Metrics, #[label(other)] Other }
///
/// // Up to 100 tenants; any more are counted as `other`.
/// runtime_label!(pub struct Tenant: capacity = 100);
///
/// /// The speech gateway's requests.
/// #[metrics(namespace = "gateway", sparse)]
/// pub enum Gateway {
///     /// Requests answered, by endpoint, tenant and status class.
///     #[counter]
///     RequestsTotal { endpoint: Endpoint, tenant: Tenant, status: StatusClass },
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
///     type Kept = Tenant;
///     fn started(request: &Started<'_, Endpoint>) -> Option<Tenant> {
///         if request.route == Endpoint::Metrics {
///             return None; // not recorded at all
///         }
///         // A missing or invalid header, like a table already full, is `other`.
///         let tenant = request.headers.get("x-tenant")
///             .and_then(|value| Tenant::intern_bytes(value.as_bytes()).ok())
///             .unwrap_or(Tenant::OTHER);
///         Gateway::in_flight(request.route).inc();
///         Some(tenant)
///     }
///     fn finished(request: &Finished<Endpoint>, tenant: Tenant) {
///         Gateway::in_flight(request.route).dec();
///         Gateway::requests_total(request.route, tenant, request.status).inc();
///         Gateway::request_duration(request.route).observe_duration(request.took);
///     }
/// }
/// ```
///
/// With the `trace` feature, the layer makes the OpenTelemetry context of
/// the request's arrival current again while `finished` runs (the body
/// is sent after the handler's span was left), so that a histogram
/// declared `exemplars = trace` keeps the trace of the request it timed.
/// The layer must then run inside the layer that makes the span (with
/// axum, add `TraceLayer` after it: the last layer added runs first).
///
/// [`http_server_metrics!`]: crate::http_server_metrics
pub trait RequestMetrics: 'static {
    /// The route label: a label enum whose `other` value takes what no
    /// route matches.
    type Route: LabelValue;

    /// What [`started`](Self::started) keeps of a request for
    /// [`finished`](Self::finished): `()` when nothing, a label read from
    /// the request's headers or extensions (a tenant, a client) otherwise.
    type Kept: Send + 'static;

    /// Whether, with the `trace` feature, the layer keeps the OpenTelemetry
    /// context a request arrived in and makes it current while `finished`
    /// runs (a context's clone per request): true unless the group records
    /// no exemplar from the trace.
    const TRACE_CONTEXT: bool = true;

    /// A request has arrived: records what is recorded at the start (the
    /// in-flight gauge) and returns what `finished` needs, or `None` to
    /// leave the request out altogether (then `finished` is not called).
    fn started(request: &Started<'_, Self::Route>) -> Option<Self::Kept>;

    /// The request is over: its response body was sent (or the client
    /// left, the status then being 4xx for code 499).
    fn finished(request: &Finished<Self::Route>, kept: Self::Kept);
}

/// A request as it arrives, for [`RequestMetrics::started`]: its method,
/// route and head, borrowed from the request (nothing is copied).
#[derive(Debug)]
#[non_exhaustive]
pub struct Started<'a, R> {
    /// Its method.
    pub method: HttpMethod,
    /// Its route, as the layer's route function found it.
    pub route: R,
    /// Its URI.
    pub uri: &'a http::Uri,
    /// Its headers.
    pub headers: &'a http::HeaderMap,
    /// Its extensions (what earlier layers attached: a matched route, an
    /// authenticated client).
    pub extensions: &'a http::Extensions,
}

/// A request that is over, for [`RequestMetrics::finished`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Finished<R> {
    /// Its method.
    pub method: HttpMethod,
    /// Its route.
    pub route: R,
    /// Its status class.
    pub status: StatusClass,
    /// Its status code: 499 when the client left before the response was
    /// sent whole, 500 when the service or the body failed.
    pub code: u16,
    /// The time from its arrival to the last byte of its response.
    pub took: Duration,
}

impl<'a, R> Started<'a, R> {
    /// The start of `request`, whose route is `route`: what the layer
    /// passes, for calling [`RequestMetrics::started`] outside it (in a
    /// test, say).
    pub fn of<B>(request: &'a http::Request<B>, route: R) -> Self {
        Self {
            method: HttpMethod::of(request.method()),
            route,
            uri: request.uri(),
            headers: request.headers(),
            extensions: request.extensions(),
        }
    }
}

impl<R> Finished<R> {
    /// A request's end, for calling [`RequestMetrics::finished`] outside
    /// the layer.
    pub fn new(method: HttpMethod, route: R, code: u16, took: Duration) -> Self {
        Self {
            method,
            route,
            status: StatusClass::from_code(code),
            code,
            took,
        }
    }
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
        let started = Instant::now();
        let route = (self.route)(&request);
        let start = Started::of(&request, route);
        let method = start.method;
        let guard = M::started(&start).map(|kept| Guard {
            method,
            route,
            started,
            status: CLIENT_CLOSED_REQUEST,
            kept: Some(kept),
            #[cfg(feature = "trace")]
            context: if M::TRACE_CONTEXT {
                arrival_context()
            } else {
                None
            },
        });
        MeteredFuture {
            inner: self.inner.call(request),
            guard,
        }
    }
}

/// The OpenTelemetry context a request arrived in, when it has a span.
#[cfg(feature = "trace")]
fn arrival_context() -> Option<opentelemetry::Context> {
    use opentelemetry::trace::TraceContextExt;
    opentelemetry::Context::map_current(|context| {
        context.has_active_span().then(|| context.clone())
    })
}

/// Records the request when dropped, with the status it holds by then:
/// 499 until a response has been sent whole.
struct Guard<M: RequestMetrics> {
    method: HttpMethod,
    route: M::Route,
    started: Instant,
    status: u16,
    /// What `started` returned; taken when dropped.
    kept: Option<M::Kept>,
    /// The context the request arrived in, current again while `finished`
    /// runs.
    #[cfg(feature = "trace")]
    context: Option<opentelemetry::Context>,
}

impl<M: RequestMetrics> Drop for Guard<M> {
    fn drop(&mut self) {
        let Some(kept) = self.kept.take() else {
            return;
        };
        let finished = Finished::new(self.method, self.route, self.status, self.started.elapsed());
        #[cfg(feature = "trace")]
        let _arrival = if M::TRACE_CONTEXT {
            self.context.take().map(opentelemetry::Context::attach)
        } else {
            None
        };
        M::finished(&finished, kept);
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
