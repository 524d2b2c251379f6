//! Parsing of one HTTP/1.x request head, as a pure function of its bytes so
//! that it can be tested and fuzzed without a socket.

/// Limits on what a client may send.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The longest request line, in bytes (`414` past it).
    pub(crate) request_line: usize,
    /// The longest head (request line and headers), in bytes (`431` past it).
    pub(crate) head: usize,
    /// The most header fields (`431` past it).
    pub(crate) headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_line: 8 * 1024,
            head: 16 * 1024,
            headers: 64,
        }
    }
}

/// The parts of a request the exporter acts on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The path, without query string.
    pub(crate) path: &'a str,
    pub(crate) accept: Option<&'a str>,
    pub(crate) accept_encoding: Option<&'a str>,
    pub(crate) authorization: Option<&'a str>,
}

/// Why a request head was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reject {
    /// 400: not HTTP/1.x, or not well formed.
    BadRequest,
    /// 414: the request line is over the limit.
    UriTooLong,
    /// 431: the head is over the limit.
    HeadersTooLarge,
}

/// What is known about a head from the bytes read so far.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The head is complete: its length in bytes, including the blank line.
    Complete(usize),
    /// More bytes are needed.
    Partial,
    /// The bytes so far already break a limit.
    Rejected(Reject),
}

/// Looks for the end of the head in `buf` (`\r\n\r\n`, or `\n\n` from
/// lenient clients) and checks the limits on what has arrived: the whole
/// of [`HeadScan`] at once, which the tests compare it with.
#[cfg(test)]
pub(crate) fn progress(buf: &[u8], limits: &Limits) -> Progress {
    HeadScan::default().advance(buf, limits)
}

/// [`progress`] over a head that arrives in pieces, looking at each byte
/// once: what was scanned is remembered, so the cost of a read is the size
/// of what it brought, not of all that came before.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HeadScan {
    /// Bytes of the buffer looked at so far.
    scanned: usize,
    /// Whether the request line has ended.
    line_ended: bool,
    /// The line feeds just before `scanned`, to find `\n\n` and
    /// `\r\n\r\n` across pieces: how many of the last bytes form
    /// `\n`, `\n\r` (a blank line starting) and so on.
    tail: Tail,
}

/// Where the last bytes scanned stand towards a blank line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tail {
    /// Not after a line feed.
    #[default]
    Other,
    /// Just after a line feed.
    LineFeed,
    /// After a line feed and a carriage return.
    LineFeedReturn,
}

impl HeadScan {
    /// Scans the bytes of `buf` not scanned yet (`buf` only ever grows).
    pub(crate) fn advance(&mut self, buf: &[u8], limits: &Limits) -> Progress {
        for (i, &b) in buf.iter().enumerate().skip(self.scanned) {
            if b == b'\n' {
                if !self.line_ended {
                    if i > limits.request_line {
                        return Progress::Rejected(Reject::UriTooLong);
                    }
                    self.line_ended = true;
                }
                if self.tail != Tail::Other {
                    let end = i + 1;
                    self.scanned = end;
                    return if end <= limits.head {
                        Progress::Complete(end)
                    } else {
                        Progress::Rejected(Reject::HeadersTooLarge)
                    };
                }
                self.tail = Tail::LineFeed;
            } else if b == b'\r' && self.tail == Tail::LineFeed {
                self.tail = Tail::LineFeedReturn;
            } else {
                self.tail = Tail::Other;
            }
        }
        self.scanned = buf.len();
        if !self.line_ended && buf.len() > limits.request_line {
            Progress::Rejected(Reject::UriTooLong)
        } else if buf.len() > limits.head {
            Progress::Rejected(Reject::HeadersTooLarge)
        } else {
            Progress::Partial
        }
    }
}

