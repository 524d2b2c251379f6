//! A channel-service telemetry aggregator: several sources (one instance of
//! the `Source` group each) are merged into one, read into a typed snapshot,
//! checked against alert rules validated at start, and printed as JSON and
//! as Prometheus text, with firing alerts as
//! `telemetry_alerts_firing{alert,severity}`.
//!
//! ```text
//! cargo run --example telemetry                        # Prometheus text
//! cargo run --example telemetry -- --serve 127.0.0.1:9898 --web.config.file web.yml  # TLS, users
//! cargo run --example telemetry -- --print openmetrics # OpenMetrics
//! cargo run --example telemetry -- --json              # the typed snapshot as JSON
//! ```
//!
//! `TELEMETRY_EXTRA_RULE=NAME` adds one more alert rule by name, to see the
//! start-up validation refuse an empty, unknown or duplicate name.
//!
//! The sources are named by configuration, not by the code:
//! `TELEMETRY_SOURCES` (comma-separated; `eu-west-1,us-east-1,ap-south-1`
//! by default) names them, in the order of the readings, and each source's
//! own figures are labelled by that name through a runtime label of 16
//! values at most (`telemetry_source_*`). A name the label refuses (empty,
//! over 128 bytes) stops the start with a message.

use std::fmt;

use enumeter::objectives::{Alert, RuleSet};
use enumeter::{metrics, runtime_label, Exporter, Format, LabelValue, Registry};
use serde::Serialize;

/// Kinds of channel, by name pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum ChannelPattern {
    /// `public:*`
    Public,
    /// `private:*`
    Private,
    /// `presence:*`
    Presence,
}

/// What an envelope carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Aspect {
    Message,
    Presence,
    Annotation,
    State,
}

/// Telemetry one source reports; every source has an instance, and the
/// aggregate is their merge.
#[metrics(namespace = "telemetry", register = false)]
pub enum Source {
    /// Channels open, by name pattern.
    #[gauge]
    Channels { pattern: ChannelPattern },
    /// Envelopes published per second over the last interval.
    #[gauge(
        float,
        alert(
            name = "high-publish-rate",
            above = 1000,
            severity = "warning",
            description = "envelopes published above 1000/s"
        )
    )]
    EnvelopePublishRate,
    /// Envelopes published, by aspect.
    #[counter]
    EnvelopesPublishedTotal { aspect: Aspect },
    /// Members present across presence channels.
    #[gauge]
    PresenceMembers,
    /// Entries held in history buffers.
    #[gauge(alert(
        name = "history-nearly-full",
        over = HistoryCapacity,
        above = 0.9,
        severity = "critical",
        description = "history buffers above 90% full"
    ))]
    HistoryEntries,
    /// Entries history buffers can hold.
    #[gauge]
    HistoryCapacity,
    /// Tokens issued in the last hour.
    #[gauge(alert(
        name = "token-surge",
        above = 10000,
        severity = "warning",
        description = "more than 10000 tokens issued in the last hour"
    ))]
    TokensIssuedLastHour,
    /// Cache lookups that found their entry.
    #[counter(alert(
        name = "low-cache-hit-rate",
        over = CacheLookupsTotal,
        below = 0.5,
        severity = "info",
        description = "cache hit rate below 50%"
    ))]
    CacheHitsTotal,
    /// Cache lookups.
    #[counter]
    CacheLookupsTotal,
}

runtime_label! {
    /// The sources the aggregator reads, as its configuration names them:
    /// known only at run time, 16 at most (then `other`).
    pub struct SourceName: capacity = 16;
}

/// Each source's own figures, by the name its configuration gives it;
/// sparse, as a runtime label requires: a source shows once it reported.
#[metrics(namespace = "telemetry", register = false, sparse)]
pub enum PerSource {
    /// Envelopes one source published per second over the last interval.
    #[gauge(float)]
    SourcePublishRate { source: SourceName },
    /// Envelopes one source published, every aspect.
    #[counter]
    SourceEnvelopesPublishedTotal { source: SourceName },
}

