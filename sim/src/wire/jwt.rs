//! RFC 7519 JSON Web Tokens, HS256 only, from RustCrypto `hmac` + `sha2` and
//! our base64url. Small on purpose (measured: a full JWT crate costs ~170 KB
//! of wasm). Any standard JWT library verifies these tokens with the key's
//! text as the secret; a test proves it with `jsonwebtoken`.
//!
//! Tokens come from users (typed, edited, replayed), so sizes and claim
//! numbers are bounded before any arithmetic: a claim is a time only if it
//! names a second up to the end of year 9999 ([`crate::base::time::MAX_SECS`]).
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use crate::base::time::MAX_SECS;
use crate::wire::json::{self, Json, ObjectWriter};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use std::rc::Rc;

type HmacSha256 = Hmac<Sha256>;

/// One HS256 signing key of the fleet. The key's bytes are its text, so a
/// learner can paste it into any JWT tool.
#[derive(Clone)]
pub struct Key {
    /// The key id a token's header names (`kid`) to say which key signed it.
    pub kid: String,
    /// The HMAC secret; its UTF-8 bytes are the key.
    pub secret: String,
    /// Keyed state computed once: verifying then costs only the message blocks.
    mac: HmacSha256,
}

impl Key {
    /// A key called `kid` with `secret` as its bytes.
    pub fn new(kid: &str, secret: &str) -> Key {
        Key { kid: kid.to_owned(), secret: secret.to_owned(), mac: hmac_for(secret.as_bytes()) }
    }

    /// The HS256 signature (HMAC-SHA-256, 32 bytes) of `signing_input`, for a
    /// JWS the `base64url(header).base64url(payload)` text.
    pub fn sign(&self, signing_input: &str) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `signature` is this key's signature of `signing_input`.
    /// Constant-time comparison (`Mac::verify_slice`).
    pub fn verify(&self, signing_input: &str, signature: &[u8]) -> bool {
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(signature).is_ok()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key").field("kid", &self.kid).field("secret", &self.secret).finish()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.kid == other.kid && self.secret == other.secret
    }
}

fn hmac_for(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

/// A token's JOSE header (RFC 7515 §4): how it was signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The signing algorithm; servers accept only `HS256`.
    pub alg: String,
    /// The media type; `JWT` on every token issued here.
    pub typ: Option<String>,
    /// Which fleet key signed the token; `None` means [`FIRST_KID`].
    pub kid: Option<String>,
}

impl Header {
    fn to_json(&self) -> String {
        let mut w = ObjectWriter::new().str("alg", &self.alg);
        if let Some(typ) = &self.typ {
            w = w.str("typ", typ);
        }
        if let Some(kid) = &self.kid {
            w = w.str("kid", kid);
        }
        w.finish()
    }

    fn from_json(text: &str) -> Option<Header> {
        let (mut alg, mut typ, mut kid) = (None, None, None);
        json::object_members(text, |k, v| {
            match k {
                "alg" => alg = v.into_string(),
                "typ" => typ = v.into_string(),
                "kid" => kid = v.into_string(),
                _ => {}
            }
            Ok(())
        })
        .ok()?;
        Some(Header { alg: alg?, typ, kid })
    }
}

/// The registered and private claims the shop puts in its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// Who the token is for: the `sub` claim, the user's login name.
    pub sub: String,
    /// The user's display name (private claim `name`).
    pub name: String,
    /// What the user may do (private claim `role`, e.g. `user`); what a
    /// tamperer edits to `admin`.
    pub role: String,
    /// Issued at (`iat`), in seconds since the epoch.
    pub iat: u64,
    /// Expires at (`exp`), in seconds since the epoch; refused from
    /// `exp` + [`LEEWAY_S`] on.
    pub exp: u64,
    /// Not before (`nbf`), in seconds since the epoch; refused until
    /// `nbf` − [`LEEWAY_S`].
    pub nbf: Option<u64>,
    /// The token's unique id (`jti`): what a denylist records to revoke it.
    pub jti: String,
    /// The session id (`sid`, as OpenID Connect names it) of a refresh lane's
    /// access token: the refresh family it came from, which logout revokes.
    pub sid: Option<String>,
}

