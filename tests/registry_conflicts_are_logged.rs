//! A metric a registry leaves out for a name conflict is reported through
//! the `log` facade, once per family, never on stderr: the application's
//! logger decides where it goes.

use enumeter_suite::support;

use enumeter::Registry;

/// A gauge named `jobs_depth`.
mod first {
    /// Jobs.
    #[enumeter::metrics(namespace = "jobs", register = false)]
    pub enum Jobs {
        /// Jobs waiting.
        #[gauge]
        Depth,
    }
}

/// A counter taking the same name.
mod second {
    /// Jobs.
    #[enumeter::metrics(namespace = "jobs", register = false)]
    pub enum Jobs {
        /// Jobs waiting, as a float.
        #[gauge(float)]
        Depth,
    }
}

#[test]
fn a_conflict_is_logged_as_a_warning_once_per_family() {
    support::log_capture::install();
    let (a, b) = (first::JobsMetrics::new(), second::JobsMetrics::new());
    let registry = Registry::new().with(&a).with(&b);
    let [conflict] = registry.conflicts() else {
        panic!("{:?}", registry.conflicts())
    };
    // The same conflict again, in another registry: counted, not logged again.
    let again = Registry::new().with(&a).with(&b);
    assert_eq!(again.conflicts().len(), 1);
    let records = support::log_capture::records();
    assert_eq!(
        records,
        [(
            log::Level::Warn,
            "enumeter".to_owned(),
            conflict.to_string()
        )]
    );
    assert_eq!(
        conflict.to_string(),
        "metric `jobs_depth` of `registry_conflicts_are_logged::second::Jobs` is left out: the name \
         `jobs_depth` is taken by metric `jobs_depth` of `registry_conflicts_are_logged::first::Jobs`, \
         which has another kind"
    );
}
