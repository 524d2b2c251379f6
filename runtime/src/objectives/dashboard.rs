//! A Grafana dashboard (its JSON model) from the declarations: a row of
//! the objectives (the good share over an hour and the error budget left
//! over each objective's period), then a row per group with a panel per
//! family suited to its kind. Every query is written from the
//! declaration; the data source is a variable, chosen when importing.

use std::fmt::Write as _;

use super::rules::{left_out, BURN_ALERTS, OBJECTIVE_SERIES, RECORD_PREFIX};
use super::yaml::{decimal, json, label, number, promql, series};
use super::RuleSet;
use crate::cells::metric::Metric;
use crate::read::registry::Registry;
use crate::read::Kind;

/// One panel: its title, type, unit and queries (expression, legend).
pub(super) struct Panel {
    pub(super) title: String,
    /// Grafana's description of the panel (its info tooltip), where there
    /// is something to say.
    pub(super) description: Option<String>,
    pub(super) kind: &'static str,
    pub(super) unit: &'static str,
    pub(super) queries: Vec<(String, String)>,
}

impl RuleSet {
    /// The dashboard, titled `title`, over the groups of `registry` (a
    /// row each, in registry order) and the objectives of this set.
    /// Grafana's JSON model, schema version 39: import it, or provision
    /// it from a file.
    pub fn grafana_dashboard(&self, title: &str, registry: &Registry<'_>) -> String {
        let mut rows: Vec<(String, Vec<Panel>)> = Vec::new();
        if !self.objectives().is_empty() {
            rows.push(("Objectives".to_owned(), self.objective_panels()));
        }
        for group in registry.groups() {
            let mut panels = Vec::new();
            group.visit(&mut |metric| panels.push(family_panel(&metric)));
            rows.push((group.name().to_owned(), panels));
        }
        render(title, &rows)
    }

    /// Every query the dashboard runs, in panel order (for checking them
    /// against a Prometheus).
    pub fn dashboard_queries(&self, registry: &Registry<'_>) -> Vec<String> {
        let mut queries: Vec<String> = self
            .objective_panels()
            .into_iter()
            .flat_map(|p| p.queries.into_iter().map(|(q, _)| q))
            .collect();
        for group in registry.groups() {
            group.visit(&mut |metric| {
                queries.extend(family_panel(&metric).queries.into_iter().map(|(q, _)| q));
            });
        }
        queries
    }

    fn objective_panels(&self) -> Vec<Panel> {
        let mut panels = Vec::new();
        for objective in self.objectives() {
            let selector = format!("{{objective={}}}", promql(objective.name));
            let legend: Vec<String> = objective
                .by
                .iter()
                .map(|(label, _)| format!("{{{{{label}}}}}"))
                .collect();
            let legend = if legend.is_empty() {
                objective.name.to_owned()
            } else {
                legend.join(" ")
            };
            let period = format!("{}d", objective.window_days);
            // The burn-rate alerts left out (they could never fire at
            // this target) are said where the objective is shown.
            let left: Vec<String> = BURN_ALERTS
                .iter()
                .filter(|burn| !burn.can_fire(objective))
                .map(|burn| left_out(objective, burn))
                .collect();
            panels.push(Panel {
                description: (!left.is_empty()).then(|| left.join(". ") + "."),
                title: format!(
                    "{}: good share over 1h (objective {}%)",
                    objective.name,
                    decimal(objective.target * 100.0)
                ),
                kind: "timeseries",
                unit: "percentunit",
                queries: vec![
                    (format!("1 - {RECORD_PREFIX}1h{selector}"), legend.clone()),
                    // The target, from the series the rules record.
                    (
                        format!("{OBJECTIVE_SERIES}{selector}"),
                        "objective".to_owned(),
                    ),
                ],
            });
            panels.push(Panel {
                description: None,
                title: format!("{}: error budget left over {period}", objective.name),
                kind: "stat",
                unit: "percentunit",
                queries: vec![(
                    format!(
                        "1 - {RECORD_PREFIX}{period}{selector} / (1 - {})",
                        number(objective.target)
                    ),
                    legend,
                )],
            });
        }
        panels
    }
}

