//! The subject alternative names of a certificate, read from its DER as Go's
//! `crypto/x509` lists them (DNS names, e-mail addresses, IP addresses,
//! URIs), for `client_allowed_sans`: exporter-toolkit admits a client
//! certificate when one of them equals one of the allowed names exactly.
//!
//! Only the path to the extension is walked: a certificate reaches this
//! reader after rustls parsed it, and anything it cannot read is no name.

use std::net::IpAddr;

/// One DER element: its tag, its contents, and what follows it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let octets = usize::from(first & 0x7f);
        if octets == 0 || octets > 4 || rest.len() < octets {
            return None;
        }
        let length = rest[..octets]
            .iter()
            .fold(0_usize, |n, &b| (n << 8) | usize::from(b));
        (length, &rest[octets..])
    };
    (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
}

const SEQUENCE: u8 = 0x30;
/// `[3]`, constructed: the extensions of a `TBSCertificate`.
const EXTENSIONS: u8 = 0xa3;
/// The object identifier 2.5.29.17, subjectAltName.
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];

/// The certificate's subject alternative names, as strings.
pub(super) fn names(certificate: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let Some((SEQUENCE, certificate, _)) = element(certificate) else {
        return names;
    };
    let Some((SEQUENCE, mut tbs, _)) = element(certificate) else {
        return names;
    };
    while let Some((tag, contents, rest)) = element(tbs) {
        tbs = rest;
        if tag != EXTENSIONS {
            continue;
        }
        let Some((SEQUENCE, mut extensions, _)) = element(contents) else {
            return names;
        };
        while let Some((SEQUENCE, extension, rest)) = element(extensions) {
            extensions = rest;
            let Some((0x06, oid, mut fields)) = element(extension) else {
                continue;
            };
            if oid != SUBJECT_ALT_NAME {
                continue;
            }
            // `critical` may come before the value.
            while let Some((tag, value, rest)) = element(fields) {
                fields = rest;
                if tag == 0x04 {
                    general_names(value, &mut names);
                }
            }
        }
    }
    names
}

fn general_names(der: &[u8], names: &mut Vec<String>) {
    let Some((SEQUENCE, mut items, _)) = element(der) else {
        return;
    };
    while let Some((tag, value, rest)) = element(items) {
        items = rest;
        match tag {
            // rfc822Name, dNSName, uniformResourceIdentifier: IA5 text.
            0x81 | 0x82 | 0x86 => {
                if let Ok(text) = std::str::from_utf8(value) {
                    names.push(text.to_owned());
                }
            }
            // iPAddress: 4 or 16 octets, written as Go's `net.IP` writes them.
            0x87 => {
                let ip = match value.len() {
                    4 => <[u8; 4]>::try_from(value).ok().map(IpAddr::from),
                    16 => <[u8; 16]>::try_from(value).ok().map(|octets| {
                        let v6 = std::net::Ipv6Addr::from(octets);
                        // Go writes an IPv4-mapped address as IPv4.
                        v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
                    }),
                    _ => None,
                };
                if let Some(ip) = ip {
                    names.push(ip.to_string());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let contents = parts.concat();
        [&[tag, contents.len() as u8][..], &contents].concat()
    }

    #[test]
    fn names_are_read_from_a_hand_built_extension() {
        let general = tlv(
            0x30,
            &[
                &tlv(0x82, &[b"a.b"]),
                &tlv(0x87, &[&[127, 0, 0, 1]]),
                &tlv(0x81, &[b"x@y"]),
                &tlv(0x87, &[&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]),
            ],
        );
        let other = tlv(
            0x30,
            &[&tlv(0x06, &[&[0x55, 0x1d, 0x13]]), &tlv(0x04, &[b"xx"])],
        );
        let san = tlv(
            0x30,
            &[
                &tlv(0x06, &[SUBJECT_ALT_NAME]),
                &tlv(0x01, &[&[0xff]]),
                &tlv(0x04, &[&general]),
            ],
        );
        let extensions = tlv(EXTENSIONS, &[&tlv(0x30, &[&other, &san])]);
        let tbs = tlv(0x30, &[&tlv(0x02, &[&[7]]), &tlv(0x30, &[]), &extensions]);
        let certificate = tlv(0x30, &[&tbs, &tlv(0x30, &[])]);
        assert_eq!(names(&certificate), ["a.b", "127.0.0.1", "x@y", "::1"]);
        assert!(names(&certificate[..10]).is_empty());
        assert!(names(b"").is_empty());
    }
}
