//! The workers: each takes a complete request head from the front thread,
//! renders the answer into a buffer and hands it back. A worker never
//! touches a socket, so no client, however slow, can hold one.

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::health::{ExporterFailure, ExporterRefusal, ExporterSelf, Role, Running};
use super::request::{self, Request};
use super::response::{rejection, status_response, Reply, ReplyBody, Response};
use super::{Config, ConnId, Shared};
#[cfg(feature = "web-config")]
use crate::serve::auth::BASIC_CHALLENGE;

/// A complete request head, from the front thread.
pub(super) struct Job {
    pub(super) conn: ConnId,
    pub(super) head: Vec<u8>,
    /// Where the head ends in `head`.
    pub(super) end: usize,
    /// When the head was complete: a rendering begun since may answer it.
    pub(super) arrived: Instant,
}

/// How long the answer to a failed credential check (`401`) is held back
/// (at most half the response deadline): a guesser waits this long per
/// guess, on the front thread's clock rather than a worker's.
pub(super) const FAILED_CHECK_PACE: Duration = Duration::from_secs(1);

/// A worker's answer to a [`Job`].
pub(super) struct Done {
    pub(super) conn: ConnId,
    pub(super) answer: Answer,
}

/// What a worker made of a job.
pub(super) enum Answer {
    /// The reply to send.
    Reply(Reply),
    /// The job back: its credentials need a bcrypt check while another
    /// runs. The front thread hands it out again shortly, so that no
    /// worker waits.
    Retry(Job),
}

pub(super) fn run(
    jobs: &Mutex<Receiver<Job>>,
    done: &Sender<Done>,
    shared: &Shared,
    config: &Config,
) {
    let running = Running::new(&shared.threads, Role::Worker);
    // The buffer a gzipped exposition is rendered into before it is
    // compressed into the body, reused; unused without gzip.
    let mut render = Vec::new();
    loop {
        // The lock is held only while waiting for the next job.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { break };
        if shared.front_done() {
            // Nobody is left to send the answer to.
            continue;
        }
        let conn = job.conn;
        let answer = serve(job, config, shared, &mut render);
        if done.send(Done { conn, answer }).is_err() {
            break;
        }
        shared.wake_front();
    }
    running.finish();
}

/// Answers one complete request head.
fn serve(job: Job, config: &Config, shared: &Shared, render: &mut Vec<u8>) -> Answer {
    let buffer = shared.take_buffer();
    let request = match request::parse(&job.head[..job.end], &config.limits) {
        Ok(request) => request,
        Err(reject) => return Answer::Reply(rejection(reject).to_reply(buffer, false)),
    };
    let head_only = request.method == "HEAD";
    let refused = match refusal(&request, config) {
        Ok(refused) => refused,
        Err(Busy) => {
            shared.give_buffer(buffer);
            return Answer::Retry(job);
        }
    };
    if let Some(refused) = refused {
        let mut reply = refused.to_reply(buffer, head_only);
        if refused.status == 401 {
            // A failed credential check: counted, and held within the
            // response's deadline (which starts as it is held).
            ExporterSelf::refusals_total(ExporterRefusal::Unauthorized).inc();
            let hold = FAILED_CHECK_PACE.min(config.response_deadline / 2);
            reply.not_before = Some(Instant::now() + hold);
        }
        return Answer::Reply(reply);
    }
    Answer::Reply(
        match metrics(&request, job.arrived, config, shared, render, head_only) {
            Some(reply) => {
                shared.give_buffer(buffer);
                reply
            }
            None => {
                shared.threads.failed(ExporterFailure::RenderPanic);
                status_response(500, "Internal Server Error").to_reply(buffer, head_only)
            }
        },
    )
}

/// A bcrypt check is running: the request waits for its turn, handed back
/// to the front thread.
#[cfg_attr(not(feature = "web-config"), allow(dead_code))]
struct Busy;

/// The answer to a request for something other than the metrics, if it is.
fn refusal(request: &Request<'_>, config: &Config) -> Result<Option<Response<'static>>, Busy> {
    let path_matches = request.path == config.path;
    #[cfg(feature = "web-config")]
    let web = config.web.as_ref().map(|w| w.current());
    #[cfg(feature = "web-config")]
    if let Some(users) = web.as_ref().and_then(|w| w.users.as_ref()) {
        use super::web_config::users::Check;
        // The bearer token given in code admits too.
        if !config.served.admits(request.authorization) {
            match users.check(request.authorization) {
                Check::Admitted => {}
                Check::Refused => {
                    let mut response = status_response(401, "Unauthorized");
                    response.extra = Some(("WWW-Authenticate", BASIC_CHALLENGE));
                    return Ok(Some(response));
                }
                Check::Busy => return Err(Busy),
            }
        }
        return Ok(config
            .served
            .refusal_admitted(request.method, path_matches)
            .map(response_of));
    }
    Ok(config
        .served
        .refusal(request.method, path_matches, request.authorization)
        .map(response_of))
}

fn response_of(refused: crate::serve::Refusal) -> Response<'static> {
    let mut response = status_response(refused.status, refused.reason);
    response.extra = refused.extra;
    response
}

/// The exposition in the format (and encoding) the request prefers: the
/// latest rendering if it began after the request arrived, else a new one
/// (see [`latest`](super::latest)); `None` when the render panicked.
fn metrics(
    request: &Request<'_>,
    arrived: Instant,
    config: &Config,
    shared: &Shared,
    render: &mut Vec<u8>,
    head_only: bool,
) -> Option<Reply> {
    let served = &config.served;
    let (format, wants_gzip) = served.negotiate(request.accept, request.accept_encoding);
    let body = shared.renderings.body(arrived, format, wants_gzip, |out| {
        let rendered = if wants_gzip {
            let rendered = served.render_as(format, true, render, out).ok()?;
            if !rendered.gzip {
                // Compressing failed: the plain body goes out.
                out.clear();
                out.extend_from_slice(render);
            }
            rendered
        } else {
            served.render_as(format, false, out, render).ok()?
        };
        Some((rendered.format, rendered.gzip))
    })?;
    let mut head = Vec::with_capacity(192);
    Response {
        status: 200,
        reason: "OK",
        content_type: body.format.content_type(),
        body: &body.bytes,
        gzip: body.gzip,
        extra: None,
    }
    .write_head(&mut head);
    let body = if head_only {
        ReplyBody::Pooled(Vec::new())
    } else {
        ReplyBody::Shared(body.bytes)
    };
    Some(Reply {
        head,
        body,
        not_before: None,
    })
}
