//! base64url without padding (RFC 4648 §5), as JWTs and signed cookies use
//! it, and standard base64 with padding (RFC 4648 §4), as WebSocket keys
//! (RFC 6455 §4.1) use it. Small on purpose; the tests hold it to the
//! `base64` crate.
#![deny(clippy::arithmetic_side_effects)]

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` as base64url without `=` padding: 4 characters per 3 bytes, and
/// 2 or 3 for a last group of 1 or 2 bytes.
pub fn encode(bytes: &[u8]) -> String {
    encode_with(bytes, ALPHABET, false)
}

/// `bytes` as standard base64 (`+` and `/`) with `=` padding to a multiple
/// of 4 characters: `Sec-WebSocket-Key` and `Sec-WebSocket-Accept`.
pub fn encode_padded(bytes: &[u8]) -> String {
    encode_with(bytes, STANDARD, true)
}

fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        let mut group = [0u8; 4];
        for (slot, &b) in group[1..].iter_mut().zip(chunk) {
            *slot = b;
        }
        let n = u32::from_be_bytes(group);
        // n bytes of input make n + 1 characters.
        let kept = chunk.len().saturating_add(1);
        for sextet in [n >> 18, n >> 12, n >> 6, n].into_iter().take(kept) {
            out.push(char::from(alphabet[(sextet & 63) as usize]));
        }
        if pad {
            for _ in kept..4 {
                out.push('=');
            }
        }
    }
    out
}

/// Strict standard base64 with padding, the inverse of [`encode_padded`]:
/// rejects a length that is not a multiple of 4, `=` anywhere but the end,
/// the base64url alphabet and non-canonical trailing bits, so one value has
/// one spelling (RFC 4648 §3.5).
pub fn decode_padded(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let unpadded = text.strip_suffix("==").or_else(|| text.strip_suffix('=')).unwrap_or(text);
    if unpadded.contains('=') || unpadded.contains(['-', '_']) {
        return None;
    }
    // The two alphabets differ only in their last two characters.
    decode(&unpadded.replace('+', "-").replace('/', "_"))
}

/// Strict: rejects padding, other alphabets, and non-canonical trailing bits.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let sextet = |c: u8| -> Option<u32> {
        let v = match c {
            b'A'..=b'Z' => c.checked_sub(b'A'),
            b'a'..=b'z' => c.checked_sub(b'a' - 26),
            b'0'..=b'9' => c.checked_add(52 - b'0'),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        };
        v.map(u32::from)
    };
    let input = text.as_bytes();
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity((input.len() / 4).saturating_mul(3).saturating_add(2));
    for chunk in input.chunks(4) {
        let mut s = [0u32; 4];
        for (slot, &c) in s.iter_mut().zip(chunk) {
            *slot = sextet(c)?;
        }
        let [_, bytes @ ..] = (s[0] << 18 | s[1] << 12 | s[2] << 6 | s[3]).to_be_bytes();
        // A chunk of k characters carries k - 1 bytes; the bits of the rest
        // must be zero in canonical base64.
        let (kept, rest) = bytes.split_at(chunk.len().saturating_sub(1));
        if rest.iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(kept);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD as PADDED, URL_SAFE_NO_PAD as ORACLE};
    use base64::Engine;

    #[test]
    fn rfc4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
        assert_eq!(decode("Zg=="), None, "no padding in base64url for JWS");
        assert_eq!(decode("Zh"), None, "non-canonical trailing bits");
        assert_eq!(decode("Z"), None);
        for (plain, coded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg==")] {
            assert_eq!(encode_padded(plain.as_bytes()), coded);
            assert_eq!(decode_padded(coded).unwrap(), plain.as_bytes());
        }
        assert_eq!(decode_padded("Zg"), None, "padding is required");
        assert_eq!(decode_padded("Zg=a"), None);
        assert_eq!(decode_padded("Z==="), None);
        assert_eq!(decode_padded("Zh=="), None, "non-canonical trailing bits");
        assert_eq!(decode_padded("-_8="), None, "base64url alphabet");
        assert_eq!(encode_padded(&[0xfb, 0xff]), "+/8=");
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_base64_crate(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), text in "[A-Za-z0-9_=+/-]{0,12}") {
            proptest::prop_assert_eq!(encode(&bytes), ORACLE.encode(&bytes));
            proptest::prop_assert_eq!(encode_padded(&bytes), base64::engine::general_purpose::STANDARD.encode(&bytes));
            proptest::prop_assert_eq!(decode(&text), ORACLE.decode(&text).ok());
            proptest::prop_assert_eq!(encode_padded(&bytes), PADDED.encode(&bytes));
            proptest::prop_assert_eq!(decode_padded(&text), PADDED.decode(&text).ok());
        }
    }
}
