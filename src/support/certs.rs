//! Certificates for the TLS tests, made with the `openssl` command line: a
//! CA, a server certificate for 127.0.0.1 signed by it, a client
//! certificate signed by it, and a client certificate of another CA that
//! the exporter must refuse. Every key is P-256, written as PKCS#8.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files [`make`] writes.
#[derive(Clone, Debug)]
pub struct Pki {
    pub dir: PathBuf,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub rogue_cert: PathBuf,
    pub rogue_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl starts: {e}"));
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `openssl req` making a P-256 key `{name}.key` and, with `more`, the
/// request or certificate they ask for, of subject `/CN={name}`.
fn new_key(dir: &Path, name: &str, more: &[&str]) {
    let (key, subject) = (format!("{name}.key"), format!("/CN={name}"));
    let mut args = vec![
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
    ];
    args.extend_from_slice(&["-nodes", "-keyout", &key, "-subj", &subject]);
    args.extend_from_slice(more);
    openssl(dir, &args);
}

/// A self-signed CA `name` in `dir` (`{name}.pem`, `{name}.key`).
fn ca(dir: &Path, name: &str) {
    let out = format!("{name}.pem");
    let extensions = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ];
    new_key(
        dir,
        name,
        &[&["-x509", "-out", &out, "-days", "2"][..], &extensions].concat(),
    );
}

/// A certificate `name` signed by CA `ca`, with serial `serial`, for
/// `usage` (`serverAuth` or `clientAuth`) and subject alternative names
/// `sans` (`IP:127.0.0.1,DNS:localhost`).
pub fn signed(dir: &Path, ca: &str, name: &str, serial: u32, usage: &str, sans: &str) {
    new_key(dir, name, &["-out", &format!("{name}.csr")]);
    let extensions = format!(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage={usage}\nsubjectAltName={sans}\n"
    );
    std::fs::write(dir.join(format!("{name}.ext")), extensions).unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            &serial.to_string(),
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

/// Makes the CA, the server and client certificates, and a rogue client's.
pub fn make(dir: &Path) -> Pki {
    ca(dir, "ca");
    ca(dir, "rogue-ca");
    signed(
        dir,
        "ca",
        "server",
        1,
        "serverAuth",
        "IP:127.0.0.1,DNS:localhost",
    );
    signed(dir, "ca", "client", 11, "clientAuth", "DNS:prometheus");
    signed(dir, "rogue-ca", "rogue", 21, "clientAuth", "DNS:prometheus");
    let file = |name: &str| dir.join(name);
    Pki {
        dir: dir.to_path_buf(),
        ca: file("ca.pem"),
        server_cert: file("server.pem"),
        server_key: file("server.key"),
        client_cert: file("client.pem"),
        client_key: file("client.key"),
        rogue_cert: file("rogue.pem"),
        rogue_key: file("rogue.key"),
    }
}

/// The serial of the certificate `addr` serves, as `openssl s_client`
/// reads it (hex, as `openssl x509 -serial` prints it).
pub fn served_serial(addr: &str, pki: &Pki) -> Option<String> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl s_client -connect {addr} -cert {} -key {} </dev/null 2>/dev/null \
             | openssl x509 -noout -serial",
            pki.client_cert.display(),
            pki.client_key.display()
        ))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().strip_prefix("serial=").map(str::to_owned)
}

/// A TLS client that trusts the CA of `pki` (and sends no certificate).
pub fn client_config(pki: &Pki) -> std::sync::Arc<rustls::ClientConfig> {
    let provider = rustls::crypto::ring::default_provider();
    client_config_with(pki, None, rustls::DEFAULT_VERSIONS, provider)
}

/// 127.0.0.1, as the server certificate names it.
pub fn server_name() -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into())
}

/// `GET path` over TLS to `addr` with `headers` (lines ending in `\r\n`):
/// the response's head and body, bounded by 5 s read and write timeouts.
pub fn https_get(
    addr: &str,
    config: &std::sync::Arc<rustls::ClientConfig>,
    path: &str,
    headers: &str,
) -> std::io::Result<(String, String)> {
    use std::io::{Read, Write};
    let socket = std::net::TcpStream::connect(addr)?;
    socket.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    socket.set_write_timeout(Some(std::time::Duration::from_secs(5)))?;
    let session = rustls::ClientConnection::new(std::sync::Arc::clone(config), server_name())
        .map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(session, socket);
    write!(tls, "GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n")?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok((head.to_owned(), body.to_owned()))
}

/// A TLS client that trusts the CA of `pki` and presents the certificate
/// `name` (`client`, `rogue`: `{name}.pem` and `{name}.key` in `pki.dir`),
/// speaking only `versions`, with the suites and key exchange groups of
/// `provider`.
pub fn client_config_with(
    pki: &Pki,
    name: Option<&str>,
    versions: &[&'static rustls::SupportedProtocolVersion],
    provider: rustls::crypto::CryptoProvider,
) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&pki.ca).unwrap())
        .unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(provider))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let config = match name {
        Some(name) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_file(pki.dir.join(format!("{name}.pem"))).unwrap()],
                PrivateKeyDer::from_pem_file(pki.dir.join(format!("{name}.key"))).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    std::sync::Arc::new(config)
}
