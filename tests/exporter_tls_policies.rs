//! What each `tls_server_config` policy of the web configuration admits,
//! tried with a rustls client: every `client_auth_type` against a client
//! with no certificate, one of the configured CA and one of another CA;
//! `client_allowed_sans`; the version bounds; the TLS 1.2 cipher suites
//! and the curves. A client is admitted when its scrape is answered `200`.

use std::sync::Arc;

use enumeter::Exporter;
use enumeter_suite::support::servers::TempDir;
use enumeter_suite::support::{certs, require};
use rustls::version::{TLS12, TLS13};
use rustls::CipherSuite;

/// Whether a scrape with `client` through the exporter of `web` is answered.
fn admitted(web: &str, client: &Arc<rustls::ClientConfig>) -> bool {
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .web_config(web)
        .start()
        .unwrap_or_else(|e| panic!("{web}: {e}"));
    let answer = certs::https_get(&exporter.local_addr().to_string(), client, "/metrics", "");
    exporter.shutdown();
    matches!(answer, Ok((head, _)) if head.starts_with("HTTP/1.1 200 OK"))
}

#[test]
#[cfg_attr(missing_openssl, ignore = "needs openssl (apt-get install openssl)")]
fn each_policy_admits_the_clients_exporter_toolkit_admits() {
    require("openssl");
    let dir = TempDir::new("tls-policies");
    let pki = certs::make(&dir.0);
    let tls = |more: &str| {
        format!(
            "tls_server_config:\n  cert_file: {}\n  key_file: {}\n  client_ca_file: {}\n{more}",
            pki.server_cert.display(),
            pki.server_key.display(),
            pki.ca.display()
        )
    };
    let both = [&TLS12, &TLS13];
    let none = certs::client_config_with(&pki, None, &both, ring());
    let good = certs::client_config_with(&pki, Some("client"), &both, ring());
    let rogue = certs::client_config_with(&pki, Some("rogue"), &both, ring());
    // (policy, admits no certificate, the CA's, another CA's)
    let policies = [
        ("RequestClientCert", true, true, true),
        ("RequireAnyClientCert", false, true, true),
        ("VerifyClientCertIfGiven", true, true, false),
        ("RequireAndVerifyClientCert", false, true, false),
    ];
    for (policy, no_cert, ca_cert, other_cert) in policies {
        let web = tls(&format!("  client_auth_type: {policy}\n"));
        assert_eq!(admitted(&web, &none), no_cert, "{policy}, no certificate");
        assert_eq!(
            admitted(&web, &good),
            ca_cert,
            "{policy}, the CA's certificate"
        );
        assert_eq!(
            admitted(&web, &rogue),
            other_cert,
            "{policy}, another CA's certificate"
        );
    }
    // No client CA, no policy: nobody is asked for a certificate.
    let plain = format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n",
        pki.server_cert.display(),
        pki.server_key.display()
    );
    for client in [&none, &good, &rogue] {
        assert!(admitted(&plain, client), "NoClientCert admits every client");
    }

    // Both client certificates name DNS:prometheus.
    let sans = |policy: &str, allowed: &str| {
        tls(&format!(
            "  client_auth_type: {policy}\n  client_allowed_sans: [{allowed}]\n"
        ))
    };
    assert!(admitted(
        &sans("RequireAndVerifyClientCert", "prometheus"),
        &good
    ));
    assert!(!admitted(
        &sans("RequireAndVerifyClientCert", "grafana, 10.0.0.1"),
        &good
    ));
    assert!(admitted(
        &sans("RequireAnyClientCert", "grafana, prometheus"),
        &rogue
    ));
    assert!(!admitted(
        &sans("RequireAnyClientCert", "prometheus"),
        &none
    ));

    // Versions: a TLS 1.2 client against a TLS 1.3 minimum, and the other
    // way round.
    let tls12 = certs::client_config_with(&pki, None, &[&TLS12], ring());
    let tls13 = certs::client_config_with(&pki, None, &[&TLS13], ring());
    let only13 = format!("{plain}  min_version: TLS13\n");
    let only12 = format!("{plain}  max_version: TLS12\n");
    assert!(!admitted(&only13, &tls12));
    assert!(admitted(&only13, &tls13));
    assert!(admitted(&only12, &tls12));
    assert!(!admitted(&only12, &tls13));

    // TLS 1.2 cipher suites: a client offering only a suite the file does
    // not list is refused; one offering a listed suite is admitted. (The
    // server certificate is ECDSA: its suites are the ECDSA ones.)
    let only_suite = |suite: CipherSuite| {
        let mut provider = ring();
        provider.cipher_suites.retain(|s| s.suite() == suite);
        certs::client_config_with(&pki, None, &[&TLS12], provider)
    };
    let chacha = only_suite(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    let aes = only_suite(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    let aes_only = format!("{plain}  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n");
    assert!(admitted(&aes_only, &aes));
    assert!(!admitted(&aes_only, &chacha));
    assert!(admitted(&plain, &chacha));

    // Curves: a client that offers only P-384 against a file that lists
    // only X25519, and one that lists P-384.
    let mut provider = ring();
    provider
        .kx_groups
        .retain(|g| g.name() == rustls::NamedGroup::secp384r1);
    let p384 = certs::client_config_with(&pki, None, &both, provider);
    assert!(!admitted(
        &format!("{plain}  curve_preferences: [X25519]\n"),
        &p384
    ));
    assert!(admitted(
        &format!("{plain}  curve_preferences: [CurveP384]\n"),
        &p384
    ));
    assert!(admitted(&plain, &p384));
}

/// rustls' `ring` provider, every suite and group.
fn ring() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}
