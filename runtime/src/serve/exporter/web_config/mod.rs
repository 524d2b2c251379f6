//! The exporter-toolkit web configuration (feature `web-config`): the file
//! Prometheus, node_exporter, the Pushgateway and Alertmanager read with
//! `--web.config.file`, read field by field as exporter-toolkit documents
//! it (`docs/web-configuration.md` of prometheus/exporter-toolkit).
//!
//! [`read`] turns a file into a checked [`WebConfig`]; a refusal names the
//! field (and its line when the YAML says it), as `promtool check
//! web-config` does. [`tls`] builds the rustls configuration, [`users`]
//! checks bcrypt basic-auth credentials, [`rate_limit`] is the token
//! bucket, [`reload`] re-reads the file and the files it names when they
//! change.

pub(super) mod rate_limit;
pub(super) mod reload;
mod san;
pub(super) mod tls;
pub(crate) mod users;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use self::yaml::{Entry, Node};

/// Where the configuration comes from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// A file; relative paths in it are relative to its directory.
    File(PathBuf),
    /// The text of a file; relative paths in it are relative to `dir`.
    Text { text: String, dir: PathBuf },
}

impl Source {
    /// What a refusal names: the file, or "the web config text".
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::File(path) => format!("`{}`", path.display()),
            Source::Text { .. } => "the web config text".to_owned(),
        }
    }

    /// The exporter option that gave it.
    pub(crate) fn option(&self) -> &'static str {
        match self {
            Source::File(_) => "web_config_file",
            Source::Text { .. } => "web_config",
        }
    }

    /// The text, and the directory relative paths start from.
    fn text(&self) -> Result<(String, PathBuf), String> {
        match self {
            Source::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the file: {e}"))?;
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Ok((text, dir))
            }
            Source::Text { text, dir } => Ok((text.clone(), dir.clone())),
        }
    }
}

/// A checked web configuration, its files read.
#[derive(Debug)]
pub(crate) struct WebConfig {
    /// TLS, when the file configures it.
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    /// What `tls_server_config` asked, as read (for the reload's files).
    pub(crate) tls_files: Vec<PathBuf>,
    /// The bcrypt basic-auth users, if any.
    pub(crate) users: Option<users::Users>,
    /// `http_server_config.headers`, written out: `Name: value\r\n` each.
    pub(crate) headers: Vec<u8>,
    /// `rate_limit`, when its interval is not zero.
    pub(crate) rate_limit: Option<rate_limit::RateLimit>,
}

/// `tls_server_config`, as the file gives it (paths joined with the
/// file's directory).
#[derive(Debug, Default)]
pub(crate) struct TlsFields {
    pub(crate) cert: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) cert_file: Option<PathBuf>,
    pub(crate) key_file: Option<PathBuf>,
    pub(crate) client_ca: Option<String>,
    pub(crate) client_ca_file: Option<PathBuf>,
    pub(crate) client_auth_type: Option<String>,
    pub(crate) cipher_suites: Vec<String>,
    pub(crate) curve_preferences: Vec<String>,
    pub(crate) min_version: Option<String>,
    pub(crate) max_version: Option<String>,
    pub(crate) prefer_server_cipher_suites: bool,
    pub(crate) client_allowed_sans: Option<Vec<String>>,
}

impl TlsFields {
    /// Whether any field that turns TLS on is set (exporter-toolkit's
    /// `IsEnabled`): certificate, key, client CAs or a client auth type.
    fn enabled(&self) -> bool {
        self.cert.is_some()
            || self.key.is_some()
            || self.cert_file.is_some()
            || self.key_file.is_some()
            || self.client_ca.is_some()
            || self.client_ca_file.is_some()
            || self.client_auth_type.is_some()
    }
}