/// The source names of the configuration, interned once at start.
fn configured_sources() -> Result<Vec<SourceName>, String> {
    let configured = std::env::var("TELEMETRY_SOURCES")
        .unwrap_or_else(|_| "eu-west-1,us-east-1,ap-south-1".to_owned());
    configured
        .split(',')
        .map(|name| {
            SourceName::intern(name).map_err(|e| format!("invalid source name {name:?}: {e}"))
        })
        .collect()
}

/// The alerts the aggregator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, LabelValue)]
#[label(rename_all = "kebab-case")]
#[serde(rename_all = "kebab-case")]
pub enum AlertName {
    HighPublishRate,
    HistoryNearlyFull,
    LowCacheHitRate,
    TokenSurge,
}

/// How urgent an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, LabelValue)]
#[label(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// Alerts, as gauges: 1 while firing.
#[metrics(namespace = "telemetry", register = false)]
pub enum Alerts {
    /// Alerts firing (1) or not (0), by alert and severity.
    #[gauge]
    AlertsFiring {
        alert: AlertName,
        severity: Severity,
    },
}

/// The aggregate, typed.
#[derive(Debug, Serialize)]
pub struct TelemetrySnapshot {
    pub channels: Channels,
    pub envelope_publish_rate: f64,
    pub envelopes_published: Envelopes,
    pub presence_members: i64,
    /// Entries over capacity, 0 when there is no capacity.
    pub history_utilisation: f64,
    pub tokens_issued_last_hour: i64,
    /// Hits over lookups, 0 before the first lookup.
    pub cache_hit_rate: f64,
    pub alerts_firing: Vec<FiringAlert>,
}

#[derive(Debug, Serialize)]
pub struct Channels {
    pub public: i64,
    pub private: i64,
    pub presence: i64,
}

#[derive(Debug, Serialize)]
pub struct Envelopes {
    pub message: u64,
    pub presence: u64,
    pub annotation: u64,
    pub state: u64,
}

#[derive(Debug, Serialize)]
pub struct FiringAlert {
    pub alert: AlertName,
    pub severity: Severity,
    pub description: &'static str,
}

/// A declared alert whose name and severity are known ones: it sets
/// `telemetry_alerts_firing{alert, severity}`.
pub struct ValidRule {
    alert: AlertName,
    severity: Severity,
    rule: Alert,
}

/// Why the configured rules were refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RuleError {
    EmptyName { position: usize },
    UnknownName { name: &'static str },
    Duplicate { name: &'static str },
    UnknownSeverity { severity: &'static str },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::EmptyName { position } => {
                write!(f, "alert rule #{position} has an empty name")
            }
            RuleError::UnknownName { name } => write!(
                f,
                "alert rule {name:?} names no known alert; known: {}",
                AlertName::NAMES.join(", ")
            ),
            RuleError::Duplicate { name } => write!(f, "alert rule {name:?} is declared twice"),
            RuleError::UnknownSeverity { severity } => {
                write!(f, "alert severity {severity:?} is no known severity")
            }
        }
    }
}

/// Checks the rules once, at start: every name non-empty, known, unique,
/// every severity known.
pub fn validate(rules: Vec<Alert>) -> Result<Vec<ValidRule>, RuleError> {
    let mut valid: Vec<ValidRule> = Vec::with_capacity(rules.len());
    for (position, rule) in rules.into_iter().enumerate() {
        if rule.name.trim().is_empty() {
            return Err(RuleError::EmptyName {
                position: position + 1,
            });
        }
        let alert =
            AlertName::from_name(rule.name).ok_or(RuleError::UnknownName { name: rule.name })?;
        if valid.iter().any(|v| v.alert == alert) {
            return Err(RuleError::Duplicate { name: rule.name });
        }
        let severity = Severity::from_name(rule.severity).ok_or(RuleError::UnknownSeverity {
            severity: rule.severity,
        })?;
        valid.push(ValidRule {
            alert,
            severity,
            rule,
        });
    }
    Ok(valid)
}

/// The rules this deployment runs: the alerts declared on `Source`, the
/// same ones its generated Prometheus rules hold.
pub fn configured_rules() -> Vec<Alert> {
    Source::objectives().alerts
}

