//! A lane's exchanges in the formats other tools read: HAR 1.2 (opens in
//! browser devtools, with a connection's frames as Chrome DevTools writes
//! them) and `curl` commands.

use crate::fleet::config::HOST;
use crate::fleet::exchange::{Entry, Exchange};
use crate::fleet::kind::Kind;
use crate::fleet::lane::Lane;
use crate::wire::cookie::SetCookie;
use crate::wire::http::{reason_phrase, Request};
use crate::wire::json::Json;
use crate::wire::ws::Opcode;
use std::collections::BTreeMap;

fn s(v: &str) -> Json {
    Json::Str(v.to_owned())
}

fn n(v: impl Into<u64>) -> Json {
    Json::Num(v.into().to_string())
}

fn obj(members: Vec<(&str, Json)>) -> Json {
    Json::Obj(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn name_values<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Json {
    Json::Arr(pairs.map(|(k, v)| obj(vec![("name", s(k)), ("value", s(v))])).collect())
}

/// The URL a request went to, from its `Host` and target.
pub(super) fn url(req: &Request, scheme: &str) -> String {
    format!("{scheme}://{}{}", req.headers.get("Host").unwrap_or(HOST), req.target)
}

/// Bytes of the head: from the start line through the blank line.
fn head_size(wire_len: usize, body_len: usize) -> u64 {
    (wire_len - body_len) as u64
}

/// Each connection's frames in wire order, by its handshake's exchange
/// number, as Chrome DevTools' HAR export lists them under the handshake
/// (`_webSocketMessages`): `send` from the browser, `receive` from the
/// server, `time` in seconds since the epoch, the opcode, and the payload,
/// unmasked — text as text, any other opcode's bytes in base64 (as
/// DevTools writes a binary message).
fn socket_messages(lane: &Lane) -> BTreeMap<u32, Vec<Json>> {
    let mut out: BTreeMap<u32, Vec<Json>> = BTreeMap::new();
    for e in lane.entries() {
        let (true, Entry::Socket(r)) = (const { Kind::Connections.compiled() }, e) else { continue };
        let time = Json::Num(format!("{}.{:03}", r.at.0 / 1000, r.at.0 % 1000));
        for f in &r.frames {
            let Some(c) = lane.connection(f.conn) else { continue };
            let data = match f.frame.opcode {
                Opcode::Text => String::from_utf8_lossy(&f.frame.payload).into_owned(),
                _ => crate::wire::b64::encode_padded(&f.frame.payload),
            };
            out.entry(c.handshake).or_default().push(obj(vec![
                ("type", s(if f.from_client { "send" } else { "receive" })),
                ("time", time.clone()),
                ("opcode", n(f.frame.opcode.code())),
                ("data", s(&data)),
            ]));
        }
    }
    out
}

fn entry(x: &Exchange, messages: Option<Vec<Json>>) -> Json {
    let req = &x.request;
    let resp = &x.response;
    let query = req.target.split_once('?').map_or("", |(_, q)| q);
    let request_cookies = req
        .headers
        .get("Cookie")
        .map_or(Vec::new(), |c| c.split(';').filter_map(|p| p.trim().split_once('=')).collect::<Vec<_>>());
    let mut request = vec![
        ("method", s(&req.method)),
        ("url", s(&url(req, "https"))),
        ("httpVersion", s("HTTP/1.1")),
        ("headers", name_values(req.headers.iter())),
        ("queryString", name_values(query.split('&').filter_map(|kv| kv.split_once('=')))),
        ("cookies", name_values(request_cookies.into_iter())),
        ("headersSize", n(head_size(req.wire_len(), req.body.len()))),
        ("bodySize", n(req.body.len() as u64)),
    ];
    if !req.body.is_empty() {
        let mime = req.headers.get("Content-Type").unwrap_or("application/octet-stream");
        request.push(("postData", obj(vec![("mimeType", s(mime)), ("text", s(&req.body))])));
    }
    let response_cookies: Vec<Json> = resp
        .headers
        .get_all("Set-Cookie")
        .filter_map(SetCookie::parse)
        .map(|c| {
            let mut m = vec![("name", s(&c.name)), ("value", s(&c.value))];
            if let Some(p) = &c.path {
                m.push(("path", s(p)));
            }
            if let Some(d) = &c.domain {
                m.push(("domain", s(d)));
            }
            if let Some(e) = c.expires {
                m.push(("expires", s(&e.iso8601())));
            }
            m.push(("httpOnly", Json::Bool(c.http_only)));
            m.push(("secure", Json::Bool(c.secure)));
            obj(m)
        })
        .collect();
    let mime = resp.headers.get("Content-Type").unwrap_or("");
    let response = obj(vec![
        ("status", n(resp.status)),
        ("statusText", s(reason_phrase(resp.status))),
        ("httpVersion", s("HTTP/1.1")),
        ("headers", name_values(resp.headers.iter())),
        ("cookies", Json::Arr(response_cookies)),
        ("content", obj(vec![("size", n(resp.body.len() as u64)), ("mimeType", s(mime)), ("text", s(&resp.body))])),
        ("redirectURL", s("")),
        ("headersSize", n(head_size(resp.wire_len(), resp.body.len()))),
        ("bodySize", n(resp.body.len() as u64)),
    ]);
    let mut out = vec![
        ("startedDateTime", s(&x.at.iso8601())),
        ("time", n(x.latency_ms)),
        ("request", obj(request)),
        ("response", response),
        ("cache", obj(vec![])),
        ("timings", obj(vec![("send", n(0u64)), ("wait", n(x.latency_ms)), ("receive", n(0u64))])),
        ("comment", s(&format!("#{} {} → {}: {}", x.seq, x.client, x.server_label(), x.balancer_reason))),
    ];
    if let Some(m) = messages {
        out.extend([("_resourceType", s("websocket")), ("_webSocketMessages", Json::Arr(m))]);
    }
    obj(out)
}

/// The lane's exchanges as a HAR 1.2 document.
pub fn har(lane: &Lane) -> String {
    let mut messages = socket_messages(lane);
    let creator = obj(vec![("name", s("Statelab")), ("version", s(env!("CARGO_PKG_VERSION")))]);
    let log = obj(vec![
        ("version", s("1.2")),
        ("creator", creator),
        ("comment", s(&format!("Lane: {}", lane.describe()))),
        ("entries", Json::Arr(lane.exchanges().map(|x| entry(x, messages.remove(&x.seq))).collect())),
    ]);
    obj(vec![("log", log)]).to_text()
}

/// A POSIX-shell command that sends this request with curl to `origin`
/// (`https://shop.example` for the simulated fleet). curl adds `Host` and
/// `Content-Length` itself, so those two are left to it.
pub fn curl(req: &Request, origin: &str) -> String {
    let mut cmd = format!("curl --http1.1 -X {} {}", quote(&req.method), quote(&format!("{origin}{}", req.target)));
    for (name, value) in req.headers.iter() {
        if !name.eq_ignore_ascii_case("Host") && !name.eq_ignore_ascii_case("Content-Length") {
            cmd.push_str(" -H ");
            cmd.push_str(&quote(&format!("{name}: {value}")));
        }
    }
    if !req.body.is_empty() {
        cmd.push_str(" --data-raw ");
        cmd.push_str(&quote(&req.body));
    }
    cmd
}

/// Single-quoted for a POSIX shell: nothing inside is interpreted.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
