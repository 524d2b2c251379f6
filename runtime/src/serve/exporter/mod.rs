//! A small HTTP server for `/metrics`, on threads of its own (feature `http`).
//!
//! It runs beside whatever the application serves, outside the application's
//! own concurrency limits, so a scrape is answered while every request slot
//! of the application is taken. It speaks just enough HTTP/1.1 for
//! Prometheus and curl, and is built to survive what a hostile client sends:
//! one front thread reads every request head and writes every response
//! without blocking on any client ([`front`]), workers only render
//! ([`worker`]), heads and header counts are bounded (`414`, `431`), each
//! head has a deadline (`408`) and each response one deadline for the whole
//! of it, the tables of connections still sending, of complete requests
//! waiting (`503`) and of responses still being taken are bounded (the
//! oldest gives way), the number of threads is fixed, and no input makes it
//! panic.

mod front;
mod health;
mod latest;
mod request;
mod response;
mod table;
mod tls_conn;
#[cfg(feature = "web-config")]
pub(crate) mod web_config;
mod worker;

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use mio::{Poll, Token, Waker};

pub use self::health::Health;
use self::health::Threads;
use self::request::Limits;
use crate::read::registry::Registry;
use crate::serve;

/// The address an exporter binds when none is given.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:9898";

/// The token of the listening socket.
const LISTENER: Token = Token(0);
/// The token of the waker that workers and the handle use.
const WAKER: Token = Token(1);

/// Configures and starts the `/metrics` server.
///
/// Every option is checked by [`start`](Self::start), which refuses a value
/// outside its range with an [`io::ErrorKind::InvalidInput`] error naming
/// the option and the range, rather than start a server that cannot work.
///
/// ```no_run
/// let exporter = enumeter::Exporter::new()
///     .address("127.0.0.1:9898")
///     .start()
///     .expect("port 9898 is free");
/// println!("serving http://{}/metrics", exporter.local_addr());
/// // ... the application runs ...
/// exporter.shutdown();
/// ```
#[derive(Debug)]
#[must_use = "an exporter serves nothing until `start` is called"]
pub struct Exporter {
    address: String,
    workers: usize,
    queue: usize,
    path: String,
    max_pending: usize,
    max_responses: usize,
    head_deadline: Duration,
    response_deadline: Duration,
    /// What is served and to whom, as the tower service keeps them.
    options: serve::Options,
    /// The exporter-toolkit web configuration, when one is given.
    #[cfg(feature = "web-config")]
    web_config: Option<web_config::Source>,
}

impl Default for Exporter {
    fn default() -> Self {
        Self::new()
    }
}

/// The accepted ranges of the options, checked by `start`.
mod range {
    use std::time::Duration;

    pub(super) const WORKERS: (usize, usize) = (1, 1024);
    pub(super) const QUEUE: (usize, usize) = (0, 65_536);
    pub(super) const MAX_PENDING: (usize, usize) = (1, 65_536);
    pub(super) const MAX_RESPONSES: (usize, usize) = (1, 65_536);
    pub(super) const DEADLINE: (Duration, Duration) =
        (Duration::from_millis(1), Duration::from_secs(3_600));
}

impl Exporter {
    /// An exporter of the [default registry](crate::registry) at
    /// `http://127.0.0.1:9898/metrics`: 2 worker threads, 2 + 16 complete
    /// requests waiting at most, 256 connections still sending their heads
    /// and 16 responses still being taken at most, 10 s to send a head, 5 s
    /// to take a whole response.
    pub fn new() -> Self {
        Self {
            address: DEFAULT_ADDRESS.to_owned(),
            workers: 2,
            queue: 16,
            path: "/metrics".to_owned(),
            max_pending: 256,
            max_responses: 16,
            head_deadline: Duration::from_secs(10),
            response_deadline: Duration::from_secs(5),
            options: serve::Options::new(),
            #[cfg(feature = "web-config")]
            web_config: None,
        }
    }

