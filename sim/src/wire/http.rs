//! HTTP/1.1 messages as they travel: header order and case kept as sent, and
//! [`Request::to_wire`] / [`Response::to_wire`] give the exact bytes that are
//! shown and counted.
//!
//! [`parse_request`] reads text typed by hand, so positions and lengths use
//! checked or saturating arithmetic and messages quote input safely.
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use std::borrow::Cow;
use std::fmt::{self, Write};

/// Headers in the order they were written; names keep their case. Names and
/// fixed values the engine writes (`Host`, `Content-Type`, …) are static, so
/// building a message allocates only the values that vary: a 100,000-action
/// log holds 200,000 messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(Cow<'static, str>, Cow<'static, str>)>);

impl Headers {
    /// Appends a header after the others, keeping any of the same name.
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Cow<'static, str>>) {
        self.0.push((name.into(), value.into()));
    }

    /// First value of a header, matching the name case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
    }

    /// Every value of a header, in order, matching the name case-insensitively
    /// (a response may carry several `Set-Cookie`).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
    }

    /// Every `(name, value)` pair, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// Bytes of `Name: value\r\n` for every header called `name`.
    pub fn wire_len_of(&self, name: &str) -> usize {
        self.0.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(field_len).fold(0, usize::saturating_add)
    }

    fn wire_len(&self) -> usize {
        self.0.iter().map(field_len).fold(0, usize::saturating_add)
    }

    fn write_to(&self, out: &mut String) {
        for (n, v) in &self.0 {
            let _ = write!(out, "{n}: {v}\r\n");
        }
    }
}

/// Bytes of one `Name: value\r\n` line.
fn field_len((name, value): &(Cow<'static, str>, Cow<'static, str>)) -> usize {
    name.len().saturating_add(value.len()).saturating_add(4)
}

/// Lengths of parts of one message, summed; they are in memory, so the sum
/// cannot really overflow, but a saturating sum keeps that obvious.
fn total(parts: &[usize]) -> usize {
    parts.iter().fold(0, |a, &b| a.saturating_add(b))
}

/// An HTTP/1.1 request (RFC 9112 §3): request line, header fields and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method token as sent (`GET`, `POST`…), case kept.
    pub method: String,
    /// The request-target as sent: path and query.
    pub target: String,
    /// The header fields, in order.
    pub headers: Headers,
    /// The body as text, exactly its bytes on the wire; empty for none.
    pub body: String,
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: &str, target: impl Into<String>) -> Request {
        Request { method: method.to_owned(), target: target.into(), headers: Headers::default(), body: String::new() }
    }

    /// The target without its query: everything before the first `?`.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A query parameter's raw value (`page` in `/api/orders?page=3`).
    pub fn query(&self, key: &str) -> Option<&str> {
        let (_, q) = self.target.split_once('?')?;
        q.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The token sent as `Authorization: Bearer …`, if any.
    pub fn bearer_token(&self) -> Option<&str> {
        self.headers.get("Authorization")?.strip_prefix("Bearer ")
    }

    /// The exact bytes sent: `METHOD target HTTP/1.1` and each header line,
    /// each ending in CRLF, an empty line, then the body as is.
    pub fn to_wire(&self) -> String {
        let mut out = String::with_capacity(self.wire_len());
        let _ = write!(out, "{} {} HTTP/1.1\r\n", self.method, self.target);
        self.headers.write_to(&mut out);
        out.push_str("\r\n");
        out.push_str(&self.body);
        out
    }

    /// `to_wire().len()` without building the text.
    pub fn wire_len(&self) -> usize {
        total(&[self.method.len(), 1, self.target.len(), 11, self.headers.wire_len(), 2, self.body.len()])
    }
}

/// An HTTP/1.1 response (RFC 9112 §4): status line, header fields and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The three-digit status code (`200`, `401`, `502`…).
    pub status: u16,
    /// The header fields, in order.
    pub headers: Headers,
    /// The body as text, exactly its bytes on the wire; empty for none.
    pub body: String,
}

