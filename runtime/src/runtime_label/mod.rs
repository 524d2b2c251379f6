//! Labels whose values are known only at run time: upstream hosts from a
//! configuration file, tenants, the sources an aggregator loads. Declared
//! with [`runtime_label!`](crate::runtime_label!) and a capacity known at
//! compile time, so that storage stays preallocated and the group's series
//! count still counts toward `max_series`:
//!
//! ```
//! use enumeter::{metrics, runtime_label, Format, Registry};
//!
//! runtime_label! {
//!     /// The upstreams named in the configuration.
//!     pub struct Upstream: capacity = 8;
//! }
//!
//! /// Proxy metrics.
//! #[metrics(namespace = "proxy", register = false)]
//! pub enum Proxy {
//!     /// Requests sent, by upstream.
//!     #[counter(sparse)]
//!     RequestsTotal { upstream: Upstream },
//! }
//!
//! // At start-up, from the configuration: each value interned once.
//! let eu = Upstream::intern("eu-west.db:5432").unwrap();
//! let proxy = ProxyMetrics::new();
//! proxy.requests_total(eu).add(2); // a Copy handle: an index, one atomic
//! // Code that only has the string looks it up (lock-free, hashes it).
//! proxy.requests_total(Upstream::lookup("eu-west.db:5432").unwrap()).inc();
//! assert_eq!(
//!     Registry::new().with(&proxy).render(Format::Prometheus),
//!     concat!(
//!         "# HELP proxy_requests_total Requests sent, by upstream.\n",
//!         "# TYPE proxy_requests_total counter\n",
//!         "proxy_requests_total{upstream=\"eu-west.db:5432\"} 3\n",
//!     )
//! );
//! ```
//!
//! - **Values** are interned once, each returning a small `Copy` handle
//!   (its index). Recording with a handle computes the series index as for
//!   an enum label: no hash, lock or allocation on that path.
//! - **Lookup by string** ([`lookup`](RuntimeValues::lookup)) is lock-free:
//!   a hash of the string and a probe of an open-addressing table of four
//!   times the capacity, comparing strings. It is the only path that hashes.
//! - **Full**: a new value past the capacity is interned as `other`, a
//!   value that always exists (the last index). Each such value is counted
//!   once in `enumeter_runtime_label_overflow_total{label}` (the label
//!   type's name) and remembered in the rest of the lookup table, so that
//!   `intern` and `lookup` find it again as `other` without the lock; the
//!   first is logged through the `log` facade. The record holds three
//!   times the capacity less one; past it, every call with an overflowed
//!   value not remembered counts. Nothing is lost or misattributed
//!   silently.
//! - **Refused**: an empty value, one over [`MAX_RUNTIME_VALUE_BYTES`]
//!   bytes, (from bytes) one that is not UTF-8, and `other` itself (it
//!   would merge into what did not fit, uncounted) are errors, never
//!   rendered broken. Escaping for the exposition is done once, when the
//!   value is interned, so rendering copies bytes and allocates nothing.
//! - **Shown once recorded**: a metric with a runtime label must be
//!   declared `sparse` (a compile error says so otherwise), so a value's
//!   series appear in every output only once recorded into.
//! - **Kept, unless declared to retire**: an interned value keeps its slot
//!   for the life of the process (each value is leaked once: its text and
//!   escaped text), and the capacity bounds what is kept. A label whose
//!   values come and go (pods behind a discovery service) is declared with
//!   an idle time instead, and each metric labelled by it marks the label
//!   `#[label(retires)]`:
//!
//! ```
//! use std::time::Duration;
//! use enumeter::{metrics, runtime_label, Format, Registry};
//!
//! runtime_label! {
//!     /// The pods the discovery service names.
//!     pub struct Pod: capacity = 2, idle = Duration::from_secs(300);
//! }
//!
//! /// Proxy metrics.
//! #[metrics(namespace = "lb", register = false)]
//! pub enum Balancer {
//!     /// Requests sent, by pod.
//!     #[counter(sparse)]
//!     RequestsTotal {
//!         #[label(retires)]
//!         pod: Pod,
//!     },
//! }
//!
//! let pod = Pod::intern("10.0.0.7:8080").unwrap();
//! let lb = BalancerMetrics::new();
//! lb.requests_total(pod).add(2);
//! assert_eq!(pod.name().as_deref(), Some("10.0.0.7:8080"));
//! assert_eq!(
//!     Registry::new().with(&lb).render(Format::Prometheus),
//!     concat!(
//!         "# HELP lb_requests_total Requests sent, by pod.\n",
//!         "# TYPE lb_requests_total counter\n",
//!         "lb_requests_total{pod=\"10.0.0.7:8080\"} 2\n",
//!     )
//! );
//! ```
//!
//!   A value that saw no record for the idle time is **retired** at the
//!   next read (each render sweeps the labels of the families it reads;
//!   so does `intern` when the label is full): its series leave every
//!   output (Prometheus marks them stale), its text is freed, and its slot
//!   takes the next new value, whose series start from zero. Counted in
//!   `enumeter_runtime_label_retired_total{label}`.
//!   A handle is the value's slot and the slot's **generation**: a handle
//!   kept past its value's retirement no longer names it, and records
//!   into `other`, never into the value that took its slot (counted in
//!   `enumeter_runtime_label_stale_records_total{label}`; intern the value
//!   again for a handle that names it). To make that sound, the recording
//!   function of a metric with a label that retires returns a
//!   [`Held`](crate::Held) handle: it enters the value's slot (one atomic addition that
//!   also reads the generation), and leaves it when dropped (another); a
//!   value is retired only when every record that entered has left. A
//!   `Held` kept alive keeps its value from retiring. A label declared
//!   without `idle` pays none of this.

