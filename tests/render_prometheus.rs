//! Exact Prometheus text 0.0.4 for counters and gauges, with and without
//! labels, escaping included.

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Transport {
    Sip,
    Webrtc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Awkward {
    #[label(name = "quote\"d")]
    Quoted,
    #[label(name = "back\\slash")]
    Backslash,
    #[label(name = "new\nline")]
    Newline,
    #[label(name = "ünïcode ✓")]
    Unicode,
}

/// Voice server metrics.
#[metrics(namespace = "voiceserver")]
pub enum Voice {
    /// Calls finished,
    /// by transport and whether they were answered.
    #[counter]
    CallsTotal {
        transport: Transport,
        answered: bool,
    },
    /// Barge-ins, all transports.
    #[counter]
    BargeInTotal,
    /// Calls in progress.
    #[gauge]
    ActiveCalls { transport: Transport },
    /// Seconds since the last restart.
    #[gauge(float)]
    UptimeSeconds,
}

/// Escaping: a C:\ path and "quotes" in HELP.
#[metrics]
pub enum Escapes {
    /// Values with "quotes", a back\slash and a
    /// line break in their names.
    #[counter(name = "odd_values_total")]
    Odd { value: Awkward },
}

fn render(registry: &Registry<'_>) -> String {
    registry.render(Format::Prometheus)
}

#[test]
fn every_declared_series_renders_at_zero_before_any_recording() {
    let voice = VoiceMetrics::new();
    assert_eq!(
        render(&Registry::new().with(&voice)),
        "# HELP voiceserver_calls_total Calls finished, by transport and whether they were answered.\n\
         # TYPE voiceserver_calls_total counter\n\
         voiceserver_calls_total{transport=\"sip\",answered=\"false\"} 0\n\
         voiceserver_calls_total{transport=\"sip\",answered=\"true\"} 0\n\
         voiceserver_calls_total{transport=\"webrtc\",answered=\"false\"} 0\n\
         voiceserver_calls_total{transport=\"webrtc\",answered=\"true\"} 0\n\
         # HELP voiceserver_barge_in_total Barge-ins, all transports.\n\
         # TYPE voiceserver_barge_in_total counter\n\
         voiceserver_barge_in_total 0\n\
         # HELP voiceserver_active_calls Calls in progress.\n\
         # TYPE voiceserver_active_calls gauge\n\
         voiceserver_active_calls{transport=\"sip\"} 0\n\
         voiceserver_active_calls{transport=\"webrtc\"} 0\n\
         # HELP voiceserver_uptime_seconds Seconds since the last restart.\n\
         # TYPE voiceserver_uptime_seconds gauge\n\
         voiceserver_uptime_seconds 0\n"
    );
}

#[test]
fn recorded_values_land_in_their_own_series() {
    let voice = VoiceMetrics::new();
    voice.calls_total(Transport::Webrtc, true).inc();
    voice.calls_total(Transport::Webrtc, true).add(4);
    voice.calls_total(Transport::Sip, false).inc();
    voice.barge_in_total().add(u64::MAX);
    voice.active_calls(Transport::Sip).set(3);
    voice.active_calls(Transport::Sip).dec();
    voice.active_calls(Transport::Webrtc).sub(7);
    voice.uptime_seconds().set(12.5);
    voice.uptime_seconds().add(0.25);
    assert_eq!(
        render(&Registry::new().with(&voice)),
        "# HELP voiceserver_calls_total Calls finished, by transport and whether they were answered.\n\
         # TYPE voiceserver_calls_total counter\n\
         voiceserver_calls_total{transport=\"sip\",answered=\"false\"} 1\n\
         voiceserver_calls_total{transport=\"sip\",answered=\"true\"} 0\n\
         voiceserver_calls_total{transport=\"webrtc\",answered=\"false\"} 0\n\
         voiceserver_calls_total{transport=\"webrtc\",answered=\"true\"} 5\n\
         # HELP voiceserver_barge_in_total Barge-ins, all transports.\n\
         # TYPE voiceserver_barge_in_total counter\n\
         voiceserver_barge_in_total 18446744073709551615\n\
         # HELP voiceserver_active_calls Calls in progress.\n\
         # TYPE voiceserver_active_calls gauge\n\
         voiceserver_active_calls{transport=\"sip\"} 2\n\
         voiceserver_active_calls{transport=\"webrtc\"} -7\n\
         # HELP voiceserver_uptime_seconds Seconds since the last restart.\n\
         # TYPE voiceserver_uptime_seconds gauge\n\
         voiceserver_uptime_seconds 12.75\n"
    );
}

#[test]
fn float_gauges_render_non_finite_values_the_prometheus_way() {
    let voice = VoiceMetrics::new();
    let registry = Registry::new().with(&voice);
    let uptime_line = |registry: &Registry<'_>| {
        render(registry)
            .lines()
            .last()
            .expect("the float gauge renders last")
            .to_owned()
    };
    voice.uptime_seconds().set(f64::INFINITY);
    assert_eq!(uptime_line(&registry), "voiceserver_uptime_seconds +Inf");
    voice.uptime_seconds().set(f64::NEG_INFINITY);
    assert_eq!(uptime_line(&registry), "voiceserver_uptime_seconds -Inf");
    voice.uptime_seconds().set(f64::NAN);
    assert_eq!(uptime_line(&registry), "voiceserver_uptime_seconds NaN");
    voice.uptime_seconds().set(1e-7);
    assert_eq!(uptime_line(&registry), "voiceserver_uptime_seconds 1e-07");
}

