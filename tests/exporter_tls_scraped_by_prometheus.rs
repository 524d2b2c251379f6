//! A real Prometheus (2.42 and 3.5.3) scrapes the exporter over TLS, as the
//! exporter-toolkit web configuration file sets it: a client certificate
//! verified against the CA, a bcrypt basic-auth user, TLS 1.3 only. The
//! job with the right certificate and password reads every value exactly;
//! a wrong password, a certificate of another CA and a client held to TLS
//! 1.2 are refused (`up` 0), and the exporter counts each refusal. Then
//! the certificate is rotated while Prometheus scrapes every second: no
//! scrape fails, and `openssl s_client` reads the new serial.

use std::sync::Arc;
use std::time::Duration;

use enumeter::{metrics, Exporter, ExporterHandle, LabelValue, Registry};
use enumeter_suite::support::servers::{self, query, query_result, wait_for, Line, TempDir};
use enumeter_suite::support::{certs, log_capture, own_counter, require};

/// Where a request went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "snake_case")]
pub enum Backend {
    Primary,
    Replica,
}

/// What the scraped exporter serves.
#[metrics(namespace = "tls_scraped", register = false)]
pub enum Scraped {
    /// Requests, by backend.
    #[counter]
    RequestsTotal { backend: Backend },
    /// Connections open.
    #[gauge]
    Connections,
}

fn web_config(pki: &certs::Pki, hash: &str) -> String {
    format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n  client_ca_file: {}\n  \
         client_auth_type: RequireAndVerifyClientCert\n  min_version: TLS13\n\
         basic_auth_users:\n  prometheus: {hash}\n\
         http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n",
        pki.server_cert.display(),
        pki.server_key.display(),
        pki.ca.display()
    )
}

/// A scrape job of `target` over TLS with `cert`/`key`, `password` and
/// `more` lines of `tls_config`.
fn job(
    name: &str,
    target: &str,
    pki: &certs::Pki,
    client: (&str, &str),
    password: &str,
    more: &str,
) -> String {
    format!(
        "  - job_name: {name}\n    scheme: https\n    scrape_interval: 2s\n    scrape_timeout: 2s\n    \
         basic_auth:\n      username: prometheus\n      password: {password}\n    \
         tls_config:\n      ca_file: {}\n      cert_file: {}\n      key_file: {}\n{more}    \
         static_configs:\n      - targets: ['{target}']\n",
        pki.ca.display(),
        pki.dir.join(client.0).display(),
        pki.dir.join(client.1).display(),
    )
}

/// `lastError` of the job's target in Prometheus' targets API.
fn last_error(addr: &str, job: &str) -> String {
    let (_, body) = enumeter_suite::support::http_get(addr, "/api/v1/targets").unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["data"]["activeTargets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["labels"]["job"] == job)
        .map(|t| t["lastError"].as_str().unwrap_or("").to_owned())
        .unwrap_or_default()
}

/// Counts of `up` samples over the last hour: (scrapes, successful ones).
fn ups(addr: &str, job: &str) -> (f64, f64) {
    let count = query(addr, &format!("count_over_time(up{{job=\"{job}\"}}[1h])")).unwrap_or(0.0);
    let sum = query(addr, &format!("sum_over_time(up{{job=\"{job}\"}}[1h])")).unwrap_or(0.0);
    (count, sum)
}

/// An exporter of a new `Scraped` group, set by `set`, with the web
/// configuration `web` written to `dir/web.yml`.
fn serve(dir: &TempDir, web: &str, set: impl FnOnce(&ScrapedMetrics)) -> ExporterHandle {
    let file = dir.0.join("web.yml");
    std::fs::write(&file, web).unwrap();
    let scraped: &'static ScrapedMetrics = Box::leak(Box::new(ScrapedMetrics::new()));
    set(scraped);
    Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(scraped)))
        .web_config_file(&file)
        .start()
        .unwrap()
}