use core::fmt;
use enumeter_common::names::quoted_inner;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::cells::own::ShownOnceStarted;
use crate::label::LabelValue;
use enumeter_macros::metrics;

pub(crate) mod held;
#[cfg(not(loom))]
pub(crate) mod retiring;
pub(crate) mod seen;

#[cfg(not(loom))]
pub use retiring::RetiringValues;

/// The longest value a runtime label takes, in bytes.
pub const MAX_RUNTIME_VALUE_BYTES: usize = 128;

/// The most values one runtime label holds (`runtime_label!` refuses a
/// larger capacity where it is written).
pub const MAX_RUNTIME_CAPACITY: usize = enumeter_common::runtime_label::MAX_CAPACITY;

/// A runtime label's capacity as its tables are sized: `capacity`, or 1
/// for one out of range (refused at compile time where it is written), so
/// that nothing huge is built on the way to that error. For
/// `runtime_label!`.
#[doc(hidden)]
pub const fn table_capacity(capacity: usize) -> usize {
    if enumeter_common::runtime_label::capacity_ok(capacity) {
        capacity
    } else {
        1
    }
}

/// The size of a runtime label's lookup table: four times its capacity, a
/// power of two (the values, then overflowed values remembered). For
/// `runtime_label!`.
#[doc(hidden)]
pub const fn slots_for(capacity: usize) -> usize {
    (table_capacity(capacity) * 4).next_power_of_two()
}

/// The name of the value every runtime label has beyond its capacity.
pub const OTHER: &str = "other";

/// Why a value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeLabelError {
    /// The value was empty.
    Empty,
    /// The value was longer than [`MAX_RUNTIME_VALUE_BYTES`]; its length.
    TooLong(usize),
    /// The bytes given were not UTF-8.
    NotUtf8,
    /// The value was `other`, the name every runtime label gives what did
    /// not fit: a value of that name would merge into it uncounted. Use the
    /// handle's `OTHER` where `other` is meant.
    Other,
}

impl fmt::Display for RuntimeLabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a label value cannot be empty"),
            Self::TooLong(len) => write!(
                f,
                "a label value of {len} bytes is longer than the {MAX_RUNTIME_VALUE_BYTES} \
                 a runtime label takes"
            ),
            Self::NotUtf8 => f.write_str("a label value must be UTF-8"),
            Self::Other => f.write_str(
                "`other` names what did not fit a runtime label; it cannot be interned as a \
                 value of its own (use the handle's `OTHER`)",
            ),
        }
    }
}

impl std::error::Error for RuntimeLabelError {}

/// One interned value: its text and its text escaped for a quoted label
/// value, leaked once (a value is never retired).
#[derive(Debug)]
struct Interned {
    text: &'static str,
    escaped: &'static str,
    index: usize,
}

pub use crate::label::RuntimeNames;

