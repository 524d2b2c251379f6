//! Protobuf's wire format, written directly: what the protobuf exposition
//! (feature `protobuf`) and remote write (feature `remote-write`) both
//! write, without building messages first. A nested message is written
//! into a scratch buffer, then appended with its length.

/// How a field's value is laid out.
#[derive(Clone, Copy)]
enum WireType {
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
}

pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// The bytes of a length-delimited field (field number below 16) that
/// holds `len` bytes: key, length, payload.
pub(crate) fn field_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

fn key(out: &mut Vec<u8>, field: u32, wire: WireType) {
    varint(out, (u64::from(field) << 3) | wire as u64);
}

pub(crate) fn varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, WireType::Varint);
    varint(out, v);
}

pub(crate) fn double_field(out: &mut Vec<u8>, field: u32, v: f64) {
    key(out, field, WireType::Fixed64);
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn string_field(out: &mut Vec<u8>, field: u32, s: &str) {
    message_field(out, field, s.as_bytes());
}

pub(crate) fn message_field(out: &mut Vec<u8>, field: u32, body: &[u8]) {
    message_head(out, field, body.len());
    out.extend_from_slice(body);
}

/// The key and length of a length-delimited field whose `len` bytes the
/// caller appends next.
pub(crate) fn message_head(out: &mut Vec<u8>, field: u32, len: usize) {
    key(out, field, WireType::Len);
    varint(out, len as u64);
}

/// A Prometheus label as field `field`: the exposition's `LabelPair` and
/// remote write's `Label` alike (name 1, value 2), the value written as
/// `value` then `suffix` (`x` and `_bucket`), so that none is built.
pub(crate) fn label_field(out: &mut Vec<u8>, field: u32, name: &str, value: &str, suffix: &str) {
    let value_len = value.len() + suffix.len();
    message_head(out, field, field_len(name.len()) + field_len(value_len));
    string_field(out, 1, name);
    message_head(out, 2, value_len);
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(suffix.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_little_endian_base_128_and_their_lengths_agree() {
        for (v, bytes) in [
            (0u64, &[0u8][..]),
            (1, &[1]),
            (127, &[127]),
            (128, &[0x80, 1]),
            (300, &[0xac, 0x02]),
            (
                u64::MAX,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1],
            ),
        ] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(out, bytes, "{v}");
            assert_eq!(varint_len(v), bytes.len(), "{v}");
        }
    }
}
