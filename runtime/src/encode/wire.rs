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

/// A `sint32` as the varint protobuf writes it (zigzag: small magnitudes
/// of either sign take one byte).
pub(crate) fn zigzag32(n: i32) -> u64 {
    u64::from(((n << 1) ^ (n >> 31)) as u32)
}

pub(crate) fn varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, WireType::Varint);
    varint(out, v);
}

pub(crate) fn double_field(out: &mut Vec<u8>, field: u32, v: f64) {
    fixed64_field(out, field, v.to_bits());
}

/// A `fixed64` or `sfixed64` field (a `double` is one too).
pub(crate) fn fixed64_field(out: &mut Vec<u8>, field: u32, v: u64) {
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
#[cfg_attr(
    not(any(feature = "protobuf", feature = "remote-write")),
    allow(dead_code)
)]
pub(crate) fn label_field(out: &mut Vec<u8>, field: u32, name: &str, value: &str, suffix: &str) {
    let value_len = value.len() + suffix.len();
    message_head(out, field, field_len(name.len()) + field_len(value_len));
    string_field(out, 1, name);
    message_head(out, 2, value_len);
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(suffix.as_bytes());
}

/// The field numbers of a native histogram's parts, which the
/// exposition's `io.prometheus.client.Histogram` and remote write's
/// `prometheus.Histogram` number differently.
#[cfg_attr(
    not(any(feature = "protobuf", feature = "remote-write")),
    allow(dead_code)
)]
pub(crate) struct NativeFields {
    schema: u32,
    zero_threshold: u32,
    zero_count: u32,
    negative_spans: u32,
    negative_deltas: u32,
    positive_spans: u32,
    positive_deltas: u32,
}

/// `io.prometheus.client.Histogram`, the protobuf exposition's.
#[cfg(feature = "protobuf")]
pub(crate) const EXPOSITION_NATIVE_FIELDS: NativeFields = NativeFields {
    schema: 5,
    zero_threshold: 6,
    zero_count: 7,
    negative_spans: 9,
    negative_deltas: 10,
    positive_spans: 12,
    positive_deltas: 13,
};

/// `prometheus.Histogram`, remote write 1.0's (`count_int`, `sum` and
/// `timestamp` are written by the caller).
#[cfg(feature = "remote-write")]
pub(crate) const REMOTE_WRITE_NATIVE_FIELDS: NativeFields = NativeFields {
    schema: 4,
    zero_threshold: 5,
    zero_count: 6,
    negative_spans: 8,
    negative_deltas: 9,
    positive_spans: 11,
    positive_deltas: 12,
};

/// A native histogram's schema, zero bucket, and each sign's populated
/// buckets as spans and deltas, numbered as `fields` says: the one
/// spelling of native buckets that the exposition and remote write share.
#[cfg_attr(
    not(any(feature = "protobuf", feature = "remote-write")),
    allow(dead_code)
)]
pub(crate) fn write_native_fields(
    out: &mut Vec<u8>,
    spec: &crate::cells::native::NativeSpec,
    buckets: &crate::cells::native::NativeSnapshot,
    fields: &NativeFields,
    scratch: &mut Vec<u8>,
) {
    let zigzag64 = |n: i64| ((n << 1) ^ (n >> 63)) as u64;
    varint_field(out, fields.schema, zigzag32(buckets.schema));
    double_field(out, fields.zero_threshold, spec.zero_threshold);
    varint_field(out, fields.zero_count, buckets.zero);
    for (sign, span_field, delta_field) in [
        (
            &buckets.negative,
            fields.negative_spans,
            fields.negative_deltas,
        ),
        (
            &buckets.positive,
            fields.positive_spans,
            fields.positive_deltas,
        ),
    ] {
        // Spans: runs of consecutive keys; the first offset is its key,
        // each next one the gap after the previous run.
        let mut runs: smallvec::SmallVec<[(i32, u32); 16]> = smallvec::SmallVec::new();
        for &(key, _) in sign.iter() {
            match runs.last_mut() {
                Some((start, len)) if *start + *len as i32 == key => *len += 1,
                _ => runs.push((key, 1)),
            }
        }
        let mut end = 0i32;
        for (i, &(start, len)) in runs.iter().enumerate() {
            let offset = if i == 0 { start } else { start - end };
            end = start + len as i32;
            scratch.clear();
            varint_field(scratch, 1, zigzag32(offset));
            varint_field(scratch, 2, u64::from(len));
            message_field(out, span_field, scratch);
        }
        // Deltas, packed: each count minus the one before.
        if !sign.is_empty() {
            scratch.clear();
            let mut previous = 0i64;
            for &(_, count) in sign.iter() {
                let count = count as i64;
                varint(scratch, zigzag64(count - previous));
                previous = count;
            }
            message_field(out, delta_field, scratch);
        }
    }
}

/// A field's value read back from protobuf bytes.
#[cfg(any(feature = "otlp", feature = "remote-write"))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FieldValue<'a> {
    /// A varint (wire type 0).
    Varint(u64),
    /// Eight bytes (wire type 1).
    Fixed64(u64),
    /// A length-delimited field (wire type 2): bytes, a string or a
    /// message.
    Len(&'a [u8]),
    /// Four bytes (wire type 5).
    Fixed32(u32),
}

/// The fields of one message in the order they stand, as (number, value);
/// `None` where the bytes are not a protobuf message (a receiver's answer
/// may be anything). Read back: the answers of OTLP receivers, and
/// Remote-Write 2.0 requests rewritten as 1.0 for a receiver that reads
/// only 1.0.
#[cfg(any(feature = "otlp", feature = "remote-write"))]
pub(crate) fn read_fields(mut bytes: &[u8]) -> Option<Vec<(u32, FieldValue<'_>)>> {
    fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = bytes.split_first()?;
            *bytes = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = bytes.split_at_checked(n)?;
        *bytes = rest;
        Some(head)
    }
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let key = read_varint(&mut bytes)?;
        let field = u32::try_from(key >> 3).ok().filter(|&f| f > 0)?;
        let value = match key & 7 {
            0 => FieldValue::Varint(read_varint(&mut bytes)?),
            1 => FieldValue::Fixed64(u64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?)),
            2 => {
                let len = usize::try_from(read_varint(&mut bytes)?).ok()?;
                FieldValue::Len(take(&mut bytes, len)?)
            }
            5 => FieldValue::Fixed32(u32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?)),
            _ => return None,
        };
        fields.push((field, value));
    }
    Some(fields)
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

    #[cfg(feature = "otlp")]
    #[test]
    fn fields_read_back_as_written() {
        let mut nested = Vec::new();
        varint_field(&mut nested, 1, 300);
        let mut out = Vec::new();
        message_field(&mut out, 1, &nested);
        string_field(&mut out, 2, "why");
        fixed64_field(&mut out, 3, 7);
        double_field(&mut out, 4, 0.5);
        assert_eq!(
            read_fields(&out),
            Some(vec![
                (1, FieldValue::Len(&nested)),
                (2, FieldValue::Len(b"why")),
                (3, FieldValue::Fixed64(7)),
                (4, FieldValue::Fixed64(0.5f64.to_bits())),
            ])
        );
        assert_eq!(
            read_fields(&nested),
            Some(vec![(1, FieldValue::Varint(300))])
        );
        // A group (wire type 3), a truncated length, a field number 0, a
        // varint that never ends: not protobuf.
        for bad in [&b"{}"[..], &[0x12, 5, b'a'], &[0x00, 1], &[0x08, 0xff]] {
            assert_eq!(read_fields(bad), None, "{bad:?}");
        }
    }
}
