//! `tls_server_config` as a rustls server configuration, field by field
//! as exporter-toolkit reads it; what rustls cannot do is refused by name,
//! never served weaker than asked.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme};

use super::{san, TlsFields};

/// The cipher suites exporter-toolkit accepts by name (Go's
/// `tls.CipherSuites()`); of these rustls offers the AEAD ones with ECDHE,
/// and TLS 1.3's (which Go, and so the file, cannot choose).
const GO_CIPHER_SUITES: [&str; 17] = [
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// The curves exporter-toolkit accepts by name, with rustls' name of each
/// (`None`: the `ring` provider has no such group).
const CURVES: [(&str, Option<&str>); 4] = [
    ("CurveP256", Some("secp256r1")),
    ("CurveP384", Some("secp384r1")),
    ("CurveP521", None),
    ("X25519", Some("X25519")),
];

/// TLS versions by name, as numbers to compare.
const VERSIONS: [(&str, u8); 4] = [("TLS10", 0), ("TLS11", 1), ("TLS12", 2), ("TLS13", 3)];

/// The client authentication policies, exporter-toolkit's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientAuth {
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
}

impl ClientAuth {
    fn parse(name: Option<&str>) -> Result<Self, String> {
        Ok(match name.unwrap_or("") {
            "" | "NoClientCert" => ClientAuth::NoClientCert,
            "RequestClientCert" => ClientAuth::RequestClientCert,
            // The second name is kept by exporter-toolkit for old files.
            "RequireAnyClientCert" | "RequireClientCert" => ClientAuth::RequireAnyClientCert,
            "VerifyClientCertIfGiven" => ClientAuth::VerifyClientCertIfGiven,
            "RequireAndVerifyClientCert" => ClientAuth::RequireAndVerifyClientCert,
            other => {
                return Err(format!(
                    "tls_server_config.client_auth_type is {other:?}; accepted: NoClientCert, \
                     RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, \
                     RequireAndVerifyClientCert"
                ))
            }
        })
    }

    fn verifies(self) -> bool {
        matches!(
            self,
            ClientAuth::VerifyClientCertIfGiven | ClientAuth::RequireAndVerifyClientCert
        )
    }

    fn requires(self) -> bool {
        matches!(
            self,
            ClientAuth::RequireAnyClientCert | ClientAuth::RequireAndVerifyClientCert
        )
    }
}

/// The rustls configuration `fields` ask for, its files read.
pub(crate) fn server_config(fields: &TlsFields) -> Result<rustls::ServerConfig, String> {
    if fields.cert.is_none() && fields.cert_file.is_none() {
        return Err("tls_server_config: missing one of cert or cert_file".to_owned());
    }
    if fields.key.is_none() && fields.key_file.is_none() {
        return Err("tls_server_config: missing one of key or key_file".to_owned());
    }
    let cert_pem = pem_of(fields.cert_file.as_deref(), fields.cert.as_deref(), "cert")?;
    let key_pem = pem_of(fields.key_file.as_deref(), fields.key.as_deref(), "key")?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("tls_server_config.cert_file: not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("tls_server_config.cert_file: no certificate in it".to_owned());
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| format!("tls_server_config.key_file: no private key in it: {e}"))?;

    let mut provider = rustls::crypto::ring::default_provider();
    let versions = versions(fields)?;
    choose_cipher_suites(&mut provider, &fields.cipher_suites)?;
    choose_curves(&mut provider, &fields.curve_preferences)?;
    let provider = Arc::new(provider);

    let auth = ClientAuth::parse(fields.client_auth_type.as_deref())?;
    let roots = client_roots(fields)?;
    if roots.is_some() && auth == ClientAuth::NoClientCert {
        return Err(
            "tls_server_config: client CAs are configured (client_ca_file or client_ca) \
             without a client_auth_type that asks for a certificate"
                .to_owned(),
        );
    }
    if fields.client_allowed_sans.is_some() && !auth.requires() {
        return Err(
            "tls_server_config.client_allowed_sans requires client_auth_type \
             RequireAnyClientCert or RequireAndVerifyClientCert"
                .to_owned(),
        );
    }
    let verifier = client_verifier(auth, roots, fields, &provider)?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| format!("tls_server_config: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| format!("tls_server_config: the key does not serve the certificate: {e}"))?;
    config.ignore_client_order = fields.prefer_server_cipher_suites;
    Ok(config)
}

/// The PEM text of `file`, else the inline `text`.
fn pem_of(file: Option<&Path>, text: Option<&str>, field: &str) -> Result<Vec<u8>, String> {
    match (file, text) {
        (Some(path), _) => std::fs::read(path).map_err(|e| {
            format!(
                "tls_server_config.{field}_file: cannot read `{}`: {e}",
                path.display()
            )
        }),
        (None, Some(text)) => Ok(text.as_bytes().to_vec()),
        (None, None) => Ok(Vec::new()),
    }
}

fn version(name: Option<&str>, field: &str, default: u8) -> Result<u8, String> {
    let Some(name) = name else {
        return Ok(default);
    };
    VERSIONS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            format!("tls_server_config.{field} is {name:?}; accepted: TLS10, TLS11, TLS12, TLS13")
        })
}

