//! The HTTP requests of both push paths, on one `ureq` agent: a timeout for
//! the whole of each request, statuses read rather than turned into errors,
//! credentials added to every request.

use std::time::Duration;

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
        self.send_within(method, url, headers, body, None)
    }

    /// [`send`](Self::send) with a shorter timeout for this request.
    #[cfg(feature = "remote-write")]
    pub(crate) fn send_with_timeout(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<u16, PushError> {
        self.send_within(method, url, headers, body, Some(timeout))
    }

    fn send_within(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Option<Duration>,
    ) -> Result<u16, PushError> {
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
        let mut response = result.map_err(|e| PushError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(status);
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_string()
            .unwrap_or_default();
        Err(PushError::Status { status, body })
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
        let result = client.send_within(Method::Post, &url, &[], b"x", None);
        (reader.join().unwrap(), result)
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