/// Merges every source into one instance.
pub fn aggregate(sources: &[&SourceMetrics]) -> SourceMetrics {
    let total = SourceMetrics::new();
    for source in sources {
        total.merge_from(source);
    }
    total
}

/// Reads the aggregate into the typed snapshot and evaluates the rules,
/// setting the alerts gauge to match.
pub fn snapshot(
    total: &SourceMetrics,
    rules: &[ValidRule],
    alerts: &AlertsMetrics,
) -> TelemetrySnapshot {
    let ratio = |part: f64, whole: f64| if whole > 0.0 { part / whole } else { 0.0 };
    let mut snapshot = TelemetrySnapshot {
        channels: Channels {
            public: total.channels(ChannelPattern::Public).get(),
            private: total.channels(ChannelPattern::Private).get(),
            presence: total.channels(ChannelPattern::Presence).get(),
        },
        envelope_publish_rate: total.envelope_publish_rate().get(),
        envelopes_published: Envelopes {
            message: total.envelopes_published_total(Aspect::Message).get(),
            presence: total.envelopes_published_total(Aspect::Presence).get(),
            annotation: total.envelopes_published_total(Aspect::Annotation).get(),
            state: total.envelopes_published_total(Aspect::State).get(),
        },
        presence_members: total.presence_members().get(),
        history_utilisation: ratio(
            total.history_entries().get() as f64,
            total.history_capacity().get() as f64,
        ),
        tokens_issued_last_hour: total.tokens_issued_last_hour().get(),
        cache_hit_rate: ratio(
            total.cache_hits_total().get() as f64,
            total.cache_lookups_total().get() as f64,
        ),
        alerts_firing: Vec::new(),
    };
    for valid in rules {
        // The declared condition, on the aggregate's values: what
        // Prometheus evaluates from the generated rule.
        let groups = [total as &dyn enumeter::Group];
        let firing = valid.rule.firing(groups).unwrap_or(false);
        alerts
            .alerts_firing(valid.alert, valid.severity)
            .set(i64::from(firing));
        if firing {
            snapshot.alerts_firing.push(FiringAlert {
                alert: valid.alert,
                severity: valid.severity,
                description: valid.rule.description,
            });
        }
    }
    snapshot
}

/// What one source reports, for the example's fixed readings.
struct Reading {
    channels: [i64; 3],
    publish_rate: f64,
    messages: u64,
    members: i64,
    history: (i64, i64),
    tokens: i64,
    cache: (u64, u64),
}

/// Three sources with fixed readings, so the output can be pinned.
fn example_sources() -> [SourceMetrics; 3] {
    let readings = [
        Reading {
            channels: [120, 30, 12],
            publish_rate: 640.5,
            messages: 9000,
            members: 410,
            history: (9_500, 10_000),
            tokens: 4_200,
            cache: (300, 900),
        },
        Reading {
            channels: [80, 10, 6],
            publish_rate: 410.0,
            messages: 5000,
            members: 150,
            history: (9_800, 10_000),
            tokens: 3_100,
            cache: (120, 400),
        },
        Reading {
            channels: [40, 5, 2],
            publish_rate: 12.25,
            messages: 300,
            members: 20,
            history: (600, 5_000),
            tokens: 90,
            cache: (80, 100),
        },
    ];
    let sources = [
        SourceMetrics::new(),
        SourceMetrics::new(),
        SourceMetrics::new(),
    ];
    for (source, r) in sources.iter().zip(readings) {
        for (pattern, open) in ChannelPattern::all().zip(r.channels) {
            source.channels(pattern).set(open);
        }
        source.envelope_publish_rate().set(r.publish_rate);
        source
            .envelopes_published_total(Aspect::Message)
            .add(r.messages);
        source
            .envelopes_published_total(Aspect::Presence)
            .add(r.members as u64 * 2);
        source
            .envelopes_published_total(Aspect::Annotation)
            .add(r.messages / 100);
        source.presence_members().set(r.members);
        source.history_entries().set(r.history.0);
        source.history_capacity().set(r.history.1);
        source.tokens_issued_last_hour().set(r.tokens);
        source.cache_hits_total().add(r.cache.0);
        source.cache_lookups_total().add(r.cache.1);
    }
    sources
}

