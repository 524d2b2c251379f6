//! Registries: which groups one render covers.

use std::sync::OnceLock;

use crate::encode::{self, Format};
use crate::self_metrics::EnumeterMetrics;
use crate::Group;

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
/// ```
#[derive(Default)]
pub struct Registry<'a> {
    groups: Vec<&'a dyn Group>,
}

impl<'a> Registry<'a> {
    /// An empty registry.
    pub const fn new() -> Self {
        Self { groups: Vec::new() }
    }

    /// Adds `group`; it renders after the groups added before it. Adding
    /// the same instance again does nothing (it would repeat its series).
    ///
    /// Two *different* instances of one group render series of the same
    /// names and labels, which scrapers reject as duplicates: merge them
    /// into one with `merge_from` instead, or give them separate registries.
    pub fn register(&mut self, group: &'a dyn Group) -> &mut Self {
        if !self.groups.iter().any(|g| core::ptr::addr_eq(*g, group)) {
            self.groups.push(group);
        }
        self
    }

    /// Adds `group` and returns the registry, for building one in an
    /// expression.
    pub fn with(mut self, group: &'a dyn Group) -> Self {
        self.register(group);
        self
    }

    /// The groups, in render order.
    pub fn groups(&self) -> impl Iterator<Item = &'a dyn Group> + '_ {
        self.groups.iter().copied()
    }

    /// Renders every series of every group, appending to `out`.
    ///
    /// Reuse one buffer across scrapes (`out.clear()` first) to render without
    /// allocating once the buffer has grown to size.
    pub fn render_into(&self, format: Format, out: &mut Vec<u8>) {
        encode::render_into(self.groups.iter().copied(), format, out);
    }

    /// Reads every series of every group at this moment; see
    /// [`snapshot`](crate::snapshot).
    pub fn snapshot(&self) -> crate::Snapshot {
        crate::Snapshot::of(self.groups.iter().copied())
    }

    /// Renders every series of every group into a new string.
    pub fn render(&self, format: Format) -> String {
        let mut out = Vec::new();
        self.render_into(format, &mut out);
        // The encoder writes only `&str` pieces and ASCII.
        String::from_utf8(out).expect("exposition is UTF-8")
    }
}

impl core::fmt::Debug for Registry<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.groups.iter().map(|g| g.name()))
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
        // The runtime's own group is declared `register = false` and added
        // here, last.
        let mut groups: Vec<&'static dyn Group> = GROUPS.iter().copied().collect();
        groups.sort_by_key(|g| g.name());
        groups.push(EnumeterMetrics::global());
        Registry { groups }
    })
}

/// Renders the default registry into a new string; see [`registry`].
pub fn render(format: Format) -> String {
    registry().render(format)
}

/// Renders the default registry, appending to `out`; see [`registry`].
pub fn render_into(format: Format, out: &mut Vec<u8>) {
    registry().render_into(format, out);
}