    /// The address to bind (`host:port`; port 0 picks a free one).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// The path to serve (default `/metrics`): starts with `/`, visible
    /// ASCII only, at most 1,024 bytes.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Serves `registry` (a `Registry` or an `Arc` of one, to share it)
    /// instead of the default one.
    pub fn registry(mut self, registry: impl Into<Arc<Registry<'static>>>) -> Self {
        self.options.registry(registry.into());
        self
    }

    /// Threads that render responses (1 to 1,024; default 2). They only
    /// render: sending is the front thread's, so a slow client never holds
    /// a worker.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Complete requests that may wait for a worker, beyond one per worker
    /// (0 to 65,536; default 16); past that, the one that has waited
    /// longest is answered `503` (counted in
    /// `enumeter_exporter_refusals_total{reason="queue_full"}`), so that a
    /// burst of requests does not shut out the ones after it.
    pub fn queue(mut self, queue: usize) -> Self {
        self.queue = queue;
        self
    }

    /// Connections that may be sending their request heads at once (1 to
    /// 65,536; default 256); past that, the one that has waited longest is
    /// closed.
    pub fn max_pending(mut self, max_pending: usize) -> Self {
        self.max_pending = max_pending;
        self
    }

    /// Responses that may be in the middle of being sent at once (1 to
    /// 65,536; default 16); past that, the one that has been sending
    /// longest is dropped. Each holds its rendered body, so this bounds the
    /// memory that clients which read slowly can hold: at most this many
    /// times the size of a scrape.
    pub fn max_responses(mut self, max_responses: usize) -> Self {
        self.max_responses = max_responses;
        self
    }

    /// How long a client may take to send its request head (`408` after
    /// it), and to take its whole response (the connection is dropped
    /// after it); each from 1 ms to 1 hour (default 10 s and 5 s). The
    /// response deadline also bounds how long [`ExporterHandle::shutdown`]
    /// waits for responses in progress.
    pub fn timeouts(mut self, head: Duration, response: Duration) -> Self {
        self.head_deadline = head;
        self.response_deadline = response;
        self
    }

