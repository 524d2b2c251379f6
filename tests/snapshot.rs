//! Reading every series' current value: the visitor, the owned snapshot,
//! and its JSON form (feature `serde`).

use enumeter::snapshot::for_each_series;
use enumeter::{metrics, LabelValue, Registry, Snapshot, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Region {
    Eu,
    Us,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Phase {
    Idle,
    Busy,
}

/// Snapshot test metrics.
#[metrics(namespace = "snap")]
pub enum Snap {
    /// Requests.
    #[counter]
    RequestsTotal { region: Region, ok: bool },
    /// Depth.
    #[gauge]
    Depth,
    /// Ratio.
    #[gauge(float)]
    Ratio,
    /// Latency.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Latency { region: Region },
    /// Size.
    #[summary(quantiles = [0.5])]
    Size,
    /// Build.
    #[info]
    BuildInfo { region: Region },
    /// State.
    #[state_set(states = Phase)]
    State { region: Region },
}

fn recorded() -> SnapMetrics {
    let snap = SnapMetrics::new();
    snap.requests_total(Region::Us, true).add(3);
    snap.depth().set(-2);
    snap.ratio().set(0.5);
    snap.latency(Region::Eu).observe(0.5);
    snap.size().observe(8.0);
    snap.build_info(Region::Us).set();
    snap.state(Region::Eu).set(Phase::Busy);
    snap
}

#[test]
fn the_visitor_sees_every_series_with_its_labels_in_exposition_order() {
    let snap = recorded();
    let mut seen = Vec::new();
    for_each_series(&snap, &mut |s| {
        seen.push(format!("{}{:?}", s.metric.name, s.label_values));
    });
    assert_eq!(
        seen,
        [
            r#"snap_requests_total["eu", "false"]"#,
            r#"snap_requests_total["eu", "true"]"#,
            r#"snap_requests_total["us", "false"]"#,
            r#"snap_requests_total["us", "true"]"#,
            "snap_depth[]",
            "snap_ratio[]",
            r#"snap_latency_seconds["eu"]"#,
            r#"snap_latency_seconds["us"]"#,
            "snap_size[]",
            r#"snap_build_info["us"]"#,
            r#"snap_state["eu"]"#,
            r#"snap_state["us"]"#,
        ]
    );
}

#[test]
fn a_snapshot_holds_each_series_value() {
    let snap = recorded();
    let snapshot = Registry::new().with(&snap).snapshot();
    assert_eq!(snapshot, Snapshot::of([&snap as &dyn enumeter::Group]));
    let get = |name, labels: &[(&str, &str)]| snapshot.get(name, labels).cloned();
    assert_eq!(
        get("snap_requests_total", &[("region", "us"), ("ok", "true")]),
        Some(Value::Counter(3))
    );
    assert_eq!(get("snap_depth", &[]), Some(Value::Gauge(-2)));
    assert_eq!(get("snap_ratio", &[]), Some(Value::FloatGauge(0.5)));
    assert_eq!(
        get("snap_latency_seconds", &[("region", "eu")]),
        Some(Value::Histogram {
            bounds: &[0.1, 1.0],
            cumulative: vec![0, 1, 1].into(),
            sum: 0.5
        })
    );
    let Some(Value::Summary {
        quantiles,
        count,
        sum,
    }) = get("snap_size", &[])
    else {
        panic!()
    };
    assert_eq!((count, sum), (1, 8.0));
    assert!((quantiles[0].1 - 8.0).abs() / 8.0 <= 0.01);
    assert_eq!(
        get("snap_build_info", &[("region", "us")]),
        Some(Value::Info)
    );
    assert_eq!(get("snap_build_info", &[("region", "eu")]), None);
    assert_eq!(
        get("snap_state", &[("region", "eu")]),
        Some(Value::State(Some("busy")))
    );
    assert_eq!(
        get("snap_state", &[("region", "us")]),
        Some(Value::State(None))
    );
}

#[test]
fn a_snapshot_serializes_to_json() {
    let snap = SnapMetrics::new();
    snap.depth().set(7);
    snap.requests_total(Region::Eu, false).inc();
    let snapshot = Registry::new().with(&snap).snapshot();
    let json = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(
        json["series"][0],
        serde_json::json!({
            "name": "snap_requests_total",
            "labels": [["region", "eu"], ["ok", "false"]],
            "value": {"counter": 1}
        })
    );
    assert_eq!(
        json["series"][4],
        serde_json::json!({"name": "snap_depth", "labels": [], "value": {"gauge": 7}})
    );
    assert_eq!(
        json["series"][10]["value"],
        serde_json::json!({"state": null})
    );
}

#[test]
fn every_kind_has_its_json_shape() {
    let snap = recorded();
    let snapshot = Registry::new().with(&snap).snapshot();
    let json = serde_json::to_value(&snapshot).unwrap();
    let series = |name: &str, labels: serde_json::Value| {
        json["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name && s["labels"] == labels)
            .unwrap_or_else(|| panic!("{name} {labels} in {json}"))
            .clone()
    };
    assert_eq!(
        series("snap_ratio", serde_json::json!([]))["value"],
        serde_json::json!({"float_gauge": 0.5})
    );
    assert_eq!(
        series(
            "snap_latency_seconds",
            serde_json::json!([["region", "eu"]])
        )["value"],
        serde_json::json!({"histogram": {"bounds": [0.1, 1.0], "cumulative": [0, 1, 1], "sum": 0.5}})
    );
    let size = series("snap_size", serde_json::json!([]))["value"]["summary"].clone();
    assert_eq!(size["count"], 1);
    assert_eq!(size["sum"], 8.0);
    // One (quantile, estimate) pair, the estimate within the declared 1%.
    let quantiles = size["quantiles"].as_array().unwrap();
    assert_eq!(quantiles.len(), 1, "{size}");
    assert_eq!(quantiles[0][0], 0.5);
    let estimate = quantiles[0][1].as_f64().unwrap();
    assert!((estimate - 8.0).abs() <= 0.08, "{estimate}");
    assert_eq!(
        series("snap_build_info", serde_json::json!([["region", "us"]]))["value"],
        serde_json::json!("info")
    );
    assert_eq!(
        series("snap_state", serde_json::json!([["region", "eu"]]))["value"],
        serde_json::json!({"state": "busy"})
    );
}
