//! The `metrics` facade's series beside the typed ones (feature
//! `metrics-facade`): what a service's dependencies publish through
//! `metrics::counter!`, `gauge!` and `histogram!` (`tokio-metrics`, database
//! and HTTP client crates) rendered by the default registry with enumeter's
//! own groups, in every format and by every pusher, on one `/metrics`.
//!
//! ```
//! use enumeter::facade::FacadeRecorder;
//! use enumeter::Format;
//!
//! FacadeRecorder::new().install().expect("no other global recorder");
//! // What a dependency does:
//! metrics::counter!("db.queries", "table" => "users").increment(3);
//! metrics::gauge!("pool_idle_connections").set(4.0);
//!
//! let text = enumeter::registry().render(Format::Prometheus);
//! assert!(text.contains("db_queries_total{table=\"users\"} 3\n"));
//! assert!(text.contains("pool_idle_connections 4\n"));
//! ```
//!
//! To keep another recorder the application has, compose them (with
//! `metrics_util::layers::FanoutBuilder`, say) and install the result:
//! [`FacadeRecorder`] is a [`metrics::Recorder`] like any other.
//!
//! What the facade does with what it is given:
//!
//! - **Names** are escaped into the legacy character set, as
//!   metrics-exporter-prometheus escapes them (`db.queries` →
//!   `db_queries`; a leading digit gets a `_`), so every Prometheus and every
//!   format takes them. A counter's name ends with `_total` (added when
//!   missing), as OpenMetrics requires of its samples and as a Prometheus 3
//!   OTLP receiver names counters. A name in Prometheus' `__` namespace or
//!   in enumeter's own (`enumeter_`), a label value over 1,024 bytes, two
//!   label names that escape to one, and a key registered as two kinds are
//!   refused, counted in `enumeter_facade_refused_total{reason}` and
//!   recorded nowhere.
//! - **Where.** The default registry shows the facade's families after the
//!   typed groups, with enumeter's own series, from the facade's first use;
//!   [`group`] gives them to a registry of your own.
//! - **Families.** A family's label names are those of its first series
//!   (sorted; the order a dependency gives them in does not matter). Its
//!   HELP text and unit come from `describe_*` (the unit is kept when the
//!   name ends with it). A name that any typed family of the default
//!   registry takes in the exposition (`x`, `x_total`, `x_bucket`, …) is
//!   refused as the registry refuses a clash between two groups: counted in
//!   `enumeter_registry_conflicts_total{family}` and logged once.
//! - **Histograms** are classic histograms with the buckets of Prometheus'
//!   client libraries (0.005 to 10, in the metric's unit), or those given
//!   for names a [`Matcher`] matches ([`buckets_for`](FacadeRecorder::buckets_for)):
//!   the facade says nothing of buckets, and a classic histogram reads the
//!   same in every format and every Prometheus (a native one is invisible
//!   to text scrapes; a summary does not aggregate).
//! - **Bounded.** At most [`max_series_per_family`](FacadeRecorder::max_series_per_family)
//!   series in a family (default 1,000), [`max_series`](FacadeRecorder::max_series)
//!   in all (default 10,000) and [`MAX_FAMILIES`] families. A series that
//!   does not fit, or whose label names are not its family's, is recorded
//!   into the family's overflow series, whose every label is `other` (the
//!   spelling enumeter's runtime labels give what did not fit; OpenTelemetry
//!   marks the same series with `otel.metric.overflow`), and counted once
//!   per key in `enumeter_facade_series_overflow_total{reason}`. The keys
//!   that overflowed are remembered up to four times `max_series`; past
//!   that, each registration of another one is counted. A family takes
//!   the cells of its cap of series when first seen: with the default cap,
//!   about 8 KB for a counter or gauge and 105 KB for a histogram, plus
//!   4 KB per label.
//! - **Retired when idle** ([`idle_timeout`](FacadeRecorder::idle_timeout),
//!   off by default). A series of a family with labels that goes that long
//!   without a record is retired at the next read: it leaves every output
//!   (Prometheus marks it stale), its cells are cleared and its slot takes
//!   the next new series of the family; its key is forgotten (so are the
//!   keys of the family that had overflowed, which find room at their next
//!   registration), and counted in `enumeter_facade_series_retired_total`.
//!   A handle a dependency kept records, when it records again, into its
//!   key's series made anew (or the overflow series when the family is
//!   full), never into the series that took its slot: each slot carries a
//!   generation, which a handle checks in the same atomic instruction that
//!   counts it in, and a slot is retired only when every record that
//!   entered it has left. The overflow series, and the one series of a
//!   family without labels, are not retired. Without an idle time, a
//!   series stays for the life of the process.
//!
//! Recording through a handle (a `metrics::Counter` a dependency keeps) is
//! one atomic operation on the series' cell behind the facade's one
//! dynamic call, and two more (the slot's generation check and count) in a
//! family whose series retire; `counter!` with labels looks its key up in a
//! hash map under a read lock (the facade's key hash, computed by
//! `metrics`). A label value of the facade lives only while its series
//! does: [`LabelDesc::value`](crate::LabelDesc::value) has none to give,
//! and the reader copies them as it begins a family (a
//! [`Snapshot`](crate::Snapshot) holds owned copies).

