//! HTTP/1.1 messages as they travel: header order and case kept as sent, and
//! [`Request::to_wire`] / [`Response::to_wire`] give the exact bytes that are
//! shown and counted.

use std::borrow::Cow;
use std::fmt::{self, Write};

/// Headers in the order they were written; names keep their case. Names the
/// engine writes are static, so building a message allocates only values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(Cow<'static, str>, String)>);

impl Headers {
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// First value of a header, matching the name case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v.as_str()))
    }

    /// Bytes of `Name: value\r\n` for every header called `name`.
    pub fn wire_len_of(&self, name: &str) -> usize {
        self.0.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(n, v)| n.len() + 2 + v.len() + 2).sum()
    }

    fn wire_len(&self) -> usize {
        self.0.iter().map(|(n, v)| n.len() + 2 + v.len() + 2).sum()
    }

    fn write_to(&self, out: &mut String) {
        for (n, v) in &self.0 {
            let _ = write!(out, "{n}: {v}\r\n");
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request-target as sent: path and query.
    pub target: String,
    pub headers: Headers,
    pub body: String,
}

impl Request {
    pub fn new(method: &str, target: impl Into<String>) -> Request {
        Request { method: method.to_owned(), target: target.into(), headers: Headers::default(), body: String::new() }
    }

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
        self.method.len() + 1 + self.target.len() + 11 + self.headers.wire_len() + 2 + self.body.len()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Headers,
    pub body: String,
}

impl Response {
    pub fn reason(&self) -> &'static str {
        reason_phrase(self.status)
    }

    pub fn to_wire(&self) -> String {
        let mut out = String::with_capacity(self.wire_len());
        let _ = write!(out, "HTTP/1.1 {} {}\r\n", self.status, self.reason());
        self.headers.write_to(&mut out);
        out.push_str("\r\n");
        out.push_str(&self.body);
        out
    }

    /// The token a login response hands out (`{"token": "…"}`), if any.
    pub fn issued_token(&self) -> Option<String> {
        let mut token = None;
        crate::json::object_members(&self.body, |k, v| {
            if k == "token" {
                token = v.into_string();
            }
            Ok(())
        })
        .ok()?;
        token
    }

    pub fn wire_len(&self) -> usize {
        13 + self.reason().len() + 2 + self.headers.wire_len() + 2 + self.body.len()
    }
}

/// A message's wire text as display lines: the head's lines, the blank
/// line that ends it, then the body's lines (none for an empty body).
pub fn wire_lines(wire: &str) -> impl Iterator<Item = &str> {
    let (head, body) = wire.split_once("\r\n\r\n").unwrap_or((wire, ""));
    let body_lines = body.split("\r\n").filter(move |_| !body.is_empty());
    head.split("\r\n").chain(std::iter::once("")).chain(body_lines)
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
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
/// word on validity; the line-by-line checks before it exist to say *where*
/// the text goes wrong, which `httparse` does not report.
pub fn parse_request(text: &str) -> Result<Request, ParseError> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let blank = lines.iter().position(|l| l.is_empty());
    let (head, body_lines) = match blank {
        Some(i) => (&lines[..i], &lines[i + 1..]),
        None => (&lines[..], &[][..]),
    };
    if head.is_empty() {
        return Err(err(1, 1, "empty request: start with a request line such as `GET /api/me HTTP/1.1`"));
    }
    check_request_line(head[0])?;
    if head.len() - 1 > MAX_HEADERS {
        return Err(err(MAX_HEADERS as u32 + 2, 1, format!("more than {MAX_HEADERS} headers")));
    }
    for (i, line) in head.iter().enumerate().skip(1) {
        check_header_line(line, i as u32 + 1)?;
    }
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
    let mut req = Request::new(parsed.method.unwrap_or("GET"), parsed.path.unwrap_or("/"));
    for h in parsed.headers.iter() {
        // Checked above to be visible ASCII, so this conversion cannot fail.
        req.headers.push(h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned());
    }
    let body_line = head.len() as u32 + 2;
    match req.headers.get("Content-Length") {
        Some(v) => {
            let n: usize = v.trim().parse().map_err(|_| {
                err(
                    header_line(head, "Content-Length"),
                    17,
                    format!("Content-Length must be a number of bytes, not `{v}`"),
                )
            })?;
            if n != body.len() {
                return Err(err(
                    body_line,
                    1,
                    format!("Content-Length says {n} bytes but the body has {}", body.len()),
                ));
            }
        }
        None if !body.is_empty() => {
            return Err(err(body_line, 1, "a body needs a Content-Length header"));
        }
        None => {}
    }
    req.body = body;
    Ok(req)
}

