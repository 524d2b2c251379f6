//! The exporter-toolkit web configuration files that `promtool check
//! web-config` accepts or refuses, read by the exporter: one table of
//! files (each field valid and invalid, bad hashes, missing files, unknown
//! keys), each given to `Exporter::web_config_file(..).start()` and to
//! promtool 2.42 and 3.5.3. Every row states what each of the three says;
//! where enumeter differs from promtool 3.5.3 the row says why (a TLS
//! feature rustls does not have, or a file exporter-toolkit would serve in
//! a way that cannot work), so a difference is a decision, never drift.

use std::path::Path;

use enumeter::Exporter;
use enumeter_suite::support::servers::{Line, TempDir};
use enumeter_suite::support::{certs, promtool_of, require};

/// One file: its YAML, and whether enumeter, promtool 3.5.3 and promtool
/// 2.42 accept it; `why` says why enumeter differs from 3.5.3, if it does.
struct Row {
    name: &'static str,
    yaml: String,
    enumeter: bool,
    promtool3: bool,
    promtool2: bool,
    why: &'static str,
}

fn row(name: &'static str, yaml: &str, enumeter: bool, promtool3: bool, promtool2: bool) -> Row {
    Row {
        name,
        yaml: yaml.to_owned(),
        enumeter,
        promtool3,
        promtool2,
        why: "",
    }
}

/// Every verdict the same.
fn same(name: &'static str, yaml: &str, ok: bool) -> Row {
    row(name, yaml, ok, ok, ok)
}