    /// Requires `Authorization: Bearer <token>`; other requests get `401`,
    /// held back a second (by the front thread, holding no worker) so that
    /// guessing costs time. The token is one or more visible ASCII
    /// characters.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.options.bearer_token(token);
        self
    }

    /// Requires HTTP Basic credentials; other requests get `401`, held back
    /// a second as [`bearer_token`](Self::bearer_token)'s. The user has no
    /// `:` (RFC 7617); neither has control characters.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.options.basic_auth(user, password);
        self
    }

    /// Compresses responses with gzip for clients that accept it (on by
    /// default with the `gzip` feature; without it this does nothing).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.options.gzip(enabled);
        self
    }

    /// Writes created timestamps (`_created` in OpenMetrics,
    /// `created_timestamp` in protobuf; off unless set): see
    /// [`created`](crate::created).
    pub fn created_timestamps(mut self, on: bool) -> Self {
        self.options.created_timestamps(on);
        self
    }

    /// Serves as the exporter-toolkit web configuration at `path` says
    /// (feature `web-config`): the file Prometheus, node_exporter and the
    /// Pushgateway read with `--web.config.file`. TLS (`tls_server_config`:
    /// certificate and key, client certificates, versions, cipher suites,
    /// curves), bcrypt `basic_auth_users`, `http_server_config.headers` and
    /// `rate_limit`, each as exporter-toolkit documents it; relative paths
    /// in the file are relative to its directory. What the file does not
    /// set serves as before.
    ///
    /// [`start`](Self::start) reads the file and every file it names, and
    /// refuses one that does not work with an
    /// [`io::ErrorKind::InvalidInput`] error naming the field. While the
    /// exporter runs, the file and the files it names are looked at every
    /// second and re-read when they change (a rotated certificate is served
    /// from the next connection on); a change that does not read is logged
    /// and the last good configuration kept. TLS cannot be turned on or off
    /// without a restart.
    ///
    /// A bearer token set with [`bearer_token`](Self::bearer_token) admits
    /// too; [`basic_auth`](Self::basic_auth) and `basic_auth_users` cannot
    /// both be set.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("enumeter-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let file = dir.join("web.yml");
    /// std::fs::write(&file, "tls_server_config:\n  cert_file: missing.pem\n").unwrap();
    /// let error = enumeter::Exporter::new()
    ///     .address("127.0.0.1:0")
    ///     .web_config_file(&file)
    ///     .start()
    ///     .unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    /// assert!(error.to_string().contains("missing one of key or key_file"));
    /// ```
    #[cfg(feature = "web-config")]
    pub fn web_config_file(mut self, path: impl AsRef<std::path::Path>) -> Self {
        self.web_config = Some(web_config::Source::File(path.as_ref().to_path_buf()));
        self
    }

    /// The same as [`web_config_file`](Self::web_config_file) with the
    /// file's text given here (feature `web-config`); relative paths in it
    /// are relative to the current directory, and it is not re-read (the
    /// files it names are, when they change).
    ///
    /// ```
    /// let exporter = enumeter::Exporter::new()
    ///     .address("127.0.0.1:0")
    ///     .web_config("http_server_config:\n  headers:\n    X-Frame-Options: deny\n")
    ///     .start()
    ///     .unwrap();
    /// exporter.shutdown();
    /// ```
    #[cfg(feature = "web-config")]
    pub fn web_config(mut self, yaml: impl Into<String>) -> Self {
        self.web_config = Some(web_config::Source::Text {
            text: yaml.into(),
            dir: std::path::PathBuf::new(),
        });
        self
    }

    /// Checks every option, binds the address and starts serving on threads
    /// of its own.
    ///
    /// An option outside its range is an [`io::ErrorKind::InvalidInput`]
    /// error that names it:
    ///
    /// ```
    /// use std::time::Duration;
    /// let error = enumeter::Exporter::new()
    ///     .address("127.0.0.1:0")
    ///     .timeouts(Duration::MAX, Duration::from_secs(5))
    ///     .start()
    ///     .unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    /// assert!(error.to_string().starts_with("exporter option `timeouts` (head)"));
    /// ```
    pub fn start(self) -> io::Result<ExporterHandle> {
        let config = self.checked()?;
        let address = self
            .address
            .to_socket_addrs()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "exporter option `address`: `{}` is not an address: {e}",
                        self.address
                    ),
                )
            })?
            .next()
            .ok_or_else(|| {
                invalid(format!(
                    "exporter option `address`: `{}` names no address",
                    self.address
                ))
            })?;
        let mut listener = mio::net::TcpListener::bind(address)?;
        let local_addr = listener.local_addr()?;
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, mio::Interest::READABLE)?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            front_done: AtomicBool::new(false),
            waker,
            threads: Threads::starting(self.workers),
            pool: Mutex::new(Vec::new()),
            pool_size: self.workers + 2,
            renderings: latest::Renderings::default(),
        });
        // One job per worker waits in the channel, about to be taken; the
        // `queue` others wait in the front thread, where the oldest can
        // give way.
        let (jobs, job_receiver) = mpsc::sync_channel(self.workers);
        let job_receiver: Arc<Mutex<Receiver<worker::Job>>> = Arc::new(Mutex::new(job_receiver));
        let (done, done_receiver) = mpsc::channel();
        let config = Arc::new(config);
        let mut threads = Vec::with_capacity(self.workers + 2);
        // The web configuration's watcher, told to stop by dropping this.
        let (reload_stop, reload_stopped) = mpsc::channel::<()>();
        #[cfg(feature = "web-config")]
        if let Some(live) = config.web.clone() {
            let watcher = std::thread::Builder::new()
                .name("enumeter-http-reload".into())
                .spawn(move || live.watch(&reload_stopped))?;
            threads.push(watcher);
        }
        #[cfg(not(feature = "web-config"))]
        drop(reload_stopped);
        let spawned = (0..self.workers).try_for_each(|i| {
            let (jobs, done) = (Arc::clone(&job_receiver), done.clone());
            let (shared, config) = (Arc::clone(&shared), Arc::clone(&config));
            let thread = std::thread::Builder::new()
                .name(format!("enumeter-http-{i}"))
                .spawn(move || worker::run(&jobs, &done, &shared, &config))?;
            threads.push(thread);
            io::Result::Ok(())
        });
        drop(done);
        let front = spawned.and_then(|()| {
            let (shared, config) = (Arc::clone(&shared), Arc::clone(&config));
            std::thread::Builder::new()
                .name("enumeter-http-front".into())
                .spawn(move || front::run(listener, poll, jobs, &done_receiver, &shared, &config))
        });
        let mut handle = ExporterHandle {
            local_addr,
            shared,
            threads,
            reload_stop: Some(reload_stop),
            tls: config.serves_tls(),
        };
        match front {
            Ok(thread) => {
                handle.threads.push(thread);
                Ok(handle)
            }
            Err(e) => {
                // The workers end once the queue's sender, dropped with the
                // closure that failed to start, is gone.
                handle.stop();
                Err(e)
            }
        }
    }

    /// The shared configuration, once every option is within its range.
    fn checked(&self) -> io::Result<Config> {
        check_count("workers", self.workers, range::WORKERS)?;
        check_count("queue", self.queue, range::QUEUE)?;
        check_count("max_pending", self.max_pending, range::MAX_PENDING)?;
        check_count("max_responses", self.max_responses, range::MAX_RESPONSES)?;
        check_deadline("timeouts` (head", self.head_deadline)?;
        check_deadline("timeouts` (response", self.response_deadline)?;
        let path_ok = self.path.starts_with('/')
            && self.path.len() <= 1024
            && self.path.bytes().all(|b| b.is_ascii_graphic());
        if !path_ok {
            return Err(invalid(format!(
                "exporter option `path` is {:?}; accepted: `/` and then visible ASCII, \
                 1 to 1,024 bytes",
                self.path
            )));
        }
        let served = self.options.checked("exporter")?;
        #[cfg(feature = "web-config")]
        let web = self.read_web_config()?;
        #[cfg(feature = "web-config")]
        if let (Some(source), Some(web)) = (&self.web_config, &web) {
            if served.has_basic_auth() && web.current().users.is_some() {
                return Err(invalid(format!(
                    "exporter options `basic_auth` and `{}` (`basic_auth_users`) are both set; \
                     keep one",
                    source.option()
                )));
            }
        }
        Ok(Config {
            path: self.path.clone(),
            served,
            #[cfg(feature = "web-config")]
            web,
            max_pending: self.max_pending,
            queue: self.queue,
            max_responses: self.max_responses,
            head_deadline: self.head_deadline,
            response_deadline: self.response_deadline,
            limits: Limits::default(),
        })
    }
}

