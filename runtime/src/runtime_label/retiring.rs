//! The table behind a runtime label declared with an idle time
//! (`runtime_label! { pub struct Upstream: capacity = 64, idle = …; }`):
//! a value not recorded into for that long is retired, and its slot takes
//! the next new value.
//!
//! - **A handle names a slot and a generation.** Each slot has a
//!   [`SlotState`]: a record enters it, checking in the same atomic
//!   instruction that the slot still holds its handle's generation, and
//!   leaves it once its cell operation is done (the
//!   [`Held`](crate::Held) handle the recording function returns does
//!   both). A value is retired by moving its slot to the next generation,
//!   only when every record that entered has left and none entered for the
//!   idle time: a record on its way is never cut short, and one made later
//!   through a handle of the retired value reads the new generation and
//!   records into `other` instead (counted in
//!   `enumeter_runtime_label_stale_records_total`).
//! - **Cells are cleared by the new value.** The table does not know the
//!   metrics labelled by it; each keeps the generation its cells were last
//!   cleared for (`SeenGenerations`, in `seen.rs`), and the
//!   first record of a new value clears them. The reader shows a series
//!   only when the two agree.
//! - **Names live with their slot** (owned strings, freed when retired):
//!   the reader copies them as it begins a family, holding the table's
//!   `reading` lock to the family's end; a sweep retires only when it can
//!   take that lock at once, so a value never changes hands under a read.
//! - **Swept** by the reader before it begins a family labelled by the
//!   table, and by `intern` when the table is full, each at most eight
//!   times per idle time.

use core::fmt;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use enumeter_common::names::quoted_inner;

use super::{check, RuntimeLabelError, OTHER};
use crate::cells::slot::SlotState;
use crate::label::{RuntimeNames, TransientNames};

/// A value's text and its text escaped for a quoted label value.
#[derive(Debug)]
struct Name {
    text: Box<str>,
    escaped: Box<str>,
}

/// What interning and sweeping change, under one lock.
#[derive(Debug)]
struct Table {
    /// Each held value's slot.
    by_text: BTreeMap<Box<str>, u32>,
    /// Each slot's value, while held; as long as the slots ever used.
    names: Vec<Option<Name>>,
    /// Of each slot: the entered count the sweep last saw, and since when.
    activity: Vec<(u32, Instant)>,
    /// Slots retired, to take the next new values.
    free: Vec<u32>,
    /// Values that came while the table was full: each counted once, found
    /// as `other` without a slot; forgotten when a slot frees.
    overflowed: BTreeSet<Box<str>>,
    /// When the table was last swept.
    swept: Option<Instant>,
}

/// The table behind a runtime label of `CAPACITY` values (and `other`)
/// whose values retire after `idle` without a record;
/// [`runtime_label!`](crate::runtime_label!) with `idle = …` declares one
/// per label type, and its handle type calls these (a user names the
/// handle type, never the table: hidden from the docs).
#[doc(hidden)]
pub struct RetiringValues<const CAPACITY: usize> {
    /// The label type's name, for the self-metrics and messages.
    label: &'static str,
    idle: Duration,
    slots: [SlotState; CAPACITY],
    table: RwLock<Table>,
    /// Held by readers while they read a family labelled by the table;
    /// taken (without waiting) by the sweep to retire.
    reading: RwLock<()>,
}

impl<const CAPACITY: usize> fmt::Debug for RetiringValues<CAPACITY> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetiringValues")
            .field("label", &self.label)
            .field("capacity", &CAPACITY)
            .field("idle", &self.idle)
            .field("held", &self.len())
            .finish()
    }
}

/// A record entered into a value's slot; left when dropped (by the
/// [`Held`](crate::Held) handle that carries it). For generated code.
#[doc(hidden)]
#[derive(Debug)]
pub struct Entered {
    slot: Option<&'static SlotState>,
    generation: u32,
}

impl Entered {
    /// Nothing entered: `other`, whose series never retires.
    pub const NONE: Self = Self {
        slot: None,
        generation: 0,
    };

    /// The generation of the value entered, if a slot was.
    #[inline]
    pub fn generation(&self) -> Option<u32> {
        self.slot.map(|_| self.generation)
    }
}

