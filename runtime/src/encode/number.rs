//! Numbers as the text formats write them.

/// Appends `v` in decimal.
#[inline]
pub(crate) fn write_int(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends `v` as the shortest decimal that parses back to the same `f64`,
/// with Prometheus' spellings of the non-finite values.
pub(crate) fn write_float(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    } else if v.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if v > 0.0 {
        out.extend_from_slice(b"+Inf");
    } else {
        out.extend_from_slice(b"-Inf");
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
    fn floats_render_shortest_round_trip_and_prometheus_specials() {
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(-2.5e-7), "-2.5e-7");
        assert_eq!(float(1e300), "1e300");
        assert_eq!(float(f64::INFINITY), "+Inf");
        assert_eq!(float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(float(f64::NAN), "NaN");
        for v in [0.1 + 0.2, 1.0 / 3.0, f64::MAX, f64::MIN_POSITIVE] {
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
