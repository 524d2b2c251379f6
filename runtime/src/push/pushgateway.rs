//! Push, push-add and delete of a registry on a Prometheus Pushgateway, as
//! its README documents them: `PUT`, `POST` and `DELETE` on
//! `/metrics/job/<job>{/<label>/<value>}`, the body in the Prometheus text
//! format.

use std::time::Duration;

use super::client::{Auth, Client, Method};
use super::{check_url, is_label_name, PushError};
use crate::base64::{encode, Alphabet};
use crate::encode::Format;
use crate::read::registry::Registry;

/// A job's group on a Prometheus Pushgateway: its URL, job name and
/// grouping labels.
///
/// ```no_run
/// use enumeter::push::Pushgateway;
/// use enumeter::{metrics, Registry};
///
/// /// A nightly batch job.
/// #[metrics(namespace = "backup")]
/// pub enum Backup {
///     /// Files copied by the last run.
///     #[gauge]
///     FilesCopied,
/// }
///
/// Backup::files_copied().set(1234);
/// let gateway = Pushgateway::new("http://127.0.0.1:9091", "backup")?
///     .grouping_label("instance", "db-1")?;
/// // Only the job's own group, not the whole process:
/// gateway.push(&Registry::new().with(BackupMetrics::global()))?;
/// # Ok::<(), enumeter::push::PushError>(())
/// ```
///
/// Prometheus scrapes the gateway with `honor_labels: true`, so that the
/// pushed `job` and grouping labels are kept. A pushed series must not
/// carry a grouping label with another value: the gateway refuses it.
#[derive(Debug)]
pub struct Pushgateway {
    /// `<base>/metrics/job/<job>/<label>/<value>...`, encoded.
    url: String,
    timeout: Duration,
    auth: Auth,
    client: Client,
}

/// The timeout of each request unless [`Pushgateway::timeout`] sets one.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl Pushgateway {
    /// The group of `job` on the gateway at `url` (`http://host:9091`, with
    /// any path prefix the gateway is served under).
    ///
    /// Errors when the URL has no `http://` or `https://` scheme or no
    /// host, or when `job` is empty.
    pub fn new(url: &str, job: &str) -> Result<Self, PushError> {
        check_url(url, "Pushgateway")?;
        if job.is_empty() {
            return Err(PushError::InvalidInput(
                "the job name is empty; the Pushgateway groups by job".into(),
            ));
        }
        let mut path = url.trim_end_matches('/').to_owned();
        path.push_str("/metrics");
        push_segment(&mut path, "job", job);
        Ok(Self {
            url: path,
            timeout: DEFAULT_TIMEOUT,
            auth: Auth::None,
            client: Client::new(DEFAULT_TIMEOUT, Auth::None),
        })
    }

    /// Adds a grouping label (`instance`, say): the group is the job and
    /// every grouping label together. Values may hold any text: a value with
    /// characters that a path cannot carry as they are (`/`, spaces, an
    /// empty value) is sent base64-encoded as the gateway documents.
    ///
    /// Errors on a name that is not a label name, reserved (`__*`) or
    /// `job`.
    pub fn grouping_label(mut self, name: &str, value: &str) -> Result<Self, PushError> {
        if !is_label_name(name) || name == "job" {
            return Err(PushError::InvalidInput(format!(
                "`{name}` cannot be a grouping label: use a label name \
                 ([a-zA-Z_][a-zA-Z0-9_]*, not `__*`) other than `job`"
            )));
        }
        push_segment(&mut self.url, name, value);
        Ok(self)
    }

    /// Requires HTTP basic auth on every request.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Auth::basic(user, password);
        self.client = Client::new(self.timeout, self.auth.clone());
        self
    }

    /// The time each request may take in all, connecting included (10 s
    /// unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.client = Client::new(timeout, self.auth.clone());
        self
    }

    /// The group's URL, as requests are sent to it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `PUT`: replaces every metric of the group with `registry`'s.
    pub fn push(&self, registry: &Registry<'_>) -> Result<(), PushError> {
        self.send_registry(Method::Put, registry)
    }

    /// `POST`: replaces only the metrics of the group that `registry` also
    /// has (by name), keeping the others.
    pub fn push_add(&self, registry: &Registry<'_>) -> Result<(), PushError> {
        self.send_registry(Method::Post, registry)
    }

    /// `DELETE`: removes the group and every metric in it.
    pub fn delete(&self) -> Result<(), PushError> {
        self.client
            .send(Method::Delete, &self.url, &[], &[])
            .map(|_| ())
    }

    fn send_registry(&self, method: Method, registry: &Registry<'_>) -> Result<(), PushError> {
        let mut body = Vec::new();
        registry.render_into(Format::Prometheus, &mut body);
        let headers = [("Content-Type", Format::Prometheus.content_type())];
        self.client
            .send(method, &self.url, &headers, &body)
            .map(|_| ())
    }
}

/// Appends `/<name>/<value>`, or `/<name>@base64/<value in base64url>` when
/// the value holds anything but unreserved URL characters (the gateway
/// reads an empty value as `=`).
fn push_segment(url: &mut String, name: &str, value: &str) {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    url.push('/');
    url.push_str(name);
    if plain {
        url.push('/');
        url.push_str(value);
    } else if value.is_empty() {
        url.push_str("@base64/=");
    } else {
        url.push_str("@base64/");
        url.push_str(&encode(value.as_bytes(), Alphabet::UrlSafe));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_url_encodes_values_a_path_cannot_carry_in_base64() {
        let gateway = Pushgateway::new("http://127.0.0.1:9091/", "backup")
            .unwrap()
            .grouping_label("instance", "db-1.local")
            .unwrap()
            .grouping_label("path", "/var/tmp")
            .unwrap()
            .grouping_label("empty", "")
            .unwrap()
            .grouping_label("note", "a b")
            .unwrap();
        assert_eq!(
            gateway.url(),
            "http://127.0.0.1:9091/metrics/job/backup/instance/db-1.local\
             /path@base64/L3Zhci90bXA/empty@base64/=/note@base64/YSBi"
        );
        let slash_job = Pushgateway::new("http://gw", "a/b").unwrap();
        assert_eq!(slash_job.url(), "http://gw/metrics/job@base64/YS9i");
    }

    #[test]
    fn bad_jobs_and_grouping_labels_are_refused_before_sending() {
        assert!(Pushgateway::new("http://gw", "").is_err());
        assert!(Pushgateway::new("gw:9091", "job").is_err());
        let gateway = || Pushgateway::new("http://gw", "j").unwrap();
        for name in ["", "job", "__x", "a-b", "9x"] {
            let error = gateway().grouping_label(name, "v").unwrap_err();
            assert!(matches!(error, PushError::InvalidInput(_)), "{name}");
        }
    }
}
