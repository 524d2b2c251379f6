//! Decimal fractions of float literals, for exact arithmetic on what the
//! user wrote.

/// `value` as the shortest decimal fraction that reads back as it
/// (`0.81` → 81/100), for exact quantile ranks; `None` when the
/// denominator would not fit a `u64` (more than 19 decimal places).
pub(crate) fn fraction(value: f64) -> Option<(u64, u64)> {
    // `Display` writes the shortest round-trip form, never an exponent.
    let text = value.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = u32::try_from(fraction.len()).ok()?;
    let denominator = 10u64.checked_pow(digits)?;
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let numerator = whole.checked_mul(denominator)?.checked_add(fraction)?;
    Some((numerator, denominator))
}

#[cfg(test)]
mod tests {
    use super::fraction;

    #[test]
    fn fractions_are_the_decimals_as_written() {
        assert_eq!(fraction(0.81), Some((81, 100)));
        assert_eq!(fraction(0.5), Some((5, 10)));
        assert_eq!(fraction(0.999), Some((999, 1000)));
        assert_eq!(fraction(1e-7), Some((1, 10_000_000)));
        assert_eq!(fraction(1e-25), None);
    }
}
