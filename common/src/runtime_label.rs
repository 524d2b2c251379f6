//! The bounds of a runtime label's capacity, which `runtime_label!` checks
//! where the capacity is written and the runtime sizes its tables by.

/// The most values one runtime label holds: its tables are static, about
/// 70 bytes a value, and every metric labelled by it owns a cell per value.
pub const MAX_CAPACITY: usize = 1 << 20;

/// Whether `capacity` is one a runtime label may have: at least one value,
/// at most [`MAX_CAPACITY`].
pub const fn capacity_ok(capacity: usize) -> bool {
    capacity >= 1 && capacity <= MAX_CAPACITY
}