#[cfg(feature = "web-config")]
impl Exporter {
    /// The web configuration, read and checked, if one is given.
    fn read_web_config(&self) -> io::Result<Option<Arc<web_config::reload::Live>>> {
        let Some(source) = &self.web_config else {
            return Ok(None);
        };
        let option = source.option();
        web_config::reload::Live::read(source.clone())
            .map(|live| Some(Arc::new(live)))
            .map_err(|e| {
                invalid(format!(
                    "exporter option `{option}` ({}): {e}",
                    source.describe()
                ))
            })
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn check_count(option: &str, value: usize, (min, max): (usize, usize)) -> io::Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "exporter option `{option}` is {value}; accepted: {min} to {max}"
        )))
    }
}

fn check_deadline(option: &str, value: Duration) -> io::Result<()> {
    let (min, max) = range::DEADLINE;
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "exporter option `{option}) is {value:?}; accepted: {min:?} to {max:?}"
        )))
    }
}

/// A running exporter; dropping it shuts it down too.
#[derive(Debug)]
pub struct ExporterHandle {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    /// Dropped on shutdown: the web configuration's watcher ends.
    reload_stop: Option<mpsc::Sender<()>>,
    /// Whether it serves TLS.
    tls: bool,
}

impl ExporterHandle {
    /// The address the exporter listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `https` when the exporter serves TLS (a web configuration's
    /// `tls_server_config`), else `http`: what a URL of it starts with.
    ///
    /// ```
    /// let exporter = enumeter::Exporter::new().address("127.0.0.1:0").start().unwrap();
    /// println!("serving {}://{}/metrics", exporter.scheme(), exporter.local_addr());
    /// assert_eq!(exporter.scheme(), "http");
    /// ```
    pub fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }

    /// Whether the exporter's threads run, and what failed: a thread that
    /// ended unexpectedly shows here (and in
    /// `enumeter_exporter_failures_total`) rather than as a silent listener.
    ///
    /// ```
    /// let exporter = enumeter::Exporter::new().address("127.0.0.1:0").start().unwrap();
    /// assert!(exporter.health().is_healthy());
    /// assert_eq!(exporter.health().workers, 2);
    /// ```
    pub fn health(&self) -> Health {
        self.shared.threads.health()
    }

    /// Stops accepting and closes the connections still sending their
    /// heads; requests already read are answered, and responses in
    /// progress sent, until the response deadline at most; then waits for
    /// every thread to end. Returns within the response deadline (plus the
    /// time a render in progress takes), whatever the clients do.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if self.shared.shutdown.swap(true, Ordering::SeqCst) {
            return;
        }
        self.reload_stop = None;
        self.shared.wake_front();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for ExporterHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the handle, the front thread and the workers share.