/// The table behind a runtime label of `CAPACITY` values (and `other`),
/// with a lookup table of `SLOTS` entries (a power of two, at least twice
/// the capacity: the values, then overflowed values remembered in the
/// rest, one slot left empty; `runtime_label!` makes it four times the
/// capacity). [`runtime_label!`](crate::runtime_label!) declares one
/// per label type; its handle type calls these.
pub struct RuntimeValues<const CAPACITY: usize, const SLOTS: usize> {
    /// The label type's name, for the overflow counter and messages.
    label: &'static str,
    /// Value `i`, once interned (a `OnceLock` publishes it whole: a
    /// reader that sees it sees its strings).
    values: [OnceLock<&'static Interned>; CAPACITY],
    /// Open addressing by the value's hash: each entry, once set, never
    /// changes.
    slots: [OnceLock<&'static Interned>; SLOTS],
    /// Values interned; only written under `interning`.
    len: AtomicUsize,
    /// Entries in `slots`: the values interned and the overflowed ones
    /// remembered; only written under `interning`.
    entries: AtomicUsize,
    /// Serialises interning: lookups never take it.
    interning: Mutex<()>,
}

impl<const CAPACITY: usize, const SLOTS: usize> fmt::Debug for RuntimeValues<CAPACITY, SLOTS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeValues")
            .field("label", &self.label)
            .field("capacity", &CAPACITY)
            .field("interned", &self.len())
            .finish()
    }
}

impl<const CAPACITY: usize, const SLOTS: usize> RuntimeValues<CAPACITY, SLOTS> {
    /// An empty table for the label type `label`.
    pub const fn new(label: &'static str) -> Self {
        assert!(CAPACITY >= 1, "a runtime label holds at least one value");
        assert!(
            SLOTS.is_power_of_two() && SLOTS >= 2 * CAPACITY,
            "the lookup table is a power of two, at least twice the capacity"
        );
        assert!(CAPACITY < u32::MAX as usize, "a handle is a u32 index");
        Self {
            label,
            values: [const { OnceLock::new() }; CAPACITY],
            slots: [const { OnceLock::new() }; SLOTS],
            len: AtomicUsize::new(0),
            entries: AtomicUsize::new(0),
            interning: Mutex::new(()),
        }
    }

    /// The index of `other`: the capacity.
    pub const OTHER: usize = CAPACITY;

    /// The index of `value`, interning it if it is new: `other`'s when the
    /// table is full. Takes a lock only for a value not seen yet: an
    /// overflowed value is remembered (up to `SLOTS - 1 - CAPACITY` of
    /// them, at least three times the capacity with `runtime_label!`), so
    /// that it is counted once, in `enumeter_runtime_label_overflow_total`,
    /// and found again without the lock; beyond that record every call
    /// with a new overflowed value counts. `other` itself is refused
    /// ([`RuntimeLabelError::Other`]).
    pub fn intern(&self, value: &str) -> Result<usize, RuntimeLabelError> {
        self.intern_counting(value, true)
    }

    /// [`intern`](Self::intern), with a full table's `other` counted only
    /// when `count` (enumeter's own label of overflowed labels is not
    /// counted in itself).
    pub(crate) fn intern_counting(
        &self,
        value: &str,
        count: bool,
    ) -> Result<usize, RuntimeLabelError> {
        check(value)?;
        if value == OTHER {
            return Err(RuntimeLabelError::Other);
        }
        let hash = hash_of(value);
        if let Some(index) = self.find(value, hash) {
            return Ok(index);
        }
        let _interning = self
            .interning
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Interned, or remembered as overflowed, by another thread since
        // the lookup above?
        if let Some(index) = self.find(value, hash) {
            return Ok(index);
        }
        let index = self.len.load(Ordering::Relaxed);
        if index == CAPACITY {
            // Remembered while the lookup table has room: at most
            // SLOTS - 1 entries, so that an empty slot ends every probe.
            if self.entries.load(Ordering::Relaxed) < SLOTS - 1 {
                let text: &'static str = Box::leak(value.into());
                self.insert(
                    hash,
                    Interned {
                        text,
                        escaped: OTHER,
                        index: CAPACITY,
                    },
                );
            }
            if count {
                overflowed(self.label, CAPACITY);
            }
            return Ok(Self::OTHER);
        }
        let interned = self.insert(
            hash,
            Interned {
                text: Box::leak(value.into()),
                escaped: Box::leak(quoted_inner(value).into_boxed_str()),
                index,
            },
        );
        // Under the lock, it is empty: the set succeeds.
        let _ = self.values[index].set(interned);
        self.len.store(index + 1, Ordering::Release);
        Ok(index)
    }