mod family;
mod histogram;
mod names;

pub use histogram::{BucketsError, Matcher};

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use metrics::{Key, KeyName, Metadata, SharedString, Unit};

use crate::cells::group::Group;
use crate::cells::histogram::HistogramSpec;
use crate::cells::metric::Metric;
use crate::cells::own::ShownOnceStarted;
use crate::read::families::{exposed_names, Conflict};
use enumeter_macros::metrics;

use family::{Cell, FacadeKind, Family, Full, Target, DEFAULT_SPEC};

/// The most families the facade holds: a name past them is refused (and
/// counted).
pub const MAX_FAMILIES: usize = 1024;

/// The largest [`FacadeRecorder::max_series_per_family`].
pub const MAX_SERIES_PER_FAMILY: usize = 10_000;

/// The `metrics` facade's recorder: its series join the default registry
/// (see [the module](self)).
///
/// There is one facade per process; a `FacadeRecorder` is a handle to it,
/// and its limits are the facade's, for the families and series created
/// after they are set.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct FacadeRecorder;

impl FacadeRecorder {
    /// The process's facade.
    pub fn new() -> Self {
        Self
    }

    /// At most `n` series in one family (clamped to 1 ..=
    /// [`MAX_SERIES_PER_FAMILY`]); default 1,000.
    pub fn max_series_per_family(self, n: usize) -> Self {
        FACADE
            .per_family
            .store(n.clamp(1, MAX_SERIES_PER_FAMILY), Ordering::Relaxed);
        self
    }

    /// At most `n` series in all families together; default 10,000.
    pub fn max_series(self, n: usize) -> Self {
        FACADE.total_cap.store(n, Ordering::Relaxed);
        self
    }

    /// Retires a series (of a family with labels) after `idle` without a
    /// record: it leaves the exposition at the next read after that (and
    /// Prometheus marks it stale), and its slot takes another series. A
    /// handle kept for it records into a new series of its key when it
    /// records again, never into the series that took its slot. `None`
    /// (the default) keeps every series for the life of the process. For
    /// the families made after it is set.
    ///
    /// ```
    /// use std::time::Duration;
    /// use enumeter::facade::FacadeRecorder;
    ///
    /// FacadeRecorder::new()
    ///     .idle_timeout(Some(Duration::from_secs(300)))
    ///     .install()
    ///     .expect("no other global recorder");
    /// ```
    pub fn idle_timeout(self, idle: Option<Duration>) -> Self {
        let nanos = idle.map_or(0, |d| {
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
        });
        FACADE.idle_nanos.store(nanos, Ordering::Relaxed);
        self
    }

