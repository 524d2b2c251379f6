//! The method and status labels the request-metrics layer records with:
//! closed sets, so that no request can create a series.

use enumeter_macros::LabelValue;

/// An HTTP request method, as a label (`method="get"`, the spelling of
/// Prometheus' Go client); methods outside the standard nine are `other`.
///
/// ```
/// use enumeter::tower::HttpMethod;
///
/// assert_eq!(HttpMethod::of(&http::Method::POST), HttpMethod::Post);
/// assert_eq!(HttpMethod::of(&http::Method::from_bytes(b"PURGE").unwrap()), HttpMethod::Other);
/// assert_eq!(HttpMethod::Post.as_str(), "post");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH`
    Patch,
    /// Any other method.
    #[label(other)]
    Other,
}

impl HttpMethod {
    /// The label value of `method`.
    pub fn of(method: &http::Method) -> Self {
        match *method {
            http::Method::GET => HttpMethod::Get,
            http::Method::HEAD => HttpMethod::Head,
            http::Method::POST => HttpMethod::Post,
            http::Method::PUT => HttpMethod::Put,
            http::Method::DELETE => HttpMethod::Delete,
            http::Method::CONNECT => HttpMethod::Connect,
            http::Method::OPTIONS => HttpMethod::Options,
            http::Method::TRACE => HttpMethod::Trace,
            http::Method::PATCH => HttpMethod::Patch,
            _ => HttpMethod::Other,
        }
    }
}

/// An HTTP request method as OpenTelemetry's semantic conventions spell
/// the `http.request.method` attribute: in upper case, methods outside the
/// standard nine as `_OTHER`. The label of `http_server_metrics!` with
/// `names = opentelemetry`.
///
/// ```
/// use enumeter::tower::{HttpMethod, RequestMethod};
/// use enumeter::LabelValue;
///
/// assert_eq!(RequestMethod::from(HttpMethod::Post), RequestMethod::Post);
/// assert_eq!(RequestMethod::NAMES[RequestMethod::Post.index()], "POST");
/// assert_eq!(RequestMethod::NAMES[RequestMethod::Other.index()], "_OTHER");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "UPPERCASE")]
pub enum RequestMethod {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH`
    Patch,
    /// Any other method.
    #[label(name = "_OTHER", other)]
    Other,
}

impl From<HttpMethod> for RequestMethod {
    fn from(method: HttpMethod) -> Self {
        match method {
            HttpMethod::Get => RequestMethod::Get,
            HttpMethod::Head => RequestMethod::Head,
            HttpMethod::Post => RequestMethod::Post,
            HttpMethod::Put => RequestMethod::Put,
            HttpMethod::Delete => RequestMethod::Delete,
            HttpMethod::Connect => RequestMethod::Connect,
            HttpMethod::Options => RequestMethod::Options,
            HttpMethod::Trace => RequestMethod::Trace,
            HttpMethod::Patch => RequestMethod::Patch,
            HttpMethod::Other => RequestMethod::Other,
        }
    }
}

/// The class of an HTTP status code, as a label (`status="2xx"`). A
/// request whose client left before the response was sent counts as `4xx`
/// with code 499, as nginx logs it.
///
/// ```
/// use enumeter::tower::{StatusClass, CLIENT_CLOSED_REQUEST};
///
/// assert_eq!(StatusClass::from_code(204), StatusClass::Success);
/// assert_eq!(StatusClass::from_code(CLIENT_CLOSED_REQUEST).as_str(), "4xx");
/// assert_eq!(StatusClass::from_code(999), StatusClass::Other);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
pub enum StatusClass {
    /// 100 to 199.
    #[label(name = "1xx", codes = 100..=199)]
    Informational,
    /// 200 to 299.
    #[label(name = "2xx", codes = 200..=299)]
    Success,
    /// 300 to 399.
    #[label(name = "3xx", codes = 300..=399)]
    Redirection,
    /// 400 to 499, and 499 for a client that left.
    #[label(name = "4xx", codes = 400..=499)]
    ClientError,
    /// 500 to 599.
    #[label(name = "5xx", codes = 500..=599)]
    ServerError,
    /// Anything else.
    #[label(name = "other", other)]
    Other,
}

/// The status a request is counted with when its client left before the
/// response was complete (nginx's "client closed request").
pub const CLIENT_CLOSED_REQUEST: u16 = 499;
