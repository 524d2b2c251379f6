//! The HTTP requests of both push paths, on one `ureq` agent: a timeout for
//! the whole of each request, statuses read rather than turned into errors,
//! credentials added to every request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::PushError;

/// What every request carries in its `Authorization` header.
#[derive(Clone)]
pub(crate) enum Auth {
    None,
    /// The header's value: `Basic …` or `Bearer …`.
    Header(String),
}

impl Auth {
    pub(crate) fn basic(user: &str, password: &str) -> Self {
        Auth::Header(format!(
            "Basic {}",
            crate::base64::basic_credentials(user, password)
        ))
    }

    #[cfg_attr(not(feature = "remote-write"), allow(dead_code))]
    pub(crate) fn bearer(token: &str) -> Self {
        Auth::Header(format!("Bearer {token}"))
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        match self {
            Auth::None => f.write_str("None"),
            Auth::Header(h) => write!(f, "{} …", h.split(' ').next().unwrap_or("")),
        }
    }
}

/// The methods the push paths use.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "pushgateway"), allow(dead_code))]
pub(crate) enum Method {
    Put,
    Post,
    Delete,
}

/// An HTTP client with one timeout for each whole request.
pub(crate) struct Client {
    agent: ureq::Agent,
    auth: Auth,
}

/// How much of an error answer's body is kept for the error message.
const ERROR_BODY_LIMIT: u64 = 1024;

/// How much of an accepted answer's body is read (an OTLP
/// `partial_success` is a count and a message).
#[cfg(any(feature = "remote-write", feature = "otlp"))]
const ANSWER_BODY_LIMIT: u64 = 64 * 1024;

/// The headers by which a Remote-Write 2.0 receiver says what it wrote:
/// samples, native histogram samples, exemplars.
const WRITTEN_HEADERS: [&str; 3] = [
    "x-prometheus-remote-write-samples-written",
    "x-prometheus-remote-write-histograms-written",
    "x-prometheus-remote-write-exemplars-written",
];

/// A 2xx answer: its body (up to a limit), and the counts a Remote-Write
/// 2.0 receiver gives in its `…-Written` headers (samples, histograms,
/// exemplars), where it gave them.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub(crate) body: Vec<u8>,
    pub(crate) written: [Option<u64>; 3],
}

/// The longest wait a `Retry-After` answer is granted.
const RETRY_AFTER_LIMIT: Duration = Duration::from_secs(600);

/// A request that did not succeed: why, and how long the server asked to
/// wait before the next attempt (`Retry-After`), if it did.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) error: PushError,
    #[cfg_attr(not(any(feature = "remote-write", feature = "otlp")), allow(dead_code))]
    pub(crate) retry_after: Option<Duration>,
}

/// The wait a `Retry-After` value asks for at `now`: delay-seconds or an
/// HTTP date (RFC 9110), at most ten minutes; `None` when it is neither.
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = UNIX_EPOCH + Duration::from_secs(http_date_seconds(value)?);
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(RETRY_AFTER_LIMIT))
}

/// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
/// GMT`), the form RFC 9110 requires senders to use.
fn http_date_seconds(date: &str) -> Option<u64> {
    let mut parts = date.split(' ');
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 || year < 1970 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + m * 60 + s).ok()
}

impl Client {
    pub(crate) fn new(timeout: Duration, auth: Auth) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("enumeter/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Self { agent, auth }
    }

    /// Sends one request and returns the status when it is 2xx.
    #[cfg_attr(not(feature = "pushgateway"), allow(dead_code))]
    pub(crate) fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<u16, PushError> {
        self.exchange(method, url, headers, body, None, 0)
            .map(|(status, _)| status)
            .map_err(|failed| failed.error)
    }

    /// POSTs `body` with a shorter timeout for this request; the start of
    /// a 2xx answer's body (what a receiver says of what it took), or why
    /// not and how long the server asked to wait.
    #[cfg(any(feature = "remote-write", feature = "otlp"))]
    pub(crate) fn post_for_answer(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<Answer, Failed> {
        self.exchange(
            Method::Post,
            url,
            headers,
            body,
            Some(timeout),
            ANSWER_BODY_LIMIT,
        )
        .map(|(_, answer)| answer)
    }

    /// One request: the status and up to `keep` bytes of the body when
    /// the status is 2xx.
    fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Option<Duration>,
        keep: u64,
    ) -> Result<(u16, Answer), Failed> {
        let result = match method {
            Method::Put => self
                .prepare(self.agent.put(url), headers, timeout)
                .send(body),
            Method::Post => self
                .prepare(self.agent.post(url), headers, timeout)
                .send(body),
            Method::Delete => self
                .prepare(self.agent.delete(url), headers, timeout)
                .call(),
        };
        let mut response = result.map_err(|e| Failed {
            error: PushError::Transport(e.to_string()),
            retry_after: None,
        })?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            let written = WRITTEN_HEADERS.map(|name| {
                let value = response.headers().get(name)?.to_str().ok()?;
                value.trim().parse::<u64>().ok()
            });
            let mut body = Vec::new();
            if keep > 0 {
                use std::io::Read;
                let _ = response
                    .body_mut()
                    .with_config()
                    .limit(keep)
                    .reader()
                    .read_to_end(&mut body);
            }
            return Ok((status, Answer { body, written }));
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, SystemTime::now()));
        let body = response
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_string()
            .unwrap_or_default();
        Err(Failed {
            error: PushError::Status { status, body },
            retry_after,
        })
    }

    fn prepare<B>(
        &self,
        mut request: ureq::RequestBuilder<B>,
        headers: &[(&str, &str)],
        timeout: Option<Duration>,
    ) -> ureq::RequestBuilder<B> {
        if let Some(timeout) = timeout {
            request = request.config().timeout_global(Some(timeout)).build();
        }
        if let Auth::Header(value) = &self.auth {
            request = request.header("Authorization", value);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("auth", &self.auth).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// What a client sends first to a server on 127.0.0.1 that reads and
    /// never answers, for a POST to `scheme://…`.
    fn first_bytes(scheme: &str) -> (Vec<u8>, Result<u16, PushError>) {
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("{scheme}://{}/write", server.local_addr().unwrap());
        let reader = std::thread::spawn(move || {
            let (mut stream, _) = server.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut first = [0u8; 3];
            let n = stream.read(&mut first).unwrap_or(0);
            first[..n].to_vec()
        });
        let client = Client::new(Duration::from_millis(500), Auth::None);
        let result = client.send(Method::Post, &url, &[], b"x");
        (reader.join().unwrap(), result)
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date_within_ten_minutes() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        // In the past: no wait beyond the backoff.
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after("Tue, 29 Feb 2000 00:00:00 GMT", now),
            Some(RETRY_AFTER_LIMIT)
        );
        assert_eq!(
            http_date_seconds("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(951_782_400)
        );
        assert_eq!(http_date_seconds("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(retry_after("86400000", now), Some(RETRY_AFTER_LIMIT));
        for bad in [
            "soon",
            "-5",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "",
        ] {
            assert_eq!(retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn a_plain_url_is_spoken_in_plain_http() {
        let (first, _) = first_bytes("http");
        assert_eq!(first, b"POS");
    }

    /// With `push-tls`, an `https://` URL opens with a TLS handshake record
    /// (content type 22, version 3.x); the server never answers, so the
    /// request fails, as it must without a certificate.
    #[cfg(feature = "push-tls")]
    #[test]
    fn an_https_url_is_spoken_in_tls() {
        let (first, result) = first_bytes("https");
        assert_eq!(first[..2], [0x16, 0x03], "{first:?}");
        assert!(result.is_err());
    }
}