fn refusals(reason: &str) -> u64 {
    own_counter("enumeter_exporter_refusals_total", &[("reason", reason)])
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3, missing_openssl),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus), 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid) and openssl"
)]
fn prometheus_scrapes_over_tls_with_a_client_certificate_and_a_password() {
    require("openssl");
    let dir = TempDir::new("tls-scrape");
    let pki = certs::make(&dir.0);
    let hash = bcrypt::hash("s3cret", 10).unwrap();
    let exporter = serve(&dir, &web_config(&pki, &hash), |scraped| {
        scraped.requests_total(Backend::Primary).add(42);
        scraped.requests_total(Backend::Replica).add(7);
        scraped.connections().set(-3);
    });
    let target = exporter.local_addr().to_string();
    for line in Line::BOTH {
        let before = (refusals("tls_handshake"), refusals("unauthorized"));
        let busy_before = refusals("auth_busy");
        let config = format!(
            "global:\n  scrape_interval: 2s\nscrape_configs:\n{}{}{}{}",
            job(
                "good",
                &target,
                &pki,
                ("client.pem", "client.key"),
                "s3cret",
                ""
            ),
            job(
                "wrong_password",
                &target,
                &pki,
                ("client.pem", "client.key"),
                "guess",
                ""
            ),
            job(
                "rogue_certificate",
                &target,
                &pki,
                ("rogue.pem", "rogue.key"),
                "s3cret",
                ""
            ),
            job(
                "tls12_client",
                &target,
                &pki,
                ("client.pem", "client.key"),
                "s3cret",
                "      max_version: TLS12\n"
            ),
        );
        let prometheus_dir = TempDir::new(&format!("tls-scrape-{line:?}"));
        let (_prometheus, addr) = servers::prometheus_of(line, &prometheus_dir.0, &config, &[]);
        // Three scrapes of every job.
        for job in [
            "good",
            "wrong_password",
            "rogue_certificate",
            "tls12_client",
        ] {
            wait_for(
                Duration::from_secs(60),
                &format!("{line}: three scrapes of {job}"),
                || (ups(&addr, job).0 >= 3.0).then_some(()),
            );
        }
        let good = ups(&addr, "good");
        assert_eq!(
            good.0, good.1,
            "{line}: every scrape of the good job succeeds"
        );
        for job in ["wrong_password", "rogue_certificate", "tls12_client"] {
            assert_eq!(
                ups(&addr, job).1,
                0.0,
                "{line}: no scrape of {job} succeeds"
            );
        }
        let value = |q: &str| query(&addr, q).unwrap_or(f64::NAN);
        assert_eq!(
            value("tls_scraped_requests_total{job=\"good\",backend=\"primary\"}"),
            42.0
        );
        assert_eq!(
            value("tls_scraped_requests_total{job=\"good\",backend=\"replica\"}"),
            7.0
        );
        assert_eq!(value("tls_scraped_connections{job=\"good\"}"), -3.0);
        let series = query_result(&addr, "{job=\"good\",__name__=~\"tls_scraped_.*\"}").unwrap();
        assert_eq!(series.len(), 3, "{line}: {series:?}");
        // Why each failed, as Prometheus saw it.
        let wrong = last_error(&addr, "wrong_password");
        assert!(wrong.contains("401"), "{line}: {wrong}");
        let rogue = last_error(&addr, "rogue_certificate");
        assert!(
            rogue.contains("tls") || rogue.contains("EOF") || rogue.contains("reset"),
            "{line}: {rogue}"
        );
        let old = last_error(&addr, "tls12_client");
        assert!(
            old.contains("version") || old.contains("tls"),
            "{line}: {old}"
        );
        // Every refusal counted: at least one per failed scrape Prometheus
        // stored, and no more than the scrapes that can have happened
        // since it was asked (every 2 s). A check that waited for another's
        // bcrypt is still answered: nothing is counted `auth_busy`.
        let failed_tls = ups(&addr, "rogue_certificate").0 + ups(&addr, "tls12_client").0;
        let failed_auth = ups(&addr, "wrong_password").0;
        let counted = (
            (refusals("tls_handshake") - before.0) as f64,
            (refusals("unauthorized") - before.1) as f64,
        );
        assert!(
            counted.0 >= failed_tls && counted.0 <= failed_tls + 4.0,
            "{line}: {} handshakes refused for {failed_tls} failed scrapes",
            counted.0
        );
        assert!(
            counted.1 >= failed_auth && counted.1 <= failed_auth + 2.0,
            "{line}: {} unauthorized for {failed_auth} failed scrapes",
            counted.1
        );
        assert_eq!(
            refusals("auth_busy"),
            busy_before,
            "{line}: no check gave up waiting"
        );
        println!(
            "{line}: good {good:?}; refused: {} handshakes for {failed_tls} failed scrapes, \
             {} unauthorized for {failed_auth}; errors: {wrong} | {rogue} | {old}",
            counted.0, counted.1
        );
    }
    exporter.shutdown();
}

