//! Every group in the binary is in the default registry from the start, with
//! no registration call, in a stable order, enumeter's own metrics last.

use enumeter::{metrics, Format};

mod beta {
    /// Declared first in the file, sorts second by module path.
    #[enumeter::metrics(namespace = "beta")]
    pub enum Beta {
        /// Beta events.
        #[counter]
        EventsTotal,
    }
}

/// Kept out of the default registry.
#[metrics(namespace = "hidden", register = false)]
pub enum Hidden {
    /// Never in the default registry's output.
    #[counter]
    SecretsTotal,
}

/// Alpha metrics.
#[metrics(namespace = "alpha")]
pub enum Alpha {
    /// Alpha level.
    #[gauge]
    Level,
}

#[test]
fn groups_render_without_registration_sorted_by_module_path() {
    let text = enumeter::render(Format::Prometheus);
    assert_eq!(
        text,
        "# HELP alpha_level Alpha level.\n\
         # TYPE alpha_level gauge\n\
         alpha_level 0\n\
         # HELP beta_events_total Beta events.\n\
         # TYPE beta_events_total counter\n\
         beta_events_total 0\n\
         # HELP enumeter_observations_dropped_total Observations that were dropped instead of recorded, by reason.\n\
         # TYPE enumeter_observations_dropped_total counter\n\
         enumeter_observations_dropped_total{reason=\"nan\"} 0\n\
         enumeter_observations_dropped_total{reason=\"infinite\"} 0\n\
         enumeter_observations_dropped_total{reason=\"negative\"} 0\n\
         enumeter_observations_dropped_total{reason=\"non_positive\"} 0\n\
         enumeter_observations_dropped_total{reason=\"sum_overflow\"} 0\n"
    );
    beta::Beta::events_total().inc();
    Alpha::level().set(-1);
    Hidden::secrets_total().inc();
    let mut buf = Vec::new();
    enumeter::render_into(Format::Prometheus, &mut buf);
    assert_eq!(
        String::from_utf8(buf).unwrap(),
        "# HELP alpha_level Alpha level.\n\
         # TYPE alpha_level gauge\n\
         alpha_level -1\n\
         # HELP beta_events_total Beta events.\n\
         # TYPE beta_events_total counter\n\
         beta_events_total 1\n\
         # HELP enumeter_observations_dropped_total Observations that were dropped instead of recorded, by reason.\n\
         # TYPE enumeter_observations_dropped_total counter\n\
         enumeter_observations_dropped_total{reason=\"nan\"} 0\n\
         enumeter_observations_dropped_total{reason=\"infinite\"} 0\n\
         enumeter_observations_dropped_total{reason=\"negative\"} 0\n\
         enumeter_observations_dropped_total{reason=\"non_positive\"} 0\n\
         enumeter_observations_dropped_total{reason=\"sum_overflow\"} 0\n"
    );
    let names: Vec<_> = enumeter::registry().groups().map(|g| g.name()).collect();
    assert_eq!(
        names,
        [
            "registry_default::Alpha",
            "registry_default::beta::Beta",
            "enumeter::self_metrics",
        ]
    );
}
