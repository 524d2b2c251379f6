//! The chat gateway example's backends, chosen at start: StatsD lines over
//! UDP (checked by a listener on 127.0.0.1), the in-memory stats snapshot,
//! and the no-op.

use enumeter_suite::support;

use std::net::UdpSocket;
use std::process::Command;
use std::time::Duration;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(support::example_binary("chat_gateway"))
        .args(args)
        .output()
        .expect("the example runs")
}

#[test]
fn the_statsd_backend_pushes_exact_lines_with_counter_deltas() {
    let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let target = format!("statsd={}", listener.local_addr().unwrap());
    let out = run(&["--backend", &target]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The example pushed twice and exited; both datagrams are waiting.
    let mut datagrams = Vec::new();
    let mut buf = [0u8; 65536];
    while datagrams.len() < 2 {
        let n = listener.recv(&mut buf).expect("a datagram within 5 s");
        assert!(n <= enumeter::push::statsd::MAX_DATAGRAM);
        datagrams.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    assert_eq!(
        datagrams[0],
        "chatgw_messages_total:5|c|#channel:slack,direction:received,message_type:text\n\
         chatgw_messages_total:4|c|#channel:slack,direction:sent,message_type:text\n\
         chatgw_messages_total:1|c|#channel:teams,direction:received,message_type:attachment\n\
         chatgw_messages_total:2|c|#channel:web,direction:received,message_type:event\n\
         chatgw_message_duration_seconds_count:2|c|#channel:slack\n\
         chatgw_message_duration_seconds_sum:0.27|c|#channel:slack\n\
         chatgw_middleware_duration_seconds_count:1|c|#middleware:auth\n\
         chatgw_middleware_duration_seconds_sum:0.002|c|#middleware:auth\n\
         chatgw_channel_errors_total:1|c|#channel:teams,kind:timeout\n\
         chatgw_active_sessions:3|g\n\
         chatgw_retries_total:1|c|#operation:send,outcome:succeeded"
    );
    // The second push: only what changed, counters as deltas.
    assert_eq!(
        datagrams[1],
        "chatgw_messages_total:2|c|#channel:slack,direction:received,message_type:text\n\
         chatgw_messages_total:1|c|#channel:web,direction:sent,message_type:text\n\
         chatgw_message_duration_seconds_count:1|c|#channel:web\n\
         chatgw_message_duration_seconds_sum:0.5|c|#channel:web\n\
         chatgw_channel_errors_total:1|c|#channel:teams,kind:timeout\n\
         chatgw_active_sessions:2|g\n\
         chatgw_retries_total:1|c|#operation:webhook,outcome:gave-up"
    );
}

#[test]
fn the_stats_backend_reports_received_sent_errors_and_sessions() {
    let out = run(&["--backend", "stats"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Stats { received: 10, sent: 5, errors: 2, active_sessions: 2 }\n"
    );
}

#[test]
fn the_noop_backend_exports_nothing_and_bad_arguments_are_refused() {
    let out = run(&["--backend", "noop"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let out = run(&["--backend", "carrier-pigeon"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "unknown arguments [\"--backend\", \"carrier-pigeon\"]\n"
    );
}