impl Claims {
    /// The payload JSON, compact, members in the order `sub`, `name`,
    /// `role`, `iat`, `exp`, `nbf` (when set), `jti`, `sid` (when set).
    pub fn to_json(&self) -> String {
        let mut w = ObjectWriter::new().str("sub", &self.sub).str("name", &self.name).str("role", &self.role);
        w = w.num("iat", self.iat).num("exp", self.exp);
        if let Some(nbf) = self.nbf {
            w = w.num("nbf", nbf);
        }
        w = w.str("jti", &self.jti);
        if let Some(sid) = &self.sid {
            w = w.str("sid", sid);
        }
        w.finish()
    }

    /// Reads the claims member by member, moving each value into place:
    /// this runs on every request of a JWT lane.
    pub fn from_json(text: &str) -> Result<Claims, String> {
        let (mut sub, mut name, mut role, mut jti, mut sid) = (None, None, None, None, None);
        let (mut iat, mut exp, mut nbf) = (None, None, None);
        json::object_members(text, |k, v| {
            let num = |v: &Json| claim_time(k, v);
            match k {
                "sub" => sub = v.into_string(),
                "name" => name = v.into_string(),
                "role" => role = v.into_string(),
                "jti" => jti = v.into_string(),
                "sid" => sid = v.into_string(),
                "iat" => iat = Some(num(&v)?),
                "exp" => exp = Some(num(&v)?),
                "nbf" => nbf = Some(num(&v)?),
                _ => {}
            }
            Ok(())
        })?;
        let missing = |k: &str| format!("missing or non-string field `{k}`");
        Ok(Claims {
            sub: sub.ok_or_else(|| missing("sub"))?,
            name: name.ok_or_else(|| missing("name"))?,
            role: role.ok_or_else(|| missing("role"))?,
            iat: iat.ok_or("missing field `iat`")?,
            exp: exp.ok_or("missing field `exp`")?,
            nbf,
            jti: jti.ok_or_else(|| missing("jti"))?,
            sid,
        })
    }
}

/// A time claim (`iat`, `exp`, `nbf`) as whole seconds since the epoch. The
/// one reading both the servers and the decoder use, so they never disagree
/// on what a number means.
pub fn claim_time(name: &str, v: &Json) -> Result<u64, String> {
    match v {
        Json::Num(_) => match v.as_u64() {
            Some(secs) if secs <= MAX_SECS => Ok(secs),
            _ => Err(format!("`{name}` is not a valid time (whole seconds from 1970 to the end of 9999)")),
        },
        _ => Err(format!("`{name}` is not a number")),
    }
}

/// Why a server refused a token. Each says what a learner should understand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Not a readable JWS: too long, not three dot-separated parts, a part
    /// that is not base64url, or a header that is not a JSON object with
    /// `alg`; says which.
    Malformed(&'static str),
    /// The header's `alg` is `none` (any case): an unsigned token.
    AlgNone,
    /// The header names an algorithm other than `HS256` (case-sensitive); holds
    /// it as given.
    WrongAlg(String),
    /// No key the server holds has this `kid` ([`FIRST_KID`] when the header
    /// names none): rotated out, or never issued.
    UnknownKey(String),
    /// The signature is not the named key's HS256 signature of the token.
    BadSignature,
    /// Signed correctly, but the payload is not the expected [`Claims`];
    /// the JSON or claim error.
    BadClaims(String),
    /// `exp` is past, beyond [`LEEWAY_S`], on the server's clock.
    Expired {
        /// The token's `exp`, in seconds since the epoch.
        exp: u64,
        /// The server's clock, in seconds since the epoch.
        now: u64,
    },
    /// `nbf` is still ahead, beyond [`LEEWAY_S`], on the server's clock.
    NotYetValid {
        /// The token's `nbf`, in seconds since the epoch.
        nbf: u64,
        /// The server's clock, in seconds since the epoch.
        now: u64,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Malformed(why) => write!(f, "malformed token: {why}"),
            Rejection::AlgNone => f.write_str("alg \"none\" refused: an unsigned token proves nothing"),
            Rejection::WrongAlg(a) => write!(f, "alg \"{}\" refused: this fleet only accepts HS256", quoted(a)),
            Rejection::UnknownKey(k) => write!(f, "no key with kid \"{}\" on this server (rotated out?)", quoted(k)),
            Rejection::BadSignature => f.write_str(
                "HS256 signature does not match the fleet key: the token was altered or signed with another key",
            ),
            Rejection::BadClaims(e) => write!(f, "payload is not the expected claims: {e}"),
            Rejection::Expired { exp, now } => write!(
                f,
                "token expired {} ago (exp {exp}, server clock {now})",
                crate::base::time::human_duration(now.saturating_sub(*exp))
            ),
            Rejection::NotYetValid { nbf, now } => write!(
                f,
                "token not valid for another {} (nbf {nbf}, server clock {now})",
                crate::base::time::human_duration(nbf.saturating_sub(*now))
            ),
        }
    }
}