    /// Classic buckets `bounds` (finite, increasing; `+Inf` is added) for
    /// the histograms whose name `matcher` matches, instead of the default
    /// ones; the first matcher given that matches a name wins. For the
    /// families made after it is called; each call keeps its buckets for
    /// the life of the process.
    ///
    /// ```
    /// use enumeter::facade::{FacadeRecorder, Matcher};
    ///
    /// let recorder = FacadeRecorder::new()
    ///     .buckets_for(Matcher::Suffix("_bytes".into()), &[1024.0, 65536.0, 1048576.0])
    ///     .expect("increasing finite bounds");
    /// assert!(recorder.buckets_for(Matcher::Prefix("db.".into()), &[1.0, 1.0]).is_err());
    /// ```
    pub fn buckets_for(self, matcher: Matcher, bounds: &[f64]) -> Result<Self, BucketsError> {
        histogram::check_bounds(bounds)?;
        let spec: &'static HistogramSpec = Box::leak(Box::new(HistogramSpec {
            bounds: Box::leak(bounds.into()),
            units_per_second: 1.0,
            skip_non_positive: false,
        }));
        FACADE
            .buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((matcher, spec));
        Ok(self)
    }

    /// Installs the facade as the process's global `metrics` recorder;
    /// an error if one is installed already.
    pub fn install(self) -> Result<(), metrics::SetRecorderError<Self>> {
        metrics::set_global_recorder(self)
    }
}

