//! Registries: which groups one render covers.

use std::sync::OnceLock;

use crate::cells::group::Group;
use crate::cells::metric::Metric;
use crate::read::families::{Action, Conflict, Plan};

/// Every group's process-wide instance, collected at link time.
///
/// Each `#[metrics]` enum adds its default instance here from generated code,
/// so the default registry knows every group in the binary without a
/// registration call and without code that runs before `main`.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static GROUPS: [&'static dyn Group];

/// A set of groups rendered together.
///
/// The [default registry](registry) holds the process-wide instance of every
/// group in the binary. Build a registry by hand to render separate instances,
/// for example in tests or where a library embeds a group more than once.
/// Groups render in the order they were registered.
///
/// Every render is a valid exposition whatever the groups declare: when a
/// metric of one group would take a name in the exposition that a metric
/// of an earlier group took (two crates, or two versions of one library,
/// declaring the same family),
///
/// - a declaration of exactly the same shape (kind, labels and their
///   values, buckets or quantiles and window, states, unit and help) is
///   merged: one family whose values add up, as `merge_from` would add them;
/// - any other is a [`Conflict`]: the first declaration keeps the name and
///   the later metric is left out. [`register`](Self::register) returns the
///   conflicts, [`conflicts`](Self::conflicts) lists them, each is logged
///   once as a warning through the `log` facade (target `enumeter`), and
///   `enumeter_registry_conflicts_total{family}` counts them in the default
///   registry.
///
/// ```
/// use enumeter::{metrics, Format, Registry};
///
/// /// Jobs of a worker pool.
/// #[metrics(namespace = "pool")]
/// pub enum Pool {
///     /// Jobs finished.
///     #[counter]
///     JobsTotal,
/// }
///
/// let pool = PoolMetrics::new();
/// pool.jobs_total().add(3);
/// let registry = Registry::new().with(&pool);
/// assert_eq!(
///     registry.render(Format::Prometheus),
///     concat!(
///         "# HELP pool_jobs_total Jobs finished.\n",
///         "# TYPE pool_jobs_total counter\n",
///         "pool_jobs_total 3\n",
///     )
/// );
///
/// // A second instance of the same group: same shape, so one family.
/// let other = PoolMetrics::new();
/// other.jobs_total().add(2);
/// let registry = Registry::new().with(&pool).with(&other);
/// assert!(registry.render(Format::Prometheus).ends_with("pool_jobs_total 5\n"));
/// ```
#[derive(Default)]
pub struct Registry<'a> {
    groups: Vec<&'a dyn Group>,
    plan: Plan<'a>,
    /// Whether renders write created timestamps.
    pub(crate) created: bool,
    /// Whether a metric or label name lies outside the legacy character
    /// set: renders then spell names as the scraper asked.
    utf8_names: bool,
}

/// The metrics [`Registry::register`] left out of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterError {
    /// One per metric left out.
    pub conflicts: Vec<Conflict>,
}

impl core::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, conflict) in self.conflicts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{conflict}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RegisterError {}