impl Drop for Entered {
    #[inline]
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            slot.leave();
        }
    }
}

impl<const CAPACITY: usize> RetiringValues<CAPACITY> {
    /// An empty table for the label type `label`, whose values retire
    /// after `idle` without a record.
    pub const fn new(label: &'static str, idle: Duration) -> Self {
        assert!(CAPACITY >= 1, "a runtime label holds at least one value");
        assert!(CAPACITY < u32::MAX as usize, "a handle is a u32 index");
        Self {
            label,
            idle,
            slots: [const { SlotState::new() }; CAPACITY],
            table: RwLock::new(Table {
                by_text: BTreeMap::new(),
                names: Vec::new(),
                activity: Vec::new(),
                free: Vec::new(),
                overflowed: BTreeSet::new(),
                swept: None,
            }),
            reading: RwLock::new(()),
        }
    }

    /// The index of `other`: the capacity.
    pub const OTHER: usize = CAPACITY;

    /// How long a value stays without a record before it is retired.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    fn read(&self) -> RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Table> {
        self.table.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The slot and generation of `value`, interning it if it is not held:
    /// in a free slot, or one swept free, else `other`'s (counted once in
    /// `enumeter_runtime_label_overflow_total` until a slot frees).
    /// Refuses what [`RuntimeValues::intern`](super::RuntimeValues::intern)
    /// refuses.
    pub fn intern(&self, value: &str) -> Result<(u32, u32), RuntimeLabelError> {
        check(value)?;
        if value == OTHER {
            return Err(RuntimeLabelError::Other);
        }
        if let Some(&index) = self.read().by_text.get(value) {
            return Ok(self.handle(index));
        }
        let mut table = self.write();
        if let Some(&index) = table.by_text.get(value) {
            return Ok(self.handle(index));
        }
        if table.overflowed.contains(value) {
            return Ok(self.other());
        }
        let now = Instant::now();
        let mut slot = self.take_slot(&mut table);
        if slot.is_none() && self.due(&table, now) {
            self.sweep_table(&mut table, now);
            slot = self.take_slot(&mut table);
        }
        let Some(index) = slot else {
            // Remembered up to three times the capacity, as a table whose
            // values never retire remembers its overflowed values.
            if table.overflowed.len() < 3 * CAPACITY {
                table.overflowed.insert(value.into());
            }
            drop(table);
            super::overflowed(self.label, CAPACITY);
            return Ok(self.other());
        };
        let slot_index = index as usize;
        let name = Name {
            text: value.into(),
            escaped: quoted_inner(value).into_boxed_str(),
        };
        if table.names.len() <= slot_index {
            table.names.resize_with(slot_index + 1, || None);
            table.activity.resize(slot_index + 1, (0, now));
        }
        table.names[slot_index] = Some(name);
        table.activity[slot_index] = (self.slots[slot_index].entered(), now);
        table.by_text.insert(value.into(), index);
        Ok(self.handle(index))
    }

    /// [`intern`](Self::intern) of bytes that must be UTF-8.
    pub fn intern_bytes(&self, value: &[u8]) -> Result<(u32, u32), RuntimeLabelError> {
        let value = core::str::from_utf8(value).map_err(|_| RuntimeLabelError::NotUtf8)?;
        self.intern(value)
    }

    /// The slot and generation of `value` if it is held (`other`'s for
    /// `other`, and for a value remembered as overflowed), without
    /// interning it: a read lock and a search of the held values.
    pub fn lookup(&self, value: &str) -> Option<(u32, u32)> {
        if value == OTHER {
            return Some(self.other());
        }
        let table = self.read();
        match table.by_text.get(value) {
            Some(&index) => Some(self.handle(index)),
            None => table.overflowed.contains(value).then(|| self.other()),
        }
    }