impl metrics::Recorder for FacadeRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        FACADE.describe(FacadeKind::Counter, key.as_str(), unit, description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        FACADE.describe(FacadeKind::Gauge, key.as_str(), unit, description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        FACADE.describe(FacadeKind::Histogram, key.as_str(), unit, description);
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> metrics::Counter {
        match FACADE.handle(key, FacadeKind::Counter) {
            Some(Handle::Counter(counter)) => metrics::Counter::from_arc(counter),
            Some(Handle::Moving(moving)) => metrics::Counter::from_arc(moving),
            _ => metrics::Counter::noop(),
        }
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> metrics::Gauge {
        match FACADE.handle(key, FacadeKind::Gauge) {
            Some(Handle::Gauge(gauge)) => metrics::Gauge::from_arc(gauge),
            Some(Handle::Moving(moving)) => metrics::Gauge::from_arc(moving),
            _ => metrics::Gauge::noop(),
        }
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> metrics::Histogram {
        match FACADE.handle(key, FacadeKind::Histogram) {
            Some(Handle::Histogram(histogram)) => metrics::Histogram::from_arc(histogram),
            Some(Handle::Moving(moving)) => metrics::Histogram::from_arc(moving),
            _ => metrics::Histogram::noop(),
        }
    }
}

/// The facade's families as one group, for a registry of your own (the
/// default registry shows them from the facade's first use).
pub fn group() -> &'static dyn Group {
    &FACADE
}

/// The facade's families in the default registry: after the typed groups,
/// with enumeter's own, from the facade's first use. The last of them by
/// order, so that families appearing later move no other group's metrics.
/// A facade name that a typed family takes is refused by the facade itself.
static FACADE_FAMILIES: ShownOnceStarted = ShownOnceStarted::new(60, || &FACADE);

/// The process's facade.
static FACADE: Facade = Facade {
    keys: RwLock::new(HashMap::with_hasher(BuildHasherDefault::new())),
    families: [const { OnceLock::new() }; MAX_FAMILIES],
    family_count: AtomicUsize::new(0),
    state: Mutex::new(None),
    per_family: AtomicUsize::new(1000),
    total_cap: AtomicUsize::new(10_000),
    idle_nanos: AtomicU64::new(0),
    buckets: Mutex::new(Vec::new()),
};

struct Facade {
    /// Every key registered, with what its handle records into.
    keys: RwLock<HashMap<Key, Handle, BuildHasherDefault<KeyHasher>>>,
    /// The families, in creation order; the first `family_count` are set.
    families: [OnceLock<&'static Family>; MAX_FAMILIES],
    family_count: AtomicUsize,
    /// What creating a series needs; taken before `keys` is written.
    state: Mutex<Option<State>>,
    per_family: AtomicUsize,
    total_cap: AtomicUsize,
    /// Idle time before a series retires, in nanoseconds; 0: never.
    idle_nanos: AtomicU64,
    /// Histogram buckets given by name, first match first.
    buckets: Mutex<Vec<(Matcher, &'static HistogramSpec)>>,
}

#[derive(Default)]
struct State {
    /// Families by name.
    by_name: HashMap<String, &'static Family>,
    /// The names the facade's families take in the exposition, and which
    /// family takes each.
    taken: HashMap<String, &'static str>,
    /// Descriptions given before their family exists: name → help, unit.
    described: HashMap<String, (String, Option<&'static str>)>,
    /// Names refused for a clash, reported once each (as many as families).
    clashed: HashSet<String>,
    /// Series created, in all families.
    series: usize,
    /// Keys remembered as overflowed or refused.
    remembered: usize,
    /// The keys remembered as overflowed in a family whose series retire,
    /// forgotten when a series of the family retires (so that the next
    /// registration finds room).
    overflowed: Vec<(Key, &'static Family)>,
}

/// What a key records into: the handle `metrics` hands out, of the key's
/// kind; `Refused` for a key refused.
#[derive(Clone)]
enum Handle {
    Counter(Arc<CounterHandle>),
    Gauge(Arc<GaugeHandle>),
    Histogram(Arc<HistogramHandle>),
    /// A series of a family whose series retire.
    Moving(Arc<MovingHandle>),
    Refused,
}

impl Facade {
    /// The handle of `key` as a `kind`: found under the read lock, or made.
    fn handle(&'static self, key: &Key, kind: FacadeKind) -> Option<Handle> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        match keys.get(key) {
            Some(handle) => handle.of_kind(kind),
            None => {
                drop(keys);
                self.create(key, kind)
            }
        }
    }

    /// Makes `key`'s series (or finds its overflow series, or refuses it),
    /// counts what did not fit, and remembers the key.
    #[cold]
    fn create(&'static self, key: &Key, kind: FacadeKind) -> Option<Handle> {
        FACADE_METRICS.start();
        FACADE_FAMILIES.start();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = state.get_or_insert_with(State::default);
        // Another thread may have made it meanwhile.
        if let Some(handle) = self
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return handle.of_kind(kind);
        }
        let (handle, kept) = match self.series_of(state, key, kind) {
            Ok((family, target)) => (Handle::of(family, key, target), true),
            Err(Refusal::Overflow(family, full)) => {
                FacadeSelf::facade_series_overflow_total(full.into()).inc();
                if family.retires() {
                    state.overflowed.push((key.clone(), family));
                }
                (Handle::of(family, key, family.overflow()), false)
            }
            Err(Refusal::Refused(reason)) => {
                FacadeSelf::facade_refused_total(reason).inc();
                (Handle::Refused, false)
            }
        };
        // A key that got no series of its own is remembered while there
        // is room, so that it is counted once; past that, counted again.
        if kept || state.remembered < 4 * self.total_cap.load(Ordering::Relaxed) {
            state.remembered += usize::from(!kept);
            self.keys
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key.clone(), handle.clone());
        } else if !kept && family_of(&handle).is_some_and(|f| f.retires()) {
            state.overflowed.pop();
        }
        handle.of_kind(kind)
    }

    /// Points `handle`, whose series was retired, at its key's series
    /// now: the one made since by another registration of the key, or a
    /// new one (its family's overflow series when there is no room).
    #[cold]
    #[inline(never)]
    fn reattach(&'static self, handle: &MovingHandle) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = state.get_or_insert_with(State::default);
        let family = handle.family;
        // Another clone of the handle was pointed again meanwhile.
        if family.holds(handle.target()) {
            return;
        }
        let known = self
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&handle.key)
            .cloned();
        if let Some(Handle::Moving(known)) = known {
            // Under the state lock, a key's series in the map is live: a
            // retirement takes the key out of the map in the same section.
            handle.point(known.target());
            return;
        }
        let (target, kept) = match self.series_of(state, &handle.key, handle.kind) {
            Ok((_, target)) => (target, true),
            Err(Refusal::Overflow(family, full)) => {
                FacadeSelf::facade_series_overflow_total(full.into()).inc();
                (family.overflow(), false)
            }
            // A key that had a series is refused now only when the family
            // is past its limits; its records go to the overflow series.
            Err(Refusal::Refused(_)) => (family.overflow(), false),
        };
        handle.point(target);
        if kept {
            let moved = Arc::new(MovingHandle::new(
                family,
                handle.key.clone(),
                handle.kind,
                target,
            ));
            self.keys
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(handle.key.clone(), Handle::Moving(moved));
        }
    }

    /// Retires `family`'s idle series (see [`Family::sweep`]) and forgets
    /// their keys, and the keys remembered as overflowed in it once some
    /// series retired.
    fn sweep(&'static self, state: &mut State, family: &'static Family, now: Instant) -> usize {
        let mut retired = Vec::new();
        let count = family.sweep(now, &mut retired);
        if count == 0 {
            return 0;
        }
        FacadeSelf::facade_series_retired_total().add(count as u64);
        state.series -= count;
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        for key in &retired {
            keys.remove(key);
        }
        let before = state.overflowed.len();
        state.overflowed.retain(|(key, of)| {
            let forget = core::ptr::eq(*of, family);
            if forget {
                keys.remove(key);
            }
            !forget
        });
        state.remembered -= before - state.overflowed.len();
        count
    }

    /// Sweeps every family whose series retire.
    fn sweep_all(&'static self, state: &mut State, now: Instant) -> usize {
        let count = self.family_count.load(Ordering::Acquire);
        self.families[..count]
            .iter()
            .filter_map(OnceLock::get)
            .filter(|family| family.retires())
            .map(|family| self.sweep(state, family, now))
            .sum()
    }

    fn series_of(
        &'static self,
        state: &mut State,
        key: &Key,
        kind: FacadeKind,
    ) -> Result<(&'static Family, Target), Refusal> {
        let name = names::metric_name(key.name())
            .filter(|name| !name.starts_with(names::OWN_NAMESPACE))
            .ok_or(Refusal::Refused(Refused::Name))?;
        let name = match kind {
            FacadeKind::Counter => names::counter_name(name),
            FacadeKind::Gauge | FacadeKind::Histogram => name,
        };
        let mut labels = Vec::with_capacity(key.labels().len());
        for label in key.labels() {
            let label_name =
                names::label_name(label.key()).ok_or(Refusal::Refused(Refused::Name))?;
            if label.value().len() > names::MAX_VALUE_BYTES {
                return Err(Refusal::Refused(Refused::LabelValue));
            }
            labels.push((label_name, label.value()));
        }
        labels.sort_by(|a, b| a.0.cmp(&b.0));
        if labels.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Refusal::Refused(Refused::Name));
        }
        let family = match state.by_name.get(&name) {
            Some(family) => *family,
            None => self.new_family(state, key.name(), name, kind, &labels)?,
        };
        if family.kind() != kind {
            return Err(Refusal::Refused(Refused::Kind));
        }
        if !family
            .label_names()
            .iter()
            .eq(labels.iter().map(|(name, _)| name))
        {
            return Err(Refusal::Overflow(family, Full::LabelNames));
        }
        let values: Vec<&str> = labels.iter().map(|(_, value)| *value).collect();
        let cap = self.total_cap.load(Ordering::Relaxed);
        let create = |state: &mut State| {
            let series = &mut state.series;
            family.create(key, &values, || {
                let room = *series < cap;
                *series += usize::from(room);
                room
            })
        };
        let created = match create(state) {
            // Full: idle series retired now make room.
            Err(Full::Family) if family.retires() => {
                if self.sweep(state, family, Instant::now()) > 0 {
                    create(state)
                } else {
                    Err(Full::Family)
                }
            }
            Err(Full::All) if self.sweep_all(state, Instant::now()) > 0 => create(state),
            created => created,
        };
        created
            .map(|target| (family, target))
            .map_err(|full| Refusal::Overflow(family, full))
    }

    fn new_family(
        &'static self,
        state: &mut State,
        given: &str,
        name: String,
        kind: FacadeKind,
        labels: &[(String, &str)],
    ) -> Result<&'static Family, Refusal> {
        let count = self.family_count.load(Ordering::Relaxed);
        if count == MAX_FAMILIES {
            return Err(Refusal::Refused(Refused::Families));
        }
        let exposed = names::exposed(&name, kind);
        let taken_by = exposed
            .iter()
            .find_map(|n| {
                let family = state.taken.get(n)?;
                Some((n.clone(), "metrics facade", *family))
            })
            .or_else(|| typed_names().find(&exposed).map(|(g, m, n)| (n, g, m)));
        if let Some((taken, group, metric)) = taken_by {
            // Reported (counted, logged, its name kept) once per name.
            if state.clashed.len() < MAX_FAMILIES && state.clashed.insert(name.clone()) {
                clash(&taken, name, group, metric);
            }
            return Err(Refusal::Refused(Refused::Clash));
        }
        let name: &'static str = Box::leak(name.into_boxed_str());
        let idle = match self.idle_nanos.load(Ordering::Relaxed) {
            0 => None,
            nanos => Some(Duration::from_nanos(nanos)),
        };
        let spec = match kind {
            FacadeKind::Histogram => self
                .buckets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .find(|(matcher, _)| matcher.matches(given))
                .map_or(&DEFAULT_SPEC, |(_, spec)| *spec),
            FacadeKind::Counter | FacadeKind::Gauge => &DEFAULT_SPEC,
        };
        let family = Family::leak(
            name,
            kind,
            labels.iter().map(|(name, _)| name.clone()).collect(),
            self.per_family.load(Ordering::Relaxed),
            spec,
            idle,
            state
                .described
                .get(name)
                .map(|(help, unit)| (help.as_str(), *unit)),
        );
        state.taken.extend(exposed.into_iter().map(|n| (n, name)));
        state.by_name.insert(name.to_owned(), family);
        let _ = self.families[count].set(family);
        self.family_count.store(count + 1, Ordering::Release);
        Ok(family)
    }

    fn describe(&self, kind: FacadeKind, name: &str, unit: Option<Unit>, help: SharedString) {
        let Some(name) = names::metric_name(name) else {
            return;
        };
        let name = match kind {
            FacadeKind::Counter => names::counter_name(name),
            FacadeKind::Gauge | FacadeKind::Histogram => name,
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = state.get_or_insert_with(State::default);
        let unit = unit.map(|u| u.as_str());
        match state.by_name.get(&name) {
            Some(family) => family.describe(&help, unit),
            // Kept for the family once it is made; as many names as families.
            None if state.described.len() < MAX_FAMILIES => {
                state
                    .described
                    .entry(name)
                    .or_insert_with(|| (help.into_owned(), unit));
            }
            None => {}
        }
    }
}

