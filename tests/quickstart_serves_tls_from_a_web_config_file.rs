//! The quickstart example takes `--web.config.file`, the flag of
//! Prometheus' Go exporters: with a file that sets TLS, a bcrypt user and a
//! response header, it serves `https://`, answers a request with the
//! user's password with every series, one without it `401`, and adds the
//! header to both.

use enumeter_suite::support::servers::TempDir;
use enumeter_suite::support::{certs, require, serve_example_args};

#[test]
#[cfg_attr(missing_openssl, ignore = "needs openssl (apt-get install openssl)")]
fn quickstart_serves_tls_and_a_user_from_the_web_config_file() {
    require("openssl");
    let dir = TempDir::new("quickstart-web-config");
    let pki = certs::make(&dir.0);
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let file = dir.0.join("web.yml");
    std::fs::write(
        &file,
        format!(
            "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n\
             basic_auth_users:\n  prometheus: {hash}\n\
             http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
        ),
    )
    .unwrap();
    let (_quickstart, addr, _stdin) = serve_example_args(
        "quickstart",
        &["127.0.0.1:0", "--web.config.file", file.to_str().unwrap()],
        60,
        &[],
    );
    let config = certs::client_config(&pki);
    // base64("prometheus:s3cret").
    let authorization = "Authorization: Basic cHJvbWV0aGV1czpzM2NyZXQ=\r\n";
    let (head, body) = certs::https_get(&addr, &config, "/metrics", authorization).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nX-Frame-Options: deny"), "{head}");
    assert!(
        body.contains("sip_invite_result_total{direction=\"inbound\",code_class=\"1xx\"} 2\n"),
        "{body}"
    );
    let (head, body) = certs::https_get(&addr, &config, "/metrics", "").unwrap();
    assert!(head.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{head}");
    assert!(
        head.contains("\r\nWWW-Authenticate: Basic realm=\"metrics\""),
        "{head}"
    );
    assert!(head.contains("\r\nX-Frame-Options: deny"), "{head}");
    assert_eq!(body, "Unauthorized");
}