fn main() {
    let mut configured = configured_rules();
    // One more rule from the environment, as a deployment's config would
    // add it: how the validation is exercised from outside.
    if let Ok(name) = std::env::var("TELEMETRY_EXTRA_RULE") {
        let mut extra = configured[0].clone();
        extra.name = Box::leak(name.into_boxed_str());
        configured.push(extra);
    }
    let rules = match validate(configured) {
        Ok(rules) => rules,
        Err(e) => {
            eprintln!("invalid alert rules: {e}");
            std::process::exit(2);
        }
    };
    let names = match configured_sources() {
        Ok(names) => names,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let sources = example_sources();
    let per_source = PerSourceMetrics::new();
    for (name, source) in names.iter().zip(&sources) {
        per_source
            .source_publish_rate(*name)
            .set(source.envelope_publish_rate().get());
        let published: u64 = Aspect::all()
            .map(|a| source.envelopes_published_total(a).get())
            .sum();
        per_source
            .source_envelopes_published_total(*name)
            .add(published);
    }
    let total = aggregate(&sources.iter().collect::<Vec<_>>());
    let alerts = AlertsMetrics::new();
    let snapshot = snapshot(&total, &rules, &alerts);

    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let exporter = enumeter_examples::web_config_flag(&mut args, Exporter::new());
    match args.first().map(String::as_str) {
        Some("--write-rules") => {
            let dir = args.get(1).map_or("target/telemetry", String::as_str);
            let rules = RuleSet::new().with(Source::objectives());
            let written = std::fs::create_dir_all(dir).and_then(|()| {
                let path = |file: &str| std::path::Path::new(dir).join(file);
                std::fs::write(path("rules.yml"), rules.prometheus_rules())?;
                std::fs::write(path("rules.test.yml"), rules.promtool_tests("rules.yml"))?;
                std::fs::write(
                    path("dashboard.json"),
                    rules
                        .grafana_dashboard("Telemetry", &registry_of(&total, &per_source, &alerts)),
                )
            });
            if let Err(e) = written {
                eprintln!("cannot write to {dir}: {e}");
                std::process::exit(1);
            }
            println!("wrote {dir}/rules.yml, rules.test.yml and dashboard.json");
        }
        Some("--serve") => {
            let address = args.get(1).map_or("127.0.0.1:9898", String::as_str);
            // Served until the process ends: the groups live as long.
            let total: &'static SourceMetrics = Box::leak(Box::new(total));
            let per_source: &'static PerSourceMetrics = Box::leak(Box::new(per_source));
            let alerts: &'static AlertsMetrics = Box::leak(Box::new(alerts));
            serve(exporter, registry_of(total, per_source, alerts), address);
        }
        Some("--json") => {
            let json = serde_json::to_string_pretty(&snapshot).expect("the snapshot serializes");
            println!("{json}");
        }
        _ => {
            let format = match args.get(1).map(String::as_str) {
                Some("openmetrics") => Format::OpenMetrics,
                _ => Format::Prometheus,
            };
            print!(
                "{}",
                registry_of(&total, &per_source, &alerts).render(format)
            );
        }
    }
}

/// Serves `registry` on `address` for `ENUMETER_SERVE_SECS` seconds
/// (default 600), for a Prometheus to evaluate the generated rules on.
fn serve(exporter: Exporter, registry: Registry<'static>, address: &str) {
    let exporter = match exporter
        .address(address)
        .registry(std::sync::Arc::new(registry))
        .start()
    {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("cannot serve on {address}: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "serving {}://{}/metrics",
        exporter.scheme(),
        exporter.local_addr()
    );
    std::thread::sleep(enumeter_examples::serve_for(600));
    exporter.shutdown();
}

/// The registry the example renders and serves.
fn registry_of<'a>(
    total: &'a SourceMetrics,
    per_source: &'a PerSourceMetrics,
    alerts: &'a AlertsMetrics,
) -> Registry<'a> {
    Registry::new().with(total).with(per_source).with(alerts)
}