    /// Puts `entry` in the lookup table, under the interning lock.
    fn insert(&self, hash: u64, entry: Interned) -> &'static Interned {
        let entry: &'static Interned = Box::leak(Box::new(entry));
        let mut slot = hash as usize & (SLOTS - 1);
        while self.slots[slot].get().is_some() {
            slot = (slot + 1) & (SLOTS - 1);
        }
        // Under the lock, the slot found empty stays so: the set succeeds.
        let _ = self.slots[slot].set(entry);
        self.entries.fetch_add(1, Ordering::Relaxed);
        entry
    }

    /// [`intern`](Self::intern) of bytes that must be UTF-8.
    pub fn intern_bytes(&self, value: &[u8]) -> Result<usize, RuntimeLabelError> {
        let value = core::str::from_utf8(value).map_err(|_| RuntimeLabelError::NotUtf8)?;
        self.intern(value)
    }

    /// The index of `value` if it has been interned (`other`'s for
    /// `other`, and for a value remembered as overflowed), without
    /// interning it: lock-free, one hash and a probe.
    pub fn lookup(&self, value: &str) -> Option<usize> {
        if value == OTHER {
            return Some(Self::OTHER);
        }
        self.find(value, hash_of(value))
    }

    fn find(&self, value: &str, hash: u64) -> Option<usize> {
        let mut slot = hash as usize & (SLOTS - 1);
        // At most SLOTS - 1 entries: an empty slot ends every probe.
        loop {
            let entry = self.slots[slot].get()?;
            if entry.text == value {
                return Some(entry.index);
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
    }

    /// How many values have been interned (`other` not counted).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Whether no value has been interned yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn interned(&self, index: usize) -> Option<&'static Interned> {
        self.values.get(index)?.get().copied()
    }
}

impl<const CAPACITY: usize, const SLOTS: usize> RuntimeNames for RuntimeValues<CAPACITY, SLOTS> {
    fn name(&self, index: usize) -> Option<&'static str> {
        if index == CAPACITY {
            return Some(OTHER);
        }
        self.interned(index).map(|i| i.text)
    }

    fn escaped(&self, index: usize) -> Option<&'static str> {
        if index == CAPACITY {
            return Some(OTHER);
        }
        self.interned(index).map(|i| i.escaped)
    }

    fn visible(&self) -> usize {
        self.len()
    }
}

/// The label of the overflow counter, in a module of its own: it uses
/// one of the methods `runtime_label!` gives a handle type.
#[allow(dead_code)]
mod overflowed_label {
    crate::runtime_label! {
        /// The runtime labels that overflowed: each label type's name.
        pub(crate) struct RuntimeLabelType: capacity = 64;
    }
}
use overflowed_label::RuntimeLabelType;

/// enumeter's count of values that did not fit a runtime label; shown
/// once one did not.
#[metrics(namespace = "enumeter", register = false)]
// The variants are the metrics' names, each `enumeter_runtime_label_…`.
#[allow(clippy::enum_variant_names)]
pub(crate) enum RuntimeLabelSelf {
    /// Values interned as `other` because their runtime label was full, by
    /// label type.
    #[counter(sparse)]
    RuntimeLabelOverflowTotal {
        /// The runtime label's type name.
        label: RuntimeLabelType,
    },
    /// Values of runtime labels retired after their idle time without a
    /// record, by label type.
    #[counter(sparse)]
    RuntimeLabelRetiredTotal {
        /// The runtime label's type name.
        label: RuntimeLabelType,
    },
    /// Records through a handle whose runtime label value had been
    /// retired, recorded as `other`, by label type.
    #[counter(sparse)]
    RuntimeLabelStaleRecordsTotal {
        /// The runtime label's type name.
        label: RuntimeLabelType,
    },
}

/// What the default registry shows of [`RuntimeLabelSelf`].
pub(crate) static RUNTIME_LABEL_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(45, || RuntimeLabelSelfMetrics::global());

/// Counts a value of runtime label `label` that became `other`, and logs
/// the first of each label.
fn overflowed(label: &'static str, capacity: usize) {
    let counter = RuntimeLabelSelf::runtime_label_overflow_total(self_label(label));
    let first = counter.get() == 0;
    counter.inc();
    if first {
        log::warn!(
            target: "enumeter",
            "runtime label `{label}` is full ({capacity} values): new values are recorded as \
             `other`; counted in enumeter_runtime_label_overflow_total{{label=\"{label}\"}}, \
             not logged again"
        );
    }
}

/// The self-metric handle of runtime label `label`.
fn self_label(label: &'static str) -> RuntimeLabelType {
    RUNTIME_LABEL_METRICS.start();
    let index = RuntimeLabelType::__VALUES
        .intern_counting(label, false)
        .unwrap_or(RuntimeLabelType::CAPACITY);
    RuntimeLabelType::from_index(index).unwrap_or(RuntimeLabelType::OTHER)
}