/// Seconds of clock difference tolerated on `exp`/`nbf`, as most libraries do.
pub const LEEWAY_S: u64 = 30;

/// The longest token a server reads. Real servers refuse header sections
/// past 8 KiB or so; refusing before parsing bounds the work a token causes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// `header.payload.signature` for the given claims.
pub fn encode(claims: &Claims, key: &Key, with_kid: bool) -> String {
    let header = Header { alg: "HS256".into(), typ: Some("JWT".into()), kid: with_kid.then(|| key.kid.clone()) };
    let input = format!("{}.{}", b64_text(&header.to_json()), b64_text(&claims.to_json()));
    let sig = crate::wire::b64::encode(&key.sign(&input));
    format!("{input}.{sig}")
}

fn b64_text(json: &str) -> String {
    crate::wire::b64::encode(json.as_bytes())
}

/// The three parts of a token, decoded for display; no verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parts {
    /// The header, base64url-decoded: JSON text, unchecked.
    pub header_json: String,
    /// The payload, base64url-decoded: JSON text, unchecked.
    pub payload_json: String,
    /// The signature's raw bytes (empty for an unsigned token).
    pub signature: Vec<u8>,
}

/// Splits a compact JWS into its three decoded parts, without verifying
/// anything. [`Rejection::Malformed`] when over [`MAX_TOKEN_BYTES`], not
/// three parts, or a part not base64url (or, for header and payload, not
/// UTF-8 text).
pub fn split(token: &str) -> Result<Parts, Rejection> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Rejection::Malformed("token is over 8 KiB; servers refuse credentials that large unread"));
    }
    let mut it = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(Rejection::Malformed("a JWS has exactly three dot-separated parts"));
    };
    let text = |part: &str, what: &'static str| -> Result<String, Rejection> {
        let bytes = crate::wire::b64::decode(part).ok_or(Rejection::Malformed(what))?;
        String::from_utf8(bytes).map_err(|_| Rejection::Malformed(what))
    };
    Ok(Parts {
        header_json: text(h, "header is not base64url text")?,
        payload_json: text(p, "payload is not base64url text")?,
        signature: crate::wire::b64::decode(s).ok_or(Rejection::Malformed("signature is not base64url"))?,
    })
}

/// Verifies `token` against the keys a server holds, at `now_s` on that
/// server's clock. The signature is checked before any claim is trusted.
pub fn verify(token: &str, keys: &[Key], now_s: u64) -> Result<(Claims, Header), Rejection> {
    let (claims, header, _) = verify_signature(token, keys)?;
    check_times(&claims, now_s)?;
    Ok((claims, header))
}

/// Everything [`verify`] checks but the clock: the token's form, its
/// algorithm and key, its signature, its claims. A pure function of the
/// token's text and the key that signed it.
fn verify_signature<'k>(token: &str, keys: &'k [Key]) -> Result<(Claims, Header, &'k Key), Rejection> {
    let parts = split(token)?;
    let header = Header::from_json(&parts.header_json)
        .ok_or(Rejection::Malformed("header is not a JSON object with \"alg\""))?;
    match header.alg.as_str() {
        "HS256" => {}
        a if a.eq_ignore_ascii_case("none") => return Err(Rejection::AlgNone),
        a => return Err(Rejection::WrongAlg(a.to_owned())),
    }
    let key = key_for(&header, keys)?;
    let signing_input = &token[..token.rfind('.').unwrap_or(0)];
    if !key.verify(signing_input, &parts.signature) {
        return Err(Rejection::BadSignature);
    }
    let claims = Claims::from_json(&parts.payload_json).map_err(Rejection::BadClaims)?;
    Ok((claims, header, key))
}

