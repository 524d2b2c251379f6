//! Numbers as the text formats write them.

/// How floats are spelled.
#[derive(Clone, Copy)]
pub(crate) enum FloatStyle {
    /// Go's `FormatFloat(v, 'g', -1, 64)`: `1`, `0.5`, `1e+06`.
    Go,
    /// The same, with `.0` added to integral values: `1.0`, `0.5`, `1e+06`,
    /// as OpenMetrics' canonical numbers and Prometheus' Go client write them.
    OpenMetrics,
}

impl FloatStyle {
    pub(crate) fn write(self, out: &mut Vec<u8>, v: f64) {
        let start = out.len();
        write_float(out, v);
        if let FloatStyle::OpenMetrics = self {
            let written = &out[start..];
            let integral = written.iter().all(|&b| b.is_ascii_digit() || b == b'-');
            if integral {
                out.extend_from_slice(b".0");
            }
        }
    }
}

/// Appends `v` in decimal.
#[inline]
pub(crate) fn write_int(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends `v` exactly as Prometheus' Go client writes floats (Go's
/// `strconv.FormatFloat(v, 'g', -1, 64)`, with `+Inf`, `-Inf` and `NaN`):
/// the shortest decimal that parses back to the same `f64`, in exponent form
/// when the decimal exponent is below -4 or at least 6 (`1e+06`, `1e-05`,
/// `0.0001`, `123456`, `2.5`).
///
/// Using the Go client's spelling keeps `le` and `quantile` label values
/// identical to the ones existing dashboards and recording rules match on.
pub(crate) fn write_float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"+Inf" } else { b"-Inf" });
        return;
    }
    let mut ryu = ryu::Buffer::new();
    let decimal = Decimal::parse(ryu.format_finite(v));
    if decimal.negative {
        out.push(b'-');
    }
    if decimal.digits.is_empty() {
        out.push(b'0');
        return;
    }
    let exp = decimal.point - 1;
    if !(-4..6).contains(&exp) {
        // d.ddde±XX
        out.push(decimal.digits[0]);
        if decimal.digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&decimal.digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push(b'0');
        }
        write_int(out, abs);
    } else if decimal.point <= 0 {
        // 0.000ddd
        out.extend_from_slice(b"0.");
        out.extend(core::iter::repeat_n(
            b'0',
            decimal.point.unsigned_abs() as usize,
        ));
        out.extend_from_slice(&decimal.digits);
    } else {
        let point = decimal.point as usize;
        if decimal.digits.len() <= point {
            // ddd000
            out.extend_from_slice(&decimal.digits);
            out.extend(core::iter::repeat_n(b'0', point - decimal.digits.len()));
        } else {
            // ddd.ddd
            out.extend_from_slice(&decimal.digits[..point]);
            out.push(b'.');
            out.extend_from_slice(&decimal.digits[point..]);
        }
    }
}

/// A finite float as significant digits and a decimal point position:
/// `0.d₁d₂d₃… × 10^point`, without leading or trailing zeros.
struct Decimal {
    negative: bool,
    digits: smallvec::SmallVec<[u8; 24]>,
    point: i32,
}

impl Decimal {
    /// Reads ryu's output (`-1.5e-7`, `0.05`, `123.0`, `1e21`).
    fn parse(s: &str) -> Self {
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (mantissa, exponent) = match s.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
            None => (s, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut digits: smallvec::SmallVec<[u8; 24]> = int.bytes().chain(frac.bytes()).collect();
        let mut point = int.len() as i32 + exponent;
        let leading = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..leading);
        point -= leading as i32;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Self {
            negative,
            digits,
            point,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(v: f64) -> String {
        let mut out = Vec::new();
        write_float(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn floats_are_spelled_like_gos_format_float_g_shortest() {
        // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64)
        // returns for these values.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.05, "0.05"),
            (2.5, "2.5"),
            (10.0, "10"),
            (100000.0, "100000"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1e21, "1e+21"),
            (1e300, "1e+300"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for &(v, expected) in cases {
            assert_eq!(float(v), expected, "{v:?}");
        }
    }

    #[test]
    fn floats_round_trip() {
        for v in [
            0.1 + 0.2,
            1.0 / 3.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            12345.678,
            9.999e5,
        ] {
            assert_eq!(float(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn integers_render_in_decimal() {
        let mut out = Vec::new();
        write_int(&mut out, u64::MAX);
        out.push(b' ');
        write_int(&mut out, i64::MIN);
        assert_eq!(out, b"18446744073709551615 -9223372036854775808");
    }
}
