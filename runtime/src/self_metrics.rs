//! What enumeter counts about itself: every place where a value can be
//! refused or dropped has a series, with its reason. The default registry
//! renders them after every other group; a part's series appear once that
//! part has started (an exporter, a pusher, the first refused exemplar), so
//! a process that uses none renders none of them. The groups are enumeter's
//! own: read their series like any other, from an exposition or a
//! [`Snapshot`](crate::snapshot::Snapshot).
//!
//! | series | type | when it counts |
//! | --- | --- | --- |
//! | `enumeter_observations_dropped_total{reason}` | counter | an observation was dropped: `nan`, `infinite`, `negative` (a summary or native histogram that takes none), `non_positive` (a metric declared `skip_non_positive`), `sum_overflow` (`_sum` would have become infinite); always rendered |
//! | `enumeter_exemplars_dropped_total{reason}` | counter | an exemplar was refused (`too_long`: over 128 characters, `invalid`: a bad label name or a NUL, `needs_escaping`: `"`, `\` or a newline in a value); its observation was recorded |
//! | `enumeter_native_overflow_total` | counter | a native histogram refused an observation above its declared `max` |
//! | `enumeter_runtime_label_overflow_total{label}` | counter | a runtime label was full and a value became `other`, by the label's type name |
//! | `enumeter_exporter_failures_total{failure}` | counter | inside the exporter (feature `http`): `render_panic`, `worker_exit`, `front_exit` |
//! | `enumeter_exporter_refusals_total{reason}` | counter | the exporter refused a request before serving it: `tls_handshake` (a handshake failed or took too long), `unauthorized` (`401`), `auth_busy` (a new credential waited 2 s for its bcrypt check, `503`), `rate_limited` (`429`), `queue_full` (more complete requests waited for a worker than `Exporter::queue` allows: the oldest waiting was answered `503`) |
//! | `enumeter_remote_write_samples_sent_total`, `enumeter_remote_write_samples_dropped_total{reason}`, `enumeter_remote_write_retries_total`, `enumeter_remote_write_queued_samples` | counters, gauge | a remote-write pusher (feature `remote-write`); `reason` is `queue_full`, `rejected` or `shutdown` |
//! | `enumeter_otlp_points_sent_total`, `enumeter_otlp_points_dropped_total{reason}`, `enumeter_otlp_retries_total`, `enumeter_otlp_queued_points` | counters, gauge | an OTLP pusher (feature `otlp`), reasons as remote write's |
//! | `enumeter_registry_conflicts_total{family}` | counter | a registry left a metric out because another declaration took its name first |
//! | `enumeter_facade_series_overflow_total{reason}` | counter | a key of the `metrics` facade (feature `metrics-facade`) was recorded into its family's overflow series: `family_full`, `all_full`, `label_names` (not its family's); once per key |
//! | `enumeter_facade_series_retired_total` | counter | series of the `metrics` facade retired after `FacadeRecorder::idle_timeout` without a record (shown from the facade's first use) |
//! | `enumeter_facade_refused_total{reason}` | counter | a registration of the `metrics` facade was recorded nowhere: `name` (empty, `__`, or two labels escaped to one), `label_value` (over 1,024 bytes), `kind` (a key registered as another kind), `families` (1,024 held), `clash` (a name another family takes; also in `enumeter_registry_conflicts_total`) |
//!
//! ```
//! use enumeter::{metrics, registry, Format};
//!
//! /// Jobs.
//! #[metrics(namespace = "jobs")]
//! pub enum Jobs {
//!     /// Time a job took.
//!     #[histogram(unit = "seconds", buckets = [0.1, 1.0])]
//!     DurationSeconds,
//! }
//!
//! Jobs::duration_seconds().observe(f64::NAN);
//! let dropped = registry()
//!     .snapshot()
//!     .get("enumeter_observations_dropped_total", &[("reason", "nan")])
//!     .cloned();
//! assert_eq!(dropped, Some(enumeter::snapshot::Value::Counter(1)));
//! ```
//!
//! Each part declares its group beside the code that counts into it, with
//! `#[metrics(register = false)]`, and shows it through the one mechanism
//! the default registry renders (see `ARCHITECTURE.md`).