impl<'a> Registry<'a> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `group`; it renders after the groups added before it. Adding
    /// the same instance again does nothing (it would repeat its series).
    ///
    /// A metric whose names in the exposition an earlier, different
    /// declaration already takes is left out, and returned in the error;
    /// the group's other metrics are added all the same. A metric of the
    /// same shape as the earlier one is merged into its family instead
    /// (see [`Registry`]), which is not an error.
    pub fn register(&mut self, group: &'a dyn Group) -> Result<(), RegisterError> {
        if self.groups.iter().any(|g| core::ptr::addr_eq(*g, group)) {
            return Ok(());
        }
        let mut metrics = Vec::new();
        group.visit(&mut |metric| metrics.push(metric));
        self.utf8_names |= metrics.iter().any(|metric| {
            let desc = metric.desc;
            desc.spellings().is_utf8() || desc.labels.iter().any(|l| l.spellings().is_utf8())
        });
        let conflicts = self.plan.add_group(group.name(), metrics);
        self.groups.push(group);
        if conflicts.is_empty() {
            return Ok(());
        }
        for conflict in &conflicts {
            crate::read::own::conflict(conflict);
        }
        Err(RegisterError { conflicts })
    }

    /// Adds `group` and returns the registry, for building one in an
    /// expression. Conflicts are not returned here, but listed by
    /// [`conflicts`](Self::conflicts) (and reported as `register` reports
    /// them).
    pub fn with(mut self, group: &'a dyn Group) -> Self {
        // Kept in the plan, counted and logged by `register` itself.
        let _ = self.register(group);
        self
    }

    /// The groups, in render order.
    pub fn groups(&self) -> impl Iterator<Item = &'a dyn Group> + '_ {
        self.groups.iter().copied()
    }

    /// Whether every metric and label name lies in the legacy character
    /// set, which every scheme but `dots` writes as declared.
    pub(crate) fn legacy_names(&self) -> bool {
        !self.utf8_names
    }

    /// Every metric left out because of a conflict, in registration order.
    pub fn conflicts(&self) -> &[Conflict] {
        self.plan.conflicts()
    }

    /// Calls `f` once per family, in render order: its metric, and the
    /// identical declarations of later groups merged into it.
    pub(crate) fn for_each_family(&self, f: &mut dyn FnMut(Metric<'a>, &[Metric<'a>])) {
        for (g, group) in self.groups.iter().enumerate() {
            if self.plan.is_plain() {
                group.visit(&mut |metric| f(metric, &[]));
                continue;
            }
            let mut index = 0;
            group.visit(&mut |metric| {
                match self.plan.action(g, index) {
                    Action::Alone => f(metric, &[]),
                    Action::Merged(merged) => f(metric, merged),
                    Action::Skip => {}
                }
                index += 1;
            });
        }
    }

    /// Writes created timestamps (off unless set): `_created` samples of
    /// counters, histograms and summaries in OpenMetrics,
    /// `created_timestamp` in protobuf; see [`created`](crate::created).
    /// Prometheus 2.x stores `_created` lines as series of their own.
    ///
    /// ```
    /// use enumeter::{metrics, Format, Registry};
    ///
    /// /// Jobs.
    /// #[metrics(namespace = "jobs", register = false)]
    /// pub enum Jobs {
    ///     /// Jobs done.
    ///     #[counter]
    ///     DoneTotal,
    /// }
    ///
    /// let jobs = JobsMetrics::new();
    /// let registry = Registry::new().with(&jobs).created_timestamps(true);
    /// let text = registry.render(Format::OpenMetrics);
    /// assert!(text.contains("\njobs_done_created "));
    /// assert!(!registry.render(Format::Prometheus).contains("_created"));
    /// ```
    pub fn created_timestamps(mut self, on: bool) -> Self {
        self.created = on;
        self
    }
}

impl core::fmt::Debug for Registry<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registry")
            .field(
                "groups",
                &self.groups.iter().map(|g| g.name()).collect::<Vec<_>>(),
            )
            .field("conflicts", &self.conflicts())
            .finish()
    }
}

/// The default registry: the process-wide instance of every `#[metrics]`
/// group linked into the binary, ordered by the groups' module path and name,
/// then enumeter's own metrics ([`self_metrics`](crate::self_metrics)).
///
/// ```
/// # use enumeter::{metrics, Format};
/// /// Cache metrics.
/// #[metrics(namespace = "cache")]
/// pub enum Cache {
///     /// Lookups that found their key.
///     #[counter]
///     HitsTotal,
/// }
///
/// Cache::hits_total().inc();
/// let text = enumeter::registry().render(Format::Prometheus);
/// assert!(text.contains("cache_hits_total 1\n"));
/// ```
pub fn registry() -> &'static Registry<'static> {
    static DEFAULT: OnceLock<Registry<'static>> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        // The runtime's own groups are declared `register = false` and added
        // here, last.
        let mut groups: Vec<&'static dyn Group> = GROUPS.iter().copied().collect();
        groups.sort_by_key(|g| g.name());
        groups.push(crate::read::own::OwnMetrics::started());
        let mut registry = Registry::new();
        for group in groups {
            // Conflicts are kept in the registry and reported by `register`.
            let _ = registry.register(group);
        }
        registry
    })
}
