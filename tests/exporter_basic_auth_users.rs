//! The web configuration's `basic_auth_users` on the exporter: new
//! credentials checked while another check's bcrypt runs are all decided
//! (none answered `503`, no worker waiting), a wrong password is answered
//! `401` no sooner than a second later, a credential that passed is
//! remembered, and a bearer token given in code admits beside the users.

use std::time::{Duration, Instant};

use enumeter::Exporter;
use enumeter_suite::support::{http_get_with, own_counter};

fn basic(user: &str, password: &str) -> String {
    const CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = format!("{user}:{password}");
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            let c = if i <= chunk.len() {
                CHARS[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            };
            out.push(c);
        }
    }
    format!("Authorization: Basic {out}\r\n")
}

fn status(addr: &str, headers: &str) -> u16 {
    http_get_with(addr, "/metrics", headers).map_or(0, |(status, _, _)| status)
}

#[test]
fn concurrent_new_credentials_are_all_decided_and_wrong_ones_wait_a_second() {
    // Cost 8: a check long enough that the requests below overlap.
    let hash = bcrypt::hash("s3cret", 8).unwrap();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .workers(2)
        .web_config(format!(
            "basic_auth_users:\n  prometheus: {hash}\n  grafana: {hash}\n"
        ))
        .start()
        .unwrap();
    let addr = exporter.local_addr().to_string();
    let busy = || {
        own_counter(
            "enumeter_exporter_refusals_total",
            &[("reason", "auth_busy")],
        )
    };
    let busy_before = busy();
    // Six new credentials at once: two right, four wrong.
    let tries = [
        ("prometheus", "s3cret", 200),
        ("grafana", "s3cret", 200),
        ("prometheus", "guess-1", 401),
        ("prometheus", "guess-2", 401),
        ("nobody", "s3cret", 401),
        ("grafana", "", 401),
    ];
    let answers: Vec<(u16, Duration)> = std::thread::scope(|s| {
        let handles: Vec<_> = tries
            .iter()
            .map(|(user, password, _)| {
                let (addr, header) = (&addr, basic(user, password));
                s.spawn(move || {
                    let started = Instant::now();
                    (status(addr, &header), started.elapsed())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((user, password, expected), (got, took)) in tries.iter().zip(&answers) {
        assert_eq!(got, expected, "{user}:{password}");
        if *expected == 401 {
            assert!(
                *took >= Duration::from_secs(1),
                "{user}:{password} answered after {took:?}"
            );
        }
    }
    assert_eq!(busy(), busy_before, "no check gave up waiting for bcrypt");
    // Remembered: fifty more scrapes with a right one, every one answered.
    let right = basic("prometheus", "s3cret");
    for _ in 0..50 {
        assert_eq!(status(&addr, &right), 200);
    }
    // A remembered wrong one is still refused, and still held.
    let started = Instant::now();
    assert_eq!(status(&addr, &basic("prometheus", "guess-1")), 401);
    assert!(started.elapsed() >= Duration::from_secs(1));
    exporter.shutdown();
}

#[test]
fn a_bearer_token_given_in_code_admits_beside_the_users() {
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .bearer_token("t0ken")
        .web_config(format!("basic_auth_users:\n  prometheus: {hash}\n"))
        .start()
        .unwrap();
    let addr = exporter.local_addr().to_string();
    assert_eq!(status(&addr, "Authorization: Bearer t0ken\r\n"), 200);
    assert_eq!(status(&addr, &basic("prometheus", "s3cret")), 200);
    assert_eq!(status(&addr, "Authorization: Bearer wrong\r\n"), 401);
    assert_eq!(status(&addr, ""), 401);
    exporter.shutdown();
}

#[test]
fn basic_auth_in_code_and_users_in_the_file_are_refused_together() {
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let error = Exporter::new()
        .address("127.0.0.1:0")
        .basic_auth("prometheus", "s3cret")
        .web_config(format!("basic_auth_users:\n  prometheus: {hash}\n"))
        .start()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        error.to_string(),
        "exporter options `basic_auth` and `web_config` (`basic_auth_users`) are both set; keep one"
    );
}