impl Group for Facade {
    fn name(&self) -> &'static str {
        "metrics facade"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        let count = self.family_count.load(Ordering::Acquire);
        let families = || self.families[..count].iter().filter_map(OnceLock::get);
        if families().any(|family| family.retires()) {
            // Idle series leave before the families are read.
            let mut state = FACADE.state.lock().unwrap_or_else(PoisonError::into_inner);
            FACADE.sweep_all(state.get_or_insert_with(State::default), Instant::now());
        }
        for family in families() {
            // Not `visitor` itself: `read` hands out `Metric<'static>`.
            #[allow(clippy::redundant_closure)]
            family.read(|metric| visitor(metric));
        }
    }
}

/// Why a key got no series of its own.
enum Refusal {
    /// Recorded into `family`'s overflow series.
    Overflow(&'static Family, Full),
    /// Recorded nowhere.
    Refused(Refused),
}

impl Handle {
    /// The handle of `key`'s series at `target` in `family`.
    fn of(family: &'static Family, key: &Key, target: Target) -> Self {
        if family.retires() {
            let kind = family.kind();
            return Handle::Moving(Arc::new(MovingHandle::new(
                family,
                key.clone(),
                kind,
                target,
            )));
        }
        match family.lasting_cell(target) {
            Cell::Counter(c) => Handle::Counter(Arc::new(CounterHandle(c))),
            Cell::Gauge(c) => Handle::Gauge(Arc::new(GaugeHandle(c))),
            Cell::Histogram(c, spec) => Handle::Histogram(Arc::new(HistogramHandle(c, spec))),
        }
    }