impl Response {
    /// The status line's reason phrase, from [`reason_phrase`].
    pub fn reason(&self) -> &'static str {
        reason_phrase(self.status)
    }

    /// The exact bytes sent: `HTTP/1.1 status reason` and each header line,
    /// each ending in CRLF, an empty line, then the body as is.
    pub fn to_wire(&self) -> String {
        let mut out = String::with_capacity(self.wire_len());
        let _ = write!(out, "HTTP/1.1 {} {}\r\n", self.status, self.reason());
        self.headers.write_to(&mut out);
        out.push_str("\r\n");
        out.push_str(&self.body);
        out
    }

    /// The token or API key a response hands out (`{"token": "…"}`,
    /// `{"api_key": "…"}`), if any.
    pub fn issued_token(&self) -> Option<String> {
        self.issued().map(|(token, _)| token)
    }

    /// The token or API key a response hands out, with its `expires_in`
    /// (seconds) when the body gives one.
    pub fn issued(&self) -> Option<(String, Option<u64>)> {
        let (mut token, mut expires_in) = (None, None);
        crate::wire::json::object_members(&self.body, |k, v| {
            match k {
                "token" | "api_key" => token = v.into_string(),
                "expires_in" => expires_in = v.as_u64(),
                _ => {}
            }
            Ok(())
        })
        .ok()?;
        Some((token?, expires_in))
    }

    /// `to_wire().len()` without building the text (for a three-digit status).
    pub fn wire_len(&self) -> usize {
        total(&[13, self.reason().len(), 2, self.headers.wire_len(), 2, self.body.len()])
    }
}

/// A message's wire text as display lines: the head's lines, the blank
/// line that ends it, then the body's lines (none for an empty body).
pub fn wire_lines(wire: &str) -> impl Iterator<Item = &str> {
    let (head, body) = wire.split_once("\r\n\r\n").unwrap_or((wire, ""));
    let body_lines = body.split("\r\n").filter(move |_| !body.is_empty());
    head.split("\r\n").chain(std::iter::once("")).chain(body_lines)
}

/// The reason phrase for the status codes the simulation sends (RFC 9110
/// §15, and RFC 6585 for 429 and 431); `Unknown` for any other.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        206 => "Partial Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Why hand-typed request text is not a valid HTTP/1.1 request, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the typed text.
    pub line: u32,
    /// 1-based column (in characters) on that line.
    pub column: u32,
    /// What is wrong, in the learner's words, often with how to fix it.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

const MAX_HEADERS: usize = 64;

/// Parses a request typed by hand. Lines may end in LF or CRLF (a text box
/// gives LF; the wire needs CRLF, so it is normalised). The blank line after
/// the headers may be left out when there is no body. `httparse` has the last
/// word on syntax; the line-by-line checks before it exist to say *where*
/// the text goes wrong, which `httparse` does not report.
///
/// Framing is held to RFC 9112: exactly one `Host` (§3.2); a body only with
/// one `Content-Length` of 1*DIGIT (§6.3), so no two of them, even equal
/// ones; no `Transfer-Encoding` at all, since the simulation implements no
/// transfer coding, and never beside `Content-Length` (request smuggling).
pub fn parse_request(text: &str) -> Result<Request, ParseError> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let blank = lines.iter().position(|l| l.is_empty());
    let (head, body_lines) = match blank {
        Some(i) => lines.split_at(i),
        None => (&lines[..], &[][..]),
    };
    let body_lines = body_lines.get(1..).unwrap_or_default();
    let Some((request_line, header_lines)) = head.split_first() else {
        return Err(err(1, 1, "empty request: start with a request line such as `GET /api/me HTTP/1.1`"));
    };
    check_request_line(request_line)?;
    if header_lines.len() > MAX_HEADERS {
        return Err(err(pos(MAX_HEADERS.saturating_add(1)), 1, format!("more than {MAX_HEADERS} headers")));
    }
    let fields = header_lines
        .iter()
        .enumerate()
        .map(|(i, line)| check_header_line(line, pos(i.saturating_add(1))))
        .collect::<Result<Vec<_>, _>>()?;
    let body = body_lines.join("\r\n");

    let mut wire = head.join("\r\n");
    wire.push_str("\r\n\r\n");
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut slots);
    match parsed.parse(wire.as_bytes()) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(err(1, 1, "the request is incomplete")),
        Err(e) => return Err(err(1, 1, format!("not HTTP/1.1: {e}"))),
    }
    let content_length = check_framing(&fields, pos(head.len()))?;
    let mut req = Request::new(parsed.method.unwrap_or("GET"), parsed.path.unwrap_or("/"));
    for h in parsed.headers.iter() {
        // Checked above to be visible ASCII, so this conversion cannot fail.
        req.headers.push(h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned());
    }
    let body_line = pos(head.len().saturating_add(1));
    match content_length {
        Some(n) if n != body.len() => {
            return Err(err(body_line, 1, format!("Content-Length says {n} bytes but the body has {}", body.len())));
        }
        None if !body.is_empty() => return Err(err(body_line, 1, "a body needs a Content-Length header")),
        _ => {}
    }
    req.body = body;
    Ok(req)
}