/// The headers `http_server_config.headers` may set, with the values each
/// accepts (none listed: any value), as exporter-toolkit keeps them so
/// that every exporter of the ecosystem answers alike.
const HEADERS: [(&str, &[&str]); 5] = [
    ("Strict-Transport-Security", &[]),
    ("X-Content-Type-Options", &["nosniff"]),
    ("X-Frame-Options", &["deny", "sameorigin"]),
    ("X-XSS-Protection", &[]),
    ("Content-Security-Policy", &[]),
];

/// Reads and checks the configuration at `source`, with every file it
/// names. `Err` says what is wrong, naming the field.
pub(crate) fn read(source: &Source) -> Result<WebConfig, String> {
    let (text, dir) = source.text()?;
    let root = yaml::parse(&text)?;
    let mut tls = TlsFields {
        prefer_server_cipher_suites: true,
        ..TlsFields::default()
    };
    let mut users_given: Vec<(String, String)> = Vec::new();
    let mut headers = Vec::new();
    let mut rate = (0_i64, Duration::ZERO);
    if let Some(root) = root.filter(|r| !r.is_null()) {
        for entry in map(&root, "the file")? {
            let value = &entry.value;
            match entry.key.as_str() {
                "tls_server_config" => read_tls(entry, &dir, &mut tls)?,
                "http_server_config" => {
                    for field in map_or_null(value, entry)? {
                        match field.key.as_str() {
                            "http2" => {
                                // HTTP/1.1 is all the exporter speaks; a
                                // client offered no HTTP/2 uses it, so
                                // either value serves (checked for its type).
                                boolean(field, "http_server_config.http2")?;
                            }
                            "headers" => {
                                for header in map_or_null(&field.value, field)? {
                                    let value = string(header, "http_server_config.headers")?;
                                    check_header(&header.key, &value)?;
                                    headers.extend_from_slice(header.key.as_bytes());
                                    headers.extend_from_slice(b": ");
                                    headers.extend_from_slice(value.as_bytes());
                                    headers.extend_from_slice(b"\r\n");
                                }
                            }
                            _ => return Err(unknown(field, "http_server_config")),
                        }
                    }
                }
                "basic_auth_users" => {
                    for user in map_or_null(value, entry)? {
                        users_given.push((user.key.clone(), string(user, "basic_auth_users")?));
                    }
                }
                "rate_limit" => {
                    for field in map_or_null(value, entry)? {
                        match field.key.as_str() {
                            "burst" => rate.0 = integer(field, "rate_limit.burst")?,
                            "interval" => rate.1 = duration(field, "rate_limit.interval")?,
                            _ => return Err(unknown(field, "rate_limit")),
                        }
                    }
                }
                _ => return Err(unknown(entry, "")),
            }
        }
    }
    let users = if users_given.is_empty() {
        None
    } else {
        Some(users::Users::new(users_given)?)
    };
    let rate_limit = rate_limit::RateLimit::new(rate.0, rate.1)?;
    let (tls_config, tls_files) = if tls.enabled() {
        let files = [&tls.cert_file, &tls.key_file, &tls.client_ca_file]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        (Some(Arc::new(tls::server_config(&tls)?)), files)
    } else {
        (None, Vec::new())
    };
    Ok(WebConfig {
        tls: tls_config,
        tls_files,
        users,
        headers,
        rate_limit,
    })
}

