//! The limits of `#[counter(sharded)]`.

/// Shards of `#[counter(sharded)]` without a number.
pub const DEFAULT_SHARDS: usize = 16;

/// The most shards `#[counter(sharded = N)]` takes.
pub const MAX_SHARDS: usize = 64;