/// Counts `count` values of runtime label `label` retired.
#[cfg_attr(loom, allow(dead_code))]
fn retired(label: &'static str, count: u64) {
    RuntimeLabelSelf::runtime_label_retired_total(self_label(label)).add(count);
}

/// Counts a record through a handle of a retired value of `label`, and
/// logs the first of each label.
#[cfg_attr(loom, allow(dead_code))]
fn stale_record(label: &'static str) {
    let counter = RuntimeLabelSelf::runtime_label_stale_records_total(self_label(label));
    let first = counter.get() == 0;
    counter.inc();
    if first {
        log::warn!(
            target: "enumeter",
            "a handle of runtime label `{label}` recorded after its value was retired: recorded \
             as `other`; counted in enumeter_runtime_label_stale_records_total{{label=\"{label}\"}}, \
             not logged again (intern the value again for a handle that names it)"
        );
    }
}

fn check(value: &str) -> Result<(), RuntimeLabelError> {
    if value.is_empty() {
        return Err(RuntimeLabelError::Empty);
    }
    if value.len() > MAX_RUNTIME_VALUE_BYTES {
        return Err(RuntimeLabelError::TooLong(value.len()));
    }
    Ok(())
}

fn hash_of(value: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Declares a label whose values are known only at run time, with room for
/// `capacity` of them (1 to [`MAX_RUNTIME_CAPACITY`], a compile error on the
/// capacity otherwise) and `other` (see [`runtime_label`](mod@crate::runtime_label)
/// the module): a `Copy` handle type implementing
/// [`LabelValue`](crate::LabelValue), with `intern`, `intern_bytes`,
/// `lookup`, `name` and `OTHER`.
///
/// With `, idle = DURATION` after the capacity (a constant
/// `std::time::Duration`), a value with no record for that long is
/// retired and its slot taken by the next new value: the handle then also
/// carries the slot's generation, `name` returns an owned `Option<String>`
/// (`None` once retired), `is_current` says whether it still names its
/// value, and each metric labelled by it marks the label
/// `#[label(retires)]` (see [`runtime_label`](mod@crate::runtime_label)).
///
/// ```
/// enumeter::runtime_label! {
///     /// Tenants, as the configuration names them.
///     pub struct Tenant: capacity = 2;
/// }
///
/// let acme = Tenant::intern("acme").unwrap();
/// assert_eq!(Tenant::intern("acme").unwrap(), acme);
/// assert_eq!(acme.name(), "acme");
/// assert_eq!(Tenant::intern("globex").unwrap().name(), "globex");
/// // Full: a third tenant is `other` (counted once, logged once), and
/// // found as `other` from then on.
/// assert_eq!(Tenant::intern("initech").unwrap(), Tenant::OTHER);
/// assert_eq!(Tenant::lookup("initech"), Some(Tenant::OTHER));
/// assert_eq!(Tenant::lookup("umbrella"), None);
/// assert!(Tenant::intern("").is_err());
/// assert!(Tenant::intern("other").is_err());
/// ```
#[macro_export]
macro_rules! runtime_label {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident : capacity = $capacity:expr, idle = $idle:expr $(;)?
    ) => {
        $crate::__private::runtime_label_capacity!($capacity);

        $(#[$attr])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis struct $name {
            index: u32,
            generation: u32,
        }

        impl $name {
            /// How many values can be held at once; beyond, `other`.
            pub const CAPACITY: usize = $crate::runtime_label::table_capacity($capacity);

            /// The value every new one becomes while the table is full,
            /// and what a handle of a retired value records into.
            pub const OTHER: Self = Self {
                index: Self::CAPACITY as u32,
                generation: 0,
            };

            /// How long a value stays without a record before it is
            /// retired.
            pub const IDLE: ::core::time::Duration = $idle;

            #[doc(hidden)]
            pub const __VALUES: &'static $crate::runtime_label::RetiringValues<
                { $crate::runtime_label::table_capacity($capacity) },
            > = {
                static VALUES: $crate::runtime_label::RetiringValues<
                    { $crate::runtime_label::table_capacity($capacity) },
                > = $crate::runtime_label::RetiringValues::new(::core::stringify!($name), $idle);
                &VALUES
            };

            #[doc(hidden)]
            fn __from((index, generation): (u32, u32)) -> Self {
                Self { index, generation }
            }

            /// The value's text, while it is held: `None` once retired.
            pub fn name(self) -> ::core::option::Option<::std::string::String> {
                Self::__VALUES.name(self.index, self.generation)
            }

            /// Whether the handle still names its value (`OTHER` always
            /// does); a handle that does not records into `other`.
            pub fn is_current(self) -> bool {
                self.index as usize == Self::CAPACITY
                    || (Self::__VALUES.generation(self.index) == self.generation
                        && Self::__VALUES.holds(self.index))
            }

        }

        $crate::__runtime_label_common!($name);

        #[doc(hidden)]
        impl $crate::__private::RetiringLabel for $name {
            #[inline]
            fn enter(self) -> (Self, $crate::__private::Entered) {
                match Self::__VALUES.enter(self.index, self.generation) {
                    ::core::option::Option::Some(entered) => (self, entered),
                    ::core::option::Option::None => (Self::OTHER, $crate::__private::Entered::NONE),
                }
            }

            fn enter_index(index: usize) -> ::core::option::Option<$crate::__private::Entered> {
                Self::__VALUES.enter_current(index)
            }
        }

        #[doc(hidden)]
        impl $name {
            #[inline]
            fn __index(self) -> usize {
                self.index as usize
            }

            fn __from_index(index: usize) -> ::core::option::Option<Self> {
                let index = u32::try_from(index).ok()?;
                if index as usize == Self::CAPACITY {
                    return ::core::option::Option::Some(Self::OTHER);
                }
                Self::__VALUES.holds(index).then(|| Self {
                    index,
                    generation: Self::__VALUES.generation(index),
                })
            }

            // `other` for `OTHER`, and empty for any other value: a value
            // that retires has no lasting name (see `name`).
            fn __as_str(self) -> &'static str {
                if self.index as usize == Self::CAPACITY {
                    $crate::runtime_label::OTHER
                } else {
                    ""
                }
            }
        }
    };
    ($(#[$attr:meta])* $vis:vis struct $name:ident : capacity = $capacity:expr $(;)?) => {
        // Out of range, an error on the capacity; the tables below are then
        // sized by a capacity of 1, so that nothing huge is built.
        $crate::__private::runtime_label_capacity!($capacity);

        $(#[$attr])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis struct $name(u32);

        impl $name {
            /// How many values can be interned; beyond, `other`.
            pub const CAPACITY: usize = $crate::runtime_label::table_capacity($capacity);

            /// The value every new one becomes once the table is full.
            pub const OTHER: Self = Self(Self::CAPACITY as u32);

            #[doc(hidden)]
            pub const __VALUES: &'static $crate::runtime_label::RuntimeValues<
                { $crate::runtime_label::table_capacity($capacity) },
                { $crate::runtime_label::slots_for($capacity) },
            > = {
                static VALUES: $crate::runtime_label::RuntimeValues<
                    { $crate::runtime_label::table_capacity($capacity) },
                    { $crate::runtime_label::slots_for($capacity) },
                > = $crate::runtime_label::RuntimeValues::new(::core::stringify!($name));
                &VALUES
            };

            #[doc(hidden)]
            fn __from(index: usize) -> Self {
                Self(index as u32)
            }

            /// The value's text.
            pub fn name(self) -> &'static str {
                $crate::runtime_label::RuntimeNames::name(Self::__VALUES, self.0 as usize)
                    .unwrap_or($crate::runtime_label::OTHER)
            }

        }

        $crate::__runtime_label_common!($name);

        #[doc(hidden)]
        impl $name {
            #[inline]
            fn __index(self) -> usize {
                self.0 as usize
            }

            fn __from_index(index: usize) -> ::core::option::Option<Self> {
                $crate::runtime_label::RuntimeNames::name(Self::__VALUES, index)
                    .map(|_| Self(index as u32))
            }

            fn __as_str(self) -> &'static str {
                self.name()
            }
        }
    };
}