    /// This handle for a registration as `kind`: the same kind, else
    /// refused (and counted: a key registered as two kinds).
    fn of_kind(&self, kind: FacadeKind) -> Option<Handle> {
        let same = match self {
            Handle::Counter(_) => kind == FacadeKind::Counter,
            Handle::Gauge(_) => kind == FacadeKind::Gauge,
            Handle::Histogram(_) => kind == FacadeKind::Histogram,
            Handle::Moving(moving) => kind == moving.kind,
            Handle::Refused => return None,
        };
        if !same {
            FacadeSelf::facade_refused_total(Refused::Kind).inc();
            return None;
        }
        Some(self.clone())
    }
}

/// A facade counter's cell.
struct CounterHandle(&'static crate::cells::counter::Counter);

impl metrics::CounterFn for CounterHandle {
    fn increment(&self, value: u64) {
        self.0.add(value);
    }

    fn absolute(&self, value: u64) {
        // Raised to `value`, never lowered: a counter does not go down.
        let now = self.0.get();
        if value > now {
            self.0.add(value - now);
        }
    }
}

/// A facade gauge's cell.
struct GaugeHandle(&'static crate::cells::gauge::FloatGauge);

impl metrics::GaugeFn for GaugeHandle {
    fn increment(&self, value: f64) {
        self.0.add(value);
    }

    fn decrement(&self, value: f64) {
        self.0.sub(value);
    }

    fn set(&self, value: f64) {
        self.0.set(value);
    }
}

/// A facade histogram's cells.
struct HistogramHandle(&'static histogram::FacadeHistogram, &'static HistogramSpec);

impl metrics::HistogramFn for HistogramHandle {
    fn record(&self, value: f64) {
        self.0.observe(self.1, value);
    }
}

/// The family a handle records into, for a handle of a family whose
/// series retire.
fn family_of(handle: &Handle) -> Option<&'static Family> {
    match handle {
        Handle::Moving(moving) => Some(moving.family),
        _ => None,
    }
}

/// A handle of a series of a family whose series retire: where its key's
/// series is, checked at every record (see [`slot`]).
struct MovingHandle {
    family: &'static Family,
    key: Key,
    kind: FacadeKind,
    /// A packed [`Target`].
    target: AtomicU64,
}

impl MovingHandle {
    fn new(family: &'static Family, key: Key, kind: FacadeKind, target: Target) -> Self {
        Self {
            family,
            key,
            kind,
            target: AtomicU64::new(target.pack()),
        }
    }

    fn target(&self) -> Target {
        Target::unpack(self.target.load(Ordering::Acquire))
    }

    fn point(&self, target: Target) {
        self.target.store(target.pack(), Ordering::Release);
    }

    /// Records with `record` into the key's series among `cells` (the
    /// family's, of the handle's kind): where the handle points while that
    /// series holds its slot, else where the key's series is now (made
    /// again if need be).
    #[inline]
    fn record<C>(&self, cells: &[C], record: impl Fn(&C)) {
        if !self.family.record(cells, self.target(), &record) {
            self.record_after_retirement(&|target| self.family.record(cells, target, &record));
        }
    }

    /// The series the handle pointed at was retired: points it at its
    /// key's series now and records there.
    #[cold]
    #[inline(never)]
    fn record_after_retirement(&self, record: &dyn Fn(Target) -> bool) {
        // Twice at most: a series just made is not retired again before
        // its idle time passes; past that, the overflow series, which
        // never retires.
        for _ in 0..2 {
            FACADE.reattach(self);
            if record(self.target()) {
                return;
            }
        }
        record(self.family.overflow());
    }
}

impl metrics::CounterFn for MovingHandle {
    fn increment(&self, value: u64) {
        self.record(self.family.counters(), |counter| counter.add(value));
    }

    fn absolute(&self, value: u64) {
        // Raised to `value`, never lowered: a counter does not go down.
        self.record(self.family.counters(), |counter| {
            let now = counter.get();
            if value > now {
                counter.add(value - now);
            }
        });
    }
}

impl metrics::GaugeFn for MovingHandle {
    fn increment(&self, value: f64) {
        self.record(self.family.gauges(), |gauge| gauge.add(value));
    }

    fn decrement(&self, value: f64) {
        self.record(self.family.gauges(), |gauge| gauge.sub(value));
    }

    fn set(&self, value: f64) {
        self.record(self.family.gauges(), |gauge| gauge.set(value));
    }
}

impl metrics::HistogramFn for MovingHandle {
    fn record(&self, value: f64) {
        let spec = self.family.spec();
        MovingHandle::record(self, self.family.histograms(), |histogram| {
            histogram.observe(spec, value);
        });
    }
}

/// The names the typed families of the default registry take in the
/// exposition, read once (the groups of the default registry are fixed).
fn typed_names() -> &'static TypedNames {
    static NAMES: OnceLock<TypedNames> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut taken = HashMap::new();
        // enumeter's own groups hold the facade's families: the facade keeps
        // its own names apart, and refuses enumeter's namespace.
        let own: &dyn Group = crate::read::own::OwnMetrics::started();
        for group in crate::read::registry::registry().groups() {
            if core::ptr::addr_eq(group, own) {
                continue;
            }
            group.visit(&mut |metric| {
                for name in exposed_names(&metric) {
                    taken
                        .entry(name)
                        .or_insert((group.name(), metric.desc.name));
                }
            });
        }
        TypedNames(taken)
    })
}