/// The versions between `min_version` (default TLS12) and `max_version`
/// (default TLS13). rustls speaks TLS 1.2 and 1.3 only: a lower minimum
/// admits nothing more; a maximum below 1.2 leaves nothing to serve.
fn versions(fields: &TlsFields) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, String> {
    let min = version(fields.min_version.as_deref(), "min_version", 2)?;
    let max = version(fields.max_version.as_deref(), "max_version", 3)?;
    if max < 2 {
        return Err(format!(
            "tls_server_config.max_version is {:?}: rustls speaks TLS 1.2 and 1.3 only",
            fields.max_version.as_deref().unwrap_or_default()
        ));
    }
    if min > max {
        return Err("tls_server_config: min_version is above max_version".to_owned());
    }
    let mut versions = Vec::new();
    if min <= 2 {
        versions.push(&rustls::version::TLS12);
    }
    if max >= 3 {
        versions.push(&rustls::version::TLS13);
    }
    Ok(versions)
}

/// Keeps the TLS 1.2 suites `names` lists, in their order (and every TLS
/// 1.3 suite, which the file cannot choose, as in Go).
fn choose_cipher_suites(provider: &mut CryptoProvider, names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Ok(());
    }
    let all = std::mem::take(&mut provider.cipher_suites);
    let mut chosen: Vec<_> = all
        .iter()
        .filter(|s| s.version() == &rustls::version::TLS13)
        .copied()
        .collect();
    for name in names {
        if !GO_CIPHER_SUITES.contains(&name.as_str()) {
            return Err(format!(
                "tls_server_config.cipher_suites: unknown cipher suite {name:?}"
            ));
        }
        if [
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        let suite = all
            .iter()
            .find(|s| format!("{:?}", s.suite()) == *name)
            .ok_or_else(|| {
                format!(
                    "tls_server_config.cipher_suites: {name} is not offered by rustls \
                     (TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305 only)"
                )
            })?;
        if !chosen.contains(suite) {
            chosen.push(*suite);
        }
    }
    provider.cipher_suites = chosen;
    Ok(())
}

/// Keeps the key exchange groups `names` lists, in their order.
fn choose_curves(provider: &mut CryptoProvider, names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Ok(());
    }
    let all = std::mem::take(&mut provider.kx_groups);
    for name in names {
        let Some((_, rustls_name)) = CURVES.iter().find(|(known, _)| *known == name) else {
            return Err(format!(
                "tls_server_config.curve_preferences: unknown curve {name:?}; accepted: \
                 CurveP256, CurveP384, CurveP521, X25519"
            ));
        };
        let group = rustls_name
            .and_then(|n| all.iter().find(|g| format!("{:?}", g.name()) == n))
            .ok_or_else(|| {
                format!("tls_server_config.curve_preferences: {name} is not offered by rustls")
            })?;
        if !provider.kx_groups.iter().any(|g| g.name() == group.name()) {
            provider.kx_groups.push(*group);
        }
    }
    Ok(())
}

/// The client CAs, when the file names some.
fn client_roots(fields: &TlsFields) -> Result<Option<RootCertStore>, String> {
    let (pem, field) = match (&fields.client_ca_file, &fields.client_ca) {
        (Some(path), _) => (
            std::fs::read(path).map_err(|e| {
                format!(
                    "tls_server_config.client_ca_file: cannot read `{}`: {e}",
                    path.display()
                )
            })?,
            "client_ca_file",
        ),
        (None, Some(text)) => (text.as_bytes().to_vec(), "client_ca"),
        (None, None) => return Ok(None),
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("tls_server_config.{field}: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("tls_server_config.{field}: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("tls_server_config.{field}: no certificate in it"));
    }
    Ok(Some(roots))
}

fn client_verifier(
    auth: ClientAuth,
    roots: Option<RootCertStore>,
    fields: &TlsFields,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ClientCertVerifier>, String> {
    if auth == ClientAuth::NoClientCert {
        return Ok(WebPkiClientVerifier::no_client_auth());
    }
    let verified = if auth.verifies() {
        // Go would verify against the system's roots; a client certificate
        // signed by any public CA is not what an exporter means to admit.
        let roots = roots.ok_or_else(|| {
            format!(
                "tls_server_config: client_auth_type {:?} needs client_ca_file or client_ca",
                fields.client_auth_type.as_deref().unwrap_or_default()
            )
        })?;
        let mut builder =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(provider));
        if !auth.requires() {
            builder = builder.allow_unauthenticated();
        }
        Some(
            builder
                .build()
                .map_err(|e| format!("tls_server_config: {e}"))?,
        )
    } else {
        None
    };
    Ok(Arc::new(ClientCerts {
        verified,
        mandatory: auth.requires(),
        allowed_sans: fields.client_allowed_sans.clone(),
        algorithms: provider.signature_verification_algorithms,
    }))
}

/// Asks for a client certificate, verifies it against the client CAs when
/// the policy says so, and checks `client_allowed_sans`.
#[derive(Debug)]
struct ClientCerts {
    verified: Option<Arc<dyn ClientCertVerifier>>,
    mandatory: bool,
    allowed_sans: Option<Vec<String>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for ClientCerts {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.verified
            .as_ref()
            .map_or(&[], |verifier| verifier.root_hint_subjects())
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if let Some(verifier) = &self.verified {
            verifier.verify_client_cert(end_entity, intermediates, now)?;
        }
        if let Some(allowed) = &self.allowed_sans {
            let names = san::names(end_entity);
            if !names.iter().any(|name| allowed.contains(name)) {
                return Err(rustls::Error::General(
                    "no allowed subject alternative name in the client certificate".to_owned(),
                ));
            }
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