/// A header line as typed, with where its value starts.
struct Field<'a> {
    line: u32,
    name: &'a str,
    /// The value without surrounding spaces or tabs.
    value: &'a str,
    /// 1-based column of the value's first character.
    value_column: u32,
}

impl Field<'_> {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Host and message framing; `Ok(Some(n))` when the request declares a
/// Content-Length of `n`. A missing header is reported on `after_head`, the
/// line after the last header, where it would go.
fn check_framing(fields: &[Field<'_>], after_head: u32) -> Result<Option<usize>, ParseError> {
    let mut hosts = fields.iter().filter(|f| f.is("Host"));
    if hosts.next().is_none() {
        return Err(err(
            after_head,
            1,
            "HTTP/1.1 requires a Host header (RFC 9112 §3.2); add one such as `Host: shop.example`",
        ));
    }
    if let Some(second) = hosts.next() {
        return Err(err(second.line, 1, "a second Host header: HTTP/1.1 allows exactly one (RFC 9112 §3.2)"));
    }
    let mut lengths = fields.iter().filter(|f| f.is("Content-Length"));
    if let Some(te) = fields.iter().find(|f| f.is("Transfer-Encoding")) {
        return Err(match lengths.next() {
            Some(_) => err(
                te.line,
                1,
                "Transfer-Encoding beside Content-Length: servers that disagree on which frames the body \
                 can be smuggled a second request (RFC 9112 §6.1); send only Content-Length",
            ),
            None => err(
                te.line,
                te.value_column,
                format!(
                    "Transfer-Encoding `{}` is not simulated: no transfer coding is; send the body with Content-Length",
                    quoted(te.value)
                ),
            ),
        });
    }
    let Some(first) = lengths.next() else { return Ok(None) };
    let n = content_length(first)?;
    if let Some(second) = lengths.next() {
        let why = if second.value == first.value {
            "Content-Length is repeated; send it once"
        } else {
            "a second Content-Length with another value: which one frames the body is how requests get smuggled (RFC 9112 §6.3)"
        };
        return Err(err(second.line, 1, why));
    }
    Ok(Some(n))
}

/// `Content-Length` is 1*DIGIT (RFC 9110 §8.6): no sign, no spaces, no hex,
/// and no list of values.
fn content_length(f: &Field<'_>) -> Result<usize, ParseError> {
    let not_digits = || format!("Content-Length must be a number of bytes in digits only, not `{}`", quoted(f.value));
    if f.value.is_empty() {
        return Err(err(f.line, f.value_column, not_digits()));
    }
    if let Some(i) = f.value.bytes().position(|b| !b.is_ascii_digit()) {
        let column = f.value_column.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        return Err(err(f.line, column, not_digits()));
    }
    f.value
        .parse()
        .map_err(|_| err(f.line, f.value_column, format!("Content-Length `{}` is too large", quoted(f.value))))
}

/// A 0-based count as a 1-based line or column, saturating on absurd text.
fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1)
}