struct TypedNames(HashMap<String, (&'static str, &'static str)>);

impl TypedNames {
    /// The first of `names` a typed family takes: its group, its metric
    /// and the name.
    fn find(&self, names: &[String]) -> Option<(&'static str, &'static str, String)> {
        names
            .iter()
            .find_map(|n| self.0.get(n).map(|&(g, m)| (g, m, n.clone())))
    }
}

/// Counts and logs a facade family left out for a name taken already, as
/// the registry does for two groups.
///
/// The refused name is kept (leaked) for the conflict's count, once per
/// name: there are as many as the keys the facade remembers at most.
fn clash(taken: &str, refused: String, kept_group: &'static str, kept_metric: &'static str) {
    crate::read::own::conflict(&Conflict {
        name: taken.to_owned(),
        kept_group,
        kept_metric,
        refused_group: "metrics facade",
        refused_metric: Box::leak(refused.into_boxed_str()),
        reason: "a name taken already",
    });
}

/// Hashes a `metrics::Key` by the hash `metrics` computed for it already.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `Key` writes only its precomputed hash (`write_u64`); anything
        // else is folded in, should that change.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// Why a series got its family's overflow series, as counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, enumeter_macros::LabelValue)]
#[label(rename_all = "snake_case")]
pub(crate) enum Overflow {
    /// Its family held `max_series_per_family` series.
    FamilyFull,
    /// The facade held `max_series` series.
    AllFull,
    /// Its label names were not its family's.
    LabelNames,
}