fn header_line(head: &[&str], name: &str) -> u32 {
    head.iter()
        .position(|l| l.split(':').next().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .map_or(1, |i| i as u32 + 1)
}

fn err(line: u32, column: u32, message: impl Into<String>) -> ParseError {
    ParseError { line, column, message: message.into() }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn check_request_line(line: &str) -> Result<(), ParseError> {
    let mut col = 1u32;
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("");
    if method.is_empty() {
        return Err(err(1, 1, "the request line must start with a method such as GET or POST"));
    }
    if let Some(p) = method.chars().position(|c| !is_tchar(c)) {
        return Err(err(1, p as u32 + 1, format!("`{method}` is not a valid method name")));
    }
    col += method.chars().count() as u32 + 1;
    let target =
        parts.next().ok_or_else(|| err(1, col, "a path must follow the method, e.g. `GET /api/me HTTP/1.1`"))?;
    if !target.starts_with('/') {
        return Err(err(1, col, format!("the path must start with `/`, found `{target}`")));
    }
    if let Some(p) = target.chars().position(|c| !c.is_ascii_graphic()) {
        return Err(err(1, col + p as u32, "the path may not contain spaces or control characters"));
    }
    col += target.chars().count() as u32 + 1;
    match parts.next() {
        Some("HTTP/1.1") => {}
        Some("HTTP/1.0") => return Err(err(1, col, "HTTP/1.0 is not simulated; write HTTP/1.1")),
        Some(v) => return Err(err(1, col, format!("expected `HTTP/1.1`, found `{v}`"))),
        None => return Err(err(1, col, "the request line must end with `HTTP/1.1`")),
    }
    if parts.next().is_some() {
        return Err(err(1, col + 8, "unexpected text after `HTTP/1.1`"));
    }
    Ok(())
}

fn check_header_line(line: &str, n: u32) -> Result<(), ParseError> {
    if line.starts_with([' ', '\t']) {
        return Err(err(n, 1, "folded header lines (starting with a space) are obsolete; put the header on one line"));
    }
    let Some((name, value)) = line.split_once(':') else {
        return Err(err(n, 1, format!("a header needs `Name: value`, found `{line}`")));
    };
    if name.is_empty() {
        return Err(err(n, 1, "the header name is missing before `:`"));
    }
    if let Some(p) = name.chars().position(|c| !is_tchar(c)) {
        return Err(err(n, p as u32 + 1, format!("`{name}` is not a valid header name (no spaces or separators)")));
    }
    let offset = name.chars().count() as u32 + 2;
    if let Some(p) = value.chars().position(|c| !(c == ' ' || c == '\t' || c.is_ascii_graphic())) {
        return Err(err(
            n,
            offset + p as u32,
            "header values must be visible ASCII (no control or non-ASCII characters)",
        ));
    }
    Ok(())
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
        let req = parse_request("GET / HTTP/1.1\nAuthorization: Bearer abc.def.ghi").unwrap();
        assert_eq!(req.bearer_token(), Some("abc.def.ghi"));
        assert_eq!(parse_request("GET / HTTP/1.1\nAuthorization: Basic eA==").unwrap().bearer_token(), None);
        let issued =
            |body: &str| Response { status: 200, headers: Headers::default(), body: body.into() }.issued_token();
        assert_eq!(issued(r#"{"token":"t.u.v","expires_in":900}"#).as_deref(), Some("t.u.v"));
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
        let short = e("POST /login HTTP/1.1\nContent-Length: 10\n\n{}");
        assert_eq!(short.line, 4);
        assert!(short.message.contains("10"));
        assert_eq!(e("GET api HTTP/1.1").column, 5);
        assert!(e("GET / HTTP/1.1\nX: caf\u{e9}").message.contains("ASCII"));
    }
}
