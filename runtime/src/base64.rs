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

/// The credentials of an `Authorization: Basic` header.
pub(crate) fn basic_credentials(user: &str, password: &str) -> String {
    encode(format!("{user}:{password}").as_bytes(), Alphabet::Standard)
}

#[cfg(test)]
mod tests {
    use super::*;

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
