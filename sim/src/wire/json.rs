//! Just enough JSON (RFC 8259) for JWT claims, request bodies and session
//! state: a strict parser and a writer. Numbers stay as their text, so no
//! float formatting code reaches the wasm bundle; serde_json cost ~30 KB
//! there. Tests hold both halves to serde_json.
//!
//! Input is hostile (tokens, cookies, typed bodies): nesting is bounded, the
//! duplicate-name check is n·log n, and offsets use checked arithmetic.
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write;

/// A JSON value (RFC 8259 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number as written (already checked against the JSON grammar).
    Num(String),
    /// A string, unescaped (surrogate pairs joined; lone surrogates refused).
    Str(String),
    /// An array, items in order.
    Arr(Vec<Json>),
    /// Members in document order; duplicate names are refused while parsing.
    Obj(Vec<(String, Json)>),
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

impl Json {
    /// Parses one JSON text strictly: nothing but whitespace around the
    /// value, no duplicate member names, nesting bounded. The error says what
    /// went wrong and at which byte.
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut p = Parser::new(text);
        let v = p.value(0)?;
        p.end()?;
        Ok(v)
    }

    /// An object's member called `key`; `None` if absent or not an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The string, moved out.
    pub fn into_string(self) -> Option<String> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number as a `u64`, if it is written as a plain non-negative
    /// integer that fits (`1.0`, `1e3` and `-0` are not).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// A required string member, with the error serde would give.
    pub fn str_field(&self, key: &str) -> Result<String, String> {
        self.get(key)
            .and_then(Json::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("missing or non-string field `{key}`"))
    }

    /// A required integer member (see [`Json::as_u64`]), with the error serde
    /// would give.
    pub fn u64_field(&self, key: &str) -> Result<u64, String> {
        self.get(key).and_then(Json::as_u64).ok_or_else(|| format!("missing or non-integer field `{key}`"))
    }

    /// Appends the value as compact JSON (no whitespace), members in order,
    /// strings escaped as by [`write_str`].
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_str(out, s),
            Json::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The value as compact JSON text (see [`Json::write`]).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// A JSON string literal, escaped exactly as serde_json escapes it.
pub fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len().saturating_add(2));
    out.push('"');
    // Copy runs that need no escape whole: every byte that does is ASCII, so
    // the run boundaries are always char boundaries.
    let bytes = s.as_bytes();
    let mut run = 0;
    while let Some(at) = bytes[run..].iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        let i = run.saturating_add(at);
        out.push_str(&s[run..i]);
        match bytes[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        run = i.saturating_add(1);
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// The length `write_str` gives `s`, without writing it.
pub fn str_len(s: &str) -> usize {
    let escapes: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0..0x20 => 5,
            _ => 0,
        })
        .sum();
    s.len().saturating_add(escapes).saturating_add(2)
}

/// A JSON array of strings: `["a","b"]`.
pub fn write_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, s);
    }
    out.push(']');
}

/// Builds an object member by member, in order: `{"a":"x","n":1}`.
pub struct ObjectWriter(String);

impl ObjectWriter {
    /// An empty object, ready for members.
    pub fn new() -> ObjectWriter {
        // Room for a typical response body, so building one rarely reallocates.
        let mut out = String::with_capacity(128);
        out.push('{');
        ObjectWriter(out)
    }

    fn key(&mut self, k: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_str(&mut self.0, k);
        self.0.push(':');
    }

    /// Adds a string member `"k":"v"`.
    pub fn str(mut self, k: &str, v: &str) -> Self {
        self.key(k);
        write_str(&mut self.0, v);
        self
    }

    /// Adds a number member `"k":v`.
    pub fn num(mut self, k: &str, v: u64) -> Self {
        self.key(k);
        let _ = write!(self.0, "{v}");
        self
    }

    /// Adds a member whose value is JSON already written (`"k":{…}`); the
    /// caller vouches that `json` is one well-formed value.
    pub fn raw(mut self, k: &str, json: &str) -> Self {
        self.key(k);
        self.0.push_str(json);
        self
    }

    /// Adds a member holding an array of strings: `"k":["a","b"]`.
    pub fn strs(mut self, k: &str, items: &[String]) -> Self {
        self.key(k);
        write_list(&mut self.0, items);
        self
    }