/// Parses a complete head (as delimited by [`progress`]).
pub(crate) fn parse<'a>(head: &'a [u8], limits: &Limits) -> Result<Request<'a>, Reject> {
    let head = std::str::from_utf8(head).map_err(|_| Reject::BadRequest)?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().ok_or(Reject::BadRequest)?;
    if request_line.len() > limits.request_line {
        return Err(Reject::UriTooLong);
    }
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Reject::BadRequest);
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(Reject::BadRequest);
    }
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(Reject::BadRequest);
    }
    let path = request_path(target).ok_or(Reject::BadRequest)?;

    let mut request = Request {
        method,
        path,
        accept: None,
        accept_encoding: None,
        authorization: None,
    };
    let mut count = 0;
    for line in lines.take_while(|l| !l.is_empty()) {
        count += 1;
        if count > limits.headers {
            return Err(Reject::HeadersTooLarge);
        }
        let (name, value) = line.split_once(':').ok_or(Reject::BadRequest)?;
        // No whitespace before the colon, no obsolete line folding.
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(Reject::BadRequest);
        }
        let value = value.trim_matches([' ', '\t']);
        if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(Reject::BadRequest);
        }
        let slot = if name.eq_ignore_ascii_case("accept") {
            &mut request.accept
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            &mut request.accept_encoding
        } else if name.eq_ignore_ascii_case("authorization") {
            &mut request.authorization
        } else {
            continue;
        };
        // A repeated Authorization is ambiguous; repeated Accept headers
        // would need joining, and no scraper sends them.
        if slot.replace(value).is_some() {
            return Err(Reject::BadRequest);
        }
    }
    Ok(request)
}