    /// The text of the value in slot `index` if it is still that of
    /// `generation`; `other` for `other`.
    pub fn name(&self, index: u32, generation: u32) -> Option<String> {
        if index as usize == CAPACITY {
            return Some(OTHER.into());
        }
        let slot = self.slots.get(index as usize)?;
        let table = self.read();
        // Under the table's lock a slot changes generation only with its
        // name (the sweep holds it to retire).
        if slot.generation() != generation {
            return None;
        }
        let name = table.names.get(index as usize)?.as_ref()?;
        Some(name.text.to_string())
    }

    /// The generation of the value slot `index` holds, or will hold next;
    /// 0 for `other`.
    pub fn generation(&self, index: u32) -> u32 {
        self.slots
            .get(index as usize)
            .map_or(0, SlotState::generation)
    }

    /// Whether slot `index` holds a value now.
    pub fn holds(&self, index: u32) -> bool {
        self.read()
            .names
            .get(index as usize)
            .is_some_and(Option::is_some)
    }

    /// How many values are held now (`other` not counted).
    pub fn len(&self) -> usize {
        self.read().by_text.len()
    }

    /// Whether no value is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Enters the slot of a handle (`index`, `generation`) for one record:
    /// `None` if its value was retired (the record then goes to `other`,
    /// counted once per call in `enumeter_runtime_label_stale_records_total`).
    #[doc(hidden)]
    #[inline]
    pub fn enter(&'static self, index: u32, generation: u32) -> Option<Entered> {
        let Some(slot) = self.slots.get(index as usize) else {
            return Some(Entered::NONE);
        };
        if slot.enter(generation) {
            return Some(Entered {
                slot: Some(slot),
                generation,
            });
        }
        slot.leave();
        self.stale();
        None
    }

    /// Enters slot `index` at the generation of the value it holds, for a
    /// merge: `None` when it holds none (`other` enters nothing, and is
    /// always there).
    #[doc(hidden)]
    pub fn enter_current(&'static self, index: usize) -> Option<Entered> {
        let Some(slot) = self.slots.get(index) else {
            return (index == CAPACITY).then_some(Entered::NONE);
        };
        if !self.holds(index as u32) {
            return None;
        }
        let generation = slot.generation();
        if slot.enter(generation) {
            return Some(Entered {
                slot: Some(slot),
                generation,
            });
        }
        slot.leave();
        None
    }

    /// A record through a handle whose value was retired.
    #[cold]
    #[inline(never)]
    fn stale(&self) {
        super::stale_record(self.label);
    }

    /// Retires what has been idle for the idle time, if a sweep is due and
    /// no reader is reading a family labelled by the table.
    pub fn sweep(&self) {
        let now = Instant::now();
        if !self.due(&self.read(), now) {
            return;
        }
        let mut table = self.write();
        if self.due(&table, now) {
            self.sweep_table(&mut table, now);
        }
    }

    fn due(&self, table: &Table, now: Instant) -> bool {
        table
            .swept
            .is_none_or(|swept| now.saturating_duration_since(swept) >= self.idle / 8)
    }

    /// The sweep, under the table's lock: every value whose slot saw no
    /// record entered for the idle time, and none on its way, is retired.
    fn sweep_table(&self, table: &mut Table, now: Instant) {
        table.swept = Some(now);
        // Without waiting: a reader holding it finishes its family first,
        // and the next sweep retires what this one would have.
        let Ok(_reading) = self.reading.try_write() else {
            return;
        };
        let mut retired = 0;
        let Table {
            by_text,
            names,
            activity,
            free,
            overflowed,
            ..
        } = table;
        for (index, name) in names.iter_mut().enumerate() {
            let Some(held) = name else { continue };
            let slot = &self.slots[index];
            let entered = slot.entered();
            let (seen, since) = &mut activity[index];
            if entered != *seen {
                (*seen, *since) = (entered, now);
                continue;
            }
            if now.saturating_duration_since(*since) < self.idle || slot.retire(entered).is_none() {
                continue;
            }
            by_text.remove(&held.text);
            *name = None;
            free.push(index as u32);
            retired += 1;
        }
        if retired > 0 {
            overflowed.clear();
            super::retired(self.label, retired);
        }
    }

    /// A free slot: one retired, else one never used.
    fn take_slot(&self, table: &mut Table) -> Option<u32> {
        if let Some(index) = table.free.pop() {
            return Some(index);
        }
        let fresh = table.names.len();
        (fresh < CAPACITY).then_some(fresh as u32)
    }