#[test]
#[cfg_attr(
    any(missing_prometheus3, missing_openssl),
    ignore = "needs Prometheus 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid) and openssl"
)]
fn a_rotated_certificate_is_served_without_a_failed_scrape() {
    require("openssl");
    log_capture::install();
    let dir = TempDir::new("tls-rotation");
    let pki = certs::make(&dir.0);
    let web = "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  \
               client_ca_file: ca.pem\n  client_auth_type: RequireAndVerifyClientCert\n";
    let exporter = serve(&dir, web, |scraped| scraped.connections().set(5));
    let target = exporter.local_addr().to_string();
    assert_eq!(certs::served_serial(&target, &pki).as_deref(), Some("01"));
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: rotated\n    \
         scheme: https\n    tls_config:\n      ca_file: {}\n      cert_file: {}\n      key_file: {}\n    \
         static_configs:\n      - targets: ['{target}']\n",
        pki.ca.display(),
        pki.client_cert.display(),
        pki.client_key.display()
    );
    let prometheus_dir = TempDir::new("tls-rotation-prometheus");
    let (_prometheus, addr) = servers::prometheus_of(Line::Three, &prometheus_dir.0, &config, &[]);
    wait_for(
        Duration::from_secs(30),
        "three scrapes before the rotation",
        || (ups(&addr, "rotated").1 >= 3.0).then_some(()),
    );
    // A new certificate of the same CA, copied over the old files one at a
    // time, with more than a reload's second between them: the exporter
    // sees a certificate whose key is still the old one, and must keep
    // serving the last good pair.
    let next = TempDir::new("tls-rotation-next");
    std::fs::copy(&pki.ca, next.0.join("ca.pem")).unwrap();
    std::fs::copy(dir.0.join("ca.key"), next.0.join("ca.key")).unwrap();
    certs::signed(
        &next.0,
        "ca",
        "server",
        2,
        "serverAuth",
        "IP:127.0.0.1,DNS:localhost",
    );
    std::fs::copy(next.0.join("server.pem"), &pki.server_cert).unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        certs::served_serial(&target, &pki).as_deref(),
        Some("01"),
        "the broken pair is not served"
    );
    std::fs::copy(next.0.join("server.key"), &pki.server_key).unwrap();
    wait_for(
        Duration::from_secs(10),
        "the new certificate served",
        || (certs::served_serial(&target, &pki).as_deref() == Some("02")).then_some(()),
    );
    let rotated_at = ups(&addr, "rotated").0;
    wait_for(
        Duration::from_secs(30),
        "three scrapes after the rotation",
        || (ups(&addr, "rotated").0 >= rotated_at + 3.0).then_some(()),
    );
    let (scrapes, succeeded) = ups(&addr, "rotated");
    assert_eq!(scrapes, succeeded, "no scrape failed across the rotation");
    assert_eq!(query(&addr, "tls_scraped_connections"), Some(5.0));
    let logged: Vec<String> = log_capture::records()
        .into_iter()
        .map(|(_, _, message)| message)
        .filter(|m| m.contains("web config"))
        .collect();
    assert!(
        logged
            .iter()
            .any(|m| m.contains("not reloaded") && m.contains("key")),
        "the half-rotated pair was logged: {logged:?}"
    );
    assert!(logged.iter().any(|m| m.ends_with("reloaded")), "{logged:?}");
    println!("{scrapes} scrapes, all up, across the rotation; logged: {logged:?}");
    exporter.shutdown();
}
