//! The index mapping of the summary sketch: from a value to its bucket and
//! back, with a guaranteed relative error and no logarithm on the hot path.
//!
//! A value `v = (1 + s) · 2^e` (`s` in [0, 1)) is mapped through
//! `L(v) = e + P(s)`, where `P(s) = ((A·s + B)·s + C)·s` with `A = 6/35`,
//! `B = −3/5`, `C = 10/7` is a cubic through `P(0) = 0` and `P(1) = 1`: `L`
//! is continuous, strictly increasing and within 0.2% of `log2 v`. The
//! exponent and `s` are read from the float's bits, so computing `L` takes a
//! few multiplications and additions (DDSketch's cubically interpolated
//! mapping). The bucket of `v` is `⌊L(v) · μ⌋`.
//!
//! **The bound.** A bucket spans `1/μ` of `L`. Along it, `log2 v` grows by
//! at most `max dlog2(v)/dL = max 1 / (ln 2 · (1 + s) · P'(s))`; the
//! product `(1 + s) · P'(s)` is smallest, `C`, at `s = 0` and `s = 2/3`, so
//! the maximum is `D = 1 / (C · ln 2) ≈ 1.0099`. With `μ = D / log2 γ`
//! (`γ = (1 + α) / (1 − α)`), every bucket's largest value is at most `γ`
//! times its smallest, and reporting the bucket as `2·lo·hi / (lo + hi)` is
//! within `(γ − 1) / (γ + 1) = α` of every value in it. `μ` is raised by a
//! factor `1 + 10⁻⁹` so that floating-point rounding (about 10⁻¹⁵) can never
//! move a value past that bound. The price against an exact logarithmic
//! mapping is `D`: about 1% more buckets.

/// `P(s)`'s coefficients.
const A: f64 = 6.0 / 35.0;
const B: f64 = -3.0 / 5.0;
const C: f64 = 10.0 / 7.0;

/// The largest slope of `log2` against `L`: `1 / (C · ln 2)`.
const MAX_SLOPE: f64 = 1.0 / (C * core::f64::consts::LN_2);

const MANTISSA: u64 = (1 << 52) - 1;
const ONE: u64 = 0x3FF0_0000_0000_0000;

/// `L(v)` for a positive normal `v`.
#[inline]
pub(crate) fn log2_like(v: f64) -> f64 {
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7FF) as i64 - 1023;
    let s = f64::from_bits((bits & MANTISSA) | ONE) - 1.0;
    ((A * s + B) * s + C) * s + exponent as f64
}

/// The `v` with `L(v) = y`.
pub(crate) fn log2_like_inverse(y: f64) -> f64 {
    let exponent = y.floor();
    let target = y - exponent;
    // P is increasing with P' ≥ 26/35 on [0, 1]: Newton's method from
    // s = target converges to the last bit in a few steps.
    let mut s = target;
    for _ in 0..8 {
        let p = ((A * s + B) * s + C) * s;
        let slope = (3.0 * A * s + 2.0 * B) * s + C;
        s -= (p - target) / slope;
    }
    (1.0 + s.clamp(0.0, 1.0)) * 2f64.powi(exponent as i32)
}

/// `⌊L(v) · μ⌋ + offset` for a positive normal `v` whose key is below
/// 2³¹, written so that with `μ` and `offset` constants (a metric's spec,
/// inlined) every product of constants folds: a handful of float
/// operations on the value's bits, and no float-to-integer conversion.
///
/// The integer part is taken by adding `1.5 · 2⁵²` to `x − ½`, which rounds
/// it to an integer held in the low mantissa bits: `⌊x⌋`, except that an
/// `x` landing exactly on an integer may go to the key below. Such a value
/// lies on the bound the two buckets share, and either reports it within
/// the relative error.
#[inline]
pub(crate) fn key(v: f64, multiplier: f64, offset: f64) -> u32 {
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    let bits = v.to_bits();
    // The biased exponent: `v` is positive, so the sign bit is clear.
    let biased = (bits >> 52) as f64;
    let s = f64::from_bits((bits & MANTISSA) | ONE) - 1.0;
    let cubic = ((A * multiplier * s + B * multiplier) * s + C * multiplier) * s;
    let x = cubic + (biased * multiplier + (offset - 0.5 - 1023.0 * multiplier));
    (x + ROUND).to_bits() as u32
}

/// `μ` for relative error `relative_error`.
pub fn multiplier(relative_error: f64) -> f64 {
    let gamma = (1.0 + relative_error) / (1.0 - relative_error);
    MAX_SLOPE / gamma.log2() * (1.0 + 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_is_within_a_fifth_of_a_percent_of_log2_and_inverts() {
        let mut v = 1e-6;
        while v < 1e9 {
            let l = log2_like(v);
            assert!(
                (l - v.log2()).abs() < 0.002 * v.log2().abs().max(1.0),
                "{v}"
            );
            let back = log2_like_inverse(l);
            assert!((back - v).abs() <= v * 1e-14, "{v} -> {l} -> {back}");
            v *= 1.0173;
        }
        assert_eq!(log2_like(1.0), 0.0);
        assert_eq!(log2_like(2.0), 1.0);
        assert_eq!(log2_like(0.5), -1.0);
    }

    #[test]
    fn the_steepest_slope_is_at_the_ends_of_the_interpolation() {
        // (1 + s)·P'(s) over [0, 1] is never below C, its value at 0.
        for i in 0..=100_000 {
            let s = f64::from(i) / 100_000.0;
            let product = (1.0 + s) * ((3.0 * A * s + 2.0 * B) * s + C);
            assert!(product >= C - 1e-12, "{s}: {product}");
        }
    }
}
