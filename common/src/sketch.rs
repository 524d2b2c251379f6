//! The index mapping of the summary sketch: from a value to its bucket and
//! back, with a guaranteed relative error and no logarithm (nor any float
//! arithmetic) on the hot path.
//!
//! **The buckets** are logarithmic: each octave `[2^e, 2^(e+1))` is cut
//! into `k` buckets at `2^(e + j/k)`, `j = 0 … k`, with `k = ⌈1 / log2 γ⌉`
//! (`γ = (1 + α) / (1 − α)`), so that no bucket's largest value exceeds `γ`
//! times its smallest. Reporting a bucket `[lo, hi)` as `2·lo·hi / (lo +
//! hi)` is then within `(γ − 1) / (γ + 1) = α` of every value in it.
//!
//! **Finding the bucket** of `v = (1 + s) · 2^e` takes its float bits: the
//! biased exponent gives the octave, and the mantissa (`s · 2^52`) the
//! bucket inside it, through two small tables computed at compile time: the
//! octave's bounds as mantissas (`bounds[j]`, the first mantissa of bucket
//! `j`), and, for each of `2^b` equal cells of the mantissa range (the top
//! `b` bits), the bucket the cell starts in. A cell is narrower than the
//! narrowest bucket (`2^b > k / ln 2`), so it holds at most one bound:
//! the bucket is the cell's, plus one if the mantissa reaches the next
//! bound. Integer operations and two table loads; the bound is exact, as
//! the bucket edges are the tables' own.

/// The smallest value the sketch resolves; smaller ones count as zero.
pub const MIN_VALUE: f64 = 1e-6;
/// The largest value the sketch resolves; larger ones count as this.
pub const MAX_VALUE: f64 = 1e9;
/// The relative error of `#[summary]` without `relative_error`.
pub const DEFAULT_RELATIVE_ERROR: f64 = 0.01;
/// The window of `#[summary]` without `max_age_secs`.
pub const DEFAULT_MAX_AGE_SECS: f64 = 600.0;
/// The sub-windows of `#[summary]` without `age_buckets`.
pub const DEFAULT_AGE_BUCKETS: f64 = 5.0;

/// The bits of an `f64` mantissa.
const MANTISSA_BITS: u32 = 52;
const MANTISSA: u64 = (1 << MANTISSA_BITS) - 1;

/// The tables of a sketch of relative error `α`: `#[summary]` computes them
/// at compile time and emits them as constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tables {
    /// `k`: buckets per octave.
    pub keys_per_octave: u32,
    /// `52 − b`: the mantissa's shift to its cell.
    pub cell_shift: u32,
    /// The bucket each cell starts in (`2^b` of them).
    pub cells: Vec<u16>,
    /// The first mantissa of each bucket of an octave, and `2^52` last.
    pub bounds: Vec<u64>,
}

impl Tables {
    /// The tables for relative error `relative_error`.
    pub fn for_error(relative_error: f64) -> Self {
        let gamma = (1.0 + relative_error) / (1.0 - relative_error);
        // A hair over the exact count, so that float rounding can never
        // make a bucket wider than γ.
        let keys = (1.0 / gamma.log2() * (1.0 + 1e-9)).ceil() as u32;
        let mut cell_bits = 0;
        while f64::from(1u32 << cell_bits) <= f64::from(keys) / core::f64::consts::LN_2 {
            cell_bits += 1;
        }
        let bounds: Vec<u64> = (0..=keys)
            .map(|j| {
                let bound = (2f64.powf(f64::from(j) / f64::from(keys)) - 1.0)
                    * (1u64 << MANTISSA_BITS) as f64;
                (bound.ceil() as u64).min(1 << MANTISSA_BITS)
            })
            .collect();
        let cell_shift = MANTISSA_BITS - cell_bits;
        let cells = (0..1u64 << cell_bits)
            .map(|c| {
                let start = c << cell_shift;
                (bounds.partition_point(|&b| b <= start) - 1) as u16
            })
            .collect();
        Self {
            keys_per_octave: keys,
            cell_shift,
            cells,
            bounds,
        }
    }
}