    fn handle(&self, index: u32) -> (u32, u32) {
        (index, self.slots[index as usize].generation())
    }

    fn other(&self) -> (u32, u32) {
        (CAPACITY as u32, 0)
    }
}

impl<const CAPACITY: usize> RuntimeNames for RetiringValues<CAPACITY> {
    /// `other` at the capacity; no other value has a lasting name.
    fn name(&self, index: usize) -> Option<&'static str> {
        (index == CAPACITY).then_some(OTHER)
    }

    fn escaped(&self, index: usize) -> Option<&'static str> {
        (index == CAPACITY).then_some(OTHER)
    }

    fn visible(&self) -> usize {
        CAPACITY
    }

    fn transient_names(&self) -> Option<&dyn TransientNames> {
        Some(self)
    }
}

impl<const CAPACITY: usize> TransientNames for RetiringValues<CAPACITY> {
    fn each(&self, f: &mut dyn FnMut(usize, &str, &str, u32)) {
        let table = self.read();
        for (index, name) in table.names.iter().enumerate() {
            if let Some(name) = name {
                f(
                    index,
                    &name.text,
                    &name.escaped,
                    self.slots[index].generation(),
                );
            }
        }
        f(CAPACITY, OTHER, OTHER, 0);
    }

    fn sweep(&self) {
        RetiringValues::sweep(self);
    }

    fn reading(&'static self) -> Option<RwLockReadGuard<'static, ()>> {
        Some(self.reading.read().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static KEPT: RetiringValues<2> = RetiringValues::new("RetiringKept", Duration::from_secs(3600));
    static IDLE: RetiringValues<2> = RetiringValues::new("RetiringIdle", Duration::ZERO);

    #[test]
    fn a_full_table_gives_other_until_a_slot_frees() {
        assert_eq!(KEPT.intern("a"), Ok((0, 0)));
        assert_eq!(KEPT.intern("b"), Ok((1, 0)));
        assert_eq!(KEPT.intern("a"), Ok((0, 0)));
        assert_eq!(KEPT.lookup("b"), Some((1, 0)));
        assert_eq!(KEPT.name(1, 0).as_deref(), Some("b"));
        assert_eq!(KEPT.intern("c"), Ok((2, 0)));
        assert_eq!(KEPT.lookup("c"), Some((2, 0)));
        assert_eq!(KEPT.lookup("d"), None);
        assert_eq!(KEPT.len(), 2);
        assert_eq!(KEPT.intern("other"), Err(RuntimeLabelError::Other));
        assert_eq!(KEPT.intern(""), Err(RuntimeLabelError::Empty));
        assert!(KEPT.enter(2, 0).unwrap().generation().is_none());
    }

    #[test]
    fn an_idle_value_is_retired_and_its_slot_taken_with_the_next_generation() {
        let (a, a_gen) = IDLE.intern("a").unwrap();
        assert_eq!((a, a_gen), (0, 0));
        // A record of `a` on its way: its slot is not retired. (Idle time
        // zero: a sweep retires what saw no record since it last looked.)
        let entered = IDLE.enter(a, a_gen).unwrap();
        assert_eq!(entered.generation(), Some(0));
        IDLE.sweep();
        IDLE.sweep();
        assert_eq!(IDLE.name(a, a_gen).as_deref(), Some("a"));
        drop(entered);
        IDLE.sweep();
        IDLE.sweep();
        assert_eq!(IDLE.len(), 0);
        assert_eq!(IDLE.lookup("a"), None);
        assert_eq!(IDLE.name(a, a_gen), None);
        // `b` takes the freed slot at the next generation; `a`'s handle
        // enters nothing, `b`'s enters.
        let (b, b_gen) = IDLE.intern("b").unwrap();
        assert_eq!((b, b_gen), (0, 1));
        assert_eq!(IDLE.name(b, b_gen).as_deref(), Some("b"));
        assert!(IDLE.enter(a, a_gen).is_none());
        assert!(IDLE.enter(b, b_gen).is_some());
    }
}