/// The path of an origin-form (`/metrics?x`) or absolute-form
/// (`http://host/metrics`) target.
fn request_path(target: &str) -> Option<&str> {
    let path = if target.starts_with('/') {
        target
    } else {
        let rest = target
            .strip_prefix("http://")
            .or_else(|| target.strip_prefix("https://"))?;
        &rest[rest.find('/')?..]
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    (!path.is_empty() && path.bytes().all(|b| b.is_ascii_graphic())).then_some(path)
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(head: &str) -> Result<Request<'_>, Reject> {
        parse(head.as_bytes(), &Limits::default())
    }

    #[test]
    fn parses_a_prometheus_scrape() {
        let head = "GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9898\r\n\
                    User-Agent: Prometheus/2.42.0\r\nAccept: application/openmetrics-text;version=1.0.0\r\n\
                    Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n";
        assert_eq!(
            progress(head.as_bytes(), &Limits::default()),
            Progress::Complete(head.len())
        );
        assert_eq!(
            parse_str(head),
            Ok(Request {
                method: "GET",
                path: "/metrics",
                accept: Some("application/openmetrics-text;version=1.0.0"),
                accept_encoding: Some("gzip"),
                authorization: None,
            })
        );
    }

    #[test]
    fn absolute_form_targets_and_bare_newlines_are_accepted() {
        let request = parse_str("HEAD http://localhost:1/metrics HTTP/1.0\n\n").unwrap();
        assert_eq!((request.method, request.path), ("HEAD", "/metrics"));
    }

    #[test]
    fn malformed_heads_are_bad_requests() {
        for head in [
            "GET /metrics\r\n\r\n",
            "GET /metrics HTTP/2.0\r\n\r\n",
            "GET  /metrics HTTP/1.1\r\n\r\n",
            "G(T /metrics HTTP/1.1\r\n\r\n",
            "GET metrics HTTP/1.1\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nBad name: x\r\n\r\n",
            "GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nAccept: a\u{1}b\r\n\r\n",
        ] {
            assert_eq!(parse_str(head), Err(Reject::BadRequest), "{head:?}");
        }
        assert_eq!(
            parse(b"GET /\xff HTTP/1.1\r\n\r\n", &Limits::default()),
            Err(Reject::BadRequest)
        );
    }

    const SCRAPE: &[u8] = b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\
                            Authorization: Bearer t\r\nAccept-Encoding: gzip\r\n\r\n";

    /// What must hold for any input: no panic, and what is accepted is well
    /// formed.
    fn check_any(input: &[u8]) {
        let limits = Limits {
            request_line: 256,
            head: 512,
            headers: 8,
        };
        match progress(input, &limits) {
            Progress::Complete(end) => {
                assert!(end <= input.len() && end <= limits.head);
                if let Ok(request) = parse(&input[..end], &limits) {
                    assert!(request.path.starts_with('/'));
                    assert!(!request.method.is_empty());
                }
            }
            Progress::Partial => assert!(input.len() <= limits.head),
            Progress::Rejected(_) => {}
        }
        let _ = parse(input, &limits);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 20_000,
            failure_persistence: None,
            ..Default::default()
        })]

        #[test]
        fn arbitrary_bytes_never_panic_the_parser(
            input in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..1200)
        ) {
            check_any(&input);
        }

        #[test]
        fn a_head_scanned_in_pieces_reads_as_one_scanned_whole(
            input in proptest::collection::vec(
                proptest::sample::select(b"GET /\r\n: aX".to_vec()), 0..300),
            cuts in proptest::collection::vec(0usize..300, 0..12),
        ) {
            let limits = Limits { request_line: 64, head: 200, headers: 8 };
            let whole = progress(&input, &limits);
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c < input.len()).collect();
            cuts.sort_unstable();
            let mut scan = HeadScan::default();
            let mut pieces = Progress::Partial;
            for end in cuts.into_iter().chain([input.len()]) {
                pieces = scan.advance(&input[..end], &limits);
                if pieces != Progress::Partial {
                    break;
                }
            }
            proptest::prop_assert_eq!(pieces, whole);
        }

        #[test]
        fn mutated_scrapes_never_panic_the_parser(
            edits in proptest::collection::vec((0usize..160, proptest::arbitrary::any::<u8>(), 0u8..3), 0..8)
        ) {
            let mut input = SCRAPE.to_vec();
            for (at, byte, kind) in edits {
                let at = at.min(input.len());
                match kind {
                    0 => input.insert(at, byte),
                    1 if at < input.len() => { input.remove(at); }
                    _ if at < input.len() => input[at] = byte,
                    _ => {}
                }
            }
            check_any(&input);
        }
    }

    #[test]
    fn the_head_ends_at_the_first_blank_line_of_either_spelling() {
        let limits = Limits::default();
        assert_eq!(
            progress(b"GET / HTTP/1.1\r\n\r\nrest", &limits),
            Progress::Complete(18)
        );
        assert_eq!(
            progress(b"GET / HTTP/1.1\n\nrest", &limits),
            Progress::Complete(16)
        );
        assert_eq!(
            progress(b"GET / HTTP/1.1\nA: b\n\r\n", &limits),
            Progress::Complete(22)
        );
        assert_eq!(
            progress(b"GET / HTTP/1.1\r\nA: \rb\r\n", &limits),
            Progress::Partial
        );
    }

    #[test]
    fn limits_reject_long_lines_and_large_heads_before_the_head_ends() {
        let limits = Limits {
            request_line: 32,
            head: 64,
            headers: 2,
        };
        let long_line = format!("GET /{} HTTP/1.1", "a".repeat(40));
        assert_eq!(
            progress(long_line.as_bytes(), &limits),
            Progress::Rejected(Reject::UriTooLong)
        );
        let big_head = format!("GET / HTTP/1.1\r\nX: {}\r\n", "b".repeat(60));
        assert_eq!(
            progress(big_head.as_bytes(), &limits),
            Progress::Rejected(Reject::HeadersTooLarge)
        );
        let many = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        assert_eq!(
            parse(many.as_bytes(), &limits),
            Err(Reject::HeadersTooLarge)
        );
        assert_eq!(progress(b"GET / HTTP/1.1\r\n", &limits), Progress::Partial);
    }
}
