//! base64url without padding (RFC 4648 §5), as JWTs and signed cookies use
//! it; and standard base64 with padding (§4), as transcripts carry raw bytes.
//! Small on purpose; the tests hold it to the `base64` crate.
#![deny(clippy::arithmetic_side_effects)]

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` as base64url without `=` padding: 4 characters per 3 bytes, and
/// 2 or 3 for a last group of 1 or 2 bytes.
pub fn encode(bytes: &[u8]) -> String {
    encode_with(bytes, ALPHABET)
}

/// `bytes` as standard base64 (`+`, `/`) padded with `=` to a multiple of 4.
pub fn encode_padded(bytes: &[u8]) -> String {
    let mut out = encode_with(bytes, STANDARD);
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn encode_with(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        let mut group = [0u8; 4];
        for (slot, &b) in group[1..].iter_mut().zip(chunk) {
            *slot = b;
        }
        let n = u32::from_be_bytes(group);
        // n bytes of input make n + 1 characters.
        for sextet in [n >> 18, n >> 12, n >> 6, n].into_iter().take(chunk.len().saturating_add(1)) {
            out.push(char::from(alphabet[(sextet & 63) as usize]));
        }
    }
    out
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
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as ORACLE;
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
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_base64_crate(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), text in "[A-Za-z0-9_=+/-]{0,12}") {
            proptest::prop_assert_eq!(encode(&bytes), ORACLE.encode(&bytes));
            proptest::prop_assert_eq!(encode_padded(&bytes), base64::engine::general_purpose::STANDARD.encode(&bytes));
            proptest::prop_assert_eq!(decode(&text), ORACLE.decode(&text).ok());
        }
    }
}
