//! The workers: each takes a complete request head from the front thread,
//! renders the answer into a buffer and hands it back. A worker never
//! touches a socket, so no client, however slow, can hold one.

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Mutex, PoisonError};

use super::health::{ExporterFailure, Role, Running};
use super::request::{self, Request};
use super::response::{rejection, status_response, Reply, Response};
use super::{Config, ConnId, Shared};

/// A complete request head, from the front thread.
pub(super) struct Job {
    pub(super) conn: ConnId,
    pub(super) head: Vec<u8>,
    /// Where the head ends in `head`.
    pub(super) end: usize,
}

/// A worker's answer to a [`Job`].
pub(super) struct Done {
    pub(super) conn: ConnId,
    pub(super) reply: Reply,
}

pub(super) fn run(
    jobs: &Mutex<Receiver<Job>>,
    done: &Sender<Done>,
    shared: &Shared,
    config: &Config,
) {
    let running = Running::new(&shared.threads, Role::Worker);
    // The rendering buffer, reused; with gzip the compressed copy goes out
    // and this one stays.
    let mut render = Vec::new();
    loop {
        // The lock is held only while waiting for the next job.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { break };
        if shared.front_done() {
            // Nobody is left to send the answer to.
            continue;
        }
        let reply = serve(&job, config, shared, &mut render);
        if done
            .send(Done {
                conn: job.conn,
                reply,
            })
            .is_err()
        {
            break;
        }
        shared.wake_front();
    }
    running.finish();
}

/// Answers one complete request head.
fn serve(job: &Job, config: &Config, shared: &Shared, render: &mut Vec<u8>) -> Reply {
    let buffer = shared.take_buffer();
    let request = match request::parse(&job.head[..job.end], &config.limits) {
        Ok(request) => request,
        Err(reject) => return rejection(reject).to_reply(buffer, false),
    };
    let head_only = request.method == "HEAD";
    let response = match refusal(&request, config) {
        Some(refused) => refused,
        None => return metrics(&request, config, shared, render, buffer, head_only),
    };
    response.to_reply(buffer, head_only)
}

/// The answer to a request for something other than the metrics, if it is.
fn refusal(request: &Request<'_>, config: &Config) -> Option<Response<'static>> {
    let refused = config.served.refusal(
        request.method,
        request.path == config.path,
        request.authorization,
    )?;
    let mut response = status_response(refused.status, refused.reason);
    response.extra = refused.extra;
    Some(response)
}

/// Renders the registry in the format the request prefers.
fn metrics(
    request: &Request<'_>,
    config: &Config,
    shared: &Shared,
    render: &mut Vec<u8>,
    mut buffer: Vec<u8>,
    head_only: bool,
) -> Reply {
    let rendered =
        config
            .served
            .render(request.accept, request.accept_encoding, render, &mut buffer);
    let Ok(rendered) = rendered else {
        shared.threads.failed(ExporterFailure::RenderPanic);
        return status_response(500, "Internal Server Error").to_reply(buffer, head_only);
    };
    let mut head = Vec::with_capacity(192);
    let body = if rendered.gzip {
        buffer
    } else {
        // The rendered buffer goes out; the spare one renders next time.
        core::mem::replace(render, buffer)
    };
    Response {
        status: 200,
        reason: "OK",
        content_type: rendered.format.content_type(),
        body: &body,
        gzip: rendered.gzip,
        extra: None,
    }
    .write_head(&mut head);
    let body = if head_only {
        shared.give_buffer(body);
        Vec::new()
    } else {
        body
    };
    Reply { head, body }
}
