//! Exact OpenMetrics 1.0 text for every kind, and how info metrics and state
//! sets appear in the Prometheus text format.

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Link {
    Primary,
    Backup,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "kebab-case")]
pub enum Phase {
    Down,
    Connecting,
    Up,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Profile {
    Debug,
    Release,
}

/// Trunk metrics.
#[metrics(namespace = "trunk")]
pub enum Trunk {
    /// Calls "placed" on the trunk, by link.
    #[counter]
    CallsTotal { link: Link },
    /// Calls in progress.
    #[gauge]
    ActiveCalls,
    /// Share of capacity in use.
    #[gauge(float)]
    Utilisation,
    /// Call setup time.
    #[histogram(unit = "seconds", buckets = [0.5, 1, 1e6])]
    Setup,
    /// Jitter, last ten minutes.
    #[summary(unit = "seconds", quantiles = [0.5, 0.9])]
    Jitter,
    /// The build that is running.
    #[info]
    BuildInfo { profile: Profile, tls: bool },
    /// Static facts about the trunk.
    #[info]
    TrunkInfo,
    /// Where each link is in its life cycle.
    #[state_set(states = Phase)]
    LinkState { link: Link },
}

fn recorded() -> TrunkMetrics {
    let trunk = TrunkMetrics::new();
    trunk.calls_total(Link::Backup).add(3);
    trunk.active_calls().set(2);
    trunk.utilisation().set(1.0);
    trunk.setup().observe(0.75);
    trunk.setup().observe(2.0);
    trunk.build_info(Profile::Release, true).set();
    trunk.link_state(Link::Primary).set(Phase::Up);
    trunk
}

#[test]
fn openmetrics_text_names_families_declares_units_and_ends_with_eof() {
    let trunk = recorded();
    assert_eq!(
        Registry::new().with(&trunk).render(Format::OpenMetrics),
        "# HELP trunk_calls Calls \\\"placed\\\" on the trunk, by link.\n\
         # TYPE trunk_calls counter\n\
         trunk_calls_total{link=\"primary\"} 0\n\
         trunk_calls_total{link=\"backup\"} 3\n\
         # HELP trunk_active_calls Calls in progress.\n\
         # TYPE trunk_active_calls gauge\n\
         trunk_active_calls 2\n\
         # HELP trunk_utilisation Share of capacity in use.\n\
         # TYPE trunk_utilisation gauge\n\
         trunk_utilisation 1.0\n\
         # HELP trunk_setup_seconds Call setup time.\n\
         # TYPE trunk_setup_seconds histogram\n\
         # UNIT trunk_setup_seconds seconds\n\
         trunk_setup_seconds_bucket{le=\"0.5\"} 0\n\
         trunk_setup_seconds_bucket{le=\"1.0\"} 1\n\
         trunk_setup_seconds_bucket{le=\"1e+06\"} 2\n\
         trunk_setup_seconds_bucket{le=\"+Inf\"} 2\n\
         trunk_setup_seconds_sum 2.75\n\
         trunk_setup_seconds_count 2\n\
         # HELP trunk_jitter_seconds Jitter, last ten minutes.\n\
         # TYPE trunk_jitter_seconds summary\n\
         # UNIT trunk_jitter_seconds seconds\n\
         trunk_jitter_seconds{quantile=\"0.5\"} NaN\n\
         trunk_jitter_seconds{quantile=\"0.9\"} NaN\n\
         trunk_jitter_seconds_sum 0.0\n\
         trunk_jitter_seconds_count 0\n\
         # HELP trunk_build The build that is running.\n\
         # TYPE trunk_build info\n\
         trunk_build_info{profile=\"release\",tls=\"true\"} 1\n\
         # HELP trunk_trunk Static facts about the trunk.\n\
         # TYPE trunk_trunk info\n\
         trunk_trunk_info 1\n\
         # HELP trunk_link_state Where each link is in its life cycle.\n\
         # TYPE trunk_link_state stateset\n\
         trunk_link_state{link=\"primary\",trunk_link_state=\"down\"} 0\n\
         trunk_link_state{link=\"primary\",trunk_link_state=\"connecting\"} 0\n\
         trunk_link_state{link=\"primary\",trunk_link_state=\"up\"} 1\n\
         trunk_link_state{link=\"backup\",trunk_link_state=\"down\"} 0\n\
         trunk_link_state{link=\"backup\",trunk_link_state=\"connecting\"} 0\n\
         trunk_link_state{link=\"backup\",trunk_link_state=\"up\"} 0\n\
         # EOF\n"
    );
}

#[test]
fn prometheus_text_renders_info_and_state_sets_as_gauges() {
    let trunk = recorded();
    let text = Registry::new().with(&trunk).render(Format::Prometheus);
    let from = text.find("# HELP trunk_build_info").unwrap();
    assert_eq!(
        &text[from..],
        "# HELP trunk_build_info The build that is running.\n\
         # TYPE trunk_build_info gauge\n\
         trunk_build_info{profile=\"release\",tls=\"true\"} 1\n\
         # HELP trunk_trunk_info Static facts about the trunk.\n\
         # TYPE trunk_trunk_info gauge\n\
         trunk_trunk_info 1\n\
         # HELP trunk_link_state Where each link is in its life cycle.\n\
         # TYPE trunk_link_state gauge\n\
         trunk_link_state{link=\"primary\",trunk_link_state=\"down\"} 0\n\
         trunk_link_state{link=\"primary\",trunk_link_state=\"connecting\"} 0\n\
         trunk_link_state{link=\"primary\",trunk_link_state=\"up\"} 1\n\
         trunk_link_state{link=\"backup\",trunk_link_state=\"down\"} 0\n\
         trunk_link_state{link=\"backup\",trunk_link_state=\"connecting\"} 0\n\
         trunk_link_state{link=\"backup\",trunk_link_state=\"up\"} 0\n"
    );
    assert!(text.starts_with(
        "# HELP trunk_calls_total Calls \"placed\" on the trunk, by link.\n\
         # TYPE trunk_calls_total counter\n"
    ));
    assert!(text.contains("trunk_setup_seconds_bucket{le=\"1e+06\"} 2\n"));
    assert!(!text.contains("# EOF"));
}

#[test]
fn a_labelled_info_metric_renders_nothing_until_set_and_then_only_the_last_set() {
    let trunk = TrunkMetrics::new();
    let registry = Registry::new().with(&trunk);
    assert!(!registry
        .render(Format::OpenMetrics)
        .contains("trunk_build_info{"));
    trunk.build_info(Profile::Debug, false).set();
    trunk.build_info(Profile::Release, false).set();
    assert!(trunk.build_info(Profile::Release, false).is_set());
    assert!(!trunk.build_info(Profile::Debug, false).is_set());
    let text = registry.render(Format::OpenMetrics);
    assert_eq!(text.matches("trunk_build_info{").count(), 1);
    assert!(text.contains("trunk_build_info{profile=\"release\",tls=\"false\"} 1\n"));
}

#[test]
fn a_state_set_reads_back_its_typed_state() {
    let trunk = TrunkMetrics::new();
    assert_eq!(trunk.link_state(Link::Backup).get(), None);
    trunk.link_state(Link::Backup).set(Phase::Connecting);
    assert_eq!(
        trunk.link_state(Link::Backup).get(),
        Some(Phase::Connecting)
    );
    assert_eq!(trunk.link_state(Link::Primary).get(), None);
}