fn read_tls(entry: &Entry, dir: &Path, tls: &mut TlsFields) -> Result<(), String> {
    let path = |field: &Entry, name: &str| -> Result<Option<PathBuf>, String> {
        let value = string(field, name)?;
        // exporter-toolkit joins a relative path with the file's directory
        // (an empty one stays empty: not set).
        Ok((!value.is_empty()).then(|| dir.join(value)))
    };
    let text = |field: &Entry, name: &str| -> Result<Option<String>, String> {
        let value = string(field, name)?;
        Ok((!value.is_empty()).then_some(value))
    };
    for field in map_or_null(&entry.value, entry)? {
        let name = format!("tls_server_config.{}", field.key);
        let name = name.as_str();
        match field.key.as_str() {
            "cert" => tls.cert = text(field, name)?,
            "key" => tls.key = text(field, name)?,
            "cert_file" => tls.cert_file = path(field, name)?,
            "key_file" => tls.key_file = path(field, name)?,
            "client_ca" => tls.client_ca = text(field, name)?,
            "client_ca_file" => tls.client_ca_file = path(field, name)?,
            "client_auth_type" => tls.client_auth_type = text(field, name)?,
            "cipher_suites" => tls.cipher_suites = strings(field, name)?.unwrap_or_default(),
            "curve_preferences" => {
                tls.curve_preferences = strings(field, name)?.unwrap_or_default();
            }
            "min_version" => tls.min_version = text(field, name)?,
            "max_version" => tls.max_version = text(field, name)?,
            "prefer_server_cipher_suites" => {
                tls.prefer_server_cipher_suites = boolean(field, name)?;
            }
            "client_allowed_sans" => tls.client_allowed_sans = strings(field, name)?,
            _ => return Err(unknown(field, "tls_server_config")),
        }
    }
    Ok(())
}

fn check_header(name: &str, value: &str) -> Result<(), String> {
    let Some((_, accepted)) = HEADERS.iter().find(|(known, _)| *known == name) else {
        let names: Vec<&str> = HEADERS.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "http_server_config.headers: the header {name:?} cannot be set; accepted: {}",
            names.join(", ")
        ));
    };
    if !accepted.is_empty() && !accepted.contains(&value) {
        return Err(format!(
            "http_server_config.headers: {name} is {value:?}; accepted: {}",
            accepted.join(", ")
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "http_server_config.headers: the value of {name} holds a control character"
        ));
    }
    Ok(())
}

fn unknown(entry: &Entry, within: &str) -> String {
    let field = if within.is_empty() {
        entry.key.clone()
    } else {
        format!("{within}.{}", entry.key)
    };
    format!("line {}: unknown field `{field}`", entry.line)
}

fn map<'a>(node: &'a Node, what: &str) -> Result<&'a [Entry], String> {
    match node {
        Node::Map(entries) => Ok(entries),
        _ => Err(format!("{what} is not a mapping")),
    }
}

/// The entries of `node`, none when it is null.
fn map_or_null<'a>(node: &'a Node, entry: &Entry) -> Result<&'a [Entry], String> {
    if node.is_null() {
        return Ok(&[]);
    }
    match node {
        Node::Map(entries) => Ok(entries),
        _ => Err(format!(
            "line {}: `{}` is not a mapping",
            entry.line, entry.key
        )),
    }
}

/// A scalar as a string (null: empty), as Go's YAML reads any scalar into
/// a string field.
fn string(entry: &Entry, name: &str) -> Result<String, String> {
    match &entry.value {
        node if node.is_null() => Ok(String::new()),
        Node::Scalar { text, .. } => Ok(text.clone()),
        _ => Err(format!("line {}: `{name}` is not a string", entry.line)),
    }
}