    /// Closes the object and returns its text. Names are not checked for
    /// duplicates: the caller writes each once.
    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter::new()
    }
}

/// Parses a JSON object and hands each member to `f` as it is read, so a
/// caller can move values into its own struct without building the tree
/// (the JWT verifier does this on every request).
pub fn object_members(text: &str, mut f: impl FnMut(&str, Json) -> Result<(), String>) -> Result<(), String> {
    let mut p = Parser::new(text);
    p.ws();
    if !p.eat(b"{") {
        return p.err("expected a JSON object");
    }
    p.members(0, |k, v| f(&k, v))?;
    p.end()
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser { text, s: text.as_bytes(), i: 0 }
    }

    fn end(&mut self) -> Result<(), String> {
        self.ws();
        if self.i != self.s.len() {
            return Err(format!("unexpected text after the JSON value at byte {}", self.i));
        }
        Ok(())
    }

    /// The members of an object whose `{` was just read, through its `}`.
    fn members(
        &mut self,
        depth: usize,
        mut f: impl FnMut(Cow<'a, str>, Json) -> Result<(), String>,
    ) -> Result<(), String> {
        // Ordered, so finding a duplicate among n names costs n·log n.
        let mut seen: BTreeSet<Cow<'a, str>> = BTreeSet::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(());
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return self.err("expected a member name");
            }
            let k = self.string()?;
            if !seen.insert(k.clone()) {
                return self.err(&format!("duplicate member `{}`", quoted(&k)));
            }
            self.ws();
            if !self.eat(b":") {
                return self.err("expected `:`");
            }
            let v = self.value(depth.saturating_add(1))?;
            f(k, v)?;
            self.ws();
            if self.eat(b"}") {
                return Ok(());
            }
            if !self.eat(b",") {
                return self.err("expected `,` or `}`");
            }
        }
    }

    /// Moves past `n` bytes already looked at, so never past the input's end.
    fn bump(&mut self, n: usize) {
        self.i = self.i.saturating_add(n);
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump(1);
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.i))
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        let ok = self.s[self.i..].starts_with(lit);
        if ok {
            self.bump(lit.len());
        }
        ok
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return self.err("nested too deeply");
        }
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => {
                self.bump(1);
                let mut members = Vec::new();
                self.members(depth, |k, v| {
                    members.push((k.into_owned(), v));
                    Ok(())
                })?;
                Ok(Json::Obj(members))
            }
            Some(b'[') => {
                self.bump(1);
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth.saturating_add(1))?);
                    self.ws();
                    if self.eat(b"]") {
                        return Ok(Json::Arr(items));
                    }
                    if !self.eat(b",") {
                        return self.err("expected `,` or `]`");
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?.into_owned())),
            Some(b't') if self.eat(b"true") => Ok(Json::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Json::Bool(false)),
            Some(b'n') if self.eat(b"null") => Ok(Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.err("expected a JSON value"),
            None => self.err("unexpected end of input"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.s.get(self.i), Some(b'0'..=b'9')) {
            self.bump(1);
        }
        self.i.saturating_sub(start)
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        self.eat(b"-");
        match self.s.get(self.i) {
            Some(b'0') => self.bump(1),
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err("expected digits"),
        }
        if self.eat(b".") && self.digits() == 0 {
            return self.err("expected digits after `.`");
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.bump(1);
            if !self.eat(b"+") {
                self.eat(b"-");
            }
            if self.digits() == 0 {
                return self.err("expected exponent digits");
            }
        }
        // The grammar above admits only ASCII.
        Ok(Json::Num(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits =
            self.s.get(self.i..).and_then(|rest| rest.get(..4)).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        // Four hex digits are ASCII and fit a u32, so neither step can fail.
        match digits.and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => {
                self.bump(4);
                Ok(v)
            }
            None => self.err("expected four hex digits"),
        }
    }

    /// A string literal; borrowed from the input when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        self.bump(1); // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while matches!(self.s.get(self.i), Some(&b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.bump(1);
            }
            // We stopped at an ASCII byte (or the end), so this is a char boundary.
            let run = &self.text[start..self.i];
            match self.s.get(self.i) {
                Some(b'"') if out.is_empty() => {
                    self.bump(1);
                    return Ok(Cow::Borrowed(run));
                }
                Some(b'"') => {
                    self.bump(1);
                    out.push_str(run);
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(run);
                    self.bump(1);
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.bump(1);
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return self.err("lone leading surrogate");
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err("invalid trailing surrogate");
                                }
                                // The ranges above make these the low ten bits of each half.
                                0x10000 | (hi & 0x3FF) << 10 | (lo & 0x3FF)
                            } else {
                                hi
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| format!("lone trailing surrogate at byte {}", self.i))?,
                            );
                            continue;
                        }
                        _ => return self.err("invalid escape"),
                    };
                    self.bump(1);
                    out.push(c);
                }
                Some(_) => return self.err("control character in string"),
                None => return self.err("unterminated string"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to_serde(v: &Json) -> serde_json::Value {
        match v {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => (*b).into(),
            Json::Num(n) => serde_json::from_str(n).unwrap(),
            Json::Str(s) => s.clone().into(),
            Json::Arr(a) => a.iter().map(to_serde).collect(),
            Json::Obj(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
        }
    }

    #[test]
    fn parses_and_writes_objects_in_order() {
        let v = Json::parse(r#" {"sub":"alice","n":[1,-2.5e3,true,null],"s":"\u00e9\ud83d\ude00\n"} "#).unwrap();
        assert_eq!(v.str_field("sub").unwrap(), "alice");
        assert_eq!(v.get("s").unwrap().as_str(), Some("é😀\n"));
        assert_eq!(v.to_text(), "{\"sub\":\"alice\",\"n\":[1,-2.5e3,true,null],\"s\":\"é😀\\n\"}");
        assert_eq!(
            ObjectWriter::new().str("a", "x\"").num("n", 7).strs("l", &["p".into()]).finish(),
            r#"{"a":"x\"","n":7,"l":["p"]}"#
        );
    }

    #[test]
    fn refuses_what_rfc_8259_refuses() {
        for bad in [
            "",
            "{",
            "[1,]",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"\u{1}\"",
            "{\"a\" 1}",
            "\"\\ud800\"",
            "tru",
            "1 2",
            "{\"a\":1,\"a\":2}",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Json::parse(&"[".repeat(200)).is_err());
    }

    #[test]
    fn many_members_and_a_late_duplicate() {
        let mut text: String = (0..50_000).map(|i| format!(",\"k{i}\":{i}")).collect();
        text.replace_range(..1, "{");
        let parsed = Json::parse(&format!("{text}}}")).unwrap();
        assert_eq!(parsed.get("k49999").and_then(Json::as_u64), Some(49_999));
        let dup = Json::parse(&format!("{text},\"k0\":1}}")).unwrap_err();
        assert!(dup.starts_with("duplicate member `k0`"), "{dup}");
        let hostile = Json::parse(&format!("{{\"\u{202E}{}\":1,\"\u{202E}{0}\":2}}", "k".repeat(200))).unwrap_err();
        assert!(hostile.contains("\\u{202e}") && hostile.len() < 120, "duplicate names are quoted safely: {hostile}");
    }

    proptest! {
        #[test]
        fn accepts_exactly_what_serde_json_accepts(text in r#"[\[\]{}",:0-9a-z\\. eE+-]{0,24}"#) {
            let ours = Json::parse(&text);
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => prop_assert_eq!(&to_serde(a), b),
                (Err(e), Ok(_)) => prop_assert!(e.contains("duplicate"), "we refused {text:?}: {e}"),
                (Ok(_), Err(e)) => prop_assert!(e.to_string().contains("out of range"), "we accepted {text:?}: {e}"),
                (Err(_), Err(_)) => {}
            }
        }

        #[test]
        fn round_trips_serde_json_values(v in any::<Vec<(String, Option<u32>)>>()) {
            let value = serde_json::json!(v);
            let text = serde_json::to_string(&value).unwrap();
            let ours = Json::parse(&text).unwrap();
            prop_assert_eq!(to_serde(&ours), value);
            prop_assert_eq!(ours.to_text(), text);
        }

        #[test]
        fn strings_escape_like_serde_json(s in "\\PC*|[\u{0}-\u{1f}\"\\\\]{0,8}|[\u{0}-\u{1f}\"\\\\aé€😀]{0,12}") {
            let mut ours = String::new();
            write_str(&mut ours, &s);
            prop_assert_eq!(ours, serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn never_panics(text in "\\PC{0,64}") {
            let _ = Json::parse(&text);
        }
    }
}