/// The key a token's header names among `keys`.
fn key_for<'k>(header: &Header, keys: &'k [Key]) -> Result<&'k Key, Rejection> {
    match &header.kid {
        Some(kid) => keys.iter().find(|k| &k.kid == kid).ok_or_else(|| Rejection::UnknownKey(kid.clone())),
        // Tokens from before the first rotation carry no kid: they mean the first key.
        None => keys.iter().find(|k| k.kid == FIRST_KID).ok_or_else(|| Rejection::UnknownKey(FIRST_KID.into())),
    }
}

fn check_times(claims: &Claims, now_s: u64) -> Result<(), Rejection> {
    if now_s >= claims.exp.saturating_add(LEEWAY_S) {
        return Err(Rejection::Expired { exp: claims.exp, now: now_s });
    }
    if let Some(nbf) = claims.nbf.filter(|&nbf| now_s.saturating_add(LEEWAY_S) < nbf) {
        return Err(Rejection::NotYetValid { nbf, now: now_s });
    }
    Ok(())
}

/// The last token a fleet verified, with the key that verified it. A user
/// sends the same token, request after request; since checking a signature
/// depends only on the token's text and the key, [`Memo::verify`] does it
/// once per token and key, and checks the clock every time. An engine memo,
/// not something the simulated servers do: every answer and trace line is
/// the one [`verify`] gives (tested), only faster (opening a link of 100,000
/// requests spent a quarter of its time re-verifying one token).
#[derive(Clone, Debug, Default)]
pub struct Memo(Option<Rc<Verified>>);

#[derive(Debug)]
struct Verified {
    token: String,
    key: Key,
    claims: Claims,
    header: Header,
}

impl Memo {
    /// [`verify`], remembering a token that passed its signature check.
    pub fn verify(&mut self, token: &str, keys: &[Key], now_s: u64) -> Result<(Claims, Header), Rejection> {
        let known = self.0.as_ref().filter(|v| v.token == token && key_for(&v.header, keys).is_ok_and(|k| *k == v.key));
        let v = match known {
            Some(v) => Rc::clone(v),
            None => {
                let (claims, header, key) = verify_signature(token, keys)?;
                let v = Rc::new(Verified { token: token.to_owned(), key: key.clone(), claims, header });
                self.0 = Some(Rc::clone(&v));
                v
            }
        };
        check_times(&v.claims, now_s)?;
        Ok((v.claims.clone(), v.header.clone()))
    }
}

/// The first fleet key's id, and the key a header without `kid` means:
/// tokens from before the first rotation carry none.
pub const FIRST_KID: &str = "k1";

/// A token taken apart for display: what anyone can read, and whether the
/// fleet would accept it at `now_s`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The header, decoded: JSON text, shown as is.
    pub header_json: String,
    /// The payload, decoded: JSON text, shown as is.
    pub payload_json: String,
    /// `iat` and `exp` when present and valid times (see [`claim_time`]).
    pub iat: Option<u64>,
    /// `exp` when present and a valid time (see [`claim_time`]).
    pub exp: Option<u64>,
    /// What [`verify`] says of the token at `now_s`.
    pub verdict: Result<(), Rejection>,
}

/// Decodes a token for display and judges it as [`verify`] would. `Err`
/// only when it cannot even be [`split`]; every other problem is in the
/// [`Inspection::verdict`].
pub fn inspect(token: &str, keys: &[Key], now_s: u64) -> Result<Inspection, Rejection> {
    let parts = split(token)?;
    let payload = Json::parse(&parts.payload_json).ok();
    let claim = |k: &str| payload.as_ref().and_then(|p| claim_time(k, p.get(k)?).ok());
    Ok(Inspection {
        iat: claim("iat"),
        exp: claim("exp"),
        verdict: verify(token, keys, now_s).map(drop),
        header_json: parts.header_json,
        payload_json: parts.payload_json,
    })
}

/// An edit a user makes to a token by hand, keeping the old signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenEdit {
    /// Set one payload claim (`role` → `admin`); the signature is left as it was.
    Claim {
        /// The claim's name (`role`, `exp`…); added if missing.
        name: String,
        /// The new value: a JSON number if it parses as a `u64`, else a string.
        value: String,
    },
    /// Rewrite the header to `{"alg":"none"}` and drop the signature.
    AlgNone,
    /// Replace the whole credential with text typed by hand.
    Set {
        /// The replacement, sent as typed (see [`TokenEdit::check`]).
        value: String,
    },
    /// Replace the refresh token in its cookie (refresh lanes) with text
    /// typed by hand: a forged one, or an older one copied back.
    SetRefresh {
        /// The replacement, sent as typed (see [`TokenEdit::check`]).
        value: String,
    },
}