impl Tables {
    /// The key of a positive normal `v` with these tables.
    pub fn key(&self, v: f64) -> u64 {
        key(
            v,
            self.keys_per_octave,
            self.cell_shift,
            &self.cells,
            &self.bounds,
        )
    }
}

/// The number of buckets a sketch of relative error `relative_error` has:
/// one below [`MIN_VALUE`], one per key up to [`MAX_VALUE`]'s, and one
/// above it.
///
/// ```
/// assert_eq!(enumeter_common::sketch::buckets_for(0.01), 1747);
/// ```
pub fn buckets_for(relative_error: f64) -> usize {
    let t = Tables::for_error(relative_error);
    (t.key(MAX_VALUE) - t.key(MIN_VALUE)) as usize + 3
}

/// The key of a positive normal `v`: `biased exponent · k + bucket`, from
/// the tables of a spec (constants once a recording function is inlined).
#[inline]
pub fn key(v: f64, keys_per_octave: u32, cell_shift: u32, cells: &[u16], bounds: &[u64]) -> u64 {
    let bits = v.to_bits();
    let mantissa = bits & MANTISSA;
    let start = cells
        .get((mantissa >> cell_shift) as usize)
        .map_or(0, |&j| u64::from(j));
    let next = bounds.get(start as usize + 1).map_or(u64::MAX, |&b| b);
    let bucket = start + u64::from(mantissa >= next);
    (bits >> MANTISSA_BITS) * u64::from(keys_per_octave) + bucket
}

/// The values key `key` stands for, `[lo, hi)`.
pub fn key_bounds(key: u64, keys_per_octave: u32, bounds: &[u64]) -> (f64, f64) {
    let k = u64::from(keys_per_octave);
    let (biased, bucket) = (key / k, (key % k) as usize);
    let octave = f64::from_bits(biased << MANTISSA_BITS);
    let at = |j: usize| {
        let mantissa = bounds.get(j).copied().unwrap_or(1 << MANTISSA_BITS);
        octave * (1.0 + mantissa as f64 / (1u64 << MANTISSA_BITS) as f64)
    };
    (at(bucket), at(bucket + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_spans_at_most_gamma_and_every_cell_at_most_one_bound() {
        for relative_error in [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.49] {
            let t = Tables::for_error(relative_error);
            let gamma = (1.0 + relative_error) / (1.0 - relative_error);
            for j in 0..t.keys_per_octave as usize {
                let lo = 1.0 + t.bounds[j] as f64 / 2f64.powi(52);
                let hi = 1.0 + t.bounds[j + 1] as f64 / 2f64.powi(52);
                assert!(
                    hi / lo <= gamma,
                    "α {relative_error}, bucket {j}: {}",
                    hi / lo
                );
                assert!(hi > lo);
            }
            for (c, &start) in t.cells.iter().enumerate() {
                let (first, last) = (
                    (c as u64) << t.cell_shift,
                    ((c as u64 + 1) << t.cell_shift) - 1,
                );
                let inside = t.bounds.iter().filter(|&&b| b > first && b <= last).count();
                assert!(inside <= 1, "α {relative_error}, cell {c}");
                assert!(t.bounds[start as usize] <= first && first < t.bounds[start as usize + 1]);
            }
        }
    }

    #[test]
    fn the_key_of_a_value_is_the_bucket_holding_it() {
        let t = Tables::for_error(0.01);
        let mut v = 1e-6;
        while v < 1e9 {
            let key = key(v, t.keys_per_octave, t.cell_shift, &t.cells, &t.bounds);
            let (lo, hi) = key_bounds(key, t.keys_per_octave, &t.bounds);
            assert!(lo <= v && v < hi, "{v} not in [{lo}, {hi})");
            v *= 1.000_37;
        }
    }
}
