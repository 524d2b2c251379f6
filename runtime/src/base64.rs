//! Base64 (RFC 4648): the standard alphabet with padding for `Basic`
//! credentials, the URL-safe one without padding for the Pushgateway's
//! `label@base64/value` path segments. Twenty lines do not earn a
//! dependency.

/// Which of RFC 4648's two alphabets, and whether to pad.
#[derive(Clone, Copy)]
pub(crate) enum Alphabet {
    /// `+` and `/`, padded with `=` (section 4).
    Standard,
    /// `-` and `_`, unpadded (section 5).
    #[cfg_attr(not(feature = "pushgateway"), allow(dead_code))]
    UrlSafe,
}

pub(crate) fn encode(input: &[u8], alphabet: Alphabet) -> String {
    let (chars, pad): (&[u8; 64], bool) = match alphabet {
        Alphabet::Standard => (
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            true,
        ),
        Alphabet::UrlSafe => (
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            false,
        ),
    };
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(chars[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard, padded base64 (what an `Authorization: Basic`
/// header carries); `None` for anything else.
#[cfg(feature = "web-config")]
pub(crate) fn decode_standard(input: &str) -> Option<Vec<u8>> {
    let bytes = input.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i + 1 == bytes.len() / 4;
        let pads = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pads > 2 || (pads > 0 && !last) {
            return None;
        }
        let mut n = 0_u32;
        for &c in &chunk[..4 - pads] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pads as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pads]);
    }
    Some(out)
}

/// The credentials of an `Authorization: Basic` header.
pub(crate) fn basic_credentials(user: &str, password: &str) -> String {
    encode(format!("{user}:{password}").as_bytes(), Alphabet::Standard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "web-config")]
    fn decoding_inverts_the_standard_encoding() {
        for input in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "prom:pa:sé",
        ] {
            let encoded = encode(input.as_bytes(), Alphabet::Standard);
            assert_eq!(decode_standard(&encoded).as_deref(), Some(input.as_bytes()));
        }
        assert_eq!(decode_standard("Zm9v="), None);
        assert_eq!(decode_standard("Zg==Zg=="), None);
        assert_eq!(decode_standard("Z!=="), None);
    }

    #[test]
    fn both_alphabets_match_rfc_4648_vectors() {
        let vectors = [
            ("", "", ""),
            ("f", "Zg==", "Zg"),
            ("fo", "Zm8=", "Zm8"),
            ("foo", "Zm9v", "Zm9v"),
            ("foob", "Zm9vYg==", "Zm9vYg"),
            ("fooba", "Zm9vYmE=", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
        ];
        for (plain, standard, url_safe) in vectors {
            assert_eq!(encode(plain.as_bytes(), Alphabet::Standard), standard);
            assert_eq!(encode(plain.as_bytes(), Alphabet::UrlSafe), url_safe);
        }
        // The two alphabets differ in their last two characters only.
        assert_eq!(encode(&[0xfb, 0xff], Alphabet::Standard), "+/8=");
        assert_eq!(encode(&[0xfb, 0xff], Alphabet::UrlSafe), "-_8");
    }
}