impl TokenEdit {
    /// A credential typed by hand must be sendable in a header: visible
    /// ASCII without the separators a cookie value may not hold.
    pub fn check(&self) -> Result<(), String> {
        match self {
            TokenEdit::Set { value } | TokenEdit::SetRefresh { value } if value.is_empty() => {
                Err("the edited credential is empty".into())
            }
            TokenEdit::Set { value } | TokenEdit::SetRefresh { value } => match value.chars().position(|c| !c.is_ascii_graphic() || ";,\"\\".contains(c)) {
                Some(i) => Err(format!("character {} of the edited credential is not allowed in a header or cookie (use visible ASCII, without ; , \" or \\)", i.saturating_add(1))),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// Applies an edit to a token's text. Fails only on tokens that do not split
/// into three base64url JSON parts.
pub fn tamper(token: &str, edit: &TokenEdit) -> Result<String, Rejection> {
    split(token)?;
    let mut segs: Vec<String> = token.split('.').map(str::to_owned).collect();
    match edit {
        TokenEdit::Claim { name, value } => {
            segs[1] = set_field(&segs[1], name, value).ok_or(Rejection::Malformed("payload is not a JSON object"))?;
        }
        TokenEdit::AlgNone => {
            segs[0] = crate::wire::b64::encode(br#"{"alg":"none","typ":"JWT"}"#);
            segs[2].clear();
        }
        TokenEdit::Set { value } | TokenEdit::SetRefresh { value } => return Ok(value.clone()),
    }
    Ok(segs.join("."))
}

/// Sets one field of a base64url-encoded JSON object, as a hand edit would.
/// Numbers stay numbers (`exp`); anything else becomes a string.
pub fn set_field(b64_object: &str, name: &str, value: &str) -> Option<String> {
    let bytes = crate::wire::b64::decode(b64_object)?;
    let Json::Obj(mut members) = Json::parse(std::str::from_utf8(&bytes).ok()?).ok()? else {
        return None;
    };
    let v = if value.parse::<u64>().is_ok() { Json::Num(value.to_owned()) } else { Json::Str(value.to_owned()) };
    // Edited in place, as a hand edit would keep the members' order.
    match members.iter_mut().find(|(k, _)| k == name) {
        Some((_, old)) => *old = v,
        None => members.push((name.to_owned(), v)),
    }
    Some(b64_text(&Json::Obj(members).to_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            sub: "alice".into(),
            name: "Alice".into(),
            role: "user".into(),
            iat: 1_768_467_600,
            exp: 1_768_468_500,
            nbf: None,
            jti: "j1".into(),
            sid: None,
        }
    }

    /// RFC 7515 Appendix A.1: the HS256 example, byte for byte.
    #[test]
    fn rfc7515_a1_vector() {
        let key_b64 = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
        let key_bytes = crate::wire::b64::decode(key_b64).unwrap();
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let mut mac = hmac_for(&key_bytes);
        mac.update(input.as_bytes());
        assert_eq!(
            crate::wire::b64::encode(&mac.finalize().into_bytes()),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn round_trip_and_rejections() {
        let k1 = Key::new("k1", "fleet-secret");
        let fleet = std::slice::from_ref(&k1);
        let token = encode(&claims(), &k1, false);
        let (c, h) = verify(&token, fleet, 1_768_467_700).unwrap();
        assert_eq!(c, claims());
        assert_eq!(h.kid, None);

        let admin = tamper(&token, &TokenEdit::Claim { name: "role".into(), value: "admin".into() }).unwrap();
        assert!(split(&admin).unwrap().payload_json.contains("\"role\":\"admin\""));
        assert_eq!(verify(&admin, fleet, 1_768_467_700), Err(Rejection::BadSignature));
        let none = tamper(&token, &TokenEdit::AlgNone).unwrap();
        assert!(none.ends_with('.'));
        assert_eq!(verify(&none, fleet, 1_768_467_700), Err(Rejection::AlgNone));
        assert_eq!(
            verify(&token, fleet, 1_768_468_530).unwrap_err(),
            Rejection::Expired { exp: 1_768_468_500, now: 1_768_468_530 }
        );
        assert!(verify(&token, fleet, 1_768_468_529).is_ok(), "leeway applies");
        assert_eq!(verify(&token, &[Key::new("k1", "other")], 1_768_467_700), Err(Rejection::BadSignature));
        assert_eq!(
            verify(&token, &[Key::new("k2", "fleet-secret")], 1_768_467_700),
            Err(Rejection::UnknownKey("k1".into()))
        );
        assert!(matches!(verify("a.b", fleet, 0), Err(Rejection::Malformed(_))));
        assert!(matches!(verify("!!.b.c", fleet, 0), Err(Rejection::Malformed(_))));
    }

    #[test]
    fn inspection_reads_claims_and_gives_the_verdict() {
        let k1 = Key::new("k1", "s");
        let token = encode(&claims(), &k1, false);
        let i = inspect(&token, std::slice::from_ref(&k1), 1_768_467_700).unwrap();
        assert_eq!((i.iat, i.exp, i.verdict.clone()), (Some(1_768_467_600), Some(1_768_468_500), Ok(())));
        assert!(i.payload_json.starts_with("{\"sub\":\"alice\""));
        let late = inspect(&token, &[k1], 1_768_469_000).unwrap();
        assert!(matches!(late.verdict, Err(Rejection::Expired { .. })));
        assert!(inspect("nope", &[], 0).is_err());
    }

    #[test]
    fn kid_selects_the_key() {
        let (k1, k2) = (Key::new("k1", "one"), Key::new("k2", "two"));
        let t = encode(&claims(), &k2, true);
        assert!(split(&t).unwrap().header_json.contains("\"kid\":\"k2\""));
        assert!(verify(&t, &[k1.clone(), k2], 1_768_467_700).is_ok());
        assert_eq!(verify(&t, &[k1], 1_768_467_700), Err(Rejection::UnknownKey("k2".into())));
    }

    /// An independent implementation accepts our tokens with the key's text.
    #[test]
    fn jsonwebtoken_verifies_our_tokens() {
        let key = Key::new("k1", "statelab-fleet-key");
        let token = encode(&Claims { exp: 4_000_000_000, ..claims() }, &key, false);
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        v.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &jsonwebtoken::DecodingKey::from_secret(key.secret.as_bytes()),
            &v,
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "alice");
        let forged = tamper(&token, &TokenEdit::Claim { name: "role".into(), value: "admin".into() }).unwrap();
        assert!(jsonwebtoken::decode::<serde_json::Value>(
            &forged,
            &jsonwebtoken::DecodingKey::from_secret(key.secret.as_bytes()),
            &v
        )
        .is_err());
    }

    /// A token signed with the fleet key whose payload is `payload`, verbatim.
    fn signed(payload: &str, key: &Key) -> String {
        let input = format!("{}.{}", b64_text(r#"{"alg":"HS256","typ":"JWT"}"#), b64_text(payload));
        let sig = crate::wire::b64::encode(&key.sign(&input));
        format!("{input}.{sig}")
    }

    #[test]
    fn absurd_times_are_refused_alike_by_the_server_and_the_decoder() {
        let k1 = Key::new("k1", "s");
        let fleet = std::slice::from_ref(&k1);
        let now = 1_768_467_700;
        for (field, value) in [("exp", u64::MAX), ("exp", MAX_SECS + 1), ("iat", u64::MAX)] {
            let mut c = Claims { nbf: None, ..claims() };
            match field {
                "exp" => c.exp = value,
                _ => c.iat = value,
            }
            let token = encode(&c, &k1, false);
            let refusal = verify(&token, fleet, now).unwrap_err();
            assert_eq!(
                refusal,
                Rejection::BadClaims(format!(
                    "`{field}` is not a valid time (whole seconds from 1970 to the end of 9999)"
                ))
            );
            let seen = inspect(&token, fleet, now).unwrap();
            assert_eq!(seen.verdict, Err(refusal));
            assert_eq!(
                if field == "exp" { seen.exp } else { seen.iat },
                None,
                "the decoder shows no date it cannot mean"
            );
        }
        let nbf = encode(&Claims { nbf: Some(u64::MAX), ..claims() }, &k1, false);
        assert!(
            matches!(verify(&nbf, fleet, now), Err(Rejection::BadClaims(e)) if e.contains("`nbf` is not a valid time"))
        );
        let last = encode(&Claims { exp: MAX_SECS, ..claims() }, &k1, false);
        assert!(verify(&last, fleet, now).is_ok(), "the last second of 9999 is a time");
        assert_eq!(inspect(&last, fleet, now).unwrap().exp, Some(MAX_SECS));
        for payload in
            [r#"{"exp":-1}"#, r#"{"exp":1e308}"#, r#"{"exp":"1768468500"}"#, r#"{"exp":184467440737095516150}"#]
        {
            let t = signed(payload, &k1);
            assert!(matches!(verify(&t, fleet, now), Err(Rejection::BadClaims(_))), "{payload}");
            assert_eq!(inspect(&t, fleet, now).unwrap().exp, None, "{payload}");
        }
    }

    #[test]
    fn clocks_at_their_ends_do_not_wrap() {
        let k1 = Key::new("k1", "s");
        let token = encode(&Claims { nbf: Some(MAX_SECS), ..claims() }, &k1, false);
        assert!(matches!(verify(&token, std::slice::from_ref(&k1), u64::MAX), Err(Rejection::Expired { .. })));
        assert!(matches!(verify(&token, &[k1], 0), Err(Rejection::NotYetValid { .. })));
        let far = Rejection::Expired { exp: 0, now: u64::MAX }.to_string();
        assert!(far.contains("5124095576030431 h"), "{far}");
        assert!(Rejection::Expired { exp: u64::MAX, now: 0 }.to_string().contains("expired 0 s ago"));
        assert!(Rejection::NotYetValid { nbf: 0, now: u64::MAX }.to_string().contains("another 0 s"));
    }

    #[test]
    fn oversized_tokens_are_refused_unread() {
        let k1 = Key::new("k1", "s");
        let fleet = std::slice::from_ref(&k1);
        // 50,000 members: quadratic duplicate checks made this cost seconds.
        let mut payload = claims().to_json();
        payload.pop();
        for i in 0..50_000 {
            payload.push_str(&format!(",\"k{i}\":0"));
        }
        payload.push('}');
        let token = signed(&payload, &k1);
        let too_big = Rejection::Malformed("token is over 8 KiB; servers refuse credentials that large unread");
        assert_eq!(verify(&token, fleet, 0), Err(too_big.clone()));
        assert_eq!(inspect(&token, fleet, 0), Err(too_big));
        let limit = "a".repeat(MAX_TOKEN_BYTES);
        assert!(matches!(verify(&limit, fleet, 0), Err(Rejection::Malformed(why)) if why.contains("three")));
    }

    #[test]
    fn refusals_quote_what_the_token_carried() {
        let alg = Rejection::WrongAlg(format!("\u{202E}{}", "x".repeat(100))).to_string();
        assert!(alg.contains("\\u{202e}") && alg.contains('…') && alg.len() < 150, "{alg}");
    }

    proptest::proptest! {
        /// The memo is invisible: over any run of requests — the same token
        /// again, a tampered one, another user's, across key rotations (a
        /// key retired, a kid reused with another secret) and a clock that
        /// passes `exp` — it answers exactly as verifying afresh does.
        #[test]
        fn the_memo_answers_as_verify_does(
            steps in proptest::collection::vec((0usize..5, 0usize..4, 1_768_467_000u64..1_768_470_000), 1..40)
        ) {
            let (k1, k1b, k2) = (Key::new("k1", "one"), Key::new("k1", "other"), Key::new("k2", "two"));
            let alice = encode(&claims(), &k1, false);
            let tokens = [
                alice.clone(),
                encode(&Claims { sub: "bob".into(), exp: 1_768_469_000, ..claims() }, &k2, true),
                tamper(&alice, &TokenEdit::Claim { name: "role".into(), value: "admin".into() }).unwrap(),
                encode(&claims(), &k1b, false),
                "not.a.token".into(),
            ];
            let fleets = [vec![k1.clone()], vec![k1.clone(), k2.clone()], vec![k2], vec![k1b]];
            let mut memo = Memo::default();
            for (t, f, now) in steps {
                proptest::prop_assert_eq!(memo.verify(&tokens[t], &fleets[f], now), verify(&tokens[t], &fleets[f], now));
            }
        }
    }
}