/// The panel of one family: rates of a counter, a gauge's values,
/// quantiles of a histogram or summary, an info's labels, a state set's
/// current states.
fn family_panel(metric: &Metric<'_>) -> Panel {
    let desc = metric.desc;
    let labels: Vec<&str> = desc.labels.iter().map(|l| l.name).collect();
    let by = labels
        .iter()
        .map(|l| label(l))
        .collect::<Vec<_>>()
        .join(", ");
    let legend = if labels.is_empty() {
        desc.name.to_owned()
    } else {
        labels
            .iter()
            .map(|l| format!("{{{{{l}}}}}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let unit = match desc.unit {
        Some("seconds") => "s",
        Some("milliseconds") => "ms",
        Some("bytes") => "bytes",
        Some("ratio") => "percentunit",
        _ => "short",
    };
    // Prometheus 3 names quoted, as PromQL reads them.
    let name = series(desc.name, &[]);
    let bucket = series(&format!("{}_bucket", desc.name), &[]);
    let (kind, unit, queries) = match Kind::of(&metric.cells) {
        Kind::Counter | Kind::FloatCounter => (
            "timeseries",
            "cps",
            vec![(format!("sum by ({by}) (rate({name}[5m]))"), legend)],
        ),
        Kind::Gauge | Kind::FloatGauge => (
            "timeseries",
            unit,
            vec![(format!("sum by ({by}) ({name})"), legend)],
        ),
        Kind::Histogram(spec) => {
            let native = metric.native.is_some() && spec.bounds.is_empty();
            let queries = [0.5, 0.9, 0.99]
                .iter()
                .map(|q| {
                    let expr = if native {
                        format!("histogram_quantile({q}, sum(rate({name}[5m])))")
                    } else {
                        format!("histogram_quantile({q}, sum by (le) (rate({bucket}[5m])))")
                    };
                    (expr, format!("p{}", decimal(q * 100.0)))
                })
                .collect();
            ("timeseries", unit, queries)
        }
        Kind::Summary(_) => (
            "timeseries",
            unit,
            vec![(
                format!("max by (quantile) ({name})"),
                "{{quantile}}".to_owned(),
            )],
        ),
        Kind::Info => ("table", "none", vec![(name.clone(), legend)]),
        Kind::StateSet(_) => (
            "table",
            "none",
            vec![(format!("{name} == 1"), format!("{{{{{}}}}}", desc.name))],
        ),
    };
    Panel {
        description: None,
        title: format!("{}: {}", desc.name, desc.help),
        kind,
        unit,
        queries,
    }
}

/// The dashboard's JSON: rows of panels two to a line, 8 high.
fn render(title: &str, rows: &[(String, Vec<Panel>)]) -> String {
    let uid: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let mut panels = Vec::new();
    let (mut id, mut y) = (1, 0);
    for (row, members) in rows {
        panels.push(format!(
            "{{\"type\":\"row\",\"id\":{id},\"title\":{},\"collapsed\":false,\
             \"gridPos\":{{\"h\":1,\"w\":24,\"x\":0,\"y\":{y}}},\"panels\":[]}}",
            json(row)
        ));
        id += 1;
        y += 1;
        for (i, panel) in members.iter().enumerate() {
            let x = if i % 2 == 0 { 0 } else { 12 };
            let mut targets = Vec::new();
            for (k, (expr, legend)) in panel.queries.iter().enumerate() {
                targets.push(format!(
                    "{{\"refId\":\"{}\",\"datasource\":{{\"type\":\"prometheus\",\
                     \"uid\":\"${{datasource}}\"}},\"expr\":{},\"legendFormat\":{}}}",
                    (b'A' + k as u8) as char,
                    json(expr),
                    json(legend)
                ));
            }
            let description = panel
                .description
                .as_ref()
                .map_or(String::new(), |d| format!("\"description\":{},", json(d)));
            panels.push(format!(
                "{{\"type\":\"{}\",\"id\":{id},\"title\":{},{description}\
                 \"datasource\":{{\"type\":\"prometheus\",\"uid\":\"${{datasource}}\"}},\
                 \"gridPos\":{{\"h\":8,\"w\":12,\"x\":{x},\"y\":{y}}},\
                 \"fieldConfig\":{{\"defaults\":{{\"unit\":\"{}\"}},\"overrides\":[]}},\
                 \"options\":{{}},\"targets\":[{}]}}",
                panel.kind,
                json(&panel.title),
                panel.unit,
                targets.join(",")
            ));
            id += 1;
            if i % 2 == 1 || i + 1 == members.len() {
                y += 8;
            }
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "{{\n\"title\":{},\"uid\":{},\"schemaVersion\":39,\"version\":1,\"editable\":true,\
         \"tags\":[\"enumeter\"],\"timezone\":\"browser\",\"refresh\":\"30s\",\
         \"time\":{{\"from\":\"now-6h\",\"to\":\"now\"}},\
         \"templating\":{{\"list\":[{{\"name\":\"datasource\",\"label\":\"Prometheus\",\
         \"type\":\"datasource\",\"query\":\"prometheus\"}}]}},\
         \"annotations\":{{\"list\":[]}},\n\"panels\":[\n{}\n]\n}}\n",
        json(title),
        json(&uid),
        panels.join(",\n")
    );
    out
}