#[test]
fn label_values_and_help_are_escaped() {
    let escapes = EscapesMetrics::new();
    escapes.odd(Awkward::Newline).inc();
    assert_eq!(
        render(&Registry::new().with(&escapes)),
        "# HELP odd_values_total Values with \"quotes\", a back\\\\slash and a line break in their names.\n\
         # TYPE odd_values_total counter\n\
         odd_values_total{value=\"quote\\\"d\"} 0\n\
         odd_values_total{value=\"back\\\\slash\"} 0\n\
         odd_values_total{value=\"new\\nline\"} 1\n\
         odd_values_total{value=\"ünïcode ✓\"} 0\n"
    );
}

#[test]
fn instances_are_independent_of_each_other_and_of_the_global_one() {
    let a = VoiceMetrics::new();
    let b = VoiceMetrics::new();
    a.barge_in_total().inc();
    assert_eq!(a.barge_in_total().get(), 1);
    assert_eq!(b.barge_in_total().get(), 0);
    assert_eq!(Voice::barge_in_total().get(), 0);
    Voice::barge_in_total().add(2);
    assert_eq!(VoiceMetrics::global().barge_in_total().get(), 2);
    assert_eq!(a.barge_in_total().get(), 1);
}

#[test]
fn a_hand_built_registry_renders_groups_in_registration_order() {
    let voice = VoiceMetrics::new();
    let escapes = EscapesMetrics::new();
    let mut registry = Registry::new();
    registry.register(&escapes).unwrap();
    registry.register(&voice).unwrap();
    let text = render(&registry);
    let odd = text.find("# HELP odd_values_total").unwrap();
    let calls = text.find("# HELP voiceserver_calls_total").unwrap();
    assert!(odd < calls);
    assert_eq!(text.matches("# TYPE").count(), 5);
}

#[test]
fn render_into_appends_to_the_callers_buffer() {
    let voice = VoiceMetrics::new();
    let registry = Registry::new().with(&voice);
    let mut buf = b"# existing\n".to_vec();
    registry.render_into(Format::Prometheus, &mut buf);
    assert!(buf.starts_with(b"# existing\n# HELP voiceserver_calls_total "));
    assert_eq!(buf.len(), "# existing\n".len() + render(&registry).len());
}

#[test]
fn registering_the_same_instance_twice_renders_it_once() {
    let voice = VoiceMetrics::new();
    let mut registry = Registry::new();
    registry.register(&voice).unwrap();
    registry.register(&voice).unwrap();
    assert_eq!(registry.groups().count(), 1);
    assert_eq!(
        render(&registry)
            .matches("# TYPE voiceserver_calls_total")
            .count(),
        1
    );
}