impl From<Full> for Overflow {
    fn from(full: Full) -> Self {
        match full {
            Full::Family => Overflow::FamilyFull,
            Full::All => Overflow::AllFull,
            Full::LabelNames => Overflow::LabelNames,
        }
    }
}

/// Why a registration was refused, as counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, enumeter_macros::LabelValue)]
#[label(rename_all = "snake_case")]
pub(crate) enum Refused {
    /// A metric or label name empty or in the `__` namespace, a metric name
    /// in enumeter's own (`enumeter_`), or two label names escaped to one.
    Name,
    /// A label value over 1,024 bytes.
    LabelValue,
    /// A key registered as another kind than its family's, or before.
    Kind,
    /// [`MAX_FAMILIES`] families held already.
    Families,
    /// A name taken in the exposition by a typed family or another facade
    /// family.
    Clash,
}

/// enumeter's counts of what the facade could not keep as given.
#[metrics(namespace = "enumeter", register = false)]
// The variants are the metrics' names, which share their subject.
#[allow(clippy::enum_variant_names)]
pub(crate) enum FacadeSelf {
    /// Keys of the `metrics` facade recorded into their family's overflow
    /// series (every label `other`), by why.
    #[counter(sparse)]
    FacadeSeriesOverflowTotal {
        /// Why.
        reason: Overflow,
    },
    /// Registrations of the `metrics` facade refused and recorded nowhere,
    /// by why.
    #[counter(sparse)]
    FacadeRefusedTotal {
        /// Why.
        reason: Refused,
    },
    /// Series of the `metrics` facade retired after their idle time without
    /// a record (`FacadeRecorder::idle_timeout`).
    #[counter]
    FacadeSeriesRetiredTotal,
}

/// What the default registry shows of [`FacadeSelf`]: once the facade is
/// first used.
pub(crate) static FACADE_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(35, || FacadeSelfMetrics::global());
