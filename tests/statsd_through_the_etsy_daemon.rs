//! End to end, StatsD: the interval pusher sends to a real Etsy `statsd`
//! daemon (0.9, from the npm registry), which flushes to Graphite's
//! plaintext protocol into a real VictoriaMetrics; the values come back
//! exactly through VictoriaMetrics' query API. Counters arrive as the
//! daemon's per-flush counts (`NAME.count`), whose sum over time is the
//! total; gauges as their last value; labels as DogStatsD tags, which the
//! daemon turns into Graphite tags.
//!
//! `.ci/run` installs the daemon with `npm install --prefix target/statsd
//! statsd@0.9.0`; `ENUMETER_STATSD_DIR` names another installation. Where
//! `node`, the daemon or `victoria-metrics` is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded.

use enumeter_suite::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use enumeter::push::statsd::StatsdPusher;
use enumeter::{metrics, LabelValue, Registry};
use support::servers::{self, free_port, query_all, wait_for, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Queue {
    Email,
    Sms,
}

/// A worker's metrics, pushed to StatsD.
#[metrics(namespace = "sd", register = false)]
pub enum Sd {
    /// Jobs done.
    #[counter]
    JobsTotal { queue: Queue },
    /// Jobs waiting.
    #[gauge]
    Backlog { queue: Queue },
    /// Job time.
    #[histogram(unit = "seconds", buckets = [1])]
    Duration,
}

/// Whether the daemon answers `health` on its management port.
fn healthy(management: &str) -> Option<()> {
    let mut stream = TcpStream::connect(management).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream.write_all(b"health\n").ok()?;
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).ok()?;
    String::from_utf8_lossy(&answer[..n])
        .contains("health: up")
        .then_some(())
}

/// Waits until `query` gives exactly `[expected]` in VictoriaMetrics.
fn expect(vm: &str, query: &str, expected: f64) {
    wait_for(Duration::from_secs(30), query, || {
        servers::victoria_metrics_flush(vm);
        (query_all(vm, query)? == [expected]).then_some(())
    });
}

#[test]
#[cfg_attr(
    any(missing_statsd, missing_victoria_metrics),
    ignore = "needs the StatsD daemon and VictoriaMetrics: apt-get install nodejs npm victoria-metrics && npm install --prefix target/statsd statsd@0.9.0, then touch build.rs"
)]
fn a_real_statsd_daemon_flushes_the_pushed_values_into_victoria_metrics_exactly() {
    support::require("statsd");
    support::require("victoria_metrics");
    let statsd = support::tools::statsd_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    let dir = TempDir::new("statsd");
    let vm = format!("127.0.0.1:{}", free_port());
    let graphite = format!("127.0.0.1:{}", free_port());
    let _victoria =
        servers::victoria_metrics_with(&dir.0, &vm, &[format!("-graphiteListenAddr={graphite}")]);

    // The daemon: UDP in, a Graphite flush every 2 s (whole seconds apart,
    // so that no two flushes share a timestamp), names without prefixes.
    let (udp, management) = (free_port(), free_port());
    let graphite_port = graphite.rsplit(':').next().unwrap();
    let config = dir.0.join("statsd.js");
    std::fs::write(
        &config,
        format!(
            r#"{{
  "address": "127.0.0.1", "port": {udp},
  "mgmt_address": "127.0.0.1", "mgmt_port": {management},
  "flushInterval": 2000,
  "backends": ["./backends/graphite"],
  "graphiteHost": "127.0.0.1", "graphitePort": {graphite_port},
  "graphite": {{
    "legacyNamespace": false, "globalPrefix": "", "prefixCounter": "",
    "prefixGauge": "", "prefixTimer": "", "prefixSet": ""
  }}
}}"#
        ),
    )
    .unwrap();
    let _daemon = servers::spawn_in(
        &statsd,
        "node",
        &["stats.js".into(), config.display().to_string()],
    );
    let management = format!("127.0.0.1:{management}");
    wait_for(Duration::from_secs(30), "the statsd daemon", || {
        healthy(&management)
    });

    let sd: &'static SdMetrics = Box::leak(Box::new(SdMetrics::new()));
    let pusher = StatsdPusher::new(format!("127.0.0.1:{udp}").parse().unwrap())
        .interval(Duration::from_millis(300))
        .registry(Arc::new(Registry::new().with(sd)))
        .start()
        .unwrap();
    // Recorded over several pushes and several flushes.
    for round in 0..5 {
        sd.jobs_total(Queue::Email).add(3);
        sd.jobs_total(Queue::Sms).inc();
        sd.backlog(Queue::Email).set(10 - round);
        sd.duration().observe(0.25);
        std::thread::sleep(Duration::from_millis(700));
    }
    pusher.push_now().unwrap();
    pusher.shutdown();

    // Counters: the daemon's per-flush counts add up to the totals.
    let counted = |name: &str| format!("sum_over_time({{__name__=\"{name}.count\"}}[1h])");
    let email = r#"sum_over_time({__name__="sd_jobs_total.count",queue="email"}[1h])"#;
    let sms = r#"sum_over_time({__name__="sd_jobs_total.count",queue="sms"}[1h])"#;
    expect(&vm, email, 15.0);
    expect(&vm, sms, 5.0);
    expect(&vm, &counted("sd_duration_seconds_count"), 5.0);
    expect(&vm, &counted("sd_duration_seconds_sum"), 1.25);
    // Gauges: the last value set.
    expect(&vm, r#"{__name__="sd_backlog",queue="email"}"#, 6.0);
    expect(&vm, r#"{__name__="sd_backlog",queue="sms"}"#, 0.0);
    println!("statsd 0.9 -> Graphite -> VictoriaMetrics: totals and gauges read back exactly");
}