fn rows(pki: &certs::Pki, hash: &str) -> Vec<Row> {
    let tls = |more: &str| {
        format!(
            "tls_server_config:\n  cert_file: {}\n  key_file: {}\n{more}",
            pki.server_cert.display(),
            pki.server_key.display()
        )
    };
    let ca = format!("  client_ca_file: {}\n", pki.ca.display());
    let cert_pem = std::fs::read_to_string(&pki.server_cert).unwrap();
    let key_pem = std::fs::read_to_string(&pki.server_key).unwrap();
    let indent = |pem: &str| {
        pem.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    let differs = |mut row: Row, why: &'static str| {
        row.why = why;
        row
    };
    vec![
        same("empty file", "", true),
        same("only comments", "# nothing set\n", true),
        same("tls from files", &tls(""), true),
        row(
            "tls inline",
            &format!(
                "tls_server_config:\n  cert: |\n{}  key: |\n{}",
                indent(&cert_pem),
                indent(&key_pem)
            ),
            true,
            true,
            // Inline certificates came after exporter-toolkit 0.8.
            false,
        ),
        same("relative paths", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n", true),
        same("require and verify", &tls(&format!("  client_auth_type: RequireAndVerifyClientCert\n{ca}")), true),
        same("verify if given", &tls(&format!("  client_auth_type: VerifyClientCertIfGiven\n{ca}")), true),
        same("request a certificate", &tls("  client_auth_type: RequestClientCert\n"), true),
        same("require any certificate", &tls("  client_auth_type: RequireAnyClientCert\n"), true),
        row(
            "allowed sans",
            &tls(&format!(
                "  client_auth_type: RequireAndVerifyClientCert\n{ca}  client_allowed_sans: [prometheus]\n"
            )),
            true,
            true,
            false,
        ),
        differs(
            row(
                "allowed sans without a required certificate",
                &tls(&format!(
                    "  client_auth_type: VerifyClientCertIfGiven\n{ca}  client_allowed_sans: [prometheus]\n"
                )),
                false,
                true,
                false,
            ),
            "a client that sends no certificate would pass with no name checked; \
             exporter-toolkit's main branch refuses it too",
        ),
        same("tls 1.3 only", &tls("  min_version: TLS13\n  max_version: TLS13\n"), true),
        same("tls 1.2 only", &tls("  min_version: TLS12\n  max_version: TLS12\n"), true),
        same("minimum below what rustls speaks", &tls("  min_version: TLS10\n"), true),
        same(
            "cipher suites rustls offers",
            &tls("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]\n"),
            true,
        ),
        same("curves", &tls("  curve_preferences: [X25519, CurveP256, CurveP384]\n"), true),
        same("client order", &tls("  prefer_server_cipher_suites: false\n"), true),
        same("a user", &format!("basic_auth_users:\n  prometheus: {hash}\n"), true),
        same(
            "headers and http2",
            "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n    \
             X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000\n",
            true,
        ),
        row("rate limit", "rate_limit:\n  burst: 2\n  interval: 1s\n", true, true, false),
        same("unknown top-level key", "tls_config: {}\n", false),
        same("unknown tls key", &tls("  certificate: x\n"), false),
        same("unknown http key", "http_server_config:\n  http3: true\n", false),
        row("unknown rate limit key", "rate_limit:\n  every: 1s\n", false, false, false),
        same("repeated key", "basic_auth_users:\n  a: x\nbasic_auth_users:\n  b: y\n", false),
        same("not YAML", "tls_server_config: [\n", false),
        same("http2 not a boolean", "http_server_config:\n  http2: maybe\n", false),
        same("certificate file missing", &format!("tls_server_config:\n  cert_file: {0}/none.pem\n  key_file: {0}/none.key\n", pki.dir.display()), false),
        same("certificate without key", &format!("tls_server_config:\n  cert_file: {}\n", pki.server_cert.display()), false),
        same("key without certificate", &format!("tls_server_config:\n  key_file: {}\n", pki.server_key.display()), false),
        same(
            "key of another certificate",
            &format!("tls_server_config:\n  cert_file: {}\n  key_file: {}\n", pki.server_cert.display(), pki.client_key.display()),
            false,
        ),
        same("client CA file missing", &tls(&format!("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {}/none.pem\n", pki.dir.display())), false),
        same("client CA without a policy", &tls(&ca), false),
        same("client auth type unknown", &tls("  client_auth_type: AskNicely\n"), false),
        same("version unknown", &tls("  min_version: TLS14\n"), false),
        same("cipher suite unknown", &tls("  cipher_suites: [TLS_FOO]\n"), false),
        same("curve unknown", &tls("  curve_preferences: [CurveP999]\n"), false),
        same("hash too short", "basic_auth_users:\n  prometheus: abc\n", false),
        same("hash of cost 3", &format!("basic_auth_users:\n  prometheus: {}\n", hash.replacen("$10$", "$03$", 1)), false),
        same("hash of no user", "basic_auth_users:\n  prometheus:\n", false),
        same("header not allowed", "http_server_config:\n  headers:\n    Server: enumeter\n", false),
        same("header value not allowed", "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", false),
        // Go 1.19 (2.42) still listed it; rustls has no RSA key exchange
        // and no CBC, and says so by name.
        row("cipher suite rustls does not offer", &tls("  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n"), false, false, true),
        differs(
            row("curve rustls does not offer", &tls("  curve_preferences: [CurveP521]\n"), false, true, true),
            "the ring provider has no P-521",
        ),
        differs(
            row("maximum below what rustls speaks", &tls("  max_version: TLS11\n"), false, true, true),
            "rustls speaks TLS 1.2 and 1.3 only: nothing would be served",
        ),
        differs(
            row("minimum above maximum", &tls("  min_version: TLS13\n  max_version: TLS12\n"), false, true, true),
            "Go would fail every handshake at run time",
        ),
        differs(
            row("verification without a client CA", &tls("  client_auth_type: RequireAndVerifyClientCert\n"), false, true, true),
            "Go verifies against the system's roots: any publicly signed certificate would pass",
        ),
        differs(
            row("rate limit with an empty bucket", "rate_limit:\n  burst: 0\n  interval: 1s\n", false, true, false),
            "exporter-toolkit would answer every request 429",
        ),
    ]
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_promtool3, missing_openssl),
    ignore = "needs promtool 2.42 (apt-get install prometheus), 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid) and openssl"
)]
fn every_file_is_accepted_or_refused_as_promtool_does() {
    require("openssl");
    let dir = TempDir::new("web-config-table");
    let pki = certs::make(&dir.0);
    let hash = bcrypt::hash("s3cret", 10).unwrap();
    let rows = rows(&pki, &hash);
    let mut mismatches = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let file = dir.0.join(format!("web-{i}.yml"));
        std::fs::write(&file, &row.yaml).unwrap();
        let promtool = |line: Line| {
            let (code, output) = promtool_of(
                line,
                &dir.0,
                &["check", "web-config", file.to_str().unwrap()],
            );
            (code == 0, output)
        };
        let (three, three_says) = promtool(Line::Three);
        let (two, two_says) = promtool(Line::Two);
        let started = Exporter::new()
            .address("127.0.0.1:0")
            .web_config_file(&file)
            .start();
        let enumeter = started.is_ok();
        let enumeter_says = match started {
            Ok(exporter) => {
                exporter.shutdown();
                "started".to_owned()
            }
            Err(e) => {
                assert_eq!(
                    e.kind(),
                    std::io::ErrorKind::InvalidInput,
                    "{}: {e}",
                    row.name
                );
                e.to_string()
            }
        };
        println!(
            "{:<40} enumeter {:<5} promtool 3.5.3 {:<5} promtool 2.42 {:<5} {}",
            row.name, enumeter, three, two, enumeter_says
        );
        if (enumeter, three, two) != (row.enumeter, row.promtool3, row.promtool2) {
            mismatches.push(format!(
                "{}: enumeter {enumeter} ({enumeter_says}), promtool 3.5.3 {three} ({}), \
                 promtool 2.42 {two} ({}); the table says {}, {}, {}",
                row.name,
                three_says.trim(),
                two_says.trim(),
                row.enumeter,
                row.promtool3,
                row.promtool2
            ));
        }
        assert_eq!(
            row.enumeter != row.promtool3,
            !row.why.is_empty(),
            "{}: a row where enumeter differs from promtool 3.5.3 says why, and only such a row",
            row.name
        );
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_missing_file_is_refused_naming_the_option_and_the_file() {
    let path = Path::new("/nonexistent/enumeter/web.yml");
    let error = Exporter::new()
        .address("127.0.0.1:0")
        .web_config_file(path)
        .start()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        error.to_string().starts_with(
            "exporter option `web_config_file` (`/nonexistent/enumeter/web.yml`): cannot read the file"
        ),
        "{error}"
    );
}