fn err(line: u32, column: u32, message: impl Into<String>) -> ParseError {
    ParseError { line, column, message: message.into() }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn check_request_line(line: &str) -> Result<(), ParseError> {
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("");
    if method.is_empty() {
        return Err(err(1, 1, "the request line must start with a method such as GET or POST"));
    }
    if let Some(p) = method.chars().position(|c| !is_tchar(c)) {
        return Err(err(1, pos(p), format!("`{}` is not a valid method name", quoted(method))));
    }
    // Methods and targets are checked to be ASCII before their length counts.
    let target_col = pos(method.len().saturating_add(1));
    let target =
        parts.next().ok_or_else(|| err(1, target_col, "a path must follow the method, e.g. `GET /api/me HTTP/1.1`"))?;
    if !target.starts_with('/') {
        return Err(err(1, target_col, format!("the path must start with `/`, found `{}`", quoted(target))));
    }
    if let Some(p) = target.chars().position(|c| !c.is_ascii_graphic()) {
        return Err(err(
            1,
            pos(method.len().saturating_add(1).saturating_add(p)),
            "the path may not contain spaces or control characters",
        ));
    }
    let version_at = method.len().saturating_add(target.len()).saturating_add(2);
    let version_col = pos(version_at);
    match parts.next() {
        Some("HTTP/1.1") => {}
        Some("HTTP/1.0") => return Err(err(1, version_col, "HTTP/1.0 is not simulated; write HTTP/1.1")),
        Some(v) => return Err(err(1, version_col, format!("expected `HTTP/1.1`, found `{}`", quoted(v)))),
        None => return Err(err(1, version_col, "the request line must end with `HTTP/1.1`")),
    }
    if parts.next().is_some() {
        return Err(err(1, pos(version_at.saturating_add(8)), "unexpected text after `HTTP/1.1`"));
    }
    Ok(())
}

fn check_header_line(line: &str, n: u32) -> Result<Field<'_>, ParseError> {
    if line.starts_with([' ', '\t']) {
        return Err(err(n, 1, "folded header lines (starting with a space) are obsolete; put the header on one line"));
    }
    let Some((name, raw)) = line.split_once(':') else {
        return Err(err(n, 1, format!("a header needs `Name: value`, found `{}`", quoted(line))));
    };
    if name.is_empty() {
        return Err(err(n, 1, "the header name is missing before `:`"));
    }
    if let Some(p) = name.chars().position(|c| !is_tchar(c)) {
        return Err(err(n, pos(p), format!("`{}` is not a valid header name (no spaces or separators)", quoted(name))));
    }
    // The name is ASCII (tchar), so its length in bytes is its width in columns.
    let raw_at = name.len().saturating_add(1);
    if let Some(p) = raw.chars().position(|c| !(c == ' ' || c == '\t' || c.is_ascii_graphic())) {
        return Err(err(
            n,
            pos(raw_at.saturating_add(p)),
            "header values must be visible ASCII (no control or non-ASCII characters)",
        ));
    }
    let value = raw.trim_start_matches([' ', '\t']);
    let value_column = pos(raw_at.saturating_add(raw.len().saturating_sub(value.len())));
    Ok(Field { line: n, name, value: value.trim_end_matches([' ', '\t']), value_column })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_text_keeps_order_and_case_and_length_matches() {
        let mut r = Request::new("POST", "/login");
        r.headers.push("Host", "shop.example");
        r.headers.push("content-type", "application/json");
        r.body = "{}".into();
        r.headers.push("Content-Length", "2");
        let wire = r.to_wire();
        assert_eq!(wire, "POST /login HTTP/1.1\r\nHost: shop.example\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        assert_eq!(wire.len(), r.wire_len());
        let resp = Response { status: 401, headers: r.headers.clone(), body: "no".into() };
        assert_eq!(resp.to_wire().len(), resp.wire_len());
        assert!(resp.to_wire().starts_with("HTTP/1.1 401 Unauthorized\r\n"));
    }

    #[test]
    fn finds_tokens_sent_and_issued() {
        let req = parse_request("GET / HTTP/1.1\nHost: a\nAuthorization: Bearer abc.def.ghi").unwrap();
        assert_eq!(req.bearer_token(), Some("abc.def.ghi"));
        assert_eq!(parse_request("GET / HTTP/1.1\nHost: a\nAuthorization: Basic eA==").unwrap().bearer_token(), None);
        let issued =
            |body: &str| Response { status: 200, headers: Headers::default(), body: body.into() }.issued_token();
        assert_eq!(issued(r#"{"token":"t.u.v","expires_in":900}"#).as_deref(), Some("t.u.v"));
        assert_eq!(issued(r#"{"api_key":"sk_1","key_id":"key_1"}"#).as_deref(), Some("sk_1"));
        assert_eq!(issued(r#"{"user":"alice"}"#), None);
        assert_eq!(issued("not json"), None);
    }

    #[test]
    fn wire_lines_show_one_blank_line_and_the_body() {
        assert_eq!(
            wire_lines("GET / HTTP/1.1\r\nHost: a\r\n\r\n").collect::<Vec<_>>(),
            ["GET / HTTP/1.1", "Host: a", ""]
        );
        assert_eq!(wire_lines("POST / HTTP/1.1\r\n\r\n{}").collect::<Vec<_>>(), ["POST / HTTP/1.1", "", "{}"]);
    }

    #[test]
    fn parses_typed_requests_with_lf_and_optional_blank_line() {
        let r = parse_request("GET /api/orders?page=3 HTTP/1.1\nHost: shop.example\nCookie: session_id=abc").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.query("page"), Some("3"));
        assert_eq!(r.headers.get("cookie"), Some("session_id=abc"));
        let p = parse_request("POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}").unwrap();
        assert_eq!(p.body, "{}");
    }

    #[test]
    fn errors_say_where() {
        let e = |t: &str| parse_request(t).unwrap_err();
        assert_eq!((e("").line, e("").column), (1, 1));
        let bad_version = e("GET / HTTP/2\nHost: a");
        assert_eq!((bad_version.line, bad_version.column), (1, 7));
        let bad_header = e("GET / HTTP/1.1\nHost: a\nBad Header: x");
        assert_eq!((bad_header.line, bad_header.column), (3, 4));
        let no_colon = e("GET / HTTP/1.1\nHost a");
        assert_eq!(no_colon.line, 2);
        let short = e("POST /login HTTP/1.1\nHost: a\nContent-Length: 10\n\n{}");
        assert_eq!(short.line, 5);
        assert!(short.message.contains("10"));
        assert_eq!(e("GET api HTTP/1.1").column, 5);
        assert!(e("GET / HTTP/1.1\nX: caf\u{e9}").message.contains("ASCII"));
    }

    /// Where an error points: (line, column), and a word of its message.
    fn refused(text: &str) -> (u32, u32, String) {
        let e = parse_request(text).unwrap_err();
        (e.line, e.column, e.message)
    }

    #[test]
    fn http11_needs_exactly_one_host() {
        let (line, column, why) = refused("GET /api/me HTTP/1.1\nAccept: */*");
        assert_eq!((line, column), (3, 1), "where the Host header belongs");
        assert!(why.contains("requires a Host"), "{why}");
        let (line, column, why) = refused("GET / HTTP/1.1\nHost: a\nAccept: */*\nhost: b");
        assert_eq!((line, column), (4, 1));
        assert!(why.contains("second Host"), "{why}");
        assert!(parse_request("GET / HTTP/1.1\nhOsT: shop.example").is_ok(), "names are case-insensitive");
    }

    #[test]
    fn content_length_is_digits_only() {
        for (value, column) in [("+2", 17), ("-1", 17), ("2 2", 18), ("0x2", 18), ("2, 2", 18), ("", 17)] {
            let text = format!("POST / HTTP/1.1\nHost: a\nContent-Length: {value}\n\n{{}}");
            let (line, col, why) = refused(&text);
            assert_eq!((line, col), (3, column), "{value:?}: {why}");
            assert!(why.contains("digits only"), "{value:?}: {why}");
        }
        let (line, column, _) = refused("POST / HTTP/1.1\nHost: a\nContent-Length:\t 2 2\n\n{}");
        assert_eq!((line, column), (3, 19), "columns count the spaces before the value");
        let huge = refused("POST / HTTP/1.1\nHost: a\nContent-Length: 99999999999999999999999\n\n{}");
        assert!(huge.2.contains("too large"), "{}", huge.2);
        assert!(parse_request("POST / HTTP/1.1\nHost: a\nContent-Length:  2 \n\n{}").is_ok(), "OWS around it is fine");
    }

    #[test]
    fn smuggling_shapes_are_refused_at_the_header() {
        let (line, column, why) = refused("POST / HTTP/1.1\nHost: a\nContent-Length: 2\nContent-Length: 5\n\n{}");
        assert_eq!((line, column), (4, 1));
        assert!(why.contains("another value"), "{why}");
        let (line, _, why) = refused("POST / HTTP/1.1\nHost: a\nContent-Length: 2\ncontent-length: 2\n\n{}");
        assert_eq!(line, 4, "identical duplicates are refused too");
        assert!(why.contains("repeated"), "{why}");
        let (line, column, why) =
            refused("POST / HTTP/1.1\nHost: a\nContent-Length: 2\nTransfer-Encoding: chunked\n\n{}");
        assert_eq!((line, column), (4, 1));
        assert!(why.contains("beside Content-Length"), "{why}");
        let (line, column, why) = refused("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n0\n");
        assert_eq!((line, column), (3, 20));
        assert!(why.contains("not simulated"), "{why}");
        let (line, _, why) = refused("GET / HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked");
        assert_eq!(line, 3);
        assert!(why.contains("`gzip, chunked`"), "{why}");
    }

    #[test]
    fn messages_quote_what_was_typed_safely() {
        let long = "x".repeat(500);
        let (_, _, why) = refused(&format!("GET /{long} HTTP/3"));
        assert!(why.len() < 200, "{why}");
        let (_, _, why) = refused(&format!("GET / HTTP/1.1\nHost: a\nContent-Length: 1{long}"));
        assert!(why.len() < 200, "{why}");
    }
}
