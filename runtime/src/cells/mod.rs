//! Where recording goes: the cells of every metric kind, their handles, and
//! what travels with them (exemplars, native buckets, created times,
//! computed sources), and the description of a group of them that
//! `#[metrics]` generates ([`metric`], [`group`]). Recording touches nothing
//! else: no registry, reader or writer is on the hot path; nothing here
//! names a layer above.

pub(crate) mod atomic;
pub(crate) mod choice;
pub(crate) mod clear;
pub(crate) mod clock;
pub mod computed;
pub(crate) mod counter;
pub mod created;
pub(crate) mod dropped;
pub mod exemplar;
pub(crate) mod gauge;
pub(crate) mod group;
pub(crate) mod histogram;
pub(crate) mod info;
pub(crate) mod merge;
pub(crate) mod metric;
pub mod native;
pub(crate) mod own;
pub(crate) mod recorded;
pub mod sharded;
pub(crate) mod slot;
pub mod spaced;
pub(crate) mod spelling;
pub(crate) mod state_set;
pub mod summary;
pub(crate) mod undeclared;
