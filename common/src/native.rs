//! Native (exponential) histogram buckets, as Prometheus defines them: at
//! schema `s`, bucket `k` holds the values in (2^((k−1)·2^−s), 2^(k·2^−s)].
//! `#[histogram(native)]` sizes each series' cells with [`key_range`] at
//! compile time; the runtime finds a value's cell with [`key`].

/// The schema of `#[histogram(native)]` without one.
pub const DEFAULT_SCHEMA: i32 = 3;
/// The zero threshold without one: 2^−32 ≈ 2.3e−10.
pub const DEFAULT_ZERO_THRESHOLD: f64 = 1.0 / 4_294_967_296.0;
/// The largest value recorded without a `max`: 2^32 ≈ 4.3e9.
pub const DEFAULT_MAX: f64 = 4_294_967_296.0;
/// The most populated buckets written per sign without `max_buckets`.
pub const DEFAULT_MAX_BUCKETS: usize = 160;
/// The most cells a native histogram series may take per sign.
pub const MAX_CELLS: usize = 8192;
/// The schemas Prometheus defines.
pub const SCHEMAS: core::ops::RangeInclusive<i32> = -4..=8;

/// The bounds of one octave at `schema` > 0 as fractions in [0.5, 1):
/// `2^(i/2^s − 1)`, what [`key`] searches (empty at schemas ≤ 0).
pub fn octave_bounds(schema: i32) -> Vec<f64> {
    if schema <= 0 {
        return Vec::new();
    }
    let n = 1i32 << schema;
    (0..n)
        .map(|i| (f64::from(i) / f64::from(n) - 1.0).exp2())
        .collect()
}

/// The bucket key of `v` (> 0, finite, normal) at `schema`, as Prometheus'
/// Go client computes it (`math.Frexp`, then a search of `bounds`, the
/// schema's [`octave_bounds`]).
#[inline]
pub fn key(v: f64, schema: i32, bounds: &[f64]) -> i32 {
    let bits = v.to_bits();
    // frexp: v = frac × 2^exp with frac in [0.5, 1).
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let frac = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1022u64 << 52));
    if schema > 0 {
        // The first bound at least `frac`.
        let within = bounds.partition_point(|&b| b < frac) as i32;
        within + (exp - 1) * bounds.len() as i32
    } else {
        let mut key = exp;
        if frac == 0.5 {
            key -= 1;
        }
        let offset = (1i32 << -schema) - 1;
        (key + offset) >> -schema
    }
}

/// The upper bound of bucket `key` at `schema`.
pub fn upper_bound(key: i32, schema: i32) -> f64 {
    (f64::from(key) * (-f64::from(schema)).exp2()).exp2()
}

/// The first and last keys of the cells a series needs at `schema`: from
/// the bucket just above `zero_threshold` to the one holding `max`.
pub fn key_range(schema: i32, zero_threshold: f64, max: f64) -> (i32, i32) {
    let bounds = octave_bounds(schema);
    let just_above = f64::from_bits(zero_threshold.to_bits() + 1);
    (key(just_above, schema, &bounds), key(max, schema, &bounds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_lies_in_its_buckets_range_upper_bound_included() {
        for schema in SCHEMAS {
            let bounds = octave_bounds(schema);
            let mut v = 1e-12;
            while v < 1e12 {
                let k = key(v, schema, &bounds);
                let (low, high) = (upper_bound(k - 1, schema), upper_bound(k, schema));
                // Within float rounding of the bounds themselves.
                assert!(
                    v > low * (1.0 - 1e-12) && v <= high * (1.0 + 1e-12),
                    "{schema} {v} {k}"
                );
                v *= 1.37;
            }
            // Bucket boundaries (powers of two, every 2^−s-th below schema
            // 0) are upper bounds: the bucket below.
            let step = 1 << (-schema).max(0);
            for e in (-32..32).filter(|e| e % step == 0) {
                let v = f64::from(e).exp2();
                let k = key(v, schema, &bounds);
                assert_eq!(upper_bound(k, schema), v, "schema {schema}, 2^{e}");
            }
        }
    }

    #[test]
    fn the_defaults_take_512_cells() {
        let (first, last) = key_range(DEFAULT_SCHEMA, DEFAULT_ZERO_THRESHOLD, DEFAULT_MAX);
        assert_eq!(last - first + 1, 512);
    }
}