fn strings(entry: &Entry, name: &str) -> Result<Option<Vec<String>>, String> {
    match &entry.value {
        node if node.is_null() => Ok(None),
        Node::Seq(items) => items
            .iter()
            .map(|item| match item {
                Node::Scalar { text, .. } => Ok(text.clone()),
                _ => Err(format!("line {}: `{name}` holds a non-string", entry.line)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        _ => Err(format!("line {}: `{name}` is not a list", entry.line)),
    }
}

fn boolean(entry: &Entry, name: &str) -> Result<bool, String> {
    match &entry.value {
        node if node.is_null() => Ok(false),
        Node::Scalar { text, plain: true } => match text.as_str() {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
                Ok(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
            | "N" => Ok(false),
            _ => Err(format!(
                "line {}: `{name}` is {text:?}, not a boolean",
                entry.line
            )),
        },
        _ => Err(format!("line {}: `{name}` is not a boolean", entry.line)),
    }
}

fn integer(entry: &Entry, name: &str) -> Result<i64, String> {
    match &entry.value {
        node if node.is_null() => Ok(0),
        Node::Scalar { text, plain: true } => text
            .replace('_', "")
            .parse()
            .map_err(|_| format!("line {}: `{name}` is {text:?}, not an integer", entry.line)),
        _ => Err(format!("line {}: `{name}` is not an integer", entry.line)),
    }
}

/// A Go duration (`1s`, `1m30s`, `250ms`), as `time.ParseDuration` reads it.
fn duration(entry: &Entry, name: &str) -> Result<Duration, String> {
    let text = match &entry.value {
        node if node.is_null() => return Ok(Duration::ZERO),
        Node::Scalar { text, .. } => text,
        _ => return Err(format!("line {}: `{name}` is not a duration", entry.line)),
    };
    // A negative interval is a limiter that admits everything in
    // exporter-toolkit (`rate.Every` of it is infinite): no limit here.
    if let Some(negative) = text.strip_prefix('-') {
        return go_duration(negative)
            .map(|_| Duration::ZERO)
            .ok_or_else(|| format!("line {}: `{name}` is {text:?}, not a duration", entry.line));
    }
    go_duration(text).ok_or_else(|| {
        format!(
            "line {}: `{name}` is {text:?}, not a duration (such as `1s` or `1m30s`)",
            entry.line
        )
    })
}

/// `time.ParseDuration` of Go, non-negative results only.
fn go_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return None;
    }
    let mut total = 0_f64;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += number * nanos;
    }
    (total <= 9.2e18).then(|| Duration::from_nanos(total as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(text: &str) -> Result<WebConfig, String> {
        read(&Source::Text {
            text: text.to_owned(),
            dir: PathBuf::from("/nonexistent"),
        })
    }

    #[test]
    fn an_empty_file_serves_as_before() {
        let config = text("").unwrap();
        assert!(config.tls.is_none() && config.users.is_none() && config.rate_limit.is_none());
        assert!(config.headers.is_empty());
        assert!(text("tls_server_config:\nhttp_server_config:\n  http2: false\n").is_ok());
    }

    #[test]
    fn refusals_name_the_field_and_its_line() {
        assert_eq!(
            text("http_server_config:\n  http3: true\n").unwrap_err(),
            "line 2: unknown field `http_server_config.http3`"
        );
        assert_eq!(
            text("tls: {}\n").unwrap_err(),
            "line 1: unknown field `tls`"
        );
        assert_eq!(
            text("http_server_config:\n  http2: maybe\n").unwrap_err(),
            "line 2: `http_server_config.http2` is \"maybe\", not a boolean"
        );
        assert!(
            text("http_server_config:\n  headers:\n    X-Frame-Options: allow\n")
                .unwrap_err()
                .starts_with("http_server_config.headers: X-Frame-Options is \"allow\"")
        );
        assert!(text("http_server_config:\n  headers:\n    Server: x\n")
            .unwrap_err()
            .contains("\"Server\" cannot be set"));
        assert!(text("tls_server_config:\n  cert_file: a.pem\n")
            .unwrap_err()
            .contains("key"));
    }

    #[test]
    fn headers_are_written_in_the_files_order() {
        let config = text(
            "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    \
             Strict-Transport-Security: max-age=31536000\n",
        )
        .unwrap();
        assert_eq!(
            config.headers,
            b"X-Frame-Options: deny\r\nStrict-Transport-Security: max-age=31536000\r\n"
        );
    }

    #[test]
    fn durations_read_as_go_reads_them() {
        assert_eq!(go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(go_duration("1.5ms"), Some(Duration::from_micros(1500)));
        assert_eq!(go_duration("0"), Some(Duration::ZERO));
        assert_eq!(go_duration("1"), None);
        assert_eq!(go_duration("1d"), None);
        assert_eq!(go_duration("-1s"), None);
        assert_eq!(go_duration(""), None);
    }
}