/// What both forms of [`runtime_label!`](crate::runtime_label!) give a
/// handle type alike: interning and looking up by string, through the
/// table's `intern`, `intern_bytes` and `lookup` and the type's `__from`,
/// and `LabelValue`, through its `__index`, `__from_index` and `__as_str`.
#[doc(hidden)]
#[macro_export]
macro_rules! __runtime_label_common {
    ($name:ident) => {
        impl $name {
            /// The handle of `value`, interning it if it is not held
            /// (`OTHER` while the table is full); an error for an empty
            /// value, one over 128 bytes, or `other`.
            pub fn intern(
                value: &str,
            ) -> ::core::result::Result<Self, $crate::runtime_label::RuntimeLabelError> {
                Self::__VALUES.intern(value).map(Self::__from)
            }

            /// [`intern`](Self::intern) of bytes, which must be UTF-8.
            pub fn intern_bytes(
                value: &[u8],
            ) -> ::core::result::Result<Self, $crate::runtime_label::RuntimeLabelError> {
                Self::__VALUES.intern_bytes(value).map(Self::__from)
            }

            /// The handle of `value` if it is held, without interning it: a
            /// hash and a lock-free probe, or for a label whose values
            /// retire a read lock and a search.
            pub fn lookup(value: &str) -> ::core::option::Option<Self> {
                Self::__VALUES.lookup(value).map(Self::__from)
            }

            /// How many values are held now (`other` not counted).
            pub fn interned() -> usize {
                Self::__VALUES.len()
            }
        }

        #[doc(hidden)]
        impl $crate::__private::RuntimeLabel for $name {}

        #[diagnostic::do_not_recommend]
        impl $crate::LabelValue for $name {
            const CARDINALITY: usize = Self::CAPACITY + 1;
            // One empty name per value: the reader takes their names from
            // `RUNTIME` (a label whose values retire has them copied as a
            // family begins), and the slice's length is the cardinality.
            const NAMES: &'static [&'static str] = &[""; $name::CAPACITY + 1];
            const RUNTIME: ::core::option::Option<
                &'static dyn $crate::runtime_label::RuntimeNames,
            > = ::core::option::Option::Some(Self::__VALUES);

            #[inline]
            fn index(self) -> usize {
                self.__index()
            }

            fn from_index(index: usize) -> ::core::option::Option<Self> {
                Self::__from_index(index)
            }

            fn from_name(name: &str) -> ::core::option::Option<Self> {
                Self::lookup(name)
            }

            fn as_str(self) -> &'static str {
                self.__as_str()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_interned_once_in_order_and_found_by_lookup() {
        let table = RuntimeValues::<3, 8>::new("T");
        assert_eq!(table.intern("a"), Ok(0));
        assert_eq!(table.intern("b"), Ok(1));
        assert_eq!(table.intern("a"), Ok(0));
        assert_eq!(table.lookup("b"), Some(1));
        assert_eq!(table.lookup("c"), None);
        assert_eq!(table.intern("other"), Err(RuntimeLabelError::Other));
        assert_eq!(table.lookup("other"), Some(3));
        assert_eq!(table.len(), 2);
        assert_eq!(table.name(1), Some("b"));
        assert_eq!(table.name(2), None);
        assert_eq!(table.name(3), Some("other"));
    }

    #[test]
    fn a_full_table_gives_other_and_bad_values_are_refused() {
        let table = RuntimeValues::<2, 4>::new("T");
        assert_eq!(table.intern("x\"y"), Ok(0));
        assert_eq!(table.escaped(0), Some("x\\\"y"));
        assert_eq!(table.intern("a\\b\nc"), Ok(1));
        assert_eq!(table.escaped(1), Some("a\\\\b\\nc"));
        assert_eq!(table.intern("third"), Ok(2));
        // Remembered as overflowed: found without interning.
        assert_eq!(table.lookup("third"), Some(2));
        assert_eq!(table.intern(""), Err(RuntimeLabelError::Empty));
        let long = "x".repeat(129);
        assert_eq!(table.intern(&long), Err(RuntimeLabelError::TooLong(129)));
        assert_eq!(table.intern(&long[..128]), Ok(2));
        assert_eq!(
            table.intern_bytes(&[0x66, 0xff]),
            Err(RuntimeLabelError::NotUtf8)
        );
    }

    /// `enumeter_runtime_label_overflow_total{label}` now.
    fn overflows(label: &str) -> u64 {
        RuntimeLabelType::__VALUES
            .lookup(label)
            .and_then(RuntimeLabelType::from_index)
            .map_or(0, |l| {
                RuntimeLabelSelf::runtime_label_overflow_total(l).get()
            })
    }

    #[test]
    fn an_overflowed_value_is_counted_once_and_found_again_without_interning() {
        let table = RuntimeValues::<4, 16>::new("CountedOnce");
        for v in ["a", "b", "c", "d"] {
            table.intern(v).unwrap();
        }
        let tenants = ["t1", "t2", "t3", "t4", "t5", "t6"];
        for t in tenants {
            assert_eq!(table.intern(t), Ok(4));
        }
        for _ in 0..3 {
            assert_eq!(table.intern("t2"), Ok(4));
        }
        assert_eq!(overflows("CountedOnce"), 6);
        for t in tenants {
            assert_eq!(table.lookup(t), Some(4), "{t}");
        }
        assert_eq!(table.lookup("t7"), None);
        assert_eq!(table.len(), 4);
    }

    #[test]
    fn beyond_its_record_of_overflowed_values_each_call_counts() {
        // Four slots: two values, one remembered overflow, one empty slot.
        let table = RuntimeValues::<2, 4>::new("RecordFull");
        table.intern("a").unwrap();
        table.intern("b").unwrap();
        assert_eq!(table.intern("x"), Ok(2)); // remembered
        assert_eq!(table.intern("x"), Ok(2));
        assert_eq!(overflows("RecordFull"), 1);
        assert_eq!(table.intern("y"), Ok(2)); // the record is full
        assert_eq!(table.intern("y"), Ok(2));
        assert_eq!(overflows("RecordFull"), 3);
        assert_eq!((table.lookup("x"), table.lookup("y")), (Some(2), None));
    }

    #[test]
    fn threads_interning_the_same_values_agree_on_their_indices() {
        let table = RuntimeValues::<64, 128>::new("T");
        let names: Vec<String> = (0..64).map(|i| format!("v{i}")).collect();
        let seen: Vec<Vec<usize>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let (table, names) = (&table, &names);
                    s.spawn(move || {
                        let mut order: Vec<usize> = (0..64).collect();
                        order.rotate_left(t * 16);
                        let mut out = vec![0; 64];
                        for i in order {
                            out[i] = table.intern(&names[i]).unwrap();
                        }
                        out
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for other in &seen[1..] {
            assert_eq!(other, &seen[0]);
        }
        let mut indices = seen[0].clone();
        indices.sort_unstable();
        assert_eq!(indices, (0..64).collect::<Vec<_>>());
        for (i, name) in names.iter().enumerate() {
            assert_eq!(table.name(seen[0][i]), Some(name.as_str()));
        }
    }
}

/// The protocol of interning racing with recording and rendering, checked
/// on loom's atomics. The table publishes a value through `OnceLock`
/// (`set` releases, `get` acquires), which loom has no twin of, so the
/// model spells those as a release store and an acquire load; the marks
/// and the reader use the orderings of `cells/recorded.rs` and
/// `read/mod.rs`.
#[cfg(all(test, loom))]
mod loom_models {
    use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use loom::sync::{Arc, Mutex};
    use loom::thread;

    /// One value's name slot (0: not interned), its series' counter and
    /// mark, and the interning lock.
    #[derive(Default)]
    struct Table {
        interning: Mutex<()>,
        name: AtomicUsize,
        len: AtomicUsize,
        count: AtomicU64,
        mark: AtomicU64,
    }

    /// `intern("x")` then `inc()` on its series, as a thread does.
    fn intern_and_record(table: &Table) -> usize {
        let index = {
            let _lock = table.interning.lock().unwrap();
            if table.name.load(Ordering::Acquire) == 0 {
                table.name.store(7, Ordering::Release);
                table.len.store(1, Ordering::Release);
            }
            0
        };
        table.count.fetch_add(1, Ordering::Relaxed);
        table.mark.fetch_or(1, Ordering::Release);
        index
    }

    #[test]
    fn loom_a_recorded_series_is_rendered_with_its_name_or_not_at_all() {
        loom::model(|| {
            let table = Arc::new(Table::default());
            let (a, b) = (Arc::clone(&table), Arc::clone(&table));
            let ta = thread::spawn(move || intern_and_record(&a));
            let tb = thread::spawn(move || intern_and_record(&b));
            // The reader: a marked series is written with its name.
            if table.mark.load(Ordering::Acquire) & 1 == 1 {
                assert_eq!(table.name.load(Ordering::Acquire), 7);
                assert!(table.count.load(Ordering::Relaxed) >= 1);
            }
            // Both threads got the one index; nothing was lost.
            assert_eq!(ta.join().unwrap(), tb.join().unwrap());
            assert_eq!(table.count.load(Ordering::Relaxed), 2);
            assert_eq!(table.len.load(Ordering::Relaxed), 1);
        });
    }

    #[test]
    fn loom_a_value_found_by_lookup_has_its_name() {
        loom::model(|| {
            // `values[i]` then the lookup slot, each published once.
            let value = Arc::new(AtomicUsize::new(0));
            let slot = Arc::new(AtomicUsize::new(0));
            let (v, s) = (Arc::clone(&value), Arc::clone(&slot));
            let interning = thread::spawn(move || {
                v.store(7, Ordering::Release);
                s.store(1, Ordering::Release);
            });
            if slot.load(Ordering::Acquire) == 1 {
                assert_eq!(value.load(Ordering::Acquire), 7);
            }
            interning.join().unwrap();
        });
    }
}