struct Shared {
    shutdown: AtomicBool,
    /// Set when the front thread has ended: queued jobs are skipped.
    front_done: AtomicBool,
    waker: Waker,
    threads: Threads,
    /// Spare buffers for short answers (refusals, errors), so that they do
    /// not allocate once these have grown: a worker takes one, the front
    /// thread gives it back when the response is sent.
    pool: Mutex<Vec<Vec<u8>>>,
    /// How many spare buffers the pool keeps.
    pool_size: usize,
    /// The expositions, one rendering at a time, shared by the requests
    /// that can take the same one.
    renderings: latest::Renderings,
}

impl core::fmt::Debug for Shared {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Shared")
            .field("health", &self.threads.health())
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    fn front_done(&self) -> bool {
        self.front_done.load(Ordering::SeqCst)
    }

    fn set_front_done(&self) {
        self.front_done.store(true, Ordering::SeqCst);
    }

    fn wake_front(&self) {
        // Fails only if the poll is gone, i.e. the front thread ended.
        let _ = self.waker.wake();
    }

    fn take_buffer(&self) -> Vec<u8> {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        pool.pop().unwrap_or_default()
    }

    /// Takes back what a reply's body held: a pooled buffer returns to the
    /// pool; a shared exposition is released.
    fn give_body(&self, body: response::ReplyBody) {
        if let response::ReplyBody::Pooled(buffer) = body {
            self.give_buffer(buffer);
        }
    }

    fn give_buffer(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < self.pool_size {
            pool.push(buffer);
        }
    }
}

/// One connection of the front thread's table: its slot, and which of the
/// connections that held that slot it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ConnId {
    slot: usize,
    generation: u64,
}

impl Config {
    /// Whether connections are TLS (decided at start: a reload cannot
    /// turn it on or off).
    fn serves_tls(&self) -> bool {
        #[cfg(feature = "web-config")]
        if let Some(web) = &self.web {
            return web.current().tls.is_some();
        }
        false
    }
}

#[derive(Debug)]
struct Config {
    path: String,
    served: serve::Served,
    max_pending: usize,
    queue: usize,
    max_responses: usize,
    head_deadline: Duration,
    response_deadline: Duration,
    limits: Limits,
    /// The web configuration in force, when one is given.
    #[cfg(feature = "web-config")]
    web: Option<Arc<web_config::reload::Live>>,
}
